// The hub's design note is in its header; this file keeps to three rules:
// the hub lock guards only the subscriber list, the waiters, the queue and
// head_; no frame is formatted and no subscriber is touched under it; and a
// subscriber's own lock is never held while calling out (wake functions run
// after it is released).

#include "omnivibe/feed/hub.hpp"

#include <algorithm>

#include "omnivibe/core/log.hpp"
#include "omnivibe/core/thread_name.hpp"
#include "omnivibe/feed/frames.hpp"

namespace omnivibe::feed {

// ---- Subscriber ----------------------------------------------------------------

Subscriber::Subscriber(std::uint64_t id, Filter filter, std::size_t max_lag_bytes,
                       std::int64_t live_from, HubStats& stats)
    : id_(id),
      filter_(std::move(filter)),
      max_lag_bytes_(max_lag_bytes),
      live_from_(live_from),
      stats_(stats) {}

void Subscriber::on_ready(std::function<void()> wake) {
    auto fn = std::make_shared<const std::function<void()>>(std::move(wake));
    std::lock_guard lock(mutex_);
    wake_ = std::move(fn);
}

Subscriber::Take Subscriber::take(std::vector<Frame>& out) {
    std::lock_guard lock(mutex_);
    if (state_ == State::overflowed) return Take::overflowed;
    wake_at_unsent_ = 0;
    if (queue_.empty()) {
        if (state_ == State::closing) return Take::closed;
        armed_ = true;
        return Take::idle;
    }
    out.insert(out.end(), std::make_move_iterator(queue_.begin()),
               std::make_move_iterator(queue_.end()));
    queue_.clear();
    return Take::frames;
}

void Subscriber::written(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    unsent_ -= std::min(bytes, unsent_);
}

void Subscriber::wake_when_unsent(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    wake_at_unsent_ = bytes;
}

Subscriber::State Subscriber::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::size_t Subscriber::unsent_bytes() const {
    std::lock_guard lock(mutex_);
    return unsent_;
}

void Subscriber::offer(const std::vector<Frame>& frames, bool droppable) {
    std::shared_ptr<const std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        if (state_ != State::open) return;
        if (droppable && !queue_.empty()) return;  // the connection is busy anyway
        // Lag is what the subscriber left unsent of earlier batches, never
        // the size of this one: a burst (a group commit of big events, a
        // follower's catch-up page) reaches a subscriber that kept up whole.
        // Its frames are shared by every subscriber, so taking them costs
        // this one pointers; one past its limit is reset instead.
        if (unsent_ > max_lag_bytes_) {
            std::size_t dropped = 0;
            for (const auto& q : queue_) dropped += q.bytes->size();
            unsent_ -= dropped;
            for (const auto& f : frames) dropped += f.bytes->size();
            queue_.clear();
            state_ = State::overflowed;
            stats_.resets.fetch_add(1, std::memory_order_relaxed);
            stats_.bytes_dropped.fetch_add(dropped, std::memory_order_relaxed);
            armed_ = true;  // the reader must hear of it even in the middle of a write
        } else {
            for (const Frame& f : frames) {
                queue_.push_back(f);
                unsent_ += f.bytes->size();
                if (f.seq != 0) stats_.deliveries.fetch_add(1, std::memory_order_relaxed);
            }
        }
        if (wake_at_unsent_ > 0 && unsent_ >= wake_at_unsent_) {
            armed_ = true;
            wake_at_unsent_ = 0;
        }
        if (armed_) wake = wake_;
        armed_ = false;
    }
    if (wake && *wake) (*wake)();
}

void Subscriber::close() {
    std::shared_ptr<const std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        if (state_ != State::open) return;
        state_ = State::closing;
        wake = wake_;
        armed_ = false;
    }
    if (wake && *wake) (*wake)();
}

// ---- Hub -----------------------------------------------------------------------

Hub::Hub(HubOptions options) : options_(options) {
    thread_ = std::thread([this] { run(); });
    name_thread(thread_, "ov-feed-hub");
}

Hub::~Hub() { close(); }

void Hub::start_from(std::int64_t head) {
    std::lock_guard lock(mutex_);
    head_ = head;
    stats_.head.store(head, std::memory_order_relaxed);
}

void Hub::publish(std::vector<store::EventRow>&& rows) {
    if (rows.empty()) return;
    {
        std::lock_guard lock(mutex_);
        if (closing_) return;
        queue_.push_back(std::move(rows));
    }
    wake_.notify_one();
}

std::shared_ptr<Subscriber> Hub::subscribe(Filter filter, std::size_t max_lag_bytes) {
    std::shared_ptr<Subscriber> sub;
    std::uint64_t count = 0;
    {
        std::lock_guard lock(mutex_);
        if (closing_) return nullptr;
        sub = std::make_shared<Subscriber>(next_id_++, std::move(filter), max_lag_bytes, head_,
                                           stats_);
        subscribers_.push_back(sub);
        count = stats_.subscribers.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    stats_.subscriptions.fetch_add(1, std::memory_order_relaxed);
    log::debug("feed: subscriber " + std::to_string(sub->id()) + " joined, live after seq " +
               std::to_string(sub->live_from()) + "; " + std::to_string(count) + " subscriber(s)");
    return sub;
}

void Hub::unsubscribe(const Subscriber& subscriber, std::string_view why) {
    std::uint64_t count = 0;
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(subscribers_.begin(), subscribers_.end(), [&](const auto& w) {
            auto s = w.lock();
            return s.get() == &subscriber;
        });
        if (it == subscribers_.end()) return;
        subscribers_.erase(it);
        count = stats_.subscribers.fetch_sub(1, std::memory_order_relaxed) - 1;
    }
    log::debug("feed: subscriber " + std::to_string(subscriber.id()) + " left (" +
               std::string(why) + "); " + std::to_string(count) + " subscriber(s)");
}

std::vector<std::shared_ptr<Subscriber>> Hub::snapshot_locked() {
    std::vector<std::shared_ptr<Subscriber>> out;
    out.reserve(subscribers_.size());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < subscribers_.size(); ++i) {
        if (auto s = subscribers_[i].lock()) {
            out.push_back(std::move(s));
            // No self-move: a moved-from weak_ptr is empty, even onto itself.
            if (kept != i) subscribers_[kept] = std::move(subscribers_[i]);
            ++kept;
        }
    }
    // Entries whose session vanished without unsubscribing (it never started).
    if (const auto gone = subscribers_.size() - kept; gone > 0) {
        subscribers_.resize(kept);
        stats_.subscribers.fetch_sub(gone, std::memory_order_relaxed);
    }
    return out;
}

void Hub::deliver(std::vector<store::EventRow>& rows) {
    stats_.events.fetch_add(rows.size(), std::memory_order_relaxed);
    {
        // Nobody listening: move the head and skip the formatting. Under the
        // lock, so a subscriber registering now still gets this batch live.
        std::lock_guard lock(mutex_);
        if (subscribers_.empty() && waiters_.empty()) {
            head_ = std::max(head_, rows.back().seq);
            stats_.head.store(head_, std::memory_order_relaxed);
            return;
        }
    }
    // Format once, outside every lock; every receiver shares these bytes.
    std::vector<std::shared_ptr<const PublishedEvent>> events;
    events.reserve(rows.size());
    for (auto& row : rows) {
        auto ev = std::make_shared<PublishedEvent>();
        ev->seq = row.seq;
        ev->envelope = envelope_json(row);
        ev->frame.reserve(ev->envelope.size() + row.type.size() + 32);
        append_event_frame(ev->frame, row.seq, row.type, ev->envelope);
        ev->type = std::move(row.type);
        ev->stream = std::move(row.stream);
        ev->campaign_id = row.campaign_id;
        events.push_back(std::move(ev));
    }

    std::vector<std::shared_ptr<Subscriber>> subs;
    std::vector<std::pair<std::function<void(WaitResult)>, WaitResult>> ready;
    {
        std::lock_guard lock(mutex_);
        subs = snapshot_locked();
        // A batch older than the head (the hub was started from a later head)
        // carries nothing a subscriber could still be missing.
        if (events.back()->seq <= head_) return;
        head_ = events.back()->seq;
        stats_.head.store(head_, std::memory_order_relaxed);
        for (auto it = waiters_.begin(); it != waiters_.end();) {
            WaitResult r;
            for (const auto& ev : events) {
                if (ev->seq <= it->after ||
                    !it->filter.matches(ev->type, ev->stream, ev->campaign_id))
                    continue;
                if (r.events.size() == it->limit) {
                    r.more = true;
                    break;
                }
                r.events.push_back(ev);
            }
            if (r.events.empty()) {
                ++it;
                continue;
            }
            r.why = WaitResult::Why::events;
            r.head = head_;
            ready.emplace_back(std::move(it->done), std::move(r));
            it = waiters_.erase(it);
        }
        stats_.waiters.store(waiters_.size(), std::memory_order_relaxed);
    }

    std::vector<Frame> frames;
    for (const auto& sub : subs) {
        frames.clear();
        for (const auto& ev : events)
            if (ev->seq > sub->live_from() &&
                sub->filter().matches(ev->type, ev->stream, ev->campaign_id))
                frames.push_back(
                    Frame{ev->seq, std::shared_ptr<const std::string>(ev, &ev->frame)});
        if (!frames.empty()) sub->offer(frames, false);
    }
    for (auto& [done, result] : ready) done(std::move(result));
}

void Hub::heartbeat() {
    std::vector<std::shared_ptr<Subscriber>> subs;
    std::int64_t head = 0;
    {
        std::lock_guard lock(mutex_);
        subs = snapshot_locked();
        head = head_;
    }
    stats_.heartbeats.fetch_add(1, std::memory_order_relaxed);
    if (subs.empty()) return;
    const std::vector<Frame> beat{
        Frame{0, std::make_shared<const std::string>(heartbeat_frame(head))}};
    for (const auto& sub : subs) sub->offer(beat, true);
}

Hub::WaitStart Hub::wait(Filter filter, std::int64_t after, std::size_t limit,
                         std::chrono::steady_clock::time_point deadline,
                         std::function<void(WaitResult)> done) {
    {
        std::lock_guard lock(mutex_);
        if (waiting_refused_ || closing_) return WaitStart::closed;
        if (head_ > after) return WaitStart::stale;
        waiters_.push_back(Waiter{std::move(filter), after, std::max<std::size_t>(limit, 1),
                                  deadline, std::move(done)});
        stats_.waiters.store(waiters_.size(), std::memory_order_relaxed);
    }
    wake_.notify_one();  // the hub's thread may need to wake earlier for this deadline
    return WaitStart::waiting;
}

void Hub::expire_waiters(std::chrono::steady_clock::time_point now) {
    std::vector<std::function<void(WaitResult)>> expired;
    std::int64_t head = 0;
    {
        std::lock_guard lock(mutex_);
        for (auto it = waiters_.begin(); it != waiters_.end();) {
            if (it->deadline <= now) {
                expired.push_back(std::move(it->done));
                it = waiters_.erase(it);
            } else {
                ++it;
            }
        }
        head = head_;
        stats_.waiters.store(waiters_.size(), std::memory_order_relaxed);
    }
    for (auto& done : expired) done(WaitResult{WaitResult::Why::deadline, {}, false, head});
}

void Hub::release_waiters() {
    std::vector<Waiter> waiters;
    std::int64_t head = 0;
    {
        std::lock_guard lock(mutex_);
        waiting_refused_ = true;
        waiters.swap(waiters_);
        head = head_;
        stats_.waiters.store(0, std::memory_order_relaxed);
    }
    for (auto& w : waiters) w.done(WaitResult{WaitResult::Why::shutdown, {}, false, head});
}

void Hub::run() {
    using Clock = std::chrono::steady_clock;
    auto next_beat = Clock::now() + options_.heartbeat;
    std::unique_lock lock(mutex_);
    for (;;) {
        if (queue_.empty() && !closing_) {
            auto until = next_beat;
            for (const auto& w : waiters_) until = std::min(until, w.deadline);
            // Spurious or early wake-ups only cost one more turn of the loop.
            wake_.wait_until(lock, until);
        }
        while (!queue_.empty()) {
            auto batch = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            deliver(batch);
            lock.lock();
        }
        if (closing_) break;
        lock.unlock();
        const auto now = Clock::now();
        if (now >= next_beat) {
            heartbeat();
            next_beat = now + options_.heartbeat;
        }
        expire_waiters(now);
        lock.lock();
    }
    // Closing: everything queued was delivered above; publish() now refuses.
    auto subs = snapshot_locked();
    closed_ = true;
    lock.unlock();
    for (const auto& sub : subs) sub->close();
    release_waiters();
}

void Hub::close() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        waiting_refused_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::int64_t Hub::head() const {
    std::lock_guard lock(mutex_);
    return head_;
}

}  // namespace omnivibe::feed
