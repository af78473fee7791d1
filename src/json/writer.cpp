#include "omnivibe/json/writer.hpp"

#include <charconv>
#include <cmath>

namespace omnivibe::json {

void append_quoted(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run = 0;  // start of the current run of bytes needing no escape
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

void Writer::separate() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = true;
}

Writer& Writer::begin_object() {
    separate();
    out_.push_back('{');
    need_comma_ = false;
    return *this;
}

Writer& Writer::end_object() {
    out_.push_back('}');
    need_comma_ = true;
    return *this;
}

Writer& Writer::begin_array() {
    separate();
    out_.push_back('[');
    need_comma_ = false;
    return *this;
}

Writer& Writer::end_array() {
    out_.push_back(']');
    need_comma_ = true;
    return *this;
}

Writer& Writer::key(std::string_view name) {
    separate();
    append_quoted(out_, name);
    out_.push_back(':');
    need_comma_ = false;
    return *this;
}

Writer& Writer::string(std::string_view s) {
    separate();
    append_quoted(out_, s);
    return *this;
}

Writer& Writer::integer(std::int64_t v) {
    separate();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
}

Writer& Writer::number(double v) {
    if (!std::isfinite(v)) return null();
    separate();
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
}

Writer& Writer::boolean(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
}

Writer& Writer::null() {
    separate();
    out_ += "null";
    return *this;
}

Writer& Writer::raw(std::string_view json) {
    separate();
    out_.append(json);
    return *this;
}

}  // namespace omnivibe::json
