#pragma once
// The PostgreSQL store's write side: DbSession over a libpq connection, plus
// what writing to a shared database means (docs/SCALING.md).
//
// PgSession::open connects, applies the PostgreSQL migrations (each under
// its own advisory lock, so servers starting together apply each once),
// rebuilds the read tables when their layout version or head is behind the
// log, and warns when the cluster's settings weaken what --durability full
// promises (fsync, full_page_writes); synchronous_commit it sets itself.
//
// Every write transaction first takes one transaction-scoped advisory lock
// (kWriterLockKey) and only then reads the head: writers on any number of
// instances are serialised, seq stays gap-free and in commit order, and
// decide() reads state no other writer can change before the commit. A lost
// connection fails the batch (503 upstream) and is reconnected at the next.
// A transaction that appended NOTIFYs feed::kFeedChannel with the new head,
// delivered at its COMMIT: the wake-up of every instance's feed follower.

#include <functional>
#include <memory>
#include <string>

#include "omnivibe/core/result.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/writer/db_session.hpp"

namespace omnivibe::writer {

/// The advisory lock key every writer takes ("omniwrit" in ASCII).
inline constexpr std::int64_t kWriterLockKey = 0x6f6d6e6977726974;

struct PgSessionOptions {
    std::string uri;  ///< postgresql://user@host:port/dbname (no password in it)
    Durability durability = Durability::full;
    std::string application_name = "omnivibe-writer";
};

/// The cluster settings that weaken what --durability full promises (fsync,
/// full_page_writes), one sentence each; empty when none does.
std::vector<std::string> weak_durability_settings(store::pg::Connection& conn);

/// Empties the read tables and projects them from the log again
/// (projection::refill_read_tables), in one transaction that holds the
/// writers' lock (servers' writes wait for it); with `if_stale`, only when
/// their layout version or head is not the log's. `open_reader` gives the
/// log's reading a connection and a core of its own. Returns the events
/// replayed.
Result<std::int64_t> rebuild_read_tables(store::pg::PgDb& db, projection::Rebuild when,
                                         const projection::Progress& progress = {},
                                         const projection::OpenReader& open_reader = {});

class PgSession final : public DbSession {
  public:
    static Result<std::unique_ptr<PgSession>> open(const PgSessionOptions& options);

    void begin() override;
    void commit() override;
    void close() override;

  private:
    PgSession(store::pg::Connection& conn, std::unique_ptr<store::pg::PgDb> db,
              PgSessionOptions options);
    /// Session settings, again after a reconnect.
    void configure();

    store::pg::Connection& conn_;
    PgSessionOptions options_;
    std::int64_t head_at_begin_ = 0;
};

}  // namespace omnivibe::writer
