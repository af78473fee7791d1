#pragma once
// The dispatcher: everything between "a request arrived" and "a handler runs",
// and between "the handler answered" and "the bytes go out", independent of
// Beast: request ids, CORS, routing (404/405), the request log line, and the
// headers every response carries.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "omnivibe/http/auth.hpp"
#include "omnivibe/http/message.hpp"
#include "omnivibe/http/metrics.hpp"
#include "omnivibe/http/router.hpp"

namespace omnivibe::http {

struct DispatchOptions {
    std::vector<std::string> cors_origins;
    const TokenStore* tokens = nullptr;  ///< null: anonymous access (loopback only)
    Metrics* metrics = nullptr;
};

/// The scope a request needs: none for health checks, admin for the log,
/// history and metrics, read for other GETs (and the feed), write for changes.
Scope required_scope(Method method, std::string_view path);

/// Counters for the request path; read by /metrics.
struct RequestStats {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> in_flight{0};
};

class Dispatcher {
public:
    Dispatcher(const Router& router, DispatchOptions options);

    /// Routes `req` and calls `done` exactly once with the finished response
    /// (possibly from another thread).
    void dispatch(Request req, std::function<void(Response)> done);

    const RequestStats& stats() const noexcept { return stats_; }

private:
    void finish(const Request& req, Response& resp) const;
    /// Sets req.actor from the bearer token; an Error when the request may not proceed.
    Status authorize(Request& req) const;
    bool origin_allowed(std::string_view origin) const;

    const Router& router_;
    DispatchOptions options_;
    RequestStats stats_;
};

/// A request id from the client's X-Request-Id if it is sane, else a new one.
std::string make_request_id(std::string_view from_client);

}  // namespace omnivibe::http
