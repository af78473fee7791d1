#pragma once
// What a load run counts: a latency histogram with bounded memory and about
// 1% precision, and tallies of answers by HTTP status and of failures by kind.
// Each connection owns its own Stats; they are merged once the run is over,
// so nothing here is shared between threads while requests are in flight.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace omnivibe::loadgen {

/// Latencies in microseconds, log-linear buckets (64 per power of two).
class LatencyHistogram {
  public:
    LatencyHistogram();
    void record(std::uint64_t micros);
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    /// The value at quantile q (0..1), within the bucket's precision; 0 when empty.
    std::uint64_t quantile(double q) const;

  private:
    static std::size_t bucket_of(std::uint64_t v);
    static std::uint64_t bucket_value(std::size_t index);
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

/// Outcomes of requests: successes, answers by status, transport failures by kind.
struct Tally {
    std::uint64_t ok = 0;                           ///< 2xx and 304
    std::map<int, std::uint64_t> statuses;          ///< every answer, by status
    std::map<std::string, std::uint64_t> failures;  ///< connect, timeout, reset, ...
    LatencyHistogram latency;

    void answer(int status, std::uint64_t micros);
    void fail(const std::string& kind) { ++failures[kind]; }
    /// Requests that did not succeed: non-2xx answers plus transport failures.
    std::uint64_t errors() const;
    void merge(const Tally& other);
};

}  // namespace omnivibe::loadgen
