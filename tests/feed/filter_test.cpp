#include "omnivibe/feed/filter.hpp"

#include <boost/test/unit_test.hpp>

#include "omnivibe/feed/frames.hpp"

using namespace omnivibe;

BOOST_AUTO_TEST_SUITE(feed_filter)

BOOST_AUTO_TEST_CASE(types_accept_exact_names_and_dotted_prefixes) {
    auto f = feed::parse_types("campaign.*, content.created,storyboard.*");
    BOOST_REQUIRE(f);
    BOOST_TEST(f->types == std::vector<std::string>{"content.created"},
               boost::test_tools::per_element());
    BOOST_TEST(f->prefixes == (std::vector<std::string>{"campaign.", "storyboard."}),
               boost::test_tools::per_element());
    BOOST_TEST(f->matches("campaign.resource_attached", "campaign-1", 1));
    BOOST_TEST(f->matches("content.created", "content-4", 1));
    BOOST_TEST(!f->matches("content.updated", "content-4", 1));
    BOOST_TEST(!f->matches("client.created", "client-1", std::nullopt));
}

BOOST_AUTO_TEST_CASE(unknown_types_are_refused_and_named) {
    auto f = feed::parse_types("campaign.craeted,nothing.*,client.created");
    BOOST_REQUIRE(!f);
    BOOST_TEST(f.error().code == ErrorCode::validation_failed);
    BOOST_REQUIRE(f.error().errors.size() == 1u);
    BOOST_TEST(f.error().errors[0].field == "types");
    BOOST_TEST(f.error().errors[0].message.find("campaign.craeted, nothing.*") != std::string::npos,
               f.error().errors[0].message);
}

BOOST_AUTO_TEST_CASE(a_star_or_nothing_selects_every_type) {
    for (std::string_view csv : {"*", "", "campaign.created,*"}) {
        auto f = feed::parse_types(csv);
        BOOST_REQUIRE(f);
        BOOST_TEST(f->matches("client.deleted", "client-1", std::nullopt), csv);
    }
}

BOOST_AUTO_TEST_CASE(campaign_and_stream_narrow_the_selection) {
    feed::Filter f;
    f.campaign_id = 3;
    BOOST_TEST(f.matches("content.created", "content-9", 3));
    BOOST_TEST(!f.matches("content.created", "content-9", 4));
    BOOST_TEST(!f.matches("client.created", "client-1", std::nullopt));
    f.stream = "content-9";
    BOOST_TEST(f.matches("content.updated", "content-9", 3));
    BOOST_TEST(!f.matches("content.updated", "content-10", 3));
}

BOOST_AUTO_TEST_CASE(streams_must_name_a_kind_and_a_positive_id) {
    BOOST_TEST(feed::parse_stream_param("campaign-3").has_value());
    BOOST_TEST(feed::parse_stream_param("block-40").has_value());
    for (std::string_view bad : {"campaign", "campaign-0", "campaign--1", "planet-3", "campaign-x"})
        BOOST_TEST(!feed::parse_stream_param(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(the_query_carries_the_same_filter_to_sql) {
    auto f = feed::parse_types("campaign.*,content.created");
    BOOST_REQUIRE(f);
    f->campaign_id = 2;
    const auto q = f->query(10, 20, 50);
    BOOST_TEST(q.after == 10);
    BOOST_TEST(*q.up_to == 20);
    BOOST_TEST(q.limit == 50);
    BOOST_TEST(*q.campaign_id == 2);
    BOOST_TEST(q.types == f->types, boost::test_tools::per_element());
    BOOST_TEST(q.type_prefixes == f->prefixes, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(frames_follow_the_event_stream_format) {
    BOOST_TEST(feed::hello_frames(7, 9) ==
               "retry: 3000\n\nevent: hello\nid: 7\ndata: {\"head\":9}\n\n");
    BOOST_TEST(feed::heartbeat_frame(9) == "event: heartbeat\ndata: {\"head\":9}\n\n");
    std::string out;
    feed::append_event_frame(out, 12, "client.created", "{\"seq\":12}");
    BOOST_TEST(out == "id: 12\nevent: client.created\ndata: {\"seq\":12}\n\n");
    const auto reset = feed::reset_frame("lagging", 40);
    BOOST_TEST(reset.rfind("event: reset\ndata: {\"reason\":\"lagging\",\"head\":40,", 0) == 0u,
               reset);
    BOOST_TEST(reset.find("\nid:") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
