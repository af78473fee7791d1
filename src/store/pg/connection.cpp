#include "omnivibe/store/pg/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <limits>

#include "omnivibe/core/log.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/json/writer.hpp"

namespace omnivibe::store::pg {

namespace {

// libpq's messages end in a newline and may span lines ("server closed the
// connection unexpectedly\n\tThis probably means..."): one line for our logs.
std::string one_line(std::string_view message) {
    std::string out;
    bool space = false;
    for (const char c : message) {
        if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// The whole text as a number, or nothing.
template <class T>
std::optional<T> parse_number(std::string_view v) {
    T out{};
    const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size()) return std::nullopt;
    return out;
}

[[noreturn]] void throw_internal(std::string detail) {
    throw PgError(Error::make(ErrorCode::internal, std::move(detail)), "");
}

void log_notice(void*, const char* message) {
    log::debug("PostgreSQL: " + one_line(message ? message : ""));
}

bool starts_with_uri_scheme(std::string_view s) {
    return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

// postgresql://user:secret@host:5432/db?password=secret&sslmode=require
std::string redacted_uri(std::string_view uri) {
    std::string out;
    const auto scheme_end = uri.find("://") + 3;
    out += uri.substr(0, scheme_end);
    std::string_view rest = uri.substr(scheme_end);
    const auto authority_end = std::min(rest.find_first_of("/?"), rest.size());
    std::string_view authority = rest.substr(0, authority_end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        if (const auto colon = userinfo.find(':'); colon != std::string_view::npos)
            out += std::string(userinfo.substr(0, colon)) + ":***";
        else
            out += userinfo;
        authority = authority.substr(at);
    }
    out += authority;
    rest = rest.substr(authority_end);
    const auto query = rest.find('?');
    out += rest.substr(0, query);
    if (query == std::string_view::npos) return out;
    out += '?';
    std::string_view params = rest.substr(query + 1);
    while (true) {
        const auto amp = params.find('&');
        const std::string_view param = params.substr(0, amp);
        out += param.starts_with("password=") ? std::string_view("password=***") : param;
        if (amp == std::string_view::npos) break;
        out += '&';
        params = params.substr(amp + 1);
    }
    return out;
}

// host=db user=omnivibe password='a secret' dbname=omnivibe
std::string redacted_conninfo(std::string_view info) {
    std::string out;
    std::size_t i = 0;
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (i < info.size()) {
        const std::size_t key_start = i;
        while (i < info.size() && info[i] != '=' && !is_space(info[i])) ++i;
        const std::string_view key = info.substr(key_start, i - key_start);
        while (i < info.size() && is_space(info[i])) ++i;
        if (i < info.size() && info[i] == '=') {
            ++i;
            while (i < info.size() && is_space(info[i])) ++i;
        }
        const std::size_t value_start = i;
        if (i < info.size() && info[i] == '\'') {
            for (++i; i < info.size() && info[i] != '\''; ++i)
                if (info[i] == '\\') ++i;
            if (i < info.size()) ++i;
        } else {
            for (; i < info.size() && !is_space(info[i]); ++i)
                if (info[i] == '\\') ++i;
        }
        i = std::min(i, info.size());
        out += info.substr(key_start, value_start - key_start);
        out +=
            key == "password" ? std::string_view("***") : info.substr(value_start, i - value_start);
        const std::size_t gap_start = i;
        while (i < info.size() && is_space(info[i])) ++i;
        out += info.substr(gap_start, i - gap_start);
    }
    return out;
}

bool has_password(const char* uri) {
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(uri, &message);
    if (message) PQfreemem(message);
    if (!options) return false;
    bool found = false;
    for (const PQconninfoOption* o = options; o->keyword; ++o)
        if (std::strcmp(o->keyword, "password") == 0 && o->val && *o->val) found = true;
    PQconninfoFree(options);
    return found;
}

bool parses(const char* uri) {
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(uri, &message);
    if (message) PQfreemem(message);
    if (options) PQconninfoFree(options);
    return options != nullptr;
}

}  // namespace

bool is_transient(std::string_view sqlstate) noexcept {
    if (sqlstate.size() != 5) return false;
    const std::string_view cls = sqlstate.substr(0, 2);
    // 08 connection exception, 53 insufficient resources (disk full, out of
    // memory, too many connections), 58 system error (I/O).
    if (cls == "08" || cls == "53" || cls == "58") return true;
    return sqlstate == "57P01"      // admin_shutdown
           || sqlstate == "57P02"   // crash_shutdown
           || sqlstate == "57P03"   // cannot_connect_now (starting up)
           || sqlstate == "40001"   // serialization_failure
           || sqlstate == "40P01"   // deadlock_detected
           || sqlstate == "55P03"   // lock_not_available
           || sqlstate == "57014";  // query_canceled (statement_timeout)
}

Error pg_error(std::string_view sqlstate, std::string_view message, std::string_view context,
               bool connection_lost) {
    Error e;
    e.code =
        connection_lost || is_transient(sqlstate) ? ErrorCode::unavailable : ErrorCode::internal;
    if (connection_lost)
        e.detail = "lost the connection to PostgreSQL while " + std::string(context) + ": ";
    else
        e.detail = std::string(context) + ": ";
    e.detail += one_line(message);
    if (!sqlstate.empty()) e.detail += " (SQLSTATE " + std::string(sqlstate) + ")";
    return e;
}

std::string redacted(std::string_view uri) {
    return starts_with_uri_scheme(uri) ? redacted_uri(uri) : redacted_conninfo(uri);
}

// --- Param ---------------------------------------------------------------------

Param::Param(std::int64_t v) : text_(std::to_string(v)) {}

Param::Param(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    text_.emplace(buf, r.ptr);
}

Param::Param(bool v) : text_(v ? "true" : "false") {}

Param::Param(std::string_view v) {
    // Text parameters are NUL-terminated for libpq, and PostgreSQL's text
    // cannot hold a NUL: refuse rather than store a silently cut value.
    if (v.find('\0') != std::string_view::npos)
        throw_internal("a text parameter holds a NUL byte, which PostgreSQL text cannot store");
    text_.emplace(v);
}

Param Param::from_value(const domain::Value& v) {
    return std::visit(
        [&](const auto& x) -> Param {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, domain::Null> || std::is_same_v<T, domain::Unsupported>)
                return Param();
            else if constexpr (std::is_same_v<T, bool>)
                return Param(std::int64_t{x ? 1 : 0});
            else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                               std::is_same_v<T, std::string>)
                return Param(x);
            else {
                json::Writer w;
                json::write_value(w, v);
                return Param(w.view());
            }
        },
        v);
}

// --- Rows ------------------------------------------------------------------------

Rows::~Rows() { PQclear(result_); }

Rows& Rows::operator=(Rows&& other) noexcept {
    if (this != &other) {
        PQclear(result_);
        result_ = std::exchange(other.result_, nullptr);
    }
    return *this;
}

int Rows::size() const noexcept { return result_ ? PQntuples(result_) : 0; }
int Rows::columns() const noexcept { return result_ ? PQnfields(result_) : 0; }

unsigned Rows::type_oid(int col) const noexcept { return result_ ? PQftype(result_, col) : 0; }

std::string_view Rows::column_name(int col) const {
    const char* name = result_ ? PQfname(result_, col) : nullptr;
    if (!name) throw_internal("a result has no column " + std::to_string(col));
    return name;
}

std::string_view Rows::command_status() const noexcept {
    return result_ ? std::string_view(PQcmdStatus(result_)) : std::string_view();
}

std::int64_t Rows::affected() const {
    return parse_number<std::int64_t>(result_ ? PQcmdTuples(result_) : "").value_or(0);
}

void Rows::check_cell(int row, int col) const {
    if (row < 0 || row >= size() || col < 0 || col >= columns())
        throw_internal("a result has no row " + std::to_string(row) + ", column " +
                       std::to_string(col));
}

bool Rows::is_null(int row, int col) const {
    check_cell(row, col);
    return PQgetisnull(result_, row, col) != 0;
}

std::string_view Rows::text(int row, int col) const {
    check_cell(row, col);
    return {PQgetvalue(result_, row, col),
            static_cast<std::size_t>(PQgetlength(result_, row, col))};
}

std::int64_t Rows::int64(int row, int col) const {
    if (auto n = parse_number<std::int64_t>(text(row, col))) return *n;
    throw_internal("column " + std::string(column_name(col)) + " is not an integer");
}

double Rows::float64(int row, int col) const {
    const std::string_view v = text(row, col);
    if (v == "Infinity") return std::numeric_limits<double>::infinity();
    if (v == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (v == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (auto n = parse_number<double>(v)) return *n;
    throw_internal("column " + std::string(column_name(col)) + " is not a number");
}

bool Rows::boolean(int row, int col) const {
    const std::string_view v = text(row, col);
    if (v == "t") return true;
    if (v == "f") return false;
    throw_internal("column " + std::string(column_name(col)) + " is not a boolean");
}

std::optional<std::int64_t> Rows::optional_int64(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return int64(row, col);
}

std::optional<std::string> Rows::optional_text(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return std::string(text(row, col));
}

// --- Connection ------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::open(std::string_view uri,
                                                     std::string_view application_name) {
    const std::string target(uri);
    const std::string shown = redacted(uri);
    if (!parses(target.c_str()))
        return Error::make(ErrorCode::internal,
                           "not a valid PostgreSQL URI or connection string: " + shown +
                               " (expected postgresql://user@host:port/dbname)");
    if (has_password(target.c_str()))
        return Error::make(ErrorCode::internal,
                           "the PostgreSQL URI " + shown +
                               " holds a password: give it in PGPASSWORD or ~/.pgpass instead, "
                               "so that it never shows in a command line or a log");
    const std::string app(application_name);
    // Keywords before dbname are defaults the URI may override; those after
    // it are fixed (the hash chain covers exact UTF-8 bytes).
    std::vector<const char*> keys = {"connect_timeout", "fallback_application_name", "dbname",
                                     "client_encoding"};
    std::vector<const char*> values = {"10", "omnivibe", target.c_str(), "UTF8"};
    if (!app.empty()) {
        keys.push_back("application_name");
        values.push_back(app.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
    if (!conn) return Error::make(ErrorCode::unavailable, "out of memory connecting to PostgreSQL");
    if (PQstatus(conn) != CONNECTION_OK) {
        Error e = Error::make(ErrorCode::unavailable, "cannot connect to PostgreSQL at " + shown +
                                                          ": " + one_line(PQerrorMessage(conn)));
        PQfinish(conn);
        return e;
    }
    PQsetNoticeProcessor(conn, log_notice, nullptr);
    return std::unique_ptr<Connection>(new Connection(conn, shown));
}

Connection::Connection(pg_conn* conn, std::string redacted_uri)
    : conn_(conn), redacted_uri_(std::move(redacted_uri)) {}

Connection::~Connection() { PQfinish(conn_); }

void Connection::fail(std::string_view context) {
    const std::string message = PQerrorMessage(conn_);
    throw PgError(pg_error("", message, context, true), "");
}

Rows Connection::check(pg_result* result, std::string_view context) {
    if (!result) fail(context);
    switch (PQresultStatus(result)) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
            return Rows(result);
        case PGRES_FATAL_ERROR:
        case PGRES_NONFATAL_ERROR: {
            const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
            const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
            std::string sqlstate = state ? state : "";
            const std::string message = primary ? primary : PQresultErrorMessage(result);
            PQclear(result);
            const bool lost = PQstatus(conn_) != CONNECTION_OK;
            Error e = pg_error(sqlstate, message, context, lost);
            throw PgError(std::move(e), std::move(sqlstate));
        }
        default: {
            const std::string status = PQresStatus(PQresultStatus(result));
            PQclear(result);
            throw_internal(std::string(context) + ": unexpected result " + status);
        }
    }
}

Rows Connection::exec(std::string_view sql) {
    const std::string text(sql);
    return check(PQexec(conn_, text.c_str()), "running SQL");
}

const std::string& Connection::prepared(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    std::string name = "omnivibe_" + std::to_string(++next_statement_);
    std::string text(sql);
    // No parameter types: the server infers each from where it is used.
    check(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr), "preparing a statement");
    return statements_.emplace(std::move(text), std::move(name)).first->second;
}

Rows Connection::execute(std::string_view sql, const Param* params, std::size_t count) {
    const std::string& name = prepared(sql);
    std::vector<const char*> values;
    values.reserve(count);
    for (std::size_t i = 0; i < count; ++i) values.push_back(params[i].c_str());
    return check(PQexecPrepared(conn_, name.c_str(), static_cast<int>(count), values.data(),
                                nullptr, nullptr, 0),
                 "running a statement");
}

Rows Connection::query(std::string_view sql, std::initializer_list<Param> params) {
    return execute(sql, params.begin(), params.size());
}

Rows Connection::query(std::string_view sql, const std::vector<Param>& params) {
    return execute(sql, params.data(), params.size());
}

std::int64_t Connection::run(std::string_view sql, std::initializer_list<Param> params) {
    return query(sql, params).affected();
}

std::optional<std::int64_t> Connection::query_int(std::string_view sql,
                                                  std::initializer_list<Param> params) {
    const Rows rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return rows.optional_int64(0, 0);
}

void Connection::for_each_row(std::string_view sql, std::initializer_list<Param> params,
                              const std::function<void(const Rows&)>& fn) {
    const std::string& name = prepared(sql);
    std::vector<const char*> values;
    for (const Param& p : params) values.push_back(p.c_str());
    if (!PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                             nullptr, nullptr, 0))
        fail("sending a statement");
    PQsetSingleRowMode(conn_);
    // Every result must be read, whatever happens, before the connection
    // can run anything else; the first failure is kept and thrown at the end.
    std::exception_ptr failure;
    while (PGresult* result = PQgetResult(conn_)) {
        const auto status = PQresultStatus(result);
        if (status == PGRES_SINGLE_TUPLE && !failure) {
            const Rows row(result);
            try {
                fn(row);
            } catch (...) {
                failure = std::current_exception();
                if (PGcancel* cancel = PQgetCancel(conn_)) {
                    char message[256];
                    PQcancel(cancel, message, sizeof message);
                    PQfreeCancel(cancel);
                }
            }
        } else if (status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK) {
            PQclear(result);
        } else {
            try {
                check(result, "reading rows");
            } catch (const PgError&) {
                if (!failure) failure = std::current_exception();
            }
        }
    }
    if (failure) std::rethrow_exception(failure);
    if (PQstatus(conn_) != CONNECTION_OK) fail("reading rows");
}

void Connection::require_transaction(std::string_view what) const {
    if (!in_transaction())
        throw_internal(std::string(what) + " outside a transaction would be released at once");
}

void Connection::advisory_xact_lock(std::int64_t key) {
    require_transaction("advisory_xact_lock");
    query("SELECT pg_advisory_xact_lock($1::bigint)", {key});
}

bool Connection::try_advisory_xact_lock(std::int64_t key) {
    require_transaction("try_advisory_xact_lock");
    return query("SELECT pg_try_advisory_xact_lock($1::bigint)", {key}).boolean(0, 0);
}

namespace {
std::string quoted_identifier(PGconn* conn, std::string_view name) {
    char* quoted = PQescapeIdentifier(conn, name.data(), name.size());
    if (!quoted) throw_internal("cannot quote a channel name: " + one_line(PQerrorMessage(conn)));
    std::string out(quoted);
    PQfreemem(quoted);
    return out;
}
}  // namespace

void Connection::listen(std::string_view channel) {
    exec("LISTEN " + quoted_identifier(conn_, channel));
    listening_.emplace(channel);
}

void Connection::unlisten(std::string_view channel) {
    exec("UNLISTEN " + quoted_identifier(conn_, channel));
    listening_.erase(std::string(channel));
}

void Connection::notify(std::string_view channel, std::string_view payload) {
    query("SELECT pg_notify($1, $2)", {channel, payload});
}

int Connection::socket() const noexcept { return PQsocket(conn_); }

void Connection::consume_input() {
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK)
        fail("reading notifications");
}

bool Connection::wait_for_input(std::chrono::milliseconds timeout) {
    const int fd = socket();
    if (fd < 0) fail("waiting for notifications");
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno != EINTR)
        throw PgError(
            Error::make(ErrorCode::unavailable,
                        std::string("waiting for notifications: ") + std::strerror(errno)),
            "");
    if (n <= 0) return false;
    consume_input();
    return true;
}

std::vector<Notification> Connection::drain_notifications() {
    std::vector<Notification> out;
    while (PGnotify* n = PQnotifies(conn_)) {
        out.push_back({n->relname ? n->relname : "", n->extra ? n->extra : "", n->be_pid});
        PQfreemem(n);
    }
    return out;
}

bool Connection::connected() const noexcept { return PQstatus(conn_) == CONNECTION_OK; }

Status Connection::reconnect() {
    // Prepared statements and LISTENs belong to the server session that is gone.
    statements_.clear();
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK)
        return Error::make(ErrorCode::unavailable, "cannot reconnect to PostgreSQL at " +
                                                       redacted_uri_ + ": " +
                                                       one_line(PQerrorMessage(conn_)));
    try {
        for (const auto& channel : listening_) exec("LISTEN " + quoted_identifier(conn_, channel));
    } catch (const PgError& e) {
        return e.error();
    }
    return {};
}

int Connection::backend_pid() const noexcept { return PQbackendPID(conn_); }

bool Connection::in_transaction() const noexcept {
    const auto status = PQtransactionStatus(conn_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

// --- Tx / Savepoint ----------------------------------------------------------------

namespace {
// For destructors: best effort, never throws (the connection may be gone).
void exec_quietly(Connection& conn, const char* sql) noexcept {
    PQclear(PQexec(conn.handle(), sql));
}
}  // namespace

Tx::Tx(Connection& conn, Isolation isolation, Access access) : conn_(conn) {
    std::string begin = "BEGIN ISOLATION LEVEL ";
    switch (isolation) {
        case Isolation::read_committed:
            begin += "READ COMMITTED";
            break;
        case Isolation::repeatable_read:
            begin += "REPEATABLE READ";
            break;
        case Isolation::serializable:
            begin += "SERIALIZABLE";
            break;
    }
    begin += access == Access::read_only ? " READ ONLY" : " READ WRITE";
    conn_.exec(begin);
}

Tx::~Tx() {
    if (open_) exec_quietly(conn_, "ROLLBACK");
}

void Tx::commit() {
    // Whatever happens now, the transaction is over: COMMIT either commits,
    // or PostgreSQL rolled it back, or the connection is gone.
    open_ = false;
    const Rows done = conn_.exec("COMMIT");
    // COMMIT of a transaction in which a statement failed answers "ROLLBACK"
    // without an error: nothing was committed, and the caller must know.
    if (done.command_status() != "COMMIT")
        throw_internal("the transaction was rolled back, not committed: a statement in it failed");
}

Savepoint::Savepoint(Connection& conn) : conn_(conn) { conn_.exec("SAVEPOINT command"); }

Savepoint::~Savepoint() {
    if (open_) {
        exec_quietly(conn_, "ROLLBACK TO SAVEPOINT command");
        exec_quietly(conn_, "RELEASE SAVEPOINT command");
    }
}

void Savepoint::release() {
    conn_.exec("RELEASE SAVEPOINT command");
    open_ = false;
}

}  // namespace omnivibe::store::pg
