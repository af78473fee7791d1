#include "omnivibe/http/errors.hpp"

#include "omnivibe/core/log.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/json/writer.hpp"

namespace omnivibe::http {

int status_of(ErrorCode code) {
    switch (code) {
        case ErrorCode::malformed_json:
        case ErrorCode::bad_request:
            return 400;
        case ErrorCode::unauthorized:
            return 401;
        case ErrorCode::forbidden:
            return 403;
        case ErrorCode::not_found:
            return 404;
        case ErrorCode::method_not_allowed:
            return 405;
        case ErrorCode::conflict:
            return 409;
        case ErrorCode::version_mismatch:
            return 412;
        case ErrorCode::payload_too_large:
            return 413;
        case ErrorCode::unsupported_media_type:
            return 415;
        case ErrorCode::range_not_satisfiable:
            return 416;
        case ErrorCode::header_too_large:
            return 431;
        case ErrorCode::validation_failed:
        case ErrorCode::unknown_reference:
        case ErrorCode::idempotency_key_reused:
            return 422;
        case ErrorCode::unavailable:
            return 503;
        case ErrorCode::internal:
            return 500;
    }
    return 500;
}

Response error_response(const Error& e, std::string_view request_id) {
    Response r;
    r.status = status_of(e.code);
    r.error_code = to_string(e.code);
    std::string_view detail = e.detail;
    if (e.code == ErrorCode::internal) {
        log::error("internal error (request " + std::string(request_id) + "): " + e.detail);
        detail = "An internal error occurred; it has been logged.";
    } else if (e.code == ErrorCode::unavailable) {
        log::warn("unavailable (request " + std::string(request_id) + "): " + e.detail);
        detail = "The service cannot store this right now; retry shortly.";
        r.set("Retry-After", "1");
    }
    // Details and field names may echo what the client sent (an id from the
    // path, a media type); the body must stay valid JSON whatever those bytes are.
    json::Writer w;
    w.begin_object();
    w.key("detail").string(to_valid_utf8(detail));
    w.key("code").string(to_string(e.code));
    w.key("errors").begin_array();
    for (const auto& fe : e.errors) {
        w.begin_object();
        w.key("field").string(to_valid_utf8(fe.field));
        w.key("message").string(to_valid_utf8(fe.message));
        w.end_object();
    }
    w.end_array();
    if (e.current_version) w.key("current_version").integer(*e.current_version);
    w.key("request_id").string(request_id);
    w.end_object();
    r.body = w.take();
    return r;
}

}  // namespace omnivibe::http
