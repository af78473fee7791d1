#pragma once
// Route registration, one function per group of endpoints. Private to src/http.

#include <functional>

#include "omnivibe/http/metrics.hpp"
#include "omnivibe/http/router.hpp"
#include "omnivibe/http/service.hpp"

namespace omnivibe::http {

inline constexpr std::string_view kApi = "/api/v1";

// The rules most routes share, named so each registration states its own.
/// Health checks: no token.
inline constexpr RouteRules kOpenRoute{.scope = Scope::none};
/// A GET of the read tables whose answer depends only on the log head, kept
/// per head; it honours X-Min-Event-Seq, as every read of the read tables.
inline constexpr RouteRules kCachedRead{
    .scope = Scope::read, .cacheable = true, .at_min_event_seq = true};
/// A GET of the read tables read fresh each time.
inline constexpr RouteRules kSnapshotRead{.scope = Scope::read, .at_min_event_seq = true};
/// A GET of something else (the API description).
inline constexpr RouteRules kRead{.scope = Scope::read};
/// An entity's history.
inline constexpr RouteRules kHistoryRead{.scope = Scope::admin, .at_min_event_seq = true};
/// The log and metrics.
inline constexpr RouteRules kAdminRead{.scope = Scope::admin};
/// A change with a JSON body (POST, PATCH, PUT).
inline constexpr RouteRules kJsonWrite{.scope = Scope::write, .body = BodyMode::json};
/// A change without a body (DELETE).
inline constexpr RouteRules kBodilessWrite{.scope = Scope::write};
/// An upload: the body is streamed into the route's sink.
inline constexpr RouteRules kStreamedWrite{.scope = Scope::write, .body = BodyMode::streamed};

/// Clients, campaigns and the content schedule (SPEC section 5).
void register_entity_routes(Router& router, Service& svc);

/// What the operations endpoints read.
struct OpsContext {
    Metrics& metrics;
    std::function<Gauges()> sample;
};

/// /healthz, /readyz, /metrics (SPEC section 5, "Other endpoints").
void register_ops_routes(Router& router, Service& svc, OpsContext ops);

/// /openapi.json and /docs, served from the description embedded at build time.
void register_docs_routes(Router& router);

/// Storyboard blocks and generated scripts of a content item.
void register_storyboard_routes(Router& router, Service& svc);

/// Campaign resources: streamed uploads, the content-addressed store, ranged
/// downloads. Opens the uploads folder (clearing abandoned uploads).
Status register_resource_routes(Router& router, Service& svc);

/// The change feed (GET /changes) and the events API (GET /events).
void register_feed_routes(Router& router, Service& svc);

/// GET /{clients|campaigns|content-schedule|scripts}/{id}/history and
/// GET /storyboard/blocks/{id}/history.
void register_history_routes(Router& router, Service& svc);

}  // namespace omnivibe::http
