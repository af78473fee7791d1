#include "support/json.hpp"

#include <simdjson.h>

#include <stdexcept>

namespace omnivibe::test {

namespace {

simdjson::dom::element at(simdjson::dom::parser& parser, const std::string& body,
                          std::string_view pointer) {
    simdjson::dom::element root;
    if (auto ec = parser.parse(body).get(root); ec)
        throw std::runtime_error("not JSON (" + std::string(simdjson::error_message(ec)) +
                                 "): " + body.substr(0, 200));
    simdjson::dom::element el;
    if (auto ec = root.at_pointer(pointer).get(el); ec)
        throw std::runtime_error("no " + std::string(pointer) + " in " + body.substr(0, 300));
    return el;
}

template <class T>
T read(const std::string& body, std::string_view pointer, const char* what) {
    simdjson::dom::parser parser;
    T out{};
    if (at(parser, body, pointer).get(out))
        throw std::runtime_error(std::string(pointer) + " is not " + what + " in " +
                                 body.substr(0, 300));
    return out;
}

}  // namespace

std::int64_t json_int(const std::string& b, std::string_view p) {
    return read<std::int64_t>(b, p, "an integer");
}
double json_number(const std::string& b, std::string_view p) {
    return read<double>(b, p, "a number");
}
std::string json_string(const std::string& b, std::string_view p) {
    simdjson::dom::parser parser;
    std::string_view s;
    if (at(parser, b, p).get(s))
        throw std::runtime_error(std::string(p) + " is not a string in " + b.substr(0, 300));
    return std::string(s);
}
bool json_bool(const std::string& b, std::string_view p) { return read<bool>(b, p, "a boolean"); }
bool json_is_null(const std::string& b, std::string_view p) {
    simdjson::dom::parser parser;
    return at(parser, b, p).is_null();
}
bool json_has(const std::string& b, std::string_view p) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(b).get(root)) return false;
    simdjson::dom::element el;
    return !root.at_pointer(p).get(el);
}
std::size_t json_size(const std::string& b, std::string_view p) {
    simdjson::dom::parser parser;
    auto el = at(parser, b, p);
    simdjson::dom::array arr;
    if (!el.get(arr)) return arr.size();
    simdjson::dom::object obj;
    if (!el.get(obj)) return obj.size();
    throw std::runtime_error(std::string(p) + " is neither array nor object");
}
std::string json_raw(const std::string& b, std::string_view p) {
    simdjson::dom::parser parser;
    return simdjson::minify(at(parser, b, p));
}

}  // namespace omnivibe::test
