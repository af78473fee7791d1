#pragma once
// The few SQL fragments that SQLite and PostgreSQL spell differently, in one
// place, so the modules that read and write the tables are written once
// (store/db.hpp). Everything else they run is SQL both accept.

#include <string>
#include <string_view>

#include "omnivibe/store/db.hpp"

namespace omnivibe::store::sql {

/// A top-level field of a JSON text column (NULL if absent). SQLite gives it
/// its JSON type, PostgreSQL text: compare it with a parameter, which takes
/// the field's type on either.
inline std::string json_field(Dialect d, std::string_view column, std::string_view key) {
    if (d == Dialect::postgresql)
        return "(" + std::string(column) + "::json ->> '" + std::string(key) + "')";
    return "json_extract(" + std::string(column) + ", '$." + std::string(key) + "')";
}

/// True when a JSON text column has the field (a JSON null counts as present).
inline std::string json_has(Dialect d, std::string_view column, std::string_view key) {
    if (d == Dialect::postgresql)
        return "(" + std::string(column) + "::json -> '" + std::string(key) + "') IS NOT NULL";
    return "json_type(" + std::string(column) + ", '$." + std::string(key) + "') IS NOT NULL";
}

/// The part of a text column before the first `separator` (all of it when
/// there is none on PostgreSQL, nothing on SQLite: our streams always have one).
inline std::string before_first(Dialect d, std::string_view column, char separator) {
    const std::string sep = std::string("'") + separator + "'";
    if (d == Dialect::postgresql) return "split_part(" + std::string(column) + ", " + sep + ", 1)";
    return "substr(" + std::string(column) + ", 1, instr(" + std::string(column) + ", " + sep +
           ") - 1)";
}

/// `column` equal to the parameter ignoring ASCII case (SQLite's NOCASE;
/// on PostgreSQL the C collation makes lower() ASCII-only, as the unique
/// index on client names is).
inline std::string equals_ignoring_case(Dialect d, std::string_view column) {
    if (d == Dialect::postgresql)
        return "lower(" + std::string(column) + ") = lower(CAST(? AS text))";
    return std::string(column) + " = ? COLLATE NOCASE";
}

/// The parameter found in `column` ignoring ASCII case.
inline std::string contains_ignoring_case(Dialect d, std::string_view column) {
    if (d == Dialect::postgresql)
        return "strpos(lower(" + std::string(column) + "), lower(CAST(? AS text))) > 0";
    return "instr(lower(" + std::string(column) + "), lower(?)) > 0";
}

}  // namespace omnivibe::store::sql
