#include <boost/test/unit_test.hpp>

#include "integration/api_helpers.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;

BOOST_AUTO_TEST_SUITE(clients_api)

BOOST_AUTO_TEST_CASE(create_returns_201_with_the_object_etag_and_seq) {
    TestServer s;
    auto c = s.client();
    auto r = c.post("/api/v1/clients", R"({"name":"밝은눈 안과","contact_email":"a@b.co"})");
    BOOST_TEST(r.status == 201);
    BOOST_TEST(r.header("ETag") == "\"1\"");
    BOOST_TEST(r.header("X-Event-Seq") == "1");
    BOOST_TEST(!r.header("X-Request-Id").empty());
    BOOST_TEST(json_int(r.body, "/id") == 1);
    BOOST_TEST(json_string(r.body, "/name") == "밝은눈 안과");
    BOOST_TEST(json_int(r.body, "/version") == 1);
    BOOST_TEST(json_int(r.body, "/campaign_count") == 0);
    BOOST_TEST(json_string(r.body, "/created_at").size() == 24u);
    BOOST_TEST(json_is_null(r.body, "/industry"));
}

BOOST_AUTO_TEST_CASE(get_list_patch_and_delete) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_client(c, "B");
    auto list = c.get("/api/v1/clients");
    BOOST_TEST(list.status == 200);
    BOOST_TEST(json_size(list.body, "/clients") == 2u);
    BOOST_TEST(json_int(list.body, "/total") == 2);
    BOOST_TEST(json_int(list.body, "/page") == 1);
    BOOST_TEST(json_int(list.body, "/page_size") == 20);
    BOOST_TEST(json_int(list.body, "/seq") == 2);
    BOOST_TEST(list.header("X-Event-Seq") == "2");

    auto one = c.get("/api/v1/clients/2/");
    BOOST_TEST(one.status == 200);
    BOOST_TEST(json_string(one.body, "/name") == "B");

    auto patched = c.patch("/api/v1/clients/2", R"({"industry":"tech"})");
    BOOST_TEST(patched.status == 200);
    BOOST_TEST(json_string(patched.body, "/industry") == "tech");
    BOOST_TEST(json_int(patched.body, "/version") == 2);
    BOOST_TEST(patched.header("ETag") == "\"2\"");

    auto deleted = c.del("/api/v1/clients/2");
    BOOST_TEST(deleted.status == 200);
    BOOST_TEST(deleted.body == R"({"success":true,"id":2})");
    BOOST_TEST(c.get("/api/v1/clients/2").status == 404);
    BOOST_TEST(c.del("/api/v1/clients/2").status == 404);
}

BOOST_AUTO_TEST_CASE(names_are_unique_ignoring_case) {
    TestServer s;
    auto c = s.client();
    create_client(c, "Acme");
    auto r = c.post("/api/v1/clients", R"({"name":"ACME"})");
    BOOST_TEST(r.status == 409);
    BOOST_TEST(json_string(r.body, "/code") == "conflict");
}

BOOST_AUTO_TEST_CASE(a_client_with_campaigns_cannot_be_deleted) {
    TestServer s;
    auto c = s.client();
    auto client = create_client(c, "Acme");
    create_campaign(c, client, "S");
    auto r = c.del("/api/v1/clients/1");
    BOOST_TEST(r.status == 409);
    BOOST_TEST(json_string(r.body, "/code") == "conflict");
    BOOST_TEST(json_int(c.get("/api/v1/clients/1").body, "/campaign_count") == 1);
}

BOOST_AUTO_TEST_CASE(campaigns_of_a_client) {
    TestServer s;
    auto c = s.client();
    auto a = create_client(c, "A");
    auto b = create_client(c, "B");
    create_campaign(c, a, "a1");
    create_campaign(c, b, "b1");
    create_campaign(c, a, "a2");
    auto r = c.get("/api/v1/clients/1/campaigns");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_int(r.body, "/total") == 2);
    BOOST_TEST(json_string(r.body, "/campaigns/1/name") == "a2");
    BOOST_TEST(c.get("/api/v1/clients/9/campaigns").status == 404);
}

BOOST_AUTO_TEST_CASE(bad_ids_are_404_not_500) {
    TestServer s;
    auto c = s.client();
    for (const char* path : {"/api/v1/clients/abc", "/api/v1/clients/0", "/api/v1/clients/-1",
                             "/api/v1/clients/99999999999999999999"}) {
        BOOST_TEST_CONTEXT(path) {
            auto r = c.get(path);
            BOOST_TEST(r.status == 404);
            BOOST_TEST(json_string(r.body, "/code") == "not_found");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
