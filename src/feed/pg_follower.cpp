// The follower thread's loop: (re)connect and LISTEN, read the log after the
// last delivered seq until a page comes back short, then sleep until a
// notification, a local commit, or the poll interval, and read again. A
// read that fails (the connection died, PostgreSQL restarts) drops the
// connection; the next round opens a fresh one, LISTENs first and then reads,
// so nothing committed while it was away is missed.

#include "pg_follower.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/log.hpp"
#include "omnivibe/core/thread_name.hpp"
#include "omnivibe/feed/hub.hpp"
#include "omnivibe/store/pg/pg_db.hpp"

namespace omnivibe::feed {

namespace {

constexpr std::chrono::milliseconds kFirstRetry{100};
constexpr std::chrono::milliseconds kLastRetry{5000};

class PgFollower final : public CommitSource {
  public:
    PgFollower(std::string uri, Hub& hub, CommitSourceOptions options)
        : uri_(std::move(uri)),
          hub_(hub),
          options_(std::move(options)),
          wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

    ~PgFollower() override {
        stop();
        if (wake_fd_ >= 0) ::close(wake_fd_);
    }

    Status start(std::int64_t head) override {
        if (wake_fd_ < 0)
            return Error::make(ErrorCode::internal, "cannot create the feed's wake-up descriptor");
        delivered_ = head;
        // Connected before the server answers anything, so that a write
        // acknowledged from now on is followed at once; if PostgreSQL is
        // away the thread keeps trying.
        connect();
        thread_ = std::thread([this] { run(); });
        name_thread(thread_, "ov-pg-listen");
        return {};
    }

    void committed(std::vector<store::EventRow>&& rows) override {
        if (rows.empty()) return;
        // Every seq up to our own commit's is committed too (writers take
        // turns under one lock), before the answer leaves.
        local_head_.store(rows.back().seq, std::memory_order_release);
        wake();
    }

    void stop() override {
        if (stopping_.exchange(true)) {
            if (thread_.joinable()) thread_.join();
            return;
        }
        wake();
        if (thread_.joinable()) thread_.join();
    }

    // What the hub delivered, or further if this instance wrote since.
    std::int64_t head() const override {
        return std::max(hub_.head(), local_head_.load(std::memory_order_acquire));
    }
    bool follows_database() const noexcept override { return true; }

  private:
    void wake() {
        const std::uint64_t one = 1;
        // A full counter means a wake-up is pending anyway.
        [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
    }

    // Opens a connection and LISTENs; false (and logged once per outage) if
    // PostgreSQL cannot be reached.
    bool connect() {
        auto db = store::pg::PgDb::open(uri_, options_.application_name);
        if (db) {
            try {
                (*db)->connection().listen(kFeedChannel);
                db_ = std::move(db).value();
                stats_.listening.store(true, std::memory_order_relaxed);
                if (lost_) {
                    stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
                    log::info("feed: listening on PostgreSQL again; reading what was missed");
                }
                lost_ = false;
                return true;
            } catch (const store::StoreError& e) {
                return disconnected(e.error().detail);
            }
        }
        return disconnected(db.error().detail);
    }

    bool disconnected(const std::string& why) {
        db_.reset();
        stats_.listening.store(false, std::memory_order_relaxed);
        if (!lost_) log::warn("feed: the LISTEN connection is down (" + why + "); reconnecting");
        lost_ = true;
        return false;
    }

    // Hands the hub every committed event after delivered_, page by page.
    // Returns whether a notification arrived while reading (libpq queues
    // those it meets in query results; the socket then stays quiet).
    bool catch_up() {
        for (;;) {
            store::EventQuery page;
            page.after = delivered_;
            page.limit = options_.page;
            auto rows = store::read_events(*db_, page);
            stats_.reads.fetch_add(1, std::memory_order_relaxed);
            if (rows.empty()) break;
            const bool last_page = static_cast<std::int64_t>(rows.size()) < options_.page;
            delivered_ = rows.back().seq;
            stats_.events.fetch_add(rows.size(), std::memory_order_relaxed);
            if (auto recorded = parse_timestamp(rows.back().recorded_at))
                stats_.observe_delay(std::chrono::milliseconds(now_millis() - *recorded),
                                     rows.size());
            hub_.publish(std::move(rows));
            if (last_page) break;
        }
        return drain() > 0;
    }

    std::size_t drain() {
        const std::size_t n = db_->connection().drain_notifications().size();
        stats_.notifications.fetch_add(n, std::memory_order_relaxed);
        return n;
    }

    // Sleeps until a notification, a local wake-up or the timeout.
    void wait(std::chrono::milliseconds timeout) {
        pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {db_ ? db_->connection().socket() : -1, POLLIN, 0}};
        const int ready = ::poll(fds, db_ ? 2 : 1, static_cast<int>(timeout.count()));
        if (ready <= 0) return;
        if (fds[0].revents & POLLIN) {
            std::uint64_t count = 0;
            [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
        }
        if (db_ && fds[1].revents) {
            db_->connection().consume_input();  // throws if the connection died
            drain();
        }
    }

    void run() {
        auto retry = kFirstRetry;
        while (!stopping_.load()) {
            if (!db_ && !connect()) {
                wait(retry);
                retry = std::min(retry * 2, kLastRetry);
                continue;
            }
            retry = kFirstRetry;
            try {
                if (catch_up()) continue;  // woken while reading: read again
                wait(options_.poll);
            } catch (const store::StoreError& e) {
                disconnected(e.error().detail);
            }
        }
        // Stopping: everything this instance acknowledged is committed; hand
        // it over before the hub closes.
        try {
            if (db_ || connect()) catch_up();
        } catch (const store::StoreError& e) {
            log::warn("feed: the last read before stopping failed: " + e.error().detail);
        }
        db_.reset();
        stats_.listening.store(false, std::memory_order_relaxed);
    }

    const std::string uri_;
    Hub& hub_;
    const CommitSourceOptions options_;
    const int wake_fd_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::int64_t> local_head_{0};
    // The follower thread's own (and start()'s, before the thread exists).
    std::unique_ptr<store::pg::PgDb> db_;
    std::int64_t delivered_ = 0;
    bool lost_ = false;
    std::thread thread_;
};

}  // namespace

std::unique_ptr<CommitSource> make_pg_follower(std::string uri, Hub& hub,
                                               CommitSourceOptions options) {
    return std::make_unique<PgFollower>(std::move(uri), hub, std::move(options));
}

}  // namespace omnivibe::feed
