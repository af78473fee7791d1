#pragma once
// Schema migrations: numbered SQL files (migrations/NNNN_name.sql) embedded in
// the binary at build time, applied in order inside one transaction each, and
// recorded with their SHA-256 in schema_migrations. A recorded file whose text
// changed, or a recorded version this binary does not know (a newer database),
// stops the start with a message saying which.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::store {

struct EmbeddedMigration {
    std::string_view name;  ///< "0001_events.sql"
    std::string_view sql;
};

/// The migrations compiled into this binary, in order.
const std::vector<EmbeddedMigration>& embedded_migrations();

/// One row of schema_migrations, by version.
struct AppliedMigration {
    std::string name;
    std::string sha256;
};
using AppliedMigrations = std::map<std::int64_t, AppliedMigration>;

/// The number a migration file starts with ("0002_read_models.sql" -> 2).
std::int64_t migration_version(std::string_view name);

/// Refuses what was recorded with a changed text or by a newer binary. Shared
/// by both stores, so they stop a start with the same messages.
Status check_applied(const AppliedMigrations& applied,
                     const std::vector<EmbeddedMigration>& migrations);

/// check_applied, and also that nothing embedded is missing.
Status check_complete(const AppliedMigrations& applied,
                      const std::vector<EmbeddedMigration>& migrations);

/// Applies what is missing; the connection must be the writer's (see
/// register_writer_guard). Returns how many were applied.
Result<int> apply_migrations(
    SqliteDb& db, const std::vector<EmbeddedMigration>& migrations = embedded_migrations());

/// Checks, without writing, that every embedded migration is applied unchanged.
Status check_migrations(Db& db, const std::vector<EmbeddedMigration>& migrations);
/// The same for the migrations of the store's own dialect (SQLite's, or
/// migrations/postgresql/): what /readyz asks on either store.
Status check_migrations(Db& db);

/// Registers the SQL function the writer-only triggers call. Only connections
/// that own the database's writes (the server's writer, replay, import) do this.
void register_writer_guard(SqliteDb& db);

}  // namespace omnivibe::store
