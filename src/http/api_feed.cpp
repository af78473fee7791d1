// The change feed (GET /changes, SSE) and the events API (GET /events with
// paging and long-poll). Parameters are checked here, before anything
// streams; the streaming itself is sse_session.cpp's job and the fan-out the
// hub's. No handler here ever blocks a network thread waiting for events: a
// long poll registers with the hub and returns, and the hub answers it.

#include <chrono>

#include "api.hpp"
#include "api_common.hpp"
#include "feed_handoff.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/feed/filter.hpp"
#include "omnivibe/feed/frames.hpp"
#include "omnivibe/feed/hub.hpp"

namespace omnivibe::http {

namespace {

constexpr std::int64_t kDefaultLimit = 100;
constexpr std::int64_t kMaxLimit = 1000;
constexpr std::int64_t kMaxWaitSeconds = 60;
// A long poll re-reads the log when the hub moved on between its read and its
// registration; a few rounds always suffice (the hub cannot outrun the log).
constexpr int kPollRounds = 8;

Error shutting_down() {
    return Error::make(ErrorCode::unavailable, "The server is shutting down.");
}

// A whole number in [min, max], or a FieldError.
std::optional<std::int64_t> bounded_param(const Request& req, std::string_view name,
                                          std::int64_t min, std::int64_t max,
                                          std::vector<FieldError>& errors) {
    auto v = req.query_param(name);
    if (!v) return std::nullopt;
    auto n = parse_int64(*v);
    if (!n || *n < min || *n > max) {
        errors.push_back({std::string(name), "must be an integer from " + std::to_string(min) +
                                                 " to " + std::to_string(max)});
        return std::nullopt;
    }
    return n;
}

// types/type, campaign_id and stream: the filter shared by both endpoints.
feed::Filter parse_filter(const Request& req, std::string_view types_name,
                          std::vector<FieldError>& errors) {
    feed::Filter filter;
    if (auto t = req.query_param(types_name)) {
        auto parsed = feed::parse_types(*t, types_name);
        if (parsed)
            filter = std::move(parsed).value();
        else
            for (auto& e : parsed.error().errors) errors.push_back(e);
    }
    if (auto c = int_param(req, "campaign_id", errors)) filter.campaign_id = *c;
    if (auto s = req.query_param("stream")) {
        auto parsed = feed::parse_stream_param(*s);
        if (parsed)
            filter.stream = std::move(parsed).value();
        else
            for (auto& e : parsed.error().errors) errors.push_back(e);
    }
    return filter;
}

// ---- GET /changes ---------------------------------------------------------------

void changes(Service& svc, Request& req, Reply reply) {
    std::vector<FieldError> errors;
    feed::Filter filter = parse_filter(req, "types", errors);
    std::optional<std::int64_t> start;
    const std::string_view last_id = req.header("last-event-id");
    if (!last_id.empty()) {
        auto n = parse_int64(last_id);
        if (!n || *n < 0)
            errors.push_back({"Last-Event-ID", "must be an id this feed sent (an integer >= 0)"});
        else
            start = *n;
    } else {
        start = bounded_param(req, "since", 0, INT64_MAX, errors);
    }
    if (!errors.empty()) return reply(fail(req, query_error(std::move(errors))));
    if (!svc.hub) return reply(fail(req, shutting_down()));

    // Subscribe FIRST: from here on every event the hub delivers is queued
    // for this subscriber, and everything before live_from() is in the log.
    auto sub = svc.hub->subscribe(std::move(filter), svc.options.sse_max_lag_bytes);
    if (!sub) return reply(fail(req, shutting_down()));
    auto head = svc.reads.with_snapshot([](store::Db& db) { return store::log_head(db); });
    if (!head) {
        svc.hub->unsubscribe(*sub, "the log could not be read");
        return reply(fail(req, head.error()));
    }
    Response r;
    r.content_type = "text/event-stream";
    // No caching and no proxy buffering (nginx honours X-Accel-Buffering).
    static const HeaderList kStreamHeaders = {{"Cache-Control", "no-cache"},
                                              {"X-Accel-Buffering", "no"}};
    r.headers = kStreamHeaders;
    r.set("X-Event-Seq", std::to_string(*head));
    // Without a start position the stream carries only events after the
    // head seen now; live frames at or below it are dropped by seq.
    r.stream = std::make_shared<FeedHandoff>(*svc.hub, svc.reads, std::move(sub),
                                             start.value_or(*head), *head);
    reply(std::move(r));
}

// ---- GET /events ----------------------------------------------------------------

struct EventsQuery {
    feed::Filter filter;
    std::int64_t after = 0;
    std::int64_t limit = kDefaultLimit;
};

// One page read from the log in one snapshot.
struct EventsPage {
    std::vector<store::EventRow> rows;
    std::int64_t head = 0;
    std::int64_t next_after = 0;
};

Result<EventsPage> read_page(Service& svc, const EventsQuery& q) {
    return svc.reads.with_snapshot([&](store::Db& db) {
        EventsPage page;
        page.head = store::log_head(db);
        page.rows = store::read_events(db, q.filter.query(q.after, std::nullopt, q.limit));
        // A full page may have more behind it; otherwise everything up to the
        // head was looked at, and the next read can start there.
        page.next_after = static_cast<std::int64_t>(page.rows.size()) == q.limit
                              ? page.rows.back().seq
                              : std::max(q.after, page.head);
        return page;
    });
}

std::string events_body(const EventsPage& page) {
    json::Writer w;
    w.begin_object();
    w.key("events").begin_array();
    for (const auto& row : page.rows) feed::write_envelope(w, row);
    w.end_array();
    w.key("head").integer(page.head);
    w.key("next_after").integer(page.next_after);
    w.end_object();
    return w.take();
}

// The answer to a long poll the hub completed; `scanned` is how far the log
// had been read (without a match) when the poll began to wait.
std::string woken_body(const feed::WaitResult& r, std::int64_t scanned) {
    const std::int64_t head = std::max(r.head, scanned);
    std::int64_t next_after = head;
    if (r.more && !r.events.empty()) next_after = r.events.back()->seq;
    json::Writer w;
    w.begin_object();
    w.key("events").begin_array();
    for (const auto& ev : r.events) w.raw(ev->envelope);
    w.end_array();
    w.key("head").integer(head);
    w.key("next_after").integer(next_after);
    w.end_object();
    return w.take();
}

Response json_ok(std::string body) {
    Response r;
    r.body = std::move(body);
    return r;
}

void events(Service& svc, Request& req, Reply reply) {
    std::vector<FieldError> errors;
    EventsQuery q;
    q.filter = parse_filter(req, "type", errors);
    if (auto a = bounded_param(req, "after", 0, INT64_MAX, errors)) q.after = *a;
    if (auto l = bounded_param(req, "limit", 1, kMaxLimit, errors)) q.limit = *l;
    const std::int64_t wait = bounded_param(req, "wait", 0, kMaxWaitSeconds, errors).value_or(0);
    if (!errors.empty()) return reply(fail(req, query_error(std::move(errors))));

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
    for (int round = 0; round < kPollRounds; ++round) {
        auto page = read_page(svc, q);
        if (!page) return reply(fail(req, page.error()));
        if (!page->rows.empty() || wait == 0 || !svc.hub ||
            std::chrono::steady_clock::now() >= deadline)
            return reply(json_ok(events_body(*page)));
        // Nothing yet: wait for the hub, which answers from its own thread.
        const std::int64_t scanned = page->next_after;
        auto started = svc.hub->wait(
            q.filter, scanned, static_cast<std::size_t>(q.limit), deadline,
            [reply, scanned](feed::WaitResult r) { reply(json_ok(woken_body(r, scanned))); });
        if (started == feed::Hub::WaitStart::waiting) return;
        if (started == feed::Hub::WaitStart::closed) return reply(json_ok(events_body(*page)));
        // stale: events arrived between the read and the registration; read again.
    }
    auto page = read_page(svc, q);
    if (!page) return reply(fail(req, page.error()));
    reply(json_ok(events_body(*page)));
}

}  // namespace

void register_feed_routes(Router& r, Service& svc) {
    // Browsers' EventSource cannot set headers: the feed alone takes the token in the query.
    r.add(Method::get, std::string(kApi) + "/changes",
          RouteRules{.scope = Scope::read, .token_in_query = true},
          [&svc](Request& req, const PathParams&, Reply reply) {
              changes(svc, req, std::move(reply));
          });
    r.add(Method::get, std::string(kApi) + "/events", kAdminRead,
          [&svc](Request& req, const PathParams&, Reply reply) {
              events(svc, req, std::move(reply));
          });
}

}  // namespace omnivibe::http
