// Security: bearer tokens and their scopes, checked per route (SPEC section 7).
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "integration/api_helpers.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/store/sqlite_db.hpp"
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

HttpClient::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
}

}  // namespace

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
    auto pre =
        c.request("OPTIONS", "/api/v1/clients", {},
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
    BOOST_TEST(c.patch("/api/v1/clients/1", R"({"notes":"n"})", bearer("admin-secret")).status ==
               200);
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
    BOOST_REQUIRE(c.post("/api/v1/clients", R"({"name":"A"})", bearer("writer-secret")).status ==
                  201);
    BOOST_REQUIRE(
        c.post("/api/v1/campaigns", R"({"client_id":1,"name":"C"})", bearer("writer-secret"))
            .status == 201);
    const std::string mp4(
        "\0\0\0\x18"
        "ftypisom\0\0\x02\0isomiso2",
        24);
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
    const auto stored = [&] {
        std::size_t files = 0;
        if (std::filesystem::exists(s.dir().file("uploads")))
            for (const auto& e :
                 std::filesystem::recursive_directory_iterator(s.dir().file("uploads")))
                files += e.is_regular_file();
        return files;
    };
    BOOST_TEST(stored() == 0u);
    auto ok = c.request("PUT", "/api/v1/campaigns/1/resources/intro", mp4,
                        {{"Content-Type", "video/mp4"}, {"Authorization", "Bearer writer-secret"}});
    BOOST_TEST(ok.status == 201);
    // The count looks where uploads land: the accepted one is there, so the
    // zero above was not a look into an empty or wrong folder.
    BOOST_TEST(stored() == 1u);
}

BOOST_AUTO_TEST_CASE(the_token_name_is_the_actor_of_events) {
    TokenFixture t;
    TestServer s([&](http::ServerOptions& o) { o.tokens_file = t.file; });
    {
        auto c = s.client();
        BOOST_TEST(c.post("/api/v1/clients", R"({"name":"A"})", bearer("writer-secret")).status ==
                   201);
        BOOST_TEST(
            c.patch("/api/v1/clients/1", R"({"notes":"n"})", bearer("admin-secret")).status == 200);
    }
    auto db = open_store(s.db_path());
    store::EventQuery all;
    const auto events = store::read_events(*db, all);
    BOOST_REQUIRE(events.size() == 2);
    BOOST_TEST(events[0].actor == "writer");
    BOOST_TEST(events[1].actor == "admin");
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
    BOOST_CHECK_THROW(
        TestServer([&](http::ServerOptions& o) { o.tokens_file = dir.file("tokens"); }),
        std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_public_address_needs_tokens_or_allow_anonymous) {
    BOOST_CHECK_THROW(TestServer([](http::ServerOptions& o) { o.host = "0.0.0.0"; }),
                      std::runtime_error);
    TestServer open([](http::ServerOptions& o) {
        o.host = "0.0.0.0";
        o.allow_anonymous = true;
    });
    BOOST_TEST(open.client().get("/healthz").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
