#include "omnivibe/store/sqlite_db.hpp"

#include <mutex>

namespace omnivibe::store {

Error sqlite_error(int extended_code, std::string_view message, std::string_view context) {
    const int primary = extended_code & 0xff;
    Error e;
    switch (primary) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_FULL:
        case SQLITE_READONLY:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_PROTOCOL:
            e.code = ErrorCode::unavailable;
            break;
        default:
            e.code = ErrorCode::internal;
    }
    e.detail = std::string(context) + ": " + std::string(message) + " (SQLite code " +
               std::to_string(extended_code) + ")";
    return e;
}

// --- SqliteStmt ----------------------------------------------------------------------

SqliteStmt::SqliteStmt(sqlite3* db, std::string_view sql) {
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK)
        throw SqliteError(sqlite_error(sqlite3_extended_errcode(db), sqlite3_errmsg(db),
                                       "preparing " + std::string(sql.substr(0, 60))),
                          sqlite3_extended_errcode(db));
}

SqliteStmt::~SqliteStmt() { sqlite3_finalize(stmt_); }

void SqliteStmt::check_bind(int rc) {
    if (rc != SQLITE_OK) {
        sqlite3* db = sqlite3_db_handle(stmt_);
        throw SqliteError(sqlite_error(rc, sqlite3_errmsg(db), "binding a parameter"), rc);
    }
}

Stmt& SqliteStmt::bind(int i, std::int64_t v) {
    check_bind(sqlite3_bind_int64(stmt_, i, v));
    return *this;
}
Stmt& SqliteStmt::bind(int i, double v) {
    check_bind(sqlite3_bind_double(stmt_, i, v));
    return *this;
}
Stmt& SqliteStmt::bind(int i, std::string_view v) {
    check_bind(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}
Stmt& SqliteStmt::bind_null(int i) {
    check_bind(sqlite3_bind_null(stmt_, i));
    return *this;
}

bool SqliteStmt::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3* db = sqlite3_db_handle(stmt_);
    const int ext = sqlite3_extended_errcode(db);
    Error e = sqlite_error(ext, sqlite3_errmsg(db), "running a statement");
    sqlite3_reset(stmt_);
    throw SqliteError(std::move(e), ext);
}

void SqliteStmt::reset() noexcept {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool SqliteStmt::is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::int64_t SqliteStmt::column_int(int c) const { return sqlite3_column_int64(stmt_, c); }
double SqliteStmt::column_double(int c) const { return sqlite3_column_double(stmt_, c); }
std::string_view SqliteStmt::column_text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)))
             : std::string_view();
}
ColumnType SqliteStmt::column_type(int c) const {
    switch (sqlite3_column_type(stmt_, c)) {
        case SQLITE_INTEGER:
            return ColumnType::integer;
        case SQLITE_FLOAT:
            return ColumnType::real;
        case SQLITE_BLOB:
            return ColumnType::blob;
        case SQLITE_NULL:
            return ColumnType::null;
        default:
            return ColumnType::text;
    }
}
int SqliteStmt::column_count() const { return sqlite3_column_count(stmt_); }
std::string_view SqliteStmt::column_name(int c) const { return sqlite3_column_name(stmt_, c); }

// --- SqliteDb ------------------------------------------------------------------------

namespace {
// Process-wide settings, valid only before SQLite initialises (the first
// open); later calls fail harmlessly and keep what was set.
//  - Multi-thread: each connection is used by one thread at a time (the
//    writer's, a leased reader, a rebuild's decoder), so SQLite's
//    per-connection mutexes are pure cost.
//  - No memory statistics: keeping them takes one global mutex around every
//    allocation SQLite makes, which the network threads and the writer then
//    contend for on every statement.
void configure_sqlite_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    });
}
}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path, OpenMode mode,
                                                 int busy_timeout_ms) {
    configure_sqlite_once();
    sqlite3* raw = nullptr;
    const int flags = (mode == OpenMode::read_write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                                    : SQLITE_OPEN_READONLY) |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = sqlite_error(raw ? sqlite3_extended_errcode(raw) : rc,
                               raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc), "opening " + path);
        sqlite3_close(raw);
        return e;
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
    try {
        if (mode == OpenMode::read_write) db->exec("PRAGMA journal_mode=WAL");
        db->exec("PRAGMA foreign_keys=OFF");
    } catch (const SqliteError& e) {
        return e.error();
    }
    return db;
}

SqliteDb::~SqliteDb() {
    cache_.clear();  // statements must be finalised before the connection closes
    sqlite3_close_v2(db_);
}

void SqliteDb::check(int rc, std::string_view context) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    const int ext = sqlite3_extended_errcode(db_);
    throw SqliteError(sqlite_error(ext, sqlite3_errmsg(db_), context), ext);
}

void SqliteDb::exec(std::string_view sql) {
    const std::string text(sql);
    check(sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr), "executing SQL");
}

Stmt& SqliteDb::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end())
        it = cache_.emplace(std::string(sql), std::make_unique<SqliteStmt>(db_, sql)).first;
    it->second->reset();
    return *it->second;
}

// --- transactions ----------------------------------------------------------------

void SqliteDb::begin(TxKind kind) {
    cached(kind == TxKind::write ? "BEGIN IMMEDIATE" : "BEGIN").run();
}

void SqliteDb::commit() { cached("COMMIT").run(); }

void SqliteDb::rollback() noexcept {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

// Cached: a savepoint is taken and released for every command of a batch.
void SqliteDb::savepoint(std::string_view name) { cached("SAVEPOINT " + std::string(name)).run(); }

void SqliteDb::release(std::string_view name) { cached("RELEASE " + std::string(name)).run(); }

void SqliteDb::undo_savepoint(std::string_view name) noexcept {
    const std::string n(name);
    sqlite3_exec(db_, ("ROLLBACK TO " + n).c_str(), nullptr, nullptr, nullptr);
    sqlite3_exec(db_, ("RELEASE " + n).c_str(), nullptr, nullptr, nullptr);
}

bool SqliteDb::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace omnivibe::store
