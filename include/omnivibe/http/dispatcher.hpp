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

    /// For a request whose head has arrived and whose body has not been read:
    /// the sink its route streams the body into, or null to read the body into
    /// Request::body (up to the JSON body limit). An Error is the answer to
    /// send instead, without reading the body (see reject()). Assigns the
    /// request id, which dispatch() then keeps.
    Result<std::shared_ptr<BodySink>> open_body(Request& head);

    /// Answers a request with an error, with the headers and log line every
    /// answer gets (for requests refused before their body was read).
    void reject(Request req, const Error& error, std::function<void(Response)> done);

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
