#include "omnivibe/writer/sqlite_state.hpp"

#include "omnivibe/projection/read_model.hpp"

namespace omnivibe::writer {

// decide() never reads computed fields (StateView leaves them "empty when not
// known"), and counting them is O(children): with them, every campaign created
// for a client counted all of that client's campaigns to check the reference.
std::optional<domain::Entity> SqliteState::find(domain::Kind kind, std::int64_t id) const {
    return projection::load_entity(db_, kind, id, projection::Computed::omit);
}

std::optional<std::int64_t> SqliteState::client_named(std::string_view name) const {
    return projection::client_named(db_, name);
}

std::vector<std::int64_t> SqliteState::children(domain::Kind child, std::int64_t parent_id) const {
    return projection::child_ids(db_, child, parent_id);
}

std::int64_t SqliteState::last_id(domain::Kind kind) const {
    return projection::last_id(db_, kind);
}

std::vector<std::string> SqliteState::attached_resources(std::int64_t campaign_id) const {
    std::vector<std::string> out;
    for (auto& r : projection::campaign_resources(db_, campaign_id))
        out.push_back(std::move(r.resource_type));
    return out;
}

}  // namespace omnivibe::writer
