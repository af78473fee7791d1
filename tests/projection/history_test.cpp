#include "omnivibe/projection/history.hpp"

#include <boost/test/unit_test.hpp>
#include <map>

#include "omnivibe/projection/read_model.hpp"
#include "omnivibe/projection/responses.hpp"
#include "projection/projection_harness.hpp"

using namespace omnivibe;
using namespace omnivibe::domain;

namespace {

// decide + append + project, one command per transaction, and after each
// command a picture of every entity as the read model shows it: what a GET
// answered right then, which `as_of` must reproduce from the log.
struct Recorder : test::ProjectionHarness {
    std::vector<std::pair<Kind, std::int64_t>> entities;
    std::map<std::int64_t, std::map<std::pair<Kind, std::int64_t>, std::optional<std::string>>>
        seen;

    void committed(const writer::Applied& d) override {
        if (d.outcome == Decision::Outcome::created) entities.emplace_back(d.kind, d.id);
        auto& picture = seen[head().seq];
        for (const auto& [kind, id] : entities)
            picture[{kind, id}] = projection::entity_body(*w.db, kind, id);
    }
    std::optional<std::string> as_of(Kind kind, std::int64_t id, std::int64_t seq) {
        auto e = projection::entity_as_of(*w.db, kind, id, seq);
        BOOST_REQUIRE(e);
        if (!*e) return std::nullopt;
        return projection::entity_body(**e);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(history)

BOOST_AUTO_TEST_CASE(a_stream_reads_back_oldest_first_and_is_empty_if_it_never_existed) {
    Recorder r;
    auto client = r.create(Kind::client, R"({"name":"Acme"})");
    r.run(UpdateEntity{Kind::client, client, {{"industry", std::string("food")}}, std::nullopt});
    r.create(Kind::client, R"({"name":"Other"})");
    r.run(DeleteEntity{Kind::client, client, std::nullopt});
    const auto rows = projection::stream_events(*r.w.db, Kind::client, client);
    BOOST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[0].type == "client.created");
    BOOST_TEST(rows[1].type == "client.updated");
    BOOST_TEST(rows[2].type == "client.deleted");
    BOOST_TEST(rows[2].seq == 4);
    BOOST_TEST(projection::stream_events(*r.w.db, Kind::client, client, 2).size() == 2u);
    BOOST_TEST(projection::stream_events(*r.w.db, Kind::client, 99).empty());
}

BOOST_AUTO_TEST_CASE(as_of_gives_what_the_read_model_showed_right_after_each_event) {
    Recorder r;
    auto acme = r.create(Kind::client, R"({"name":"Acme"})");
    auto beta = r.create(Kind::client, R"({"name":"Beta","industry":"tech"})");
    auto spring = r.create(Kind::campaign, R"({"client_id":1,"name":"Spring","bgm_volume":0.5})");
    auto autumn = r.create(Kind::campaign, R"({"client_id":1,"name":"Autumn","auto_deploy":true})");
    auto salads =
        r.create(Kind::content,
                 R"({"campaign_id":1,"topic":"Salads","keywords":["a","b"],"platform":"youtube"})");
    auto soups = r.create(Kind::content, R"({"campaign_id":2,"topic":"Soups"})");
    auto b1 = r.create(Kind::block, R"({"block_type":"intro"})", salads);
    auto b2 = r.create(Kind::block, R"({"block_type":"body","duration_sec":2.5})", salads);
    auto b3 = r.create(Kind::block, R"({"block_type":"hook","position":0})", salads);
    r.run(UpdateEntity{Kind::block, b3, {{"position", std::int64_t{2}}}, std::nullopt});
    r.run(ReorderBlocks{salads, {b2, b3, b1}, std::nullopt});
    auto script = r.create(Kind::script, R"({"body":"Hello there","title":"v1"})", salads);
    r.create(Kind::script, R"({"body":"Second take"})", salads);
    r.run(UpdateEntity{Kind::script, script, {{"status", std::string("approved")}}, std::nullopt});
    r.run(
        UpdateEntity{Kind::campaign, autumn, {{"client_id", beta}}, std::nullopt});  // moves client
    r.run(UpdateEntity{Kind::content, soups, {{"campaign_id", spring}}, std::nullopt});
    r.run(
        AttachResource{spring, test::attached_file("intro", "a.mp4", 10, "ab", 3.5), std::nullopt});
    r.run(DeleteEntity{Kind::block, b3, std::nullopt});
    r.run(UpdateEntity{Kind::client, acme, {{"notes", std::string("VIP")}}, std::nullopt});
    r.run(DeleteEntity{Kind::content, salads, std::nullopt});  // cascades to blocks and scripts
    r.run(DeleteEntity{Kind::campaign, autumn, std::nullopt});

    std::size_t compared = 0;
    for (const auto& [seq, picture] : r.seen)
        for (const auto& [key, body] : picture) {
            BOOST_TEST_CONTEXT("entity " << info(key.first).name << "-" << key.second << " as of "
                                         << seq) {
                BOOST_TEST(r.as_of(key.first, key.second, seq).value_or("(none)") ==
                           body.value_or("(none)"));
            }
            ++compared;
        }
    BOOST_TEST(compared > 150u);
}

BOOST_AUTO_TEST_CASE(as_of_before_creation_or_after_deletion_is_nothing) {
    Recorder r;
    r.create(Kind::client, R"({"name":"First"})");
    auto c = r.create(Kind::client, R"({"name":"Acme"})");
    r.run(DeleteEntity{Kind::client, c, std::nullopt});
    BOOST_TEST(!r.as_of(Kind::client, c, 0));
    BOOST_TEST(!r.as_of(Kind::client, c, 1));
    BOOST_TEST(r.as_of(Kind::client, c, 2).has_value());
    BOOST_TEST(!r.as_of(Kind::client, c, 3));
    BOOST_TEST(!r.as_of(Kind::client, 42, 3));
}

BOOST_AUTO_TEST_SUITE_END()
