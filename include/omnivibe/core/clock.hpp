#pragma once
// Wall-clock time as the service records it: milliseconds since the Unix epoch,
// printed as RFC 3339 UTC with milliseconds ("2026-02-02T10:30:00.000Z").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace omnivibe {

/// Milliseconds since 1970-01-01T00:00:00Z.
using UnixMillis = std::int64_t;

/// The current time.
UnixMillis now_millis();

/// "2026-02-02T10:30:00.000Z".
std::string format_rfc3339(UnixMillis t);

/// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" or SQLite's "YYYY-MM-DD HH:MM:SS" (UTC).
std::optional<UnixMillis> parse_timestamp(std::string_view text);

/// True for a real calendar date written as YYYY-MM-DD.
bool is_valid_date(std::string_view text);

}  // namespace omnivibe
