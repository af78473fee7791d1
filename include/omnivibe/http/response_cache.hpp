#pragma once
// Rendered GET answers (list pages, single entities), reused while the log
// head does not move.
//
// The read tables are a function of the log: at head H every GET of the read
// tables has one possible answer. So an answer rendered in a snapshot at H
// can answer the same request target whenever the head is still H, byte for
// byte, its "seq", X-Event-Seq and ETag included. The handlers look with the
// writer's published head before they open a snapshot, so a hit costs no
// SQLite at all. The cache holds answers of one head only; the first answer
// stored at a newer head drops them all. Nothing is invalidated by hand, so
// nothing can be forgotten; under writes it simply misses.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace omnivibe::http {

struct CachedAnswer {
    std::string body;
    std::int64_t version = 0;  ///< the entity's version, for its ETag; 0 for a list
};

class ResponseCache {
  public:
    /// `max_bytes` bounds the answers kept (0 turns the cache off).
    explicit ResponseCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    /// The answer stored for `key` at exactly `head`, if any.
    std::shared_ptr<const CachedAnswer> find(std::int64_t head, std::string_view key);
    /// Keeps `answer` for `key` at `head`; an answer of an older head is not kept.
    void store(std::int64_t head, std::string_view key, CachedAnswer answer);

    std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
    std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  private:
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    const std::size_t max_bytes_;
    std::mutex mutex_;
    std::int64_t head_ = -1;
    std::size_t bytes_ = 0;
    std::unordered_map<std::string, std::shared_ptr<const CachedAnswer>, KeyHash, std::equal_to<>>
        answers_;
    std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace omnivibe::http
