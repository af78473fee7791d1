#include "omnivibe/projection/history.hpp"

#include <algorithm>

#include "omnivibe/domain/evolve.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/store/dialect.hpp"

namespace omnivibe::projection {

namespace {

using domain::EventType;
using domain::Kind;

constexpr std::int64_t kPage = 1000;

struct Lifecycle {
    EventType created, updated, deleted;
};

Lifecycle lifecycle(Kind kind) {
    switch (kind) {
        case Kind::client:
            return {EventType::client_created, EventType::client_updated,
                    EventType::client_deleted};
        case Kind::campaign:
            return {EventType::campaign_created, EventType::campaign_updated,
                    EventType::campaign_deleted};
        case Kind::content:
            return {EventType::content_created, EventType::content_updated,
                    EventType::content_deleted};
        case Kind::block:
            return {EventType::block_added, EventType::block_updated, EventType::block_removed};
        case Kind::script:
            return {EventType::script_generated, EventType::script_status_changed,
                    EventType::script_deleted};
    }
    return {EventType::client_created, EventType::client_updated, EventType::client_deleted};
}

// Live children of `child` kind whose parent field named `id` right after
// `seq`. A parent reference can change by update (a campaign moved to another
// client), so each child's latest value up to `seq` counts.
std::int64_t children_as_of(store::Db& db, Kind child, std::int64_t id, std::int64_t seq) {
    const auto life = lifecycle(child);
    const auto d = db.dialect();
    const std::string_view parent = domain::info(child).parent_field;
    const std::string created = "'" + std::string(domain::type_name(life.created)) + "'";
    const std::string updated = "'" + std::string(domain::type_name(life.updated)) + "'";
    const std::string deleted = "'" + std::string(domain::type_name(life.deleted)) + "'";
    const std::string sql =
        "SELECT count(*) FROM (SELECT (SELECT " + store::sql::json_field(d, "u.data", parent) +
        " FROM events u WHERE u.stream = c.stream AND u.seq <= ?2 AND u.type IN (" + created +
        ", " + updated + ") AND " + store::sql::json_has(d, "u.data", parent) +
        " ORDER BY u.stream_version DESC LIMIT 1) AS parent FROM events c WHERE "
        "c.type = " +
        created +
        " AND c.seq <= ?2 AND NOT EXISTS (SELECT 1 FROM events d WHERE "
        "d.stream = c.stream AND d.type = " +
        deleted + " AND d.seq <= ?2)) AS children WHERE parent = ?1";
    store::Stmt& s = db.cached(sql);
    s.bind(1, id).bind(2, seq);
    std::int64_t n = 0;
    if (s.step()) n = s.column_int(0);
    s.reset();
    return n;
}

// A block's position right after `seq`: its content's block order replayed
// from the log (additions, moves, removals and reorders of every sibling).
std::optional<std::int64_t> block_position_as_of(store::Db& db, std::int64_t content_id,
                                                 std::int64_t block_id, std::int64_t seq) {
    const std::string added(domain::type_name(EventType::block_added));
    store::Stmt& s = db.cached(
        "SELECT e.stream, e.type, e.data FROM events e WHERE e.seq <= ?2 AND ("
        "(e.stream = 'content-' || ?1 AND e.type = ?3) OR (e.type IN (?4, ?5, ?6) AND e.stream IN "
        "(SELECT a.stream FROM events a WHERE a.type = ?4 AND a.seq <= ?2 AND " +
        store::sql::json_field(db.dialect(), "a.data", "content_id") + " = ?1))) ORDER BY e.seq");
    s.bind(1, content_id).bind(2, seq);
    s.bind(3, domain::type_name(EventType::blocks_reordered));
    s.bind(4, added);
    s.bind(5, domain::type_name(EventType::block_updated));
    s.bind(6, domain::type_name(EventType::block_removed));
    std::vector<std::int64_t> order;
    auto place = [&](std::int64_t id, std::optional<std::int64_t> pos) {
        const auto at =
            std::clamp<std::int64_t>(pos.value_or(static_cast<std::int64_t>(order.size())), 0,
                                     static_cast<std::int64_t>(order.size()));
        order.insert(order.begin() + at, id);
    };
    auto erase = [&](std::int64_t id) { std::erase(order, id); };
    while (s.step()) {
        const auto stream = domain::parse_stream(s.column_text(0));
        const auto type = domain::event_type_from_name(s.column_text(1));
        auto data = json::parse_object(s.column_text(2));
        if (!stream || !type || !data) continue;
        const std::int64_t id = stream->second;
        switch (*type) {
            case EventType::block_added:
                place(id, domain::get_int(*data, "position"));
                break;
            case EventType::block_updated:
                if (auto pos = domain::get_int(*data, "position")) {
                    erase(id);
                    place(id, pos);
                }
                break;
            case EventType::block_removed:
                erase(id);
                break;
            case EventType::blocks_reordered:
                if (const auto* ids = domain::find(*data, "block_ids"))
                    if (const auto* list = std::get_if<domain::IntList>(ids)) order = *list;
                break;
            default:
                break;
        }
    }
    s.reset();
    const auto it = std::find(order.begin(), order.end(), block_id);
    if (it == order.end()) return std::nullopt;
    return it - order.begin();
}

}  // namespace

std::vector<store::EventRow> stream_events(store::Db& db, Kind kind, std::int64_t id,
                                           std::optional<std::int64_t> up_to) {
    store::EventQuery q;
    q.stream = domain::stream_name(kind, id);
    q.up_to = up_to;
    q.limit = kPage;
    std::vector<store::EventRow> out;
    for (;;) {
        auto page = store::read_events(db, q);
        const bool full = static_cast<std::int64_t>(page.size()) == kPage;
        if (!page.empty()) q.after = page.back().seq;
        std::move(page.begin(), page.end(), std::back_inserter(out));
        if (!full) return out;
    }
}

Result<std::optional<domain::Entity>> entity_as_of(store::Db& db, Kind kind, std::int64_t id,
                                                   std::int64_t seq) {
    std::optional<domain::Entity> state;
    for (const auto& row : stream_events(db, kind, id, seq)) {
        auto ev = store::to_domain(row);
        if (!ev) return std::move(ev).error();
        domain::evolve(state, *ev);
    }
    if (!state) return state;
    switch (kind) {
        case Kind::client:
            state->computed.push_back(
                {"campaign_count", children_as_of(db, Kind::campaign, id, seq)});
            break;
        case Kind::campaign:
            state->computed.push_back(
                {"content_count", children_as_of(db, Kind::content, id, seq)});
            break;
        case Kind::block:
            if (auto content = domain::get_int(state->fields, "content_id"))
                if (auto pos = block_position_as_of(db, *content, id, seq))
                    domain::set(state->fields, "position", *pos);
            break;
        default:
            break;
    }
    return state;
}

}  // namespace omnivibe::projection
