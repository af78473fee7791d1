#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "integration/api_helpers.hpp"
#include "omnivibe/feed/hub.hpp"
#include "support/eventually.hpp"
#include "support/sse_client.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;
using namespace std::chrono_literals;

namespace {

const omnivibe::feed::HubStats& hub_stats(TestServer& s) {
    return s.server().service().hub->stats();
}

// The seqs of the events (not hello, heartbeat or reset) in `events`.
std::vector<std::int64_t> seqs_of(const std::vector<SseEvent>& events) {
    std::vector<std::int64_t> out;
    for (const auto& e : events)
        if (e.event != "hello" && e.event != "heartbeat" && e.event != "reset")
            out.push_back(e.seq());
    return out;
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i <= to; ++i) out.push_back(i);
    return out;
}

std::int64_t head_of(HttpClient& c) {
    return json_int(c.get("/api/v1/events?limit=1&after=999999999").body, "/head");
}

// Writes `count` clients from `threads` connections at once; every write must succeed.
void write_clients(std::uint16_t port, int threads, int count, const std::string& tag,
                   const std::string& notes = {}) {
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (int t = 0; t < threads; ++t)
        writers.emplace_back([&, t] {
            HttpClient c(port);
            for (int i = t; i < count; i += threads) {
                std::string body = R"({"name":")" + tag + "-" + std::to_string(i) + "\"";
                if (!notes.empty()) body += R"(,"notes":")" + notes + "\"";
                body += "}";
                if (c.post("/api/v1/clients", body).status != 201) ++failures;
            }
        });
    for (auto& w : writers) w.join();
    BOOST_TEST(failures.load() == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(changes_feed)

BOOST_AUTO_TEST_CASE(the_stream_opens_with_retry_and_hello_then_carries_new_events) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    create_client(c, "B");
    SseClient feed(s.port(), "/api/v1/changes");
    BOOST_TEST(feed.status() == 200);
    BOOST_TEST(feed.header("Content-Type") == "text/event-stream");
    BOOST_TEST(feed.header("Cache-Control") == "no-cache");
    BOOST_TEST(feed.header("X-Accel-Buffering") == "no");
    auto hello = feed.next();
    BOOST_REQUIRE(hello);
    BOOST_TEST(hello->event == "hello");
    BOOST_TEST(hello->id == "2");  // no position given: only new events
    BOOST_TEST(hello->data == R"({"head":2})");
    BOOST_TEST(feed.retry().value_or(0) == 3000);

    create_client(c, "C");
    auto ev = feed.next();
    BOOST_REQUIRE(ev);
    BOOST_TEST(ev->event == "client.created");
    BOOST_TEST(ev->id == "3");
    BOOST_TEST(json_int(ev->data, "/seq") == 3);
    BOOST_TEST(json_string(ev->data, "/stream") == "client-3");
    BOOST_TEST(json_string(ev->data, "/entity") == "client");
    BOOST_TEST(json_int(ev->data, "/entity_id") == 3);
    BOOST_TEST(json_int(ev->data, "/version") == 1);
    BOOST_TEST(json_string(ev->data, "/actor") == "anonymous");
    BOOST_TEST(json_is_null(ev->data, "/campaign_id"));
    BOOST_TEST(json_string(ev->data, "/data/name") == "C");
    BOOST_TEST(feed.last_event_id() == "3");
}

BOOST_AUTO_TEST_CASE(since_zero_replays_everything_then_continues_live) {
    TestServer s;
    auto c = s.client();
    for (int i = 0; i < 30; ++i) create_client(c, "c" + std::to_string(i));
    SseClient feed(s.port(), "/api/v1/changes?since=0");
    auto hello = feed.next();
    BOOST_REQUIRE(hello);
    BOOST_TEST(hello->id == "0");
    BOOST_TEST(hello->data == R"({"head":30})");
    BOOST_TEST(seqs_of(feed.read_through(30)) == range(1, 30), boost::test_tools::per_element());
    for (int i = 30; i < 35; ++i) create_client(c, "c" + std::to_string(i));
    BOOST_TEST(seqs_of(feed.read_through(35)) == range(31, 35), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(last_event_id_takes_precedence_over_since) {
    TestServer s;
    auto c = s.client();
    for (int i = 0; i < 8; ++i) create_client(c, "c" + std::to_string(i));
    SseClient feed(s.port(), "/api/v1/changes?since=1", {{{"Last-Event-ID", "5"}}});
    auto hello = feed.next();
    BOOST_REQUIRE(hello);
    BOOST_TEST(hello->id == "5");
    BOOST_TEST(seqs_of(feed.read_through(8)) == range(6, 8), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_parameters_get_a_json_error_before_any_stream) {
    TestServer s;
    const std::pair<std::string, std::string> cases[] = {
        {"/api/v1/changes?since=-1", "since"},
        {"/api/v1/changes?since=abc", "since"},
        {"/api/v1/changes?types=campaign.craeted", "types"},
        {"/api/v1/changes?types=nothing.*", "types"},
        {"/api/v1/changes?campaign_id=x", "campaign_id"},
        {"/api/v1/changes?stream=campaign", "stream"},
    };
    for (const auto& [target, field] : cases) {
        SseClient feed(s.port(), target);
        BOOST_TEST_CONTEXT(target) {
            BOOST_TEST(feed.status() == 422);
            BOOST_TEST(feed.header("Content-Type") == "application/json");
            BOOST_TEST(json_string(feed.body(), "/code") == "validation_failed");
            BOOST_TEST(error_fields(feed.body()) == std::vector<std::string>{field},
                       boost::test_tools::per_element());
        }
    }
    SseClient bad_id(s.port(), "/api/v1/changes", {{{"Last-Event-ID", "abc"}}});
    BOOST_TEST(bad_id.status() == 422);
    BOOST_TEST(error_fields(bad_id.body()) == std::vector<std::string>{"Last-Event-ID"},
               boost::test_tools::per_element());
    BOOST_TEST(hub_stats(s).subscribers.load() == 0u);
}

BOOST_AUTO_TEST_CASE(filters_select_exactly_the_matching_events_from_the_log_and_live) {
    TestServer s;
    auto c = s.client();
    // Half the story is in the log before the subscribers connect (catch-up
    // filters in SQL), half happens after (the hub filters live frames).
    auto story = [&](int round) {
        const std::string r = std::to_string(round);
        auto client = create_client(c, "client " + r);
        auto one = create_campaign(c, client, "one " + r);
        auto two = create_campaign(c, client, "two " + r);
        auto a = create_content(c, one, "a " + r);
        create_content(c, two, "b " + r);
        BOOST_TEST(
            c.patch("/api/v1/content-schedule/" + std::to_string(a), R"({"topic":"a2"})").status ==
            200);
        BOOST_TEST(
            c.patch("/api/v1/campaigns/" + std::to_string(two), R"({"status":"active"})").status ==
            200);
        BOOST_TEST(
            c.patch("/api/v1/clients/" + std::to_string(client), R"({"industry":"x"})").status ==
            200);
    };
    story(0);
    struct Sub {
        std::string query;
        std::function<bool(const std::string& type, const std::string& stream,
                           std::optional<std::int64_t> campaign)>
            wants;
    };
    const std::vector<Sub> subs = {
        {"types=campaign.*", [](auto& t, auto&, auto) { return t.rfind("campaign.", 0) == 0; }},
        {"campaign_id=1", [](auto&, auto&, auto cid) { return cid == 1; }},
        {"stream=content-1", [](auto&, auto& st, auto) { return st == "content-1"; }},
        {"types=content.created,client.*",
         [](auto& t, auto&, auto) { return t == "content.created" || t.rfind("client.", 0) == 0; }},
        {"types=content.*&campaign_id=2",
         [](auto& t, auto&, auto cid) { return t.rfind("content.", 0) == 0 && cid == 2; }},
    };
    std::vector<SseClient> feeds;
    for (const auto& sub : subs)
        feeds.emplace_back(s.port(), "/api/v1/changes?since=0&" + sub.query);
    story(1);

    const auto all = c.get("/api/v1/events?limit=1000");
    const auto n = json_size(all.body, "/events");
    BOOST_REQUIRE(n == 16u);
    for (std::size_t i = 0; i < subs.size(); ++i) {
        std::vector<std::int64_t> expected;
        for (std::size_t k = 0; k < n; ++k) {
            const std::string p = "/events/" + std::to_string(k);
            const auto cid =
                json_is_null(all.body, p + "/campaign_id")
                    ? std::nullopt
                    : std::optional<std::int64_t>(json_int(all.body, p + "/campaign_id"));
            if (subs[i].wants(json_string(all.body, p + "/type"),
                              json_string(all.body, p + "/stream"), cid))
                expected.push_back(json_int(all.body, p + "/seq"));
        }
        BOOST_TEST_CONTEXT(subs[i].query) {
            BOOST_REQUIRE(!expected.empty());
            BOOST_REQUIRE(feeds[i].status() == 200);
            const auto got = feeds[i].read_through(expected.back());
            BOOST_TEST(seqs_of(got) == expected, boost::test_tools::per_element());
            for (const auto& ev : got)
                if (ev.has_id && ev.event != "hello")
                    BOOST_TEST(json_string(ev.data, "/type") == ev.event);
        }
    }
}

BOOST_AUTO_TEST_CASE(resuming_with_last_event_id_loses_and_repeats_nothing_under_heavy_writes) {
    TestServer s;
    constexpr int kWrites = 3000;
    std::thread writers([&] { write_clients(s.port(), 3, kWrites, "busy"); });

    // Connect, read a while, drop, reconnect from the last id: many times,
    // each reconnect catching up from the log while writes keep coming.
    std::mt19937 rng(42);
    std::vector<std::int64_t> received;
    std::string last_id;
    int connections = 0;
    while (received.size() < static_cast<std::size_t>(kWrites) && connections < 200) {
        SseClient::Options o;
        if (!last_id.empty()) o.headers = {{"Last-Event-ID", last_id}};
        SseClient feed(s.port(), last_id.empty() ? "/api/v1/changes?since=0" : "/api/v1/changes",
                       o);
        ++connections;
        BOOST_REQUIRE(feed.status() == 200);
        auto hello = feed.next();
        BOOST_REQUIRE(hello);
        BOOST_REQUIRE(hello->event == "hello");
        BOOST_TEST(hello->id == (last_id.empty() ? "0" : last_id));
        const int take = std::uniform_int_distribution<int>(50, 400)(rng);
        for (int i = 0; i < take && received.size() < static_cast<std::size_t>(kWrites); ++i) {
            auto ev = feed.next();
            BOOST_REQUIRE_MESSAGE(ev, "the stream stopped after seq " + last_id);
            if (ev->event == "heartbeat") continue;
            BOOST_REQUIRE(ev->event == "client.created");
            BOOST_REQUIRE(json_int(ev->data, "/seq") == ev->seq());
            received.push_back(ev->seq());
        }
        last_id = feed.last_event_id();
        feed.close();
    }
    writers.join();
    BOOST_TEST(connections > 5);
    BOOST_TEST(received == range(1, kWrites), boost::test_tools::per_element());
}

// What a frontend does: load a list, then subscribe from the list's "seq".
// With writes going on throughout, the list and the feed together hold every
// client exactly once: the snapshot at H has ids 1..H (one event per client),
// and the feed from H brings exactly H+1..N.
BOOST_AUTO_TEST_CASE(load_then_subscribe_from_the_lists_seq_misses_and_repeats_nothing) {
    TestServer s;
    // Writers keep creating clients until the subscriber has seen 200 of them
    // live, so writes surely go on before, during and after the load.
    std::atomic<bool> stop{false};
    std::atomic<int> written{0}, failed{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; ++t)
        writers.emplace_back([&, t] {
            HttpClient w(s.port());
            for (int i = 0; !stop.load(); ++i)
                (w.post("/api/v1/clients",
                        R"({"name":"live-)" + std::to_string(t) + "-" + std::to_string(i) + "\"}")
                             .status == 201
                     ? written
                     : failed)++;
        });
    HttpClient c = s.client();
    BOOST_REQUIRE(eventually([&] { return head_of(c) >= 100; }));

    auto page = c.get("/api/v1/clients?sort=-id&page_size=100");
    BOOST_REQUIRE(page.status == 200);
    const std::int64_t seq = json_int(page.body, "/seq");
    BOOST_TEST(page.header("X-Event-Seq") == std::to_string(seq));
    BOOST_TEST(json_int(page.body, "/total") == seq);
    BOOST_TEST(json_int(page.body, "/clients/0/id") == seq);  // the newest in the snapshot

    SseClient feed(s.port(), "/api/v1/changes?since=" + std::to_string(seq));
    BOOST_REQUIRE(feed.status() == 200);
    std::vector<std::int64_t> ids;
    std::size_t expected = SIZE_MAX;
    while (ids.size() < expected) {
        auto ev = feed.next();
        BOOST_REQUIRE_MESSAGE(ev, "the stream stopped after " << ids.size() << " events");
        if (ev->event != "client.created") continue;
        BOOST_REQUIRE(ev->seq() > seq);
        ids.push_back(json_int(ev->data, "/entity_id"));
        if (ids.size() == 200) {
            stop = true;
            for (auto& w : writers) w.join();
            BOOST_REQUIRE(failed.load() == 0);
            expected = static_cast<std::size_t>(written.load() - seq);
        }
    }
    BOOST_TEST(ids == range(seq + 1, written.load()), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_hundred_subscribers_receive_identical_sequences) {
    TestServer s;
    auto c = s.client();
    create_client(c, "before");
    std::vector<SseClient> feeds;
    for (int i = 0; i < 100; ++i) {
        feeds.emplace_back(s.port(), "/api/v1/changes");
        BOOST_REQUIRE(feeds.back().status() == 200);
    }
    BOOST_TEST(hub_stats(s).subscribers.load() == 100u);
    write_clients(s.port(), 2, 200, "fan");
    const std::int64_t head = head_of(c);
    BOOST_REQUIRE(head == 201);
    for (auto& f : feeds) {
        auto events = f.read_through(head);
        BOOST_REQUIRE(!events.empty());
        BOOST_TEST(events.front().event == "hello");
        BOOST_TEST(seqs_of(events) == range(2, head), boost::test_tools::per_element());
    }
    // Each event was formatted once however many received it (seq 1 may
    // also have reached some live, to be dropped there by seq).
    BOOST_TEST(hub_stats(s).events.load() == 201u);
    BOOST_TEST(hub_stats(s).deliveries.load() >= 200u * 100u);
}

BOOST_AUTO_TEST_CASE(a_stalled_subscriber_is_reset_while_others_keep_up_then_resumes_without_loss) {
    TestServer s([](omnivibe::http::ServerOptions& o) { o.service.sse_max_lag_bytes = 1 << 20; });
    auto c = s.client();
    create_client(c, "first");
    SseClient::Options tiny;
    tiny.receive_buffer = 4096;
    SseClient stalled(s.port(), "/api/v1/changes", tiny);
    auto hello = stalled.next();
    BOOST_REQUIRE(hello);
    BOOST_REQUIRE(hello->id == "1");
    // From here the stalled client reads nothing, while a healthy one reads along.
    std::atomic<std::int64_t> final_seq{-1};
    std::atomic<std::int64_t> healthy_at{0};
    std::vector<std::int64_t> healthy_seqs;
    SseClient healthy(s.port(), "/api/v1/changes");
    std::thread reader([&] {
        while (auto ev = healthy.next(60s)) {
            if (ev->event != "hello" && ev->event != "heartbeat") {
                healthy_seqs.push_back(ev->seq());
                healthy_at = ev->seq();
            }
            const auto f = final_seq.load();
            if (f > 0 && !healthy_seqs.empty() && healthy_seqs.back() >= f) break;
        }
    });

    // Big events, written until the stalled subscriber overflowed (its kernel
    // buffers absorb a varying amount first), and then some more. The healthy
    // subscriber keeps up by construction, not by luck of the scheduler: the
    // writer never gets more than 150 events (about 640 KB, under the 1 MB
    // limit) ahead of what it has read. Without that, a starved test process
    // (or PostgreSQL's follower handing over a page of many events at once)
    // could leave it behind by more than the limit, and reset it rightly.
    const std::string notes(4000, 'n');
    constexpr std::int64_t kAhead = 150;
    HttpClient w(s.port());
    int written = 0, failed = 0;
    while (hub_stats(s).resets.load() == 0 && written < 20000) {
        auto r = w.post("/api/v1/clients", R"({"name":"big-)" + std::to_string(written) +
                                               R"(","notes":")" + notes + "\"}");
        ++written;
        if (r.status != 201) {
            ++failed;
            continue;
        }
        const std::int64_t seq = std::stoll(r.header("X-Event-Seq"));
        BOOST_REQUIRE_MESSAGE(
            eventually([&] { return healthy_at.load() >= seq - kAhead; }),
            "the healthy subscriber stopped reading at seq " << healthy_at.load());
    }
    BOOST_REQUIRE(hub_stats(s).resets.load() == 1u);
    for (int i = 0; i < 20; ++i)
        if (w.post("/api/v1/clients", R"({"name":"after-)" + std::to_string(i) + "\"}").status !=
            201)
            ++failed;
    // The last event is written after the reader knows it, so it cannot
    // have read past it already and be left waiting.
    const std::int64_t head = head_of(c) + 1;
    final_seq = head;
    if (w.post("/api/v1/clients", R"({"name":"last"})").status != 201) ++failed;
    BOOST_TEST(failed == 0);  // writes kept succeeding
    reader.join();
    BOOST_TEST(healthy_seqs == range(2, head), boost::test_tools::per_element());
    BOOST_TEST(hub_stats(s).bytes_dropped.load() > 0u);

    // The stalled client now reads what reached it, up to the end of its
    // stream, and resumes from its Last-Event-ID.
    std::vector<std::int64_t> got;
    bool reset_seen = false;
    while (auto ev = stalled.next(60s)) {
        if (ev->event == "reset")
            reset_seen = true;
        else if (ev->event != "heartbeat")
            got.push_back(ev->seq());
    }
    BOOST_TEST(!stalled.timed_out());  // the server ended it
    BOOST_TEST_MESSAGE("stalled subscriber: " << got.size()
                                              << " events before the end, reset frame "
                                              << (reset_seen ? "received" : "not deliverable"));
    const std::string resume_from = stalled.last_event_id().empty() ? "1" : stalled.last_event_id();
    SseClient resumed(s.port(), "/api/v1/changes", {{{"Last-Event-ID", resume_from}}});
    for (auto& ev : resumed.read_through(head))
        if (ev.event != "hello" && ev.event != "heartbeat") got.push_back(ev.seq());
    BOOST_TEST(got == range(2, head), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(heartbeats_carry_the_head_and_no_id) {
    TestServer s([](omnivibe::http::ServerOptions& o) { o.service.sse_heartbeat_seconds = 1; });
    auto c = s.client();
    create_client(c, "A");
    SseClient feed(s.port(), "/api/v1/changes");
    auto hello = feed.next();
    BOOST_REQUIRE(hello);
    auto beat = feed.next();
    BOOST_REQUIRE(beat);
    BOOST_TEST(beat->event == "heartbeat");
    BOOST_TEST(!beat->has_id);
    BOOST_TEST(beat->data == R"({"head":1})");
    BOOST_TEST(feed.last_event_id() == "1");  // a heartbeat never moves the cursor
}

BOOST_AUTO_TEST_CASE(graceful_stop_ends_every_stream_cleanly) {
    TestServer s;
    auto c = s.client();
    create_client(c, "A");
    std::vector<SseClient> feeds;
    for (int i = 0; i < 3; ++i) {
        feeds.emplace_back(s.port(), "/api/v1/changes?since=0");
        BOOST_TEST(seqs_of(feeds.back().read_through(1)) == range(1, 1),
                   boost::test_tools::per_element());
    }
    BOOST_TEST(hub_stats(s).subscribers.load() == 3u);
    create_client(c, "B");  // queued for every stream, and still delivered
    s.server().stop();
    BOOST_TEST(hub_stats(s).subscribers.load() == 0u);
    for (auto& f : feeds) {
        std::vector<std::int64_t> rest;
        while (auto ev = f.next(20s)) rest.push_back(ev->seq());
        BOOST_TEST(rest == range(2, 2), boost::test_tools::per_element());
        BOOST_TEST(f.ended_cleanly());
        BOOST_TEST(!f.timed_out());
    }
}

BOOST_AUTO_TEST_CASE(stop_gives_up_on_a_stream_whose_client_stopped_reading) {
    TestServer s([](omnivibe::http::ServerOptions& o) { o.service.sse_max_lag_bytes = 64 << 20; });
    SseClient::Options tiny;
    tiny.receive_buffer = 4096;
    SseClient stalled(s.port(), "/api/v1/changes", tiny);
    BOOST_REQUIRE(stalled.next());  // hello; then it reads nothing more
    // More than the socket buffers hold, less than the lag limit: the
    // session is left in a write that cannot finish.
    write_clients(s.port(), 2, 2500, "big", std::string(4000, 'n'));
    s.server().stop();
    BOOST_TEST(hub_stats(s).subscribers.load() == 0u);
    BOOST_TEST(hub_stats(s).resets.load() == 0u);
}

BOOST_AUTO_TEST_CASE(a_client_that_leaves_is_unsubscribed) {
    TestServer s;
    {
        SseClient feed(s.port(), "/api/v1/changes");
        BOOST_REQUIRE(feed.next());
        BOOST_TEST(hub_stats(s).subscribers.load() == 1u);
    }
    BOOST_TEST(eventually([&] { return hub_stats(s).subscribers.load() == 0u; }));
    BOOST_TEST(hub_stats(s).subscriptions.load() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
