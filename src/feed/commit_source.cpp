#include "omnivibe/feed/commit_source.hpp"

#include "omnivibe/feed/hub.hpp"
#include "omnivibe/store/location.hpp"
#include "pg_follower.hpp"

namespace omnivibe::feed {

void CommitSourceStats::observe_delay(std::chrono::microseconds delay, std::uint64_t n) {
    const double seconds = static_cast<double>(std::max<std::int64_t>(0, delay.count())) / 1e6;
    for (std::size_t i = 0; i < kDelayBuckets.size(); ++i)
        if (seconds <= kDelayBuckets[i]) {
            delay_buckets[i].fetch_add(n, std::memory_order_relaxed);
            break;
        }
    delay_count.fetch_add(n, std::memory_order_relaxed);
    delay_micros_total.fetch_add(
        n * static_cast<std::uint64_t>(std::max<std::int64_t>(0, delay.count())),
        std::memory_order_relaxed);
}

namespace {

// SQLite: this process's writer is the only one, its batches are the log.
class LocalCommits final : public CommitSource {
  public:
    explicit LocalCommits(Hub& hub) : hub_(hub) {}

    Status start(std::int64_t head) override {
        head_.store(head, std::memory_order_release);
        return {};
    }

    void committed(std::vector<store::EventRow>&& rows) override {
        if (rows.empty()) return;
        stats_.events.fetch_add(rows.size(), std::memory_order_relaxed);
        // Published after COMMIT, before any answer leaves: a client told
        // about seq S finds head() >= S.
        head_.store(rows.back().seq, std::memory_order_release);
        hub_.publish(std::move(rows));
    }

    void stop() override {}
    std::int64_t head() const override { return head_.load(std::memory_order_acquire); }
    bool follows_database() const noexcept override { return false; }

  private:
    Hub& hub_;
    std::atomic<std::int64_t> head_{0};
};

}  // namespace

std::unique_ptr<CommitSource> make_commit_source(std::string_view db, Hub& hub,
                                                 CommitSourceOptions options) {
    if (store::is_postgresql_uri(db))
        return make_pg_follower(std::string(db), hub, std::move(options));
    return std::make_unique<LocalCommits>(hub);
}

}  // namespace omnivibe::feed
