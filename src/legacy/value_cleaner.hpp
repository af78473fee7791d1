#pragma once
// The legacy database's rows and how their values are cleaned into the shapes
// the API takes: SQLite timestamps to RFC 3339, comma-separated keywords to
// arrays, 0/1 to booleans, numbers kept as text to numbers, renamed columns,
// NULL where a default applies. Every cleaning is counted as a note, so the
// import report says what was changed and how often. Private to src/legacy.

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/schema.hpp"
#include "omnivibe/domain/value.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::legacy {

// One legacy row: its columns by name, typed as SQLite stored them.
struct Row {
    std::int64_t id = 0;
    std::map<std::string, domain::Value, std::less<>> columns;

    const domain::Value& get(std::string_view name) const {
        static const domain::Value kNull{domain::Null{}};
        auto it = columns.find(name);
        return it == columns.end() ? kNull : it->second;
    }
    bool has(std::string_view name) const { return columns.count(name) != 0; }
    const std::string* text(std::string_view name) const {
        return std::get_if<std::string>(&get(name));
    }
    std::optional<std::int64_t> integer(std::string_view name) const {
        const domain::Value& v = get(name);
        if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
        if (auto* d = std::get_if<double>(&v); d && std::floor(*d) == *d)
            return static_cast<std::int64_t>(*d);
        if (auto* s = std::get_if<std::string>(&v)) return parse_int64(*s);
        return std::nullopt;
    }
};

/// Whether the legacy database has this table.
bool table_exists(store::SqliteDb& db, std::string_view table);
/// Every row of a table by id; none when the table is missing.
std::vector<Row> read_table(store::SqliteDb& db, std::string_view table);
/// A value as a report shows it: strings in single quotes, the rest as JSON.
std::string quoted(const domain::Value& v);

/// Cleans legacy values and keeps count of what it changed.
class ValueCleaner {
  public:
    /// `now` stands in for timestamps that are missing or unreadable.
    explicit ValueCleaner(UnixMillis now) : now_(now) {}

    /// Counts one cleaning note (or `n`), kept in first-seen order.
    void note(const std::string& what, std::int64_t n = 1);
    /// The notes with their counts, in first-seen order.
    const std::vector<std::pair<std::string, std::int64_t>>& notes() const { return notes_; }

    /// A row's timestamp column as RFC 3339; `fallback` (or the import time
    /// when empty) when it is missing or unreadable.
    std::string timestamp(const Row& row, std::string_view table, std::string_view column,
                          const std::string& fallback);
    /// The API body the legacy row stands for: every settable field of the
    /// kind, from the legacy column of the same name (or its legacy name).
    domain::Fields body_of(domain::Kind kind, std::string_view table, const Row& row);

  private:
    std::optional<domain::Value> convert(std::string_view table, const domain::FieldSpec& spec,
                                         std::string_view column, const domain::Value& raw);
    UnixMillis now_;
    std::vector<std::pair<std::string, std::int64_t>> notes_;
};

}  // namespace omnivibe::legacy
