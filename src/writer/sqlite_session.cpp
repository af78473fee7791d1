#include "omnivibe/writer/sqlite_session.hpp"

#include "omnivibe/core/log.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::writer {

// ---- SqliteSession --------------------------------------------------------------

Result<std::unique_ptr<SqliteSession>> SqliteSession::open(const SqliteSessionOptions& options) {
    // Taken before the database is touched, so a replay or an import running
    // on it is never disturbed; released by close(), or by the kernel on a crash.
    auto lock = store::DbLock::acquire(options.path, options.holder);
    if (!lock) return std::move(lock).error();
    auto opened =
        store::SqliteDb::open(options.path, store::OpenMode::read_write, options.busy_timeout_ms);
    if (!opened) return std::move(opened).error();
    store::SqliteDb& d = **opened;
    try {
        store::register_writer_guard(d);
        d.exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                      : "PRAGMA synchronous=NORMAL");
        // Fewer, larger checkpoints than SQLite's default of 1000 pages: a checkpoint runs
        // inside the commit that crosses the threshold, on the writer's time.
        d.exec("PRAGMA wal_autocheckpoint=4000");
        auto applied = store::apply_migrations(d);
        if (!applied) return std::move(applied).error();
        if (*applied > 0) log::info("applied " + std::to_string(*applied) + " migration(s)");

        const auto state = projection::read_projection_state(d);
        const auto head = store::log_head(d);
        if (state.version != projection::kProjectionVersion || state.head != head) {
            log::info("rebuilding the read tables from the log (layout " +
                      std::to_string(state.version) + " -> " +
                      std::to_string(projection::kProjectionVersion) + ", " + std::to_string(head) +
                      " events)");
            auto rebuilt = projection::rebuild(d, 0, [](std::int64_t done, std::int64_t total) {
                log::info("rebuild: " + std::to_string(done) + "/" + std::to_string(total) +
                          " events");
            });
            if (!rebuilt) return std::move(rebuilt).error();
        }
        return std::unique_ptr<SqliteSession>(
            new SqliteSession(std::move(lock).value(), std::move(opened).value()));
    } catch (const store::StoreError& e) {
        return e.error();
    }
}

SqliteSession::SqliteSession(store::DbLock lock, std::unique_ptr<store::SqliteDb> db)
    : DbSession(std::unique_ptr<store::Db>(std::move(db))), lock_(std::move(lock)) {}

void SqliteSession::close() {
    DbSession::close();
    // A clean stop leaves no WAL to replay at the next start.
    sqlite3_wal_checkpoint_v2(static_cast<store::SqliteDb&>(db()).handle(), nullptr,
                              SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    // The connection closes before the lock goes, so whoever takes the lock
    // next finds the database quiet.
    drop_connection();
    lock_.release();
}

}  // namespace omnivibe::writer
