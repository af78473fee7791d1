#include "omnivibe/http/response_cache.hpp"

namespace omnivibe::http {

std::shared_ptr<const CachedAnswer> ResponseCache::find(std::int64_t head, std::string_view key) {
    if (max_bytes_ > 0) {
        std::lock_guard lock(mutex_);
        if (head == head_)
            if (auto it = answers_.find(key); it != answers_.end()) {
                hits_.fetch_add(1, std::memory_order_relaxed);
                return it->second;  // shared: the caller copies the bytes outside the lock
            }
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
}

void ResponseCache::store(std::int64_t head, std::string_view key, CachedAnswer answer) {
    // A rough per-entry overhead, so a flood of tiny answers is bounded too.
    const std::size_t size = key.size() + answer.body.size() + 64;
    if (size > max_bytes_) return;
    auto shared = std::make_shared<const CachedAnswer>(std::move(answer));
    std::lock_guard lock(mutex_);
    if (head < head_) return;  // a slow snapshot's answer: already out of date
    if (head > head_ || bytes_ + size > max_bytes_) {
        answers_.clear();
        bytes_ = 0;
        head_ = head;
    }
    if (answers_.try_emplace(std::string(key), std::move(shared)).second) bytes_ += size;
}

}  // namespace omnivibe::http
