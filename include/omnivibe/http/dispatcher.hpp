#pragma once
// The dispatcher: everything between "a request arrived" and "a handler runs",
// and between "the handler answered" and "the bytes go out", independent of
// Beast: request ids, CORS, routing (404/405), authorization, and the one way
// out every response takes — the headers every response carries, the request
// log line and the request metrics.
//
// A request is matched once, when its head has arrived (admit): the route's
// rules say which scope the token must cover and how the body is taken, and
// the Admission carries the match on to dispatch() once the body is read. A
// request refused before or without a route — a bad token on an upload, a body
// over the limit, a head that does not parse — leaves through reject(), which
// logs and counts it like any other answer.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
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
    /// For routes declared at_min_event_seq, before the cache and the
    /// handler: calls `go` once the request may be answered, or answers
    /// through `refuse` (read-your-writes, SPEC section 4).
    std::function<void(Request&, std::function<void()> go, const Reply& refuse)> min_event_seq;
    /// For routes declared cacheable: the answer kept for this request, if any.
    std::function<std::optional<Response>(const Request&)> cached_answer;
};

/// Counters for the request path.
struct RequestStats {
    std::atomic<std::uint64_t> responses{0};  ///< answers that left through the one way out
};

/// What the dispatcher decided from a request's head, before its body is read:
/// the route (matched once), the authorization, and where the body goes.
class Admission {
  public:
    /// How the connection reads the body: streamed into sink(), or into memory.
    BodyMode body() const noexcept { return body_; }
    /// The sink of a streamed body (null unless body() is streamed).
    std::shared_ptr<BodySink> take_sink() { return std::move(sink_); }

  private:
    friend class Dispatcher;
    std::variant<Router::Match, Router::NoMatch> route_;
    std::optional<Error> refusal_;  ///< answered once the (bounded) body is read
    bool preflight_ = false;
    BodyMode body_ = BodyMode::json;
    std::shared_ptr<BodySink> sink_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

class Dispatcher {
  public:
    Dispatcher(const Router& router, DispatchOptions options);

    /// For a request whose head has arrived and whose body has not been read:
    /// matches the route, checks the token, and for a streamed route opens the
    /// sink its body goes to. An Error is the answer to send instead, without
    /// reading the body (see reject()). Assigns the request id.
    Result<Admission> admit(Request& head);

    /// Runs the admitted request (its body read) and calls `done` exactly once
    /// with the finished response (possibly from another thread).
    void dispatch(Request req, Admission admission, std::function<void(Response)> done);

    /// admit() and dispatch() in one step, for a request whose body is in memory.
    void dispatch(Request req, std::function<void(Response)> done);

    /// Answers a request with an error through the one way out (for requests
    /// refused before their body was read, or whose head did not even parse).
    void reject(Request req, const Error& error, std::function<void(Response)> done);

    const RequestStats& stats() const noexcept { return stats_; }

  private:
    using Clock = std::chrono::steady_clock;
    /// The one way out: common headers, the request log line, the metrics.
    void answer(const Request& req, Response& resp, Clock::time_point started);
    /// Sets req.actor from the bearer token; an Error when the request may not proceed.
    Status authorize(Request& req, Scope needed, bool token_in_query) const;
    bool origin_allowed(std::string_view origin) const;

    const Router& router_;
    DispatchOptions options_;
    RequestStats stats_;
};

/// A request id from the client's X-Request-Id if it is sane, else a new one.
std::string make_request_id(std::string_view from_client);

}  // namespace omnivibe::http
