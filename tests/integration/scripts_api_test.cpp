// Generated scripts over HTTP (SPEC section 5): revisions per content, listed
// by revision; the body and the other generated fields are immutable, only
// the status changes.
#include <boost/test/unit_test.hpp>

#include "integration/api_helpers.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;

namespace {

struct Scripts {
    TestServer server;
    HttpClient c = server.client();
    std::int64_t content = 0;
    Scripts() {
        create_client(c, "A");
        create_campaign(c, 1, "S");
        content = create_content(c, 1, "Spring");
    }
    std::string base() const {
        return "/api/v1/content-schedule/" + std::to_string(content) + "/scripts";
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(scripts_api)

BOOST_AUTO_TEST_CASE(a_script_is_created_as_the_next_revision_of_its_content) {
    Scripts s;
    auto r = s.c.post(s.base(),
                      R"({"title":"Take 1","body":"Hello, spring.","model":"gpt","tone":"warm"})");
    BOOST_TEST(r.status == 201);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_TEST(json_int(r.body, "/script/revision") == 1);
    BOOST_TEST(json_int(r.body, "/script/content_id") == s.content);
    BOOST_TEST(json_string(r.body, "/script/status") == "draft");
    BOOST_TEST(json_string(r.body, "/script/body") == "Hello, spring.");
    BOOST_TEST(r.header("ETag") == "\"1\"");
    auto second = s.c.post(s.base(), R"({"body":"Again","revision":9,"status":"approved"})");
    BOOST_TEST(second.status == 201);
    BOOST_TEST(json_int(second.body, "/script/revision") ==
               2);  // assigned, not taken from the body
    BOOST_TEST(json_string(second.body, "/script/status") == "approved");
    // Revisions count per content.
    const auto other = create_content(s.c, 1, "Other");
    auto first_of_other = s.c.post("/api/v1/content-schedule/" + std::to_string(other) + "/scripts",
                                   R"({"body":"x"})");
    BOOST_TEST(json_int(first_of_other.body, "/script/revision") == 1);
}

BOOST_AUTO_TEST_CASE(the_list_is_ordered_by_revision) {
    Scripts s;
    for (int i = 1; i <= 3; ++i)
        BOOST_REQUIRE(s.c.post(s.base(), R"({"body":"v)" + std::to_string(i) + "\"}").status ==
                      201);
    auto r = s.c.get(s.base());
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_REQUIRE(json_size(r.body, "/scripts") == 3u);
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(json_int(r.body, "/scripts/" + std::to_string(i) + "/revision") == i + 1);
        BOOST_TEST(json_string(r.body, "/scripts/" + std::to_string(i) + "/body") ==
                   "v" + std::to_string(i + 1));
    }
    BOOST_TEST(json_int(r.body, "/seq") == std::stoll(r.header("X-Event-Seq")));
    BOOST_TEST(s.c.get("/api/v1/content-schedule/99/scripts").status == 404);
}

BOOST_AUTO_TEST_CASE(get_answers_one_script_with_its_etag) {
    Scripts s;
    auto id = create(s.c, s.base(), R"({"body":"b"})", "/script/id");
    auto r = s.c.get("/api/v1/scripts/" + std::to_string(id));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_int(r.body, "/script/id") == id);
    BOOST_TEST(r.header("ETag") == "\"1\"");
    BOOST_TEST(
        s.c.get("/api/v1/scripts/" + std::to_string(id), {{"If-None-Match", "\"1\""}}).status ==
        304);
    BOOST_TEST(s.c.get("/api/v1/scripts/999").status == 404);
}

BOOST_AUTO_TEST_CASE(only_the_status_changes) {
    Scripts s;
    auto id = std::to_string(create(s.c, s.base(), R"({"title":"T","body":"b"})", "/script/id"));
    const std::string url = "/api/v1/scripts/" + id;
    auto ok = s.c.patch(url, R"({"status":"Approved"})", {{"If-Match", "\"1\""}});
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(json_string(ok.body, "/script/status") == "approved");
    BOOST_TEST(ok.header("ETag") == "\"2\"");
    BOOST_TEST(s.c.patch(url, R"({"status":"rejected"})").status == 200);
    BOOST_TEST(s.c.patch(url, R"({"status":"draft"})").status == 200);
    for (const char* body : {R"({"body":"rewritten"})", R"({"title":"New"})", R"({"model":"m"})",
                             R"({"tone":"t"})", R"({"status":"approved","body":"x"})"}) {
        auto r = s.c.patch(url, body);
        BOOST_TEST(r.status == 422, body);
        BOOST_TEST(json_string(r.body, "/code") == "validation_failed");
    }
    auto bad = s.c.patch(url, R"({"status":"published"})");
    BOOST_TEST(bad.status == 422);
    BOOST_TEST(error_fields(bad.body) == std::vector<std::string>{"status"});
    BOOST_TEST(s.c.patch(url, R"({"status":null})").status == 422);
    BOOST_TEST(s.c.patch(url, R"({"status":"approved"})", {{"If-Match", "\"1\""}}).status == 412);
    auto now = s.c.get(url);
    BOOST_TEST(json_string(now.body, "/script/body") == "b");
    BOOST_TEST(json_string(now.body, "/script/title") == "T");
    BOOST_TEST(json_string(now.body, "/script/status") == "draft");
}

BOOST_AUTO_TEST_CASE(create_validates_the_body) {
    Scripts s;
    BOOST_TEST(s.c.post(s.base(), R"({"title":"no body"})").status == 422);
    BOOST_TEST(s.c.post(s.base(), R"({"body":""})").status == 422);
    BOOST_TEST(s.c.post(s.base(), R"({"body":")" + std::string(100001, 'a') + "\"}").status == 422);
    BOOST_TEST(s.c.post(s.base(), R"({"body":"b","status":"published"})").status == 422);
    BOOST_TEST(s.c.post(s.base(), R"({"body":"b","words":3})").status == 422);
    BOOST_TEST(s.c.post("/api/v1/content-schedule/99/scripts", R"({"body":"b"})").status == 404);
    BOOST_TEST(json_size(s.c.get(s.base()).body, "/scripts") == 0u);
}

BOOST_AUTO_TEST_CASE(scripts_cannot_be_deleted_on_their_own) {
    Scripts s;
    auto id = create(s.c, s.base(), R"({"body":"b"})", "/script/id");
    auto r = s.c.del("/api/v1/scripts/" + std::to_string(id));
    BOOST_TEST(r.status == 405);
    BOOST_TEST(r.header("Allow") == "GET, PATCH");
}

BOOST_AUTO_TEST_SUITE_END()
