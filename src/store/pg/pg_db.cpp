#include "omnivibe/store/pg/pg_db.hpp"

namespace omnivibe::store::pg {

namespace {

[[noreturn]] void misuse(std::string detail) {
    throw PgError(Error::make(ErrorCode::internal, std::move(detail)), "");
}

// pg_type oids of the columns our queries return.
constexpr unsigned kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700,
                   kFloat8 = 701, kNumeric = 1700, kBytea = 17;

void quietly(Connection& conn, std::string_view sql) noexcept {
    try {
        conn.exec(sql);
    } catch (...) {  // NOLINT(bugprone-empty-catch): best effort, the connection may be gone
    }
}

}  // namespace

Numbered number_placeholders(std::string_view sql) {
    Numbered out;
    out.sql.reserve(sql.size() + 8);
    int anonymous = 0;
    char quote = 0;  // inside '...' or "..."
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;
            out.sql += c;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out.sql += c;
            continue;
        }
        if (c != '?') {
            out.sql += c;
            continue;
        }
        int number = 0;
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9')
            number = number * 10 + (sql[j++] - '0');
        if (j == i + 1) number = ++anonymous;  // a bare `?` takes the next number, as in SQLite
        i = j - 1;
        if (static_cast<int>(out.slots.size()) <= number) out.slots.resize(number + 1, -1);
        if (out.slots[number] < 0) out.slots[number] = out.count++;
        out.sql += '$' + std::to_string(out.slots[number] + 1);
    }
    return out;
}

// --- PgStmt ----------------------------------------------------------------------

PgStmt::PgStmt(Connection& conn, std::string_view sql)
    : conn_(conn), numbered_(number_placeholders(sql)), params_(numbered_.count) {}

Param& PgStmt::slot(int index) {
    if (index < 1 || index >= static_cast<int>(numbered_.slots.size()) ||
        numbered_.slots[index] < 0)
        misuse("binding parameter " + std::to_string(index) +
               ", which the statement does not have");
    return params_[numbered_.slots[index]];
}

Stmt& PgStmt::bind(int index, std::int64_t v) {
    slot(index) = Param(v);
    return *this;
}
Stmt& PgStmt::bind(int index, double v) {
    slot(index) = Param(v);
    return *this;
}
Stmt& PgStmt::bind(int index, std::string_view v) {
    slot(index) = Param(v);
    return *this;
}
Stmt& PgStmt::bind_null(int index) {
    slot(index) = Param();
    return *this;
}

bool PgStmt::step() {
    if (!ran_) {
        // Marked as run only once it ran: a statement that failed (a lost
        // connection, a constraint) runs again at its next step.
        rows_ = conn_.query(numbered_.sql, params_);
        ran_ = true;
        row_ = -1;
    }
    return ++row_ < rows_.size();
}

void PgStmt::reset() noexcept {
    ran_ = false;
    rows_ = Rows(nullptr);
    row_ = -1;
    for (auto& p : params_) p = Param();
}

bool PgStmt::is_null(int col) const { return rows_.is_null(row_, col); }
std::int64_t PgStmt::column_int(int col) const {
    if (rows_.is_null(row_, col)) return 0;  // as SQLite answers a NULL read as an integer
    return rows_.int64(row_, col);
}
double PgStmt::column_double(int col) const {
    if (rows_.is_null(row_, col)) return 0;
    return rows_.float64(row_, col);
}
std::string_view PgStmt::column_text(int col) const { return rows_.text(row_, col); }
int PgStmt::column_count() const { return rows_.columns(); }
std::string_view PgStmt::column_name(int col) const { return rows_.column_name(col); }

ColumnType PgStmt::column_type(int col) const {
    if (rows_.is_null(row_, col)) return ColumnType::null;
    switch (rows_.type_oid(col)) {
        case kBool:
        case kInt2:
        case kInt4:
        case kInt8:
        case kOid:
            return ColumnType::integer;
        case kFloat4:
        case kFloat8:
        case kNumeric:
            return ColumnType::real;
        case kBytea:
            return ColumnType::blob;
        default:
            return ColumnType::text;
    }
}

// --- PgDb ------------------------------------------------------------------------

Result<std::unique_ptr<PgDb>> PgDb::open(std::string_view uri, std::string_view application_name) {
    auto conn = Connection::open(uri, application_name);
    if (!conn) return std::move(conn).error();
    return std::make_unique<PgDb>(std::move(conn).value());
}

PgDb::PgDb(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

void PgDb::exec(std::string_view sql) { conn_->exec(sql); }

Stmt& PgDb::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end())
        it = cache_.emplace(std::string(sql), std::make_unique<PgStmt>(*conn_, sql)).first;
    it->second->reset();
    return *it->second;
}

void PgDb::begin(TxKind kind) {
    conn_->exec(kind == TxKind::snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                         : "BEGIN ISOLATION LEVEL READ COMMITTED");
}

void PgDb::commit() {
    const Rows done = conn_->exec("COMMIT");
    // COMMIT of a transaction in which a statement failed answers "ROLLBACK"
    // without an error: nothing was committed, and the caller must know.
    if (done.command_status() != "COMMIT")
        misuse("the transaction was rolled back, not committed: a statement in it failed");
}

void PgDb::rollback() noexcept {
    if (conn_->in_transaction()) quietly(*conn_, "ROLLBACK");
}

void PgDb::savepoint(std::string_view name) { conn_->exec("SAVEPOINT " + std::string(name)); }

void PgDb::release(std::string_view name) { conn_->exec("RELEASE SAVEPOINT " + std::string(name)); }

void PgDb::undo_savepoint(std::string_view name) noexcept {
    quietly(*conn_, "ROLLBACK TO SAVEPOINT " + std::string(name));
    quietly(*conn_, "RELEASE SAVEPOINT " + std::string(name));
}

}  // namespace omnivibe::store::pg
