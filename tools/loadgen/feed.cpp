// Feed mode: N subscribers on /api/v1/changes, M writers creating campaigns
// at a set rate, and a check that every subscriber received every
// acknowledged write exactly once and in seq order.
//
// Threads: the subscribers run on their own io_context (--threads threads,
// one strand each); the writers run on the calling thread through the
// request engine. The controller (the calling thread) reads only atomics of
// the subscribers until their io_context has stopped; then everything else.
//
// Each write carries "lgfeed <run token> <steady micros at send>" in its
// description, so a subscriber recognises the run's events and measures the
// delay from the write; the envelope's `at` (the commit's timestamp, in
// milliseconds) gives the delay from the commit.

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>
#include <memory>
#include <span>
#include <thread>
#include <unordered_set>

#include "api.hpp"
#include "chunked.hpp"
#include "modes.hpp"
#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/text.hpp"
#include "sse_parser.hpp"

namespace omnivibe::loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
constexpr int kMaxReconnects = 20;
constexpr std::string_view kMarker = "lgfeed ";

std::int64_t wall_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Delivery latencies, one pair of histograms per subscriber thread: one per
// subscriber (25 KB each) made every record a cache miss at a thousand of them.
struct Latencies {
    LatencyHistogram from_write;
    LatencyHistogram from_commit;
};
thread_local Latencies* t_latencies = nullptr;  ///< set by each subscriber thread

struct Subscriber {
    explicit Subscriber(net::any_io_executor ex) : strand(net::make_strand(ex)) {}
    net::strand<net::any_io_executor> strand;
    std::optional<tcp::socket> socket;

    // Read by the controller while the run is on.
    std::atomic<bool> ready{false};
    std::atomic<bool> done{false};
    std::atomic<int> status{0};            ///< HTTP status of the last attempt
    std::atomic<std::int64_t> max_seq{0};  ///< highest seq of this run's events received

    // Owned by the subscriber's strand until the io_context has stopped.
    std::string failure;
    std::optional<std::string> last_id;
    std::vector<std::int64_t> seqs;  ///< this run's events, in arrival order
    std::uint64_t resets = 0;
    std::uint64_t reconnects = 0;
    bool reset_seen = false;
    Clock::time_point last_delivery{};
};

struct Feed {
    Target target;
    std::string path;    ///< /api/v1/changes?since=H&types=campaign.created
    std::string marker;  ///< "lgfeed <token> "
    std::atomic<bool> stopping{false};
};

void on_frame(const Feed& feed, Subscriber& s, const SseFrame& f) {
    if (f.id) s.last_id = f.id;
    if (f.event == "hello") {
        s.ready.store(true);
        return;
    }
    if (f.event == "reset") {
        ++s.resets;
        s.reset_seen = true;
        return;
    }
    const auto at = f.data.find(feed.marker);
    if (at == std::string::npos || !f.id) return;
    const auto seq = parse_int64(*f.id);
    if (!seq) return;
    const auto now = Clock::now();
    s.seqs.push_back(*seq);
    if (*seq > s.max_seq.load(std::memory_order_relaxed))
        s.max_seq.store(*seq, std::memory_order_relaxed);
    s.last_delivery = now;
    // "lgfeed <token> <micros>": the digits after the marker.
    std::string_view rest = std::string_view(f.data).substr(at + feed.marker.size());
    rest = rest.substr(0, rest.find_first_not_of("0123456789"));
    if (auto sent = parse_int64(rest))
        t_latencies->from_write.record(static_cast<std::uint64_t>(
            std::max<std::int64_t>(0, static_cast<std::int64_t>(steady_micros(now)) - *sent)));
    constexpr std::string_view kAt = "\"at\":\"";
    if (const auto a = f.data.find(kAt); a != std::string::npos) {
        const auto end = f.data.find('"', a + kAt.size());
        if (auto ms = parse_timestamp(
                std::string_view(f.data).substr(a + kAt.size(), end - a - kAt.size())))
            t_latencies->from_commit.record(
                static_cast<std::uint64_t>(std::max<std::int64_t>(0, wall_micros() - *ms * 1000)));
    }
}

// A receive buffer per thread: reads are synchronous once the socket is
// readable, so no two subscribers of a thread use it at once.
std::span<char> read_scratch() {
    thread_local std::array<char, 64 * 1024> buffer;
    return buffer;
}

net::awaitable<void> subscribe(Feed& feed, Subscriber& s) {
    const std::string host = feed.target.host == "localhost" ? "127.0.0.1" : feed.target.host;
    const tcp::endpoint endpoint(net::ip::make_address(host), feed.target.port);
    for (int attempt = 0; !feed.stopping.load(); ++attempt) {
        if (attempt > kMaxReconnects) {
            s.failure = "gave up after " + std::to_string(kMaxReconnects) + " reconnects";
            break;
        }
        if (attempt > 0) ++s.reconnects;
        s.socket.emplace(s.strand);
        auto [cec] = co_await s.socket->async_connect(endpoint, kNoThrow);
        if (cec) {
            if (!feed.stopping.load()) s.failure = "connect: " + cec.message();
            break;
        }
        std::string extra = "Accept: text/event-stream\r\n";
        if (s.last_id) extra += "Last-Event-ID: " + *s.last_id + "\r\n";
        const std::string wire = serialize(feed.target, {"GET", feed.path, {}}, extra);
        auto [wec, wn] = co_await net::async_write(*s.socket, net::buffer(wire), kNoThrow);
        if (wec) {
            if (!feed.stopping.load()) s.failure = "sending the request: " + wec.message();
            break;
        }
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::empty_body> parser;
        auto [hec, hn] = co_await bhttp::async_read_header(*s.socket, buffer, parser, kNoThrow);
        if (hec) {
            if (!feed.stopping.load()) s.failure = "reading the answer: " + hec.message();
            break;
        }
        s.status.store(static_cast<int>(parser.get().result_int()));
        if (parser.get().result_int() != 200) {
            s.failure = "answered " + std::to_string(parser.get().result_int());
            break;
        }
        s.reset_seen = false;
        SseParser sse([&feed, &s](const SseFrame& f) { on_frame(feed, s, f); });
        ChunkedDecoder chunks([&sse](std::string_view d) { sse.feed(d); });
        const bool chunked = parser.chunked();
        // False when the stream cannot go on: a reset, a malformed body, its end.
        auto body = [&](std::string_view bytes) {
            if (!chunked) {
                sse.feed(bytes);
            } else if (!chunks.feed(bytes)) {
                s.failure = "bad chunked body: " + chunks.error();
                return false;
            }
            return !s.reset_seen && !chunks.done();
        };
        // The bytes the header read took beyond the header belong to the body.
        bool open =
            body(std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
        // Woken when the socket is readable, then drained with plain reads into
        // the thread's buffer: one system call per batch of frames the server
        // sent, and no receive buffer kept per subscriber.
        s.socket->non_blocking(true);
        while (open) {
            auto [ready_ec] = co_await s.socket->async_wait(tcp::socket::wait_read, kNoThrow);
            if (ready_ec) break;
            for (;;) {
                std::span<char> scratch = read_scratch();  // this thread's, after the wait
                beast::error_code rec;
                const std::size_t n =
                    s.socket->read_some(net::buffer(scratch.data(), scratch.size()), rec);
                if (rec == net::error::would_block) break;
                if (rec) {
                    open = false;  // the server ended the stream
                    break;
                }
                open = body(std::string_view(scratch.data(), n));
                if (!open || n < scratch.size()) break;
            }
        }
        if (!s.failure.empty()) break;
        beast::error_code ignored;
        s.socket->close(ignored);
        // The server ended the stream (a reset, a restart): resume from the last id.
    }
    s.done.store(true);
}

void rethrow(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

// Waits until pred() or the deadline; true if pred() held.
template <class Pred>
bool wait_until(Pred pred, std::chrono::duration<double> limit) {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(limit);
    while (!pred()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace

RunReport run_feed(const Options& o) {
    RunReport rep;
    rep.options = o;
    const Target target = target_of(o);
    // The writers' instance: the subscribers' one unless --write-port names another.
    Target write_target = target;
    if (o.write_port != 0) write_target.port = o.write_port;
    auto fatal = [&rep](const Error& e) {
        rep.fatal = e.detail;
        rep.exit_code = e.code == ErrorCode::unavailable ? 3 : 1;
        return rep;
    };
    const std::string token = run_token();
    auto client_id = create_client(write_target, "Feed client " + token);
    if (!client_id) return fatal(client_id.error());
    auto head = log_head(target);
    if (!head) return fatal(head.error());
    rep.facts.emplace_back("start_seq", *head);

    Feed feed;
    feed.target = target;
    feed.path = "/api/v1/changes?since=" + std::to_string(*head) + "&types=campaign.created";
    feed.marker = std::string(kMarker) + token + " ";

    net::io_context ioc(static_cast<int>(o.threads));
    auto work = net::make_work_guard(ioc);
    std::vector<Latencies> latencies(o.threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < o.threads; ++t)
        pool.emplace_back([&ioc, lat = &latencies[t]] {
            t_latencies = lat;
            ioc.run();
        });
    std::vector<std::unique_ptr<Subscriber>> subs;
    for (unsigned i = 0; i < o.subscribers; ++i)
        subs.push_back(std::make_unique<Subscriber>(ioc.get_executor()));
    auto start = [&](Subscriber& s) { net::co_spawn(s.strand, subscribe(feed, s), rethrow); };
    auto stop_all = [&] {
        feed.stopping.store(true);
        for (auto& s : subs)
            net::post(s->strand, [&s = *s] {
                beast::error_code ignored;
                if (s.socket) s.socket->close(ignored);
            });
        work.reset();
        for (auto& t : pool) t.join();
    };

    // One subscriber first: a server without the feed fails fast and clearly.
    if (o.subscribers > 0) {
        start(*subs[0]);
        wait_until([&] { return subs[0]->ready.load() || subs[0]->done.load(); },
                   std::chrono::duration<double>(o.timeout_s));
        const int status = subs[0]->status.load();
        if (!subs[0]->ready.load()) {
            stop_all();
            if (status == 404)
                return fatal(Error::make(
                    ErrorCode::unavailable,
                    "the server answered 404 for GET /api/v1/changes: it has no change feed "
                    "(SPEC section 6), so feed mode cannot run against it"));
            return fatal(Error::make(
                ErrorCode::unavailable,
                "the first subscriber could not open the change feed: " +
                    (subs[0]->failure.empty() ? std::string("no hello frame") : subs[0]->failure)));
        }
        for (unsigned i = 1; i < o.subscribers; ++i) start(*subs[i]);
    }
    const bool all_ready = wait_until(
        [&] {
            for (auto& s : subs)
                if (!s->ready.load() && !s->done.load()) return false;
            return true;
        },
        std::chrono::duration<double>(std::max(30.0, o.timeout_s)));
    if (!all_ready) rep.facts.emplace_back("subscribers_not_ready_in_time", 1);

    // The writers: paced creates, each acknowledged seq kept per connection.
    std::vector<std::vector<std::int64_t>> acked(o.connections);
    Budget budget(o.requests, o.duration_s, o.rate);
    LoadHooks hooks;
    hooks.make = [&](Connection& c, std::uint64_t ticket) {
        return RequestSpec{"POST", std::string(kCampaigns),
                           campaign_body(*client_id, "Feed campaign " + std::to_string(ticket),
                                         feed.marker + std::to_string(steady_micros()) +
                                             " from writer " + std::to_string(c.index))};
    };
    hooks.on_answer = [&acked](Connection& c, const Answer& a) {
        if (a.status == 201 && !a.event_seq.empty())
            if (auto seq = parse_int64(a.event_seq)) acked[c.index].push_back(*seq);
    };
    const auto writes_started = Clock::now();
    rep.phases.push_back({"writes", run_load(write_target, o.connections, 1, budget, hooks)});

    std::vector<std::int64_t> written;
    for (auto& v : acked) written.insert(written.end(), v.begin(), v.end());
    std::sort(written.begin(), written.end());
    const std::int64_t last = written.empty() ? 0 : written.back();
    wait_until(
        [&] {
            for (auto& s : subs)
                if (s->ready.load() && !s->done.load() && s->max_seq.load() < last) return false;
            return true;
        },
        std::chrono::duration<double>(o.drain_s));
    stop_all();

    FeedReport f;
    f.subscribers = o.subscribers;
    f.events_written = written.size();
    Clock::time_point last_delivery = writes_started;
    for (auto& s : subs) {
        if (!s->ready.load()) {
            ++f.subscriber_failures;
            continue;
        }
        ++f.connected;
        if (!s->failure.empty()) ++f.subscriber_failures;
        f.resets += s->resets;
        f.reconnects += s->reconnects;
        f.delivered += s->seqs.size();
        last_delivery = std::max(last_delivery, s->last_delivery);
        std::unordered_set<std::int64_t> seen;
        seen.reserve(s->seqs.size() * 2);
        std::int64_t highest = 0;
        for (auto seq : s->seqs) {
            if (!seen.insert(seq).second) {
                ++f.duplicated;
                continue;
            }
            if (seq < highest) ++f.out_of_order;
            highest = std::max(highest, seq);
        }
        for (auto seq : written)
            if (!seen.count(seq)) ++f.missed;
    }
    for (const auto& l : latencies) {
        f.from_write.merge(l.from_write);
        f.from_commit.merge(l.from_commit);
    }
    f.expected = static_cast<std::uint64_t>(f.connected) * written.size();
    f.seconds = std::chrono::duration<double>(last_delivery - writes_started).count();
    rep.feed = f;
    if (!f.clean() || rep.phases.back().result.tally.errors() > 0) rep.exit_code = 1;
    // The first failure, for the person reading the report.
    for (auto& s : subs)
        if (!s->failure.empty()) {
            rep.fatal = "a subscriber failed: " + s->failure;
            break;
        }
    return rep;
}

}  // namespace omnivibe::loadgen
