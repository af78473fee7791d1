#include "omnivibe/writer/pg_session.hpp"

#include "omnivibe/core/log.hpp"
#include "omnivibe/feed/commit_source.hpp"
#include "omnivibe/store/pg/migrations.hpp"
#include "omnivibe/store/read_pool.hpp"

namespace omnivibe::writer {

Result<std::int64_t> rebuild_read_tables(store::pg::PgDb& db, projection::Rebuild when,
                                         const projection::Progress& progress,
                                         const projection::OpenReader& open_reader) {
    try {
        store::Tx tx(db);
        db.connection().advisory_xact_lock(kWriterLockKey);
        projection::BulkLoad as_is;  // the PostgreSQL tables need no setting up
        auto done = projection::refill_read_tables(db, when, 0, as_is, progress, open_reader);
        if (done) tx.commit();
        return done;
    } catch (const store::StoreError& e) {
        return e.error();
    }
}

namespace {

std::string setting(store::pg::Connection& conn, std::string_view name) {
    return std::string(conn.query("SELECT current_setting($1)", {name}).text(0, 0));
}

}  // namespace

std::vector<std::string> weak_durability_settings(store::pg::Connection& conn) {
    // synchronous_commit is not among them: the writer sets it for its own
    // connection from --durability (configure()), whatever the defaults are.
    std::vector<std::string> weak;
    if (setting(conn, "fsync") != "on")
        weak.push_back(
            "fsync is off: a crash of the database's machine can lose or corrupt "
            "acknowledged writes");
    if (setting(conn, "full_page_writes") != "on")
        weak.push_back("full_page_writes is off: a power loss can leave torn pages");
    return weak;
}

Result<std::unique_ptr<PgSession>> PgSession::open(const PgSessionOptions& options) {
    auto db = store::pg::PgDb::open(options.uri, options.application_name);
    if (!db) return std::move(db).error();
    store::pg::Connection& conn = (*db)->connection();
    try {
        for (const auto& warning : weak_durability_settings(conn))
            log::warn("PostgreSQL at " + conn.redacted_uri() + ": " + warning);
        auto applied = store::pg::apply_migrations(conn);
        if (!applied) return std::move(applied).error();
        if (*applied > 0) log::info("applied " + std::to_string(*applied) + " migration(s)");
        auto rebuilt = rebuild_read_tables(**db, projection::Rebuild::if_stale, {},
                                           store::ReadPool::postgresql(options.uri));
        if (!rebuilt) return std::move(rebuilt).error();
        return std::unique_ptr<PgSession>(new PgSession(conn, std::move(db).value(), options));
    } catch (const store::StoreError& e) {
        return e.error();
    }
}

PgSession::PgSession(store::pg::Connection& conn, std::unique_ptr<store::pg::PgDb> db,
                     PgSessionOptions options)
    : DbSession(std::unique_ptr<store::Db>(std::move(db))),
      conn_(conn),
      options_(std::move(options)) {
    configure();
}

void PgSession::configure() {
    // --durability normal: acknowledged once PostgreSQL has the commit in
    // memory; a crash of the database server can lose the last writes, never
    // corrupt (the same promise as SQLite's synchronous=NORMAL).
    conn_.exec(options_.durability == Durability::full ? "SET synchronous_commit = on"
                                                       : "SET synchronous_commit = off");
}

void PgSession::begin() {
    if (!conn_.connected()) {
        if (auto st = conn_.reconnect(); !st) throw store::pg::PgError(std::move(st).error(), "");
        configure();
        log::info("writer reconnected to PostgreSQL at " + conn_.redacted_uri());
    }
    DbSession::begin();
    conn_.advisory_xact_lock(kWriterLockKey);
    // Another instance may have appended since our last transaction.
    reload_head();
    head_at_begin_ = head().seq;
}

void PgSession::commit() {
    // Only a wake-up (followers read the log), sent with the COMMIT or not at all.
    if (head().seq > head_at_begin_) conn_.notify(feed::kFeedChannel, std::to_string(head().seq));
    DbSession::commit();
}

void PgSession::close() {
    DbSession::close();
    drop_connection();
}

}  // namespace omnivibe::writer
