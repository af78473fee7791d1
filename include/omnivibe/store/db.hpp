#pragma once
// The connection every store module speaks, whichever database is under it:
// Db runs statements and transactions, Stmt is a prepared statement with
// positional parameters, Tx and Savepoint are RAII over them.
//
// Two implementations: SqliteDb (store/sqlite_db.hpp), the embedded file, and
// PgDb (store/pg/pg_db.hpp), PostgreSQL over libpq. The event log, the
// projection rules, the read-model queries and the idempotency records are
// written once against this interface in SQL both dialects accept; the few
// places where the dialects differ ask dialect() (store/dialect.hpp) rather
// than which class they hold.
//
// SQL uses `?` or `?N` placeholders (SQLite's); PgDb numbers them for
// PostgreSQL. Failures throw StoreError (SqliteError, pg::PgError): the
// module entry points catch it and hand an Error across their boundary.
// A Db is used by one thread at a time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "omnivibe/domain/value.hpp"
#include "omnivibe/store/store_error.hpp"

namespace omnivibe::store {

enum class Dialect { sqlite, postgresql };

/// What a column of the current row holds.
enum class ColumnType { null, integer, real, text, blob };

class Stmt {
  public:
    virtual ~Stmt() = default;

    virtual Stmt& bind(int index, std::int64_t v) = 0;
    virtual Stmt& bind(int index, double v) = 0;
    virtual Stmt& bind(int index, std::string_view v) = 0;
    virtual Stmt& bind_null(int index) = 0;
    Stmt& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
    Stmt& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
    Stmt& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
    /// Binds a domain value: lists as JSON text, booleans as 0/1 (flags are
    /// integer columns on every store), null and unsupported values as NULL.
    Stmt& bind(int index, const domain::Value& v);
    template <class T>
    Stmt& bind(int index, const std::optional<T>& v) {
        return v ? bind(index, *v) : bind_null(index);
    }

    /// Runs the statement (at the first call) and advances; true while a row
    /// is available.
    virtual bool step() = 0;
    /// Runs to completion and resets (for statements without rows).
    void run();
    /// Resets and clears bindings; cheap, done before each reuse.
    virtual void reset() noexcept = 0;

    virtual bool is_null(int col) const = 0;
    virtual std::int64_t column_int(int col) const = 0;
    virtual double column_double(int col) const = 0;
    /// The text (or bytes) of a column; valid until the next step or reset.
    virtual std::string_view column_text(int col) const = 0;
    virtual ColumnType column_type(int col) const = 0;
    virtual int column_count() const = 0;
    virtual std::string_view column_name(int col) const = 0;
};

enum class OpenMode { read_write, read_only };

class Db {
  public:
    virtual ~Db() = default;

    virtual Dialect dialect() const noexcept = 0;
    /// The file or the URI (password removed), for messages.
    virtual const std::string& name() const noexcept = 0;

    /// Runs one or more statements without parameters or results.
    virtual void exec(std::string_view sql) = 0;
    /// A statement prepared once per connection and reused; reset when handed out.
    virtual Stmt& cached(std::string_view sql) = 0;
    /// A single integer from a one-row query (e.g. "SELECT max(seq) FROM events").
    std::optional<std::int64_t> query_int(std::string_view sql);

    // ---- transactions: use Tx and Savepoint ----------------------------------
    enum class TxKind {
        /// A consistent read-only snapshot: every statement sees the same
        /// committed state (SQLite: a deferred read transaction in WAL;
        /// PostgreSQL: REPEATABLE READ, READ ONLY).
        snapshot,
        /// A write transaction. SQLite: BEGIN IMMEDIATE, which takes the
        /// database's write lock; PostgreSQL: READ COMMITTED, writers being
        /// ordered by the advisory lock the write session takes.
        write,
    };
    virtual void begin(TxKind kind) = 0;
    virtual void commit() = 0;
    /// Rolls back if a transaction is open; never throws.
    virtual void rollback() noexcept = 0;
    virtual void savepoint(std::string_view name) = 0;
    virtual void release(std::string_view name) = 0;
    /// Rolls back to the savepoint and releases it; never throws.
    virtual void undo_savepoint(std::string_view name) noexcept = 0;
    /// True inside a transaction (also one the database has aborted).
    virtual bool in_transaction() const noexcept = 0;
    /// False once the connection is known to be lost (a server's restart):
    /// a pool drops it instead of lending it again.
    virtual bool usable() const noexcept { return true; }
};

/// A transaction; rolls back on destruction unless committed.
class Tx {
  public:
    using Kind = Db::TxKind;
    explicit Tx(Db& db, Kind kind = Kind::write) : db_(db) { db_.begin(kind); }
    ~Tx() {
        if (open_) db_.rollback();
    }
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;
    void commit() {
        db_.commit();
        open_ = false;
    }
    Db& db() noexcept { return db_; }

  private:
    Db& db_;
    bool open_ = true;
};

/// A nested unit of work inside a Tx: one command of a batch. Rolled back to
/// on destruction unless released.
class Savepoint {
  public:
    explicit Savepoint(Db& db) : db_(db) { db_.savepoint(kName); }
    ~Savepoint() {
        if (open_) db_.undo_savepoint(kName);
    }
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void release() {
        db_.release(kName);
        open_ = false;
    }

  private:
    static constexpr std::string_view kName = "command";
    Db& db_;
    bool open_ = true;
};

}  // namespace omnivibe::store
