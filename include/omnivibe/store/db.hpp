#pragma once
// SQLite RAII: Db owns a connection, Stmt a prepared statement, Tx a transaction.
//
// Every return code is checked. Inside the store, projection and writer modules
// a failure throws SqliteError (carrying an Error with the extended code and
// message) so SQL reads straight; the module entry points (the writer loop, the
// read-model queries) catch it and hand an Error value across their boundary.
// Busy, locked, full, read-only and I/O failures map to 503 `unavailable`.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/value.hpp"
#include "omnivibe/store/store_error.hpp"

namespace omnivibe::store {

/// Thrown by the SQLite wrappers; caught at module boundaries.
class SqliteError : public StoreError {
  public:
    SqliteError(Error e, int extended_code) : StoreError(std::move(e)), code_(extended_code) {}
    int extended_code() const noexcept { return code_; }

  private:
    int code_;
};

/// The Error for a SQLite failure; `context` says what was being done.
Error sqlite_error(int extended_code, std::string_view message, std::string_view context);

class Stmt {
  public:
    Stmt(sqlite3* db, std::string_view sql);
    ~Stmt();
    Stmt(Stmt&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    Stmt& operator=(Stmt&&) = delete;
    Stmt(const Stmt&) = delete;

    Stmt& bind(int index, std::int64_t v);
    Stmt& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
    Stmt& bind(int index, double v);
    Stmt& bind(int index, std::string_view v);
    Stmt& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
    Stmt& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
    Stmt& bind_null(int index);
    /// Binds a domain value: lists as JSON text, booleans as 0/1.
    Stmt& bind(int index, const domain::Value& v);
    template <class T>
    Stmt& bind(int index, const std::optional<T>& v) {
        return v ? bind(index, *v) : bind_null(index);
    }

    /// Advances; true while a row is available.
    bool step();
    /// Runs to completion and resets (for statements without rows).
    void run();
    /// Resets and clears bindings; cheap, done before each reuse.
    void reset() noexcept;

    bool is_null(int col) const;
    std::int64_t column_int(int col) const;
    double column_double(int col) const;
    std::string_view column_text(int col) const;
    int column_type(int col) const;
    int column_count() const;
    std::string_view column_name(int col) const;

    sqlite3_stmt* handle() const noexcept { return stmt_; }

  private:
    void check_bind(int rc);
    sqlite3_stmt* stmt_ = nullptr;
};

enum class OpenMode { read_write, read_only };

class Db {
  public:
    /// Opens (creating if read_write) with WAL and a busy timeout.
    static Result<std::unique_ptr<Db>> open(const std::string& path, OpenMode mode,
                                            int busy_timeout_ms = 5000);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    /// Runs one or more statements without results.
    void exec(std::string_view sql);
    /// A statement prepared once per connection and reused; reset when handed out.
    Stmt& cached(std::string_view sql);
    /// A single integer from a one-row query (e.g. "SELECT max(seq) FROM events").
    std::optional<std::int64_t> query_int(std::string_view sql);

    sqlite3* handle() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }
    /// Throws SqliteError for rc if it is not OK/ROW/DONE.
    void check(int rc, std::string_view context) const;

  private:
    Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_;
    std::string path_;
    // Looked up by string_view (transparent hash): finding a cached statement
    // must not copy its SQL text into a new string on every use.
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view sql) const noexcept {
            return std::hash<std::string_view>{}(sql);
        }
    };
    std::unordered_map<std::string, std::unique_ptr<Stmt>, SqlHash, std::equal_to<>> cache_;
};

/// A transaction; rolls back on destruction unless committed.
class Tx {
  public:
    enum class Kind { deferred, immediate };
    explicit Tx(Db& db, Kind kind = Kind::immediate);
    ~Tx();
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;
    void commit();
    Db& db() noexcept { return db_; }

  private:
    Db& db_;
    bool open_ = true;
};

/// A nested unit of work inside a Tx: one command of a batch.
class Savepoint {
  public:
    explicit Savepoint(Db& db);
    ~Savepoint();
    void release();

  private:
    Db& db_;
    bool open_ = true;
};

}  // namespace omnivibe::store
