#pragma once
// The router: method + path template ("/api/v1/campaigns/{id}") to a handler.
// A path matches with or without a trailing slash (answered directly, never
// redirected). No match is 404; a path that exists for other methods is 405
// with the Allow list.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "omnivibe/core/result.hpp"
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

class Router {
public:
    /// Registers a handler; `pattern` segments are literals or {name}.
    void add(Method method, std::string_view pattern, Handler handler);
    /// Registers a route whose body is streamed into the sink `opener` makes.
    void add_streaming(Method method, std::string_view pattern, BodyOpener opener,
                       Handler handler);

    struct Match {
        const Handler* handler = nullptr;
        const BodyOpener* opener = nullptr;  ///< set for streaming routes
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

private:
    struct Route {
        Method method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
        BodyOpener opener;
    };
    static bool match_segments(const Route& r, const std::vector<std::string_view>& parts,
                               PathParams& params);
    std::vector<Route> routes_;
};

}  // namespace omnivibe::http
