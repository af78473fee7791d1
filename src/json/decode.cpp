#include "omnivibe/json/decode.hpp"

#include <simdjson.h>

#include <string>

namespace omnivibe::json {

namespace {

using domain::Value;

simdjson::dom::parser& thread_parser() {
    // One parser per thread: it keeps its buffers between calls.
    thread_local simdjson::dom::parser parser;
    return parser;
}

Error malformed(std::string detail) {
    return Error::make(ErrorCode::malformed_json, std::move(detail));
}

std::string describe(simdjson::error_code ec) {
    switch (ec) {
        case simdjson::UTF8_ERROR:
            return "The body is not valid UTF-8.";
        case simdjson::DEPTH_ERROR:
            return "The JSON is nested too deeply.";
        case simdjson::NUMBER_ERROR:
            return "The JSON holds a number that cannot be read.";
        case simdjson::EMPTY:
            return "The body is empty; a JSON object is expected.";
        default:
            return "The body is not valid JSON.";
    }
}

// Reads a value whose type was already checked; the error code cannot fire.
template <class T>
T read_as(simdjson::dom::element el) {
    T out{};
    if (el.get(out)) return T{};
    return out;
}

Value to_value(simdjson::dom::element el) {
    using simdjson::dom::element_type;
    switch (el.type()) {
        case element_type::NULL_VALUE:
            return domain::Null{};
        case element_type::BOOL:
            return read_as<bool>(el);
        case element_type::INT64:
            return read_as<std::int64_t>(el);
        case element_type::UINT64:
            return domain::Unsupported{"an integer out of range"};
        case element_type::DOUBLE:
            return read_as<double>(el);
        case element_type::STRING:
            return std::string(read_as<std::string_view>(el));
        case element_type::OBJECT:
            return domain::Unsupported{"an object"};
        case element_type::ARRAY: {
            auto arr = read_as<simdjson::dom::array>(el);
            domain::StringList strings;
            domain::IntList ints;
            for (auto item : arr) {
                if (item.type() == element_type::STRING && ints.empty()) {
                    strings.emplace_back(read_as<std::string_view>(item));
                } else if (item.type() == element_type::INT64 && strings.empty()) {
                    ints.push_back(read_as<std::int64_t>(item));
                } else {
                    return domain::Unsupported{"an array of other values"};
                }
            }
            if (!ints.empty()) return ints;
            return strings;
        }
    }
    return domain::Unsupported{"an unknown value"};
}

}  // namespace

Result<domain::Fields> parse_object(std::string_view text) {
    simdjson::dom::element root;
    auto ec = thread_parser().parse(text.data(), text.size(), true).get(root);
    if (ec) return malformed(describe(ec));
    simdjson::dom::object obj;
    if (root.get(obj)) return malformed("The body must be a JSON object.");
    domain::Fields fields;
    for (auto [key, value] : obj) fields.push_back({std::string(key), to_value(value)});
    return fields;
}

std::optional<domain::StringList> parse_string_list(std::string_view text) {
    simdjson::dom::element root;
    if (thread_parser().parse(text.data(), text.size(), true).get(root)) return std::nullopt;
    auto v = to_value(root);
    if (auto* list = std::get_if<domain::StringList>(&v)) return std::move(*list);
    return std::nullopt;
}

Result<domain::EventMeta> parse_meta(std::string_view text) {
    auto fields = parse_object(text);
    if (!fields) return std::move(fields).error();
    domain::EventMeta meta;
    auto pick = [&](std::string_view name, std::string& out) {
        if (auto* s = domain::get_string(*fields, name)) out = *s;
    };
    pick("actor", meta.actor);
    pick("request_id", meta.request_id);
    pick("idempotency_key", meta.idempotency_key);
    pick("source", meta.source);
    pick("cause", meta.cause);
    return meta;
}

}  // namespace omnivibe::json
