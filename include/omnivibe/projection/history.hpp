#pragma once
// History and time travel: an entity's own events, and the entity as it was
// right after any event, computed from the log (domain::evolve), never from
// the read tables. Every function takes the connection to read, so callers
// choose the snapshot; like the read-model queries they throw
// store::SqliteError, which the module edge turns into an Error.

#include <cstdint>
#include <optional>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/state.hpp"
#include "omnivibe/store/db.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::projection {

/// The events of one entity's stream, oldest first, up to `up_to` when given.
/// Empty when the stream never existed.
std::vector<store::EventRow> stream_events(store::Db& db, domain::Kind kind, std::int64_t id,
                                           std::optional<std::int64_t> up_to = std::nullopt);

/// The entity right after event `seq`: its stream folded with evolve(), with
/// what the read model adds computed as of `seq` too (campaign_count,
/// content_count, a block's position after its siblings moved). Nothing
/// when it did not exist then (not yet created, or deleted).
Result<std::optional<domain::Entity>> entity_as_of(store::Db& db, domain::Kind kind,
                                                   std::int64_t id, std::int64_t seq);

}  // namespace omnivibe::projection
