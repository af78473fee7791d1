// Fuzz target: the router with every route the server registers, and the
// parsing of what a request line and headers carry: query strings, path ids,
// paging, filters, If-Match, request ids and the scope a path needs.
//
// Input: one byte picks the method, then the target up to the first '\n';
// the next lines are used as If-Match, If-None-Match and X-Request-Id values.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/api.hpp"
#include "http/api_common.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/http/dispatcher.hpp"
#include "omnivibe/http/router.hpp"

using namespace omnivibe;

namespace {

struct Routes {
    writer::Writer writer{writer::WriterOptions{}, {}};  // never started: no handler runs
    store::ReadPool reads{""};
    http::Service service{http::ServiceOptions{}, writer, reads, nullptr};
    http::Metrics metrics;
    http::Router router;
    Routes() {
        http::register_entity_routes(router, service);
        http::register_ops_routes(router, service,
                                  http::OpsContext{metrics, [] { return http::Gauges{}; }});
        http::register_docs_routes(router);
    }
};

std::string_view line(std::string_view& rest) {
    const auto nl = rest.find('\n');
    const auto out = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Routes routes;
    if (size == 0) return 0;
    static constexpr http::Method kMethods[] = {
        http::Method::get,   http::Method::head, http::Method::post,    http::Method::put,
        http::Method::patch, http::Method::del,  http::Method::options, http::Method::other};
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

    http::Request req;
    req.method = kMethods[data[0] % 8];
    req.target = std::string(line(rest));
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    req.headers.emplace_back("if-match", std::string(line(rest)));
    req.headers.emplace_back("if-none-match", std::string(line(rest)));
    req.headers.emplace_back("x-request-id", std::string(line(rest)));

    const std::string id = http::make_request_id(req.header("x-request-id"));
    if (id.empty() || id.size() > 128) std::abort();

    auto match = routes.router.match(req.method, req.path);
    if (auto* hit = std::get_if<http::Router::Match>(&match)) {
        if (!hit->rules ||
            (hit->rules->body == http::BodyMode::streamed) != (hit->opener != nullptr))
            std::abort();
        for (const auto& p : hit->params) (void)http::parse_id(p, "thing");
    } else {
        const auto& miss = std::get<http::Router::NoMatch>(match);
        if (miss.error.code != ErrorCode::not_found &&
            miss.error.code != ErrorCode::method_not_allowed)
            std::abort();
        if (miss.error.code == ErrorCode::method_not_allowed && miss.allow.empty()) std::abort();
    }

    (void)http::parse_if_match(req);
    (void)http::entity_response(req, 3, "{}");
    auto params = req.query_params();
    for (const auto& [k, v] : params) (void)req.query_param(k);
    std::vector<FieldError> errors;
    projection::ListQuery list;
    http::parse_paging(req, list, errors);
    if (list.page < 1 || list.page_size < 1 || list.page_size > 100) std::abort();
    (void)http::int_param(req, "client_id", errors);
    (void)http::choice_param(req, "status", domain::Kind::campaign, errors);
    (void)http::choice_param(req, "platform", domain::Kind::content, errors);
    return 0;
}
