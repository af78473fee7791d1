#pragma once
// The StateView decide() reads, answered from the writer's own connection
// inside its open transaction, so each command of a batch sees the ones
// before it.

#include "omnivibe/domain/state.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::writer {

class SqliteState final : public domain::StateView {
public:
    explicit SqliteState(store::Db& db) : db_(db) {}
    std::optional<domain::Entity> find(domain::Kind kind, std::int64_t id) const override;
    std::optional<std::int64_t> client_named(std::string_view name) const override;
    std::vector<std::int64_t> children(domain::Kind child, std::int64_t parent_id) const override;
    std::int64_t last_id(domain::Kind kind) const override;
    std::vector<std::string> attached_resources(std::int64_t campaign_id) const override;

private:
    store::Db& db_;
};

}  // namespace omnivibe::writer
