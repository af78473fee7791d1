#include <boost/test/unit_test.hpp>
#include <future>

#include "integration/api_helpers.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/domain/validation.hpp"
#include "omnivibe/json/decode.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

std::vector<std::string> types(const std::string& body) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < json_size(body, "/events"); ++i)
        out.push_back(json_string(body, "/events/" + std::to_string(i) + "/type"));
    return out;
}

// Blocks have no HTTP routes in this tree yet: they are written through the
// writer, as their handlers will.
std::int64_t write(TestServer& s, domain::Command cmd) {
    writer::WriteRequest w;
    w.command = std::move(cmd);
    w.meta.actor = "tester";
    w.meta.source = "test";
    std::promise<Result<writer::Applied>> done;
    s.server().service().writer.submit(
        std::move(w), [&](Result<writer::Applied> r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().detail));
    return r->seq;
}

domain::Command add_block(std::int64_t content, std::string_view body) {
    auto fields = domain::validate(domain::Kind::block, json::parse_object(body).value(),
                                   domain::Mode::create);
    BOOST_REQUIRE(fields);
    return domain::CreateEntity{domain::Kind::block, *fields, content};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(history_api)

BOOST_AUTO_TEST_CASE(history_lists_an_entitys_own_events_oldest_first) {
    TestServer s;
    auto c = s.client();
    auto id = create_client(c, "Acme");
    create_client(c, "Other");
    c.patch("/api/v1/clients/1", R"({"industry":"food"})");
    c.patch("/api/v1/clients/1", R"({"name":"Acme Foods"})");
    BOOST_REQUIRE(c.del("/api/v1/clients/1").status == 200);
    auto r = c.get("/api/v1/clients/" + std::to_string(id) + "/history");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(types(r.body) == (std::vector<std::string>{"client.created", "client.updated",
                                                          "client.updated", "client.deleted"}),
               boost::test_tools::per_element());
    BOOST_TEST(json_int(r.body, "/events/0/seq") == 1);
    BOOST_TEST(json_int(r.body, "/events/1/seq") == 3);
    BOOST_TEST(json_int(r.body, "/events/3/version") == 4);
    BOOST_TEST(json_string(r.body, "/events/2/data/name") == "Acme Foods");
    BOOST_TEST(json_string(r.body, "/events/0/stream") == "client-1");
    BOOST_TEST(r.header("X-Event-Seq") == "5");
}

BOOST_AUTO_TEST_CASE(history_of_something_that_never_existed_is_404) {
    TestServer s;
    auto c = s.client();
    for (std::string path : {"/api/v1/clients/9/history", "/api/v1/campaigns/9/history",
                             "/api/v1/content-schedule/9/history", "/api/v1/scripts/9/history",
                             "/api/v1/storyboard/blocks/9/history", "/api/v1/clients/x/history"}) {
        auto r = c.get(path);
        BOOST_TEST_CONTEXT(path) {
            BOOST_TEST(r.status == 404);
            BOOST_TEST(json_string(r.body, "/code") == "not_found");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_campaign_deletion_shows_in_the_history_of_everything_under_it) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto campaign = create_campaign(c, 1, "S");
    auto content = create_content(c, campaign, "t");
    BOOST_REQUIRE(c.del("/api/v1/campaigns/" + std::to_string(campaign)).status == 200);
    auto r = c.get("/api/v1/content-schedule/" + std::to_string(content) + "/history");
    BOOST_TEST(types(r.body) == (std::vector<std::string>{"content.created", "content.deleted"}),
               boost::test_tools::per_element());
    BOOST_TEST(json_string(r.body, "/events/1/cause") == "campaign-1");
    BOOST_TEST(types(c.get("/api/v1/campaigns/1/history").body).back() == "campaign.deleted");
}

BOOST_AUTO_TEST_CASE(as_of_shows_the_entity_right_after_an_event) {
    TestServer s;
    auto c = s.client();
    create_client(c, "Acme");                                  // 1
    c.patch("/api/v1/clients/1", R"({"name":"Acme Foods"})");  // 2
    create_campaign(c, 1, "Spring");                           // 3
    auto then = c.get("/api/v1/clients/1?as_of=1");
    BOOST_TEST(then.status == 200);
    BOOST_TEST(json_string(then.body, "/name") == "Acme");
    BOOST_TEST(json_int(then.body, "/version") == 1);
    BOOST_TEST(json_int(then.body, "/campaign_count") == 0);
    BOOST_TEST(then.header("ETag") == "\"1\"");
    BOOST_TEST(then.header("X-Event-Seq") == "3");
    auto later = c.get("/api/v1/clients/1?as_of=3");
    BOOST_TEST(json_string(later.body, "/name") == "Acme Foods");
    BOOST_TEST(json_int(later.body, "/campaign_count") == 1);
    // Today's answer and as_of the head agree.
    BOOST_TEST(c.get("/api/v1/clients/1?as_of=3").body == c.get("/api/v1/clients/1").body);
}

BOOST_AUTO_TEST_CASE(as_of_reaches_entities_that_were_deleted_since) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    auto content = create_content(c, 1, "Salads", R"(,"platform":"youtube")");  // 3
    c.patch("/api/v1/content-schedule/1", R"({"status":"scheduled"})");         // 4
    BOOST_REQUIRE(c.del("/api/v1/campaigns/1").status == 200);                  // 5, 6
    const std::string path = "/api/v1/content-schedule/" + std::to_string(content);
    BOOST_TEST(c.get(path).status == 404);
    auto r = c.get(path + "?as_of=4");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_TEST(json_string(r.body, "/content/status") == "scheduled");
    BOOST_TEST(json_string(r.body, "/content/platform") == "Youtube");
    BOOST_TEST(json_int(r.body, "/content/version") == 2);
    auto campaign = c.get("/api/v1/campaigns/1?as_of=4");
    BOOST_TEST(json_int(campaign.body, "/content_count") == 1);
    BOOST_TEST(c.get(path + "?as_of=5").status == 404);  // deleted by then
    BOOST_TEST(c.get(path + "?as_of=2").status == 404);  // not created yet
    BOOST_TEST(c.get("/api/v1/campaigns/1?as_of=0").status == 404);
}

BOOST_AUTO_TEST_CASE(a_bad_as_of_is_422) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    for (std::string q : {"abc", "-1", "2", "1.5"}) {
        auto r = c.get("/api/v1/clients/1?as_of=" + q);
        BOOST_TEST_CONTEXT(q) {
            BOOST_TEST(r.status == 422);
            BOOST_TEST(error_fields(r.body) == std::vector<std::string>{"as_of"},
                       boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(block_history_follows_moves_and_reorders) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    auto content = create_content(c, 1, "t");
    write(s, add_block(content, R"({"block_type":"intro"})"));  // block 1
    write(s, add_block(content, R"({"block_type":"body"})"));   // block 2
    write(s, domain::ReorderBlocks{content, {2, 1}, std::nullopt});
    write(s, domain::UpdateEntity{
                 domain::Kind::block, 1, {{"script_text", std::string("Hi")}}, std::nullopt});
    auto r = c.get("/api/v1/storyboard/blocks/1/history");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(types(r.body) ==
                   (std::vector<std::string>{"storyboard.block_added", "storyboard.block_updated"}),
               boost::test_tools::per_element());
    // The reorder is a fact about the content's storyboard.
    BOOST_TEST(types(c.get("/api/v1/content-schedule/1/history").body).back() ==
               "storyboard.blocks_reordered");
}

BOOST_AUTO_TEST_SUITE_END()
