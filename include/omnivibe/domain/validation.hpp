#pragma once
// Field validation: a request body against the kind's rules in the catalogue.
// Pure and stateless; the rules that need current state (references, unique
// names, versions) are checked by decide().

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/schema.hpp"
#include "omnivibe/domain/value.hpp"

namespace omnivibe::domain {

enum class Mode { create, update };

/// Validates and normalises a body: read-only fields dropped, unknown or
/// duplicate fields refused, types, lengths, ranges and choices checked (one
/// error per bad field), enums made canonical, numbers widened, and on create
/// the defaults filled in and required fields demanded. 422 on failure.
Result<Fields> validate(Kind kind, const Fields& body, Mode mode);

/// Rules across fields of one entity (e.g. end_date >= start_date), checked on
/// the entity as it would be after the change.
Status check_entity_rules(Kind kind, const Fields& merged);

/// Loose shape check of an e-mail address: one '@', a dot in the domain, no spaces.
bool looks_like_email(std::string_view s);

}  // namespace omnivibe::domain
