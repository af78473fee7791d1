// Operations: health, readiness, metrics and the API description (SPEC section 5,
// "Other endpoints").
#include <simdjson.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "integration/api_helpers.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

std::string normalise(std::string path) {
    // "{id}" and "{type}" placeholders compare equal whatever their names.
    std::string out;
    bool in_brace = false;
    for (char c : path) {
        if (c == '{') {
            in_brace = true;
            out += "{}";
        } else if (c == '}') {
            in_brace = false;
        } else if (!in_brace) {
            out += c;
        }
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ops_endpoints)

BOOST_AUTO_TEST_CASE(health_and_readiness) {
    TestServer s;
    auto c = s.client();
    auto h = c.get("/healthz");
    BOOST_TEST(h.status == 200);
    BOOST_TEST(json_string(h.body, "/status") == "ok");
    auto r = c.get("/readyz");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_string(r.body, "/status") == "ready");
}

// An operator reading `top -H` or a profile tells the threads apart by name.
BOOST_AUTO_TEST_CASE(the_server_threads_carry_their_names) {
    TestServer s;
    std::multiset<std::string> names;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::string name;
        std::getline(std::ifstream(task.path() / "comm"), name);
        names.insert(name);
    }
    BOOST_TEST(names.count("ov-writer") == 1u);
    BOOST_TEST(names.count("ov-feed-hub") == 1u);
    BOOST_TEST(names.count("ov-http") >= 1u);
}

BOOST_AUTO_TEST_CASE(metrics_count_requests_events_and_batches) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_client(c, "B");
    auto m = c.get("/metrics");
    BOOST_TEST(m.status == 200);
    BOOST_TEST(m.header("Content-Type").find("text/plain") == 0u);
    BOOST_TEST(
        metric_value(
            m.body,
            R"(omnivibe_http_requests_total{method="POST",route="/api/v1/clients",status="201"})") ==
        2);
    BOOST_TEST(metric_value(m.body, R"(omnivibe_events_appended_total{type="client.created"})") ==
               2);
    BOOST_TEST(metric_value(m.body, "omnivibe_log_head") == 2);
    BOOST_TEST(metric_value(m.body, "omnivibe_writer_commands_total") == 2);
    BOOST_TEST(
        metric_value(m.body,
                     R"(omnivibe_http_request_duration_seconds_count{route="/api/v1/clients"})") ==
        2);
    BOOST_TEST(metric_value(m.body, R"(omnivibe_writer_batch_size_bucket{le="+Inf"})") >= 1);
    // Every sample line is "name{labels} number" or "name number".
    std::istringstream lines(m.body);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        BOOST_TEST_CONTEXT(line) {
            BOOST_REQUIRE(space != std::string::npos);
            BOOST_CHECK_NO_THROW(std::stod(line.substr(space + 1)));
        }
    }
}

BOOST_AUTO_TEST_CASE(openapi_describes_exactly_the_routes_the_router_serves) {
    TestServer s;
    auto c = s.client();
    auto r = c.get("/openapi.json");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_string(r.body, "/openapi") == "3.1.0");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    BOOST_REQUIRE(!parser.parse(r.body).get(root));
    simdjson::dom::object paths;
    BOOST_REQUIRE(!root["paths"].get(paths));
    std::set<std::string> described, served;
    for (auto [path, item] : paths) {
        simdjson::dom::object ops;
        BOOST_REQUIRE(!item.get(ops));
        for (auto [method, op] : ops) {
            std::string m(method);
            for (auto& ch : m) ch = static_cast<char>(std::toupper(ch));
            described.insert(m + " " + normalise(std::string(path)));
        }
    }
    for (const auto& [method, pattern] : s.server().routes())
        served.insert(std::string(http::to_string(method)) + " " + normalise(pattern));
    for (const auto& route : served)
        BOOST_TEST(described.count(route) == 1u, "undocumented: " + route);
    for (const auto& route : described)
        BOOST_TEST(served.count(route) == 1u, "not served: " + route);
}

BOOST_AUTO_TEST_CASE(docs_is_a_self_contained_html_page) {
    TestServer s;
    auto c = s.client();
    auto r = c.get("/docs");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.header("Content-Type").find("text/html") == 0u);
    BOOST_TEST(r.body.find("OmniVibe event service") != std::string::npos);
    BOOST_TEST(r.body.find("/api/v1/campaigns/{id}") != std::string::npos);
    BOOST_TEST(r.body.find("http://") == r.body.find("http://127.0.0.1:8000"));  // no CDN
}

BOOST_AUTO_TEST_SUITE_END()
