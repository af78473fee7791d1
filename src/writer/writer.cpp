#include "omnivibe/writer/writer.hpp"

#include <chrono>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/log.hpp"
#include "omnivibe/domain/decide.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/projection/read_model.hpp"
#include "omnivibe/projection/responses.hpp"
#include "omnivibe/store/db_lock.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/writer/sqlite_state.hpp"

namespace omnivibe::writer {

struct Writer::Impl {
    store::DbLock lock;  ///< "a server holds this database", from start to stop
    std::unique_ptr<store::Db> db;
    std::unique_ptr<store::EventStore> events;
    std::unique_ptr<projection::Projector> projector;
    std::unique_ptr<SqliteState> state;
    UnixMillis last_purge = 0;
};

namespace {

struct Outcome {
    std::optional<Result<WriteResult>> result;
};

int bucket_of(std::size_t n) {
    int b = 0;
    while (n > 1 && b < 10) {
        n >>= 1;
        ++b;
    }
    return b;
}

Error internal(std::string detail) { return Error::make(ErrorCode::internal, std::move(detail)); }

// The event that created the entity a command answers with, when the command
// created it and nothing else in it touched that entity: then the answer is
// the row that event inserted, with no need to read it back.
const domain::Event* creating_event(const domain::Decision& d) {
    if (d.outcome != domain::Decision::Outcome::created) return nullptr;
    const domain::Event* found = nullptr;
    for (const auto& ev : d.events)
        if (ev.kind == d.kind && ev.entity_id == d.id) {
            if (found || ev.stream_version != 1) return nullptr;
            found = &ev;
        }
    return found;
}

}  // namespace

std::string WriteResult::take_body() {
    if (!entity) return std::move(body);
    std::string rendered = projection::entity_body(*entity);
    entity.reset();
    return rendered;
}

Writer::Writer(WriterOptions options, Publisher publisher, Completions completions)
    : options_(std::move(options)),
      publisher_(std::move(publisher)),
      completions_(std::move(completions)),
      impl_(std::make_unique<Impl>()) {}

Writer::~Writer() { stop(); }

Status Writer::start() {
    // Taken before the database is touched, so a replay or an import running
    // on it is never disturbed; released in stop(), or by the kernel on a crash.
    auto lock = store::DbLock::acquire(options_.db_path, "omnivibe-server");
    if (!lock) return std::move(lock).error();
    auto db = store::Db::open(options_.db_path, store::OpenMode::read_write, options_.busy_timeout_ms);
    if (!db) return std::move(db).error();
    impl_->db = std::move(db).value();
    store::Db& d = *impl_->db;
    try {
        store::register_writer_guard(d);
        d.exec(options_.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                       : "PRAGMA synchronous=NORMAL");
        // The writer checkpoints the WAL itself between batches (see run()).
        d.exec("PRAGMA wal_autocheckpoint=4000");
        auto applied = store::apply_migrations(d);
        if (!applied) return std::move(applied).error();
        if (*applied > 0) log::info("applied " + std::to_string(*applied) + " migration(s)");

        const auto state = projection::read_projection_state(d);
        const auto head = store::log_head(d);
        if (state.version != projection::kProjectionVersion || state.head != head) {
            log::info("rebuilding the read tables from the log (layout " +
                      std::to_string(state.version) + " -> " +
                      std::to_string(projection::kProjectionVersion) + ", " +
                      std::to_string(head) + " events)");
            auto rebuilt = projection::rebuild(d, 0, [](std::int64_t done, std::int64_t total) {
                log::info("rebuild: " + std::to_string(done) + "/" + std::to_string(total) +
                          " events");
            });
            if (!rebuilt) return std::move(rebuilt).error();
        }
        impl_->events = std::make_unique<store::EventStore>(d);
        impl_->events->load_head();
        impl_->projector = std::make_unique<projection::Projector>(d);
        impl_->state = std::make_unique<SqliteState>(d);
        head_ = impl_->events->head().seq;
    } catch (const store::SqliteError& e) {
        return e.error();
    }
    impl_->lock = std::move(lock).value();
    running_ = true;
    thread_ = std::thread([this] { run(); });
    return {};
}

void Writer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (impl_->db && running_.exchange(false)) {
        // A clean stop leaves no WAL to replay at the next start.
        sqlite3_wal_checkpoint_v2(impl_->db->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                  nullptr, nullptr);
    }
    // The connection closes before the lock goes, so whoever takes the lock
    // next finds the database quiet.
    impl_->state.reset();
    impl_->projector.reset();
    impl_->events.reset();
    impl_->db.reset();
    impl_->lock.release();
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
    store::Db& db = *impl_->db;
    store::EventStore& log = *impl_->events;
    std::vector<Outcome> outcomes(batch.size());
    std::vector<store::EventRow> rows;
    const store::Head head_before = log.head();
    const auto started = std::chrono::steady_clock::now();
    bool committed = false;
    Error commit_error;
    try {
        store::Tx tx(db);
        const UnixMillis now = now_millis();
        if (now - impl_->last_purge > 60'000) {
            impl_->last_purge = now;
            db.cached("DELETE FROM idempotency_keys WHERE created_ms < ?")
                .bind(1, now - options_.idempotency_ttl_ms)
                .run();
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const WriteRequest& req = batch[i].request;
            const store::Head head_saved = log.head();
            const std::size_t rows_saved = rows.size();
            store::Savepoint sp(db);
            try {
                const bool keyed = !req.meta.idempotency_key.empty();
                if (keyed) {
                    store::Stmt& q = db.cached(
                        "SELECT fingerprint, status, body, version, seq, created_ms "
                        "FROM idempotency_keys WHERE actor = ? AND key = ?");
                    q.bind(1, req.meta.actor).bind(2, req.meta.idempotency_key);
                    if (q.step() && q.column_int(5) >= now - options_.idempotency_ttl_ms) {
                        if (q.column_text(0) != req.fingerprint) {
                            outcomes[i].result = Error::make(
                                ErrorCode::idempotency_key_reused,
                                "This Idempotency-Key was already used for a different request.");
                        } else {
                            outcomes[i].result = WriteResult{.status = static_cast<int>(q.column_int(1)),
                                                             .body = std::string(q.column_text(2)),
                                                             .entity = std::nullopt,
                                                             .version = q.column_int(3),
                                                             .seq = q.column_int(4),
                                                             .replayed = true};
                        }
                        q.reset();
                        sp.release();
                        continue;
                    }
                    q.reset();
                }
                auto decision = domain::decide(*impl_->state, req.command);
                if (!decision) {
                    outcomes[i].result = std::move(decision).error();
                    continue;  // the savepoint rolls back on scope exit
                }
                std::int64_t version = 0;
                for (auto& ev : decision->events) {
                    ev.recorded_at = now;
                    const std::string cause = std::move(ev.meta.cause);
                    ev.meta = req.meta;
                    ev.meta.cause = cause;
                    rows.push_back(log.append(ev));
                    impl_->projector->apply(ev);
                    if (ev.kind == decision->kind && ev.entity_id == decision->id)
                        version = ev.stream_version;
                }
                if (decision->events.empty()) {
                    auto current = projection::load_entity(db, decision->kind, decision->id,
                                                           projection::Computed::omit);
                    version = current ? current->version : 0;
                }
                WriteResult result;
                result.status = decision->outcome == domain::Decision::Outcome::created
                                    ? req.success_status
                                    : (req.success_status == 201 ? 200 : req.success_status);
                result.version = version;
                result.seq = log.head().seq;
                switch (req.shape) {
                    case ResponseShape::entity: {
                        if (const domain::Event* created = creating_event(*decision)) {
                            result.entity = projection::created_entity(*created);
                            if (keyed) result.body = result.take_body();  // stored below
                            break;
                        }
                        auto body = projection::entity_body(db, decision->kind, decision->id);
                        if (!body) throw store::SqliteError(internal("written entity not found"), 0);
                        result.body = std::move(*body);
                        break;
                    }
                    case ResponseShape::deleted: result.body = projection::deleted_body(decision->id); break;
                    case ResponseShape::storyboard:
                        result.body = projection::storyboard_body(db, decision->id);
                        break;
                    case ResponseShape::resource: {
                        auto body = projection::resource_body(db, decision->id, req.resource_type);
                        result.body = body ? std::move(*body) : projection::deleted_body(decision->id);
                        break;
                    }
                }
                if (keyed) {
                    db.cached(
                          "INSERT OR REPLACE INTO idempotency_keys (actor, key, fingerprint, status, "
                          "body, version, seq, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                        .bind(1, req.meta.actor)
                        .bind(2, req.meta.idempotency_key)
                        .bind(3, req.fingerprint)
                        .bind(4, std::int64_t{result.status})
                        .bind(5, result.body)
                        .bind(6, result.version)
                        .bind(7, result.seq)
                        .bind(8, now)
                        .run();
                }
                sp.release();
                outcomes[i].result = std::move(result);
            } catch (const store::SqliteError& e) {
                // This command alone fails; its savepoint rolls back the rest.
                log.restore_head(head_saved);
                rows.resize(rows_saved);
                outcomes[i].result = e.error();
                // Some failures (disk full, I/O) make SQLite abandon the whole
                // transaction; nothing after this may run outside it.
                if (sqlite3_get_autocommit(db.handle())) throw;
            }
        }
        impl_->projector->checkpoint(log.head().seq);
        tx.commit();
        committed = true;
    } catch (const store::SqliteError& e) {
        commit_error = e.error();
        log.restore_head(head_before);
        stats_.failed_commits.fetch_add(1, std::memory_order_relaxed);
        log::warn("write batch of " + std::to_string(batch.size()) +
                  " command(s) rolled back: " + commit_error.detail);
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
        head_.store(log.head().seq, std::memory_order_release);
        if (!rows.empty() && publisher_) publisher_(std::move(rows));
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& outcome = outcomes[i].result;
        Result<WriteResult> result = internal("the command produced no result");
        if (!committed) {
            Error e = commit_error;
            if (e.code != ErrorCode::unavailable) e.code = ErrorCode::unavailable;
            e.detail = "The write could not be stored; try again.";
            result = std::move(e);
        } else if (outcome) {
            result = std::move(*outcome);
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
