#pragma once
// A small synchronous HTTP/1.1 client for tests, over Beast. Keeps one
// connection open; reconnects when the server closed it.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace omnivibe::test {

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// Header value by case-insensitive name, "" when absent.
    std::string header(std::string_view name) const;
};

class HttpClient {
  public:
    explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");
    ~HttpClient();

    using Headers = std::vector<std::pair<std::string, std::string>>;

    /// Sends a request; a JSON body gets Content-Type application/json unless given.
    HttpResponse request(std::string_view method, std::string_view target,
                         std::string_view body = {}, const Headers& headers = {});
    HttpResponse get(std::string_view target, const Headers& headers = {}) {
        return request("GET", target, {}, headers);
    }
    HttpResponse post(std::string_view target, std::string_view body, const Headers& headers = {}) {
        return request("POST", target, body, headers);
    }
    HttpResponse patch(std::string_view target, std::string_view body,
                       const Headers& headers = {}) {
        return request("PATCH", target, body, headers);
    }
    HttpResponse put(std::string_view target, std::string_view body, const Headers& headers = {}) {
        return request("PUT", target, body, headers);
    }
    HttpResponse del(std::string_view target, const Headers& headers = {}) {
        return request("DELETE", target, {}, headers);
    }

    /// This client talks to a proxy in front of servers (nginx): its answers
    /// are not only the service's (a 502 is the proxy's), so they stay out
    /// of the log the OpenAPI conformance check reads.
    void through_proxy();

    /// Writes raw bytes on a fresh connection and returns whatever comes back
    /// until the server closes or `timeout_ms` passes (for malformed requests).
    static std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                                    int timeout_ms = 2000);

    /// Sends a request with `Expect: 100-continue` on a fresh connection, as
    /// curl does for large uploads: the head first, the body only once the
    /// server said "100 Continue". `continued` tells whether it did.
    static HttpResponse send_expecting_continue(std::uint16_t port, std::string_view method,
                                                std::string_view target, const Headers& headers,
                                                std::string_view body, bool& continued);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// A bare connection for requests that stop halfway: send some bytes, then
/// close (a client that goes away mid-upload).
class RawConnection {
  public:
    explicit RawConnection(std::uint16_t port);
    ~RawConnection();
    void send(std::string_view bytes);
    void close();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace omnivibe::test
