#pragma once
// WriteSession over a store::Db: what every store shares. The event log
// (store::EventStore), the projection rules (projection::Projector), the
// state decide() reads (DbState) and the idempotency records all run the
// same SQL on SQLite and PostgreSQL, so this is the one implementation of
// the write path's store side; SqliteSession and PgSession add only what
// taking their database means (an owner lock and pragmas, an advisory lock
// per transaction).
//
// A transaction is a Tx of kind `write`; each command is a Savepoint inside
// it. The in-memory head is put back whenever a unit or the transaction is
// undone. Single-threaded: it belongs to whoever runs the transaction.

#include <memory>
#include <optional>

#include "omnivibe/domain/state.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/store/db.hpp"
#include "omnivibe/writer/write_session.hpp"

namespace omnivibe::writer {

/// The StateView decide() reads, answered from the writer's own connection
/// inside its open transaction, so each command of a batch sees the ones
/// before it (and, on a shared database, what other writers committed
/// before this transaction took the write lock).
class DbState final : public domain::StateView {
  public:
    explicit DbState(store::Db& db) : db_(db) {}
    std::optional<domain::Entity> find(domain::Kind kind, std::int64_t id) const override;
    std::optional<std::int64_t> client_named(std::string_view name) const override;
    std::vector<std::int64_t> children(domain::Kind child, std::int64_t parent_id) const override;
    std::int64_t last_id(domain::Kind kind) const override;
    std::vector<std::string> attached_resources(std::int64_t campaign_id) const override;

  private:
    store::Db& db_;
};

class DbSession : public WriteSession {
  public:
    /// Over a writer connection with migrations applied; `streams` as for
    /// projection::Projector.
    explicit DbSession(store::Db& db, projection::Projector::StreamWrites streams =
                                          projection::Projector::StreamWrites::immediate);
    /// Owning the connection (a store's open()).
    explicit DbSession(std::unique_ptr<store::Db> db);
    ~DbSession() override;

    store::Db& db() noexcept { return db_; }

    void begin() override;
    void commit() override;
    void rollback() noexcept override;
    void begin_unit() override;
    void keep_unit() override;
    void undo_unit() noexcept override;
    bool transaction_lost() const noexcept override;

    const domain::StateView& state() const override { return state_; }
    const store::Head& head() const override { return events_.head(); }
    store::EventRow append(domain::Event& ev) override;
    std::optional<domain::Entity> entity(domain::Kind kind, std::int64_t id) override;
    std::vector<domain::Entity> blocks(std::int64_t content_id) override;
    std::optional<projection::ResourceRow> resource(std::int64_t campaign_id,
                                                    std::string_view type) override;

    std::optional<store::KeptAnswer> find_answer(std::string_view actor, std::string_view key,
                                                 UnixMillis not_before) override;
    void keep_answer(std::string_view actor, std::string_view key,
                     const store::KeptAnswer& answer) override;
    void forget_answers_before(UnixMillis cutoff) override;
    void checkpoint() override;
    /// Ends the open transaction, if any; a store's own close() does the rest.
    void close() override;

  protected:
    /// For a connection that runs without the schema's triggers: the log's
    /// append checks stream versions itself (store::EventStore::check_versions).
    void check_versions() noexcept { events_.check_versions(); }
    /// Closes the owned connection (after close()).
    void drop_connection() noexcept { own_.reset(); }
    /// Reads the head from the log again: for a store other writers append
    /// to, once this transaction holds the write lock.
    void reload_head();

  private:
    std::unique_ptr<store::Db> own_;  ///< the connection, when the session owns it
    store::Db& db_;
    store::EventStore events_;
    projection::Projector projector_;
    DbState state_;
    std::optional<store::Tx> tx_;
    std::optional<store::Savepoint> unit_;
    store::Head head_at_begin_;
    store::Head head_at_unit_;
};

}  // namespace omnivibe::writer
