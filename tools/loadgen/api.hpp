#pragma once
// What the load generator knows of the OmniVibe API: the bodies it sends and
// the few setup calls it makes before a run (a client to attach campaigns to,
// the campaign id range, the log head).

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "client.hpp"

namespace omnivibe::loadgen {

inline constexpr std::string_view kCampaigns = "/api/v1/campaigns";

/// A short random word, so names and markers of this run are its own.
std::string run_token();

/// {"client_id":C,"name":...,"description":...} with a few ordinary fields.
std::string campaign_body(std::int64_t client_id, std::string_view name,
                          std::string_view description);

/// The integer "id" at the top level of a JSON body.
std::optional<std::int64_t> id_of(std::string_view body);

/// Creates a client named `name`; its id.
Result<std::int64_t> create_client(const Target& target, const std::string& name);

/// The lowest and highest campaign id (404 when there is none).
Result<std::pair<std::int64_t, std::int64_t>> campaign_id_range(const Target& target);

/// The log head as a read sees it (X-Event-Seq of a list).
Result<std::int64_t> log_head(const Target& target);

}  // namespace omnivibe::loadgen
