#pragma once
// The PostgreSQL implementation of store::Db, over a pg::Connection: what
// lets the event log, the projection rules and the read-model queries run
// unchanged on PostgreSQL.
//
// A PgStmt keeps the statement's text with its `?`/`?N` placeholders turned
// into PostgreSQL's `$1..$n` (numbered densely, in order of first use, as
// PostgreSQL wants no gaps), collects the parameters as text, and runs the
// prepared statement at the first step(); the rows are then read from the
// result. So a statement's result is held whole: reads of the log go page by
// page (store::for_each_event), never "every event at once".

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/db.hpp"
#include "omnivibe/store/pg/connection.hpp"
#include "omnivibe/store/statement_cache.hpp"

namespace omnivibe::store::pg {

/// `sql` with `?` / `?N` placeholders (outside quotes) numbered for
/// PostgreSQL; `slots[N]` is the 0-based position of the value bound to N.
struct Numbered {
    std::string sql;
    std::vector<int> slots;  ///< by placeholder number (index 0 unused); -1 = not used
    int count = 0;           ///< distinct placeholders
};
Numbered number_placeholders(std::string_view sql);

class PgStmt final : public Stmt {
  public:
    PgStmt(Connection& conn, std::string_view sql);

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

  private:
    Param& slot(int index);
    Connection& conn_;
    Numbered numbered_;
    std::vector<Param> params_;
    Rows rows_{nullptr};
    int row_ = -1;
    bool ran_ = false;
};

class PgDb final : public Db {
  public:
    /// Connects (pg::Connection::open); failing to connect is `unavailable`.
    static Result<std::unique_ptr<PgDb>> open(std::string_view uri,
                                              std::string_view application_name = {});
    explicit PgDb(std::unique_ptr<Connection> conn);

    Dialect dialect() const noexcept override { return Dialect::postgresql; }
    const std::string& name() const noexcept override { return conn_->redacted_uri(); }
    void exec(std::string_view sql) override;
    Stmt& cached(std::string_view sql) override;

    void begin(TxKind kind) override;
    void commit() override;
    void rollback() noexcept override;
    void savepoint(std::string_view name) override;
    void release(std::string_view name) override;
    void undo_savepoint(std::string_view name) noexcept override;
    bool in_transaction() const noexcept override { return conn_->in_transaction(); }
    bool usable() const noexcept override { return conn_->connected(); }

    Connection& connection() noexcept { return *conn_; }

  private:
    std::unique_ptr<Connection> conn_;
    StatementCache<std::unique_ptr<PgStmt>> cache_;
};

}  // namespace omnivibe::store::pg
