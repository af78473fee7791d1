#include "omnivibe/http/range.hpp"

#include <charconv>
#include <optional>

namespace omnivibe::http {

namespace {

std::optional<std::uint64_t> number(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

RangeRequest parse_range(std::string_view header, std::uint64_t size) {
    using Kind = RangeRequest::Kind;
    header = trim(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.size() <= kUnit.size() || header.substr(0, kUnit.size()) != kUnit) return {};
    const std::string_view spec = trim(header.substr(kUnit.size()));
    if (spec.find(',') != std::string_view::npos) return {};  // several ranges: send it all
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return {};
    const std::string_view first = trim(spec.substr(0, dash));
    const std::string_view last = trim(spec.substr(dash + 1));
    if (first.empty()) {  // suffix: the last N bytes
        auto n = number(last);
        if (!n) return {};
        if (*n == 0 || size == 0) return {Kind::unsatisfiable, 0, 0};
        const std::uint64_t len = std::min(*n, size);
        return {Kind::partial, size - len, len};
    }
    auto start = number(first);
    if (!start) return {};
    std::uint64_t end = size ? size - 1 : 0;
    if (!last.empty()) {
        auto e = number(last);
        if (!e || *e < *start) return {};  // invalid: ignored
        end = std::min(*e, end);
    }
    if (*start >= size) return {Kind::unsatisfiable, 0, 0};
    return {Kind::partial, *start, end - *start + 1};
}

}  // namespace omnivibe::http
