#pragma once
// Rendered list pages, reused while the log head does not move.
//
// The read tables are a function of the log: at head H every list page has
// one possible answer. So a page rendered in a snapshot at H can answer the
// same request in any later snapshot that also reads H, byte for byte, its
// "seq" and X-Event-Seq included. The cache holds pages of one head only;
// the first snapshot at a newer head drops them all. Nothing is invalidated
// by hand, so nothing can be forgotten.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace omnivibe::http {

class ListCache {
public:
    /// `max_bytes` bounds the pages kept (0 turns the cache off).
    explicit ListCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    /// The page stored for `key` at exactly `head`, if any.
    std::optional<std::string> find(std::int64_t head, std::string_view key);
    /// Keeps `body` for `key` at `head`; a page of an older head is not kept.
    void store(std::int64_t head, std::string_view key, const std::string& body);

    std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
    std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

private:
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    const std::size_t max_bytes_;
    std::mutex mutex_;
    std::int64_t head_ = -1;
    std::size_t bytes_ = 0;
    std::unordered_map<std::string, std::string, KeyHash, std::equal_to<>> pages_;
    std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace omnivibe::http
