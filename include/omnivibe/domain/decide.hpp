#pragma once
// decide(state, command) -> events: the business rules of the write side.
// Pure: it reads the StateView and returns the events to append (seq and time
// unset, stream versions assigned), or the Error that refuses the command.

#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/state.hpp"

namespace omnivibe::domain {

struct Decision {
    enum class Outcome { created, updated, deleted, unchanged };
    Outcome outcome = Outcome::unchanged;
    Kind kind = Kind::client;  ///< the entity the response is about
    std::int64_t id = 0;
    std::vector<Event> events;
};

Result<Decision> decide(const StateView& state, const Command& command);

}  // namespace omnivibe::domain
