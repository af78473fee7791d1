#pragma once
// Response bodies built from the read model. GET handlers and the writer (for
// the body of a write, stored with its idempotency key) both use these, so a
// shape is defined once.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "omnivibe/domain/state.hpp"
#include "omnivibe/projection/read_model.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::projection {

/// An entity's JSON, wrapped as its kind's responses are:
/// bare for clients and campaigns, {"success":true,"content":{...}} for content, ...
std::string entity_body(const domain::Entity& e);
/// The same, read from `db`; nullopt when it does not exist.
std::optional<std::string> entity_body(store::Db& db, domain::Kind kind, std::int64_t id);

/// {"success":true,"id":N}
std::string deleted_body(std::int64_t id);

/// {"success":true,"content_id":N,"blocks":[...]} in position order, with a
/// trailing "seq" (the snapshot's log head) when given.
std::string storyboard_body(store::Db& db, std::int64_t content_id,
                            std::optional<std::int64_t> seq = std::nullopt);
/// The same from blocks already read, in position order.
std::string storyboard_body(std::int64_t content_id, const std::vector<domain::Entity>& blocks,
                            std::optional<std::int64_t> seq = std::nullopt);

/// {"campaign_id":N,"resources":{"intro":{...}|null,"ending":...,"bgm":...}}
std::string resources_body(store::Db& db, std::int64_t campaign_id);

/// {"success":true,"resource":{...}}
std::string resource_body(const ResourceRow& resource, std::int64_t campaign_id);

}  // namespace omnivibe::projection
