#pragma once
// The hub: fans committed events out to change-feed subscribers and wakes
// long-polling /events readers. No network types here; the SSE session in
// src/http drives a Subscriber, tests drive it directly.
//
// Threading. The writer calls publish() after each COMMIT and only appends
// the batch to a queue. The hub's own thread formats each event ONCE (its
// envelope and its SSE frame, shared by every reader through shared_ptr),
// then, under the hub lock, snapshots the subscribers and advances head();
// it delivers outside that lock. Each Subscriber has its own small lock and a
// bounded buffer of unsent bytes; the hub never waits on a subscriber, and a
// slow one overflows alone. The hub holds only weak references: a subscriber
// lives as long as its session does.
//
// The hand-over invariant the feed relies on: subscribe() and the delivery
// of each batch both run under the hub lock, and a batch is delivered (and
// head() advanced past it) only after its COMMIT returned. So a subscriber
// registered when head() was L receives live every event with seq > L, and
// every event with seq <= L is already readable from the log by any read
// transaction that starts after subscribe() returned. Reading the log up to
// live_from() and then switching to live frames therefore loses nothing and
// repeats nothing (see docs/ARCHITECTURE.md, "The change feed").

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "omnivibe/feed/filter.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::feed {

/// One committed event as the hub formatted it, once, for every reader.
struct PublishedEvent {
    std::int64_t seq = 0;
    std::string type;
    std::string stream;
    std::optional<std::int64_t> campaign_id;
    std::string envelope;  ///< the JSON envelope, one line
    std::string frame;     ///< its SSE frame: id, event, data
};

/// Bytes on their way to one subscriber; shared with every other receiver.
struct Frame {
    std::int64_t seq = 0;  ///< the event's seq; 0 for frames without an id (heartbeats)
    std::shared_ptr<const std::string> bytes;
};

/// Counters for /metrics and logs.
struct HubStats {
    std::atomic<std::uint64_t> subscribers{0};    ///< subscriptions open now
    std::atomic<std::uint64_t> subscriptions{0};  ///< subscriptions ever opened
    std::atomic<std::uint64_t> waiters{0};        ///< long polls waiting now
    std::atomic<std::uint64_t> events{0};      ///< events published (each formatted at most once)
    std::atomic<std::uint64_t> deliveries{0};  ///< event frames queued to subscribers
    std::atomic<std::uint64_t> heartbeats{0};  ///< heartbeat rounds sent
    std::atomic<std::uint64_t> resets{0};      ///< subscribers ended because they lagged
    std::atomic<std::uint64_t> bytes_dropped{0};  ///< unsent bytes discarded at those resets
    std::atomic<std::int64_t> head{0};            ///< the last seq delivered
};

class Hub;

/// One subscription: a filter and a bounded buffer of frames not yet sent.
class Subscriber {
  public:
    enum class State { open, overflowed, closing };
    enum class Take { frames, idle, overflowed, closed };

    Subscriber(std::uint64_t id, Filter filter, std::size_t max_lag_bytes, std::int64_t live_from,
               HubStats& stats);

    /// The function that wakes the reading side; it runs on the hub's thread
    /// and must only post work elsewhere. It is called when a frame arrives
    /// after take() said `idle`, and at once on overflow and on close (the
    /// reader may be stuck in a write and should give up on it).
    void on_ready(std::function<void()> wake);

    /// Moves every queued frame into `out`, to be sent in one write. With
    /// nothing queued: `idle` (the next frame calls the wake function),
    /// `closed` once the hub closed and everything was handed out. After an
    /// overflow, `overflowed` at once: the queue was discarded.
    Take take(std::vector<Frame>& out);
    /// `bytes` of frames handed out by take() reached the socket.
    void written(std::size_t bytes);
    /// While the reader holds its next write back on purpose (to send more
    /// frames at once), it is not idle and is not woken by frames; this asks
    /// for one wake once `bytes` are unsent, so a backlog ends the wait early.
    void wake_when_unsent(std::size_t bytes);

    State state() const;
    std::uint64_t id() const noexcept { return id_; }
    const Filter& filter() const noexcept { return filter_; }
    /// Every event with a higher seq is delivered to this subscriber live.
    std::int64_t live_from() const noexcept { return live_from_; }
    /// Queued plus handed out but not yet written.
    std::size_t unsent_bytes() const;

  private:
    friend class Hub;
    /// Queues frames (the hub's thread). A droppable frame (heartbeat) is
    /// skipped when others are waiting anyway.
    void offer(const std::vector<Frame>& frames, bool droppable);
    void close();

    const std::uint64_t id_;
    const Filter filter_;
    const std::size_t max_lag_bytes_;
    const std::int64_t live_from_;
    HubStats& stats_;

    mutable std::mutex mutex_;
    std::deque<Frame> queue_;
    std::size_t unsent_ = 0;
    bool armed_ = false;              ///< the reader is idle: the next frame must wake it
    std::size_t wake_at_unsent_ = 0;  ///< see wake_when_unsent(); 0: none
    State state_ = State::open;
    std::shared_ptr<const std::function<void()>> wake_;
};

struct HubOptions {
    std::chrono::milliseconds heartbeat{std::chrono::seconds(15)};
};

/// What a long poll receives.
struct WaitResult {
    enum class Why { events, deadline, shutdown };
    Why why = Why::deadline;
    std::vector<std::shared_ptr<const PublishedEvent>> events;  ///< matching, oldest first
    bool more = false;      ///< the batch held more matching events than `limit`
    std::int64_t head = 0;  ///< the last seq the hub delivered
};

class Hub {
  public:
    explicit Hub(HubOptions options = {});
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    /// Sets head() to the log's head; call once, before the first publish()
    /// and the first subscribe(), or subscribers would miss the log so far.
    void start_from(std::int64_t head);

    /// The writer's Publisher: a committed batch, in seq order. Never waits
    /// on subscribers; after close() the batch is dropped.
    void publish(std::vector<store::EventRow>&& rows);

    /// Registers a subscriber; nullptr once the hub is closed. live_from()
    /// is head() at registration.
    std::shared_ptr<Subscriber> subscribe(Filter filter, std::size_t max_lag_bytes);
    /// Forgets a subscriber (its session ended); `why` goes to the debug log.
    void unsubscribe(const Subscriber& subscriber, std::string_view why);

    enum class WaitStart { waiting, stale, closed };
    /// Long poll: calls `done` once, on the hub's thread, with the first
    /// delivered batch holding events that match with seq > after (at most
    /// `limit`), or at the deadline, or at shutdown. `stale` (done not
    /// called) when head() is already past `after`: the caller missed
    /// nothing only if it reads the log again first.
    WaitStart wait(Filter filter, std::int64_t after, std::size_t limit,
                   std::chrono::steady_clock::time_point deadline,
                   std::function<void(WaitResult)> done);

    /// Sends every subscriber a heartbeat now (the hub's thread does it every
    /// options.heartbeat).
    void heartbeat();

    /// Shutdown, first step: answers every long poll now and refuses new ones.
    void release_waiters();
    /// Shutdown, second step: delivers what is queued, tells every
    /// subscriber to end after its frames, refuses new subscribers and stops
    /// the hub's thread. Idempotent.
    void close();

    /// The last seq delivered to subscribers.
    std::int64_t head() const;
    const HubStats& stats() const noexcept { return stats_; }

  private:
    struct Waiter {
        Filter filter;
        std::int64_t after;
        std::size_t limit;
        std::chrono::steady_clock::time_point deadline;
        std::function<void(WaitResult)> done;
    };

    void run();
    void deliver(std::vector<store::EventRow>& rows);
    std::vector<std::shared_ptr<Subscriber>> snapshot_locked();
    void expire_waiters(std::chrono::steady_clock::time_point now);

    HubOptions options_;
    HubStats stats_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::vector<store::EventRow>> queue_;
    std::vector<std::weak_ptr<Subscriber>> subscribers_;
    std::vector<Waiter> waiters_;
    std::int64_t head_ = 0;
    std::uint64_t next_id_ = 1;
    bool waiting_refused_ = false;
    bool closing_ = false;
    bool closed_ = false;
    std::thread thread_;
};

}  // namespace omnivibe::feed
