#pragma once
// Read-model queries: what GET handlers and the writer's state view ask of the
// read tables. Every function takes the connection to use, so the same query
// serves a reader's snapshot and the writer's own transaction.
// Throws store::SqliteError; callers at the module edge turn it into an Error.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "omnivibe/domain/state.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::projection {

/// Whether a read fills in the computed fields (campaign_count, content_count).
/// They are correlated counts, so their cost grows with the children: a client
/// with 40,000 campaigns costs 40,000 index steps to count.
enum class Computed { include, omit };

/// The live entity (with its computed fields unless omitted), or nothing.
std::optional<domain::Entity> load_entity(store::Db& db, domain::Kind kind, std::int64_t id,
                                          Computed computed = Computed::include);

/// The orders a list can be read in; the SQL for each lives in read_model.cpp.
/// Every order ends in the id, so pages never overlap.
enum class ListOrder {
    id,            ///< ascending id (the default)
    id_desc,       ///< newest id first
    name,          ///< by name, then id
    created_desc,  ///< latest created_at first
    updated_desc,  ///< latest updated_at first
    publish_date,  ///< by publish_date (undated last), then id: a campaign's schedule
    position,      ///< by position, then id: a storyboard's blocks
    revision,      ///< by revision: a content's scripts
};

/// Filters and paging for a list. Column names come from the catalogue only.
struct ListQuery {
    std::vector<std::pair<std::string, domain::Value>> equals;  ///< column = value
    std::optional<std::string> name_contains;                   ///< case-insensitive substring
    std::optional<std::string> date_from;                       ///< publish_date >= (inclusive)
    std::optional<std::string> date_to;                         ///< publish_date <= (inclusive)
    ListOrder order_by = ListOrder::id;
    std::int64_t page = 1;
    std::int64_t page_size = 20;  ///< 0 = no paging
};

struct ListPage {
    std::vector<domain::Entity> items;
    std::int64_t total = 0;
};

ListPage list_entities(store::Db& db, domain::Kind kind, const ListQuery& q);

/// A content's live blocks in position order.
std::vector<domain::Entity> storyboard_blocks(store::Db& db, std::int64_t content_id);

/// Client whose name matches ignoring ASCII case.
std::optional<std::int64_t> client_named(store::Db& db, std::string_view name);
/// Live children ids: blocks by position, others by id.
std::vector<std::int64_t> child_ids(store::Db& db, domain::Kind child, std::int64_t parent_id);
/// Highest id ever used by a kind, 0 if none.
std::int64_t last_id(store::Db& db, domain::Kind kind);

/// One attached campaign resource.
struct ResourceRow {
    std::string resource_type;
    std::string filename;
    std::string content_type;
    std::int64_t size = 0;
    std::string sha256;
    std::optional<double> duration;
    std::string path;
    std::string uploaded_at;
};
std::vector<ResourceRow> campaign_resources(store::Db& db, std::int64_t campaign_id);

/// The head of the log as this connection's snapshot sees it.
std::int64_t visible_head(store::Db& db);

}  // namespace omnivibe::projection
