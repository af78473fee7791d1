#include "omnivibe/http/list_cache.hpp"

namespace omnivibe::http {

std::optional<std::string> ListCache::find(std::int64_t head, std::string_view key) {
    if (max_bytes_ > 0) {
        std::lock_guard lock(mutex_);
        if (head == head_)
            if (auto it = pages_.find(key); it != pages_.end()) {
                hits_.fetch_add(1, std::memory_order_relaxed);
                return it->second;
            }
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
}

void ListCache::store(std::int64_t head, std::string_view key, const std::string& body) {
    const std::size_t size = key.size() + body.size();
    if (size > max_bytes_) return;
    std::lock_guard lock(mutex_);
    if (head < head_) return;  // a slow snapshot's page: already out of date
    if (head > head_ || bytes_ + size > max_bytes_) {
        pages_.clear();
        bytes_ = 0;
        head_ = head;
    }
    if (pages_.try_emplace(std::string(key), body).second) bytes_ += size;
}

}  // namespace omnivibe::http
