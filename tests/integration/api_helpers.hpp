#pragma once
// Shorthands for integration tests that create entities over HTTP.

#include <boost/test/unit_test.hpp>
#include <sstream>
#include <string>

#include "support/http_client.hpp"
#include "support/json.hpp"

namespace omnivibe::test {

/// POSTs and requires 201; returns the new id (found at `id_pointer`).
inline std::int64_t create(HttpClient& c, std::string_view path, const std::string& body,
                           std::string_view id_pointer = "/id") {
    auto r = c.post(path, body);
    BOOST_REQUIRE_MESSAGE(r.status == 201,
                          std::string(path) + " -> " + std::to_string(r.status) + " " + r.body);
    return json_int(r.body, id_pointer);
}

inline std::int64_t create_client(HttpClient& c, const std::string& name) {
    return create(c, "/api/v1/clients", R"({"name":")" + name + "\"}");
}

inline std::int64_t create_campaign(HttpClient& c, std::int64_t client_id, const std::string& name,
                                    const std::string& extra = "") {
    return create(c, "/api/v1/campaigns",
                  R"({"client_id":)" + std::to_string(client_id) + R"(,"name":")" + name + "\"" +
                      extra + "}");
}

inline std::int64_t create_content(HttpClient& c, std::int64_t campaign_id,
                                   const std::string& topic, const std::string& extra = "") {
    return create(c, "/api/v1/content-schedule",
                  R"({"campaign_id":)" + std::to_string(campaign_id) + R"(,"topic":")" + topic +
                      "\"" + extra + "}",
                  "/content/id");
}

/// The field names of the `errors` array of an error body.
inline std::vector<std::string> error_fields(const std::string& body) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < json_size(body, "/errors"); ++i)
        out.push_back(json_string(body, "/errors/" + std::to_string(i) + "/field"));
    return out;
}

/// The value of one sample line of a Prometheus exposition, or -1 when the
/// series is absent.
inline double metric_value(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return -1;
}

}  // namespace omnivibe::test
