#include "omnivibe/http/router.hpp"

#include <boost/test/unit_test.hpp>

using namespace omnivibe;
using namespace omnivibe::http;

namespace {
Router sample() {
    Router r;
    auto noop = [](Request&, const PathParams&, Reply) {};
    r.add(Method::get, "/api/v1/campaigns", noop);
    r.add(Method::post, "/api/v1/campaigns", noop);
    r.add(Method::get, "/api/v1/campaigns/{id}", noop);
    r.add(Method::patch, "/api/v1/campaigns/{id}", noop);
    r.add(Method::get, "/api/v1/campaigns/{id}/resources/{type}/file", noop);
    return r;
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
    for (const char* target : {"api/v1/campaigns", "http://evil.example/api/v1/campaigns", "*", ""}) {
        auto m = r.match(Method::get, target);
        BOOST_REQUIRE_MESSAGE(std::holds_alternative<Router::NoMatch>(m), target);
        BOOST_TEST(std::get<Router::NoMatch>(m).error.code == ErrorCode::not_found);
    }
}

BOOST_AUTO_TEST_SUITE_END()
