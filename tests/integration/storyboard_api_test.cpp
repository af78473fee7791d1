// Storyboards over HTTP (SPEC section 5): blocks inserted, moved, removed and
// reordered keep contiguous positions; reorders must be permutations; deleting
// a content item or a campaign removes its blocks and scripts with events; and
// after a long random sequence a rebuild from the log gives the same blocks.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>
#include <random>

#include "integration/api_helpers.hpp"
#include "integration/store_checks.hpp"
#include "integration/upload_helpers.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "store/store_fixture.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

struct Storyboard {
    TestServer server;
    HttpClient c = server.client();
    std::int64_t content = 0;

    Storyboard() {
        create_client(c, "A");
        create_campaign(c, 1, "S");
        content = create_content(c, 1, "Spring");
    }
    std::string base() const { return "/api/v1/content-schedule/" + std::to_string(content); }

    std::int64_t add(const std::string& body) {
        return create(c, base() + "/storyboard/blocks", body, "/block/id");
    }
    /// Block ids in storyboard order, checking positions are 0..n-1.
    std::vector<std::int64_t> order() {
        auto r = c.get(base() + "/storyboard");
        BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
        std::vector<std::int64_t> ids;
        for (std::size_t i = 0; i < json_size(r.body, "/blocks"); ++i) {
            const std::string at = "/blocks/" + std::to_string(i);
            BOOST_TEST(json_int(r.body, at + "/position") == static_cast<std::int64_t>(i));
            ids.push_back(json_int(r.body, at + "/id"));
        }
        return ids;
    }
    HttpResponse reorder(const std::string& ids, const HttpClient::Headers& h = {}) {
        return c.put(base() + "/storyboard/order", R"({"block_ids":)" + ids + "}", h);
    }
};

using Ids = std::vector<std::int64_t>;

}  // namespace

BOOST_AUTO_TEST_SUITE(storyboard_api)

BOOST_AUTO_TEST_CASE(a_new_storyboard_is_empty_and_unknown_content_is_404) {
    Storyboard s;
    auto r = s.c.get(s.base() + "/storyboard");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_TEST(json_int(r.body, "/content_id") == s.content);
    BOOST_TEST(json_size(r.body, "/blocks") == 0u);
    BOOST_TEST(json_int(r.body, "/seq") == std::stoll(r.header("X-Event-Seq")));
    BOOST_TEST(s.c.get("/api/v1/content-schedule/99/storyboard").status == 404);
    BOOST_TEST(s.c.get("/api/v1/content-schedule/x/storyboard").status == 404);
    auto post =
        s.c.post("/api/v1/content-schedule/99/storyboard/blocks", R"({"block_type":"intro"})");
    BOOST_TEST(post.status == 404);
}

BOOST_AUTO_TEST_CASE(blocks_are_created_at_the_end_or_at_a_position_and_later_ones_shift) {
    Storyboard s;
    auto r = s.c.post(s.base() + "/storyboard/blocks",
                      R"({"block_type":"Intro","script_text":"Hi","duration_sec":2.5})");
    BOOST_TEST(r.status == 201);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_TEST(json_string(r.body, "/block/block_type") == "intro");
    BOOST_TEST(json_string(r.body, "/block/transition") == "cut");
    BOOST_TEST(json_int(r.body, "/block/position") == 0);
    BOOST_TEST(json_int(r.body, "/block/content_id") == s.content);
    BOOST_TEST(r.header("ETag") == "\"1\"");
    const auto a = json_int(r.body, "/block/id");
    const auto b = s.add(R"({"block_type":"body"})");
    const auto c = s.add(R"({"block_type":"hook","position":1})");
    const auto d = s.add(R"({"block_type":"cta","position":3})");  // position == count: the end
    BOOST_TEST(s.order() == (Ids{a, c, b, d}), boost::test_tools::per_element());
    auto got = s.c.get("/api/v1/storyboard/blocks/" + std::to_string(b));
    BOOST_TEST(got.status == 200);
    BOOST_TEST(json_int(got.body, "/block/position") == 2);
}

BOOST_AUTO_TEST_CASE(a_position_beyond_the_count_or_a_bad_field_is_422) {
    Storyboard s;
    s.add(R"({"block_type":"intro"})");
    auto far = s.c.post(s.base() + "/storyboard/blocks", R"({"block_type":"body","position":2})");
    BOOST_TEST(far.status == 422);
    BOOST_TEST(error_fields(far.body) == std::vector<std::string>{"position"});
    BOOST_TEST(s.c.post(s.base() + "/storyboard/blocks", R"({"block_type":"body","position":-1})")
                   .status == 422);
    BOOST_TEST(s.c.post(s.base() + "/storyboard/blocks", R"({"block_type":"scene"})").status ==
               422);
    BOOST_TEST(s.c.post(s.base() + "/storyboard/blocks", R"({"script_text":"no type"})").status ==
               422);
    BOOST_TEST(
        s.c.post(s.base() + "/storyboard/blocks", R"({"block_type":"body","duration_sec":0})")
            .status == 422);
    BOOST_TEST(s.c.post(s.base() + "/storyboard/blocks", R"({"block_type":"body","colour":"red"})")
                   .status == 422);
    BOOST_TEST(s.order().size() == 1u);
}

BOOST_AUTO_TEST_CASE(patch_moves_a_block_and_its_neighbours_close_up) {
    Storyboard s;
    const auto a = s.add(R"({"block_type":"intro"})");
    const auto b = s.add(R"({"block_type":"hook"})");
    const auto c = s.add(R"({"block_type":"body"})");
    const std::string url = "/api/v1/storyboard/blocks/" + std::to_string(a);
    auto moved =
        s.c.patch(url, R"({"position":2,"visual_prompt":"sunrise"})", {{"If-Match", "\"1\""}});
    BOOST_TEST(moved.status == 200);
    BOOST_TEST(json_int(moved.body, "/block/position") == 2);
    BOOST_TEST(json_string(moved.body, "/block/visual_prompt") == "sunrise");
    BOOST_TEST(s.order() == (Ids{b, c, a}), boost::test_tools::per_element());
    BOOST_TEST(s.c.patch(url, R"({"position":3})").status == 422);
    BOOST_TEST(s.c.patch(url, R"({"position":0})", {{"If-Match", "\"1\""}}).status == 412);
    BOOST_TEST(s.c.patch(url, R"({"position":0})").status == 200);
    BOOST_TEST(s.order() == (Ids{a, b, c}), boost::test_tools::per_element());
    // The parent comes from the URL; a body cannot move a block to another content.
    BOOST_TEST(s.c.patch(url, R"({"content_id":77})").status == 200);
    BOOST_TEST(json_int(s.c.get(url).body, "/block/content_id") == s.content);
}

BOOST_AUTO_TEST_CASE(deletes_keep_positions_contiguous) {
    Storyboard s;
    Ids ids;
    for (int i = 0; i < 5; ++i) ids.push_back(s.add(R"({"block_type":"body"})"));
    auto del = s.c.del("/api/v1/storyboard/blocks/" + std::to_string(ids[1]));
    BOOST_TEST(del.status == 200);
    BOOST_TEST(del.body == R"({"success":true,"id":)" + std::to_string(ids[1]) + "}");
    s.c.del("/api/v1/storyboard/blocks/" + std::to_string(ids[4]));
    s.c.del("/api/v1/storyboard/blocks/" + std::to_string(ids[0]));
    BOOST_TEST(s.order() == (Ids{ids[2], ids[3]}), boost::test_tools::per_element());
    BOOST_TEST(s.c.get("/api/v1/storyboard/blocks/" + std::to_string(ids[0])).status == 404);
    BOOST_TEST(s.c.del("/api/v1/storyboard/blocks/" + std::to_string(ids[0])).status == 404);
    const auto e = s.add(R"({"block_type":"cta"})");
    BOOST_TEST(s.order() == (Ids{ids[2], ids[3], e}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reorder_takes_a_permutation_and_answers_the_storyboard) {
    Storyboard s;
    const auto a = s.add(R"({"block_type":"intro"})");
    const auto b = s.add(R"({"block_type":"body"})");
    const auto c = s.add(R"({"block_type":"cta"})");
    auto r = s.reorder("[" + std::to_string(c) + "," + std::to_string(a) + "," + std::to_string(b) +
                       "]");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_bool(r.body, "/success"));
    BOOST_TEST(json_int(r.body, "/blocks/0/id") == c);
    BOOST_TEST(json_int(r.body, "/blocks/2/position") == 2);
    BOOST_TEST(r.header("ETag") == "\"2\"");  // the content's version
    BOOST_TEST(s.order() == (Ids{c, a, b}), boost::test_tools::per_element());
    const auto seq = r.header("X-Event-Seq");
    // The same order again changes nothing and writes nothing.
    auto same = s.reorder("[" + std::to_string(c) + "," + std::to_string(a) + "," +
                          std::to_string(b) + "]");
    BOOST_TEST(same.status == 200);
    BOOST_TEST(same.header("X-Event-Seq") == seq);
}

BOOST_AUTO_TEST_CASE(reorder_errors) {
    Storyboard s;
    const auto a = s.add(R"({"block_type":"intro"})");
    const auto b = s.add(R"({"block_type":"body"})");
    const std::string A = std::to_string(a), B = std::to_string(b);
    for (const std::string& bad :
         {"[" + A + "]", "[" + A + "," + A + "]", "[" + A + "," + B + ",99]", "[" + A + ",99]",
          std::string("[]"), std::string("\"1,2\""), std::string("[1.5,2]"), std::string("null")}) {
        auto r = s.reorder(bad);
        BOOST_TEST(r.status == 422, bad << " -> " << r.body);
        BOOST_TEST(error_fields(r.body) == std::vector<std::string>{"block_ids"}, bad);
    }
    auto missing = s.c.put(s.base() + "/storyboard/order", R"({"ids":[1,2]})");
    BOOST_TEST(missing.status == 422);
    BOOST_TEST(error_fields(missing.body) == (std::vector<std::string>{"ids", "block_ids"}),
               boost::test_tools::per_element());
    BOOST_TEST(s.c.put(s.base() + "/storyboard/order", "[1,2]").status == 400);
    BOOST_TEST(s.c.put(s.base() + "/storyboard/order", R"({"block_ids":[)").status == 400);
    BOOST_TEST(
        s.c.put("/api/v1/content-schedule/99/storyboard/order", R"({"block_ids":[]})").status ==
        404);
    auto stale = s.reorder("[" + B + "," + A + "]", {{"If-Match", "\"7\""}});
    BOOST_TEST(stale.status == 412);
    BOOST_TEST(json_int(stale.body, "/current_version") == 1);
    // Blocks of another content are not a permutation of this one's.
    const auto other = create_content(s.c, 1, "Other");
    const auto foreign =
        create(s.c, "/api/v1/content-schedule/" + std::to_string(other) + "/storyboard/blocks",
               R"({"block_type":"body"})", "/block/id");
    BOOST_TEST(s.reorder("[" + A + "," + std::to_string(foreign) + "]").status == 422);
    BOOST_TEST(s.order() == (Ids{a, b}), boost::test_tools::per_element());
    // Nothing above was written for this content.
    auto events = log_events(s.server.db_path());
    BOOST_TEST(std::none_of(events.begin(), events.end(),
                            [](const auto& e) { return e.type == "storyboard.blocks_reordered"; }));
}

BOOST_AUTO_TEST_CASE(an_empty_storyboard_accepts_the_empty_order) {
    Storyboard s;
    auto r = s.reorder("[]");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_size(r.body, "/blocks") == 0u);
}

BOOST_AUTO_TEST_CASE(deleting_a_content_removes_its_blocks_and_scripts_with_events) {
    Storyboard s;
    const auto a = s.add(R"({"block_type":"intro"})");
    const auto b = s.add(R"({"block_type":"body"})");
    const auto script =
        create(s.c, s.base() + "/scripts", R"({"body":"Once upon a time"})", "/script/id");
    BOOST_TEST(s.c.del(s.base()).status == 200);
    BOOST_TEST(s.c.get("/api/v1/storyboard/blocks/" + std::to_string(a)).status == 404);
    BOOST_TEST(s.c.get("/api/v1/storyboard/blocks/" + std::to_string(b)).status == 404);
    BOOST_TEST(s.c.get("/api/v1/scripts/" + std::to_string(script)).status == 404);
    BOOST_TEST(s.c.get(s.base() + "/storyboard").status == 404);
    BOOST_TEST(s.c.get(s.base() + "/scripts").status == 404);
    const std::string cause = "content-" + std::to_string(s.content);
    std::vector<std::string> tail;
    for (const auto& e : log_events(s.server.db_path()))
        if (e.cause == cause || e.stream == cause) tail.push_back(e.type + " " + e.stream);
    BOOST_TEST(
        tail ==
            (std::vector<std::string>{
                "content.created " + cause, "storyboard.block_removed block-" + std::to_string(b),
                "storyboard.block_removed block-" + std::to_string(a),
                "script.deleted script-" + std::to_string(script), "content.deleted " + cause}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(deleting_a_campaign_removes_everything_under_it) {
    TestServer server;
    auto c = server.client();
    create_client(c, "A");
    create_campaign(c, 1, "S");
    const auto content = create_content(c, 1, "t");
    const std::string base = "/api/v1/content-schedule/" + std::to_string(content);
    const auto block =
        create(c, base + "/storyboard/blocks", R"({"block_type":"intro"})", "/block/id");
    const auto script = create(c, base + "/scripts", R"({"body":"b"})", "/script/id");
    auto up = c.put("/api/v1/campaigns/1/resources/intro", mp4_file(100),
                    {{"Content-Type", "video/mp4"}});
    BOOST_REQUIRE_MESSAGE(up.status == 201, up.body);
    BOOST_TEST(c.del("/api/v1/campaigns/1").status == 200);
    BOOST_TEST(c.get("/api/v1/storyboard/blocks/" + std::to_string(block)).status == 404);
    BOOST_TEST(c.get("/api/v1/scripts/" + std::to_string(script)).status == 404);
    BOOST_TEST(c.get("/api/v1/campaigns/1/resources").status == 404);
    std::vector<std::string> removed;
    for (const auto& e : log_events(server.db_path()))
        if (e.cause == "campaign-1") removed.push_back(e.type);
    BOOST_TEST(
        removed == (std::vector<std::string>{"storyboard.block_removed", "script.deleted",
                                             "content.deleted", "campaign.resource_detached"}),
        boost::test_tools::per_element());
}

// A long random walk over three storyboards, checked against a model after
// every step; then the read tables must equal a rebuild from the log.
BOOST_AUTO_TEST_CASE(a_random_sequence_of_operations_rebuilds_to_the_same_blocks) {
    TestServer server;
    std::mt19937 rng(20260202);  // fixed seed: the same walk on every run
    std::vector<std::int64_t> contents;
    std::map<std::int64_t, Ids> model;
    {
        auto c = server.client();
        create_client(c, "A");
        create_campaign(c, 1, "S");
        for (int i = 0; i < 3; ++i)
            contents.push_back(create_content(c, 1, "c" + std::to_string(i)));
        auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
        auto storyboard = [&](std::int64_t content) {
            auto r = c.get("/api/v1/content-schedule/" + std::to_string(content) + "/storyboard");
            Ids ids;
            for (std::size_t i = 0; i < json_size(r.body, "/blocks"); ++i) {
                BOOST_REQUIRE(json_int(r.body, "/blocks/" + std::to_string(i) + "/position") ==
                              static_cast<std::int64_t>(i));
                ids.push_back(json_int(r.body, "/blocks/" + std::to_string(i) + "/id"));
            }
            return ids;
        };
        const char* types[] = {"intro", "hook", "body", "cta", "outro"};
        for (int step = 0; step < 400; ++step) {
            const std::int64_t content = contents[pick(contents.size())];
            Ids& blocks = model[content];
            const std::string base = "/api/v1/content-schedule/" + std::to_string(content);
            const int op = static_cast<int>(pick(10));
            if (op < 4 || blocks.empty()) {  // add, at the end or at a position
                std::string body = std::string(R"({"block_type":")") + types[pick(5)] + "\"";
                std::size_t at = blocks.size();
                if (pick(2)) {
                    at = pick(blocks.size() + 1);
                    body += ",\"position\":" + std::to_string(at);
                }
                auto r = c.post(base + "/storyboard/blocks", body + "}");
                BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
                blocks.insert(blocks.begin() + static_cast<std::ptrdiff_t>(at),
                              json_int(r.body, "/block/id"));
            } else if (op < 6) {  // move
                const std::size_t from = pick(blocks.size()), to = pick(blocks.size());
                const auto id = blocks[from];
                auto r = c.patch("/api/v1/storyboard/blocks/" + std::to_string(id),
                                 R"({"position":)" + std::to_string(to) + R"(,"script_text":"s)" +
                                     std::to_string(step) + "\"}");
                BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
                blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(from));
                blocks.insert(blocks.begin() + static_cast<std::ptrdiff_t>(to), id);
            } else if (op < 8) {  // remove
                const std::size_t at = pick(blocks.size());
                auto r = c.del("/api/v1/storyboard/blocks/" + std::to_string(blocks[at]));
                BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
                blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(at));
            } else if (op < 9) {  // reorder
                Ids shuffled = blocks;
                std::shuffle(shuffled.begin(), shuffled.end(), rng);
                std::string ids;
                for (auto id : shuffled) ids += (ids.empty() ? "" : ",") + std::to_string(id);
                auto r = c.put(base + "/storyboard/order", R"({"block_ids":[)" + ids + "]}");
                BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
                blocks = shuffled;
            } else {  // a move out of range is refused and changes nothing
                auto r = c.patch("/api/v1/storyboard/blocks/" + std::to_string(blocks[0]),
                                 R"({"position":)" + std::to_string(blocks.size()) + "}");
                BOOST_REQUIRE(r.status == 422);
            }
            BOOST_REQUIRE(storyboard(content) == blocks);
        }
    }
    server.server().stop();
    const std::string by_position =
        "SELECT content_id, position, id, block_type, script_text, version "
        "FROM storyboard_blocks ORDER BY content_id, position";
    const auto tables = live_and_rebuilt(server.db_path(), {by_position});
    BOOST_TEST(tables.rebuilt == tables.live);
    const std::string live_blocks = tables.live.substr(tables.live.find("== " + by_position));
    std::size_t expected = 0;
    for (const auto& [content, ids] : model) expected += ids.size();
    BOOST_TEST(std::count(live_blocks.begin(), live_blocks.end(), '\n') ==
               static_cast<long>(expected) + 1);  // and the heading
}

BOOST_AUTO_TEST_SUITE_END()
