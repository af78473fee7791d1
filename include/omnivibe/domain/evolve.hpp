#pragma once
// evolve(state, event) -> state: folds one stream's events into the entity they
// describe. Used for `as_of` reads and history diffs; the SQL projections
// (projection/) apply the same facts to the read tables.

#include <optional>

#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/state.hpp"

namespace omnivibe::domain {

/// Applies one event of the entity's own stream. A deletion empties the state.
/// Block positions are those recorded in the block's own events; shifts caused
/// by siblings are not part of one stream and are not reflected.
void evolve(std::optional<Entity>& state, const Event& event);

}  // namespace omnivibe::domain
