#include "omnivibe/http/router.hpp"

#include <stdexcept>

namespace omnivibe::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        const auto end = path.find('/', i);
        const auto stop = end == std::string_view::npos ? path.size() : end;
        parts.push_back(path.substr(i, stop - i));
        i = stop;
    }
    return parts;
}

bool is_placeholder(std::string_view s) {
    return s.size() > 2 && s.front() == '{' && s.back() == '}';
}

}  // namespace

void Router::add(Method method, std::string_view pattern, RouteRules rules, Handler handler) {
    // A registration error is a programming error found at start-up, not a request's.
    if (rules.body == BodyMode::streamed)
        throw std::logic_error("route " + std::string(pattern) +
                               ": streamed bodies need an opener");
    insert(method, pattern, rules, std::move(handler), {});
}

void Router::add_streaming(Method method, std::string_view pattern, RouteRules rules,
                           BodyOpener opener, Handler handler) {
    if (rules.body != BodyMode::streamed || !opener)
        throw std::logic_error("route " + std::string(pattern) +
                               ": a streaming route declares a streamed body and an opener");
    insert(method, pattern, rules, std::move(handler), std::move(opener));
}

void Router::insert(Method method, std::string_view pattern, RouteRules rules, Handler handler,
                    BodyOpener opener) {
    Route r{method, std::string(pattern), {}, rules, std::move(handler), std::move(opener)};
    for (auto part : split_path(pattern)) r.segments.emplace_back(part);
    routes_.push_back(std::move(r));
}

bool Router::match_segments(const Route& r, const std::vector<std::string_view>& parts,
                            PathParams& params) {
    if (r.segments.size() != parts.size()) return false;
    params.clear();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (is_placeholder(r.segments[i])) {
            if (parts[i].empty()) return false;
            params.emplace_back(parts[i]);
        } else if (r.segments[i] != parts[i]) {
            return false;
        }
    }
    return true;
}

std::variant<Router::Match, Router::NoMatch> Router::match(Method method,
                                                           std::string_view path) const {
    // Only origin-form targets ("/..."): "api/v1/clients" or an absolute URL is
    // no resource of ours. "//" inside a path is not collapsed into "/": only
    // one trailing slash is optional.
    if (path.empty() || path.front() != '/' || path.find("//") != std::string_view::npos)
        return NoMatch{Error::make(ErrorCode::not_found, "No such resource."), {}};
    const auto parts = split_path(path);
    PathParams params;
    std::string allow;
    for (const auto& r : routes_) {
        if (!match_segments(r, parts, params)) continue;
        const bool same = r.method == method || (method == Method::head && r.method == Method::get);
        if (same)
            return Match{&r.handler, r.opener ? &r.opener : nullptr, &r.rules, std::move(params),
                         r.pattern};
        if (allow.find(to_string(r.method)) == std::string::npos) {
            if (!allow.empty()) allow += ", ";
            allow += to_string(r.method);
        }
    }
    if (!allow.empty())
        return NoMatch{
            Error::make(ErrorCode::method_not_allowed,
                        "This resource does not support " + std::string(to_string(method)) + "."),
            allow};
    return NoMatch{Error::make(ErrorCode::not_found, "No such resource."), {}};
}

std::vector<std::pair<Method, std::string>> Router::routes() const {
    std::vector<std::pair<Method, std::string>> out;
    for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
    return out;
}

const RouteRules* Router::rules_of(Method method, std::string_view pattern) const {
    for (const auto& r : routes_)
        if (r.method == method && r.pattern == pattern) return &r.rules;
    return nullptr;
}

}  // namespace omnivibe::http
