// Operations and security: health, metrics, the API description, tokens and
// scopes, and the limits that protect the service (SPEC sections 5 and 7).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <simdjson.h>

#include "integration/api_helpers.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/store/db.hpp"
#include "support/sse_client.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

// Three tokens, one per scope; the file holds only their hashes.
struct TokenFixture {
    TempDir dir;
    std::string file = dir.file("tokens");
    TokenFixture() {
        std::ofstream out(file);
        out << "# name scopes sha256\n"
            << "reader read " << sha256_hex("reader-secret") << "\n"
            << "writer write " << sha256_hex("writer-secret") << "  # CI job\n"
            << "admin read,admin " << sha256_hex("admin-secret") << "\n";
    }
};

HttpClient::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// The value of one sample line of a Prometheus exposition, or -1.
double metric_value(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return -1;
}

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

BOOST_AUTO_TEST_CASE(metrics_count_requests_events_and_batches) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_client(c, "B");
    auto m = c.get("/metrics");
    BOOST_TEST(m.status == 200);
    BOOST_TEST(m.header("Content-Type").find("text/plain") == 0u);
    BOOST_TEST(metric_value(m.body, R"(omnivibe_http_requests_total{method="POST",route="/api/v1/clients",status="201"})") == 2);
    BOOST_TEST(metric_value(m.body, R"(omnivibe_events_appended_total{type="client.created"})") == 2);
    BOOST_TEST(metric_value(m.body, "omnivibe_log_head") == 2);
    BOOST_TEST(metric_value(m.body, "omnivibe_writer_commands_total") == 2);
    BOOST_TEST(metric_value(m.body, R"(omnivibe_http_request_duration_seconds_count{route="/api/v1/clients"})") == 2);
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
    for (const auto& route : served) BOOST_TEST(described.count(route) == 1u, "undocumented: " + route);
    for (const auto& route : described) BOOST_TEST(served.count(route) == 1u, "not served: " + route);
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

BOOST_AUTO_TEST_SUITE(auth)

BOOST_AUTO_TEST_CASE(no_or_bad_token_is_401_everywhere_but_health_and_preflight) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    auto c = s.client();
    for (const char* path : {"/api/v1/clients", "/api/v1/nothing", "/metrics", "/docs"}) {
        BOOST_TEST_CONTEXT(path) {
            auto r = c.get(path);
            BOOST_TEST(r.status == 401);
            BOOST_TEST(r.header("WWW-Authenticate") == "Bearer");
            BOOST_TEST(json_string(r.body, "/code") == "unauthorized");
            BOOST_TEST(c.get(path, bearer("wrong-secret")).status == 401);
        }
    }
    BOOST_TEST(c.get("/healthz").status == 200);
    BOOST_TEST(c.get("/readyz").status == 200);
    auto pre = c.request("OPTIONS", "/api/v1/clients", {},
                         {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "POST"}});
    BOOST_TEST(pre.status == 204);
}

BOOST_AUTO_TEST_CASE(scopes_grant_read_write_and_admin) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    auto c = s.client();
    BOOST_TEST(c.get("/api/v1/clients", bearer("reader-secret")).status == 200);
    auto denied = c.post("/api/v1/clients", R"({"name":"A"})", bearer("reader-secret"));
    BOOST_TEST(denied.status == 403);
    BOOST_TEST(json_string(denied.body, "/code") == "forbidden");
    BOOST_TEST(c.post("/api/v1/clients", R"({"name":"A"})", bearer("writer-secret")).status == 201);
    BOOST_TEST(c.get("/api/v1/clients/1", bearer("writer-secret")).status == 200);
    BOOST_TEST(c.get("/metrics", bearer("writer-secret")).status == 403);
    BOOST_TEST(c.get("/metrics", bearer("admin-secret")).status == 200);
    BOOST_TEST(c.patch("/api/v1/clients/1", R"({"notes":"n"})", bearer("admin-secret")).status == 200);
}

// Every route the router serves, by its class: what no token, a read token and
// a write token get. Placeholders become 1: authorization comes before routing
// to the entity, so a missing one still answers 401/403, never 404.
BOOST_AUTO_TEST_CASE(every_route_needs_its_scope) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    auto c = s.client();
    std::size_t checked = 0;
    for (const auto& [method, pattern] : s.server().routes()) {
        std::string path = std::regex_replace(pattern, std::regex("\\{[^}]+\\}"), "1");
        const std::string m(http::to_string(method));
        const bool health = path == "/healthz" || path == "/readyz";
        const bool admin = path == "/metrics" || path.starts_with("/api/v1/events") ||
                           path.find("/history") != std::string::npos;
        const bool read = m == "GET" || m == "HEAD";
        BOOST_TEST_CONTEXT(m << " " << path) {
            if (path.starts_with("/api/v1/changes")) continue;  // a stream: the feed test covers it
            const int anonymous = c.request(m, path, {}).status;
            if (health) {
                BOOST_TEST(anonymous == 200);
                continue;
            }
            BOOST_TEST(anonymous == 401);
            BOOST_TEST(c.request(m, path, {}, bearer("wrong-secret")).status == 401);
            const int as_reader = c.request(m, path, {}, bearer("reader-secret")).status;
            if (admin || !read)
                BOOST_TEST(as_reader == 403);
            else
                BOOST_TEST((as_reader != 401 && as_reader != 403));
            const int as_writer = c.request(m, path, {}, bearer("writer-secret")).status;
            if (admin)
                BOOST_TEST(as_writer == 403);
            else
                BOOST_TEST((as_writer != 401 && as_writer != 403));
            ++checked;
        }
    }
    BOOST_TEST(checked > 30u);
}

BOOST_AUTO_TEST_CASE(an_upload_without_a_token_is_refused_before_its_body_is_read) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    auto c = s.client();
    BOOST_REQUIRE(c.post("/api/v1/clients", R"({"name":"A"})", bearer("writer-secret")).status == 201);
    BOOST_REQUIRE(c.post("/api/v1/campaigns", R"({"client_id":1,"name":"C"})",
                         bearer("writer-secret"))
                      .status == 201);
    const std::string mp4("\0\0\0\x18" "ftypisom\0\0\x02\0isomiso2", 24);
    for (const char* token : {"", "reader-secret"}) {
        BOOST_TEST_CONTEXT("token '" << token << "'") {
            HttpClient::Headers h{{"Content-Type", "video/mp4"}};
            if (*token) h.emplace_back("Authorization", std::string("Bearer ") + token);
            // As curl sends a large file: the head first. The refusal must come
            // instead of "100 Continue", before a byte of the body is read.
            bool continued = true;
            auto r = HttpClient::send_expecting_continue(
                s.port(), "PUT", "/api/v1/campaigns/1/resources/intro", h, mp4, continued);
            BOOST_TEST(r.status == (*token ? 403 : 401));
            BOOST_TEST(!continued);
        }
    }
    std::size_t stored = 0;
    if (std::filesystem::exists(s.dir().file("uploads")))
        for (const auto& e : std::filesystem::recursive_directory_iterator(s.dir().file("uploads")))
            stored += e.is_regular_file();
    BOOST_TEST(stored == 0u);
    auto ok = c.request("PUT", "/api/v1/campaigns/1/resources/intro", mp4,
                        {{"Content-Type", "video/mp4"}, {"Authorization", "Bearer writer-secret"}});
    BOOST_TEST(ok.status == 201);
}

BOOST_AUTO_TEST_CASE(the_token_name_is_the_actor_of_events) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    {
        auto c = s.client();
        BOOST_TEST(c.post("/api/v1/clients", R"({"name":"A"})", bearer("writer-secret")).status == 201);
        BOOST_TEST(c.patch("/api/v1/clients/1", R"({"notes":"n"})", bearer("admin-secret")).status == 200);
    }
    auto db = std::move(store::Db::open(s.db_path(), store::OpenMode::read_only)).value();
    store::Stmt q(db->handle(), "SELECT json_extract(meta, '$.actor') FROM events ORDER BY seq");
    BOOST_REQUIRE(q.step());
    BOOST_TEST(q.column_text(0) == "writer");
    BOOST_REQUIRE(q.step());
    BOOST_TEST(q.column_text(0) == "admin");
}

BOOST_AUTO_TEST_CASE(access_token_in_the_query_is_for_the_feed_only) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    auto c = s.client();
    BOOST_TEST(c.get("/api/v1/clients?access_token=reader-secret").status == 401);
    BOOST_TEST(c.get("/api/v1/events?access_token=admin-secret").status == 401);
}

BOOST_AUTO_TEST_CASE(the_feed_takes_its_token_in_the_query) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    // EventSource cannot send headers: a read token in the query opens the feed.
    SseClient feed(s.port(), "/api/v1/changes?since=0&access_token=reader-secret");
    BOOST_REQUIRE(feed.status() == 200);
    auto hello = feed.next();
    BOOST_REQUIRE(hello.has_value());
    BOOST_TEST(hello->event == "hello");

    auto c = s.client();
    BOOST_TEST(c.post("/api/v1/clients", R"({"name":"A"})", bearer("writer-secret")).status == 201);
    auto created = feed.next();
    BOOST_REQUIRE(created.has_value());
    BOOST_TEST(created->event == "client.created");
    BOOST_TEST(created->seq() == 1);
    BOOST_TEST(json_string(created->data, "/actor") == "writer");

    for (const char* target : {"/api/v1/changes?since=0", "/api/v1/changes?access_token=wrong",
                               "/api/v1/changes?access_token="}) {
        BOOST_TEST_CONTEXT(target) {
            SseClient refused(s.port(), target);
            BOOST_TEST(refused.status() == 401);
            BOOST_TEST(json_string(refused.body(), "/code") == "unauthorized");
        }
    }
    // The header works on the feed too, and a token's scope still counts.
    SseClient with_header(s.port(), "/api/v1/changes",
                          {{{"Authorization", "Bearer reader-secret"}}});
    BOOST_TEST(with_header.status() == 200);
}

BOOST_AUTO_TEST_CASE(a_malformed_token_file_stops_the_start) {
    TempDir dir;
    std::ofstream(dir.file("tokens")) << "ci write not-a-hash\n";
    BOOST_CHECK_THROW(TestServer([&](http::ServerOptions& o) { o.tokens_file = dir.file("tokens"); }),
                      std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_public_address_needs_tokens_or_allow_anonymous) {
    BOOST_CHECK_THROW(TestServer([](http::ServerOptions& o) { o.host = "0.0.0.0"; }), std::runtime_error);
    TestServer open([](http::ServerOptions& o) {
        o.host = "0.0.0.0";
        o.allow_anonymous = true;
    });
    BOOST_TEST(open.client().get("/healthz").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(connection_limits)

namespace net = boost::asio;
using tcp = net::ip::tcp;

// True when the server closes the socket (EOF or reset) within `seconds`.
bool closed_by_server(tcp::socket& sock, int seconds) {
    sock.non_blocking(false);
    timeval tv{seconds, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512];
    boost::system::error_code ec;
    for (;;) {
        sock.read_some(net::buffer(buf), ec);
        if (ec == net::error::eof || ec == net::error::connection_reset) return true;
        if (ec) return false;  // timed out: still open
    }
}

BOOST_AUTO_TEST_CASE(idle_and_half_sent_connections_time_out_while_others_are_served) {
    TempDir dir;
    ServerProcess p(dir.file("db"), dir.file("up"),
                    {"--header-timeout", "1", "--idle-timeout", "1", "--max-connections", "2000"});
    net::io_context ioc;
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), p.port());
    std::vector<tcp::socket> idle;
    for (int i = 0; i < 500; ++i) {
        idle.emplace_back(ioc);
        idle.back().connect(ep);
    }
    tcp::socket half(ioc);
    half.connect(ep);
    net::write(half, net::buffer(std::string("POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"na")));
    HttpClient c(p.port());
    BOOST_TEST(c.post("/api/v1/clients", R"({"name":"served"})").status == 201);
    BOOST_TEST(closed_by_server(half, 15));
    int closed = 0;
    for (auto& sock : idle) closed += closed_by_server(sock, 15) ? 1 : 0;
    BOOST_TEST(closed == 500);
    BOOST_TEST(HttpClient(p.port()).get("/api/v1/clients").status == 200);
    // The half-sent request wrote nothing.
    BOOST_TEST(json_int(HttpClient(p.port()).get("/api/v1/clients").body, "/total") == 1);
}

BOOST_AUTO_TEST_CASE(the_header_limit_is_configurable_and_answered_431) {
    TempDir dir;
    ServerProcess p(dir.file("db"), dir.file("up"), {"--max-header-kb", "2"});
    const std::string small = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(1000, 'a') +
                              "\r\nConnection: close\r\n\r\n";
    BOOST_TEST(HttpClient::raw_exchange(p.port(), small).rfind("HTTP/1.1 200", 0) == 0);
    const std::string big = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'a') +
                            "\r\nConnection: close\r\n\r\n";
    const std::string answer = HttpClient::raw_exchange(p.port(), big);
    BOOST_TEST(answer.rfind("HTTP/1.1 431", 0) == 0, answer);
    // Out of range is a usage error at start.
    check_server_refuses("--max-header-kb 0 --port 0 --db " + dir.file("x.db"), "--max-header-kb");
}

BOOST_AUTO_TEST_CASE(the_response_cache_can_be_turned_off) {
    TempDir dir;
    ServerProcess p(dir.file("db"), dir.file("up"), {"--response-cache-mb", "0"});
    HttpClient c(p.port());
    BOOST_REQUIRE(c.post("/api/v1/clients", R"({"name":"Acme"})").status == 201);
    const auto first = c.get("/api/v1/clients/1");
    const auto again = c.get("/api/v1/clients/1");
    BOOST_TEST(again.body == first.body);
    BOOST_TEST(c.get("/api/v1/clients").status == 200);
    BOOST_TEST(c.get("/api/v1/clients").status == 200);
    const std::string metrics = c.get("/metrics").body;
    BOOST_TEST(metrics.find("\nomnivibe_response_cache_hits_total 0\n") != std::string::npos, metrics);
    check_server_refuses("--response-cache-mb 5000 --port 0 --db " + dir.file("x.db"),
                         "--response-cache-mb");
}

BOOST_AUTO_TEST_CASE(the_connection_cap_answers_503_and_closes) {
    TempDir dir;
    ServerProcess p(dir.file("db"), dir.file("up"), {"--max-connections", "20"});
    net::io_context ioc;
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), p.port());
    std::vector<tcp::socket> held;
    for (int i = 0; i < 20; ++i) {
        held.emplace_back(ioc);
        held.back().connect(ep);
    }
    // Let the server accept all twenty before the next one knocks.
    BOOST_TEST(HttpClient::raw_exchange(p.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("503") != std::string::npos);
    held.clear();
    bool served = false;
    for (int attempt = 0; attempt < 100 && !served; ++attempt) {
        served = HttpClient::raw_exchange(p.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                     .find("200 OK") != std::string::npos;
        if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_TEST(served);
}

BOOST_AUTO_TEST_SUITE_END()
