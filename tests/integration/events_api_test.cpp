#include <boost/test/unit_test.hpp>
#include <functional>
#include <future>
#include <thread>

#include "integration/api_helpers.hpp"
#include "omnivibe/feed/hub.hpp"
#include "support/eventually.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;
using namespace std::chrono_literals;

namespace {

const omnivibe::feed::HubStats& hub_stats(TestServer& s) {
    return s.server().service().hub->stats();
}

std::vector<std::int64_t> seqs(const std::string& body) {
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < json_size(body, "/events"); ++i)
        out.push_back(json_int(body, "/events/" + std::to_string(i) + "/seq"));
    return out;
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i <= to; ++i) out.push_back(i);
    return out;
}

// A GET on its own connection and thread, for long polls.
std::future<HttpResponse> get_async(std::uint16_t port, std::string target) {
    return std::async(std::launch::async, [port, target] { return HttpClient(port).get(target); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(events_api)

BOOST_AUTO_TEST_CASE(pages_follow_next_after_up_to_the_head) {
    TestServer s;
    auto c = s.client();
    for (int i = 0; i < 25; ++i) create_client(c, "c" + std::to_string(i));
    auto p1 = c.get("/api/v1/events?limit=10");
    BOOST_REQUIRE(p1.status == 200);
    BOOST_TEST(seqs(p1.body) == range(1, 10), boost::test_tools::per_element());
    BOOST_TEST(json_int(p1.body, "/head") == 25);
    BOOST_TEST(json_int(p1.body, "/next_after") == 10);
    BOOST_TEST(json_string(p1.body, "/events/0/type") == "client.created");
    BOOST_TEST(json_string(p1.body, "/events/0/at").size() == 24u);
    auto p2 = c.get("/api/v1/events?limit=10&after=10");
    BOOST_TEST(seqs(p2.body) == range(11, 20), boost::test_tools::per_element());
    auto p3 =
        c.get("/api/v1/events?limit=10&after=" + std::to_string(json_int(p2.body, "/next_after")));
    BOOST_TEST(seqs(p3.body) == range(21, 25), boost::test_tools::per_element());
    BOOST_TEST(json_int(p3.body, "/next_after") == 25);
    auto p4 = c.get("/api/v1/events?after=25");
    BOOST_TEST(json_size(p4.body, "/events") == 0u);
    BOOST_TEST(json_int(p4.body, "/next_after") == 25);
}

BOOST_AUTO_TEST_CASE(the_default_page_is_100_events) {
    TestServer s;
    auto c = s.client();
    for (int i = 0; i < 120; ++i) create_client(c, "c" + std::to_string(i));
    auto r = c.get("/api/v1/events");
    BOOST_TEST(json_size(r.body, "/events") == 100u);
    BOOST_TEST(json_int(r.body, "/next_after") == 100);
    BOOST_TEST(json_size(c.get("/api/v1/events?limit=1000").body, "/events") == 120u);
}

BOOST_AUTO_TEST_CASE(filters_select_by_type_stream_and_campaign) {
    TestServer s;
    auto c = s.client();
    auto client = create_client(c, "A");                  // 1
    auto one = create_campaign(c, client, "one");         // 2
    auto two = create_campaign(c, client, "two");         // 3
    create_content(c, one, "a");                          // 4
    create_content(c, two, "b");                          // 5
    c.patch("/api/v1/clients/1", R"({"industry":"x"})");  // 6
    BOOST_TEST(
        seqs(c.get("/api/v1/events?type=campaign.*").body) == (std::vector<std::int64_t>{2, 3}),
        boost::test_tools::per_element());
    BOOST_TEST(seqs(c.get("/api/v1/events?type=client.updated,content.*").body) ==
                   (std::vector<std::int64_t>{4, 5, 6}),
               boost::test_tools::per_element());
    BOOST_TEST(
        seqs(c.get("/api/v1/events?stream=client-1").body) == (std::vector<std::int64_t>{1, 6}),
        boost::test_tools::per_element());
    BOOST_TEST(seqs(c.get("/api/v1/events?campaign_id=" + std::to_string(two)).body) ==
                   (std::vector<std::int64_t>{3, 5}),
               boost::test_tools::per_element());
    // A filtered page that is not full moves the cursor to the head.
    auto r = c.get("/api/v1/events?type=campaign.*&limit=5");
    BOOST_TEST(json_int(r.body, "/next_after") == 6);
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_refused_with_422) {
    TestServer s;
    auto c = s.client();
    for (std::string q : {"limit=0", "limit=1001", "wait=61", "wait=-1", "after=-1", "after=x",
                          "type=nope", "stream=nope", "campaign_id=0"}) {
        auto r = c.get("/api/v1/events?" + q);
        BOOST_TEST_CONTEXT(q) {
            BOOST_TEST(r.status == 422);
            BOOST_TEST(json_string(r.body, "/code") == "validation_failed");
            BOOST_TEST(json_size(r.body, "/errors") == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_long_poll_returns_the_first_matching_event) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto poll = get_async(s.port(), "/api/v1/events?after=1&wait=30&type=campaign.*");
    BOOST_REQUIRE(eventually([&] { return hub_stats(s).waiters.load() == 1u; }));
    create_client(c, "B");            // seq 2: does not match, the poll keeps waiting
    create_campaign(c, 1, "Spring");  // seq 3: matches
    BOOST_REQUIRE((poll.wait_for(30s) == std::future_status::ready));
    auto r = poll.get();
    BOOST_TEST(r.status == 200);
    BOOST_TEST(seqs(r.body) == (std::vector<std::int64_t>{3}), boost::test_tools::per_element());
    BOOST_TEST(json_string(r.body, "/events/0/type") == "campaign.created");
    BOOST_TEST(json_string(r.body, "/events/0/data/name") == "Spring");
    BOOST_TEST(json_int(r.body, "/next_after") == 3);
    BOOST_TEST(json_int(r.body, "/head") == 3);
}

BOOST_AUTO_TEST_CASE(a_long_poll_with_events_already_there_answers_at_once) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto r = c.get("/api/v1/events?after=0&wait=60");
    BOOST_TEST(seqs(r.body) == (std::vector<std::int64_t>{1}), boost::test_tools::per_element());
    BOOST_TEST(hub_stats(s).waiters.load() == 0u);
}

BOOST_AUTO_TEST_CASE(a_long_poll_that_sees_nothing_ends_empty_at_its_deadline) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto r = c.get("/api/v1/events?after=1&wait=1");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_size(r.body, "/events") == 0u);
    BOOST_TEST(json_int(r.body, "/next_after") == 1);
    BOOST_TEST(json_int(r.body, "/head") == 1);
}

BOOST_AUTO_TEST_CASE(long_polls_hold_no_network_thread) {
    // Two network threads and six waiting polls: if a poll held a thread,
    // the GET below could not be answered until the polls ended.
    TestServer s([](omnivibe::http::ServerOptions& o) { o.threads = 2; });
    auto c = s.client();
    create_client(c, "A");
    std::vector<std::future<HttpResponse>> polls;
    for (int i = 0; i < 6; ++i)
        polls.push_back(get_async(s.port(), "/api/v1/events?after=1&wait=60"));
    BOOST_REQUIRE(eventually([&] { return hub_stats(s).waiters.load() == 6u; }));
    BOOST_TEST(c.get("/api/v1/clients").status == 200);
    // Answered while every poll is still waiting.
    for (auto& p : polls) BOOST_TEST((p.wait_for(0s) == std::future_status::timeout));
    BOOST_TEST(hub_stats(s).waiters.load() == 6u);
    create_client(c, "B");
    for (auto& p : polls) {
        BOOST_REQUIRE((p.wait_for(30s) == std::future_status::ready));
        BOOST_TEST(seqs(p.get().body) == (std::vector<std::int64_t>{2}),
                   boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(stopping_the_server_answers_waiting_long_polls) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    auto poll = get_async(s.port(), "/api/v1/events?after=1&wait=60");
    BOOST_REQUIRE(eventually([&] { return hub_stats(s).waiters.load() == 1u; }));
    s.server().stop();
    BOOST_REQUIRE((poll.wait_for(30s) == std::future_status::ready));
    auto r = poll.get();
    BOOST_TEST(r.status == 200);
    BOOST_TEST(json_size(r.body, "/events") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
