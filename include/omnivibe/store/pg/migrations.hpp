#pragma once
// PostgreSQL migrations: migrations/postgresql/NNNN_name.sql, with the same
// numbers and names as the SQLite files, embedded in the binary at build time
// and recorded with their SHA-256 in schema_migrations. The checks and their
// messages are SQLite's (store::check_applied): a recorded file whose text
// changed, or a recorded version this binary does not know, stops the start.
//
// Each migration runs in its own transaction that first takes a
// transaction-scoped advisory lock and then reads what is applied, so servers
// that start together apply each migration exactly once: the second waits
// for the first, then finds it done.

#include <cstdint>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/pg/connection.hpp"

namespace omnivibe::store::pg {

/// The PostgreSQL migrations compiled into this binary, in order.
const std::vector<EmbeddedMigration>& embedded_migrations();

/// The advisory lock key that serialises migrations ("omnimigr" in ASCII).
inline constexpr std::int64_t kMigrationLockKey = 0x6f6d6e696d696772;

/// Applies what is missing; returns how many were applied. The connection's
/// role must own the schema and be a member of omnivibe_writer
/// (scripts/postgresql-setup.sql).
Result<int> apply_migrations(
    Connection& conn, const std::vector<EmbeddedMigration>& migrations = embedded_migrations());

/// Checks, without writing, that every embedded migration is applied unchanged.
Status check_migrations(Connection& conn,
                        const std::vector<EmbeddedMigration>& migrations = embedded_migrations());

}  // namespace omnivibe::store::pg

namespace omnivibe::store::pg {

/// The schema's guards as the migrations made them: every writer-only,
/// append-only and chain trigger present, enabled and calling its function,
/// each guard function's body the one the embedded migrations define, and
/// the migrations applied unchanged. One sentence per problem; empty when
/// the guards are intact (omnivibe-audit verify).
std::vector<std::string> check_guards(Connection& conn);

}  // namespace omnivibe::store::pg
