#include "omnivibe/projection/compare.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>

#include "omnivibe/projection/projector.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::projection {

namespace {

struct Cell {
    store::ColumnType type = store::ColumnType::null;
    std::int64_t i = 0;
    double d = 0;
    std::string text;  ///< TEXT and BLOB bytes

    bool operator==(const Cell& o) const {
        if (type != o.type) return false;
        switch (type) {
            case store::ColumnType::integer:
                return i == o.i;
            case store::ColumnType::real:
                return d == o.d || std::memcmp(&d, &o.d, sizeof d) == 0;
            case store::ColumnType::null:
                return true;
            default:
                return text == o.text;
        }
    }
};

Cell read_cell(const store::Stmt& s, int col) {
    Cell c;
    c.type = s.column_type(col);
    switch (c.type) {
        case store::ColumnType::integer:
            c.i = s.column_int(col);
            break;
        case store::ColumnType::real:
            c.d = s.column_double(col);
            break;
        case store::ColumnType::null:
            break;
        case store::ColumnType::blob:
        default:
            c.text = s.column_text(col);
    }
    return c;
}

// SQLite's order for keys of one column: NULL < numbers < text < blob;
// text by bytes (BINARY collation), as ORDER BY produced them.
int rank(store::ColumnType type) {
    switch (type) {
        case store::ColumnType::null:
            return 0;
        case store::ColumnType::integer:
        case store::ColumnType::real:
            return 1;
        case store::ColumnType::text:
            return 2;
        default:
            return 3;
    }
}

int compare_cells(const Cell& a, const Cell& b) {
    if (rank(a.type) != rank(b.type)) return rank(a.type) < rank(b.type) ? -1 : 1;
    switch (rank(a.type)) {
        case 0:
            return 0;
        case 1: {
            const double x = a.type == store::ColumnType::integer ? static_cast<double>(a.i) : a.d;
            const double y = b.type == store::ColumnType::integer ? static_cast<double>(b.i) : b.d;
            if (a.type == store::ColumnType::integer && b.type == store::ColumnType::integer)
                return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
            return x < y ? -1 : x > y ? 1 : 0;
        }
        default: {
            const int c = a.text.compare(b.text);
            return c < 0 ? -1 : c > 0 ? 1 : 0;
        }
    }
}

std::string literal(const Cell& c) {
    switch (c.type) {
        case store::ColumnType::null:
            return "NULL";
        case store::ColumnType::integer:
            return std::to_string(c.i);
        case store::ColumnType::real: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", c.d);
            return buf;
        }
        default: {
            std::string out = "'";
            const bool long_text = c.text.size() > 200;
            for (char ch : long_text ? c.text.substr(0, 200) : c.text) {
                if (ch == '\'') out += '\'';
                out += ch;
            }
            out += long_text ? "'…" : "'";
            return out;
        }
    }
}

struct Layout {
    std::vector<std::string> columns;
    std::vector<int> key;  ///< indexes into columns, in primary-key order
};

Layout layout_of(store::SqliteDb& db, std::string_view table) {
    Layout l;
    std::vector<std::pair<int, int>> pk;  // (pk position, column index)
    store::SqliteStmt s(db.handle(), "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid");
    s.bind(1, table);
    while (s.step()) {
        if (s.column_int(1) > 0)
            pk.emplace_back(static_cast<int>(s.column_int(1)), static_cast<int>(l.columns.size()));
        l.columns.emplace_back(s.column_text(0));
    }
    std::sort(pk.begin(), pk.end());
    for (auto [pos, col] : pk) l.key.push_back(col);
    return l;
}

using Row = std::vector<Cell>;

// One table in key order, a row at a time (on PostgreSQL the statement's
// result is read whole; SQLite steps through it).
class TableReader {
  public:
    TableReader(store::Db& db, const std::string& sql, std::size_t width)
        : stmt_(db.cached(sql)), width_(width) {
        advance();
    }
    ~TableReader() { stmt_.reset(); }
    TableReader(const TableReader&) = delete;
    TableReader& operator=(const TableReader&) = delete;
    const std::optional<Row>& row() const { return row_; }
    void advance() {
        row_.reset();
        if (!stmt_.step()) return;
        Row r;
        r.reserve(width_);
        for (std::size_t c = 0; c < width_; ++c) r.push_back(read_cell(stmt_, static_cast<int>(c)));
        row_ = std::move(r);
    }

  private:
    store::Stmt& stmt_;
    std::size_t width_;
    std::optional<Row> row_;
};

}  // namespace

std::string describe(const RowDifference& d) {
    std::string out = d.table + " " + d.key + ": ";
    if (d.column.empty()) {
        out += d.live == "(no row)" ? "missing from the live table (the replay has it)"
                                    : "in the live table but not in the replay";
        return out;
    }
    return out + d.column + ": live " + d.live + ", rebuilt " + d.rebuilt;
}

Comparison compare_read_tables(store::Db& live, store::SqliteDb& rebuilt, std::size_t limit) {
    Comparison out;
    std::vector<std::string_view> tables(read_tables().begin(), read_tables().end());
    tables.push_back("projection_state");
    auto record = [&](RowDifference d) {
        ++out.total;
        if (out.differences.size() < limit) out.differences.push_back(std::move(d));
    };
    for (auto table : tables) {
        const Layout l = layout_of(rebuilt, table);
        std::string sql = "SELECT ";
        for (std::size_t c = 0; c < l.columns.size(); ++c) {
            if (c) sql += ", ";
            sql += '"' + l.columns[c] + '"';
        }
        sql += " FROM " + std::string(table) + " ORDER BY ";
        for (std::size_t k = 0; k < l.key.size(); ++k) {
            if (k) sql += ", ";
            sql += '"' + l.columns[static_cast<std::size_t>(l.key[k])] + '"';
        }
        TableReader a(live, sql, l.columns.size());
        TableReader b(rebuilt, sql, l.columns.size());
        auto key_text = [&](const Row& r) {
            std::string k;
            for (std::size_t i = 0; i < l.key.size(); ++i) {
                if (i) k += ", ";
                const auto col = static_cast<std::size_t>(l.key[i]);
                k += l.columns[col] + "=" + literal(r[col]);
            }
            return k;
        };
        auto compare_keys = [&](const Row& x, const Row& y) {
            for (int col : l.key)
                if (int c = compare_cells(x[static_cast<std::size_t>(col)],
                                          y[static_cast<std::size_t>(col)]))
                    return c;
            return 0;
        };
        while (a.row() || b.row()) {
            const int order = !a.row() ? 1 : !b.row() ? -1 : compare_keys(*a.row(), *b.row());
            ++out.rows_compared;
            if (order < 0) {
                record({std::string(table), key_text(*a.row()), "", "(row)", "(no row)"});
                a.advance();
            } else if (order > 0) {
                record({std::string(table), key_text(*b.row()), "", "(no row)", "(row)"});
                b.advance();
            } else {
                const Row& x = *a.row();
                const Row& y = *b.row();
                for (std::size_t c = 0; c < l.columns.size(); ++c)
                    if (!(x[c] == y[c]))
                        record({std::string(table), key_text(x), l.columns[c], literal(x[c]),
                                literal(y[c])});
                a.advance();
                b.advance();
            }
        }
    }
    return out;
}

}  // namespace omnivibe::projection
