#include "omnivibe/store/migrations.hpp"

#include <map>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/store/pg/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::store {

namespace {

void writer_guard(sqlite3_context* ctx, int, sqlite3_value**) { sqlite3_result_null(ctx); }

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

AppliedMigrations read_applied(Db& db) {
    AppliedMigrations applied;
    Stmt& s = db.cached("SELECT version, name, sha256 FROM schema_migrations ORDER BY version");
    while (s.step())
        applied[s.column_int(0)] = {std::string(s.column_text(1)), std::string(s.column_text(2))};
    s.reset();
    return applied;
}

}  // namespace

std::int64_t migration_version(std::string_view name) {
    const auto underscore = name.find('_');
    return parse_int64(name.substr(0, underscore)).value_or(0);
}

Status check_applied(const AppliedMigrations& applied,
                     const std::vector<EmbeddedMigration>& migrations) {
    for (const auto& [version, row] : applied) {
        const EmbeddedMigration* known = nullptr;
        for (const auto& m : migrations)
            if (migration_version(m.name) == version) known = &m;
        if (!known)
            return Error::make(ErrorCode::internal,
                               "The database has migration " + row.name +
                                   " which this binary does not know: it was written by a newer "
                                   "version of omnivibe. Use that version, or restore a backup.");
        if (sha256_hex(known->sql) != row.sha256)
            return Error::make(ErrorCode::internal,
                               "Migration " + row.name +
                                   " was changed after it was applied to this database "
                                   "(SHA-256 differs). Released migrations must never be edited.");
    }
    return {};
}

Status check_complete(const AppliedMigrations& applied,
                      const std::vector<EmbeddedMigration>& migrations) {
    if (auto st = check_applied(applied, migrations); !st) return st;
    for (const auto& m : migrations)
        if (!applied.count(migration_version(m.name)))
            return Error::make(ErrorCode::unavailable,
                               "Migration " + std::string(m.name) + " is not applied yet.");
    return {};
}

void register_writer_guard(SqliteDb& db) {
    db.check(sqlite3_create_function_v2(db.handle(), "omnivibe_writer_only", 0,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, writer_guard,
                                        nullptr, nullptr, nullptr),
             "registering the writer guard");
}

Result<int> apply_migrations(SqliteDb& db, const std::vector<EmbeddedMigration>& migrations) {
    try {
        db.exec(kCreateTable);
        auto applied = read_applied(db);
        if (auto st = check_applied(applied, migrations); !st) return std::move(st).error();
        int count = 0;
        for (const auto& m : migrations) {
            const auto version = migration_version(m.name);
            if (applied.count(version)) continue;
            Tx tx(db);
            db.exec(m.sql);
            Stmt& ins = db.cached(
                "INSERT INTO schema_migrations (version, name, sha256, applied_at) "
                "VALUES (?, ?, ?, ?)");
            ins.bind(1, version).bind(2, m.name).bind(3, sha256_hex(m.sql));
            ins.bind(4, format_rfc3339(now_millis()));
            ins.run();
            tx.commit();
            ++count;
        }
        return count;
    } catch (const SqliteError& e) {
        return e.error();
    }
}

Status check_migrations(Db& db, const std::vector<EmbeddedMigration>& migrations) {
    try {
        return check_complete(read_applied(db), migrations);
    } catch (const StoreError& e) {
        return e.error();
    }
}

Status check_migrations(Db& db) {
    return check_migrations(db, db.dialect() == Dialect::postgresql ? pg::embedded_migrations()
                                                                    : embedded_migrations());
}

}  // namespace omnivibe::store
