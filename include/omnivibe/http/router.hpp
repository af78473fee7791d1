#pragma once
// The router: method + path template ("/api/v1/campaigns/{id}") to a handler
// and the rules of that route. A path matches with or without a trailing slash
// (answered directly, never redirected). No match is 404; a path that exists
// for other methods is 405 with the Allow list.
//
// Each route declares its rules where it is registered — the scope a token
// needs, how the body is taken, whether answers may be kept in the response
// cache — so no other layer guesses them from the path.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/http/auth.hpp"
#include "omnivibe/http/message.hpp"

namespace omnivibe::http {

/// Values of the {placeholders} of the matched template, in order.
using PathParams = std::vector<std::string>;
using Handler = std::function<void(Request&, const PathParams&, Reply)>;
/// For routes whose body is streamed: called with the request head, before any
/// body byte is read, to check what it can (path, Content-Type, that the
/// parent exists) and open the sink the body goes to. An Error is answered at
/// once, so a refused upload is never received.
using BodyOpener =
    std::function<Result<std::shared_ptr<BodySink>>(Request& head, const PathParams&)>;

/// How a route takes its request body.
enum class BodyMode : std::uint8_t {
    none,      ///< no body expected: one that arrives is read (bounded) and dropped
    json,      ///< read into Request::body, up to the JSON body limit
    streamed,  ///< streamed into the BodySink the route's opener makes (uploads)
};

/// What a route requires and allows, declared where it is registered.
struct RouteRules {
    Scope scope = Scope::read;       ///< what the bearer token must cover; none: open
    BodyMode body = BodyMode::none;  ///< how the body is taken
    bool cacheable = false;          ///< answers may be kept per log head (ResponseCache)
    bool at_min_event_seq = false;   ///< a read of the read tables: waits for X-Min-Event-Seq
    bool token_in_query = false;     ///< also takes ?access_token= (EventSource cannot set headers)
};

class Router {
  public:
    /// Registers a handler; `pattern` segments are literals or {name}.
    /// `rules.body` must not be streamed (use add_streaming).
    void add(Method method, std::string_view pattern, RouteRules rules, Handler handler);
    /// Registers a route whose body is streamed into the sink `opener` makes;
    /// `rules.body` must be streamed.
    void add_streaming(Method method, std::string_view pattern, RouteRules rules, BodyOpener opener,
                       Handler handler);

    struct Match {
        const Handler* handler = nullptr;
        const BodyOpener* opener = nullptr;  ///< set for streaming routes
        const RouteRules* rules = nullptr;
        PathParams params;
        std::string_view pattern;
    };
    struct NoMatch {
        Error error;        ///< not_found or method_not_allowed
        std::string allow;  ///< "GET, PATCH, DELETE" for 405
    };

    std::variant<Match, NoMatch> match(Method method, std::string_view path) const;

    /// Every registered (method, pattern), for documentation checks.
    std::vector<std::pair<Method, std::string>> routes() const;

    /// The rules of the route registered for exactly (method, pattern), for checks.
    const RouteRules* rules_of(Method method, std::string_view pattern) const;

  private:
    struct Route {
        Method method;
        std::string pattern;
        std::vector<std::string> segments;
        RouteRules rules;
        Handler handler;
        BodyOpener opener;
    };
    void insert(Method method, std::string_view pattern, RouteRules rules, Handler handler,
                BodyOpener opener);
    static bool match_segments(const Route& r, const std::vector<std::string_view>& parts,
                               PathParams& params);
    std::vector<Route> routes_;
};

}  // namespace omnivibe::http
