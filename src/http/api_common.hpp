#pragma once
// Helpers shared by the REST handlers: ids and headers from the request, JSON
// bodies in, commands to the writer and snapshot reads out. Private to src/http.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/value.hpp"
#include "omnivibe/http/errors.hpp"
#include "omnivibe/http/message.hpp"
#include "omnivibe/http/router.hpp"
#include "omnivibe/http/service.hpp"
#include "omnivibe/projection/read_model.hpp"

namespace omnivibe::http {

/// The error response for this request.
Response fail(const Request& req, const Error& e);

/// A path id: a positive integer, else 404 naming the entity.
Result<std::int64_t> parse_id(std::string_view text, std::string_view entity);

/// If-Match: "N" (or W/"N", or N); absent or * means any version.
Result<std::optional<std::int64_t>> parse_if_match(const Request& req);

/// The JSON object body as fields: 415 unless JSON, 400 if malformed.
Result<domain::Fields> parse_json_body(const Request& req);

/// Sends a command to the writer and answers with its result:
/// status, body, ETag, X-Event-Seq, Idempotent-Replayed. The idempotency
/// fingerprint covers method, path and body unless `write.fingerprint` is
/// already set (streamed uploads, whose body is not in memory, set their own).
void submit_write(Service& svc, Request& req, writer::WriteRequest write, Reply reply);

/// Runs `fn` inside one read snapshot; adds X-Event-Seq (the log head that
/// snapshot sees) to what it returns. SQLite failures become 503.
void read_snapshot(Service& svc, const Request& req, Reply& reply,
                   const std::function<Result<Response>(store::Db&, std::int64_t head)>& fn);

/// Read-your-writes (SPEC section 4), the dispatcher's gate for routes
/// declared at_min_event_seq: a GET with `X-Min-Event-Seq: S` goes on (`go`)
/// only once this instance's view of the log has reached S, so its snapshot
/// (and any cached answer) is at or after S. It waits on the feed hub,
/// without holding a network thread, for at most
/// ServiceOptions::min_seq_wait; then 503 unavailable with Retry-After
/// through `refuse`. A malformed value is 422. Without the header it goes on
/// at once.
void at_min_event_seq(Service& svc, Request& req, std::function<void()> go, const Reply& refuse);

/// The answer kept for this request target at the head the writer has
/// published, if any. The dispatcher asks it for routes declared cacheable,
/// before their handler runs.
std::optional<Response> cached_answer(Service& svc, const Request& req);

/// A list page rendered by `render()` at `head`, kept for the same target
/// when the route is cacheable.
Response list_response(Service& svc, const Request& req, std::int64_t head,
                       const std::function<std::string()>& render);

/// A 200 JSON response for an entity with its ETag; 304 if If-None-Match matches.
Response entity_response(const Request& req, std::int64_t version, std::string body);

/// page, page_size (1..100, default 20): adds a FieldError per bad value.
void parse_paging(const Request& req, projection::ListQuery& q, std::vector<FieldError>& errors);

/// A positive integer query parameter; adds a FieldError if malformed.
std::optional<std::int64_t> int_param(const Request& req, std::string_view name,
                                      std::vector<FieldError>& errors);

/// A choice query parameter matched against the kind's field spec; canonical value.
std::optional<std::string> choice_param(const Request& req, std::string_view name,
                                        domain::Kind kind, std::vector<FieldError>& errors);

/// 422 validation_failed for query parameter errors.
Error query_error(std::vector<FieldError> errors);

/// 422 validation_failed for body field errors (one entry per bad field).
Error fields_error(std::vector<FieldError> errors);

/// 404 naming the entity: "No block with id 7."
Error not_found(domain::Kind kind, std::int64_t id);

/// A 200 JSON response with this body.
Response json_response(std::string body);

// The single-entity handlers every kind shares; p[0] is the id in the path.

/// POST: validates the body for creation and answers 201 with the new entity.
/// `parent_id` comes from the URL for blocks and scripts.
void create_entity(Service& svc, domain::Kind kind, Request& req, Reply reply,
                   std::optional<std::int64_t> parent_id = std::nullopt);
/// GET of one entity, with its ETag (304 on If-None-Match).
void get_entity(Service& svc, domain::Kind kind, Request& req, const PathParams& p, Reply reply);
/// PATCH with If-Match: only the fields sent; answers the entity as it is now.
void update_entity(Service& svc, domain::Kind kind, Request& req, const PathParams& p, Reply reply);
/// DELETE with If-Match: answers {"success":true,"id":N}.
void delete_entity(Service& svc, domain::Kind kind, Request& req, const PathParams& p, Reply reply);

}  // namespace omnivibe::http
