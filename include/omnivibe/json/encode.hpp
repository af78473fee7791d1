#pragma once
// Domain values, entities and events to JSON: the one place their wire shape
// is written, shared by responses, the log's data column and the feed.

#include <string>
#include <string_view>

#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/state.hpp"
#include "omnivibe/json/writer.hpp"

namespace omnivibe::json {

void write_value(Writer& w, const domain::Value& v);
/// `{"name":value,...}` in the fields' order.
void write_fields(Writer& w, const domain::Fields& fields);
std::string fields_to_json(const domain::Fields& fields);
std::string meta_to_json(const domain::EventMeta& meta);

/// An entity: id, its fields in catalogue order, version, created_at,
/// updated_at, then `extra` (computed fields such as campaign_count).
void write_entity(Writer& w, const domain::Entity& entity, const domain::Fields& extra = {});

/// The spec's event envelope; `data_json` is the stored data column.
/// {"seq","stream","version","type","at","actor","entity","entity_id","campaign_id","data"}
struct EnvelopeView {
    std::int64_t seq = 0;
    std::string_view stream;
    std::int64_t version = 0;
    std::string_view type;
    std::string_view at;
    std::string_view actor;
    std::optional<std::int64_t> campaign_id;
    std::string_view data_json;
    std::string_view cause;
};
void write_envelope(Writer& w, const EnvelopeView& e);

}  // namespace omnivibe::json
