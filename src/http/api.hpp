#pragma once
// Route registration, one function per group of endpoints. Private to src/http.

#include "omnivibe/http/router.hpp"
#include "omnivibe/http/service.hpp"

namespace omnivibe::http {

inline constexpr std::string_view kApi = "/api/v1";

/// Clients, campaigns and the content schedule (SPEC section 5).
void register_entity_routes(Router& router, Service& svc);

/// The change feed (GET /changes) and the events API (GET /events).
void register_feed_routes(Router& router, Service& svc);

/// GET /{clients|campaigns|content-schedule|scripts}/{id}/history and
/// GET /storyboard/blocks/{id}/history.
void register_history_routes(Router& router, Service& svc);

}  // namespace omnivibe::http
