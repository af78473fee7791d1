#pragma once
// Rebuilding the read tables from the log, and the projection state that says
// how far they are and by which layout (kProjectionVersion in projector.hpp).

#include <cstdint>
#include <functional>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::projection {

/// The projection state recorded in the database.
struct ProjectionState {
    std::int64_t version = 0;
    std::int64_t head = 0;
};
ProjectionState read_projection_state(store::Db& db);

/// Progress of a rebuild: events applied so far and the total.
using Progress = std::function<void(std::int64_t done, std::int64_t total)>;

/// Empties every read table and replays the log up to `up_to` (all when 0) in
/// one transaction. Returns the number of events applied. Writer connection only.
Result<std::int64_t> rebuild(store::SqliteDb& db, std::int64_t up_to = 0,
                             const Progress& progress = {});

}  // namespace omnivibe::projection
