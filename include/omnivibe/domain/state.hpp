#pragma once
// What decide() may know about the present: the current entities and the few
// questions the integrity rules ask. The writer answers them from its own
// transaction (so a batch sees its earlier commands); tests answer them from
// memory. The interface does no I/O of its own.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/domain/schema.hpp"
#include "omnivibe/domain/value.hpp"

namespace omnivibe::domain {

/// An entity as the read model holds it.
struct Entity {
    Kind kind = Kind::client;
    std::int64_t id = 0;
    std::int64_t version = 0;
    std::string created_at;
    std::string updated_at;
    Fields fields;    ///< the catalogue's fields, system ones included
    Fields computed;  ///< read-model extras (campaign_count, ...); empty when not known
};

class StateView {
  public:
    virtual ~StateView() = default;
    /// The live entity, or nothing if it never existed or was deleted.
    virtual std::optional<Entity> find(Kind kind, std::int64_t id) const = 0;
    /// The client whose name equals `name` ignoring ASCII case.
    virtual std::optional<std::int64_t> client_named(std::string_view name) const = 0;
    /// Live children of a parent: blocks by position, everything else by id.
    virtual std::vector<std::int64_t> children(Kind child, std::int64_t parent_id) const = 0;
    /// Highest id ever given to the kind (deleted ones included), 0 if none.
    virtual std::int64_t last_id(Kind kind) const = 0;
    /// Resource types attached to a campaign.
    virtual std::vector<std::string> attached_resources(std::int64_t campaign_id) const = 0;
};

}  // namespace omnivibe::domain
