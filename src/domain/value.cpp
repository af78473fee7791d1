#include "omnivibe/domain/value.hpp"

#include <algorithm>

namespace omnivibe::domain {

const Value* find(const Fields& fields, std::string_view name) {
    for (const auto& f : fields)
        if (f.name == name) return &f.value;
    return nullptr;
}

void set(Fields& fields, std::string_view name, Value value) {
    for (auto& f : fields)
        if (f.name == name) {
            f.value = std::move(value);
            return;
        }
    fields.push_back(Field{std::string(name), std::move(value)});
}

void erase(Fields& fields, std::string_view name) {
    std::erase_if(fields, [&](const Field& f) { return f.name == name; });
}

const std::string* get_string(const Fields& fields, std::string_view name) {
    const Value* v = find(fields, name);
    return v ? std::get_if<std::string>(v) : nullptr;
}

std::optional<std::int64_t> get_int(const Fields& fields, std::string_view name) {
    const Value* v = find(fields, name);
    if (!v) return std::nullopt;
    if (auto* i = std::get_if<std::int64_t>(v)) return *i;
    return std::nullopt;
}

std::string_view type_name(const Value& v) {
    switch (v.index()) {
        case 0:
            return "null";
        case 1:
            return "boolean";
        case 2:
            return "integer";
        case 3:
            return "number";
        case 4:
            return "string";
        case 5:
        case 6:
            return "array";
        default:
            return std::get<Unsupported>(v).what;
    }
}

}  // namespace omnivibe::domain
