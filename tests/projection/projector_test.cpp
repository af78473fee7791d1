#include "omnivibe/projection/projector.hpp"

#include <boost/test/unit_test.hpp>

#include "omnivibe/projection/read_model.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "projection/projection_harness.hpp"

using namespace omnivibe;
using namespace omnivibe::domain;

namespace {

struct Harness : test::ProjectionHarness {
    std::vector<std::int64_t> blocks(std::int64_t content) {
        return projection::child_ids(*w.db, Kind::block, content);
    }
    std::vector<std::int64_t> positions(std::int64_t content) {
        std::vector<std::int64_t> out;
        for (auto id : blocks(content))
            out.push_back(
                get_int(projection::load_entity(*w.db, Kind::block, id)->fields, "position")
                    .value());
        return out;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(projector)

BOOST_AUTO_TEST_CASE(created_entities_land_in_their_tables_with_event_time) {
    Harness h;
    auto client = h.create(Kind::client, R"({"name":"Acme"})");
    auto e = projection::load_entity(*h.w.db, Kind::client, client);
    BOOST_REQUIRE(e);
    BOOST_TEST(e->version == 1);
    BOOST_TEST(e->created_at == "2026-02-02T10:30:01.000Z");
    BOOST_TEST(std::get<std::int64_t>(e->computed[0].value) == 0);
}

BOOST_AUTO_TEST_CASE(counts_follow_children) {
    Harness h;
    auto client = h.create(Kind::client, R"({"name":"Acme"})");
    auto campaign = h.create(Kind::campaign, R"({"client_id":1,"name":"S"})");
    h.create(Kind::content, R"({"campaign_id":1,"topic":"a"})");
    h.create(Kind::content, R"({"campaign_id":1,"topic":"b"})");
    BOOST_TEST(std::get<std::int64_t>(
                   projection::load_entity(*h.w.db, Kind::client, client)->computed[0].value) == 1);
    BOOST_TEST(std::get<std::int64_t>(
                   projection::load_entity(*h.w.db, Kind::campaign, campaign)->computed[0].value) ==
               2);
}

BOOST_AUTO_TEST_CASE(block_positions_stay_contiguous_through_insert_move_and_remove) {
    Harness h;
    h.create(Kind::client, R"({"name":"A"})");
    h.create(Kind::campaign, R"({"client_id":1,"name":"S"})");
    auto content = h.create(Kind::content, R"({"campaign_id":1,"topic":"t"})");
    auto b1 = h.create(Kind::block, R"({"block_type":"intro"})", content);
    auto b2 = h.create(Kind::block, R"({"block_type":"body"})", content);
    auto b3 = h.create(Kind::block, R"({"block_type":"hook","position":0})", content);
    BOOST_TEST(h.blocks(content) == (std::vector<std::int64_t>{b3, b1, b2}),
               boost::test_tools::per_element());
    h.run(UpdateEntity{Kind::block, b3, {{"position", std::int64_t{2}}}, std::nullopt});
    BOOST_TEST(h.blocks(content) == (std::vector<std::int64_t>{b1, b2, b3}),
               boost::test_tools::per_element());
    h.run(DeleteEntity{Kind::block, b1, std::nullopt});
    BOOST_TEST(h.blocks(content) == (std::vector<std::int64_t>{b2, b3}),
               boost::test_tools::per_element());
    BOOST_TEST(h.positions(content) == (std::vector<std::int64_t>{0, 1}),
               boost::test_tools::per_element());
    h.run(ReorderBlocks{content, {b3, b2}, std::nullopt});
    BOOST_TEST(h.blocks(content) == (std::vector<std::int64_t>{b3, b2}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_rebuild_from_the_log_gives_identical_rows) {
    Harness h;
    h.create(Kind::client, R"({"name":"A","industry":"food"})");
    h.create(Kind::client, R"({"name":"B"})");
    h.create(Kind::campaign, R"({"client_id":1,"name":"S","bgm_volume":1})");
    h.create(Kind::campaign, R"({"client_id":2,"name":"T"})");
    auto content = h.create(Kind::content, R"({"campaign_id":1,"topic":"t","keywords":["x","y"]})");
    h.create(Kind::content, R"({"campaign_id":2,"topic":"u"})");
    auto b1 = h.create(Kind::block, R"({"block_type":"intro","duration_sec":2.5})", content);
    h.create(Kind::block, R"({"block_type":"body"})", content);
    h.create(Kind::script, R"({"body":"hello"})", content);
    h.run(UpdateEntity{Kind::campaign, 1, {{"status", std::string("active")}}, std::nullopt});
    h.run(UpdateEntity{Kind::block, b1, {{"position", std::int64_t{1}}}, std::nullopt});
    h.run(AttachResource{1,
                         {{"resource_type", std::string("intro")},
                          {"filename", std::string("a.mp4")},
                          {"content_type", std::string("video/mp4")},
                          {"size", std::int64_t{10}},
                          {"sha256", std::string("ab")},
                          {"duration", 3.5},
                          {"path", std::string("/x")}},
                         std::nullopt});
    h.run(DeleteEntity{Kind::campaign, 2, std::nullopt});
    const std::string before = test::dump_read_tables(*h.w.db);
    auto rebuilt = projection::rebuild(*h.w.db);
    BOOST_REQUIRE(rebuilt);
    BOOST_TEST(*rebuilt == h.head().seq);
    BOOST_TEST(test::dump_read_tables(*h.w.db) == before);
    BOOST_TEST(projection::read_projection_state(*h.w.db).head == h.head().seq);
}

BOOST_AUTO_TEST_CASE(a_rebuild_leaves_the_connection_and_schema_as_it_found_them) {
    Harness h;
    h.create(Kind::client, R"({"name":"A"})");
    h.create(Kind::campaign, R"({"client_id":1,"name":"S"})");
    auto& db = *h.w.db;
    auto schema = [&db] {
        std::string out;
        store::SqliteStmt s(db.handle(), "SELECT type, name, sql FROM sqlite_master ORDER BY name");
        while (s.step())
            for (int c = 0; c < 3; ++c) (out += s.is_null(c) ? "" : s.column_text(c)) += '|';
        return out;
    };
    const std::string before = schema();
    const auto cache = db.query_int("PRAGMA cache_size").value();
    const auto temp_store = db.query_int("PRAGMA temp_store").value();
    auto rebuilt = projection::rebuild(db);
    BOOST_REQUIRE(rebuilt);
    BOOST_TEST(schema() == before);  // the dropped indexes are back, as they were
    BOOST_TEST(db.query_int("PRAGMA cache_size").value() == cache);
    BOOST_TEST(db.query_int("PRAGMA temp_store").value() == temp_store);
    // Triggers are on again for this connection (SQLite re-prepares the
    // statements it cached while they were off) and fire.
    int triggers = -1;
    sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &triggers);
    BOOST_TEST(triggers == 1);
    try {
        db.exec("UPDATE events SET type = 'x' WHERE seq = 1");
        BOOST_FAIL("the append-only trigger did not fire");
    } catch (const store::SqliteError& e) {
        BOOST_TEST(e.error().detail.find("append-only") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(resources_set_and_clear_the_campaign_paths) {
    Harness h;
    h.create(Kind::client, R"({"name":"A"})");
    auto campaign = h.create(Kind::campaign, R"({"client_id":1,"name":"S"})");
    h.run(AttachResource{campaign, test::attached_file("ending", "e.mp4", 5, "cd", 2.0),
                         std::nullopt});
    auto e = projection::load_entity(*h.w.db, Kind::campaign, campaign);
    BOOST_TEST(*get_string(e->fields, "outro_video_path") == "/files/cd");
    BOOST_TEST(e->version == 2);
    h.run(DetachResource{campaign, "ending", std::nullopt});
    e = projection::load_entity(*h.w.db, Kind::campaign, campaign);
    BOOST_TEST(std::holds_alternative<Null>(*find(e->fields, "outro_video_path")));
    BOOST_TEST(projection::campaign_resources(*h.w.db, campaign).empty());
}

BOOST_AUTO_TEST_CASE(list_totals_count_every_row_unfiltered_and_only_matches_filtered) {
    Harness h;
    h.create(Kind::client, R"({"name":"Acme"})");
    h.create(Kind::client, R"({"name":"Bolt"})");
    for (int i = 0; i < 5; ++i)
        h.create(Kind::campaign, R"({"client_id":)" + std::to_string(1 + i % 2) + R"(,"name":"S)" +
                                     std::to_string(i) + "\"}");
    projection::ListQuery all;
    all.page_size = 2;
    auto page = projection::list_entities(*h.w.db, Kind::campaign, all);
    BOOST_TEST(page.total == 5);
    BOOST_TEST(page.items.size() == 2u);
    projection::ListQuery by_client;
    by_client.equals.emplace_back("client_id", std::int64_t{2});
    by_client.name_contains = "s";
    page = projection::list_entities(*h.w.db, Kind::campaign, by_client);
    BOOST_TEST(page.total == 2);
    BOOST_TEST(page.items.size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_writer_state_view_reads_entities_without_their_computed_counts) {
    Harness h;
    auto client = h.create(Kind::client, R"({"name":"Acme"})");
    h.create(Kind::campaign, R"({"client_id":1,"name":"S"})");
    auto seen = h.state().find(Kind::client, client);
    BOOST_REQUIRE(seen);
    BOOST_TEST(seen->computed.empty());
    BOOST_TEST(*get_string(seen->fields, "name") == "Acme");
    BOOST_TEST(seen->version == 1);
    BOOST_TEST(!h.state().find(Kind::client, client + 1));
    // Readers still get the exact count.
    auto read = projection::load_entity(*h.w.db, Kind::client, client);
    BOOST_TEST(std::get<std::int64_t>(read->computed[0].value) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
