#pragma once
// The per-connection cache of prepared statements every store keeps, keyed by
// the SQL text. Looked up by string_view (transparent hash): finding a cached
// statement must not copy its SQL text into a new string on every use.

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace omnivibe::store {

struct SqlTextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept {
        return std::hash<std::string_view>{}(sql);
    }
};

/// SQL text -> what a connection keeps for it (a statement, or its name).
template <class T>
using StatementCache = std::unordered_map<std::string, T, SqlTextHash, std::equal_to<>>;

}  // namespace omnivibe::store
