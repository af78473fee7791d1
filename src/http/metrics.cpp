#include "omnivibe/http/metrics.hpp"

#include <cstdio>
#include <span>

namespace omnivibe::http {

namespace {

// Label values are escaped per the exposition format.
std::string label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += num(value);
    out += '\n';
}

// A metric with one unlabelled sample.
struct Single {
    std::string_view name, type, help;
    double value;
};

void singles(std::string& out, std::span<const Single> metrics) {
    for (const auto& m : metrics) {
        header(out, m.name, m.type, m.help);
        sample(out, m.name, "", m.value);
    }
}

}  // namespace

void Metrics::observe_request(std::string_view method, std::string_view route, int status,
                              double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(method), std::string(route), status}];
    auto it = latency_.find(route);
    if (it == latency_.end()) it = latency_.emplace(std::string(route), Histogram{}).first;
    Histogram& h = it->second;
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
        if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
}

void Metrics::count_event(std::string_view type, std::uint64_t n) {
    std::lock_guard lock(mutex_);
    auto it = events_.find(type);
    if (it == events_.end()) it = events_.emplace(std::string(type), 0).first;
    it->second += n;
}

std::string Metrics::render(const Gauges& g) const {
    std::string out;
    out.reserve(8192);
    {
        std::lock_guard lock(mutex_);
        header(out, "omnivibe_http_requests_total", "counter",
               "HTTP requests by route template and status.");
        for (const auto& [key, n] : requests_) {
            const auto& [method, route, status] = key;
            sample(out, "omnivibe_http_requests_total",
                   "method=\"" + label(method) + "\",route=\"" + label(route) + "\",status=\"" +
                       std::to_string(status) + "\"",
                   static_cast<double>(n));
        }
        header(out, "omnivibe_http_request_duration_seconds", "histogram",
               "Time from request read to response ready, by route template.");
        for (const auto& [route, h] : latency_) {
            const std::string r = "route=\"" + label(route) + "\"";
            for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
                sample(out, "omnivibe_http_request_duration_seconds_bucket",
                       r + ",le=\"" + num(kLatencyBuckets[i]) + "\"",
                       static_cast<double>(h.buckets[i]));
            sample(out, "omnivibe_http_request_duration_seconds_bucket", r + ",le=\"+Inf\"",
                   static_cast<double>(h.count));
            sample(out, "omnivibe_http_request_duration_seconds_sum", r, h.sum);
            sample(out, "omnivibe_http_request_duration_seconds_count", r,
                   static_cast<double>(h.count));
        }
        header(out, "omnivibe_events_appended_total", "counter",
               "Events committed to the log, by type.");
        for (const auto& [type, n] : events_)
            sample(out, "omnivibe_events_appended_total", "type=\"" + label(type) + "\"",
                   static_cast<double>(n));
    }
    const Single totals[] = {
        {"omnivibe_http_connections", "gauge", "Open client connections.",
         static_cast<double>(g.connections)},
        {"omnivibe_http_requests_in_flight", "gauge", "Requests read but not yet answered.",
         static_cast<double>(g.requests_in_flight)},
        {"omnivibe_log_head", "gauge", "Seq of the last committed event this instance knows of.",
         static_cast<double>(g.log_head)},
        {"omnivibe_projection_head", "gauge", "Seq the read tables are projected up to.",
         static_cast<double>(g.projection_head)},
        {"omnivibe_writer_batches_total", "counter",
         "Transactions committed (or attempted) by the writer.",
         static_cast<double>(g.writer_batches)},
        {"omnivibe_writer_commands_total", "counter", "Commands handled by the writer.",
         static_cast<double>(g.writer_commands)},
        {"omnivibe_writer_failed_commits_total", "counter",
         "Batches whose commit failed (all answered 503).",
         static_cast<double>(g.writer_failed_commits)},
        {"omnivibe_writer_isolated_reruns_total", "counter",
         "Batches run again with a savepoint per command, after a command failed "
         "past its first write.",
         static_cast<double>(g.writer_isolated_reruns)},
        {"omnivibe_writer_queue_depth", "gauge", "Commands waiting for the writer.",
         static_cast<double>(g.writer_queue_depth)},
        {"omnivibe_writer_max_batch_size", "gauge", "Largest batch committed in one transaction.",
         static_cast<double>(g.writer_max_batch)},
        {"omnivibe_writer_commit_seconds_total", "counter", "Time spent in writer transactions.",
         g.writer_commit_seconds_total},
        {"omnivibe_response_cache_hits_total", "counter",
         "GET answers (list pages, entities) served as rendered earlier at the same log head.",
         static_cast<double>(g.response_cache_hits)},
        {"omnivibe_response_cache_misses_total", "counter",
         "Cacheable GET answers rendered from the read tables.",
         static_cast<double>(g.response_cache_misses)},
    };
    singles(out, totals);
    header(out, "omnivibe_writer_batch_size", "histogram",
           "Commands per transaction (group commit).");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < g.writer_batch_buckets.size(); ++i) {
        cumulative += g.writer_batch_buckets[i];
        if (i + 1 < g.writer_batch_buckets.size())
            sample(out, "omnivibe_writer_batch_size_bucket",
                   "le=\"" + std::to_string((2ULL << i) - 1) + "\"",
                   static_cast<double>(cumulative));
    }
    sample(out, "omnivibe_writer_batch_size_bucket", "le=\"+Inf\"",
           static_cast<double>(cumulative));
    sample(out, "omnivibe_writer_batch_size_count", "", static_cast<double>(g.writer_batches));
    sample(out, "omnivibe_writer_batch_size_sum", "", static_cast<double>(g.writer_commands));
    if (g.has_feed) {
        const Single feed[] = {
            {"omnivibe_feed_subscribers", "gauge", "Open change-feed streams.",
             static_cast<double>(g.feed_subscribers)},
            {"omnivibe_feed_waiters", "gauge",
             "Requests waiting for the log: /events long polls and X-Min-Event-Seq reads.",
             static_cast<double>(g.feed_waiters)},
            {"omnivibe_feed_resets_total", "counter",
             "Streams ended because their client fell too far behind.",
             static_cast<double>(g.feed_resets)},
            {"omnivibe_feed_bytes_dropped_total", "counter",
             "Unsent bytes discarded with reset streams.",
             static_cast<double>(g.feed_bytes_dropped)},
            {"omnivibe_feed_head", "gauge",
             "This instance's view of the log head: reads, caches and X-Min-Event-Seq go by it.",
             static_cast<double>(g.feed_head)},
        };
        singles(out, feed);
    }
    if (g.follows_database) {
        const Single follower[] = {
            {"omnivibe_feed_listening", "gauge",
             "1 while the feed's LISTEN connection to PostgreSQL is up, else 0.",
             g.feed_listening ? 1.0 : 0.0},
            {"omnivibe_feed_reconnects_total", "counter",
             "LISTEN connections lost and opened again (each followed by a catch-up read).",
             static_cast<double>(g.feed_reconnects)},
            {"omnivibe_feed_notifications_total", "counter",
             "Notifications of new events received from PostgreSQL.",
             static_cast<double>(g.feed_notifications)},
            {"omnivibe_feed_log_reads_total", "counter",
             "Pages of the log read by the feed follower (wake-ups, polls, catch-ups).",
             static_cast<double>(g.feed_reads)},
        };
        singles(out, follower);
        header(out, "omnivibe_feed_delivery_delay_seconds", "histogram",
               "Time from an event's recording (just before its commit, on any instance) to "
               "its hand-over to this instance's feed.");
        std::uint64_t delayed = 0;
        for (std::size_t i = 0; i < g.feed_delay_bounds.size(); ++i) {
            delayed += i < g.feed_delay_buckets.size() ? g.feed_delay_buckets[i] : 0;
            sample(out, "omnivibe_feed_delivery_delay_seconds_bucket",
                   "le=\"" + num(g.feed_delay_bounds[i]) + "\"", static_cast<double>(delayed));
        }
        sample(out, "omnivibe_feed_delivery_delay_seconds_bucket", "le=\"+Inf\"",
               static_cast<double>(g.feed_delay_count));
        sample(out, "omnivibe_feed_delivery_delay_seconds_sum", "", g.feed_delay_seconds_total);
        sample(out, "omnivibe_feed_delivery_delay_seconds_count", "",
               static_cast<double>(g.feed_delay_count));
    }
    return out;
}

}  // namespace omnivibe::http
