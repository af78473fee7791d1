// Requests refused at every stage — before their body, at their head, or
// because the head does not even parse — are answered through the one way
// out: each appears once in the request log and once in /metrics, with an
// error code of its own (SPEC section 5).
#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "integration/api_helpers.hpp"
#include "omnivibe/core/sha256.hpp"
#include "support/eventually.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

// (status, code) of every request line the server logged, in JSON format.
std::multimap<int, std::string> logged_answers(const std::string& output) {
    std::multimap<int, std::string> out;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line.front() != '{' || json_string(line, "/msg") != "request") continue;
        const bool has_code = line.find("\"code\":") != std::string::npos;
        out.emplace(static_cast<int>(json_int(line, "/status")),
                    has_code ? json_string(line, "/code") : std::string());
    }
    return out;
}

std::string status_line(const std::string& answer) { return answer.substr(0, answer.find('\r')); }

}  // namespace

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_AUTO_TEST_CASE(a_request_refused_at_any_stage_is_logged_and_counted_once_with_its_code) {
    TempDir dir;
    {
        std::ofstream tokens(dir.file("tokens"));
        tokens << "writer write " << sha256_hex("writer-secret") << "\n"
               << "admin admin " << sha256_hex("admin-secret") << "\n";
    }
    ServerProcess p(
        fresh_store(dir.file("db")), dir.file("up"),
        {"--tokens", dir.file("tokens"), "--max-header-kb", "2", "--log-format", "json"});
    const HttpClient::Headers writer{{"Authorization", "Bearer writer-secret"}};
    HttpClient c(p.port());
    BOOST_REQUIRE(c.post("/api/v1/clients", R"({"name":"A"})", writer).status == 201);
    BOOST_REQUIRE(c.post("/api/v1/campaigns", R"({"client_id":1,"name":"C"})", writer).status ==
                  201);

    // 401 before the body: an upload without a token.
    bool continued = true;
    const auto no_token = HttpClient::send_expecting_continue(
        p.port(), "PUT", "/api/v1/campaigns/1/resources/intro", {{"Content-Type", "video/mp4"}},
        std::string(64, 'x'), continued);
    BOOST_TEST(no_token.status == 401);
    BOOST_TEST(!continued);
    // 415 before the body: a declared type of the wrong kind.
    const auto wrong_type = HttpClient::send_expecting_continue(
        p.port(), "PUT", "/api/v1/campaigns/1/resources/intro",
        {{"Content-Type", "audio/mpeg"}, {"Authorization", "Bearer writer-secret"}},
        std::string(64, 'x'), continued);
    BOOST_TEST(wrong_type.status == 415);
    BOOST_TEST(json_string(wrong_type.body, "/code") == "unsupported_media_type");
    // 413 before the body: a declared length over the JSON body limit.
    const std::string too_large = HttpClient::raw_exchange(
        p.port(),
        "POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer writer-secret\r\n"
        "Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n");
    BOOST_TEST(status_line(too_large) == "HTTP/1.1 413 Payload Too Large", too_large);
    BOOST_TEST(too_large.find("\"code\":\"payload_too_large\"") != std::string::npos, too_large);
    // 431: headers over --max-header-kb.
    const std::string big_head = HttpClient::raw_exchange(
        p.port(),
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'a') + "\r\n\r\n");
    BOOST_TEST(status_line(big_head) == "HTTP/1.1 431 Request Header Fields Too Large", big_head);
    BOOST_TEST(big_head.find("\"code\":\"header_too_large\"") != std::string::npos, big_head);
    BOOST_TEST(big_head.find("X-Request-Id: ") != std::string::npos, big_head);
    // 400: a head that does not parse, and framing that cannot be trusted.
    const std::string garbage = HttpClient::raw_exchange(p.port(), "NOT HTTP AT ALL\r\n\r\n");
    BOOST_TEST(status_line(garbage) == "HTTP/1.1 400 Bad Request", garbage);
    BOOST_TEST(garbage.find("\"code\":\"bad_request\"") != std::string::npos, garbage);
    const std::string smuggled = HttpClient::raw_exchange(
        p.port(), "POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
    BOOST_TEST(status_line(smuggled) == "HTTP/1.1 400 Bad Request", smuggled);
    BOOST_TEST(smuggled.find("\"code\":\"bad_request\"") != std::string::npos, smuggled);

    const std::string metrics = c.get("/metrics", {{"Authorization", "Bearer admin-secret"}}).body;
    const auto count = [&](const std::string& labels) {
        return metric_value(metrics, "omnivibe_http_requests_total{" + labels + "}");
    };
    BOOST_TEST(count(R"(method="PUT",route="unauthorized",status="401")") == 1, metrics);
    BOOST_TEST(
        count(R"(method="PUT",route="/api/v1/campaigns/{id}/resources/{type}",status="415")") == 1,
        metrics);
    BOOST_TEST(count(R"(method="POST",route="/api/v1/clients",status="413")") == 1, metrics);
    BOOST_TEST(count(R"(method="GET",route="refused",status="431")") == 1, metrics);
    BOOST_TEST(count(R"(method="OTHER",route="refused",status="400")") == 1, metrics);
    BOOST_TEST(count(R"(method="POST",route="refused",status="400")") == 1, metrics);

    // The log: every refusal once, with its code (the /metrics read is logged after it answered).
    std::multimap<int, std::string> logged;
    BOOST_REQUIRE(eventually([&] {
        logged = logged_answers(p.output());
        return logged.count(200) == 1;  // GET /metrics, the last request
    }));
    const auto logged_once = [&](int status, const std::string& code) {
        int n = 0;
        for (auto [it, end] = logged.equal_range(status); it != end; ++it) n += it->second == code;
        return n;
    };
    BOOST_TEST(logged_once(401, "unauthorized") == 1);
    BOOST_TEST(logged_once(415, "unsupported_media_type") == 1);
    BOOST_TEST(logged_once(413, "payload_too_large") == 1);
    BOOST_TEST(logged_once(431, "header_too_large") == 1);
    BOOST_TEST(logged_once(400, "bad_request") == 2);
    BOOST_TEST(logged.count(201) == 2u);
    BOOST_TEST(logged.size() == 9u);  // 2 creations, 6 refusals, the /metrics read
}

BOOST_AUTO_TEST_CASE(the_connection_cap_answer_is_logged_and_counted) {
    TempDir dir;
    ServerProcess p(fresh_store(dir.file("db")), dir.file("up"),
                    {"--max-connections", "1", "--log-format", "json"});
    namespace net = boost::asio;
    net::io_context ioc;
    net::ip::tcp::socket held(ioc);
    held.connect({net::ip::make_address("127.0.0.1"), p.port()});
    // The held connection is counted once the server accepted it; until then
    // a request is served. Every 503 the clients see must be logged and counted.
    int refusals = 0;
    std::string refused;
    BOOST_REQUIRE(eventually([&] {
        refused = HttpClient::raw_exchange(
            p.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        return refused.find(" 503 ") != std::string::npos;
    }));
    ++refusals;
    BOOST_TEST(refused.find("\"code\":\"unavailable\"") != std::string::npos, refused);
    BOOST_TEST(refused.find("Retry-After: 1") != std::string::npos, refused);
    held.close();
    HttpResponse metrics;
    BOOST_REQUIRE(eventually([&] {
        metrics = HttpClient(p.port()).get("/metrics");
        if (metrics.status == 503) ++refusals;
        return metrics.status == 200;
    }));
    BOOST_TEST(
        metric_value(
            metrics.body,
            R"(omnivibe_http_requests_total{method="OTHER",route="refused",status="503"})") ==
            refusals,
        metrics.body);
    BOOST_TEST(eventually([&] {
        return logged_answers(p.output()).count(503) == static_cast<std::size_t>(refusals);
    }));
}

BOOST_AUTO_TEST_SUITE_END()
