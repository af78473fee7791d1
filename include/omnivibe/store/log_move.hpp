#pragma once
// Moving a log between stores (omnivibe-import --from-sqlite): every event
// copied verbatim — seq, stream versions, recorded_at, data, meta and both
// hashes — so the chain anchored on the old store still verifies on the new
// one. The read tables are not copied: the new store projects them from the
// log (a server's start, or replay).

#include <cstdint>
#include <functional>
#include <optional>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/db.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::store {

using CopyProgress = std::function<void(std::int64_t done, std::int64_t total)>;

/// Appends the events of `source` up to `up_to` (all when nullopt) to
/// `target`'s log, inside the transaction the caller holds on `target`,
/// which must be empty. `source` is read in a snapshot of its own unless the
/// caller holds one. The target's schema checks each row (contiguity,
/// chain); so does this function, before it writes. Returns how many were
/// copied.
Result<std::int64_t> copy_events(Db& source, Db& target, std::optional<std::int64_t> up_to = {},
                                 const CopyProgress& progress = {});

}  // namespace omnivibe::store
