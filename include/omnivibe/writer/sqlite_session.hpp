#pragma once
// The SQLite store's write side: WriteSession over the writer connection.
//
// SqliteSession::open is how a server takes a database: the owner lock
// (<db>.lock, see store/db_lock.hpp), the connection with the writer guard
// registered, the durability pragma, migrations, and a rebuild of the read
// tables when their layout version or head is behind the log. Tools and tests
// that already hold a writer connection wrap it with the constructor.
//
// Units are SAVEPOINTs inside one BEGIN IMMEDIATE transaction; the event
// store's in-memory head is put back whenever a unit or the transaction is
// undone. Single-threaded: it belongs to whoever runs the transaction (a
// session from open() also checkpoints the WAL on a thread of its own).

#include <memory>
#include <optional>
#include <string>

#include "omnivibe/domain/state.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/store/db.hpp"
#include "omnivibe/store/db_lock.hpp"
#include "omnivibe/writer/write_session.hpp"

namespace omnivibe::writer {

class WalCheckpointer;

/// The StateView decide() reads, answered from the writer's own connection
/// inside its open transaction, so each command of a batch sees the ones
/// before it.
class SqliteState final : public domain::StateView {
  public:
    explicit SqliteState(store::Db& db) : db_(db) {}
    std::optional<domain::Entity> find(domain::Kind kind, std::int64_t id) const override;
    std::optional<std::int64_t> client_named(std::string_view name) const override;
    std::vector<std::int64_t> children(domain::Kind child, std::int64_t parent_id) const override;
    std::int64_t last_id(domain::Kind kind) const override;
    std::vector<std::string> attached_resources(std::int64_t campaign_id) const override;

  private:
    store::Db& db_;
};

struct SqliteSessionOptions {
    std::string path;
    Durability durability = Durability::full;
    int busy_timeout_ms = 2000;
    std::string holder = "omnivibe-server";  ///< how the owner lock names its holder
};

class SqliteSession final : public WriteSession {
  public:
    /// Takes ownership of the database's writes (see the file comment).
    static Result<std::unique_ptr<SqliteSession>> open(const SqliteSessionOptions& options);
    /// Over a writer connection the caller owns (writer guard registered,
    /// migrations applied); `streams` as for projection::Projector.
    explicit SqliteSession(store::Db& db, projection::Projector::StreamWrites streams =
                                              projection::Projector::StreamWrites::immediate);
    ~SqliteSession() override;

    /// A server's clean stop: checkpoints the WAL away, closes, drops the lock.
    void close() override;

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

  private:
    SqliteSession(store::DbLock lock, std::unique_ptr<store::Db> db);

    store::DbLock lock_;                             ///< held while this session owns the database
    std::unique_ptr<store::Db> own_;                 ///< the connection, when opened here
    std::unique_ptr<WalCheckpointer> checkpointer_;  ///< when opened here
    store::Db& db_;
    store::EventStore events_;
    projection::Projector projector_;
    SqliteState state_;
    std::optional<store::Tx> tx_;
    std::optional<store::Savepoint> unit_;
    store::Head head_at_begin_;
    store::Head head_at_unit_;
};

}  // namespace omnivibe::writer
