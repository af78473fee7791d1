#include "omnivibe/store/pg/migrations.hpp"

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/sha256.hpp"

namespace omnivibe::store::pg {

namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version bigint PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL,"
    " applied_at text NOT NULL)";

AppliedMigrations read_applied(Connection& conn) {
    AppliedMigrations applied;
    if (conn.query("SELECT to_regclass('schema_migrations') IS NULL").boolean(0, 0)) return applied;
    const Rows rows = conn.query("SELECT version, name, sha256 FROM schema_migrations");
    for (int i = 0; i < rows.size(); ++i)
        applied[rows.int64(i, 0)] = {std::string(rows.text(i, 1)), std::string(rows.text(i, 2))};
    return applied;
}

const EmbeddedMigration* first_missing(const AppliedMigrations& applied,
                                       const std::vector<EmbeddedMigration>& migrations) {
    for (const auto& m : migrations)
        if (!applied.count(migration_version(m.name))) return &m;
    return nullptr;
}

}  // namespace

Result<int> apply_migrations(Connection& conn, const std::vector<EmbeddedMigration>& migrations) {
    try {
        int count = 0;
        for (;;) {
            Tx tx(conn);
            conn.advisory_xact_lock(kMigrationLockKey);
            conn.exec(kCreateTable);
            const auto applied = read_applied(conn);
            if (auto st = check_applied(applied, migrations); !st) return std::move(st).error();
            const EmbeddedMigration* next = first_missing(applied, migrations);
            if (!next) {
                tx.commit();
                return count;
            }
            conn.exec(next->sql);
            conn.run(
                "INSERT INTO schema_migrations (version, name, sha256, applied_at) "
                "VALUES ($1, $2, $3, $4)",
                {migration_version(next->name), next->name, sha256_hex(next->sql),
                 format_rfc3339(now_millis())});
            tx.commit();
            ++count;
        }
    } catch (const PgError& e) {
        return e.error();
    }
}

Status check_migrations(Connection& conn, const std::vector<EmbeddedMigration>& migrations) {
    try {
        return check_complete(read_applied(conn), migrations);
    } catch (const PgError& e) {
        return e.error();
    }
}

}  // namespace omnivibe::store::pg
