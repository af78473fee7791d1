#pragma once
// How this instance learns of committed events: the one seam between the
// writer and the feed hub, with one implementation per kind of store.
//
// - SQLite (LocalCommits): this process is the only writer, so the writer's
//   own batches, handed over after COMMIT, are the whole log; they go to the
//   hub directly.
// - PostgreSQL (PgFollower): other instances append too. A follower thread
//   keeps one dedicated connection that LISTENs on kFeedChannel (every
//   writer NOTIFYs it in its transaction, so the notification is delivered
//   at COMMIT) and reads the log after the last seq it handed to the hub, in
//   seq order, in pages. A notification is only a wake-up, never data: the
//   follower also reads when this instance's own writer commits (an
//   in-process wake, no round trip), after every (re)connection, and at
//   least once per poll interval (the feed heartbeat), so a lost
//   notification or a dropped connection delays events, never loses them.
//   The local writer does not publish to the hub itself; the follower is the
//   only publisher, which keeps the hub's input in exact seq order.
//
// head() is the instance's view of the log: every seq up to it is committed
// and readable by any read transaction that starts now. Response caches and
// X-Min-Event-Seq use it (docs/ARCHITECTURE.md, "Read-your-writes").

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::feed {

class Hub;

/// The channel every writer NOTIFYs (payload: its new head) and every
/// follower LISTENs on.
inline constexpr std::string_view kFeedChannel = "omnivibe_events";

/// Counters for /metrics and /readyz; the follower-only ones stay 0 on SQLite.
struct CommitSourceStats {
    /// Upper bounds (seconds) of the commit-to-delivery delay buckets.
    static constexpr std::array<double, 10> kDelayBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,  1,     2.5,  5};

    std::atomic<bool> listening{false};           ///< the LISTEN connection is up
    std::atomic<std::uint64_t> reconnects{0};     ///< LISTEN connections lost and opened again
    std::atomic<std::uint64_t> notifications{0};  ///< NOTIFYs received
    std::atomic<std::uint64_t> reads{0};          ///< pages read from the log
    std::atomic<std::uint64_t> events{0};         ///< events handed to the hub
    /// Delay between an event's recording (just before its COMMIT) and its
    /// hand-over to this instance's hub, per event.
    std::array<std::atomic<std::uint64_t>, kDelayBuckets.size()> delay_buckets{};
    std::atomic<std::uint64_t> delay_count{0};
    std::atomic<std::uint64_t> delay_micros_total{0};

    void observe_delay(std::chrono::microseconds delay, std::uint64_t n);
};

class CommitSource {
  public:
    virtual ~CommitSource() = default;

    /// Starts at `head`, the log's head when the writer opened it; call after
    /// hub.start_from(head) and before the first committed().
    virtual Status start(std::int64_t head) = 0;
    /// The writer's Publisher: a batch this instance committed, in seq order,
    /// on the writer thread, after COMMIT. Never blocks.
    virtual void committed(std::vector<store::EventRow>&& rows) = 0;
    /// Hands over what is committed and not yet delivered, then stops; call
    /// before closing the hub. Idempotent.
    virtual void stop() = 0;

    /// The instance's view of the log head (see the file comment).
    virtual std::int64_t head() const = 0;
    /// Whether events arrive from a shared database (a LISTEN connection).
    virtual bool follows_database() const noexcept = 0;
    const CommitSourceStats& stats() const noexcept { return stats_; }

  protected:
    CommitSourceStats stats_;
};

struct CommitSourceOptions {
    /// The longest time between two reads of the log when no notification
    /// arrives (PostgreSQL); the feed heartbeat.
    std::chrono::milliseconds poll{std::chrono::seconds(15)};
    /// Events per read of the log.
    std::int64_t page = 1000;
    /// The LISTEN connection's name in pg_stat_activity.
    std::string application_name = "omnivibe-feed";
};

/// The implementation for the store `--db` names: LocalCommits for a SQLite
/// file, PgFollower for a PostgreSQL URI. `hub` outlives the result.
std::unique_ptr<CommitSource> make_commit_source(std::string_view db, Hub& hub,
                                                 CommitSourceOptions options = {});

}  // namespace omnivibe::feed
