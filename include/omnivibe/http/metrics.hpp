#pragma once
// Prometheus metrics: counters and histograms the request path and the writer
// feed, rendered in the text exposition format for GET /metrics.
// Route labels are templates ("/api/v1/campaigns/{id}"), never raw paths, so
// the number of series stays bounded.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace omnivibe::http {

/// Values owned elsewhere, sampled when /metrics is rendered.
struct Gauges {
    std::int64_t log_head = 0;
    std::int64_t projection_head = 0;
    std::size_t connections = 0;
    std::size_t requests_in_flight = 0;
    std::uint64_t writer_batches = 0;
    std::uint64_t writer_commands = 0;
    std::uint64_t writer_failed_commits = 0;
    std::uint64_t writer_isolated_reruns = 0;
    std::uint64_t writer_queue_depth = 0;
    std::uint64_t writer_max_batch = 0;
    double writer_commit_seconds_total = 0;
    std::array<std::uint64_t, 11>
        writer_batch_buckets{};  ///< counts of sizes 1, 2-3, 4-7, ... 1024+
    bool has_feed = false;
    std::size_t feed_subscribers = 0;
    std::size_t feed_waiters = 0;  ///< long polls and X-Min-Event-Seq reads waiting
    std::uint64_t feed_resets = 0;
    std::uint64_t feed_bytes_dropped = 0;
    /// The feed's source of committed events (feed::CommitSource).
    std::int64_t feed_head = 0;     ///< the instance's view of the log head
    bool follows_database = false;  ///< PostgreSQL: the LISTEN follower's figures below
    bool feed_listening = false;
    std::uint64_t feed_reconnects = 0;
    std::uint64_t feed_notifications = 0;
    std::uint64_t feed_reads = 0;
    std::vector<double> feed_delay_bounds;          ///< seconds, ascending
    std::vector<std::uint64_t> feed_delay_buckets;  ///< per bound, not cumulative
    std::uint64_t feed_delay_count = 0;
    double feed_delay_seconds_total = 0;
    std::uint64_t response_cache_hits = 0;
    std::uint64_t response_cache_misses = 0;
};

class Metrics {
  public:
    static constexpr std::array<double, 12> kLatencyBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    void observe_request(std::string_view method, std::string_view route, int status,
                         double seconds);
    void count_event(std::string_view type, std::uint64_t n = 1);

    /// The whole exposition, with `gauges` sampled by the caller.
    std::string render(const Gauges& gauges) const;

  private:
    struct Histogram {
        std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
    std::map<std::string, Histogram, std::less<>> latency_;
    std::map<std::string, std::uint64_t, std::less<>> events_;
};

}  // namespace omnivibe::http
