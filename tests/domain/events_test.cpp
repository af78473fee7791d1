#include "omnivibe/domain/events.hpp"

#include <boost/test/unit_test.hpp>
#include <set>

using namespace omnivibe::domain;

BOOST_AUTO_TEST_SUITE(event_catalogue)

BOOST_AUTO_TEST_CASE(every_kind_has_one_created_updated_and_deleted_type_on_its_own_stream) {
    std::set<EventType> seen;
    for (Kind kind : {Kind::client, Kind::campaign, Kind::content, Kind::block, Kind::script}) {
        for (Lifecycle role : {Lifecycle::created, Lifecycle::updated, Lifecycle::deleted}) {
            const EventType type = lifecycle_event(kind, role);
            BOOST_TEST((lifecycle(type) == role), type_name(type));
            BOOST_TEST((stream_kind(type) == kind), type_name(type));
            BOOST_TEST(seen.insert(type).second, type_name(type) << " serves two roles");
        }
    }
    // Everything else does something of its own.
    for (EventType type : all_event_types())
        if (!seen.count(type)) BOOST_TEST((lifecycle(type) == Lifecycle::other), type_name(type));
}

BOOST_AUTO_TEST_CASE(the_wire_names_say_the_role) {
    BOOST_TEST(type_name(lifecycle_event(Kind::block, Lifecycle::created)) ==
               "storyboard.block_added");
    BOOST_TEST(type_name(lifecycle_event(Kind::script, Lifecycle::updated)) ==
               "script.status_changed");
    BOOST_TEST(type_name(lifecycle_event(Kind::block, Lifecycle::deleted)) ==
               "storyboard.block_removed");
    BOOST_TEST((lifecycle(EventType::blocks_reordered) == Lifecycle::other));
    BOOST_TEST((lifecycle(EventType::campaign_resource_attached) == Lifecycle::other));
}

BOOST_AUTO_TEST_SUITE_END()
