#pragma once
// Idempotency records (table `idempotency_keys`): the answer given to a keyed
// write, kept in the same transaction as its events so a retry after a crash
// still finds it, and replayed byte for byte. The answer's status and body are
// opaque here: the HTTP layer renders them, the store only keeps them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::store {

/// The answer kept for (actor, key).
struct KeptAnswer {
    std::string fingerprint;  ///< what the request asked for; a retry must match it
    int status = 0;
    std::string body;
    std::int64_t version = 0;  ///< ETag of the entity the answer is about
    std::int64_t seq = 0;      ///< X-Event-Seq of the write
    UnixMillis created_ms = 0;
};

/// The answer kept for this actor's key, unless it is older than `not_before`.
std::optional<KeptAnswer> find_kept_answer(Db& db, std::string_view actor, std::string_view key,
                                           UnixMillis not_before);
/// Keeps (or replaces) the answer for this actor's key; writer connection, inside its transaction.
void keep_answer(Db& db, std::string_view actor, std::string_view key, const KeptAnswer& answer);
/// Forgets every answer kept before `cutoff`.
void forget_answers_before(Db& db, UnixMillis cutoff);

}  // namespace omnivibe::store
