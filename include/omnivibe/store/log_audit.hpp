#pragma once
// Checking the log against its invariants, from outside the writer: what
// `omnivibe-audit verify` runs, and what `omnivibe-replay` uses to copy a log.
//
// verify_log walks every event in seq order inside one read snapshot and stops
// at the first event that breaks an invariant: seq 1, 2, 3... without a gap;
// stream_version 1, 2, 3... per stream; a known type on a stream of its kind
// with decodable data and meta; prev_hash equal to the previous hash; hash
// equal to SHA-256 over prev_hash and the canonical row. Editing any event
// breaks its own hash. Rewriting the whole chain after an edit keeps it
// consistent, which is why an auditor keeps `head` (seq and hash) elsewhere
// and passes it back as an Anchor: a rewritten log cannot match it.
//
// check_guards compares the triggers of the database with those the embedded
// migrations create, so a dropped or weakened append-only or writer-only
// trigger is reported by name.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::store {

/// A (seq, hash) pair recorded earlier, e.g. from `omnivibe-audit head`.
struct Anchor {
    std::int64_t seq = 0;
    std::string hash;
};
/// Parses "SEQ:HASH" (hash: 64 lower-case hex digits).
std::optional<Anchor> parse_anchor(std::string_view text);

/// The first event that breaks an invariant, and how.
struct LogProblem {
    std::int64_t seq = 0;
    std::string what;
};

struct LogCheck {
    std::int64_t events = 0;            ///< events checked
    Head head;                          ///< last event checked
    std::optional<LogProblem> problem;  ///< the first problem, if any
    bool anchor_matched = false;        ///< an anchor was given and matched
};

/// Progress of a long walk: events done and the total.
using CheckProgress = std::function<void(std::int64_t done, std::int64_t total)>;

/// Walks the log (inside the caller's transaction if one is open).
LogCheck verify_log(Db& db, const std::optional<Anchor>& anchor = {},
                    const CheckProgress& progress = {});

/// Missing, altered or unexpected triggers, and migrations that are not the
/// embedded ones, one sentence each; empty when the guards are intact.
std::vector<std::string> check_guards(Db& db);

/// Copies the events with seq <= up_to (all when nullopt) of the database at
/// `source_path` into `target`'s empty log, in one transaction of its own.
/// `target` is a migrated writer connection, so its triggers check every
/// row; the source is only read. Returns the new head seq of `target`.
std::int64_t copy_log(SqliteDb& target, const std::string& source_path,
                      std::optional<std::int64_t> up_to);

}  // namespace omnivibe::store
