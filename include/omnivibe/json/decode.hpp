#pragma once
// Request bodies and stored event data, from JSON text to domain Fields.
// simdjson (DOM, error codes only), one parser per thread; every string is
// copied out before the next parse.

#include <optional>
#include <string_view>

#include "omnivibe/core/result.hpp"
#include "omnivibe/domain/events.hpp"
#include "omnivibe/domain/value.hpp"

namespace omnivibe::json {

/// A JSON object's members in order. Malformed JSON, invalid UTF-8, excessive
/// nesting, trailing bytes or a non-object give 400 malformed_json. Values no
/// field accepts (objects, mixed arrays, integers beyond 64 bits) are kept as
/// domain::Unsupported so validation can report them per field.
Result<domain::Fields> parse_object(std::string_view text);

/// A JSON array of strings (the stored form of keywords); nullopt if not one.
std::optional<domain::StringList> parse_string_list(std::string_view text);

/// The `meta` column of an event row.
Result<domain::EventMeta> parse_meta(std::string_view text);

}  // namespace omnivibe::json
