#pragma once
// Rebuilding the read tables from the log, and the projection state that says
// how far they are and by which layout (kProjectionVersion in projector.hpp).
//
// One rebuild for both stores: refill_read_tables() runs the log through the
// writer's Projector inside the caller's transaction. What differs per store
// is around it: the SQLite rebuild() prepares the file for a bulk load and
// opens its own transaction; the PostgreSQL one (writer/pg_session.hpp)
// takes the writers' lock first.

#include <cstdint>
#include <functional>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/read_pool.hpp"
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

/// Whether to rebuild whatever the state (the replay tool) or only when the
/// read tables' layout version or head is not the log's (a server's start).
enum class Rebuild { always, if_stale };

/// What one store does around the bulk load of a rebuild; by default nothing.
class BulkLoad {
  public:
    virtual ~BulkLoad() = default;
    /// The read tables are empty; their rows are about to be loaded.
    virtual void before_rows() {}
    /// Every row is in.
    virtual void after_rows() {}
};

/// Opens a second connection to the same log (store::ReadPool's openers).
using OpenReader = store::ReadPool::Opener;

/// Empties every read table and projects the log up to `up_to` (all when 0)
/// into them, inside the caller's write transaction. With `open_reader`, the
/// log is read and decoded on a thread of its own over a second connection
/// while this one applies. Without `progress`, progress goes to the log.
/// Returns the events applied (0 when `if_stale` found nothing to do).
Result<std::int64_t> refill_read_tables(store::Db& db, Rebuild when, std::int64_t up_to,
                                        BulkLoad& bulk, const Progress& progress = {},
                                        const OpenReader& open_reader = {});

/// SQLite: the whole rebuild in one transaction of its own, the file set up
/// for a bulk load meanwhile. Writer connection only.
Result<std::int64_t> rebuild(store::SqliteDb& db, std::int64_t up_to = 0,
                             const Progress& progress = {}, Rebuild when = Rebuild::always);

}  // namespace omnivibe::projection
