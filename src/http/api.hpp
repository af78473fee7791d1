#pragma once
// Route registration, one function per group of endpoints. Private to src/http.

#include "omnivibe/http/router.hpp"
#include "omnivibe/http/service.hpp"

namespace omnivibe::http {

inline constexpr std::string_view kApi = "/api/v1";

/// Clients, campaigns and the content schedule (SPEC section 5).
void register_entity_routes(Router& router, Service& svc);

/// Storyboard blocks and generated scripts of a content item.
void register_storyboard_routes(Router& router, Service& svc);

/// Campaign resources: streamed uploads, the content-addressed store, ranged
/// downloads. Opens the uploads folder (clearing abandoned uploads).
Status register_resource_routes(Router& router, Service& svc);

}  // namespace omnivibe::http
