#include "omnivibe/projection/projector.hpp"

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/json/writer.hpp"
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
    switch (domain::lifecycle(ev.type)) {
        case domain::Lifecycle::created:
            insert_entity(ev);
            break;
        case domain::Lifecycle::updated:
            update_entity(ev);
            break;
        case domain::Lifecycle::deleted:
            delete_entity(ev);
            deleted = true;
            break;
        case domain::Lifecycle::other:
            if (ev.type == EventType::campaign_resource_attached)
                attach_resource(ev);
            else if (ev.type == EventType::campaign_resource_detached)
                detach_resource(ev);
            else if (ev.type == EventType::blocks_reordered)
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

}  // namespace omnivibe::projection
