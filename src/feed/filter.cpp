#include "omnivibe/feed/filter.hpp"

#include "omnivibe/domain/events.hpp"

namespace omnivibe::feed {

namespace {

Error invalid(std::string_view field, std::string message) {
    Error e = Error::make(ErrorCode::validation_failed, "One query parameter is invalid.");
    e.errors.push_back({std::string(field), std::move(message)});
    return e;
}

bool some_type_starts_with(std::string_view prefix) {
    for (auto t : domain::all_event_types())
        if (domain::type_name(t).substr(0, prefix.size()) == prefix) return true;
    return false;
}

}  // namespace

bool Filter::matches(std::string_view type, std::string_view ev_stream,
                     std::optional<std::int64_t> ev_campaign) const {
    if (campaign_id && ev_campaign != campaign_id) return false;
    if (stream && *stream != ev_stream) return false;
    if (types.empty() && prefixes.empty()) return true;
    for (const auto& t : types)
        if (t == type) return true;
    for (const auto& p : prefixes)
        if (type.substr(0, p.size()) == p) return true;
    return false;
}

store::EventQuery Filter::query(std::int64_t after, std::optional<std::int64_t> up_to,
                                std::int64_t limit) const {
    store::EventQuery q;
    q.after = after;
    q.up_to = up_to;
    q.limit = limit;
    q.stream = stream;
    q.campaign_id = campaign_id;
    q.types = types;
    q.type_prefixes = prefixes;
    return q;
}

Result<Filter> parse_types(std::string_view csv, std::string_view field) {
    Filter f;
    std::vector<std::string> unknown;
    bool everything = false;
    std::size_t start = 0;
    while (start <= csv.size()) {
        auto end = csv.find(',', start);
        if (end == std::string_view::npos) end = csv.size();
        std::string_view item = csv.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        start = end + 1;
        if (item.empty()) continue;
        if (item == "*") {
            everything = true;
        } else if (item.size() > 2 && item.substr(item.size() - 2) == ".*") {
            const std::string_view prefix = item.substr(0, item.size() - 1);  // keeps the dot
            if (some_type_starts_with(prefix))
                f.prefixes.emplace_back(prefix);
            else
                unknown.emplace_back(item);
        } else if (domain::event_type_from_name(item)) {
            f.types.emplace_back(item);
        } else {
            unknown.emplace_back(item);
        }
    }
    if (!unknown.empty()) {
        std::string msg = "unknown event type";
        if (unknown.size() > 1) msg += 's';
        for (std::size_t i = 0; i < unknown.size(); ++i) (msg += i ? ", " : " ") += unknown[i];
        return invalid(field, msg +
                                  " (give names such as campaign.created, or prefixes such as "
                                  "campaign.*)");
    }
    if (everything) {
        f.types.clear();
        f.prefixes.clear();
    }
    return f;
}

Result<std::string> parse_stream_param(std::string_view text, std::string_view field) {
    if (!domain::parse_stream(text))
        return invalid(field,
                       "must name a stream such as campaign-3 (client, campaign, content, "
                       "block or script, a dash and a positive id)");
    return std::string(text);
}

}  // namespace omnivibe::feed
