#include "omnivibe/writer/sqlite_session.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "omnivibe/core/log.hpp"
#include "omnivibe/core/thread_name.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::writer {

// ---- WalCheckpointer ------------------------------------------------------------

// Copies the WAL into the database file on a thread and a connection of its
// own, so that most of the copy and the database file's sync are off the
// writer's time (SQLite's automatic checkpoint runs inside the commit that
// crosses its threshold). A PASSIVE checkpoint never blocks the writer or a
// reader. SQLite reuses the WAL from its start only when a write begins with
// every frame copied, which a checkpoint running beside a busy writer never
// sees; so once the thread has made a pass, the writer's next commit copies
// the few frames written since, and the WAL starts over. Should the thread
// fall far behind, the writer checkpoints itself, as the automatic checkpoint
// would have.
class WalCheckpointer {
  public:
    static constexpr int kWakeAtFrames = 4000;
    static constexpr int kWriterTakesOverAtFrames = 4 * kWakeAtFrames;

    WalCheckpointer(store::SqliteDb& writer, std::unique_ptr<store::SqliteDb> own)
        : writer_(writer), db_(std::move(own)) {
        thread_ = std::thread([this] { run(); });
        name_thread(thread_, "ov-checkpoint");
        sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::committed, this);
    }
    ~WalCheckpointer() {
        sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  private:
    // After every commit of the writer, with the frames now in the WAL.
    static int committed(void* self, sqlite3* db, const char* schema, int frames) {
        auto& me = *static_cast<WalCheckpointer*>(self);
        if (frames < kWakeAtFrames) return SQLITE_OK;
        if (frames >= kWriterTakesOverAtFrames || me.pass_done_.exchange(false)) {
            sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            return SQLITE_OK;
        }
        {
            std::lock_guard lock(me.mutex_);
            me.wanted_ = true;
        }
        me.wake_.notify_one();
        return SQLITE_OK;
    }

    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [&] { return wanted_ || stopping_; });
            if (stopping_) return;
            wanted_ = false;
            lock.unlock();
            const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr,
                                                     SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY && !warned_) {
                warned_ = true;
                log::warn(std::string("WAL checkpoint failed: ") + sqlite3_errmsg(db_->handle()));
            }
            lock.lock();
            if (rc == SQLITE_OK) {
                // The commits made during the pass asked for another; the writer's next
                // commit copies what they wrote instead.
                wanted_ = false;
                pass_done_ = true;
            }
        }
    }

    store::SqliteDb& writer_;
    std::unique_ptr<store::SqliteDb> db_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool wanted_ = false;
    bool stopping_ = false;
    bool warned_ = false;
    std::atomic<bool> pass_done_{false};  ///< the thread copied the WAL since the writer last did
};

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
        // Fewer, larger checkpoints than SQLite's default of 1000 pages while migrations
        // and a rebuild run; once the session is open, WalCheckpointer takes over.
        d.exec("PRAGMA wal_autocheckpoint=4000");
        // Each command runs in a savepoint, whose undo pages go to a sub-journal. With
        // temporary files on disk that journal spills to a file once a savepoint passes
        // 64 KiB (a create alone touches about 16 pages) and stays a file for the rest
        // of the transaction: a pwrite for each page a command touched. In memory it is
        // a copy, and it is emptied at each release.
        d.exec("PRAGMA temp_store=MEMORY");
        auto applied = store::apply_migrations(d);
        if (!applied) return std::move(applied).error();
        if (*applied > 0) log::info("applied " + std::to_string(*applied) + " migration(s)");

        auto rebuilt = projection::rebuild(d, 0, {}, projection::Rebuild::if_stale);
        if (!rebuilt) return std::move(rebuilt).error();
        // The schema's triggers refuse writes from any connection without the writer
        // guard, which this one has, and gaps in the log, which EventStore::append
        // checks itself: here they would only cost a sub-program and a statement
        // journal per row. Off for this connection only; every other keeps them.
        sqlite3_db_config(d.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
        auto checkpoints = store::SqliteDb::open(options.path, store::OpenMode::read_write,
                                                 options.busy_timeout_ms);
        if (!checkpoints) return std::move(checkpoints).error();
        // The checkpoint syncs the database file as this setting says.
        (*checkpoints)
            ->exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                          : "PRAGMA synchronous=NORMAL");
        auto session = std::unique_ptr<SqliteSession>(
            new SqliteSession(std::move(lock).value(), std::move(opened).value()));
        session->check_versions();
        session->checkpointer_ = std::make_unique<WalCheckpointer>(
            static_cast<store::SqliteDb&>(session->db()), std::move(checkpoints).value());
        return session;
    } catch (const store::StoreError& e) {
        return e.error();
    }
}

SqliteSession::SqliteSession(store::DbLock lock, std::unique_ptr<store::SqliteDb> db)
    : DbSession(std::unique_ptr<store::Db>(std::move(db))), lock_(std::move(lock)) {}

SqliteSession::~SqliteSession() = default;

void SqliteSession::close() {
    DbSession::close();
    checkpointer_.reset();
    // A clean stop leaves no WAL to replay at the next start.
    sqlite3_wal_checkpoint_v2(static_cast<store::SqliteDb&>(db()).handle(), nullptr,
                              SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    // The connection closes before the lock goes, so whoever takes the lock
    // next finds the database quiet.
    drop_connection();
    lock_.release();
}

}  // namespace omnivibe::writer
