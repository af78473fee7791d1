#include "omnivibe/projection/projector.hpp"

#include <string>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::projection {

namespace {

using domain::EventType;
using domain::Kind;

constexpr std::string_view kReadTables[] = {
    "streams",           "clients",           "campaigns",          "content_schedule",
    "storyboard_blocks", "generated_scripts", "campaign_resources", "resource_library",
};

std::string stamp(const domain::Event& ev, std::string_view field) {
    if (auto* s = domain::get_string(ev.data, field)) return *s;
    return format_rfc3339(ev.recorded_at);
}

bool is_column(Kind kind, std::string_view name) {
    return domain::field_spec(kind, name) != nullptr;
}

}  // namespace

std::span<const std::string_view> read_tables() { return kReadTables; }

void Projector::record_stream(const domain::Event& ev, bool deleted) {
    db_.cached(
           "INSERT INTO streams (stream, kind, entity_id, version, deleted) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT (stream) DO UPDATE SET version = excluded.version, "
           "deleted = excluded.deleted")
        .bind(1, ev.stream())
        .bind(2, domain::info(ev.kind).name)
        .bind(3, ev.entity_id)
        .bind(4, ev.stream_version)
        .bind(5, std::int64_t{deleted ? 1 : 0})
        .run();
}

void Projector::insert_entity(const domain::Event& ev) {
    const auto& ki = domain::info(ev.kind);
    if (ev.kind == Kind::block) {
        // Make room: blocks at or after the new position move one down.
        db_.cached(
               "UPDATE storyboard_blocks SET position = position + 1 "
               "WHERE content_id = ? AND position >= ?")
            .bind(1, domain::get_int(ev.data, "content_id").value_or(0))
            .bind(2, domain::get_int(ev.data, "position").value_or(0))
            .run();
    }
    std::string sql = "INSERT INTO " + std::string(ki.table) + " (id";
    std::string values = "?";
    for (const auto& f : ki.fields) {
        (sql += ", ") += f.name;
        values += ", ?";
    }
    sql += ", version, created_at, updated_at) VALUES (" + values + ", ?, ?, ?)";
    store::Stmt& s = db_.cached(sql);
    int i = 1;
    s.bind(i++, ev.entity_id);
    for (const auto& f : ki.fields) {
        const domain::Value* v = domain::find(ev.data, f.name);
        if (v) s.bind(i++, *v); else s.bind_null(i++);
    }
    s.bind(i++, ev.stream_version);
    s.bind(i++, stamp(ev, "created_at"));
    s.bind(i++, stamp(ev, "updated_at"));
    s.run();
}

void Projector::update_entity(const domain::Event& ev) {
    const auto& ki = domain::info(ev.kind);
    if (ev.kind == Kind::block) {
        if (auto to = domain::get_int(ev.data, "position")) {
            store::Stmt& q = db_.cached("SELECT content_id, position FROM storyboard_blocks WHERE id = ?");
            q.bind(1, ev.entity_id);
            if (q.step()) {
                const auto content = q.column_int(0), from = q.column_int(1);
                q.reset();
                if (*to > from)
                    db_.cached("UPDATE storyboard_blocks SET position = position - 1 "
                               "WHERE content_id = ? AND position > ? AND position <= ?")
                        .bind(1, content).bind(2, from).bind(3, *to).run();
                else if (*to < from)
                    db_.cached("UPDATE storyboard_blocks SET position = position + 1 "
                               "WHERE content_id = ? AND position >= ? AND position < ?")
                        .bind(1, content).bind(2, *to).bind(3, from).run();
            }
            q.reset();
        }
    }
    std::string sql = "UPDATE " + std::string(ki.table) + " SET ";
    for (const auto& f : ev.data)
        if (is_column(ev.kind, f.name)) (sql += f.name) += " = ?, ";
    sql += "version = ?, updated_at = ? WHERE id = ?";
    store::Stmt& s = db_.cached(sql);
    int i = 1;
    for (const auto& f : ev.data)
        if (is_column(ev.kind, f.name)) s.bind(i++, f.value);
    s.bind(i++, ev.stream_version);
    s.bind(i++, stamp(ev, "updated_at"));
    s.bind(i++, ev.entity_id);
    s.run();
}

void Projector::delete_entity(const domain::Event& ev) {
    if (ev.kind == Kind::block) {
        store::Stmt& q = db_.cached("SELECT content_id, position FROM storyboard_blocks WHERE id = ?");
        q.bind(1, ev.entity_id);
        if (q.step()) {
            const auto content = q.column_int(0), position = q.column_int(1);
            q.reset();
            db_.cached("DELETE FROM storyboard_blocks WHERE id = ?").bind(1, ev.entity_id).run();
            // Close the gap so positions stay 0..n-1.
            db_.cached("UPDATE storyboard_blocks SET position = position - 1 "
                       "WHERE content_id = ? AND position > ?")
                .bind(1, content).bind(2, position).run();
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
    if (!slot->duration_column.empty()) (sql += ", ") += std::string(slot->duration_column) + " = ?";
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
    if (!slot->duration_column.empty()) (sql += ", ") += std::string(slot->duration_column) + " = NULL";
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
        case EventType::script_generated: insert_entity(ev); break;
        case EventType::client_updated:
        case EventType::campaign_updated:
        case EventType::content_updated:
        case EventType::block_updated:
        case EventType::script_status_changed: update_entity(ev); break;
        case EventType::client_deleted:
        case EventType::campaign_deleted:
        case EventType::content_deleted:
        case EventType::block_removed:
        case EventType::script_deleted:
            delete_entity(ev);
            deleted = true;
            break;
        case EventType::campaign_resource_attached: attach_resource(ev); break;
        case EventType::campaign_resource_detached: detach_resource(ev); break;
        case EventType::blocks_reordered: reorder_blocks(ev); break;
    }
    record_stream(ev, deleted);
}

void Projector::checkpoint(std::int64_t head) {
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

Result<std::int64_t> rebuild(store::Db& db, std::int64_t up_to, const Progress& progress) {
    try {
        store::Tx tx(db);
        for (auto table : kReadTables) db.exec("DELETE FROM " + std::string(table));
        const std::int64_t total = up_to ? up_to : store::log_head(db);
        Projector projector(db);
        std::int64_t done = 0;
        std::optional<Error> failure;
        store::for_each_event(db, 0, total, [&](const store::EventRow& row) {
            if (failure) return;
            auto ev = store::to_domain(row);
            if (!ev) {
                failure = std::move(ev).error();
                return;
            }
            projector.apply(*ev);
            ++done;
            if (progress && (done % 10000 == 0 || done == total)) progress(done, total);
        });
        if (failure) return *failure;
        projector.checkpoint(done ? total : 0);
        tx.commit();
        if (progress && done == 0) progress(0, 0);
        return done;
    } catch (const store::SqliteError& e) {
        return e.error();
    }
}

}  // namespace omnivibe::projection
