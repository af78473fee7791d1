#include "omnivibe/core/result.hpp"

#include <ostream>

namespace omnivibe {

const char* to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::malformed_json:
            return "malformed_json";
        case ErrorCode::bad_request:
            return "bad_request";
        case ErrorCode::unauthorized:
            return "unauthorized";
        case ErrorCode::forbidden:
            return "forbidden";
        case ErrorCode::not_found:
            return "not_found";
        case ErrorCode::method_not_allowed:
            return "method_not_allowed";
        case ErrorCode::conflict:
            return "conflict";
        case ErrorCode::version_mismatch:
            return "version_mismatch";
        case ErrorCode::payload_too_large:
            return "payload_too_large";
        case ErrorCode::unsupported_media_type:
            return "unsupported_media_type";
        case ErrorCode::range_not_satisfiable:
            return "range_not_satisfiable";
        case ErrorCode::header_too_large:
            return "header_too_large";
        case ErrorCode::validation_failed:
            return "validation_failed";
        case ErrorCode::unknown_reference:
            return "unknown_reference";
        case ErrorCode::idempotency_key_reused:
            return "idempotency_key_reused";
        case ErrorCode::unavailable:
            return "unavailable";
        case ErrorCode::internal:
            return "internal";
    }
    return "internal";
}

std::ostream& operator<<(std::ostream& os, ErrorCode code) { return os << to_string(code); }

}  // namespace omnivibe
