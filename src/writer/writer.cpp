#include "omnivibe/writer/writer.hpp"

#include <chrono>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/log.hpp"
#include "omnivibe/core/thread_name.hpp"
#include "omnivibe/store/location.hpp"
#include "omnivibe/writer/pg_session.hpp"
#include "omnivibe/writer/sqlite_session.hpp"

namespace omnivibe::writer {

struct Writer::Impl {
    std::unique_ptr<WriteSession> session;
    Applier applier;
    UnixMillis last_purge = 0;
};

namespace {

int bucket_of(std::size_t n) {
    int b = 0;
    while (n > 1 && b < 10) {
        n >>= 1;
        ++b;
    }
    return b;
}

// The store named by --db: a SQLite file or a PostgreSQL URI.
Result<std::unique_ptr<WriteSession>> open_session(const WriterOptions& options) {
    if (store::is_postgresql_uri(options.db_path)) {
        auto session = PgSession::open({.uri = options.db_path, .durability = options.durability});
        if (!session) return std::move(session).error();
        return std::unique_ptr<WriteSession>(std::move(session).value());
    }
    auto session = SqliteSession::open({.path = options.db_path,
                                        .durability = options.durability,
                                        .busy_timeout_ms = options.busy_timeout_ms});
    if (!session) return std::move(session).error();
    return std::unique_ptr<WriteSession>(std::move(session).value());
}

}  // namespace

Writer::Writer(WriterOptions options, Publisher publisher, Completions completions)
    : options_(std::move(options)),
      publisher_(std::move(publisher)),
      completions_(std::move(completions)),
      impl_(std::make_unique<Impl>()) {
    impl_->applier = Applier({.idempotency_ttl_ms = options_.idempotency_ttl_ms});
}

Writer::~Writer() { stop(); }

Status Writer::start() {
    auto session = open_session(options_);
    if (!session) return std::move(session).error();
    impl_->session = std::move(session).value();
    head_ = impl_->session->head().seq;
    running_ = true;
    thread_ = std::thread([this] { run(); });
    name_thread(thread_, "ov-writer");
    return {};
}

void Writer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    running_ = false;
    if (impl_->session) {
        impl_->session->close();
        impl_->session.reset();
    }
}

void Writer::submit(WriteRequest request, WriteCallback done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back(Pending{std::move(request), std::move(done)});
            stats_.queue_depth.store(queue_.size(), std::memory_order_relaxed);
            wake_.notify_one();
            return;
        }
    }
    done(Error::make(ErrorCode::unavailable, "The service is shutting down."));
}

void Writer::run() {
    std::vector<Pending> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty() && stopping_) break;
            const std::size_t n = std::min(queue_.size(), options_.max_batch);
            batch.clear();
            for (std::size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            stats_.queue_depth.store(queue_.size(), std::memory_order_relaxed);
        }
        process(batch);
    }
}

void Writer::process(std::vector<Pending>& batch) {
    WriteSession& session = *impl_->session;
    std::vector<std::optional<Result<Applied>>> outcomes(batch.size());
    std::vector<store::EventRow> rows;
    const auto started = std::chrono::steady_clock::now();
    bool committed = false;
    Error commit_error;
    const UnixMillis now = now_millis();
    const bool purge = now - impl_->last_purge > 60'000;
    if (purge) impl_->last_purge = now;
    // Commands run without savepoints first: almost every refusal comes from
    // decide(), before anything is written. A command that fails after writing
    // sends the whole batch round again, each command in a savepoint, so that
    // it fails alone; the answers are the same either way.
    Isolation isolation = Isolation::optimistic;
    for (bool done = false; !done;) {
        try {
            session.begin();
            if (purge) session.forget_answers_before(now - options_.idempotency_ttl_ms);
            for (std::size_t i = 0; i < batch.size(); ++i) {
                auto applied =
                    impl_->applier.apply(session, batch[i].request, now, nullptr, isolation);
                // Some failures (disk full, I/O) make the store abandon the whole
                // transaction; nothing after this may run outside it.
                if (!applied && session.transaction_lost())
                    throw store::StoreError(applied.error());
                if (applied)
                    std::move(applied->rows.begin(), applied->rows.end(), std::back_inserter(rows));
                outcomes[i] = std::move(applied);
            }
            session.checkpoint();
            session.commit();
            committed = done = true;
        } catch (const IsolationNeeded& e) {
            session.rollback();
            rows.clear();
            std::fill(outcomes.begin(), outcomes.end(), std::nullopt);
            isolation = Isolation::savepoint;
            stats_.isolated_reruns.fetch_add(1, std::memory_order_relaxed);
            log::debug("write batch of " + std::to_string(batch.size()) +
                       " command(s) runs again with savepoints: " + e.error.detail);
        } catch (const store::StoreError& e) {
            commit_error = e.error();
            session.rollback();
            rows.clear();
            stats_.failed_commits.fetch_add(1, std::memory_order_relaxed);
            log::warn("write batch of " + std::to_string(batch.size()) +
                      " command(s) rolled back: " + commit_error.detail);
            done = true;
        }
    }
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();

    stats_.batches.fetch_add(1, std::memory_order_relaxed);
    stats_.commands.fetch_add(batch.size(), std::memory_order_relaxed);
    stats_.last_batch_size.store(batch.size(), std::memory_order_relaxed);
    if (batch.size() > stats_.max_batch_size.load(std::memory_order_relaxed))
        stats_.max_batch_size.store(batch.size(), std::memory_order_relaxed);
    stats_.batch_size_buckets[bucket_of(batch.size())].fetch_add(1, std::memory_order_relaxed);
    stats_.commit_micros_total.fetch_add(static_cast<std::uint64_t>(micros),
                                         std::memory_order_relaxed);

    if (committed) {
        stats_.events.fetch_add(rows.size(), std::memory_order_relaxed);
        head_.store(session.head().seq, std::memory_order_release);
        if (!rows.empty() && publisher_) publisher_(std::move(rows));
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        Result<Applied> result = Error::make(ErrorCode::internal, "the command produced no result");
        if (!committed) {
            Error e = commit_error;
            e.code = ErrorCode::unavailable;
            e.detail = "The write could not be stored; try again.";
            result = std::move(e);
        } else if (outcomes[i]) {
            result = std::move(*outcomes[i]);
        }
        if (completions_)
            completions_([done = std::move(batch[i].done), r = std::move(result)]() mutable {
                done(std::move(r));
            });
        else
            batch[i].done(std::move(result));
    }
    if (batch.size() > 1)
        log::debug("group commit: " + std::to_string(batch.size()) + " commands, " +
                   std::to_string(micros) + " us");
}

}  // namespace omnivibe::writer
