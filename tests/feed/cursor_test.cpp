#include "omnivibe/feed/cursor.hpp"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "omnivibe/feed/hub.hpp"
#include "support/eventually.hpp"

using namespace omnivibe;

namespace {

store::EventRow row(std::int64_t seq) {
    store::EventRow r;
    r.seq = seq;
    // Every third event belongs to campaign 7: the filtered feed must skip
    // the others in the log and live alike.
    r.campaign_id = seq % 3 == 0 ? std::optional<std::int64_t>(7) : std::optional<std::int64_t>(8);
    r.stream = "campaign-" + std::to_string(*r.campaign_id);
    r.stream_version = seq;
    r.type = "campaign.updated";
    r.data = "{\"notes\":\"n\"}";
    r.meta = "{\"actor\":\"tester\",\"source\":\"test\"}";
    r.recorded_at = "2026-02-02T10:30:00.000Z";
    r.actor = "tester";
    return r;
}

// The log as the writer keeps it: an event is in it (committed) before the
// hub is handed it, as the writer publishes only after COMMIT, and batches
// reach the hub in commit order, as the one writer thread hands them over.
// Publishing outside the lock would let two appenders hand their batches over
// out of order, which the real writer never does.
class Log {
  public:
    explicit Log(feed::Hub& hub) : hub_(hub) {}

    void append(std::int64_t count) {
        std::lock_guard lock(mutex_);
        std::vector<store::EventRow> batch;
        for (std::int64_t i = 0; i < count; ++i) {
            rows_.push_back(row(static_cast<std::int64_t>(rows_.size()) + 1));
            batch.push_back(rows_.back());
        }
        hub_.publish(std::move(batch));
    }

    /// What store::read_events would answer for `q` in a snapshot taken now.
    std::vector<store::EventRow> read(const store::EventQuery& q, const feed::Filter& filter) {
        std::lock_guard lock(mutex_);
        std::vector<store::EventRow> out;
        for (const auto& r : rows_) {
            if (r.seq <= q.after || (q.up_to && r.seq > *q.up_to) || !filter.matches(r)) continue;
            if (static_cast<std::int64_t>(out.size()) == q.limit) break;
            out.push_back(r);
        }
        return out;
    }

    std::int64_t head() {
        std::lock_guard lock(mutex_);
        return static_cast<std::int64_t>(rows_.size());
    }

  private:
    feed::Hub& hub_;
    std::mutex mutex_;
    std::vector<store::EventRow> rows_;
};

std::vector<std::int64_t> expected_after(std::int64_t start, std::int64_t head,
                                         const feed::Filter& filter) {
    std::vector<std::int64_t> out;
    for (std::int64_t seq = start + 1; seq <= head; ++seq)
        if (filter.matches(row(seq))) out.push_back(seq);
    return out;
}

// Drives a cursor as the SSE session does: subscribe, read pages of the log
// up to live_from, then take live frames; returns the seqs it would send.
std::vector<std::int64_t> run_feed(feed::Hub& hub, Log& log, const feed::Filter& filter,
                                   std::int64_t start, std::int64_t page,
                                   const std::function<void()>& between_pages,
                                   const std::function<std::optional<std::int64_t>()>& last) {
    auto sub = hub.subscribe(filter, 64 << 20);
    BOOST_REQUIRE(sub);
    feed::Cursor cursor(start, sub->live_from());
    std::vector<std::int64_t> sent;
    while (auto q = cursor.next_page(filter, page)) {
        const auto rows = log.read(*q, filter);
        for (const auto& r : rows) sent.push_back(r.seq);
        cursor.read(rows, page);
        between_pages();
    }
    BOOST_TEST(cursor.position() >= sub->live_from());
    // Live, until the last matching event the writers committed was sent. The
    // hub queues frames on its own thread; the bound only keeps a broken
    // hand-over from hanging the test (the comparison then shows the gap).
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        const auto until = last();
        if (until && !sent.empty() && sent.back() >= *until) break;
        if (std::chrono::steady_clock::now() > give_up) break;
        std::vector<feed::Frame> frames;
        if (sub->take(frames) != feed::Subscriber::Take::frames) {
            std::this_thread::yield();
            continue;
        }
        std::size_t bytes = 0;
        for (const auto& f : frames) {
            bytes += f.bytes->size();
            if (cursor.take_live(f.seq) && f.seq != 0) sent.push_back(f.seq);
        }
        sub->written(bytes);
    }
    hub.unsubscribe(*sub, "test over");
    return sent;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feed_cursor)

BOOST_AUTO_TEST_CASE(reads_the_log_in_pages_up_to_live_from_then_stops) {
    feed::Filter all;
    feed::Cursor c(0, 10);
    BOOST_TEST(c.catching_up());
    auto q = c.next_page(all, 4);
    BOOST_REQUIRE(q.has_value());
    BOOST_TEST(q->after == 0);
    BOOST_TEST(q->up_to.value_or(-1) == 10);
    BOOST_TEST(q->limit == 4);
    c.read({row(1), row(2), row(3), row(4)}, 4);  // a full page: go on after its last row
    BOOST_TEST(c.position() == 4);
    c.read({row(6)}, 4);  // a short page: the range is done, skipped events included
    BOOST_TEST(c.position() == 10);
    BOOST_TEST(!c.catching_up());
    BOOST_TEST(!c.next_page(all, 4).has_value());
}

BOOST_AUTO_TEST_CASE(live_frames_at_or_below_the_cursor_are_dropped) {
    feed::Cursor c(0, 5);
    c.read({}, 100);
    BOOST_TEST(!c.take_live(5));
    BOOST_TEST(!c.take_live(3));
    BOOST_TEST(c.take_live(0));  // a heartbeat
    BOOST_TEST(c.position() == 5);
    BOOST_TEST(c.take_live(6));
    BOOST_TEST(!c.take_live(6));  // the same frame twice is sent once
    BOOST_TEST(c.take_live(9));
    BOOST_TEST(c.position() == 9);
}

BOOST_AUTO_TEST_CASE(a_start_above_live_from_reads_nothing_and_skips_live_frames_up_to_it) {
    feed::Cursor c(20, 12);
    BOOST_TEST(!c.catching_up());
    BOOST_TEST(!c.next_page(feed::Filter{}, 10).has_value());
    BOOST_TEST(!c.take_live(13));
    BOOST_TEST(!c.take_live(20));
    BOOST_TEST(c.take_live(21));
}

// The guarantee of the feed, end to end but without sockets: with events
// written before, during and after the catch-up, every matching event after
// the start arrives exactly once, in order, with no gap.
BOOST_AUTO_TEST_CASE(every_matching_event_once_in_order_while_events_are_written_during_catch_up) {
    for (const std::int64_t start : {0, 17, 300}) {
        for (const bool filtered : {false, true}) {
            BOOST_TEST_CONTEXT("start " << start << (filtered ? ", campaign 7 only" : "")) {
                feed::Hub hub;
                Log log(hub);
                log.append(250);  // before the subscriber: only the catch-up can send these
                BOOST_REQUIRE(test::eventually([&] { return hub.head() == 250; }));
                feed::Filter filter;
                if (filtered) filter.campaign_id = 7;

                std::atomic<bool> writer_done{false};
                std::atomic<int> pages{0};
                // A second writer keeps committing while the pages are read.
                std::thread writer([&] {
                    for (int i = 0; i < 40; ++i) {
                        log.append(1 + i % 3);
                        std::this_thread::yield();
                    }
                    writer_done = true;
                });
                const auto sent = run_feed(
                    hub, log, filter, start, 7,
                    [&] {
                        // Between two pages, more events are committed and published.
                        if (++pages % 4 == 0) log.append(2);
                    },
                    [&]() -> std::optional<std::int64_t> {
                        if (!writer_done) return std::nullopt;
                        const auto all = expected_after(start, log.head(), filter);
                        return all.empty() ? std::nullopt : std::optional(all.back());
                    });
                writer.join();

                const auto expected = expected_after(start, log.head(), filter);
                BOOST_TEST(log.head() > 250);                   // events were written meanwhile
                if (start < 250) BOOST_TEST(pages.load() > 1);  // the catch-up read pages
                BOOST_REQUIRE(!expected.empty());
                BOOST_TEST(sent == expected, boost::test_tools::per_element());
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
