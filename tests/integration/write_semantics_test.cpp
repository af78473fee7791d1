// Cross-cutting HTTP rules of SPEC sections 4 and 5: concurrency control,
// idempotency, error shapes, CORS, snapshot cursors, group commit, rebuilds.
#include <boost/test/unit_test.hpp>
#include <regex>
#include <thread>

#include "integration/api_helpers.hpp"
#include "integration/store_checks.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "store/store_fixture.hpp"
#include "support/eventually.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

BOOST_AUTO_TEST_SUITE(write_semantics)

BOOST_AUTO_TEST_CASE(if_match_guards_updates_and_deletes) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    BOOST_TEST(c.patch("/api/v1/clients/1", R"({"notes":"x"})", {{"If-Match", "\"1\""}}).status ==
               200);
    auto stale = c.patch("/api/v1/clients/1", R"({"notes":"y"})", {{"If-Match", "\"1\""}});
    BOOST_TEST(stale.status == 412);
    BOOST_TEST(json_string(stale.body, "/code") == "version_mismatch");
    BOOST_TEST(json_int(stale.body, "/current_version") == 2);
    BOOST_TEST(c.del("/api/v1/clients/1", {{"If-Match", "\"1\""}}).status == 412);
    BOOST_TEST(c.del("/api/v1/clients/1", {{"If-Match", "\"2\""}}).status == 200);
}

// A create is answered with the row it inserted, built from its event rather
// than read back (see projection::created_entity): byte for byte what a read
// of the entity gives, for every kind, with defaults, nulls, numbers, booleans,
// lists, imported-looking text and computed counts.
BOOST_AUTO_TEST_CASE(a_create_answers_exactly_what_a_read_then_gives) {
    TestServer s;
    auto c = s.client();
    struct Case {
        std::string post, body, get_prefix;
    };
    const Case cases[] = {
        {"/api/v1/clients",
         R"({"name":"Ünïcode \"quoted\" client","contact_email":"a@b.example","notes":null})",
         "/api/v1/clients/"},
        {"/api/v1/campaigns",
         R"({"client_id":1,"name":"Spring","bgm_volume":1,"auto_deploy":true,"target_duration":30,"start_date":"2026-03-01"})",
         "/api/v1/campaigns/"},
        {"/api/v1/campaigns", R"({"client_id":1,"name":"Defaults only"})", "/api/v1/campaigns/"},
        {"/api/v1/content-schedule",
         R"({"campaign_id":1,"topic":"Launch","keywords":["a","b c"],"publish_date":"2026-04-01","platform":"youtube"})",
         "/api/v1/content-schedule/"},
        {"/api/v1/content-schedule/1/storyboard/blocks", R"({"block_type":"intro"})",
         "/api/v1/storyboard/blocks/"},
        {"/api/v1/content-schedule/1/storyboard/blocks", R"({"block_type":"intro","position":0})",
         "/api/v1/storyboard/blocks/"},
        {"/api/v1/content-schedule/1/scripts", R"({"body":"Line one\nLine two","title":"T"})",
         "/api/v1/scripts/"},
    };
    for (const auto& k : cases) {
        auto created = c.post(k.post, k.body);
        BOOST_REQUIRE_MESSAGE(created.status == 201, k.post << ": " << created.body);
        // Some kinds come wrapped, as {"success":true,"content":{...}}.
        std::string id_at = "/id";
        if (created.body.rfind("{\"success\":true,\"", 0) == 0) {
            const std::size_t from = std::string_view("{\"success\":true,\"").size();
            id_at = "/" + created.body.substr(from, created.body.find('"', from) - from) + "/id";
        }
        const auto id = json_int(created.body, id_at);
        auto read = c.get(k.get_prefix + std::to_string(id));
        BOOST_TEST(read.status == 200);
        BOOST_TEST(read.body == created.body, k.post << " " << k.body);
        BOOST_TEST(read.header("ETag") == created.header("ETag"));
    }
}

BOOST_AUTO_TEST_CASE(if_none_match_answers_304) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto r = c.get("/api/v1/clients/1", {{"If-None-Match", "\"1\""}});
    BOOST_TEST(r.status == 304);
    BOOST_TEST(r.body.empty());
    BOOST_TEST(c.get("/api/v1/clients/1", {{"If-None-Match", "\"0\""}}).status == 200);
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_replays_without_writing_again) {
    TestServer s;
    auto c = s.client();
    auto first = c.post("/api/v1/clients", R"({"name":"A"})", {{"Idempotency-Key", "k1"}});
    BOOST_TEST(first.status == 201);
    auto again = c.post("/api/v1/clients", R"({"name":"A"})", {{"Idempotency-Key", "k1"}});
    BOOST_TEST(again.status == 201);
    BOOST_TEST(again.header("Idempotent-Replayed") == "true");
    BOOST_TEST(again.body == first.body);
    BOOST_TEST(again.header("X-Event-Seq") == "1");
    auto other = c.post("/api/v1/clients", R"({"name":"B"})", {{"Idempotency-Key", "k1"}});
    BOOST_TEST(other.status == 422);
    BOOST_TEST(json_string(other.body, "/code") == "idempotency_key_reused");
    BOOST_TEST(json_int(c.get("/api/v1/clients").body, "/total") == 1);
    auto too_long =
        c.post("/api/v1/clients", R"({"name":"C"})", {{"Idempotency-Key", std::string(201, 'k')}});
    BOOST_TEST(too_long.status == 422);
}

BOOST_AUTO_TEST_CASE(idempotency_keys_survive_a_restart) {
    TestServer s;
    {
        auto c = s.client();
        BOOST_TEST(
            c.post("/api/v1/clients", R"({"name":"A"})", {{"Idempotency-Key", "k"}}).status == 201);
    }
    s.restart();
    auto c = s.client();
    auto again = c.post("/api/v1/clients", R"({"name":"A"})", {{"Idempotency-Key", "k"}});
    BOOST_TEST(again.status == 201);
    BOOST_TEST(again.header("Idempotent-Replayed") == "true");
}

BOOST_AUTO_TEST_CASE(errors_have_the_one_json_shape) {
    TestServer s;
    auto c = s.client();
    auto malformed = c.post("/api/v1/clients", R"({"name":)");
    BOOST_TEST(malformed.status == 400);
    BOOST_TEST(json_string(malformed.body, "/code") == "malformed_json");
    BOOST_TEST(json_size(malformed.body, "/errors") == 0u);
    BOOST_TEST(json_string(malformed.body, "/request_id") == malformed.header("X-Request-Id"));
    auto utf8 = c.post("/api/v1/clients", "{\"name\":\"\xff\"}");
    BOOST_TEST(utf8.status == 400);
    auto media = c.post("/api/v1/clients", R"({"name":"A"})", {{"Content-Type", "text/plain"}});
    BOOST_TEST(media.status == 415);
    BOOST_TEST(json_string(media.body, "/code") == "unsupported_media_type");
    auto big = c.post("/api/v1/clients", R"({"name":")" + std::string(2 << 20, 'a') + "\"}");
    BOOST_TEST(big.status == 413);
    auto missing = c.get("/api/v1/nothing-here");
    BOOST_TEST(missing.status == 404);
    auto method = c.request("PUT", "/api/v1/clients/1", "{}");
    BOOST_TEST(method.status == 405);
    BOOST_TEST(method.header("Allow") == "GET, PATCH, DELETE");
    BOOST_TEST(json_string(method.body, "/code") == "method_not_allowed");
    // Nothing above was written.
    BOOST_TEST(c.get("/api/v1/clients").header("X-Event-Seq") == "0");
}

// Regression (bad-input corpus): a 404 echoing a path id of invalid UTF-8, or
// a 415 echoing the media type, was not valid JSON.
BOOST_AUTO_TEST_CASE(error_answers_stay_valid_json_when_they_echo_client_bytes) {
    TestServer s;
    auto c = s.client();
    auto id = c.get("/api/v1/clients/\xFF\xFE");
    BOOST_TEST(id.status == 404);
    BOOST_TEST(json_string(id.body, "/detail") == "No client with id \xEF\xBF\xBD\xEF\xBF\xBD.");
    auto media = c.post("/api/v1/clients", R"({"name":"A"})", {{"Content-Type", "text/\xFF"}});
    BOOST_TEST(media.status == 415);
    BOOST_TEST(json_has(media.body, "/detail"));
}

BOOST_AUTO_TEST_CASE(request_ids_are_echoed_or_generated) {
    TestServer s;
    auto c = s.client();
    BOOST_TEST(c.get("/api/v1/clients", {{"X-Request-Id", "abc-123"}}).header("X-Request-Id") ==
               "abc-123");
    BOOST_TEST(c.get("/api/v1/clients").header("X-Request-Id").size() == 16u);
}

BOOST_AUTO_TEST_CASE(cors_allows_the_configured_origin_only) {
    TestServer s;
    auto c = s.client();
    auto pre =
        c.request("OPTIONS", "/api/v1/clients", {},
                  {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "POST"}});
    BOOST_TEST(pre.status == 204);
    BOOST_TEST(pre.header("Access-Control-Allow-Origin") == "http://localhost:3000");
    BOOST_TEST(pre.header("Access-Control-Allow-Methods").find("PATCH") != std::string::npos);
    BOOST_TEST(pre.header("Access-Control-Allow-Credentials").empty());
    auto get = c.get("/api/v1/clients", {{"Origin", "http://localhost:3000"}});
    BOOST_TEST(get.header("Access-Control-Expose-Headers").find("X-Event-Seq") !=
               std::string::npos);
    auto evil = c.get("/api/v1/clients", {{"Origin", "http://evil.example"}});
    BOOST_TEST(evil.header("Access-Control-Allow-Origin").empty());
}

BOOST_AUTO_TEST_CASE(list_seq_is_the_head_of_the_same_snapshot) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        auto w = s.client();
        for (int i = 0; !stop && i < 400; ++i)
            w.post("/api/v1/clients", R"({"name":"c)" + std::to_string(i) + "\"}");
    });
    // Every client is one event, so in a consistent snapshot total == seq.
    for (int i = 0; i < 100; ++i) {
        auto r = c.get("/api/v1/clients?page_size=1");
        BOOST_REQUIRE(r.status == 200);
        BOOST_TEST(json_int(r.body, "/total") == json_int(r.body, "/seq"));
        BOOST_TEST(r.header("X-Event-Seq") == std::to_string(json_int(r.body, "/seq")));
    }
    stop = true;
    writer.join();
}

// Read-your-writes (SPEC section 4). The GET is sent before the write it
// names exists, and the write is made only once the server shows the GET
// waiting (the feed_waiters gauge): without the wait it would be a 404.
BOOST_AUTO_TEST_CASE(a_get_with_x_min_event_seq_waits_for_that_write) {
    TestServer s;
    auto c = s.client();
    HttpResponse read;
    std::thread reader([&] {
        auto r = s.client();
        read = r.get("/api/v1/clients/1", {{"X-Min-Event-Seq", "1"}});
    });
    BOOST_TEST(eventually([&] {
        return c.get("/metrics").body.find("\nomnivibe_feed_waiters 1\n") != std::string::npos;
    }));
    auto created = c.post("/api/v1/clients", R"({"name":"A"})");
    BOOST_REQUIRE(created.status == 201);
    BOOST_REQUIRE(created.header("X-Event-Seq") == "1");
    reader.join();
    BOOST_TEST(read.status == 200);
    BOOST_TEST(json_string(read.body, "/name") == "A");
    BOOST_TEST(std::stoll(read.header("X-Event-Seq")) >= 1);
}

BOOST_AUTO_TEST_CASE(a_get_with_a_reached_x_min_event_seq_answers_at_once) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto r = c.get("/api/v1/clients?page_size=1", {{"X-Min-Event-Seq", "1"}});
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_int(r.body, "/seq") >= 1);
    BOOST_TEST(c.get("/api/v1/clients/1", {{"X-Min-Event-Seq", "0"}}).status == 200);
}

BOOST_AUTO_TEST_CASE(x_min_event_seq_not_reached_in_time_is_503_with_retry_after) {
    TestServer s(
        [](http::ServerOptions& o) { o.service.min_seq_wait = std::chrono::milliseconds(50); });
    auto c = s.client();
    create_client(c, "A");
    auto r = c.get("/api/v1/clients/1", {{"X-Min-Event-Seq", "1000"}});
    BOOST_TEST(r.status == 503);
    BOOST_TEST(json_string(r.body, "/code") == "unavailable");
    BOOST_TEST(r.header("Retry-After") == "1");
    // The server goes on serving: the same read without the header answers.
    BOOST_TEST(c.get("/api/v1/clients/1").status == 200);
}

// Every read of the read tables waits for X-Min-Event-Seq (a rule each such
// route declares); the log and the feed have their own ways to wait.
BOOST_AUTO_TEST_CASE(every_read_of_the_read_tables_honours_x_min_event_seq) {
    TestServer s(
        [](http::ServerOptions& o) { o.service.min_seq_wait = std::chrono::milliseconds(20); });
    auto c = s.client();
    create_client(c, "A");
    std::size_t checked = 0;
    for (const auto& [method, pattern] : s.server().routes()) {
        if (method != http::Method::get || !pattern.starts_with("/api/v1/") ||
            pattern.starts_with("/api/v1/changes") || pattern.starts_with("/api/v1/events"))
            continue;
        const std::string path = std::regex_replace(pattern, std::regex("\\{[^}]+\\}"), "1");
        BOOST_TEST_CONTEXT(path) {
            BOOST_TEST(c.get(path, {{"X-Min-Event-Seq", "1000"}}).status == 503);
        }
        ++checked;
    }
    BOOST_TEST(checked >= 15);  // entities, lists, storyboard, scripts, resources, history
}

BOOST_AUTO_TEST_CASE(a_malformed_x_min_event_seq_is_422_naming_it) {
    TestServer s;
    auto c = s.client();
    for (const char* bad : {"-1", "abc", "1.5", "99999999999999999999"}) {
        BOOST_TEST_CONTEXT(bad) {
            auto r = c.get("/api/v1/clients", {{"X-Min-Event-Seq", bad}});
            BOOST_TEST(r.status == 422);
            BOOST_TEST(json_string(r.body, "/code") == "validation_failed");
            BOOST_TEST(json_string(r.body, "/errors/0/field") == "X-Min-Event-Seq");
        }
    }
}

BOOST_AUTO_TEST_CASE(concurrent_writers_are_group_committed) {
    TestServer s;
    constexpr int kWriters = 64, kEach = 20;
    std::vector<std::thread> threads;
    std::atomic<int> created{0};
    for (int t = 0; t < kWriters; ++t)
        threads.emplace_back([&, t] {
            auto c = s.client();
            for (int i = 0; i < kEach; ++i) {
                auto r = c.post("/api/v1/clients", R"({"name":"w)" + std::to_string(t) + "-" +
                                                       std::to_string(i) + "\"}");
                if (r.status == 201) ++created;
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(created.load() == kWriters * kEach);
    const auto& stats = s.server().service().writer.stats();
    BOOST_TEST(stats.commands.load() == static_cast<std::uint64_t>(kWriters * kEach));
    BOOST_TEST_MESSAGE("64 writers: " << stats.commands.load() << " commands in "
                                      << stats.batches.load() << " transactions, largest batch "
                                      << stats.max_batch_size.load());
    auto c = s.client();
    BOOST_TEST(json_int(c.get("/api/v1/clients").body, "/total") == kWriters * kEach);
}

BOOST_AUTO_TEST_CASE(the_read_tables_equal_a_rebuild_from_the_log) {
    TestServer s;
    {
        auto c = s.client();
        create_client(c, "A");
        create_client(c, "B");
        create_campaign(c, 1, "S", R"(,"status":"active","bgm_volume":0.7)");
        create_campaign(c, 2, "T");
        create_content(c, 1, "x", R"(,"keywords":["k"],"publish_date":"2026-02-02")");
        create_content(c, 2, "y");
        c.patch("/api/v1/campaigns/1", R"({"name":"S2","auto_deploy":true})");
        c.patch("/api/v1/content-schedule/1", R"({"campaign_id":2})");
        c.del("/api/v1/campaigns/1");
        c.patch("/api/v1/clients/2", R"({"notes":"n"})");
        c.del("/api/v1/clients/1");
    }
    s.server().stop();
    const auto tables = live_and_rebuilt(s.db_path());
    BOOST_TEST(tables.rebuilt == tables.live);
}

BOOST_AUTO_TEST_SUITE_END()
