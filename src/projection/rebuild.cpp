// Rebuilds: the read tables emptied and refilled from the log by the same
// Projector the writer uses, in one transaction, fast enough for a million
// events at start-up (see docs/PERFORMANCE.md, "Replay"). Split from the
// projection rules (projector.cpp), which say what one event does to the
// read tables; this file says how a whole log is run through them, on
// either store, and how a SQLite file is set up for it.

#include "omnivibe/projection/rebuild.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/log.hpp"
#include "omnivibe/core/thread_name.hpp"
#include "omnivibe/json/writer.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::projection {

namespace {

// Indexes the Projector itself reads through while applying events (block
// positions by content); a rebuild keeps them.
constexpr std::string_view kIndexesProjectionsRead[] = {"blocks_by_content"};

}  // namespace

ProjectionState read_projection_state(store::Db& db) {
    store::Stmt& s = db.cached("SELECT version, head FROM projection_state WHERE id = 1");
    ProjectionState st;
    if (s.step()) st = {s.column_int(0), s.column_int(1)};
    s.reset();
    return st;
}

namespace {

// Sets a connection up for one large rebuild transaction and puts it back as
// it was afterwards, whatever happens.
//  - Statement journals stay in memory: once one spills to a temporary file
//    (the DELETEs of a rebuild would), every later statement of the
//    transaction writes its undo pages there, about ten writes per event.
//  - A page cache big enough for the read tables of a few million events,
//    so dirty pages are not spilled to the WAL (and read back) mid-way.
//    Only pages in use take memory.
//  - The read tables' triggers only refuse writers without the writer
//    guard, which this connection has; for a rebuild they are pure cost (a
//    sub-program and a statement journal per row). SQLite recompiles cached
//    statements when the setting changes, so they fire again afterwards
//    (unless the connection had them off already, as the server's writer).
class SqliteBulkLoad final : public BulkLoad {
  public:
    explicit SqliteBulkLoad(store::SqliteDb& db) : db_(db) {
        temp_store_ = db.query_int("PRAGMA temp_store").value_or(0);
        cache_size_ = db.query_int("PRAGMA cache_size").value_or(-2000);
        db.exec("PRAGMA temp_store = MEMORY");
        db.exec("PRAGMA cache_size = -262144");
        sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &triggers_);
        sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    }
    ~SqliteBulkLoad() override {
        sqlite3_db_config(db_.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, triggers_, nullptr);
        const std::string sql = "PRAGMA temp_store = " + std::to_string(temp_store_) +
                                "; PRAGMA cache_size = " + std::to_string(cache_size_);
        sqlite3_exec(db_.handle(), sql.c_str(), nullptr, nullptr, nullptr);
    }
    SqliteBulkLoad(const SqliteBulkLoad&) = delete;
    SqliteBulkLoad& operator=(const SqliteBulkLoad&) = delete;

    // Secondary indexes the projections do not read are dropped inside the
    // transaction and created again, from their own SQL, once the rows are
    // in: sorting once beats updating them row by row. A unique index that
    // no longer holds then fails the rebuild, as the insert would have; any
    // failure rolls everything back, indexes included.
    void before_rows() override {
        store::SqliteStmt q(
            db_.handle(),
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN (SELECT value FROM json_each(?1)) "
            "AND name NOT IN (SELECT value FROM json_each(?2))");
        json::Writer tables, kept;
        tables.begin_array();
        for (auto table : read_tables()) tables.string(table);
        tables.end_array();
        kept.begin_array();
        for (auto name : kIndexesProjectionsRead) kept.string(name);
        kept.end_array();
        q.bind(1, tables.view()).bind(2, kept.view());
        std::vector<std::string> names;
        while (q.step()) {
            names.emplace_back(q.column_text(0));
            indexes_.emplace_back(q.column_text(1));
        }
        q.reset();
        for (const auto& name : names) db_.exec("DROP INDEX \"" + name + "\"");
    }
    void after_rows() override {
        for (const auto& sql : indexes_) db_.exec(sql);
        indexes_.clear();
    }

  private:
    store::SqliteDb& db_;
    std::int64_t temp_store_ = 0;
    std::int64_t cache_size_ = -2000;
    int triggers_ = 1;  // as the connection had them
    std::vector<std::string> indexes_;
};

// The events up to a seq, decoded, in batches. Given a second connection, a
// thread of its own reads and decodes them there while the caller applies
// the previous batch: reading and decoding are about a quarter of a rebuild,
// and a second core takes them. The rebuild's own transaction never writes
// `events`, so both connections see the same log.
class DecodedEvents {
  public:
    static constexpr std::size_t kBatch = 512;
    static constexpr std::size_t kQueued = 8;

    DecodedEvents(store::Db& db, std::int64_t up_to, OpenReader open_reader)
        : db_(db), up_to_(up_to), open_reader_(std::move(open_reader)) {
        threaded_ = static_cast<bool>(open_reader_);
        if (threaded_) {
            thread_ = std::thread([this] { produce(); });
            name_thread(thread_, "ov-log-decode");
        }
    }
    ~DecodedEvents() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        if (thread_.joinable()) thread_.join();
    }
    DecodedEvents(const DecodedEvents&) = delete;
    DecodedEvents& operator=(const DecodedEvents&) = delete;

    // Calls `fn` with each batch in seq order.
    Status for_each_batch(const std::function<void(std::vector<domain::Event>&)>& fn) {
        if (!threaded_)
            return read(db_, [&](std::vector<domain::Event>&& batch) {
                fn(batch);
                return true;
            });
        for (;;) {
            std::vector<domain::Event> batch;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
                if (ready_.empty()) break;
                batch = std::move(ready_.front());
                ready_.pop_front();
            }
            changed_.notify_all();
            fn(batch);
        }
        std::lock_guard lock(mutex_);
        if (error_) return *error_;
        return {};
    }

  private:
    // Reads the log from `db`, handing full batches to `sink` (false: stop).
    Status read(store::Db& db, const std::function<bool(std::vector<domain::Event>&&)>& sink) {
        std::vector<domain::Event> batch;
        batch.reserve(kBatch);
        std::optional<Error> failure;
        bool stopped = false;
        // Projections never look at meta (actor, request id...): not decoded.
        store::for_each_event(
            db, 0, up_to_,
            [&](const store::EventRow& row) {
                if (failure || stopped) return;
                auto ev = store::to_domain(row, store::MetaDecoding::skip);
                if (!ev) {
                    failure = std::move(ev).error();
                    return;
                }
                batch.push_back(std::move(ev).value());
                if (batch.size() == kBatch) {
                    stopped = !sink(std::move(batch));
                    batch.clear();
                    batch.reserve(kBatch);
                }
            },
            store::RowDetail::log_only);
        if (failure) return *failure;
        if (!batch.empty() && !stopped) sink(std::move(batch));
        return {};
    }

    void produce() {
        Status st;
        try {
            auto reader = open_reader_();
            if (!reader) {
                st = std::move(reader).error();
            } else {
                store::Tx snapshot(**reader, store::Tx::Kind::snapshot);
                st = read(**reader, [&](std::vector<domain::Event>&& batch) {
                    std::unique_lock lock(mutex_);
                    changed_.wait(lock, [&] { return ready_.size() < kQueued || stop_; });
                    if (stop_) return false;
                    ready_.push_back(std::move(batch));
                    changed_.notify_all();
                    return true;
                });
                snapshot.commit();
            }
        } catch (const store::StoreError& e) {
            st = e.error();
        }
        {
            std::lock_guard lock(mutex_);
            if (!st) error_ = st.error();
            finished_ = true;
        }
        changed_.notify_all();
    }

    store::Db& db_;
    std::int64_t up_to_;
    OpenReader open_reader_;
    bool threaded_ = false;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::vector<domain::Event>> ready_;
    bool finished_ = false;
    bool stop_ = false;
    std::optional<Error> error_;
};

// The log's progress through a rebuild, for a server's start.
void log_progress(std::int64_t done, std::int64_t total) {
    log::info("rebuild: " + std::to_string(done) + "/" + std::to_string(total) + " events");
}

// The read tables' layout version and head are the log's: nothing to rebuild.
bool read_tables_current(store::Db& db, std::int64_t head) {
    const auto state = read_projection_state(db);
    return state.version == kProjectionVersion && state.head == head;
}

}  // namespace

Result<std::int64_t> refill_read_tables(store::Db& db, Rebuild when, std::int64_t up_to,
                                        BulkLoad& bulk, const Progress& progress,
                                        const OpenReader& open_reader) {
    const std::int64_t total = up_to ? up_to : store::log_head(db);
    if (when == Rebuild::if_stale) {
        if (read_tables_current(db, total)) return 0;
        log::info("rebuilding the read tables from the log (layout " +
                  std::to_string(read_projection_state(db).version) + " -> " +
                  std::to_string(kProjectionVersion) + ", " + std::to_string(total) + " events)");
    }
    // A server's start logs its progress; a tool shows its own, or none.
    const Progress report = progress                    ? progress
                            : when == Rebuild::if_stale ? Progress(log_progress)
                                                        : Progress();
    for (auto table : read_tables()) db.exec("DELETE FROM " + std::string(table));
    bulk.before_rows();
    Projector projector(db, Projector::StreamWrites::at_checkpoint);
    std::int64_t done = 0;
    DecodedEvents events(db, total, open_reader);
    auto read = events.for_each_batch([&](std::vector<domain::Event>& batch) {
        for (const auto& ev : batch) {
            projector.apply(ev);
            ++done;
            if (report && (done % 10000 == 0 || done == total)) report(done, total);
        }
    });
    if (!read) return std::move(read).error();
    projector.checkpoint(done ? total : 0);
    bulk.after_rows();
    if (report && done == 0) report(0, 0);
    return done;
}

Result<std::int64_t> rebuild(store::SqliteDb& db, std::int64_t up_to, const Progress& progress,
                             Rebuild when) {
    // A file can be read on a second connection; an in-memory database cannot.
    const std::string& path = db.path();
    const bool file = !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
    const OpenReader second = file ? store::ReadPool::sqlite(path) : OpenReader();
    try {
        // Most starts find the tables current: no bulk-load set-up, no write lock.
        if (when == Rebuild::if_stale &&
            read_tables_current(db, up_to ? up_to : store::log_head(db)))
            return 0;
        SqliteBulkLoad bulk(db);
        store::Tx tx(db);
        auto done = refill_read_tables(db, when, up_to, bulk, progress, second);
        if (done) tx.commit();
        return done;
    } catch (const store::SqliteError& e) {
        return e.error();
    }
}

}  // namespace omnivibe::projection
