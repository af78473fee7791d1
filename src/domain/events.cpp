#include "omnivibe/domain/events.hpp"

#include "omnivibe/core/text.hpp"

namespace omnivibe::domain {

namespace {

struct TypeRow {
    EventType type;
    std::string_view name;
    Kind kind;
    Lifecycle role;
};

// The wire names. Append new rows; never rename or reuse one.
constexpr TypeRow kTypes[] = {
    {EventType::client_created, "client.created", Kind::client, Lifecycle::created},
    {EventType::client_updated, "client.updated", Kind::client, Lifecycle::updated},
    {EventType::client_deleted, "client.deleted", Kind::client, Lifecycle::deleted},
    {EventType::campaign_created, "campaign.created", Kind::campaign, Lifecycle::created},
    {EventType::campaign_updated, "campaign.updated", Kind::campaign, Lifecycle::updated},
    {EventType::campaign_deleted, "campaign.deleted", Kind::campaign, Lifecycle::deleted},
    {EventType::campaign_resource_attached, "campaign.resource_attached", Kind::campaign,
     Lifecycle::other},
    {EventType::campaign_resource_detached, "campaign.resource_detached", Kind::campaign,
     Lifecycle::other},
    {EventType::content_created, "content.created", Kind::content, Lifecycle::created},
    {EventType::content_updated, "content.updated", Kind::content, Lifecycle::updated},
    {EventType::content_deleted, "content.deleted", Kind::content, Lifecycle::deleted},
    {EventType::block_added, "storyboard.block_added", Kind::block, Lifecycle::created},
    {EventType::block_updated, "storyboard.block_updated", Kind::block, Lifecycle::updated},
    {EventType::block_removed, "storyboard.block_removed", Kind::block, Lifecycle::deleted},
    {EventType::blocks_reordered, "storyboard.blocks_reordered", Kind::content, Lifecycle::other},
    {EventType::script_generated, "script.generated", Kind::script, Lifecycle::created},
    {EventType::script_status_changed, "script.status_changed", Kind::script, Lifecycle::updated},
    {EventType::script_deleted, "script.deleted", Kind::script, Lifecycle::deleted},
};

constexpr EventType kAll[] = {
    EventType::client_created,
    EventType::client_updated,
    EventType::client_deleted,
    EventType::campaign_created,
    EventType::campaign_updated,
    EventType::campaign_deleted,
    EventType::campaign_resource_attached,
    EventType::campaign_resource_detached,
    EventType::content_created,
    EventType::content_updated,
    EventType::content_deleted,
    EventType::block_added,
    EventType::block_updated,
    EventType::block_removed,
    EventType::blocks_reordered,
    EventType::script_generated,
    EventType::script_status_changed,
    EventType::script_deleted,
};

static_assert(std::size(kTypes) == std::size(kAll), "every event type has a wire name");

}  // namespace

std::string_view type_name(EventType type) { return kTypes[static_cast<int>(type)].name; }

std::optional<EventType> event_type_from_name(std::string_view name) {
    for (const auto& row : kTypes)
        if (row.name == name) return row.type;
    return std::nullopt;
}

Kind stream_kind(EventType type) { return kTypes[static_cast<int>(type)].kind; }

Lifecycle lifecycle(EventType type) { return kTypes[static_cast<int>(type)].role; }

EventType lifecycle_event(Kind kind, Lifecycle role) {
    for (const auto& row : kTypes)
        if (row.kind == kind && row.role == role) return row.type;
    // Every kind has a created, an updated and a deleted row (tests/domain/events_test.cpp).
    return EventType::client_created;
}

std::span<const EventType> all_event_types() { return kAll; }

std::string stream_name(Kind kind, std::int64_t id) {
    std::string s(info(kind).stream_prefix);
    s += '-';
    s += std::to_string(id);
    return s;
}

std::string Event::stream() const { return stream_name(kind, entity_id); }

std::optional<std::pair<Kind, std::int64_t>> parse_stream(std::string_view stream) {
    const auto dash = stream.rfind('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto kind = kind_from_stream_prefix(stream.substr(0, dash));
    // Only the form stream_name() writes: "block-04" is not "block-4", and the
    // envelope copies the id's text as a JSON number, where "04" is invalid.
    const auto digits = stream.substr(dash + 1);
    if (digits.empty() || digits.front() < '1' || digits.front() > '9') return std::nullopt;
    auto id = parse_int64(digits);
    if (!kind || !id || *id < 1) return std::nullopt;
    return std::pair{*kind, *id};
}

}  // namespace omnivibe::domain
