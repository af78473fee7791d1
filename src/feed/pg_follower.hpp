#pragma once
// PgFollower, the CommitSource of the PostgreSQL store (see
// omnivibe/feed/commit_source.hpp for what it promises).

#include <memory>
#include <string>

#include "omnivibe/feed/commit_source.hpp"

namespace omnivibe::feed {

std::unique_ptr<CommitSource> make_pg_follower(std::string uri, Hub& hub,
                                               CommitSourceOptions options);

}  // namespace omnivibe::feed
