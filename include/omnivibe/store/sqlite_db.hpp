#pragma once
// The SQLite implementation of store::Db: SqliteDb owns a connection,
// SqliteStmt a prepared statement. Every return code is checked; a failure
// throws SqliteError (carrying an Error with the extended code and message).
// Busy, locked, full, read-only and I/O failures map to 503 `unavailable`.
//
// Code that is about SQLite itself (the pragmas, the owner lock, the WAL,
// the legacy importer, the table comparison of replay --verify) holds a
// SqliteDb; everything else holds a store::Db.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/db.hpp"
#include "omnivibe/store/statement_cache.hpp"

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

class SqliteStmt final : public Stmt {
  public:
    SqliteStmt(sqlite3* db, std::string_view sql);
    ~SqliteStmt() override;
    SqliteStmt(SqliteStmt&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    SqliteStmt& operator=(SqliteStmt&&) = delete;
    SqliteStmt(const SqliteStmt&) = delete;

    using Stmt::bind;
    Stmt& bind(int index, std::int64_t v) override;
    Stmt& bind(int index, double v) override;
    Stmt& bind(int index, std::string_view v) override;
    Stmt& bind_null(int index) override;
    bool step() override;
    void reset() noexcept override;

    bool is_null(int col) const override;
    std::int64_t column_int(int col) const override;
    double column_double(int col) const override;
    std::string_view column_text(int col) const override;
    ColumnType column_type(int col) const override;
    int column_count() const override;
    std::string_view column_name(int col) const override;

    sqlite3_stmt* handle() const noexcept { return stmt_; }

  private:
    void check_bind(int rc);
    sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb final : public Db {
  public:
    /// Opens (creating if read_write) with WAL and a busy timeout.
    static Result<std::unique_ptr<SqliteDb>> open(const std::string& path, OpenMode mode,
                                                  int busy_timeout_ms = 5000);
    ~SqliteDb() override;
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    Dialect dialect() const noexcept override { return Dialect::sqlite; }
    const std::string& name() const noexcept override { return path_; }
    void exec(std::string_view sql) override;
    Stmt& cached(std::string_view sql) override;

    void begin(TxKind kind) override;
    void commit() override;
    void rollback() noexcept override;
    void savepoint(std::string_view name) override;
    void release(std::string_view name) override;
    void undo_savepoint(std::string_view name) noexcept override;
    bool in_transaction() const noexcept override;

    sqlite3* handle() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }
    /// Throws SqliteError for rc if it is not OK/ROW/DONE.
    void check(int rc, std::string_view context) const;

  private:
    SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_;
    std::string path_;
    StatementCache<std::unique_ptr<SqliteStmt>> cache_;
};

}  // namespace omnivibe::store
