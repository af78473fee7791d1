#include "omnivibe/http/dispatcher.hpp"

#include <boost/test/unit_test.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "omnivibe/core/sha256.hpp"

using namespace omnivibe;
using namespace omnivibe::http;

namespace {

// A router with one route of each kind of rule, a token per scope, and the
// metrics the dispatcher counts into; no sockets, no database.
struct Fixture {
    Router router;
    TokenStore tokens;
    Metrics metrics;
    int handled = 0;
    int opened = 0;
    int cache_lookups = 0;
    std::optional<Response> kept;          ///< what the cache answers, when set
    std::vector<std::string> gated;        ///< paths the X-Min-Event-Seq gate saw
    std::optional<Response> gate_refusal;  ///< what the gate answers, when set
    std::function<void()> held;            ///< a request the gate holds back
    std::optional<Dispatcher> dispatcher;

    Fixture() {
        auto ok = [this](Request&, const PathParams&, Reply reply) {
            ++handled;
            reply(Response{});
        };
        router.add(Method::get, "/healthz", RouteRules{.scope = Scope::none}, ok);
        router.add(Method::get, "/items",
                   RouteRules{.scope = Scope::read, .cacheable = true, .at_min_event_seq = true},
                   ok);
        router.add(Method::get, "/rows", RouteRules{.scope = Scope::read, .at_min_event_seq = true},
                   ok);
        router.add(Method::get, "/fresh", RouteRules{.scope = Scope::read}, ok);
        router.add(Method::post, "/items",
                   RouteRules{.scope = Scope::write, .body = BodyMode::json}, ok);
        router.add(Method::get, "/log", RouteRules{.scope = Scope::admin}, ok);
        router.add(Method::get, "/feed", RouteRules{.scope = Scope::read, .token_in_query = true},
                   ok);
        router.add_streaming(
            Method::put, "/files/{name}",
            RouteRules{.scope = Scope::write, .body = BodyMode::streamed},
            [this](Request&, const PathParams&) -> Result<std::shared_ptr<BodySink>> {
                ++opened;
                return Error::make(ErrorCode::unsupported_media_type, "not a video");
            },
            ok);
        tokens = TokenStore::parse("reader read " + sha256_hex("r") + "\nwriter write " +
                                   sha256_hex("w") + "\nadmin admin " + sha256_hex("a") + "\n")
                     .value();
        dispatcher.emplace(router, DispatchOptions{{},
                                                   &tokens,
                                                   &metrics,
                                                   [this](Request& req, std::function<void()> go,
                                                          const Reply& refuse) {
                                                       gated.emplace_back(req.path);
                                                       if (gate_refusal)
                                                           return refuse(*gate_refusal);
                                                       if (req.header("x-hold") == "yes")
                                                           held = std::move(go);
                                                       else
                                                           go();
                                                   },
                                                   [this](const Request&) {
                                                       ++cache_lookups;
                                                       return kept;
                                                   }});
    }

    Response run(Method m, std::string target, std::string token = {}) {
        Request req;
        req.method = m;
        req.target = target;
        const auto q = target.find('?');
        req.path = target.substr(0, q);
        if (q != std::string::npos) req.query = target.substr(q + 1);
        if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
        std::optional<Response> out;
        dispatcher->dispatch(std::move(req), [&](Response r) { out = std::move(r); });
        BOOST_REQUIRE(out.has_value());
        return std::move(*out);
    }

    std::string exposition() const { return metrics.render(Gauges{}); }
};

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dispatcher)

BOOST_FIXTURE_TEST_CASE(each_route_asks_for_the_scope_it_declared, Fixture) {
    BOOST_TEST(run(Method::get, "/healthz").status == 200);
    BOOST_TEST(run(Method::get, "/fresh").status == 401);
    BOOST_TEST(run(Method::get, "/fresh", "r").status == 200);
    BOOST_TEST(run(Method::post, "/items", "r").status == 403);
    BOOST_TEST(run(Method::post, "/items", "w").status == 200);
    BOOST_TEST(run(Method::get, "/log", "w").status == 403);
    BOOST_TEST(run(Method::get, "/log", "a").status == 200);
    // A path that is no route still needs a token: anonymous clients see no map.
    BOOST_TEST(run(Method::get, "/nothing").status == 401);
    BOOST_TEST(run(Method::get, "/nothing", "r").status == 404);
    BOOST_TEST(handled == 4);
}

// Read-your-writes is a rule of the route: the gate runs before the cache and
// the handler of a route that declares it, and of no other.
BOOST_FIXTURE_TEST_CASE(the_min_event_seq_gate_runs_first_and_only_where_declared, Fixture) {
    BOOST_TEST(run(Method::get, "/rows", "r").status == 200);
    BOOST_TEST(run(Method::get, "/items", "r").status == 200);
    BOOST_TEST(run(Method::get, "/fresh", "r").status == 200);
    BOOST_TEST(run(Method::post, "/items", "w").status == 200);
    BOOST_TEST(gated == (std::vector<std::string>{"/rows", "/items"}));
    BOOST_TEST(handled == 4);

    // Refused by the gate: neither the cache nor the handler is asked.
    Response refusal;
    refusal.status = 503;
    gate_refusal = refusal;
    const int lookups = cache_lookups;
    BOOST_TEST(run(Method::get, "/items", "r").status == 503);
    BOOST_TEST(cache_lookups == lookups);
    BOOST_TEST(handled == 4);
}

BOOST_FIXTURE_TEST_CASE(a_request_the_gate_holds_is_answered_when_it_goes_on, Fixture) {
    Request req;
    req.method = Method::get;
    req.target = req.path = "/rows";
    req.headers.emplace_back("authorization", "Bearer r");
    req.headers.emplace_back("x-hold", "yes");
    std::optional<Response> out;
    dispatcher->dispatch(std::move(req), [&](Response r) { out = std::move(r); });
    BOOST_TEST(!out.has_value());
    BOOST_TEST(handled == 0);
    BOOST_REQUIRE(held);
    held();  // the request (moved into the dispatcher) is still alive
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(out->status == 200);
    BOOST_TEST(handled == 1);
}

BOOST_FIXTURE_TEST_CASE(only_a_route_that_declares_it_takes_the_token_in_the_query, Fixture) {
    BOOST_TEST(run(Method::get, "/feed?access_token=r").status == 200);
    BOOST_TEST(run(Method::get, "/fresh?access_token=r").status == 401);
    BOOST_TEST(run(Method::get, "/log?access_token=a").status == 401);
}

BOOST_FIXTURE_TEST_CASE(a_streamed_upload_is_refused_from_its_head_before_the_opener_runs,
                        Fixture) {
    Request head;
    head.method = Method::put;
    head.target = head.path = "/files/a";
    auto refused = dispatcher->admit(head);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == ErrorCode::unauthorized);
    BOOST_TEST(opened == 0);

    head.headers.emplace_back("authorization", "Bearer w");
    auto rejected_by_opener = dispatcher->admit(head);
    BOOST_REQUIRE(!rejected_by_opener);
    BOOST_TEST(rejected_by_opener.error().code == ErrorCode::unsupported_media_type);
    BOOST_TEST(opened == 1);
}

BOOST_FIXTURE_TEST_CASE(a_json_route_admits_its_head_for_an_in_memory_body, Fixture) {
    Request head;
    head.method = Method::post;
    head.target = head.path = "/items";
    auto admitted = dispatcher->admit(head);
    BOOST_REQUIRE(admitted.has_value());
    BOOST_TEST((admitted->body() == BodyMode::json));
    BOOST_TEST(admitted->take_sink() == nullptr);
    // The refusal (no token) is kept for the answer, after the body is read.
    std::optional<Response> out;
    dispatcher->dispatch(std::move(head), std::move(admitted).value(),
                         [&](Response r) { out = std::move(r); });
    BOOST_REQUIRE(out.has_value());
    BOOST_TEST(out->status == 401);
    BOOST_TEST(handled == 0);
}

BOOST_FIXTURE_TEST_CASE(only_cacheable_routes_are_answered_from_the_cache, Fixture) {
    Response hit;
    hit.body = "kept";
    kept = hit;
    BOOST_TEST(run(Method::get, "/items", "r").body == "kept");
    BOOST_TEST(run(Method::get, "/fresh", "r").body.empty());
    BOOST_TEST(cache_lookups == 1);
    BOOST_TEST(handled == 1);  // only /fresh reached its handler
    kept.reset();
    BOOST_TEST(run(Method::get, "/items", "r").status == 200);
    BOOST_TEST(handled == 2);
}

BOOST_FIXTURE_TEST_CASE(every_answer_is_logged_and_counted_once_with_its_code, Fixture) {
    run(Method::get, "/healthz");
    run(Method::get, "/fresh");
    Request bad_head;
    bad_head.method = Method::other;
    std::optional<Response> refused;
    dispatcher->reject(
        std::move(bad_head),
        Error::make(ErrorCode::header_too_large, "The request headers are too large."),
        [&](Response r) { refused = std::move(r); });
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(refused->status == 431);
    BOOST_TEST(refused->error_code == "header_too_large");
    BOOST_TEST(!refused->header("X-Request-Id").empty());
    BOOST_TEST(refused->body.find("\"code\":\"header_too_large\"") != std::string::npos);

    BOOST_TEST(dispatcher->stats().responses.load() == 3u);
    const std::string text = exposition();
    BOOST_TEST(
        has_line(text,
                 R"(omnivibe_http_requests_total{method="GET",route="/healthz",status="200"} 1)"),
        text);
    BOOST_TEST(
        has_line(
            text,
            R"(omnivibe_http_requests_total{method="GET",route="unauthorized",status="401"} 1)"),
        text);
    BOOST_TEST(
        has_line(text,
                 R"(omnivibe_http_requests_total{method="OTHER",route="refused",status="431"} 1)"),
        text);
}

BOOST_AUTO_TEST_SUITE_END()
