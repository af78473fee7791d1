#pragma once
// The history of one entity as a reader wants it: for each event of its
// stream, what changed, field by field, from which old value to which new one.
// Old values come from folding the earlier events with evolve(), so the diff
// is exactly what the read model went through. Pure, like the rest of domain/.

#include <optional>
#include <string>
#include <vector>

#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/value.hpp"

namespace omnivibe::domain {

struct FieldChange {
    std::string field;
    std::optional<Value> before;  ///< nothing: the entity did not exist yet
    std::optional<Value> after;   ///< nothing: the entity was deleted
};

struct HistoryStep {
    Event event;
    /// When the change took effect: the legacy time for imported history
    /// (created_at / updated_at / deleted_at in the data), else recorded_at.
    std::string effective_at;
    std::vector<FieldChange> changes;
};

/// `events` are one stream's, oldest first. A creation lists every non-null
/// field; an update the fields whose value changed; a deletion nothing; an
/// event that changes no field (a reorder) lists its data as new values.
std::vector<HistoryStep> history(const std::vector<Event>& events);

}  // namespace omnivibe::domain
