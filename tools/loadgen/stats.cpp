#include "stats.hpp"

#include <bit>
#include <cmath>

namespace omnivibe::loadgen {

namespace {
// Values below 2*kSub are exact; above, each power of two is cut into kSub
// buckets, so a bucket is never wider than 1/64 of its values (< 1.6%).
constexpr std::uint64_t kSub = 64;
constexpr std::size_t kExponents = 48;  // up to 2^54 us: far beyond any bounded run
}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(2 * kSub + kExponents * kSub, 0) {}

std::size_t LatencyHistogram::bucket_of(std::uint64_t v) {
    if (v < 2 * kSub) return static_cast<std::size_t>(v);
    const int shift = std::bit_width(v) - 7;  // v >> shift lies in [64, 128)
    const std::size_t index =
        2 * kSub + static_cast<std::size_t>(shift - 1) * kSub + ((v >> shift) - kSub);
    return std::min(index, 2 * kSub + kExponents * kSub - 1);
}

std::uint64_t LatencyHistogram::bucket_value(std::size_t index) {
    if (index < 2 * kSub) return index;
    const std::size_t shift = (index - 2 * kSub) / kSub + 1;
    const std::uint64_t mantissa = (index - 2 * kSub) % kSub + kSub;
    // The middle of the bucket: half-open [m << s, (m+1) << s).
    return (mantissa << shift) + ((std::uint64_t{1} << shift) >> 1);
}

void LatencyHistogram::record(std::uint64_t micros) {
    ++buckets_[bucket_of(micros)];
    ++count_;
    if (micros > max_) max_ = micros;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    if (other.max_ > max_) max_ = other.max_;
}

std::uint64_t LatencyHistogram::quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank =
        static_cast<std::uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) return std::min(bucket_value(i), max_);
    }
    return max_;
}

void Tally::answer(int status, std::uint64_t micros) {
    ++statuses[status];
    if ((status >= 200 && status < 300) || status == 304) ++ok;
    latency.record(micros);
}

std::uint64_t Tally::errors() const {
    std::uint64_t n = 0;
    for (const auto& [status, count] : statuses)
        if (!((status >= 200 && status < 300) || status == 304)) n += count;
    for (const auto& [kind, count] : failures) n += count;
    return n;
}

void Tally::merge(const Tally& other) {
    ok += other.ok;
    for (const auto& [s, n] : other.statuses) statuses[s] += n;
    for (const auto& [k, n] : other.failures) failures[k] += n;
    latency.merge(other.latency);
}

}  // namespace omnivibe::loadgen
