#include "omnivibe/projection/read_model.hpp"

#include <array>

#include "omnivibe/json/decode.hpp"
#include "omnivibe/store/dialect.hpp"

namespace omnivibe::projection {

namespace {

using domain::FieldType;
using domain::Kind;

// Computed fields, as correlated subqueries so they are always exact.
std::string computed_columns(Kind kind) {
    switch (kind) {
        case Kind::client:
            return ", (SELECT count(*) FROM campaigns c WHERE c.client_id = t.id)";
        case Kind::campaign:
            return ", (SELECT count(*) FROM content_schedule c WHERE c.campaign_id = t.id)";
        default:
            return "";
    }
}

std::string select_columns(Kind kind, Computed computed = Computed::include) {
    std::string sql = "SELECT t.id";
    for (const auto& f : domain::info(kind).fields) (sql += ", t.") += f.name;
    sql += ", t.version, t.created_at, t.updated_at";
    if (computed == Computed::include) sql += computed_columns(kind);
    sql += " FROM " + std::string(domain::info(kind).table) + " t";
    return sql;
}

domain::Value column_value(const store::Stmt& s, int col, FieldType type) {
    if (s.is_null(col)) return domain::Null{};
    switch (type) {
        case FieldType::integer:
        case FieldType::reference:
            return s.column_int(col);
        case FieldType::number:
            return s.column_double(col);
        case FieldType::boolean:
            return s.column_int(col) != 0;
        case FieldType::text_list:
            return json::parse_string_list(s.column_text(col)).value_or(domain::StringList{});
        default:
            return std::string(s.column_text(col));
    }
}

domain::Entity read_entity(const store::Stmt& s, Kind kind, Computed computed = Computed::include) {
    domain::Entity e;
    e.kind = kind;
    int col = 0;
    e.id = s.column_int(col++);
    e.fields.reserve(domain::info(kind).fields.size());  // one allocation, not six, per row
    for (const auto& f : domain::info(kind).fields)
        e.fields.push_back({std::string(f.name), column_value(s, col++, f.type)});
    e.version = s.column_int(col++);
    e.created_at = s.column_text(col++);
    e.updated_at = s.column_text(col++);
    if (computed == Computed::include)
        for (auto name : domain::info(kind).computed)
            e.computed.push_back({std::string(name), s.column_int(col++)});
    return e;
}

// The by-id query of each kind, built once: it is run for every GET of an
// entity and twice per write, and is the same text every time.
const std::string& select_by_id(Kind kind, Computed computed) {
    constexpr std::size_t kKinds = static_cast<std::size_t>(Kind::script) + 1;
    static const auto kSql = [] {
        std::array<std::array<std::string, 2>, kKinds> out;
        for (Kind k : domain::all_kinds())
            for (Computed c : {Computed::include, Computed::omit})
                out[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)] =
                    select_columns(k, c) + " WHERE t.id = ?";
        return out;
    }();
    return kSql[static_cast<std::size_t>(kind)][static_cast<std::size_t>(computed)];
}

}  // namespace

std::optional<domain::Entity> load_entity(store::Db& db, Kind kind, std::int64_t id,
                                          Computed computed) {
    store::Stmt& s = db.cached(select_by_id(kind, computed));
    s.bind(1, id);
    std::optional<domain::Entity> out;
    if (s.step()) out = read_entity(s, kind, computed);
    s.reset();
    return out;
}

namespace {

std::string_view order_sql(ListOrder order) {
    switch (order) {
        case ListOrder::id:
            return "t.id";
        case ListOrder::id_desc:
            return "t.id DESC";
        case ListOrder::name:
            return "t.name, t.id";
        case ListOrder::created_desc:
            return "t.created_at DESC, t.id DESC";
        case ListOrder::updated_desc:
            return "t.updated_at DESC, t.id DESC";
        case ListOrder::publish_date:
            return "t.publish_date IS NULL, t.publish_date, t.id";
        case ListOrder::position:
            return "t.position, t.id";
        case ListOrder::revision:
            return "t.revision, t.id";
    }
    return "t.id";
}

}  // namespace

ListPage list_entities(store::Db& db, Kind kind, const ListQuery& q) {
    // No WHERE at all without filters: SQLite answers a bare count(*) from the
    // b-tree's page counts, but a count under any WHERE (even "WHERE 1") steps
    // through every row, which made an unfiltered list page cost O(table).
    std::string where;
    auto filter = [&where](std::string_view condition) {
        where += where.empty() ? " WHERE " : " AND ";
        where += condition;
    };
    for (const auto& [column, value] : q.equals) filter("t." + column + " = ?");
    if (q.name_contains) filter(store::sql::contains_ignoring_case(db.dialect(), "t.name"));
    if (q.date_from) filter("t.publish_date >= ?");
    if (q.date_to) filter("t.publish_date <= ?");
    auto bind_filters = [&](store::Stmt& s) {
        int i = 1;
        for (const auto& [column, value] : q.equals) s.bind(i++, value);
        if (q.name_contains) s.bind(i++, std::string_view(*q.name_contains));
        if (q.date_from) s.bind(i++, std::string_view(*q.date_from));
        if (q.date_to) s.bind(i++, std::string_view(*q.date_to));
        return i;
    };
    ListPage page;
    {
        store::Stmt& c = db.cached("SELECT count(*) FROM " + std::string(domain::info(kind).table) +
                                   " t" + where);
        bind_filters(c);
        if (c.step()) page.total = c.column_int(0);
        c.reset();
    }
    std::string sql =
        select_columns(kind) + where + " ORDER BY " + std::string(order_sql(q.order_by));
    if (q.page_size > 0) sql += " LIMIT ? OFFSET ?";
    store::Stmt& s = db.cached(sql);
    int i = bind_filters(s);
    if (q.page_size > 0) s.bind(i, q.page_size).bind(i + 1, (q.page - 1) * q.page_size);
    while (s.step()) page.items.push_back(read_entity(s, kind));
    s.reset();
    return page;
}

std::optional<std::int64_t> client_named(store::Db& db, std::string_view name) {
    store::Stmt& s = db.cached("SELECT id FROM clients WHERE " +
                               store::sql::equals_ignoring_case(db.dialect(), "name"));
    s.bind(1, name);
    std::optional<std::int64_t> out;
    if (s.step()) out = s.column_int(0);
    s.reset();
    return out;
}

std::vector<std::int64_t> child_ids(store::Db& db, Kind child, std::int64_t parent_id) {
    const auto& ki = domain::info(child);
    std::string sql = "SELECT id FROM " + std::string(ki.table) + " WHERE " +
                      std::string(ki.parent_field) + " = ? ORDER BY " +
                      (child == Kind::block ? "position, id" : "id");
    store::Stmt& s = db.cached(sql);
    s.bind(1, parent_id);
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.column_int(0));
    s.reset();
    return out;
}

std::int64_t last_id(store::Db& db, Kind kind) {
    store::Stmt& s = db.cached("SELECT max(entity_id) FROM streams WHERE kind = ?");
    s.bind(1, domain::info(kind).name);
    std::int64_t out = 0;
    if (s.step() && !s.is_null(0)) out = s.column_int(0);
    s.reset();
    return out;
}

std::vector<ResourceRow> campaign_resources(store::Db& db, std::int64_t campaign_id) {
    store::Stmt& s = db.cached(
        "SELECT resource_type, filename, content_type, size, sha256, duration, path, uploaded_at "
        "FROM campaign_resources WHERE campaign_id = ? ORDER BY resource_type");
    s.bind(1, campaign_id);
    std::vector<ResourceRow> out;
    while (s.step()) {
        ResourceRow r;
        r.resource_type = s.column_text(0);
        r.filename = s.column_text(1);
        r.content_type = s.column_text(2);
        r.size = s.column_int(3);
        r.sha256 = s.column_text(4);
        if (!s.is_null(5)) r.duration = s.column_double(5);
        r.path = s.column_text(6);
        r.uploaded_at = s.column_text(7);
        out.push_back(std::move(r));
    }
    s.reset();
    return out;
}

std::int64_t visible_head(store::Db& db) {
    return db.query_int("SELECT max(seq) FROM events").value_or(0);
}

std::vector<domain::Entity> storyboard_blocks(store::Db& db, std::int64_t content_id) {
    ListQuery q;
    q.equals.emplace_back("content_id", content_id);
    q.order_by = ListOrder::position;
    q.page_size = 0;
    return list_entities(db, domain::Kind::block, q).items;
}

}  // namespace omnivibe::projection
