#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "omnivibe/core/text.hpp"
#include "omnivibe/http/message.hpp"

namespace omnivibe::http {

std::string_view to_string(Method m) {
    switch (m) {
        case Method::get:
            return "GET";
        case Method::head:
            return "HEAD";
        case Method::post:
            return "POST";
        case Method::put:
            return "PUT";
        case Method::patch:
            return "PATCH";
        case Method::del:
            return "DELETE";
        case Method::options:
            return "OPTIONS";
        case Method::other:
            break;
    }
    return "OTHER";
}

Method method_from_string(std::string_view s) {
    if (s == "GET") return Method::get;
    if (s == "HEAD") return Method::head;
    if (s == "POST") return Method::post;
    if (s == "PUT") return Method::put;
    if (s == "PATCH") return Method::patch;
    if (s == "DELETE") return Method::del;
    if (s == "OPTIONS") return Method::options;
    return Method::other;
}

std::string_view Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

std::string_view Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

namespace {

// Characters RFC 3986 allows in a query besides '%': unreserved, sub-delims, ":@/?".
bool allowed_in_query(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("-._~!$&'()*+,;=:@/?").find(static_cast<char>(c)) !=
           std::string_view::npos;
}

// Clients and proxies send characters a strict parser refuses ("a|b", "x[0]",
// raw UTF-8): those are escaped here rather than making the whole query
// unreadable. What is left to fail is a broken escape, which the dispatcher
// refuses with 422.
std::optional<std::string> parseable_query(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : raw) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '%' || allowed_in_query(c)) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    if (!boost::urls::parse_query(out)) return std::nullopt;
    return out;
}

}  // namespace

bool Request::query_well_formed() const { return query.empty() || parseable_query(query); }

std::vector<std::pair<std::string, std::string>> Request::query_params() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (query.empty()) return out;
    const auto parseable = parseable_query(query);
    if (!parseable) return out;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    for (auto param : boost::urls::params_view(*parseable, opts))
        out.emplace_back(std::move(param.key),
                         param.has_value ? std::move(param.value) : std::string());
    return out;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    for (auto& [k, v] : query_params())
        if (k == name) return std::move(v);
    return std::nullopt;
}

}  // namespace omnivibe::http
