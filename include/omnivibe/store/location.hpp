#pragma once
// What --db names: a SQLite file (a path) or a PostgreSQL database (a libpq
// URI). The one place that tells them apart; everything after opening the
// store speaks store::Db.

#include <string_view>

namespace omnivibe::store {

/// True for postgresql://... and postgres://... (libpq's URI schemes).
inline bool is_postgresql_uri(std::string_view db) noexcept {
    return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

}  // namespace omnivibe::store
