#include "support/http_client.hpp"

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "omnivibe/core/text.hpp"
#include "omnivibe/json/writer.hpp"

namespace omnivibe::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

std::string HttpResponse::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (beast::iequals(k, name)) return v;
    return {};
}

namespace {

// The response log read by the OpenAPI conformance check (tests/conformance):
// with OMNIVIBE_RESPONSE_LOG naming a folder, every exchange is appended to
// responses-<pid>.jsonl there as one JSON line. Bodies that are not text
// (resource files) are logged by size only.
void record_exchange(std::string_view method, std::string_view target, const HttpResponse& r) {
    static const char* const folder = std::getenv("OMNIVIBE_RESPONSE_LOG");
    if (!folder || !*folder) return;
    json::Writer w;
    w.begin_object();
    w.key("method").string(to_valid_utf8(method));
    w.key("target").string(to_valid_utf8(target));
    w.key("status").integer(r.status);
    w.key("headers").begin_array();
    for (const auto& [k, v] : r.headers)
        w.begin_array().string(k).string(to_valid_utf8(v)).end_array();
    w.end_array();
    if (is_valid_utf8(r.body))
        w.key("body").string(r.body);
    else
        w.key("body_bytes").integer(static_cast<std::int64_t>(r.body.size()));
    w.end_object();
    static std::mutex mutex;
    const std::lock_guard lock(mutex);
    std::error_code ignored;  // a folder that cannot be made shows as a missing log
    std::filesystem::create_directories(folder, ignored);
    std::ofstream out(std::string(folder) + "/responses-" + std::to_string(::getpid()) + ".jsonl",
                      std::ios::app);
    out << w.view() << '\n';
}

}  // namespace

struct HttpClient::Impl {
    net::io_context ioc;
    std::string host;
    std::uint16_t port;
    bool recorded = true;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

    void connect() {
        stream.emplace(ioc);
        stream->expires_after(std::chrono::seconds(30));
        stream->connect(net::ip::tcp::endpoint(net::ip::make_address(host), port));
        buffer.clear();
    }
};

HttpClient::HttpClient(std::uint16_t port, std::string host) : impl_(std::make_unique<Impl>()) {
    impl_->host = std::move(host);
    impl_->port = port;
}

HttpClient::~HttpClient() = default;

void HttpClient::through_proxy() { impl_->recorded = false; }

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 std::string_view body, const Headers& headers) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, impl_->host);
    bool has_type = false;
    for (const auto& [k, v] : headers) {
        req.set(k, v);
        has_type = has_type || beast::iequals(k, "content-type");
    }
    if (!body.empty() && !has_type) req.set(bhttp::field::content_type, "application/json");
    req.body() = std::string(body);
    req.prepare_payload();

    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!impl_->stream) impl_->connect();
        beast::error_code ec;
        impl_->stream->expires_after(std::chrono::seconds(30));
        bhttp::write(*impl_->stream, req, ec);
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(1ULL << 32);
        if (method == "HEAD") parser.skip(true);  // a Content-Length without a body
        // A server may answer (413) and close before it read the whole body:
        // the answer is still there to read even though the write failed.
        const bool write_failed = static_cast<bool>(ec);
        ec = {};
        bhttp::read(*impl_->stream, impl_->buffer, parser, ec);
        if (ec && write_failed && attempt == 0) {
            impl_->stream.reset();
            continue;
        }
        if (ec) {
            // The server may have closed a kept-alive connection: retry once afresh.
            impl_->stream.reset();
            if (attempt == 0) continue;
            throw std::runtime_error("HTTP request failed: " + ec.message());
        }
        auto res = parser.release();
        HttpResponse out;
        out.status = static_cast<int>(res.result_int());
        for (const auto& f : res) out.headers.emplace_back(f.name_string(), f.value());
        out.body = std::move(res.body());
        if (!res.keep_alive()) impl_->stream.reset();
        if (impl_->recorded) record_exchange(method, target, out);
        return out;
    }
    throw std::runtime_error("unreachable");
}

std::string HttpClient::raw_exchange(std::uint16_t port, std::string_view bytes, int timeout_ms) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    beast::error_code ec;
    net::write(stream.socket(), net::buffer(bytes.data(), bytes.size()), ec);
    std::string out;
    char buf[4096];
    // The stream's expiry only bounds asynchronous reads, so read that way: a
    // stream that never ends (the change feed) is cut after timeout_ms of silence.
    for (;;) {
        stream.expires_after(std::chrono::milliseconds(timeout_ms));
        std::size_t n = 0;
        stream.async_read_some(net::buffer(buf), [&](beast::error_code e, std::size_t got) {
            ec = e;
            n = got;
        });
        ioc.restart();
        ioc.run();
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}

struct RawConnection::Impl {
    net::io_context ioc;
    net::ip::tcp::socket socket{ioc};
};

RawConnection::RawConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
    impl_->socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

RawConnection::~RawConnection() { close(); }

void RawConnection::send(std::string_view bytes) {
    net::write(impl_->socket, net::buffer(bytes.data(), bytes.size()));
}

void RawConnection::close() {
    beast::error_code ec;
    impl_->socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
    impl_->socket.close(ec);
}

HttpResponse HttpClient::send_expecting_continue(std::uint16_t port, std::string_view method,
                                                 std::string_view target, const Headers& headers,
                                                 std::string_view body, bool& continued) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    std::string head = std::string(method) + " " + std::string(target) +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n";
    for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    net::write(stream.socket(), net::buffer(head));

    // Either "100 Continue" or the final answer comes first.
    std::string first;
    net::read_until(stream.socket(), net::dynamic_buffer(first), "\r\n\r\n");
    continued = first.rfind("HTTP/1.1 100", 0) == 0;
    beast::flat_buffer buffer;
    std::string_view rest(first);
    if (continued) {
        rest.remove_prefix(rest.find("\r\n\r\n") + 4);
        net::write(stream.socket(), net::buffer(body.data(), body.size()));
    }
    if (!rest.empty()) {
        auto space = buffer.prepare(rest.size());
        std::memcpy(space.data(), rest.data(), rest.size());
        buffer.commit(rest.size());
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ULL << 32);
    bhttp::read(stream, buffer, parser);
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.emplace_back(f.name_string(), f.value());
    out.body = std::move(res.body());
    record_exchange(method, target, out);
    return out;
}

}  // namespace omnivibe::test
