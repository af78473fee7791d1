#include <boost/test/unit_test.hpp>

#include "integration/api_helpers.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;

BOOST_AUTO_TEST_SUITE(campaigns_api)

BOOST_AUTO_TEST_CASE(create_fills_defaults_and_counts_content) {
    TestServer s;
    auto c = s.client();
    auto client = create_client(c, "A");
    auto r = c.post("/api/v1/campaigns", R"({"client_id":1,"name":"Spring","bgm_volume":1})");
    BOOST_TEST(r.status == 201);
    BOOST_TEST(json_string(r.body, "/status") == "draft");
    BOOST_TEST(json_number(r.body, "/bgm_volume") == 1.0);
    BOOST_TEST(json_bool(r.body, "/auto_deploy") == false);
    BOOST_TEST(json_int(r.body, "/content_count") == 0);
    BOOST_TEST(json_is_null(r.body, "/intro_video_path"));
    create_content(c, 1, "t1");
    create_content(c, 1, "t2");
    BOOST_TEST(json_int(c.get("/api/v1/campaigns/1").body, "/content_count") == 2);
    BOOST_TEST(
        json_int(c.get("/api/v1/clients/" + std::to_string(client)).body, "/campaign_count") == 1);
}

BOOST_AUTO_TEST_CASE(an_unknown_client_is_an_unknown_reference) {
    TestServer s;
    auto c = s.client();
    auto r = c.post("/api/v1/campaigns", R"({"client_id":42,"name":"x"})");
    BOOST_TEST(r.status == 422);
    BOOST_TEST(json_string(r.body, "/code") == "unknown_reference");
    BOOST_TEST(error_fields(r.body) == std::vector<std::string>{"client_id"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(validation_lists_every_bad_field) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto r =
        c.post("/api/v1/campaigns",
               R"({"client_id":1,"name":"","status":"nope","bgm_volume":1.5,"target_duration":0,
                        "start_date":"2026-04-01","end_date":"2026-02-31","concept_gender":"x"})");
    BOOST_TEST(r.status == 422);
    BOOST_TEST(json_string(r.body, "/code") == "validation_failed");
    BOOST_TEST(json_size(r.body, "/errors") == 6u);
    auto order =
        c.post("/api/v1/campaigns",
               R"({"client_id":1,"name":"n","start_date":"2026-04-01","end_date":"2026-02-01"})");
    BOOST_TEST(order.status == 422);
    BOOST_TEST(error_fields(order.body) == std::vector<std::string>{"end_date"},
               boost::test_tools::per_element());
    // The rule also holds against the stored value when only one date is patched.
    auto id = create_campaign(c, 1, "dated", R"(,"start_date":"2026-04-01")");
    auto patch = c.patch("/api/v1/campaigns/" + std::to_string(id), R"({"end_date":"2026-03-01"})");
    BOOST_TEST(patch.status == 422);
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_rejected_by_name) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto r = c.post("/api/v1/campaigns", R"({"client_id":1,"name":"n","colour":"red"})");
    BOOST_TEST(r.status == 422);
    BOOST_TEST(json_string(r.body, "/detail") == "Unknown field: colour.");
}

BOOST_AUTO_TEST_CASE(list_filters_search_sorts_and_pages) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_client(c, "B");
    create_campaign(c, 1, "Spring sale", R"(,"status":"active")");
    create_campaign(c, 1, "Summer", R"(,"status":"paused")");
    create_campaign(c, 2, "spring launch", R"(,"status":"active")");
    create_campaign(c, 2, "Autumn");

    auto by_client = c.get("/api/v1/campaigns?client_id=2");
    BOOST_TEST(json_int(by_client.body, "/total") == 2);
    auto active = c.get("/api/v1/campaigns?status=active");
    BOOST_TEST(json_int(active.body, "/total") == 2);
    auto q = c.get("/api/v1/campaigns?q=SPRING");
    BOOST_TEST(json_int(q.body, "/total") == 2);
    auto by_name = c.get("/api/v1/campaigns?sort=name");
    BOOST_TEST(json_string(by_name.body, "/campaigns/0/name") == "Autumn");
    auto desc = c.get("/api/v1/campaigns?sort=-id&page=2&page_size=3");
    BOOST_TEST(json_int(desc.body, "/total") == 4);
    BOOST_TEST(json_int(desc.body, "/page") == 2);
    BOOST_TEST(json_size(desc.body, "/campaigns") == 1u);
    BOOST_TEST(json_int(desc.body, "/campaigns/0/id") == 1);
}

BOOST_AUTO_TEST_CASE(bad_list_parameters_are_422) {
    TestServer s;
    auto c = s.client();
    for (const char* query : {"?page=0", "?page_size=101", "?page_size=x", "?sort=colour",
                              "?status=nope", "?client_id=abc"}) {
        BOOST_TEST_CONTEXT(query) {
            auto r = c.get(std::string("/api/v1/campaigns") + query);
            BOOST_TEST(r.status == 422);
            BOOST_TEST(json_string(r.body, "/code") == "validation_failed");
        }
    }
}

BOOST_AUTO_TEST_CASE(schedule_orders_by_publish_date_then_id) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    create_content(c, 1, "late", R"(,"publish_date":"2026-03-01")");
    create_content(c, 1, "undated");
    create_content(c, 1, "early", R"(,"publish_date":"2026-02-01")");
    create_content(c, 1, "early too", R"(,"publish_date":"2026-02-01")");
    auto r = c.get("/api/v1/campaigns/1/schedule");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_TEST(json_string(r.body, "/contents/0/topic") == "early");
    BOOST_TEST(json_string(r.body, "/contents/1/topic") == "early too");
    BOOST_TEST(json_string(r.body, "/contents/2/topic") == "late");
    BOOST_TEST(json_string(r.body, "/contents/3/topic") == "undated");
    BOOST_TEST(c.get("/api/v1/campaigns/7/schedule").status == 404);
}

BOOST_AUTO_TEST_CASE(deleting_a_campaign_deletes_its_content_in_the_log) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    create_content(c, 1, "a");
    create_content(c, 1, "b");
    auto r = c.del("/api/v1/campaigns/1");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.header("X-Event-Seq") == "7");  // 4 creations, 2 content.deleted, campaign.deleted
    BOOST_TEST(c.get("/api/v1/content-schedule/1").status == 404);
    BOOST_TEST(json_int(c.get("/api/v1/content-schedule").body, "/total") == 0);
    BOOST_TEST(json_int(c.get("/api/v1/clients/1").body, "/campaign_count") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// GET answers are reused while the log head stays (see ResponseCache): a
// repeat is byte-identical and counted as a hit, and any write, even to
// another table (a content item changes a campaign's content_count), gives a
// fresh answer.
BOOST_AUTO_TEST_SUITE(answers_cached_per_head)

double counter(HttpClient& c, const std::string& name) {
    const std::string text = c.get("/metrics").body;
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

// A server holding client 1 and its campaign 1.
struct OneCampaign {
    TestServer s;
    HttpClient c = s.client();
    OneCampaign() {
        create_client(c, "A");
        create_campaign(c, 1, "Spring");
    }
};

BOOST_FIXTURE_TEST_CASE(a_repeat_is_served_from_the_cache_until_the_next_write, OneCampaign) {
    const std::string target = "/api/v1/campaigns?sort=name";
    auto first = c.get(target);
    const double hits = counter(c, "omnivibe_response_cache_hits_total");
    auto again = c.get(target);
    BOOST_TEST(again.body == first.body);
    BOOST_TEST(again.header("X-Event-Seq") == first.header("X-Event-Seq"));
    BOOST_TEST(counter(c, "omnivibe_response_cache_hits_total") == hits + 1);

    create_content(c, 1, "t1");
    auto after = c.get(target);
    BOOST_TEST(json_int(after.body, "/campaigns/0/content_count") == 1);
    BOOST_TEST(json_int(after.body, "/seq") == json_int(first.body, "/seq") + 1);
    BOOST_TEST(after.header("X-Event-Seq") == std::to_string(json_int(after.body, "/seq")));
    // Another target at the same head is its own page.
    auto page2 = c.get("/api/v1/campaigns?sort=name&page=2");
    BOOST_TEST(json_int(page2.body, "/page") == 2);
    BOOST_TEST(c.get("/api/v1/campaigns/1/schedule").body.find("\"t1\"") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(an_entity_repeat_is_a_hit_with_its_etag_and_a_write_is_seen_at_once,
                        OneCampaign) {
    const std::string target = "/api/v1/campaigns/1";
    auto first = c.get(target);
    BOOST_TEST(first.status == 200);
    const double hits = counter(c, "omnivibe_response_cache_hits_total");
    auto again = c.get(target);
    BOOST_TEST(again.body == first.body);
    BOOST_TEST(again.header("ETag") == first.header("ETag"));
    BOOST_TEST(again.header("X-Event-Seq") == first.header("X-Event-Seq"));
    BOOST_TEST(counter(c, "omnivibe_response_cache_hits_total") == hits + 1);
    // A kept answer still honours If-None-Match.
    auto unchanged = c.get(target, {{"If-None-Match", first.header("ETag")}});
    BOOST_TEST(unchanged.status == 304);
    BOOST_TEST(unchanged.body.empty());
    BOOST_TEST(counter(c, "omnivibe_response_cache_hits_total") == hits + 2);

    // A write is seen by the very next read, over and over (read your writes).
    for (int i = 0; i < 50; ++i) {
        const std::string name = "Renamed " + std::to_string(i);
        auto patched = c.patch(target, "{\"name\":\"" + name + "\"}");
        BOOST_REQUIRE(patched.status == 200);
        auto read = c.get(target);
        BOOST_TEST(json_string(read.body, "/name") == name);
        BOOST_TEST(read.header("ETag") == patched.header("ETag"));
        BOOST_TEST(read.header("X-Event-Seq") == patched.header("X-Event-Seq"));
    }
    // A write elsewhere moves the head: the answer is rendered again, with the
    // count the new content item changed.
    create_content(c, 1, "t1");
    auto after = c.get(target);
    BOOST_TEST(json_int(after.body, "/content_count") == 1);
    BOOST_TEST(std::stoll(after.header("X-Event-Seq")) > std::stoll(first.header("X-Event-Seq")));
    // A missing entity is a 404 every time, never kept.
    BOOST_TEST(c.get("/api/v1/campaigns/99").status == 404);
    BOOST_TEST(c.get("/api/v1/campaigns/99").status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
