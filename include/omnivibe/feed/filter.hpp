#pragma once
// Which events a feed subscriber or an /events reader wants: event types
// (exact names or "prefix.*"), one campaign, one stream. The same filter is
// applied in two places that must agree: in SQL when events are read back
// from the log (catch-up, /events), and in memory when the hub fans out live
// events. Tests check both paths select the same events.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::feed {

struct Filter {
    std::vector<std::string> types;     ///< exact type names; empty with no prefixes: every type
    std::vector<std::string> prefixes;  ///< "campaign." for "campaign.*"
    std::optional<std::int64_t> campaign_id;
    std::optional<std::string> stream;

    /// True when an event with these attributes passes every part of the filter.
    bool matches(std::string_view type, std::string_view stream,
                 std::optional<std::int64_t> campaign_id) const;
    bool matches(const store::EventRow& row) const {
        return matches(row.type, row.stream, row.campaign_id);
    }

    /// The log query selecting the same events in (after, up_to], at most `limit`.
    store::EventQuery query(std::int64_t after, std::optional<std::int64_t> up_to,
                            std::int64_t limit) const;
};

/// Parses "campaign.*,content.created": each item an event type name or a
/// prefix ending in ".*" that at least one type has; "*" means every type.
/// 422 naming `field` and the unknown items otherwise.
Result<Filter> parse_types(std::string_view csv, std::string_view field = "types");

/// "campaign-3": a stream of a known kind with a positive id; 422 otherwise.
Result<std::string> parse_stream_param(std::string_view text, std::string_view field = "stream");

}  // namespace omnivibe::feed
