#include "omnivibe/store/log_audit.hpp"

#include <map>
#include <unordered_map>

#include "omnivibe/core/text.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/pg/migrations.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::store {

namespace {

bool is_hex64(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::map<std::string, std::string> triggers_of(SqliteDb& db) {
    std::map<std::string, std::string> out;
    SqliteStmt s(db.handle(), "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'");
    while (s.step()) out[std::string(s.column_text(0))] = std::string(s.column_text(1));
    return out;
}

std::string short_hash(std::string_view h) { return std::string(h.substr(0, 16)) + "…"; }

}  // namespace

std::optional<Anchor> parse_anchor(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto seq = parse_int64(text.substr(0, colon));
    const auto hash = text.substr(colon + 1);
    if (!seq || *seq < 1 || !is_hex64(hash)) return std::nullopt;
    return Anchor{*seq, std::string(hash)};
}

LogCheck verify_log(Db& db, const std::optional<Anchor>& anchor, const CheckProgress& progress) {
    LogCheck out;
    const std::int64_t total = log_head(db);
    std::unordered_map<std::string, std::int64_t> versions;
    auto fail = [&](std::int64_t seq, std::string what) {
        out.problem = LogProblem{seq, std::move(what)};
    };
    // After the first problem the rest of the log is passed over.
    for_each_event(
        db, 0, std::nullopt,
        [&](const EventRow& row) {
            if (out.problem) return;
            const std::int64_t expected_seq = out.head.seq + 1;
            if (row.seq != expected_seq) {
                fail(expected_seq, row.seq > expected_seq
                                       ? "missing: the log jumps from seq " +
                                             std::to_string(out.head.seq) + " to seq " +
                                             std::to_string(row.seq)
                                       : "seq " + std::to_string(row.seq) + " is out of order");
                return;
            }
            if (row.prev_hash != out.head.hash) {
                fail(row.seq, "prev_hash " + short_hash(row.prev_hash) +
                                  " is not the hash of seq " + std::to_string(out.head.seq) + " (" +
                                  short_hash(out.head.hash) +
                                  "): an event was removed, inserted or rewritten before it");
                return;
            }
            if (const std::string computed = chain_hash(row.prev_hash, row); computed != row.hash) {
                fail(row.seq, "hash does not match the event's content (stored " +
                                  short_hash(row.hash) + ", computed " + short_hash(computed) +
                                  "): the event (" + row.stream + " v" +
                                  std::to_string(row.stream_version) + ", " + row.type +
                                  ") was changed after it was written");
                return;
            }
            auto decoded = to_domain(row);
            if (!decoded) {
                fail(row.seq, "cannot be decoded (" + row.type + " on " + row.stream +
                                  "): " + decoded.error().detail);
                return;
            }
            if (domain::stream_kind(decoded->type) != decoded->kind) {
                fail(row.seq, "type " + row.type + " does not belong on stream " + row.stream);
                return;
            }
            std::int64_t& version = versions[row.stream];
            if (row.stream_version != version + 1) {
                fail(row.seq, "stream " + row.stream + " goes from version " +
                                  std::to_string(version) + " to " +
                                  std::to_string(row.stream_version) +
                                  " (versions must be 1, 2, 3... per stream)");
                return;
            }
            version = row.stream_version;
            out.head = Head{row.seq, row.hash};
            ++out.events;
            if (anchor && anchor->seq == row.seq) {
                if (row.hash != anchor->hash) {
                    fail(row.seq, "hash " + row.hash + " differs from the anchored " +
                                      anchor->hash + ": the log up to seq " +
                                      std::to_string(row.seq) +
                                      " is not the one that was anchored (it was rewritten)");
                    return;
                }
                out.anchor_matched = true;
            }
            if (progress && (out.events % 10000 == 0 || out.events == total))
                progress(out.events, total);
        },
        RowDetail::log_only);
    if (!out.problem && anchor && !out.anchor_matched)
        out.problem =
            LogProblem{anchor->seq, "the log ends at seq " + std::to_string(out.head.seq) +
                                        ": the anchored event is missing (the log was "
                                        "truncated or replaced)"};
    return out;
}

namespace {

std::vector<std::string> check_sqlite_guards(SqliteDb& db) {
    std::vector<std::string> problems;
    if (auto st = check_migrations(db); !st) problems.push_back(st.error().detail);

    // What the embedded migrations create, on a private in-memory database.
    auto reference = SqliteDb::open(":memory:", OpenMode::read_write);
    if (!reference) {
        problems.push_back("cannot build the reference schema: " + reference.error().detail);
        return problems;
    }
    register_writer_guard(**reference);
    if (auto applied = apply_migrations(**reference); !applied) {
        problems.push_back("cannot build the reference schema: " + applied.error().detail);
        return problems;
    }
    const auto expected = triggers_of(**reference);
    const auto actual = triggers_of(db);
    for (const auto& [name, sql] : expected) {
        auto it = actual.find(name);
        if (it == actual.end())
            problems.push_back("trigger " + name + " is missing");
        else if (it->second != sql)
            problems.push_back("trigger " + name + " differs from the one the migrations create");
    }
    for (const auto& [name, sql] : actual)
        if (!expected.count(name)) problems.push_back("trigger " + name + " is not one of ours");
    return problems;
}

}  // namespace

// The guards are each store's own schema objects (SQLite triggers; PostgreSQL
// triggers and their PL/pgSQL functions), so the check is too.
std::vector<std::string> check_guards(Db& db) {
    if (auto* pg = dynamic_cast<pg::PgDb*>(&db)) return pg::check_guards(pg->connection());
    return check_sqlite_guards(dynamic_cast<SqliteDb&>(db));
}

std::int64_t copy_log(SqliteDb& target, const std::string& source_path,
                      std::optional<std::int64_t> up_to) {
    if (log_head(target) != 0)
        throw SqliteError(Error::make(ErrorCode::conflict, "the target log is not empty"), 0);
    SqliteStmt(target.handle(), "ATTACH DATABASE ? AS source").bind(1, source_path).run();
    struct Detach {
        SqliteDb& db;
        ~Detach() {
            sqlite3_exec(db.handle(), "DETACH DATABASE source", nullptr, nullptr, nullptr);
        }
    } detach{target};
    {
        // The target's triggers check every row: gap-free seq and versions.
        // Deferred, so only the target is locked for writing: an immediate
        // transaction would reserve the attached source too, and its commit
        // fails while a reader holds the source (a rollback-journal database,
        // such as a VACUUM INTO backup, under replay --verify's snapshot).
        Tx tx(target, Tx::Kind::snapshot);
        SqliteStmt(
            target.handle(),
            "INSERT INTO main.events (seq, stream, stream_version, type, data, meta, campaign_id, "
            "recorded_at, prev_hash, hash) SELECT seq, stream, stream_version, type, data, meta, "
            "campaign_id, recorded_at, prev_hash, hash FROM source.events WHERE seq <= ? "
            "ORDER BY seq")
            .bind(1, up_to.value_or(INT64_MAX))
            .run();
        tx.commit();
    }
    return log_head(target);
}

}  // namespace omnivibe::store
