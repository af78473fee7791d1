#pragma once
// The modes, each a short recipe over the request engine (client.hpp) and,
// for the feed, the SSE subscribers (feed.cpp).

#include "options.hpp"
#include "report.hpp"

namespace omnivibe::loadgen {

/// create, patch, get, list, mixed and seed.
RunReport run_requests(const Options& options);

/// feed: subscribers on /api/v1/changes while writers write at a set rate.
RunReport run_feed(const Options& options);

Target target_of(const Options& options);

}  // namespace omnivibe::loadgen
