#include "omnivibe/http/router.hpp"

#include <boost/test/unit_test.hpp>
#include <stdexcept>

using namespace omnivibe;
using namespace omnivibe::http;

namespace {
const auto noop = [](Request&, const PathParams&, Reply) {};
const RouteRules kCached{.scope = Scope::read, .cacheable = true};
const RouteRules kWrite{.scope = Scope::write, .body = BodyMode::json};

Router sample() {
    Router r;
    r.add(Method::get, "/api/v1/campaigns", kCached, noop);
    r.add(Method::post, "/api/v1/campaigns", kWrite, noop);
    r.add(Method::get, "/api/v1/campaigns/{id}", kCached, noop);
    r.add(Method::patch, "/api/v1/campaigns/{id}", kWrite, noop);
    r.add(Method::get, "/api/v1/campaigns/{id}/resources/{type}/file", RouteRules{}, noop);
    r.add_streaming(
        Method::put, "/api/v1/campaigns/{id}/resources/{type}",
        RouteRules{.scope = Scope::write, .body = BodyMode::streamed},
        [](Request&, const PathParams&) -> Result<std::shared_ptr<BodySink>> {
            return std::shared_ptr<BodySink>();
        },
        noop);
    r.add(Method::get, "/healthz", RouteRules{.scope = Scope::none}, noop);
    return r;
}

const RouteRules& rules_of_match(const Router& r, Method m, std::string_view path) {
    auto match = r.match(m, path);
    BOOST_REQUIRE(std::holds_alternative<Router::Match>(match));
    const auto* rules = std::get<Router::Match>(match).rules;
    BOOST_REQUIRE(rules != nullptr);
    return *rules;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(matches_templates_and_captures_placeholders) {
    auto r = sample();
    auto m = r.match(Method::get, "/api/v1/campaigns/12/resources/intro/file");
    BOOST_REQUIRE(std::holds_alternative<Router::Match>(m));
    auto& hit = std::get<Router::Match>(m);
    BOOST_TEST(hit.params == (PathParams{"12", "intro"}), boost::test_tools::per_element());
    BOOST_TEST(hit.pattern == "/api/v1/campaigns/{id}/resources/{type}/file");
}

BOOST_AUTO_TEST_CASE(a_trailing_slash_matches_the_same_route) {
    auto r = sample();
    BOOST_TEST(std::holds_alternative<Router::Match>(r.match(Method::get, "/api/v1/campaigns/")));
    BOOST_TEST(std::holds_alternative<Router::Match>(r.match(Method::get, "/api/v1/campaigns/3/")));
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404) {
    auto r = sample();
    auto m = r.match(Method::get, "/api/v1/nothing");
    BOOST_REQUIRE(std::holds_alternative<Router::NoMatch>(m));
    BOOST_TEST(std::get<Router::NoMatch>(m).error.code == ErrorCode::not_found);
    BOOST_TEST(std::holds_alternative<Router::NoMatch>(r.match(Method::get, "/api/v1//campaigns")));
}

BOOST_AUTO_TEST_CASE(known_paths_with_another_method_are_405_with_allow) {
    auto r = sample();
    auto m = r.match(Method::del, "/api/v1/campaigns/3");
    BOOST_REQUIRE(std::holds_alternative<Router::NoMatch>(m));
    auto& miss = std::get<Router::NoMatch>(m);
    BOOST_TEST(miss.error.code == ErrorCode::method_not_allowed);
    BOOST_TEST(miss.allow == "GET, PATCH");
}

BOOST_AUTO_TEST_CASE(head_is_served_by_get_routes) {
    auto r = sample();
    BOOST_TEST(std::holds_alternative<Router::Match>(r.match(Method::head, "/api/v1/campaigns/3")));
}

// Regression (bad-input corpus): "GET api/v1/campaigns" (no leading slash) was served.
BOOST_AUTO_TEST_CASE(targets_that_are_not_absolute_paths_are_404) {
    auto r = sample();
    for (const char* target :
         {"api/v1/campaigns", "http://evil.example/api/v1/campaigns", "*", ""}) {
        auto m = r.match(Method::get, target);
        BOOST_REQUIRE_MESSAGE(std::holds_alternative<Router::NoMatch>(m), target);
        BOOST_TEST(std::get<Router::NoMatch>(m).error.code == ErrorCode::not_found);
    }
}

BOOST_AUTO_TEST_CASE(a_match_carries_the_rules_its_route_was_registered_with) {
    auto r = sample();
    const auto& list = rules_of_match(r, Method::get, "/api/v1/campaigns");
    BOOST_TEST((list.scope == Scope::read));
    BOOST_TEST((list.body == BodyMode::none));
    BOOST_TEST(list.cacheable);
    const auto& create = rules_of_match(r, Method::post, "/api/v1/campaigns/");
    BOOST_TEST((create.scope == Scope::write));
    BOOST_TEST((create.body == BodyMode::json));
    BOOST_TEST(!create.cacheable);
    BOOST_TEST((rules_of_match(r, Method::get, "/healthz").scope == Scope::none));
    BOOST_TEST(
        !rules_of_match(r, Method::get, "/api/v1/campaigns/1/resources/intro/file").cacheable);
    // HEAD is served by the GET route, rules included.
    BOOST_TEST(rules_of_match(r, Method::head, "/api/v1/campaigns/4").cacheable);
}

BOOST_AUTO_TEST_CASE(a_streaming_route_has_its_opener_and_a_streamed_body) {
    auto r = sample();
    auto m = r.match(Method::put, "/api/v1/campaigns/1/resources/intro");
    BOOST_REQUIRE(std::holds_alternative<Router::Match>(m));
    const auto& hit = std::get<Router::Match>(m);
    BOOST_TEST(hit.opener != nullptr);
    BOOST_TEST((hit.rules->body == BodyMode::streamed));
    auto plain = r.match(Method::post, "/api/v1/campaigns");
    BOOST_TEST(std::get<Router::Match>(plain).opener == nullptr);
}

BOOST_AUTO_TEST_CASE(a_body_mode_that_contradicts_the_registration_is_refused_at_start) {
    Router r;
    BOOST_CHECK_THROW(r.add(Method::post, "/x", RouteRules{.body = BodyMode::streamed}, noop),
                      std::logic_error);
    auto opener = [](Request&, const PathParams&) -> Result<std::shared_ptr<BodySink>> {
        return std::shared_ptr<BodySink>();
    };
    BOOST_CHECK_THROW(
        r.add_streaming(Method::put, "/x", RouteRules{.body = BodyMode::json}, opener, noop),
        std::logic_error);
    BOOST_CHECK_THROW(
        r.add_streaming(Method::put, "/x", RouteRules{.body = BodyMode::streamed}, {}, noop),
        std::logic_error);
    BOOST_TEST(r.routes().empty());
}

BOOST_AUTO_TEST_CASE(rules_of_names_exactly_one_registration) {
    auto r = sample();
    const RouteRules* rules = r.rules_of(Method::patch, "/api/v1/campaigns/{id}");
    BOOST_REQUIRE(rules != nullptr);
    BOOST_TEST((rules->body == BodyMode::json));
    BOOST_TEST(r.rules_of(Method::del, "/api/v1/campaigns/{id}") == nullptr);
    BOOST_TEST(r.rules_of(Method::get, "/api/v1/campaigns/1") == nullptr);  // a pattern, not a path
}

BOOST_AUTO_TEST_SUITE_END()
