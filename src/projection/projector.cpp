#include "omnivibe/projection/projector.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/json/writer.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::projection {

namespace {

using domain::EventType;
using domain::Kind;

// Indexes the Projector itself reads through while applying events (block
// positions by content); a rebuild keeps them.
constexpr std::string_view kIndexesProjectionsRead[] = {"blocks_by_content"};

constexpr std::string_view kReadTables[] = {
    "streams",           "clients",           "campaigns",          "content_schedule",
    "storyboard_blocks", "generated_scripts", "campaign_resources", "resource_library",
};

std::string stamp(const domain::Event& ev, std::string_view field) {
    if (auto* s = domain::get_string(ev.data, field)) return *s;
    return format_rfc3339(ev.recorded_at);
}

// created_at and updated_at of a new row: given in the event (imported
// history), else the time it was recorded.
std::pair<std::string, std::string> creation_stamps(const domain::Event& ev) {
    const std::string* created = domain::get_string(ev.data, "created_at");
    const std::string* updated = domain::get_string(ev.data, "updated_at");
    const std::string recorded =
        created && updated ? std::string() : format_rfc3339(ev.recorded_at);
    return {created ? *created : recorded, updated ? *updated : recorded};
}

}  // namespace

std::span<const std::string_view> read_tables() { return kReadTables; }

domain::Entity created_entity(const domain::Event& ev) {
    const auto& ki = domain::info(ev.kind);
    domain::Entity e;
    e.kind = ev.kind;
    e.id = ev.entity_id;
    e.version = ev.stream_version;
    std::tie(e.created_at, e.updated_at) = creation_stamps(ev);
    e.fields.reserve(ki.fields.size());
    for (const auto& f : ki.fields) {
        const domain::Value* v = domain::find(ev.data, f.name);
        e.fields.push_back({std::string(f.name), v ? *v : domain::Value{domain::Null{}}});
    }
    for (auto name : ki.computed) e.computed.push_back({std::string(name), std::int64_t{0}});
    return e;
}

void Projector::write_stream(std::string_view stream, std::string_view kind, std::int64_t id,
                             std::int64_t version, bool deleted) {
    db_.cached(
           "INSERT INTO streams (stream, kind, entity_id, version, deleted) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT (stream) DO UPDATE SET version = excluded.version, "
           "deleted = excluded.deleted")
        .bind(1, stream)
        .bind(2, kind)
        .bind(3, id)
        .bind(4, version)
        .bind(5, std::int64_t{deleted ? 1 : 0})
        .run();
}

void Projector::record_stream(const domain::Event& ev, bool deleted) {
    const std::string stream = ev.stream();
    if (!deferred_) {
        write_stream(stream, domain::info(ev.kind).name, ev.entity_id, ev.stream_version, deleted);
        return;
    }
    pending_[stream] =
        StreamState{domain::info(ev.kind).name, ev.entity_id, ev.stream_version, deleted};
}

void Projector::insert_entity(const domain::Event& ev) {
    const auto& ki = domain::info(ev.kind);
    if (ev.kind == Kind::block) {
        // Make room: blocks at or after the new position move one down. Most
        // blocks are added at the end, where nothing moves; an index probe
        // is much cheaper than the two-pass UPDATE that finds nothing.
        const auto content = domain::get_int(ev.data, "content_id").value_or(0);
        const auto position = domain::get_int(ev.data, "position").value_or(0);
        store::Stmt& probe = db_.cached(
            "SELECT 1 FROM storyboard_blocks WHERE content_id = ? AND position >= ? LIMIT 1");
        probe.bind(1, content).bind(2, position);
        const bool occupied = probe.step();
        probe.reset();
        if (occupied)
            db_.cached(
                   "UPDATE storyboard_blocks SET position = position + 1 "
                   "WHERE content_id = ? AND position >= ?")
                .bind(1, content)
                .bind(2, position)
                .run();
    }
    store::Stmt*& stmt = insert_stmts_[static_cast<int>(ev.kind)];
    if (!stmt) {
        std::string sql = "INSERT INTO " + std::string(ki.table) + " (id";
        std::string values = "?";
        for (const auto& f : ki.fields) {
            (sql += ", ") += f.name;
            values += ", ?";
        }
        sql += ", version, created_at, updated_at) VALUES (" + values + ", ?, ?, ?)";
        stmt = &db_.cached(sql);
    }
    store::Stmt& s = *stmt;
    int i = 1;
    s.bind(i++, ev.entity_id);
    for (const auto& f : ki.fields) {
        const domain::Value* v = domain::find(ev.data, f.name);
        if (v)
            s.bind(i++, *v);
        else
            s.bind_null(i++);
    }
    s.bind(i++, ev.stream_version);
    const auto [created_at, updated_at] = creation_stamps(ev);
    s.bind(i++, std::string_view(created_at));
    s.bind(i++, std::string_view(updated_at));
    s.run();
}

void Projector::update_entity(const domain::Event& ev) {
    const auto& ki = domain::info(ev.kind);
    if (ev.kind == Kind::block) {
        if (auto to = domain::get_int(ev.data, "position")) {
            store::Stmt& q =
                db_.cached("SELECT content_id, position FROM storyboard_blocks WHERE id = ?");
            q.bind(1, ev.entity_id);
            if (q.step()) {
                const auto content = q.column_int(0), from = q.column_int(1);
                q.reset();
                if (*to > from)
                    db_.cached(
                           "UPDATE storyboard_blocks SET position = position - 1 "
                           "WHERE content_id = ? AND position > ? AND position <= ?")
                        .bind(1, content)
                        .bind(2, from)
                        .bind(3, *to)
                        .run();
                else if (*to < from)
                    db_.cached(
                           "UPDATE storyboard_blocks SET position = position + 1 "
                           "WHERE content_id = ? AND position >= ? AND position < ?")
                        .bind(1, content)
                        .bind(2, *to)
                        .bind(3, from)
                        .run();
            }
            q.reset();
        }
    }
    // One statement per set of changed columns, found by a bit mask rather
    // than by building and hashing its SQL for every event.
    std::uint64_t mask = 0;
    for (const auto& f : ev.data)
        if (const domain::FieldSpec* spec = domain::field_spec(ev.kind, f.name))
            mask |= std::uint64_t{1} << (spec - ki.fields.data());
    store::Stmt*& stmt = update_stmts_[(mask << 3) | static_cast<std::uint64_t>(ev.kind)];
    if (!stmt) {
        std::string sql = "UPDATE " + std::string(ki.table) + " SET ";
        for (std::size_t c = 0; c < ki.fields.size(); ++c)
            if (mask & (std::uint64_t{1} << c)) (sql += ki.fields[c].name) += " = ?, ";
        sql += "version = ?, updated_at = ? WHERE id = ?";
        stmt = &db_.cached(sql);
    }
    store::Stmt& s = *stmt;
    int i = 1;
    for (std::size_t c = 0; c < ki.fields.size(); ++c)
        if (mask & (std::uint64_t{1} << c)) s.bind(i++, *domain::find(ev.data, ki.fields[c].name));
    s.bind(i++, ev.stream_version);
    const std::string* updated = domain::get_string(ev.data, "updated_at");
    s.bind(i++,
           updated ? std::string_view(*updated) : std::string_view(format_rfc3339(ev.recorded_at)));
    s.bind(i++, ev.entity_id);
    s.run();
}

void Projector::delete_entity(const domain::Event& ev) {
    if (ev.kind == Kind::block) {
        store::Stmt& q =
            db_.cached("SELECT content_id, position FROM storyboard_blocks WHERE id = ?");
        q.bind(1, ev.entity_id);
        if (q.step()) {
            const auto content = q.column_int(0), position = q.column_int(1);
            q.reset();
            db_.cached("DELETE FROM storyboard_blocks WHERE id = ?").bind(1, ev.entity_id).run();
            // Close the gap so positions stay 0..n-1.
            db_.cached(
                   "UPDATE storyboard_blocks SET position = position - 1 "
                   "WHERE content_id = ? AND position > ?")
                .bind(1, content)
                .bind(2, position)
                .run();
            return;
        }
        q.reset();
        return;
    }
    db_.cached("DELETE FROM " + std::string(domain::info(ev.kind).table) + " WHERE id = ?")
        .bind(1, ev.entity_id)
        .run();
}

void Projector::bump(const domain::Event& ev) {
    db_.cached("UPDATE " + std::string(domain::info(ev.kind).table) +
               " SET version = ?, updated_at = ? WHERE id = ?")
        .bind(1, ev.stream_version)
        .bind(2, stamp(ev, "updated_at"))
        .bind(3, ev.entity_id)
        .run();
}

void Projector::attach_resource(const domain::Event& ev) {
    const std::string* type = domain::get_string(ev.data, "resource_type");
    const domain::ResourceSlot* slot = type ? domain::resource_slot(*type) : nullptr;
    if (!slot) return;
    const domain::Value null_value{domain::Null{}};
    auto value = [&](std::string_view name) -> const domain::Value& {
        const domain::Value* v = domain::find(ev.data, name);
        return v ? *v : null_value;
    };
    const std::string at = stamp(ev, "updated_at");
    db_.cached(
           "INSERT INTO campaign_resources (campaign_id, resource_type, filename, content_type, "
           "size, sha256, duration, path, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT (campaign_id, resource_type) DO UPDATE SET filename = excluded.filename, "
           "content_type = excluded.content_type, size = excluded.size, sha256 = excluded.sha256, "
           "duration = excluded.duration, path = excluded.path, uploaded_at = excluded.uploaded_at")
        .bind(1, ev.entity_id)
        .bind(2, std::string_view(*type))
        .bind(3, value("filename"))
        .bind(4, value("content_type"))
        .bind(5, value("size"))
        .bind(6, value("sha256"))
        .bind(7, value("duration"))
        .bind(8, value("path"))
        .bind(9, at)
        .run();
    db_.cached(
           "INSERT INTO resource_library (sha256, content_type, size, created_at) "
           "VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
        .bind(1, value("sha256"))
        .bind(2, value("content_type"))
        .bind(3, value("size"))
        .bind(4, at)
        .run();
    std::string sql = "UPDATE campaigns SET " + std::string(slot->path_column) + " = ?";
    if (!slot->duration_column.empty())
        (sql += ", ") += std::string(slot->duration_column) + " = ?";
    sql += ", version = ?, updated_at = ? WHERE id = ?";
    store::Stmt& s = db_.cached(sql);
    int i = 1;
    s.bind(i++, value("path"));
    if (!slot->duration_column.empty()) s.bind(i++, value("duration"));
    s.bind(i, ev.stream_version).bind(i + 1, at).bind(i + 2, ev.entity_id);
    s.run();
}

void Projector::detach_resource(const domain::Event& ev) {
    const std::string* type = domain::get_string(ev.data, "resource_type");
    const domain::ResourceSlot* slot = type ? domain::resource_slot(*type) : nullptr;
    if (!slot) return;
    db_.cached("DELETE FROM campaign_resources WHERE campaign_id = ? AND resource_type = ?")
        .bind(1, ev.entity_id)
        .bind(2, std::string_view(*type))
        .run();
    std::string sql = "UPDATE campaigns SET " + std::string(slot->path_column) + " = NULL";
    if (!slot->duration_column.empty())
        (sql += ", ") += std::string(slot->duration_column) + " = NULL";
    sql += ", version = ?, updated_at = ? WHERE id = ?";
    db_.cached(sql)
        .bind(1, ev.stream_version)
        .bind(2, stamp(ev, "updated_at"))
        .bind(3, ev.entity_id)
        .run();
}

void Projector::reorder_blocks(const domain::Event& ev) {
    const domain::Value* ids = domain::find(ev.data, "block_ids");
    if (const auto* list = ids ? std::get_if<domain::IntList>(ids) : nullptr) {
        std::int64_t position = 0;
        for (auto id : *list)
            db_.cached("UPDATE storyboard_blocks SET position = ? WHERE id = ? AND content_id = ?")
                .bind(1, position++)
                .bind(2, id)
                .bind(3, ev.entity_id)
                .run();
    }
    bump(ev);
}

void Projector::apply(const domain::Event& ev) {
    bool deleted = false;
    switch (ev.type) {
        case EventType::client_created:
        case EventType::campaign_created:
        case EventType::content_created:
        case EventType::block_added:
        case EventType::script_generated:
            insert_entity(ev);
            break;
        case EventType::client_updated:
        case EventType::campaign_updated:
        case EventType::content_updated:
        case EventType::block_updated:
        case EventType::script_status_changed:
            update_entity(ev);
            break;
        case EventType::client_deleted:
        case EventType::campaign_deleted:
        case EventType::content_deleted:
        case EventType::block_removed:
        case EventType::script_deleted:
            delete_entity(ev);
            deleted = true;
            break;
        case EventType::campaign_resource_attached:
            attach_resource(ev);
            break;
        case EventType::campaign_resource_detached:
            detach_resource(ev);
            break;
        case EventType::blocks_reordered:
            reorder_blocks(ev);
            break;
    }
    record_stream(ev, deleted);
}

void Projector::checkpoint(std::int64_t head) {
    // Deferred streams go in, in stream order, so the WITHOUT ROWID index
    // fills front to back.
    for (const auto& [stream, st] : pending_)
        write_stream(stream, st.kind, st.entity_id, st.version, st.deleted);
    pending_.clear();
    db_.cached(
           "INSERT INTO projection_state (id, version, head) VALUES (1, ?, ?) "
           "ON CONFLICT (id) DO UPDATE SET version = excluded.version, head = excluded.head")
        .bind(1, kProjectionVersion)
        .bind(2, head)
        .run();
}

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
//    statements when the setting changes, so they fire again afterwards.
class BulkLoad {
  public:
    explicit BulkLoad(store::Db& db) : db_(db) {
        temp_store_ = db.query_int("PRAGMA temp_store").value_or(0);
        cache_size_ = db.query_int("PRAGMA cache_size").value_or(-2000);
        db.exec("PRAGMA temp_store = MEMORY");
        db.exec("PRAGMA cache_size = -262144");
        sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    }
    ~BulkLoad() {
        sqlite3_db_config(db_.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, nullptr);
        const std::string sql = "PRAGMA temp_store = " + std::to_string(temp_store_) +
                                "; PRAGMA cache_size = " + std::to_string(cache_size_);
        sqlite3_exec(db_.handle(), sql.c_str(), nullptr, nullptr, nullptr);
    }
    BulkLoad(const BulkLoad&) = delete;
    BulkLoad& operator=(const BulkLoad&) = delete;

    // Secondary indexes the projections do not read are dropped inside the
    // transaction and created again, from their own SQL, once the rows are
    // in: sorting once beats updating them row by row. A unique index that
    // no longer holds then fails the rebuild, as the insert would have; any
    // failure rolls everything back, indexes included.
    void drop_indexes() {
        store::Stmt q(
            db_.handle(),
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN (SELECT value FROM json_each(?1)) "
            "AND name NOT IN (SELECT value FROM json_each(?2))");
        json::Writer tables, kept;
        tables.begin_array();
        for (auto table : kReadTables) tables.string(table);
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
    void create_indexes() {
        for (const auto& sql : indexes_) db_.exec(sql);
        indexes_.clear();
    }

  private:
    store::Db& db_;
    std::int64_t temp_store_ = 0;
    std::int64_t cache_size_ = -2000;
    std::vector<std::string> indexes_;
};

// The events up to a seq, decoded, in batches. For a database file a thread
// of its own reads and decodes them on a second, read-only connection while
// the caller applies the previous batch: reading and decoding are about a
// quarter of a rebuild, and a second core takes them. The rebuild's own
// transaction never writes `events`, so both connections see the same log.
class DecodedEvents {
  public:
    static constexpr std::size_t kBatch = 512;
    static constexpr std::size_t kQueued = 8;

    DecodedEvents(store::Db& db, std::int64_t up_to) : db_(db), up_to_(up_to) {
        const std::string& path = db.path();
        threaded_ = !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
        if (threaded_) thread_ = std::thread([this] { produce(); });
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
            auto reader = store::Db::open(db_.path(), store::OpenMode::read_only);
            if (!reader) {
                st = std::move(reader).error();
            } else {
                store::Tx snapshot(**reader, store::Tx::Kind::deferred);
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
        } catch (const store::SqliteError& e) {
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
    bool threaded_ = false;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::vector<domain::Event>> ready_;
    bool finished_ = false;
    bool stop_ = false;
    std::optional<Error> error_;
};

}  // namespace

Result<std::int64_t> rebuild(store::Db& db, std::int64_t up_to, const Progress& progress) {
    try {
        BulkLoad bulk(db);
        store::Tx tx(db);
        for (auto table : kReadTables) db.exec("DELETE FROM " + std::string(table));
        bulk.drop_indexes();
        const std::int64_t total = up_to ? up_to : store::log_head(db);
        Projector projector(db, Projector::StreamWrites::at_checkpoint);
        std::int64_t done = 0;
        DecodedEvents events(db, total);
        auto read = events.for_each_batch([&](std::vector<domain::Event>& batch) {
            for (const auto& ev : batch) {
                projector.apply(ev);
                ++done;
                if (progress && (done % 10000 == 0 || done == total)) progress(done, total);
            }
        });
        if (!read) return std::move(read).error();
        projector.checkpoint(done ? total : 0);
        bulk.create_indexes();
        tx.commit();
        if (progress && done == 0) progress(0, 0);
        return done;
    } catch (const store::SqliteError& e) {
        return e.error();
    }
}

}  // namespace omnivibe::projection
