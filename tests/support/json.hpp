#pragma once
// Reading JSON response bodies in tests by JSON Pointer ("/clients/0/id").
// Each call parses afresh: simple, and fast enough for tests. A missing path
// or a wrong type throws, which fails the test case with the pointer named.

#include <cstdint>
#include <string>
#include <string_view>

namespace omnivibe::test {

std::int64_t json_int(const std::string& body, std::string_view pointer);
double json_number(const std::string& body, std::string_view pointer);
std::string json_string(const std::string& body, std::string_view pointer);
bool json_bool(const std::string& body, std::string_view pointer);
bool json_is_null(const std::string& body, std::string_view pointer);
bool json_has(const std::string& body, std::string_view pointer);
std::size_t json_size(const std::string& body, std::string_view pointer);  ///< array or object
/// The value at the pointer re-serialised (minified), for comparisons.
std::string json_raw(const std::string& body, std::string_view pointer);

}  // namespace omnivibe::test
