#pragma once
// PostgreSQL RAII over libpq, in the spirit of store::Db / Stmt / Tx:
// Connection owns a PGconn, Rows a PGresult, Tx a transaction, Savepoint a
// nested unit of work.
//
// Every libpq result is checked. A failure throws PgError, carrying an Error
// whose code says what the caller can do about it: a lost connection, an
// administrator's shutdown, a connection (08xxx) or resource (53xxx) problem,
// a serialization failure or a deadlock is `unavailable` (503 with
// Retry-After upstream: retry later, or on a fresh connection); everything
// else (a constraint, a trigger guard, a bug in our SQL) is `internal`. The
// Error's detail names what was being done and PostgreSQL's primary message,
// never the SQL text, which can hold a client's data.
//
// Statements are prepared once per connection, named by a counter and cached
// by their SQL text (`$1`-style placeholders); parameters travel as text and
// the server infers their types from the statement. After a reconnect the
// cache is empty and the channels this connection LISTENed to are listened
// to again.
//
// A Connection is used by one thread at a time; it is not thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/value.hpp"
#include "omnivibe/store/statement_cache.hpp"
#include "omnivibe/store/store_error.hpp"

// libpq's handle types, declared here so that only src/store/pg/ sees libpq-fe.h.
struct pg_conn;
struct pg_result;

namespace omnivibe::store::pg {

/// Thrown by the PostgreSQL wrappers; caught at module boundaries.
class PgError : public StoreError {
  public:
    PgError(Error e, std::string sqlstate)
        : StoreError(std::move(e)), sqlstate_(std::move(sqlstate)) {}
    /// PostgreSQL's five-character SQLSTATE; empty when libpq produced the error.
    const std::string& sqlstate() const noexcept { return sqlstate_; }

  private:
    std::string sqlstate_;
};

/// Whether a SQLSTATE means "try again later" rather than "this is wrong".
bool is_transient(std::string_view sqlstate) noexcept;

/// The Error for a PostgreSQL failure; `context` says what was being done.
/// `connection_lost` makes it `unavailable` whatever the SQLSTATE.
Error pg_error(std::string_view sqlstate, std::string_view message, std::string_view context,
               bool connection_lost = false);

/// The URI or conninfo string with any password replaced by "***", for logs
/// and messages.
std::string redacted(std::string_view uri);

/// One statement parameter, sent as text; null unless given a value.
class Param {
  public:
    Param() = default;
    Param(std::nullopt_t) {}  // NOLINT: implicit by design, as are the others
    Param(std::int64_t v);    // NOLINT
    Param(int v) : Param(static_cast<std::int64_t>(v)) {}        // NOLINT
    Param(double v);                                             // NOLINT
    Param(bool v);                                               // NOLINT: "true" / "false"
    Param(std::string_view v);                                   // NOLINT
    Param(const char* v) : Param(std::string_view(v)) {}         // NOLINT
    Param(const std::string& v) : Param(std::string_view(v)) {}  // NOLINT
    template <class T>
    Param(const std::optional<T>& v) {  // NOLINT
        if (v) *this = Param(*v);
    }
    /// A domain value as the read tables store it, as Stmt::bind does on
    /// SQLite: lists as JSON text, booleans as 0/1 (flags are integer
    /// columns on both stores), null and unsupported values as NULL.
    static Param from_value(const domain::Value& v);

    bool is_null() const noexcept { return !text_; }
    /// NUL-terminated, as libpq wants text parameters; null for SQL NULL.
    const char* c_str() const noexcept { return text_ ? text_->c_str() : nullptr; }

  private:
    std::optional<std::string> text_;
};

/// The rows of one statement's result, with typed access by row and column.
/// A value that does not parse as the asked type throws PgError (internal).
class Rows {
  public:
    explicit Rows(pg_result* result) noexcept : result_(result) {}
    ~Rows();
    Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
    Rows& operator=(Rows&& other) noexcept;
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;

    int size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
    int columns() const noexcept;
    std::string_view column_name(int col) const;
    /// The PostgreSQL type (pg_type oid) of a column.
    unsigned type_oid(int col) const noexcept;
    /// Rows changed by an INSERT, UPDATE or DELETE (0 for other statements).
    std::int64_t affected() const;
    /// The command tag, e.g. "COMMIT" or "INSERT 0 1".
    std::string_view command_status() const noexcept;

    bool is_null(int row, int col) const;
    std::string_view text(int row, int col) const;
    std::int64_t int64(int row, int col) const;
    double float64(int row, int col) const;
    bool boolean(int row, int col) const;
    std::optional<std::int64_t> optional_int64(int row, int col) const;
    std::optional<std::string> optional_text(int row, int col) const;

  private:
    void check_cell(int row, int col) const;
    pg_result* result_ = nullptr;
};

/// A notification received on a LISTENed channel.
struct Notification {
    std::string channel;
    std::string payload;
    int sender_pid = 0;
};

enum class Isolation { read_committed, repeatable_read, serializable };
enum class Access { read_write, read_only };

class Connection {
  public:
    /// Connects to a libpq URI (postgresql://user@host:port/dbname) or conninfo
    /// string, with client_encoding UTF8. A password in `uri` is refused: it
    /// comes from PGPASSWORD or ~/.pgpass only, so it never shows in a
    /// command line or a log. `application_name` names the connection in
    /// pg_stat_activity (default "omnivibe"). Failing to connect is
    /// `unavailable`; a malformed URI or a password in it is `internal`.
    static Result<std::unique_ptr<Connection>> open(std::string_view uri,
                                                    std::string_view application_name = {});
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs one or more statements without parameters (simple protocol), e.g.
    /// a migration file; returns the last statement's result.
    Rows exec(std::string_view sql);
    /// Runs a statement, prepared on first use and cached by its text.
    Rows query(std::string_view sql, std::initializer_list<Param> params = {});
    Rows query(std::string_view sql, const std::vector<Param>& params);
    /// query() for statements without rows; returns the rows affected.
    std::int64_t run(std::string_view sql, std::initializer_list<Param> params = {});
    /// The single integer of a one-row, one-column query; nullopt if no row or NULL.
    std::optional<std::int64_t> query_int(std::string_view sql,
                                          std::initializer_list<Param> params = {});
    /// Runs a statement and calls `fn` with each row as it arrives (libpq's
    /// single-row mode: a log of millions of events is never held whole);
    /// each Rows holds one row, row 0. If `fn` throws, the statement is
    /// cancelled, the connection left ready, and the exception rethrown.
    void for_each_row(std::string_view sql, std::initializer_list<Param> params,
                      const std::function<void(const Rows&)>& fn);

    /// Takes pg_advisory_xact_lock(key): waits for it, and holds it until the
    /// current transaction ends. Throws (internal) outside a transaction,
    /// where the lock would be released at once.
    void advisory_xact_lock(std::int64_t key);
    /// pg_try_advisory_xact_lock(key): true if taken, false if another holds it.
    bool try_advisory_xact_lock(std::int64_t key);

    /// LISTEN on a channel (any name; quoted here). Remembered for reconnect().
    void listen(std::string_view channel);
    void unlisten(std::string_view channel);
    /// pg_notify(channel, payload): delivered when the transaction commits.
    void notify(std::string_view channel, std::string_view payload);
    /// The socket to wait on for notifications (readable = call consume_input).
    int socket() const noexcept;
    /// Reads what arrived on the socket without blocking; throws PgError
    /// (unavailable) if the connection was lost.
    void consume_input();
    /// Waits up to `timeout` for the socket to become readable and consumes
    /// what arrived; false on timeout. Throws like consume_input.
    bool wait_for_input(std::chrono::milliseconds timeout);
    /// The notifications received so far, oldest first; empties the queue.
    std::vector<Notification> drain_notifications();

    /// Whether libpq still considers the connection good. A lost connection is
    /// usually only noticed by the next statement, which then throws.
    bool connected() const noexcept;
    /// Connects again with the same parameters (PQreset): the statement
    /// cache is emptied and the LISTENs are issued again.
    Status reconnect();
    /// The server process of this connection (pg_backend_pid).
    int backend_pid() const noexcept;
    /// True inside a transaction block (also a failed one).
    bool in_transaction() const noexcept;
    /// The URI it was opened with, password removed.
    const std::string& redacted_uri() const noexcept { return redacted_uri_; }

    pg_conn* handle() const noexcept { return conn_; }

  private:
    Connection(pg_conn* conn, std::string redacted_uri);
    /// Turns a result into Rows or throws; `context` names what was done.
    Rows check(pg_result* result, std::string_view context);
    [[noreturn]] void fail(std::string_view context);
    void require_transaction(std::string_view what) const;
    const std::string& prepared(std::string_view sql);
    Rows execute(std::string_view sql, const Param* params, std::size_t count);

    pg_conn* conn_;
    std::string redacted_uri_;
    std::set<std::string> listening_;
    StatementCache<std::string> statements_;
    std::uint64_t next_statement_ = 0;
};

/// A transaction; rolls back on destruction unless committed. commit()
/// throws if PostgreSQL did not commit (a failed statement inside it, a
/// serialization failure, a lost connection: the outcome is then unknown).
class Tx {
  public:
    explicit Tx(Connection& conn, Isolation isolation = Isolation::read_committed,
                Access access = Access::read_write);
    ~Tx();
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;
    void commit();
    Connection& connection() noexcept { return conn_; }

  private:
    Connection& conn_;
    bool open_ = true;
};

/// A nested unit of work inside a Tx: one command of a batch. Rolled back to
/// on destruction unless released, which also clears a failed statement's
/// error state, so the rest of the batch can still commit.
class Savepoint {
  public:
    explicit Savepoint(Connection& conn);
    ~Savepoint();
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void release();

  private:
    Connection& conn_;
    bool open_ = true;
};

}  // namespace omnivibe::store::pg
