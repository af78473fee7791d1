#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "omnivibe/core/log.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/http/errors.hpp"

namespace omnivibe::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;

// Beast reports these for clients that went away or timed out: normal, not errors.
bool is_quiet(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
           ec == beast::error::timeout || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == net::error::eof;
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, SessionContext& ctx)
    : stream_(std::move(socket)), ctx_(ctx) {
    ctx_.connections.fetch_add(1);
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
}

HttpSession::~HttpSession() { ctx_.connections.fetch_sub(1); }

void HttpSession::refuse(net::ip::tcp::socket&& socket) {
    static const std::string kBusy = [] {
        const std::string body =
            "{\"detail\":\"Too many connections; retry shortly.\",\"code\":\"unavailable\","
            "\"errors\":[],\"request_id\":\"-\"}";
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
               "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    auto sock = std::make_shared<net::ip::tcp::socket>(std::move(socket));
    net::async_write(*sock, net::buffer(kBusy), [sock](beast::error_code, std::size_t) {
        beast::error_code ignored;
        sock->shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    });
}

void HttpSession::run() {
    // Start on the connection's strand; everything else stays on it.
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::do_read_header, shared_from_this()));
}

void HttpSession::do_read_header() {
    if (ctx_.stopping.load()) return do_close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(ctx_.options.service.max_body_bytes);
    // The first read of a connection and each keep-alive wait get a deadline,
    // so idle and half-sent requests cannot hold a connection forever.
    stream_.expires_after(std::chrono::seconds(buffer_.size() ? ctx_.options.header_timeout_seconds
                                                              : ctx_.options.idle_timeout_seconds));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&HttpSession::on_read_header,
                                                       shared_from_this()));
}

void HttpSession::on_read_header(beast::error_code ec, std::size_t) {
    if (ec) {
        if (is_quiet(ec)) return do_close();
        if (ec == bhttp::error::header_limit)
            return reply_error_and_close(431, ErrorCode::malformed_json,
                                         "The request headers are too large.");
        if (ec == bhttp::error::body_limit)  // Content-Length above the limit
            return reply_error_and_close(413, ErrorCode::payload_too_large,
                                         "The body is larger than " +
                                             std::to_string(ctx_.options.service.max_body_bytes) +
                                             " bytes.");
        return reply_error_and_close(400, ErrorCode::malformed_json,
                                     "The request could not be parsed: " + ec.message() + ".");
    }
    auto& head = parser_->get();
    // A Transfer-Encoding that does not end in chunked leaves the body's end
    // unknown: reading it as empty would take the body for the next request
    // (request smuggling). RFC 9112 section 6.3: answer 400 and close.
    if (head.count(bhttp::field::transfer_encoding) && !parser_->chunked())
        return reply_error_and_close(400, ErrorCode::malformed_json,
                                     "Transfer-Encoding must end with chunked.");
    if (auto len = parser_->content_length(); len && *len > ctx_.options.service.max_body_bytes)
        return reply_error_and_close(413, ErrorCode::payload_too_large,
                                     "The body is larger than " +
                                         std::to_string(ctx_.options.service.max_body_bytes) +
                                         " bytes.");
    if (iequals(head[bhttp::field::expect], "100-continue")) {
        // Tell the client to go ahead (curl waits for this before large bodies).
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        beast::error_code wec;
        net::write(stream_.socket(), net::buffer(kContinue), wec);
        if (wec) return do_close();
    }
    if (parser_->is_done()) return dispatch_request();
    stream_.expires_after(std::chrono::seconds(ctx_.options.header_timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&HttpSession::on_read_body, shared_from_this()));
}

void HttpSession::on_read_body(beast::error_code ec, std::size_t) {
    if (ec) {
        if (ec == bhttp::error::body_limit)
            return reply_error_and_close(413, ErrorCode::payload_too_large,
                                         "The body is larger than " +
                                             std::to_string(ctx_.options.service.max_body_bytes) +
                                             " bytes.");
        if (is_quiet(ec) || ec == bhttp::error::partial_message) return do_close();
        return reply_error_and_close(400, ErrorCode::malformed_json,
                                     "The request body could not be read: " + ec.message() + ".");
    }
    dispatch_request();
}

void HttpSession::dispatch_request() {
    stream_.expires_never();
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    Request req;
    req.method = method_from_string(msg.method_string());
    head_request_ = req.method == Method::head;
    req.target = std::string(msg.target());
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    for (const auto& field : msg) req.headers.emplace_back(ascii_lower(field.name_string()), field.value());
    req.body = std::move(msg.body());
    req.remote = remote_;
    ctx_.in_flight.fetch_add(1);
    ctx_.dispatcher.dispatch(std::move(req), [self = shared_from_this()](Response resp) {
        // Handlers may answer from another thread (the writer): hop back.
        net::post(self->stream_.get_executor(),
                  [self, resp = std::move(resp)]() mutable { self->send(std::move(resp)); });
    });
}

void HttpSession::send(Response resp) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(resp.status));
    res->set(bhttp::field::server, "omnivibe");
    if (!resp.content_type.empty()) res->set(bhttp::field::content_type, resp.content_type);
    for (auto& [name, value] : resp.headers) res->insert(name, value);
    const bool keep = keep_alive_ && !ctx_.stopping.load();
    res->keep_alive(keep);
    const auto length = resp.body.size();
    if (!head_request_) res->body() = std::move(resp.body);
    res->content_length(length);
    stream_.expires_after(std::chrono::seconds(ctx_.options.idle_timeout_seconds));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t n) {
                           self->on_write(keep, ec, n);
                       });
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    ctx_.in_flight.fetch_sub(1);
    if (!ec && drain_before_close_) return drain_and_close();
    if (ec || !keep_alive) return do_close();
    do_read_header();
}

void HttpSession::reply_error_and_close(int status, ErrorCode code, std::string detail) {
    keep_alive_ = false;
    drain_before_close_ = true;
    head_request_ = false;
    const std::string request_id = make_request_id({});
    Response resp = error_response(Error::make(code, std::move(detail)), request_id);
    resp.set("X-Request-Id", request_id);
    resp.status = status;
    ctx_.in_flight.fetch_add(1);
    send(std::move(resp));
}

// After refusing a request whose body is still arriving, read and discard for
// a short while before closing: closing a socket with unread data sends a
// reset, which can destroy the error response before the client reads it.
void HttpSession::drain_and_close() {
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code e, std::size_t) {
                                if (!e) self->drain_and_close_continue();
                            });
}

void HttpSession::drain_and_close_continue() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code e, std::size_t) {
                                if (!e) self->drain_and_close_continue();
                            });
}

void HttpSession::do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace omnivibe::http
