// Business rules, given a state / when a command / then events or an error.
#include "omnivibe/domain/decide.hpp"

#include <boost/test/unit_test.hpp>

#include "domain/memory_state.hpp"

using namespace omnivibe;
using namespace omnivibe::domain;
using omnivibe::test::MemoryState;

namespace {

Fields client(std::string name) { return {{"name", std::move(name)}}; }
Fields campaign(std::int64_t client_id) {
    return {{"client_id", client_id}, {"name", std::string("C")}, {"status", std::string("draft")}};
}
Fields content(std::int64_t campaign_id) {
    return {{"campaign_id", campaign_id}, {"topic", std::string("T")}};
}
Fields block(std::int64_t content_id, std::int64_t position) {
    return {
        {"content_id", content_id}, {"position", position}, {"block_type", std::string("body")}};
}

std::vector<std::string> types(const Decision& d) {
    std::vector<std::string> out;
    for (const auto& e : d.events) out.emplace_back(type_name(e.type));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decide_rules)

BOOST_AUTO_TEST_CASE(create_assigns_the_next_id_after_every_id_ever_used) {
    MemoryState s;
    s.put(Kind::client, 7, client("Old"));
    auto d = domain::decide(s, CreateEntity{Kind::client, client("New"), std::nullopt});
    BOOST_REQUIRE(d);
    BOOST_TEST(d->id == 8);
    BOOST_REQUIRE(d->events.size() == 1u);
    BOOST_TEST(d->events[0].stream() == "client-8");
    BOOST_TEST(d->events[0].stream_version == 1);
    BOOST_TEST(!d->events[0].campaign_id.has_value());
}

BOOST_AUTO_TEST_CASE(client_names_are_unique_ignoring_case) {
    MemoryState s;
    s.put(Kind::client, 1, client("Acme"));
    auto d = domain::decide(s, CreateEntity{Kind::client, client("ACME"), std::nullopt});
    BOOST_REQUIRE(!d);
    BOOST_TEST(d.error().code == ErrorCode::conflict);
    // Renaming a client to its own name in another case is fine.
    auto u = domain::decide(s, UpdateEntity{Kind::client, 1, client("acme"), std::nullopt});
    BOOST_TEST(u.has_value());
}

BOOST_AUTO_TEST_CASE(references_must_exist) {
    MemoryState s;
    auto d = domain::decide(s, CreateEntity{Kind::campaign, campaign(3), std::nullopt});
    BOOST_REQUIRE(!d);
    BOOST_TEST(d.error().code == ErrorCode::unknown_reference);
    BOOST_TEST(d.error().errors[0].field == "client_id");
}

BOOST_AUTO_TEST_CASE(content_events_carry_their_campaign) {
    MemoryState s;
    s.put(Kind::client, 1, client("A"));
    s.put(Kind::campaign, 4, campaign(1));
    auto d = domain::decide(s, CreateEntity{Kind::content, content(4), std::nullopt});
    BOOST_REQUIRE(d);
    BOOST_TEST(d->events[0].campaign_id.value() == 4);
}

BOOST_AUTO_TEST_CASE(update_records_only_changed_fields) {
    MemoryState s;
    s.put(Kind::client, 1, {{"name", std::string("A")}, {"industry", std::string("food")}}, 3);
    auto d = domain::decide(
        s, UpdateEntity{Kind::client,
                        1,
                        {{"name", std::string("A")}, {"industry", std::string("tech")}},
                        std::nullopt});
    BOOST_REQUIRE(d);
    BOOST_REQUIRE(d->events.size() == 1u);
    BOOST_TEST(d->events[0].data.size() == 1u);
    BOOST_TEST(d->events[0].data[0].name == "industry");
    BOOST_TEST(d->events[0].stream_version == 4);
}

BOOST_AUTO_TEST_CASE(update_without_change_appends_nothing) {
    MemoryState s;
    s.put(Kind::client, 1, client("A"));
    auto d = domain::decide(s, UpdateEntity{Kind::client, 1, client("A"), std::nullopt});
    BOOST_REQUIRE(d);
    BOOST_TEST(d->events.empty());
    BOOST_TEST((d->outcome == Decision::Outcome::unchanged));
}

BOOST_AUTO_TEST_CASE(stale_if_match_is_refused_with_the_current_version) {
    MemoryState s;
    s.put(Kind::client, 1, client("A"), 5);
    auto d = domain::decide(s, UpdateEntity{Kind::client, 1, client("B"), 4});
    BOOST_REQUIRE(!d);
    BOOST_TEST(d.error().code == ErrorCode::version_mismatch);
    BOOST_TEST(d.error().current_version.value() == 5);
}

BOOST_AUTO_TEST_CASE(a_client_with_campaigns_cannot_be_deleted) {
    MemoryState s;
    s.put(Kind::client, 1, client("A"));
    s.put(Kind::campaign, 1, campaign(1));
    auto d = domain::decide(s, DeleteEntity{Kind::client, 1, std::nullopt});
    BOOST_REQUIRE(!d);
    BOOST_TEST(d.error().code == ErrorCode::conflict);
}

BOOST_AUTO_TEST_CASE(deleting_a_campaign_first_deletes_everything_under_it) {
    MemoryState s;
    s.put(Kind::client, 1, client("A"));
    s.put(Kind::campaign, 3, campaign(1), 2);
    s.put(Kind::content, 10, content(3));
    s.put(Kind::block, 20, block(10, 0));
    s.put(Kind::block, 21, block(10, 1));
    s.put(Kind::script, 30, {{"content_id", std::int64_t{10}}, {"revision", std::int64_t{1}}});
    s.attach(3, "intro");
    auto d = domain::decide(s, DeleteEntity{Kind::campaign, 3, std::nullopt});
    BOOST_REQUIRE(d);
    const std::vector<std::string> expected = {
        "storyboard.block_removed", "storyboard.block_removed",   "script.deleted",
        "content.deleted",          "campaign.resource_detached", "campaign.deleted"};
    BOOST_TEST(types(*d) == expected, boost::test_tools::per_element());
    BOOST_TEST(d->events[0].entity_id == 21);  // last position first: nothing has to shift
    for (std::size_t i = 0; i + 1 < d->events.size(); ++i)
        BOOST_TEST(d->events[i].meta.cause == "campaign-3");
    BOOST_TEST(d->events.back().meta.cause.empty());
    BOOST_TEST(d->events[4].stream_version == 3);  // detach on the campaign's own stream
    BOOST_TEST(d->events[5].stream_version == 4);
    for (const auto& e : d->events) BOOST_TEST(e.campaign_id.value() == 3);
}

BOOST_AUTO_TEST_CASE(blocks_insert_at_a_position_or_at_the_end) {
    MemoryState s;
    s.put(Kind::content, 10, content(3));
    s.put(Kind::block, 20, block(10, 0));
    Fields at_end{{"block_type", std::string("cta")}};
    auto d = domain::decide(s, CreateEntity{Kind::block, at_end, 10});
    BOOST_REQUIRE(d);
    BOOST_TEST(get_int(d->events[0].data, "position").value() == 1);
    Fields too_far{{"block_type", std::string("cta")}, {"position", std::int64_t{2}}};
    auto bad = domain::decide(s, CreateEntity{Kind::block, too_far, 10});
    BOOST_REQUIRE(!bad);
    BOOST_TEST(bad.error().errors[0].field == "position");
}

BOOST_AUTO_TEST_CASE(a_block_of_a_missing_content_is_not_found) {
    MemoryState s;
    auto d = domain::decide(s, CreateEntity{Kind::block, {{"block_type", std::string("cta")}}, 99});
    BOOST_REQUIRE(!d);
    BOOST_TEST(d.error().code == ErrorCode::not_found);
}

BOOST_AUTO_TEST_CASE(reorder_needs_a_permutation_of_the_blocks) {
    MemoryState s;
    s.put(Kind::content, 10, content(3));
    s.put(Kind::block, 20, block(10, 0));
    s.put(Kind::block, 21, block(10, 1));
    BOOST_TEST(!domain::decide(s, ReorderBlocks{10, {20}, std::nullopt}).has_value());
    BOOST_TEST(!domain::decide(s, ReorderBlocks{10, {20, 20}, std::nullopt}).has_value());
    BOOST_TEST(!domain::decide(s, ReorderBlocks{10, {20, 22}, std::nullopt}).has_value());
    auto d = domain::decide(s, ReorderBlocks{10, {21, 20}, std::nullopt});
    BOOST_REQUIRE(d);
    BOOST_TEST(types(*d) == std::vector<std::string>{"storyboard.blocks_reordered"},
               boost::test_tools::per_element());
    BOOST_TEST(d->events[0].stream() == "content-10");
}

BOOST_AUTO_TEST_CASE(scripts_get_the_next_revision_of_their_content) {
    MemoryState s;
    s.put(Kind::content, 10, content(3));
    s.put(Kind::script, 30, {{"content_id", std::int64_t{10}}, {"revision", std::int64_t{2}}});
    auto d = domain::decide(s, CreateEntity{Kind::script, {{"body", std::string("b")}}, 10});
    BOOST_REQUIRE(d);
    BOOST_TEST(get_int(d->events[0].data, "revision").value() == 3);
}

BOOST_AUTO_TEST_SUITE_END()
