#pragma once
// Comparing two sets of read tables row by row: the live ones against a fresh
// replay of the log (omnivibe-replay --verify). Tables are read in primary-key
// order on both sides and merged, so memory stays flat however large they are.
// Values are compared exactly, type included: a replay is deterministic, so
// any difference is a real one.

#include <cstdint>
#include <string>
#include <vector>

#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::projection {

/// One differing row or cell.
struct RowDifference {
    std::string table;
    std::string key;      ///< "id=3", or "campaign_id=2, resource_type='intro'"
    std::string column;   ///< "" when the whole row is missing on one side
    std::string live;     ///< SQL literal of the live value, or "(no row)"
    std::string rebuilt;  ///< SQL literal of the rebuilt value, or "(no row)"
};

struct Comparison {
    std::vector<RowDifference> differences;  ///< the first `limit` found
    std::int64_t total = 0;                  ///< all differences found
    std::int64_t rows_compared = 0;
};

/// Compares every read table and projection_state of `live` (either store)
/// with `rebuilt`, a SQLite replay (the layout is taken from it: both stores
/// have the same tables and columns).
Comparison compare_read_tables(store::Db& live, store::SqliteDb& rebuilt, std::size_t limit = 100);

/// "campaigns id=3: status: live 'paused', rebuilt 'active'".
std::string describe(const RowDifference& d);

}  // namespace omnivibe::projection
