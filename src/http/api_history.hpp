#pragma once
// History and time travel over HTTP, for every entity route to share.
// Private to src/http.

#include <cstdint>

#include "omnivibe/domain/schema.hpp"
#include "omnivibe/http/message.hpp"
#include "omnivibe/http/service.hpp"

namespace omnivibe::http {

/// For a single-entity GET: when the request carries `?as_of=SEQ`, answers it
/// with the entity as it was right after event SEQ (404 if it did not exist
/// then, 422 for a SEQ that is not an event of the log) and returns true;
/// returns false, answering nothing, when there is no `as_of`. Call it first
/// in the GET handler of any kind:
///     if (answer_as_of(svc, req, Kind::block, *id, reply)) return;
bool answer_as_of(Service& svc, Request& req, domain::Kind kind, std::int64_t id, Reply& reply);

}  // namespace omnivibe::http
