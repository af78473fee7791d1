#include "omnivibe/domain/history.hpp"

#include "omnivibe/domain/evolve.hpp"

namespace omnivibe::domain {

namespace {

bool is_creation(EventType t) {
    return t == EventType::client_created || t == EventType::campaign_created ||
           t == EventType::content_created || t == EventType::block_added ||
           t == EventType::script_generated;
}

std::string effective_time(const Event& ev) {
    const char* field = is_creation(ev.type) ? "created_at" : "updated_at";
    if (const std::string* s = get_string(ev.data, field)) return *s;
    if (const std::string* s = get_string(ev.data, "deleted_at")) return *s;
    return format_rfc3339(ev.recorded_at);
}

}  // namespace

std::vector<HistoryStep> history(const std::vector<Event>& events) {
    std::vector<HistoryStep> out;
    std::optional<Entity> state;
    for (const Event& ev : events) {
        const std::optional<Entity> before = state;
        evolve(state, ev);
        HistoryStep step{ev, effective_time(ev), {}};
        if (state) {
            for (const Field& f : state->fields) {
                const Value* old = before ? find(before->fields, f.name) : nullptr;
                if (!before && std::holds_alternative<Null>(f.value)) continue;
                if (old && *old == f.value) continue;
                step.changes.push_back(
                    {f.name, old ? std::optional<Value>(*old) : std::nullopt, f.value});
            }
            if (step.changes.empty())
                for (const Field& f : ev.data)
                    step.changes.push_back({f.name, std::nullopt, f.value});
        }
        out.push_back(std::move(step));
    }
    return out;
}

}  // namespace omnivibe::domain
