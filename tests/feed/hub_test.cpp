#include "omnivibe/feed/hub.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "support/eventually.hpp"

using namespace omnivibe;
using namespace std::chrono_literals;

namespace {

using test::eventually;  // the hub delivers on its own thread

store::EventRow row(std::int64_t seq, std::string type, std::string stream,
                    std::optional<std::int64_t> campaign_id = std::nullopt, std::size_t pad = 0) {
    store::EventRow r;
    r.seq = seq;
    r.stream = std::move(stream);
    r.stream_version = 1;
    r.type = std::move(type);
    r.data = "{\"notes\":\"" + std::string(pad, 'x') + "\"}";
    r.meta = "{\"actor\":\"tester\",\"source\":\"test\"}";
    r.campaign_id = campaign_id;
    r.recorded_at = "2026-02-02T10:30:00.000Z";
    r.actor = "tester";
    return r;
}

std::vector<store::EventRow> batch(std::initializer_list<store::EventRow> rows) { return rows; }

// A subscriber as a session would drive it: counts wake-ups.
struct Reader {
    std::shared_ptr<feed::Subscriber> sub;
    std::atomic<int> wakes{0};

    Reader(feed::Hub& hub, feed::Filter filter = {}, std::size_t max_lag = 1 << 20)
        : sub(hub.subscribe(std::move(filter), max_lag)) {
        BOOST_REQUIRE(sub);
        sub->on_ready([this] { ++wakes; });
    }
    /// Everything queued now (frames), after waiting for `seq` to be delivered.
    std::vector<feed::Frame> take_all() {
        std::vector<feed::Frame> out;
        (void)sub->take(out);
        return out;
    }
    static std::vector<std::int64_t> seqs(const std::vector<feed::Frame>& frames) {
        std::vector<std::int64_t> out;
        for (const auto& f : frames) out.push_back(f.seq);
        return out;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(feed_hub)

BOOST_AUTO_TEST_CASE(each_event_is_formatted_once_and_shared_by_every_subscriber) {
    feed::Hub hub;
    Reader a(hub), b(hub);
    hub.publish(
        batch({row(1, "client.created", "client-1"), row(2, "client.updated", "client-1")}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 2; }));
    const auto fa = a.take_all(), fb = b.take_all();
    BOOST_REQUIRE(fa.size() == 2u);
    BOOST_REQUIRE(fb.size() == 2u);
    BOOST_TEST(fa[0].bytes.get() == fb[0].bytes.get());  // the same bytes, not a copy
    BOOST_TEST(fa[1].bytes.get() == fb[1].bytes.get());
    BOOST_TEST(hub.stats().events.load() == 2u);
    BOOST_TEST(hub.stats().deliveries.load() == 4u);
    BOOST_TEST(fa[0].bytes->rfind("id: 1\nevent: client.created\ndata: {\"seq\":1,", 0) == 0u,
               *fa[0].bytes);
    BOOST_TEST(fa[0].bytes->substr(fa[0].bytes->size() - 3) == "}\n\n");
}

BOOST_AUTO_TEST_CASE(a_subscriber_receives_only_what_its_filter_selects) {
    feed::Hub hub;
    auto types = feed::parse_types("campaign.*");
    BOOST_REQUIRE(types);
    feed::Filter campaign_two;
    campaign_two.campaign_id = 2;
    feed::Filter one_stream;
    one_stream.stream = "content-5";
    Reader campaigns(hub, *types), second(hub, campaign_two), content(hub, one_stream);
    hub.publish(batch(
        {row(1, "client.created", "client-1"), row(2, "campaign.created", "campaign-1", 1),
         row(3, "campaign.created", "campaign-2", 2), row(4, "content.created", "content-5", 2),
         row(5, "content.updated", "content-5", 2), row(6, "campaign.updated", "campaign-1", 1)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 6; }));
    BOOST_TEST(Reader::seqs(campaigns.take_all()) == (std::vector<std::int64_t>{2, 3, 6}),
               boost::test_tools::per_element());
    BOOST_TEST(Reader::seqs(second.take_all()) == (std::vector<std::int64_t>{3, 4, 5}),
               boost::test_tools::per_element());
    BOOST_TEST(Reader::seqs(content.take_all()) == (std::vector<std::int64_t>{4, 5}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(live_delivery_starts_after_the_head_at_subscription) {
    feed::Hub hub;
    hub.start_from(5);
    Reader early(hub);
    BOOST_TEST(early.sub->live_from() == 5);
    hub.publish(batch({row(6, "client.created", "client-6")}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 6; }));
    Reader late(hub);
    BOOST_TEST(late.sub->live_from() == 6);
    hub.publish(batch({row(7, "client.created", "client-7")}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 7; }));
    BOOST_TEST(Reader::seqs(early.take_all()) == (std::vector<std::int64_t>{6, 7}),
               boost::test_tools::per_element());
    BOOST_TEST(Reader::seqs(late.take_all()) == (std::vector<std::int64_t>{7}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_idle_reader_is_woken_once_per_arrival_and_not_while_busy) {
    feed::Hub hub;
    Reader r(hub);
    BOOST_TEST(r.take_all().empty());  // idle: the next frame wakes it
    hub.publish(batch({row(1, "client.created", "client-1")}));
    BOOST_REQUIRE(eventually([&] { return r.wakes.load() == 1; }));
    hub.publish(batch({row(2, "client.created", "client-2")}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 2; }));
    BOOST_TEST(r.wakes.load() == 1);  // not taken yet: no second wake-up
    BOOST_TEST(Reader::seqs(r.take_all()) == (std::vector<std::int64_t>{1, 2}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_reader_holding_back_a_write_is_woken_once_a_backlog_builds) {
    feed::Hub hub;
    Reader r(hub);
    hub.publish(batch({row(1, "client.created", "client-1", std::nullopt, 1000)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 1; }));
    BOOST_REQUIRE(r.take_all().size() == 1u);  // written at once; now it waits a little
    r.sub->wake_when_unsent(2500);
    hub.publish(batch({row(2, "client.created", "client-2", std::nullopt, 1000)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 2; }));
    BOOST_TEST(r.wakes.load() == 0);  // below the mark: frames just gather
    hub.publish(batch({row(3, "client.created", "client-3", std::nullopt, 1000)}));
    BOOST_REQUIRE(eventually([&] { return r.wakes.load() == 1; }));
    hub.publish(batch({row(4, "client.created", "client-4", std::nullopt, 1000)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 4; }));
    BOOST_TEST(r.wakes.load() == 1);  // once, not per frame
    BOOST_TEST(Reader::seqs(r.take_all()) == (std::vector<std::int64_t>{2, 3, 4}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(overflow_discards_the_queue_wakes_the_reader_and_counts_a_reset) {
    feed::Hub hub;
    Reader slow(hub, {}, 2048), fast(hub, {}, 1 << 20);
    // Events of about 1 KiB in batches of their own, none taken: the third
    // finds 2 KiB unsent, within the limit; the fourth finds it passed.
    for (std::int64_t seq = 1; seq <= 4; ++seq)
        hub.publish(batch(
            {row(seq, "client.created", "client-" + std::to_string(seq), std::nullopt, 1000)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 4; }));
    BOOST_REQUIRE(eventually([&] { return slow.wakes.load() >= 1; }));
    std::vector<feed::Frame> frames;
    BOOST_TEST((slow.sub->take(frames) == feed::Subscriber::Take::overflowed));
    BOOST_TEST(frames.empty());
    BOOST_TEST((slow.sub->state() == feed::Subscriber::State::overflowed));
    BOOST_TEST(hub.stats().resets.load() == 1u);
    BOOST_TEST(hub.stats().bytes_dropped.load() > 3000u);
    // The others are not affected.
    BOOST_TEST(Reader::seqs(fast.take_all()) == (std::vector<std::int64_t>{1, 2, 3, 4}),
               boost::test_tools::per_element());
}

// Lag is what a subscriber left unread of earlier batches, not the size of
// the batch at hand: a burst larger than the limit (a group commit of big
// events, a follower's catch-up page on PostgreSQL) reaches a subscriber
// that has kept up whole. Its frames are shared with every other subscriber,
// so taking them costs each one pointers, not copies. Once, such a burst
// reset every subscriber at the same moment.
BOOST_AUTO_TEST_CASE(a_burst_larger_than_the_limit_reaches_a_subscriber_that_kept_up) {
    feed::Hub hub;
    Reader r(hub, {}, 2048);
    std::vector<store::EventRow> rows;
    for (std::int64_t seq = 1; seq <= 5; ++seq)
        rows.push_back(
            row(seq, "client.created", "client-" + std::to_string(seq), std::nullopt, 1000));
    hub.publish(std::move(rows));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 5; }));
    BOOST_TEST((r.sub->state() == feed::Subscriber::State::open));
    BOOST_TEST(hub.stats().resets.load() == 0u);
    BOOST_TEST(Reader::seqs(r.take_all()) == (std::vector<std::int64_t>{1, 2, 3, 4, 5}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bytes_in_flight_count_until_they_are_written) {
    feed::Hub hub;
    Reader r(hub, {}, 2048);
    hub.publish(batch({row(1, "client.created", "client-1", std::nullopt, 1000)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 1; }));
    const auto taken = r.take_all();
    BOOST_REQUIRE(taken.size() == 1u);
    BOOST_TEST(r.sub->unsent_bytes() == taken[0].bytes->size());  // handed out, not yet sent
    r.sub->written(taken[0].bytes->size());
    BOOST_TEST(r.sub->unsent_bytes() == 0u);
    hub.publish(batch({row(2, "client.created", "client-2", std::nullopt, 1000)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 2; }));
    BOOST_TEST((r.sub->state() == feed::Subscriber::State::open));
}

BOOST_AUTO_TEST_CASE(one_event_larger_than_the_limit_still_reaches_a_caught_up_reader) {
    feed::Hub hub;
    Reader r(hub, {}, 512);
    hub.publish(batch({row(1, "client.created", "client-1", std::nullopt, 4000)}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 1; }));
    BOOST_TEST(Reader::seqs(r.take_all()) == (std::vector<std::int64_t>{1}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(heartbeats_carry_the_head_and_never_pile_up) {
    feed::Hub hub;
    hub.start_from(4);
    Reader r(hub);
    hub.heartbeat();
    hub.heartbeat();
    const auto frames = r.take_all();
    BOOST_REQUIRE(frames.size() == 1u);
    BOOST_TEST(frames[0].seq == 0);
    BOOST_TEST(*frames[0].bytes == "event: heartbeat\ndata: {\"head\":4}\n\n");
}

BOOST_AUTO_TEST_CASE(the_hub_thread_sends_heartbeats_on_its_own) {
    feed::Hub hub(feed::HubOptions{std::chrono::milliseconds(20)});
    Reader r(hub);
    BOOST_TEST(r.take_all().empty());
    BOOST_REQUIRE(eventually([&] { return r.wakes.load() >= 1; }));
    const auto frames = r.take_all();
    BOOST_REQUIRE(!frames.empty());
    BOOST_TEST(frames[0].bytes->rfind("event: heartbeat\n", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(close_ends_each_stream_after_its_queued_frames) {
    feed::Hub hub;
    Reader r(hub);
    hub.publish(batch({row(1, "client.created", "client-1")}));
    hub.close();  // delivers what was published first
    BOOST_TEST(!hub.subscribe({}, 1024));
    std::vector<feed::Frame> frames;
    BOOST_TEST((r.sub->take(frames) == feed::Subscriber::Take::frames));
    BOOST_TEST(Reader::seqs(frames) == (std::vector<std::int64_t>{1}),
               boost::test_tools::per_element());
    BOOST_TEST((r.sub->take(frames) == feed::Subscriber::Take::closed));
    BOOST_TEST(r.wakes.load() == 1);  // told at once, even without waiting for data
}

BOOST_AUTO_TEST_CASE(the_hub_keeps_only_weak_references_and_counts_subscribers) {
    feed::Hub hub;
    auto kept = hub.subscribe({}, 1024);
    auto dropped = hub.subscribe({}, 1024);
    BOOST_TEST(hub.stats().subscribers.load() == 2u);
    std::weak_ptr<feed::Subscriber> watch = dropped;
    dropped.reset();
    BOOST_TEST(watch.expired());  // the hub did not keep it alive
    hub.heartbeat();              // the next fan-out forgets it
    BOOST_TEST(hub.stats().subscribers.load() == 1u);
    hub.unsubscribe(*kept, "test");
    BOOST_TEST(hub.stats().subscribers.load() == 0u);
    BOOST_TEST(hub.stats().subscriptions.load() == 2u);
}

BOOST_AUTO_TEST_CASE(a_long_poll_is_answered_by_the_first_batch_with_a_match) {
    feed::Hub hub;
    auto types = feed::parse_types("campaign.created");
    BOOST_REQUIRE(types);
    std::promise<feed::WaitResult> answer;
    auto result = answer.get_future();
    const auto started = hub.wait(*types, 0, 10, std::chrono::steady_clock::now() + 60s,
                                  [&](feed::WaitResult r) { answer.set_value(std::move(r)); });
    BOOST_REQUIRE((started == feed::Hub::WaitStart::waiting));
    BOOST_TEST(hub.stats().waiters.load() == 1u);
    hub.publish(batch({row(1, "client.created", "client-1")}));
    hub.publish(
        batch({row(2, "campaign.created", "campaign-1", 1), row(3, "client.updated", "client-1"),
               row(4, "campaign.created", "campaign-2", 2)}));
    BOOST_REQUIRE((result.wait_for(10s) == std::future_status::ready));
    const auto r = result.get();
    BOOST_TEST((r.why == feed::WaitResult::Why::events));
    BOOST_REQUIRE(r.events.size() == 2u);
    BOOST_TEST(r.events[0]->seq == 2);
    BOOST_TEST(r.events[1]->seq == 4);
    BOOST_TEST(r.head == 4);
    BOOST_TEST(!r.more);
    BOOST_TEST(r.events[0]->envelope.rfind("{\"seq\":2,", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_long_poll_takes_at_most_its_limit) {
    feed::Hub hub;
    std::promise<feed::WaitResult> answer;
    auto result = answer.get_future();
    BOOST_REQUIRE((hub.wait({}, 0, 2, std::chrono::steady_clock::now() + 60s,
                            [&](feed::WaitResult r) { answer.set_value(std::move(r)); }) ==
                   feed::Hub::WaitStart::waiting));
    hub.publish(batch({row(1, "client.created", "client-1"), row(2, "client.created", "client-2"),
                       row(3, "client.created", "client-3")}));
    BOOST_REQUIRE((result.wait_for(10s) == std::future_status::ready));
    const auto r = result.get();
    BOOST_TEST(r.events.size() == 2u);
    BOOST_TEST(r.more);
}

BOOST_AUTO_TEST_CASE(a_long_poll_behind_the_head_must_read_the_log_again) {
    feed::Hub hub;
    hub.start_from(3);
    bool called = false;
    BOOST_TEST((hub.wait({}, 2, 10, std::chrono::steady_clock::now() + 60s,
                         [&](feed::WaitResult) { called = true; }) == feed::Hub::WaitStart::stale));
    BOOST_TEST(!called);
    BOOST_TEST(hub.stats().waiters.load() == 0u);
}

BOOST_AUTO_TEST_CASE(a_long_poll_ends_at_its_deadline_with_nothing) {
    feed::Hub hub;
    hub.start_from(7);
    std::promise<feed::WaitResult> answer;
    auto result = answer.get_future();
    BOOST_REQUIRE((hub.wait({}, 7, 10, std::chrono::steady_clock::now() + 30ms,
                            [&](feed::WaitResult r) { answer.set_value(std::move(r)); }) ==
                   feed::Hub::WaitStart::waiting));
    BOOST_REQUIRE((result.wait_for(10s) == std::future_status::ready));
    const auto r = result.get();
    BOOST_TEST((r.why == feed::WaitResult::Why::deadline));
    BOOST_TEST(r.events.empty());
    BOOST_TEST(r.head == 7);
}

BOOST_AUTO_TEST_CASE(shutdown_answers_every_long_poll_and_refuses_new_ones) {
    feed::Hub hub;
    std::promise<feed::WaitResult> answer;
    auto result = answer.get_future();
    BOOST_REQUIRE((hub.wait({}, 0, 10, std::chrono::steady_clock::now() + 60s,
                            [&](feed::WaitResult r) { answer.set_value(std::move(r)); }) ==
                   feed::Hub::WaitStart::waiting));
    hub.release_waiters();
    BOOST_REQUIRE((result.wait_for(10s) == std::future_status::ready));
    BOOST_TEST((result.get().why == feed::WaitResult::Why::shutdown));
    BOOST_TEST((hub.wait({}, 0, 10, std::chrono::steady_clock::now() + 60s,
                         [](feed::WaitResult) {}) == feed::Hub::WaitStart::closed));
}

BOOST_AUTO_TEST_CASE(publishing_never_waits_for_a_reader_that_does_not_read) {
    feed::Hub hub;
    Reader stalled(hub, {}, 4096);
    // Thousands of events with nobody taking them: the stalled reader
    // overflows once and is dropped from delivery; publish() keeps returning.
    for (std::int64_t seq = 1; seq <= 2000; ++seq)
        hub.publish(batch({row(seq, "client.created", "client-" + std::to_string(seq))}));
    BOOST_REQUIRE(eventually([&] { return hub.head() == 2000; }));
    BOOST_TEST((stalled.sub->state() == feed::Subscriber::State::overflowed));
    BOOST_TEST(hub.stats().resets.load() == 1u);
    BOOST_TEST(stalled.sub->unsent_bytes() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
