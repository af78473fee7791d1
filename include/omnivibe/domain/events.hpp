#pragma once
// Events: the past-tense facts the log records. Their type strings live in one
// table (events.cpp) and are never renamed or reused; the log outlives the code.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/domain/schema.hpp"
#include "omnivibe/domain/value.hpp"

namespace omnivibe::domain {

enum class EventType {
    client_created,
    client_updated,
    client_deleted,
    campaign_created,
    campaign_updated,
    campaign_deleted,
    campaign_resource_attached,
    campaign_resource_detached,
    content_created,
    content_updated,
    content_deleted,
    block_added,
    block_updated,
    block_removed,
    blocks_reordered,
    script_generated,
    script_status_changed,
    script_deleted,
};

/// The stable wire name, e.g. "campaign.resource_attached".
std::string_view type_name(EventType type);
/// Looks a wire name up; nullopt for an unknown type.
std::optional<EventType> event_type_from_name(std::string_view name);
/// The kind of stream the event is appended to.
Kind stream_kind(EventType type);
/// What an event does to the entity of its stream: creates, updates or deletes
/// it, or something of its own (a resource attached, blocks reordered).
enum class Lifecycle { created, updated, deleted, other };
/// The role of a type in its entity's life, from the one table of types.
Lifecycle lifecycle(EventType type);
/// The type that creates, updates or deletes an entity of `kind` (not `other`).
EventType lifecycle_event(Kind kind, Lifecycle role);
/// Every type, in table order.
std::span<const EventType> all_event_types();

/// Who and why: stored as the event's `meta` JSON.
struct EventMeta {
    std::string actor;
    std::string request_id;
    std::string idempotency_key;
    std::string source;  ///< "api", "legacy-import", ...
    std::string cause;   ///< stream of the deleted parent for cascaded deletions
};

/// One event, as decided (seq 0 until appended) or as read from the log.
struct Event {
    std::int64_t seq = 0;
    EventType type = EventType::client_created;
    Kind kind = Kind::client;  ///< stream kind
    std::int64_t entity_id = 0;
    std::int64_t stream_version = 0;
    std::optional<std::int64_t> campaign_id;
    UnixMillis recorded_at = 0;
    Fields data;
    EventMeta meta;

    /// "campaign-3".
    std::string stream() const;
};

/// "campaign-3".
std::string stream_name(Kind kind, std::int64_t id);
/// Splits "campaign-3" into its kind and id.
std::optional<std::pair<Kind, std::int64_t>> parse_stream(std::string_view stream);

}  // namespace omnivibe::domain
