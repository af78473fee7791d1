#pragma once
// The single-writer actor: the only writer of a store in this process.
//
// Handlers submit a WriteRequest and get a callback; they never write SQL. The
// writer thread drains its queue and handles the whole batch in ONE
// transaction of its WriteSession (group commit): each command goes through
// the one write path, Applier::apply, as a unit of its own, so a command that
// fails fails alone. Only after the commit returns (durable under
// --durability full) are the callbacks run and the events published to the
// feed, so no client hears of a write that could still be lost.
//
// The writer reports what happened (Applied); it knows no HTTP status or
// response shape. It does not know which store it runs on either: the
// session is opened by open_session() from the options.
//
// Threading: submit() may be called from any thread. The publisher runs on
// the writer thread. Callbacks run through the Completions executor when one
// is given (the server's network threads, so rendering, logging and sending
// an answer never take the writer's time), else on the writer thread; either
// way only after the batch's commit.

#include <atomic>
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

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/state.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/writer/applier.hpp"
#include "omnivibe/writer/write_session.hpp"

namespace omnivibe::writer {

using WriteCallback = std::function<void(Result<Applied>)>;
/// Receives each committed batch's events, in seq order, on the writer thread.
using Publisher = std::function<void(std::vector<store::EventRow>&&)>;
/// Runs a task elsewhere (posts it to a thread pool); must not block.
using Completions = std::function<void(std::function<void()>)>;

struct WriterOptions {
    std::string db_path;
    Durability durability = Durability::full;
    std::size_t max_batch = 1024;
    std::int64_t idempotency_ttl_ms = 24LL * 3600 * 1000;
    int busy_timeout_ms = 2000;
};

struct WriterStats {
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> commands{0};
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::uint64_t> failed_commits{0};
    /// batches run again with a savepoint per command, because one of their
    /// commands failed after writing (see Isolation::optimistic)
    std::atomic<std::uint64_t> isolated_reruns{0};
    std::atomic<std::uint64_t> last_batch_size{0};
    std::atomic<std::uint64_t> max_batch_size{0};
    std::atomic<std::uint64_t> queue_depth{0};
    std::atomic<std::uint64_t> commit_micros_total{0};
    /// batch-size histogram buckets: 1, 2-3, 4-7, 8-15, ... 512+
    std::atomic<std::uint64_t> batch_size_buckets[11]{};
};

class Writer {
  public:
    Writer(WriterOptions options, Publisher publisher, Completions completions = {});
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    /// Opens the database, applies migrations, rebuilds projections whose
    /// layout version changed, and starts the writer thread.
    Status start();
    /// Finishes every queued command, then stops the thread. Idempotent.
    void stop();

    /// Queues a command; the callback runs once, after commit or on failure.
    void submit(WriteRequest request, WriteCallback done);

    /// The last committed seq.
    std::int64_t head() const noexcept { return head_.load(std::memory_order_acquire); }
    bool running() const noexcept { return running_.load(); }
    const WriterStats& stats() const noexcept { return stats_; }

  private:
    struct Pending {
        WriteRequest request;
        WriteCallback done;
    };
    struct Impl;

    void run();
    void process(std::vector<Pending>& batch);

    WriterOptions options_;
    Publisher publisher_;
    Completions completions_;
    std::unique_ptr<Impl> impl_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::atomic<bool> running_{false};
    std::atomic<std::int64_t> head_{0};
    WriterStats stats_;
    std::thread thread_;
};

}  // namespace omnivibe::writer
