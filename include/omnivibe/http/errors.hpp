#pragma once
// The one place that maps an Error to an HTTP status and the spec's JSON body:
// {"detail","code","errors":[{"field","message"}],"request_id"} (+ "current_version"
// on 412, Retry-After on 503). Handlers never build error bodies themselves.

#include <string_view>

#include "omnivibe/core/result.hpp"
#include "omnivibe/http/message.hpp"

namespace omnivibe::http {

int status_of(ErrorCode code);

/// The error response for `e`. Internal errors keep their detail out of the
/// body (it is logged instead), so no SQL or stack ever reaches a client.
Response error_response(const Error& e, std::string_view request_id);

}  // namespace omnivibe::http
