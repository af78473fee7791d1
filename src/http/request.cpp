#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "omnivibe/core/text.hpp"
#include "omnivibe/http/message.hpp"

namespace omnivibe::http {

std::string_view to_string(Method m) {
    switch (m) {
        case Method::get: return "GET";
        case Method::head: return "HEAD";
        case Method::post: return "POST";
        case Method::put: return "PUT";
        case Method::patch: return "PATCH";
        case Method::del: return "DELETE";
        case Method::options: return "OPTIONS";
        case Method::other: break;
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

std::vector<std::pair<std::string, std::string>> Request::query_params() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (query.empty()) return out;
    // A malformed query (bad percent escapes) reads as no parameters at all.
    if (!boost::urls::parse_query(query)) return out;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    for (auto param : boost::urls::params_view(query, opts))
        out.emplace_back(std::move(param.key), param.has_value ? std::move(param.value) : std::string());
    return out;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    for (auto& [k, v] : query_params())
        if (k == name) return std::move(v);
    return std::nullopt;
}

}  // namespace omnivibe::http
