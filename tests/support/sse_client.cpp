#include "support/sse_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <stdexcept>

namespace omnivibe::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

std::int64_t SseEvent::seq() const {
    std::int64_t v = -1;
    if (!has_id) return -1;
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    return ec == std::errc() && p == id.data() + id.size() ? v : -1;
}

struct SseClient::Impl {
    net::io_context ioc;
    beast::tcp_stream stream{ioc};
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::buffer_body> parser;
    std::vector<std::pair<std::string, std::string>> headers;
    int status = 0;
    std::string body;  // error bodies
    std::string text;  // stream bytes not yet split into events
    std::string last_id;
    std::optional<int> retry;
    bool ended = false;
    bool clean = false;
    bool timed_out = false;
    char chunk[16 * 1024];

    // Runs one asynchronous step to completion (or to the deadline).
    template <class Start>
    beast::error_code run(Clock::time_point deadline, Start start) {
        beast::error_code result;
        stream.expires_at(deadline);
        start([&result](beast::error_code ec, std::size_t) { result = ec; });
        ioc.restart();
        ioc.run();
        if (result == beast::error::timeout) timed_out = true;
        return result;
    }

    // Reads more body bytes into `text`; false when the stream is over.
    bool read_more(Clock::time_point deadline) {
        if (ended) return false;
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        auto ec = run(deadline, [&](auto handler) {
            bhttp::async_read_some(stream, buffer, parser, std::move(handler));
        });
        text.append(chunk, sizeof chunk - parser.get().body().size);
        if (ec == bhttp::error::need_buffer) ec = {};
        if (parser.is_done()) {
            ended = true;
            clean = true;
        } else if (ec) {
            ended = true;
        }
        return !ended || !text.empty();
    }

    // Splits one complete event off `text`, if there is one.
    std::optional<SseEvent> split_event() {
        for (;;) {
            const auto end = text.find("\n\n");
            if (end == std::string::npos) return std::nullopt;
            const std::string block = text.substr(0, end);
            text.erase(0, end + 2);
            SseEvent ev;
            bool has_data = false;
            std::size_t pos = 0;
            while (pos <= block.size()) {
                auto eol = block.find('\n', pos);
                if (eol == std::string::npos) eol = block.size();
                std::string_view line(block.data() + pos, eol - pos);
                pos = eol + 1;
                const auto colon = line.find(':');
                std::string_view field = line.substr(0, colon);
                std::string_view value =
                    colon == std::string_view::npos ? "" : line.substr(colon + 1);
                if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                if (field == "event")
                    ev.event = value;
                else if (field == "id") {
                    ev.id = value;
                    ev.has_id = true;
                    last_id = ev.id;
                } else if (field == "retry")
                    retry = std::atoi(std::string(value).c_str());
                else if (field == "data") {
                    if (has_data) ev.data += '\n';
                    ev.data += value;
                    has_data = true;
                }
            }
            if (has_data) return ev;  // a block without data (retry only) dispatches nothing
        }
    }
};

SseClient::SseClient(std::uint16_t port, std::string target)
    : SseClient(port, std::move(target), Options{}) {}

SseClient::SseClient(std::uint16_t port, std::string target, Options options)
    : impl_(std::make_unique<Impl>()) {
    Impl& s = *impl_;
    const auto deadline = Clock::now() + options.timeout;
    const net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    s.stream.socket().open(ep.protocol());
    if (options.receive_buffer > 0)
        s.stream.socket().set_option(net::socket_base::receive_buffer_size(options.receive_buffer));
    if (auto ec = s.run(deadline, [&](auto h) {
            s.stream.async_connect(ep, [h](beast::error_code e) { h(e, 0); });
        }))
        throw std::runtime_error("SSE connect failed: " + ec.message());

    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::accept, "text/event-stream");
    for (const auto& [k, v] : options.headers) req.set(k, v);
    if (auto ec = s.run(deadline, [&](auto h) { bhttp::async_write(s.stream, req, std::move(h)); }))
        throw std::runtime_error("SSE request failed: " + ec.message());

    s.parser.body_limit(boost::none);
    if (auto ec = s.run(deadline, [&](auto h) {
            bhttp::async_read_header(s.stream, s.buffer, s.parser, std::move(h));
        }))
        throw std::runtime_error("SSE response head not received: " + ec.message());
    s.status = static_cast<int>(s.parser.get().result_int());
    for (const auto& f : s.parser.get()) s.headers.emplace_back(f.name_string(), f.value());
    if (s.status != 200) {
        // An error answer: read its (small) body whole.
        while (s.read_more(deadline) && !s.ended) {
        }
        s.body = std::move(s.text);
        s.text.clear();
        s.ended = true;
    }
}

SseClient::~SseClient() = default;
SseClient::SseClient(SseClient&&) noexcept = default;
SseClient& SseClient::operator=(SseClient&&) noexcept = default;

int SseClient::status() const { return impl_->status; }

std::string SseClient::header(std::string_view name) const {
    for (const auto& [k, v] : impl_->headers)
        if (beast::iequals(k, name)) return v;
    return {};
}

const std::string& SseClient::body() const { return impl_->body; }

std::optional<SseEvent> SseClient::next(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto ev = impl_->split_event()) return ev;
        if (impl_->ended) return std::nullopt;
        impl_->read_more(deadline);
    }
}

std::vector<SseEvent> SseClient::read_through(std::int64_t seq, std::chrono::milliseconds timeout) {
    std::vector<SseEvent> out;
    while (auto ev = next(timeout)) {
        const bool last = ev->seq() >= seq;
        out.push_back(std::move(*ev));
        if (last) break;
    }
    return out;
}

std::optional<int> SseClient::retry() const { return impl_->retry; }
const std::string& SseClient::last_event_id() const { return impl_->last_id; }
bool SseClient::ended() const {
    return impl_->ended && impl_->text.find("\n\n") == std::string::npos;
}
bool SseClient::ended_cleanly() const { return impl_->clean; }
bool SseClient::timed_out() const { return impl_->timed_out; }

void SseClient::close() {
    beast::error_code ec;
    impl_->stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    impl_->stream.socket().close(ec);
    impl_->ended = true;
}

}  // namespace omnivibe::test
