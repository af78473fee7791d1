#pragma once
// The event log (table `events`): append with a SHA-256 hash chain, read by seq.
//
// Invariants (also enforced by the schema's triggers; the server's writer
// connection runs without them, and append() checks the first two): seq
// is 1, 2, 3... with no gap; stream_version is 1, 2, 3... per stream; rows
// never change. The hash of a row is SHA-256(prev_hash "\n"
// canonical_row(...)), prev_hash of seq 1 being 64 zeros, so rewriting any
// event breaks every later hash.
//
// EventStore is used by exactly one writer connection; it keeps the head in
// memory, and the writer restores it when a transaction or savepoint rolls back.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/events.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::store {

/// An event exactly as stored.
struct EventRow {
    std::int64_t seq = 0;
    std::string stream;
    std::int64_t stream_version = 0;
    std::string type;
    std::string data;
    std::string meta;
    std::optional<std::int64_t> campaign_id;
    std::string recorded_at;
    std::string prev_hash;
    std::string hash;
    std::string actor;  ///< from meta, for envelopes
    std::string cause;  ///< from meta, for envelopes
};

/// The bytes the hash covers, in a fixed order with unit separators.
std::string canonical_row(const EventRow& row);
/// SHA-256 hex of prev_hash, a newline and canonical_row(row).
std::string chain_hash(std::string_view prev_hash, const EventRow& row);
/// prev_hash of the first event.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether to_domain parses the meta column (projections never need it).
enum class MetaDecoding { parse, skip };

/// Decodes a stored row into a domain event (data, and meta unless skipped).
Result<domain::Event> to_domain(const EventRow& row, MetaDecoding meta = MetaDecoding::parse);

struct Head {
    std::int64_t seq = 0;
    std::string hash{kGenesisHash};
};

class EventStore {
  public:
    /// `db` must be the writer connection (writer guard registered).
    explicit EventStore(Db& db);

    /// Reads the head from the table; call after migrations and after any
    /// rollback that may have discarded appends.
    void load_head();
    const Head& head() const noexcept { return head_; }
    void restore_head(Head h) { head_ = std::move(h); }

    /// For a connection that runs without the schema's triggers: append()
    /// then checks stream versions itself (one index probe per event).
    void check_versions() noexcept { check_versions_ = true; }

    /// Appends inside the caller's transaction: assigns seq and hash, fills
    /// ev.seq, and returns the stored row. With check_versions(), throws
    /// StoreError when ev.stream_version does not follow its stream's last.
    EventRow append(domain::Event& ev);

  private:
    Db& db_;
    Head head_;
    bool check_versions_ = false;
};

/// What to read from the log.
struct EventQuery {
    std::int64_t after = 0;
    std::int64_t limit = 1000;
    std::optional<std::string> stream;
    std::optional<std::int64_t> campaign_id;
    std::optional<std::int64_t> up_to;  ///< inclusive upper bound on seq
    /// Event types: exact names or name prefixes; when both are empty, every type.
    std::vector<std::string> types;
    std::vector<std::string> type_prefixes;
};

/// Events with seq > after that match, oldest first, at most `limit`.
std::vector<EventRow> read_events(Db& db, const EventQuery& q);

/// What a row read from the log carries: everything, or the stored columns
/// only (actor and cause, extracted from meta for envelopes, left empty).
enum class RowDetail { envelope, log_only };

/// Calls `fn` for every event from seq > after, in order, without holding them all.
void for_each_event(Db& db, std::int64_t after, std::optional<std::int64_t> up_to,
                    const std::function<void(const EventRow&)>& fn,
                    RowDetail detail = RowDetail::envelope);

/// max(seq), 0 for an empty log.
std::int64_t log_head(Db& db);

}  // namespace omnivibe::store
