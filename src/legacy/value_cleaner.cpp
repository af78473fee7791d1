#include "value_cleaner.hpp"

#include <cstdlib>

#include "omnivibe/json/decode.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/json/writer.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::legacy {

namespace {

using domain::Fields;
using domain::FieldSpec;
using domain::FieldType;
using domain::Kind;
using domain::Null;
using domain::Value;

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

}  // namespace

bool table_exists(store::SqliteDb& db, std::string_view table) {
    store::SqliteStmt s(db.handle(),
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, table);
    return s.step();
}

std::vector<Row> read_table(store::SqliteDb& db, std::string_view table) {
    std::vector<Row> rows;
    if (!table_exists(db, table)) return rows;
    store::SqliteStmt s(db.handle(), "SELECT * FROM \"" + std::string(table) + "\" ORDER BY id");
    while (s.step()) {
        Row r;
        for (int c = 0; c < s.column_count(); ++c) {
            Value v;
            switch (s.column_type(c)) {
                case store::ColumnType::null:
                    v = Null{};
                    break;
                case store::ColumnType::integer:
                    v = s.column_int(c);
                    break;
                case store::ColumnType::real:
                    v = s.column_double(c);
                    break;
                case store::ColumnType::blob:
                    v = domain::Unsupported{"binary data"};
                    break;
                default:
                    v = std::string(s.column_text(c));
            }
            r.columns.emplace(std::string(s.column_name(c)), std::move(v));
        }
        r.id = r.integer("id").value_or(0);
        rows.push_back(std::move(r));
    }
    return rows;
}

std::string quoted(const Value& v) {
    if (auto* s = std::get_if<std::string>(&v)) return "'" + *s + "'";
    json::Writer w;
    json::write_value(w, v);
    return std::string(w.view());
}

void ValueCleaner::note(const std::string& what, std::int64_t n) {
    for (auto& [text, count] : notes_)
        if (text == what) {
            count += n;
            return;
        }
    notes_.emplace_back(what, n);
}

std::string ValueCleaner::timestamp(const Row& row, std::string_view table, std::string_view column,
                                    const std::string& fallback) {
    const std::string* text = row.text(column);
    if (text) {
        if (auto t = parse_timestamp(*text)) {
            if (text->find('T') == std::string::npos)
                note("timestamps: 'YYYY-MM-DD HH:MM:SS' (UTC) → RFC 3339");
            return format_rfc3339(*t);
        }
        note(std::string(table) + "." + std::string(column) +
             ": unreadable timestamp replaced by " +
             (fallback.empty() ? "the import time" : "created_at"));
    } else {
        note(std::string(table) + "." + std::string(column) + ": missing, " +
             (fallback.empty() ? "the import time" : "created_at") + " used");
    }
    return fallback.empty() ? format_rfc3339(now_) : fallback;
}

// A legacy value in the shape the field expects; nothing when the field is
// better left out so that its default applies.
std::optional<Value> ValueCleaner::convert(std::string_view table, const FieldSpec& spec,
                                           std::string_view column, const Value& raw) {
    const std::string where = std::string(table) + "." + std::string(column);
    if (std::holds_alternative<Null>(raw)) {
        if (spec.type == FieldType::text_list) {
            note(where + ": NULL → []");
            return std::nullopt;
        }
        if (!spec.nullable && spec.fallback.type != domain::Default::Type::none) {
            json::Writer w;
            switch (spec.fallback.type) {
                case domain::Default::Type::text:
                    w.string(spec.fallback.text);
                    break;
                case domain::Default::Type::number:
                    w.number(spec.fallback.number);
                    break;
                case domain::Default::Type::boolean:
                    w.boolean(spec.fallback.boolean);
                    break;
                default:
                    w.null();
            }
            std::string shown(w.view());
            if (shown.front() == '"') shown = "'" + shown.substr(1, shown.size() - 2) + "'";
            note(where + ": NULL → " + shown + " (the default)");
            return std::nullopt;
        }
        return raw;
    }
    switch (spec.type) {
        case FieldType::text_list: {
            const std::string* s = std::get_if<std::string>(&raw);
            if (!s) return raw;
            if (!s->empty() && s->front() == '[')
                if (auto list = json::parse_string_list(*s)) return *list;
            domain::StringList items;
            std::size_t start = 0;
            while (start <= s->size()) {
                auto comma = s->find(',', start);
                if (comma == std::string::npos) comma = s->size();
                if (auto item = trim(std::string_view(*s).substr(start, comma - start));
                    !item.empty())
                    items.push_back(std::move(item));
                start = comma + 1;
            }
            note(where + ": comma-separated text → array");
            return items;
        }
        case FieldType::boolean:
            if (auto* i = std::get_if<std::int64_t>(&raw); i && (*i == 0 || *i == 1)) {
                note(where + ": 0/1 → false/true");
                return *i == 1;
            }
            return raw;
        case FieldType::integer:
        case FieldType::reference:
            if (auto* d = std::get_if<double>(&raw); d && std::floor(*d) == *d)
                return static_cast<std::int64_t>(*d);
            if (auto* s = std::get_if<std::string>(&raw))
                if (auto i = parse_int64(trim(*s))) return *i;
            return raw;
        case FieldType::number:
            if (auto* s = std::get_if<std::string>(&raw)) {
                const std::string t = trim(*s);
                char* end = nullptr;
                const double d = std::strtod(t.c_str(), &end);
                if (!t.empty() && end && *end == '\0') return d;
            }
            return raw;
        case FieldType::date:
            if (auto* s = std::get_if<std::string>(&raw);
                s && s->size() > 10 && is_valid_date(s->substr(0, 10)) && parse_timestamp(*s)) {
                note(where + ": timestamp cut to its date");
                return s->substr(0, 10);
            }
            return raw;
        default:
            if (auto* i = std::get_if<std::int64_t>(&raw)) return std::to_string(*i);
            return raw;
    }
}

// The API body the legacy row stands for: every settable field of the kind,
// from the legacy column of the same name (or its legacy name).
Fields ValueCleaner::body_of(Kind kind, std::string_view table, const Row& row) {
    Fields body;
    for (const FieldSpec& spec : domain::info(kind).fields) {
        if (spec.access == domain::Access::system || spec.access == domain::Access::path) continue;
        std::string_view column = spec.name;
        if (kind == Kind::block && spec.name == "position") continue;  // from block_order
        if (kind == Kind::block && spec.name == "duration_sec") column = "duration";
        if (kind == Kind::script && spec.name == "body") column = "script_text";
        if (!row.has(column)) continue;
        if (column != spec.name && !std::holds_alternative<Null>(row.get(column)))
            note(std::string(table) + "." + std::string(column) + " → " + std::string(spec.name));
        if (auto v = convert(table, spec, column, row.get(column)))
            body.push_back({std::string(spec.name), std::move(*v)});
    }
    return body;
}

}  // namespace omnivibe::legacy
