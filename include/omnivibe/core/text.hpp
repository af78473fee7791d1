#pragma once
// Small text helpers the validation rules need: UTF-8 checks and lengths in
// code points, ASCII case folding, and integer parsing without exceptions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace omnivibe {

/// True when the bytes are well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view s) noexcept;

/// The text with every byte that is not part of well-formed UTF-8 replaced by
/// U+FFFD, for echoing client input in answers that must be valid JSON.
std::string to_valid_utf8(std::string_view s);

/// Number of Unicode code points in valid UTF-8.
std::size_t utf8_length(std::string_view s) noexcept;

/// ASCII lower-case copy (non-ASCII bytes unchanged).
std::string ascii_lower(std::string_view s);

/// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// A whole decimal integer (optional leading '-'), or nothing.
std::optional<std::int64_t> parse_int64(std::string_view s) noexcept;

}  // namespace omnivibe
