// History: given a stream's events, then each step's field changes.
#include "omnivibe/domain/history.hpp"

#include <boost/test/unit_test.hpp>

using namespace omnivibe;
using namespace omnivibe::domain;

namespace {

Event event(EventType type, std::int64_t version, Fields data) {
    Event ev;
    ev.type = type;
    ev.kind = stream_kind(type);
    ev.entity_id = 3;
    ev.stream_version = version;
    ev.recorded_at = 1770028200000 + version * 60000;  // 2026-02-02T10:30Z + v minutes
    ev.data = std::move(data);
    return ev;
}

const FieldChange* change(const HistoryStep& step, std::string_view field) {
    for (const auto& c : step.changes)
        if (c.field == field) return &c;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(entity_history)

BOOST_AUTO_TEST_CASE(each_update_shows_the_old_and_new_value_of_what_changed) {
    const std::vector<Event> events = {
        event(EventType::campaign_created, 1,
              {{"client_id", std::int64_t{1}},
               {"name", std::string("Spring")},
               {"status", std::string("draft")},
               {"description", Null{}}}),
        event(EventType::campaign_updated, 2, {{"status", std::string("active")}}),
        event(EventType::campaign_updated, 3,
              {{"status", std::string("paused")}, {"name", std::string("Spring 2026")}}),
    };
    const auto steps = history(events);
    BOOST_REQUIRE(steps.size() == 3u);

    // Creation: every field that has a value, nothing before it.
    BOOST_TEST(steps[0].changes.size() == 3u);
    BOOST_TEST(!change(steps[0], "name")->before.has_value());
    BOOST_TEST(!change(steps[0], "description"));

    const FieldChange* status = change(steps[1], "status");
    BOOST_REQUIRE(status);
    BOOST_TEST(std::get<std::string>(*status->before) == "draft");
    BOOST_TEST(std::get<std::string>(*status->after) == "active");
    BOOST_TEST(steps[1].changes.size() == 1u);

    BOOST_TEST(std::get<std::string>(*change(steps[2], "status")->before) == "active");
    BOOST_TEST(std::get<std::string>(*change(steps[2], "name")->before) == "Spring");
    BOOST_TEST(steps[2].effective_at == "2026-02-02T10:33:00.000Z");
}

BOOST_AUTO_TEST_CASE(imported_history_is_dated_by_its_legacy_timestamps) {
    const std::vector<Event> events = {
        event(EventType::client_created, 1,
              {{"name", std::string("Acme")},
               {"created_at", std::string("2026-01-15T09:00:00.000Z")},
               {"updated_at", std::string("2026-01-16T09:00:00.000Z")}}),
        event(EventType::client_deleted, 2,
              {{"deleted_at", std::string("2026-01-20T00:00:00.000Z")}}),
    };
    const auto steps = history(events);
    BOOST_TEST(steps[0].effective_at == "2026-01-15T09:00:00.000Z");
    BOOST_TEST(!change(steps[0], "created_at"));  // timestamps are not fields
    BOOST_TEST(steps[1].effective_at == "2026-01-20T00:00:00.000Z");
    BOOST_TEST(steps[1].changes.empty());
}

BOOST_AUTO_TEST_CASE(an_event_that_changes_no_field_lists_its_data) {
    std::vector<Event> events = {
        event(EventType::content_created, 1,
              {{"campaign_id", std::int64_t{1}}, {"topic", std::string("T")}}),
        event(EventType::blocks_reordered, 2, {{"block_ids", IntList{5, 4}}}),
    };
    const auto steps = history(events);
    const FieldChange* order = change(steps[1], "block_ids");
    BOOST_REQUIRE(order);
    BOOST_TEST((std::get<IntList>(*order->after) == IntList{5, 4}));
}

BOOST_AUTO_TEST_SUITE_END()
