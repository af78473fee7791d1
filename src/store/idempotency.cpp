#include "omnivibe/store/idempotency.hpp"

namespace omnivibe::store {

std::optional<KeptAnswer> find_kept_answer(Db& db, std::string_view actor, std::string_view key,
                                           UnixMillis not_before) {
    Stmt& q = db.cached(
        "SELECT fingerprint, status, body, version, seq, created_ms "
        "FROM idempotency_keys WHERE actor = ? AND key = ?");
    q.bind(1, actor).bind(2, key);
    std::optional<KeptAnswer> found;
    if (q.step() && q.column_int(5) >= not_before)
        found = KeptAnswer{.fingerprint = std::string(q.column_text(0)),
                           .status = static_cast<int>(q.column_int(1)),
                           .body = std::string(q.column_text(2)),
                           .version = q.column_int(3),
                           .seq = q.column_int(4),
                           .created_ms = q.column_int(5)};
    q.reset();
    return found;
}

void keep_answer(Db& db, std::string_view actor, std::string_view key, const KeptAnswer& answer) {
    db.cached(
          "INSERT INTO idempotency_keys (actor, key, fingerprint, status, body, version, seq, "
          "created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (actor, key) DO UPDATE SET "
          "fingerprint = excluded.fingerprint, status = excluded.status, body = excluded.body, "
          "version = excluded.version, seq = excluded.seq, created_ms = excluded.created_ms")
        .bind(1, actor)
        .bind(2, key)
        .bind(3, answer.fingerprint)
        .bind(4, std::int64_t{answer.status})
        .bind(5, answer.body)
        .bind(6, answer.version)
        .bind(7, answer.seq)
        .bind(8, answer.created_ms)
        .run();
}

void forget_answers_before(Db& db, UnixMillis cutoff) {
    db.cached("DELETE FROM idempotency_keys WHERE created_ms < ?").bind(1, cutoff).run();
}

}  // namespace omnivibe::store
