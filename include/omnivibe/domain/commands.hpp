#pragma once
// Commands: what a client asks for, in the imperative. Bodies arrive here
// already validated field by field (validation.hpp); decide() adds the rules
// that need the current state.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "omnivibe/domain/schema.hpp"
#include "omnivibe/domain/value.hpp"

namespace omnivibe::domain {

struct CreateEntity {
    Kind kind;
    Fields fields;
    std::optional<std::int64_t> parent_id;  ///< from the URL, for blocks and scripts
};

struct UpdateEntity {
    Kind kind;
    std::int64_t id;
    Fields fields;  ///< only what the client sent
    std::optional<std::int64_t> if_match;
};

struct DeleteEntity {
    Kind kind;
    std::int64_t id;
    std::optional<std::int64_t> if_match;
};

struct ReorderBlocks {
    std::int64_t content_id;
    IntList block_ids;
    std::optional<std::int64_t> if_match;  ///< the content's version
};

struct AttachResource {
    std::int64_t campaign_id;
    /// resource_type, filename, content_type, size, sha256, duration, path
    Fields resource;
    std::optional<std::int64_t> if_match;
};

struct DetachResource {
    std::int64_t campaign_id;
    std::string resource_type;
    std::optional<std::int64_t> if_match;
};

using Command = std::variant<CreateEntity, UpdateEntity, DeleteEntity, ReorderBlocks,
                             AttachResource, DetachResource>;

}  // namespace omnivibe::domain
