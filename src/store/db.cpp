#include "omnivibe/store/db.hpp"

#include "omnivibe/json/encode.hpp"

namespace omnivibe::store {

Stmt& Stmt::bind(int i, const domain::Value& v) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, domain::Null> || std::is_same_v<T, domain::Unsupported>)
                bind_null(i);
            else if constexpr (std::is_same_v<T, bool>)
                bind(i, std::int64_t{x ? 1 : 0});
            else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>)
                bind(i, x);
            else if constexpr (std::is_same_v<T, std::string>)
                bind(i, std::string_view(x));
            else {
                json::Writer w;
                json::write_value(w, domain::Value{x});
                bind(i, w.view());
            }
        },
        v);
    return *this;
}

void Stmt::run() {
    // Reset also when a step throws: callers that keep a statement (the
    // projector's INSERTs) reuse it without going through cached().
    struct ResetAfter {
        Stmt& stmt;
        ~ResetAfter() { stmt.reset(); }
    } reset_after{*this};
    while (step()) {
    }
}

std::optional<std::int64_t> Db::query_int(std::string_view sql) {
    Stmt& s = cached(sql);
    std::optional<std::int64_t> out;
    if (s.step() && !s.is_null(0)) out = s.column_int(0);
    s.reset();
    return out;
}

}  // namespace omnivibe::store
