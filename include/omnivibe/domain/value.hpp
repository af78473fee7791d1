#pragma once
// Field values as the domain sees them: the few JSON shapes our entities use,
// without any JSON library. A request body or an event's data is an ordered
// list of named values (Fields); order is kept so events read as written.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace omnivibe::domain {

/// A JSON value no field accepts (an object, a mixed array, a number out of
/// range); kept so validation can name the field and what it received.
struct Unsupported {
    std::string what;
    bool operator==(const Unsupported&) const = default;
};

using Null = std::monostate;
using StringList = std::vector<std::string>;
using IntList = std::vector<std::int64_t>;
using Value =
    std::variant<Null, bool, std::int64_t, double, std::string, StringList, IntList, Unsupported>;

struct Field {
    std::string name;
    Value value;
    bool operator==(const Field&) const = default;
};

/// Ordered name/value pairs; small, so lookups are linear.
using Fields = std::vector<Field>;

/// The value named `name`, or nullptr.
const Value* find(const Fields& fields, std::string_view name);
/// Replaces or appends.
void set(Fields& fields, std::string_view name, Value value);
/// Removes the named field if present.
void erase(Fields& fields, std::string_view name);

/// Convenience readers; nullopt when absent or of another type.
const std::string* get_string(const Fields& fields, std::string_view name);
std::optional<std::int64_t> get_int(const Fields& fields, std::string_view name);

/// Human name of the JSON type a value came from ("string", "null", ...).
std::string_view type_name(const Value& v);

}  // namespace omnivibe::domain
