#pragma once
// Our own request and response types. Handlers, the router and the dispatcher
// see only these; Beast stays inside src/http/*.cpp, which translate at the edge.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "omnivibe/core/result.hpp"

namespace omnivibe::http {

enum class Method { get, head, post, put, patch, del, options, other };

/// "GET", "DELETE", ...
std::string_view to_string(Method m);
Method method_from_string(std::string_view s);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// Where a streamed request body goes (uploads): written piece by piece as it
/// arrives, so a large body never sits in memory. Created by the route, once
/// the request head has arrived (Router::add_streaming); the connection feeds
/// it and then hands it to the handler in Request::body_sink.
class BodySink {
  public:
    virtual ~BodySink() = default;
    /// The most body bytes this route accepts; more is 413.
    virtual std::uint64_t limit() const = 0;
    /// The next piece of the body. An Error is the answer; the rest is not read.
    virtual Status write(std::string_view bytes) = 0;
    /// The body is complete.
    virtual Status finish() = 0;
};

struct Request {
    Method method = Method::get;
    std::string target;                   ///< as received: path and query
    std::string path;                     ///< decoded path without the query
    std::string query;                    ///< raw query string without '?'
    HeaderList headers;                   ///< names lower-case
    std::string body;                     ///< the body, unless it was streamed into body_sink
    std::string remote;                   ///< peer address
    std::shared_ptr<BodySink> body_sink;  ///< the streamed body, for routes that stream

    // Filled in by the dispatcher.
    std::string request_id;
    std::string actor = "anonymous";
    std::string route;       ///< route template, for logs and metrics
    bool cacheable = false;  ///< the route declared its answers may be kept per log head

    /// The header's value, or "" when absent (names are case-insensitive).
    std::string_view header(std::string_view name) const;
    /// The decoded value of a query parameter, or nullopt when absent.
    std::optional<std::string> query_param(std::string_view name) const;
    /// All query parameters, decoded, in order (none if the query is malformed).
    std::vector<std::pair<std::string, std::string>> query_params() const;
    /// False when the query has a broken percent-escape ("%zz", a trailing "%");
    /// characters merely not allowed by RFC 3986 ("|", "[") are taken as they are.
    bool query_well_formed() const;
};

/// A response body streamed from a file (uploads served back with Range).
struct FileBody {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// Something that takes over the connection after the headers (the SSE feed).
/// Implemented inside src/http; opaque here.
class StreamHandoff {
  public:
    virtual ~StreamHandoff() = default;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    HeaderList headers;
    std::optional<FileBody> file;
    std::shared_ptr<StreamHandoff> stream;
    std::string_view error_code;  ///< the wire code of an error answer, for the request log

    Response& set(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    std::string_view header(std::string_view name) const;
};

/// How a handler answers: exactly once, from any thread.
using Reply = std::function<void(Response)>;

}  // namespace omnivibe::http
