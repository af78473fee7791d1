#include "omnivibe/domain/evolve.hpp"

#include "omnivibe/core/clock.hpp"

namespace omnivibe::domain {

namespace {
// Import carries the legacy timestamps in the data; everything else is stamped
// with the time the event was recorded.
std::string stamp(const Event& ev, std::string_view field) {
    if (auto* s = get_string(ev.data, field)) return *s;
    return format_rfc3339(ev.recorded_at);
}
}  // namespace

void evolve(std::optional<Entity>& state, const Event& ev) {
    switch (lifecycle(ev.type)) {
        case Lifecycle::created: {
            Entity e;
            e.kind = ev.kind;
            e.id = ev.entity_id;
            e.version = ev.stream_version;
            e.created_at = stamp(ev, "created_at");
            e.updated_at = stamp(ev, "updated_at");
            for (const auto& f : ev.data)
                if (f.name != "created_at" && f.name != "updated_at") e.fields.push_back(f);
            state = std::move(e);
            return;
        }
        case Lifecycle::deleted:
            state.reset();
            return;
        case Lifecycle::updated:
        case Lifecycle::other:
            break;
    }
    if (!state) return;
    state->version = ev.stream_version;
    state->updated_at = stamp(ev, "updated_at");
    switch (ev.type) {
        case EventType::campaign_resource_attached:
        case EventType::campaign_resource_detached: {
            const std::string* type = get_string(ev.data, "resource_type");
            const ResourceSlot* slot = type ? resource_slot(*type) : nullptr;
            if (!slot) return;
            const bool attach = ev.type == EventType::campaign_resource_attached;
            const Value* path = find(ev.data, "path");
            set(state->fields, slot->path_column, attach && path ? *path : Value{Null{}});
            if (!slot->duration_column.empty()) {
                const Value* dur = find(ev.data, "duration");
                set(state->fields, slot->duration_column, attach && dur ? *dur : Value{Null{}});
            }
            return;
        }
        case EventType::blocks_reordered:
            return;  // the content's own fields do not change
        default:
            for (const auto& f : ev.data)
                if (f.name != "updated_at") set(state->fields, f.name, f.value);
    }
}

}  // namespace omnivibe::domain
