#include <boost/test/unit_test.hpp>

#include "integration/api_helpers.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;

BOOST_AUTO_TEST_SUITE(content_api)

BOOST_AUTO_TEST_CASE(create_wraps_the_content_and_canonicalises_values) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    auto r =
        c.post("/api/v1/content-schedule",
               R"({"campaign_id":1,"topic":"Spring","platform":"tiktok","keywords":["a","b"]})");
    BOOST_TEST(r.status == 201);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_TEST(json_string(r.body, "/content/platform") == "TikTok");
    BOOST_TEST(json_string(r.body, "/content/status") == "draft");
    BOOST_TEST(json_raw(r.body, "/content/keywords") == R"(["a","b"])");
    auto got = c.get("/api/v1/content-schedule/1");
    BOOST_TEST(json_raw(got.body, "/content") == json_raw(r.body, "/content"));
}

BOOST_AUTO_TEST_CASE(keywords_default_to_an_empty_array) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    auto id = create_content(c, 1, "t");
    auto r = c.get("/api/v1/content-schedule/" + std::to_string(id));
    BOOST_TEST(json_raw(r.body, "/content/keywords") == "[]");
}

BOOST_AUTO_TEST_CASE(list_filters_by_campaign_platform_status_and_dates) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    create_campaign(c, 1, "T");
    create_content(c, 1, "a",
                   R"(,"platform":"Youtube","publish_date":"2026-02-01","status":"scheduled")");
    create_content(c, 1, "b", R"(,"platform":"Blog","publish_date":"2026-02-15")");
    create_content(c, 2, "c", R"(,"platform":"youtube","publish_date":"2026-03-01")");
    create_content(c, 2, "d");
    auto total = [&](std::string query) {
        auto r = c.get("/api/v1/content-schedule" + query);
        BOOST_REQUIRE_MESSAGE(r.status == 200, query + " -> " + r.body);
        BOOST_TEST(json_bool(r.body, "/success"));
        return json_int(r.body, "/total");
    };
    BOOST_TEST(total("") == 4);
    BOOST_TEST(total("?campaign_id=2") == 2);
    BOOST_TEST(total("?platform=YOUTUBE") == 2);
    BOOST_TEST(total("?status=scheduled") == 1);
    BOOST_TEST(total("?from=2026-02-01&to=2026-02-28") == 2);
    BOOST_TEST(total("?from=2026-02-10") == 2);  // undated content is excluded
    BOOST_TEST(total("?to=2026-02-01") == 1);
    BOOST_TEST(c.get("/api/v1/content-schedule?from=2026-02-30").status == 422);
    BOOST_TEST(c.get("/api/v1/content-schedule?platform=myspace").status == 422);
}

BOOST_AUTO_TEST_CASE(an_unknown_campaign_is_an_unknown_reference) {
    TestServer s;
    auto c = s.client();
    auto r = c.post("/api/v1/content-schedule", R"({"campaign_id":5,"topic":"t"})");
    BOOST_TEST(r.status == 422);
    BOOST_TEST(json_string(r.body, "/code") == "unknown_reference");
}

BOOST_AUTO_TEST_CASE(patch_and_delete_answer_in_the_wrapped_shape) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    create_campaign(c, 1, "T");
    auto id = std::to_string(create_content(c, 1, "t"));
    auto p = c.patch("/api/v1/content-schedule/" + id, R"({"status":"Published","campaign_id":2})");
    BOOST_TEST(p.status == 200);
    BOOST_TEST(json_string(p.body, "/content/status") == "published");
    BOOST_TEST(json_int(c.get("/api/v1/campaigns/2").body, "/content_count") == 1);
    BOOST_TEST(c.patch("/api/v1/content-schedule/" + id, R"({"campaign_id":9})").status == 422);
    auto d = c.del("/api/v1/content-schedule/" + id);
    BOOST_TEST(d.status == 200);
    BOOST_TEST(d.body == R"({"success":true,"id":)" + id + "}");
}

BOOST_AUTO_TEST_SUITE_END()
