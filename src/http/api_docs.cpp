// GET /openapi.json and GET /docs. The description is the checked-in
// docs/openapi.json, embedded at build time; /docs renders it as plain HTML on
// the server, so the page needs no script, CDN or network.

#include <simdjson.h>

#include <mutex>

#include "api.hpp"
#include "api_common.hpp"

namespace omnivibe::embedded {
extern const std::string_view openapi_json;
}

namespace omnivibe::http {

namespace {

std::string escape_html(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string_view text_of(simdjson::dom::element el, std::string_view key) {
    std::string_view v;
    if (el[key].get(v)) return {};
    return v;
}

std::string render_docs() {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(embedded::openapi_json.data(), embedded::openapi_json.size()).get(root))
        return "<p>The embedded API description could not be read.</p>";
    std::string html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OmniVibe API</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 "
        "1rem;color:#222}"
        "h2{border-bottom:1px solid #ddd;margin-top:2.5rem}code{background:#f4f4f4;padding:0 "
        ".25rem}"
        ".op{margin:1.2rem 0;padding:.6rem .9rem;border-left:4px solid #888;background:#fafafa}"
        ".m{font-weight:700;display:inline-block;min-width:4.5rem}.GET{color:#1565c0}.POST{color:#"
        "2e7d32}"
        ".PATCH{color:#ef6c00}.PUT{color:#6a1b9a}.DELETE{color:#c62828}"
        "table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #ddd;padding:.2rem "
        ".5rem;text-align:left}"
        "</style></head><body>";
    simdjson::dom::element info;
    if (!root["info"].get(info)) {
        html += "<h1>" + escape_html(text_of(info, "title")) + " <small>" +
                escape_html(text_of(info, "version")) + "</small></h1>";
        html += "<p>" + escape_html(text_of(info, "description")) + "</p>";
    }
    simdjson::dom::object paths;
    if (root["paths"].get(paths)) return html + "</body></html>";
    for (auto [path, item] : paths) {
        simdjson::dom::object ops;
        if (item.get(ops)) continue;
        for (auto [method, op] : ops) {
            if (method == "parameters") continue;
            std::string m(method);
            for (auto& c : m) c = static_cast<char>(std::toupper(c));
            html += "<div class=\"op\"><span class=\"m " + m + "\">" + m + "</span> <code>" +
                    escape_html(path) + "</code><br><strong>" +
                    escape_html(text_of(op, "summary")) + "</strong>";
            if (auto d = text_of(op, "description"); !d.empty())
                html += "<p>" + escape_html(d) + "</p>";
            simdjson::dom::array params;
            if (!op["parameters"].get(params) && params.size() > 0) {
                html += "<table><tr><th>parameter</th><th>in</th><th>description</th></tr>";
                for (auto p : params) {
                    std::string_view ref;
                    if (!p["$ref"].get(ref)) {
                        html += "<tr><td colspan=3><code>" +
                                escape_html(ref.substr(ref.rfind('/') + 1)) + "</code></td></tr>";
                        continue;
                    }
                    html += "<tr><td><code>" + escape_html(text_of(p, "name")) +
                            "</code></td><td>" + escape_html(text_of(p, "in")) + "</td><td>" +
                            escape_html(text_of(p, "description")) + "</td></tr>";
                }
                html += "</table>";
            }
            simdjson::dom::object responses;
            if (!op["responses"].get(responses)) {
                html += "<div>Responses:";
                for (auto [code, resp] : responses) {
                    std::string_view ref;
                    std::string_view desc = text_of(resp, "description");
                    if (desc.empty() && !resp["$ref"].get(ref))
                        desc = ref.substr(ref.rfind('/') + 1);
                    html += " <code>" + escape_html(code) + "</code> " + escape_html(desc) + ";";
                }
                html += "</div>";
            }
            html += "</div>";
        }
    }
    html +=
        "<p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a> (OpenAPI "
        "3.1).</p></body></html>";
    return html;
}

}  // namespace

void register_docs_routes(Router& r) {
    r.add(Method::get, "/openapi.json", kRead, [](Request&, const PathParams&, Reply reply) {
        Response resp;
        resp.body = std::string(embedded::openapi_json);
        reply(std::move(resp));
    });
    r.add(Method::get, "/docs", kRead, [](Request&, const PathParams&, Reply reply) {
        static std::once_flag once;
        static std::string page;
        std::call_once(once, [] { page = render_docs(); });
        Response resp;
        resp.content_type = "text/html; charset=utf-8";
        resp.body = page;
        reply(std::move(resp));
    });
}

}  // namespace omnivibe::http
