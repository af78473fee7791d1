#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <utility>

#include "feed_handoff.hpp"
#include "omnivibe/core/log.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/http/errors.hpp"
#include "request_head.hpp"
#include "sse_session.hpp"

namespace omnivibe::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

using StringResponse = bhttp::response<bhttp::string_body>;

// Our Response as Beast's message, headers first; a HEAD answer keeps the
// length of the body it leaves out.
std::shared_ptr<StringResponse> to_message(Response&& resp, bool keep_alive, bool head_only) {
    auto res = std::make_shared<StringResponse>();
    res->version(11);
    res->result(static_cast<unsigned>(resp.status));
    res->set(bhttp::field::server, "omnivibe");
    if (!resp.content_type.empty()) res->set(bhttp::field::content_type, resp.content_type);
    for (auto& [name, value] : resp.headers) res->insert(name, value);
    res->keep_alive(keep_alive);
    const auto length = resp.file ? resp.file->length : resp.body.size();
    if (!head_only) res->body() = std::move(resp.body);
    res->content_length(length);
    return res;
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

void HttpSession::refuse(net::ip::tcp::socket&& socket, SessionContext& ctx) {
    auto sock = std::make_shared<net::ip::tcp::socket>(std::move(socket));
    Request req;  // nothing of it is read: the answer comes first
    req.method = Method::other;
    beast::error_code ec;
    if (auto ep = sock->remote_endpoint(ec); !ec) req.remote = ep.address().to_string();
    ctx.dispatcher.reject(
        std::move(req),
        Error::make(ErrorCode::unavailable, "too many connections (the cap is " +
                                                std::to_string(ctx.options.max_connections) + ")"),
        [sock](Response resp) {
            auto res = to_message(std::move(resp), false, false);
            bhttp::async_write(*sock, *res, [sock, res](beast::error_code, std::size_t) {
                beast::error_code ignored;
                sock->shutdown(net::ip::tcp::socket::shutdown_both, ignored);
            });
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
    // No body limit yet: which one applies depends on the route, known only
    // once the head has arrived (on_read_header sets it).
    prepare_head_parser(*parser_, ctx_.options.max_header_bytes);
    // The first read of a connection and each keep-alive wait get a deadline,
    // so idle and half-sent requests cannot hold a connection forever.
    stream_.expires_after(std::chrono::seconds(buffer_.size() ? ctx_.options.header_timeout_seconds
                                                              : ctx_.options.idle_timeout_seconds));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&HttpSession::on_read_header, shared_from_this()));
}

void HttpSession::on_read_header(beast::error_code ec, std::size_t) {
    if (ec && client_went_away(ec)) return do_close();
    if (auto refusal = refusal_of_head(ec, *parser_)) return refuse_head(*refusal);
    const auto& head = parser_->get();
    keep_alive_ = head.keep_alive();
    pending_ = request_from_head(*parser_, remote_);
    head_request_ = pending_->method == Method::head;

    // The route decides where the body goes, before a byte of it is read.
    auto admitted = ctx_.dispatcher.admit(*pending_);
    if (!admitted) return reject(admitted.error());
    admission_ = std::move(admitted).value();
    sink_ = admission_->take_sink();
    const std::uint64_t limit = sink_ ? sink_->limit() : ctx_.options.service.max_body_bytes;
    if (auto refusal = refusal_of_length(*parser_, limit)) return reject(*refusal);

    if (iequals(head[bhttp::field::expect], "100-continue")) {
        // Tell the client to go ahead (curl waits for this before large bodies).
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        beast::error_code wec;
        net::write(stream_.socket(), net::buffer(kContinue), wec);
        if (wec) return do_close();
    }
    if (sink_) return start_upload(limit);
    parser_->body_limit(limit);  // for chunked bodies; a Content-Length was checked above
    if (parser_->is_done()) return on_read_body({}, 0);
    stream_.expires_after(std::chrono::seconds(ctx_.options.header_timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&HttpSession::on_read_body, shared_from_this()));
}

void HttpSession::on_read_body(beast::error_code ec, std::size_t) {
    if (ec) {
        if (ec == bhttp::error::body_limit)
            return reject(body_too_large(ctx_.options.service.max_body_bytes));
        if (client_went_away(ec) || ec == bhttp::error::partial_message) return do_close();
        return reject(Error::make(ErrorCode::bad_request,
                                  "The request body could not be read: " + ec.message() + "."));
    }
    stream_.expires_never();
    Request req = std::move(*pending_);
    pending_.reset();
    req.body = std::move(parser_->get().body());
    parser_.reset();
    dispatch(std::move(req));
}

// ---- streamed bodies (uploads) -------------------------------------------------

namespace {
constexpr std::size_t kUploadChunk = 64 * 1024;
}

void HttpSession::start_upload(std::uint64_t limit) {
    // The head is parsed; the same parser continues with a body that lands in
    // our fixed buffer, one piece at a time.
    upload_parser_.emplace(std::move(*parser_));
    parser_.reset();
    upload_parser_->body_limit(limit);
    upload_buffer_.reset(new char[kUploadChunk]);
    // An upload under way is a request the server accepted: graceful shutdown
    // waits for it (within its grace period) like for any other.
    take_on();
    do_read_upload();
}

void HttpSession::do_read_upload() {
    if (upload_parser_->is_done()) return finish_upload();  // an empty body
    auto& body = upload_parser_->get().body();
    body.data = upload_buffer_.get();
    body.size = kUploadChunk;
    body.more = true;
    // A deadline per piece: a large upload may take long, a stalled one may not.
    stream_.expires_after(std::chrono::seconds(ctx_.options.header_timeout_seconds));
    bhttp::async_read(stream_, buffer_, *upload_parser_,
                      beast::bind_front_handler(&HttpSession::on_read_upload, shared_from_this()));
}

void HttpSession::on_read_upload(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
        if (ec == bhttp::error::body_limit) return reject(body_too_large(sink_->limit()));
        // The client went away mid-upload: dropping the sink drops what it wrote.
        if (client_went_away(ec) || ec == bhttp::error::partial_message) {
            sink_.reset();
            in_flight_.reset();
            return do_close();
        }
        return reject(Error::make(ErrorCode::bad_request,
                                  "The request body could not be read: " + ec.message() + "."));
    }
    const std::size_t got = kUploadChunk - upload_parser_->get().body().size;
    if (got > 0)
        if (auto st = sink_->write(std::string_view(upload_buffer_.get(), got)); !st)
            return reject(st.error());
    do_read_upload();
}

void HttpSession::finish_upload() {
    if (auto st = sink_->finish(); !st) return reject(st.error());
    stream_.expires_never();
    upload_parser_.reset();
    upload_buffer_.reset();
    Request req = std::move(*pending_);
    pending_.reset();
    req.body_sink = std::move(sink_);
    dispatch(std::move(req));
}

// ---- answers -------------------------------------------------------------------

// Counts the request as in flight (once, whichever way it is then answered).
void HttpSession::take_on() {
    if (!in_flight_) in_flight_.emplace(ctx_.in_flight);
}

void HttpSession::dispatch(Request req) {
    take_on();
    Admission admission = std::move(*admission_);
    admission_.reset();
    ctx_.dispatcher.dispatch(
        std::move(req), std::move(admission), [self = shared_from_this()](Response resp) {
            // Handlers may answer from another thread (the writer): hop back.
            net::post(self->stream_.get_executor(),
                      [self, resp = std::move(resp)]() mutable { self->send(std::move(resp)); });
        });
}

// Refuses the request whose head was read, without reading (the rest of) its
// body; the connection closes after the answer.
void HttpSession::reject(const Error& error) {
    keep_alive_ = false;
    drain_before_close_ = true;
    head_request_ = false;
    sink_.reset();  // an upload refused midway leaves nothing behind
    upload_parser_.reset();
    upload_buffer_.reset();
    stream_.expires_never();
    Request req = std::move(*pending_);
    pending_.reset();
    admission_.reset();
    take_on();
    ctx_.dispatcher.reject(std::move(req), error, [self = shared_from_this()](Response resp) {
        net::post(self->stream_.get_executor(),
                  [self, resp = std::move(resp)]() mutable { self->send(std::move(resp)); });
    });
}

void HttpSession::send(Response resp) {
    if (resp.stream && !head_request_) {
        if (auto feed = std::dynamic_pointer_cast<FeedHandoff>(resp.stream)) {
            return hand_over(std::move(resp), std::move(feed));
        }
    }
    if (resp.file && !head_request_) return send_file(std::move(resp));
    const bool keep = keep_alive_ && !ctx_.stopping.load();
    auto res = to_message(std::move(resp), keep, head_request_);
    stream_.expires_after(std::chrono::seconds(ctx_.options.idle_timeout_seconds));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t n) {
                           self->on_write(keep, ec, n);
                       });
}

void HttpSession::send_file(Response resp) {
    const FileBody file = std::move(*resp.file);
    file_response_ = std::make_unique<FileResponse>();
    beast::error_code ec;
    file_response_->body().open(file.path, file.offset, file.length, ec);
    if (ec) {
        file_response_.reset();
        const std::string request_id(resp.header("X-Request-Id"));
        Response err = error_response(
            Error::make(ErrorCode::internal, "cannot read " + file.path + ": " + ec.message()),
            request_id);
        err.set("X-Request-Id", request_id);
        return send(std::move(err));
    }
    auto& res = *file_response_;
    res.version(11);
    res.result(static_cast<unsigned>(resp.status));
    res.set(bhttp::field::server, "omnivibe");
    if (!resp.content_type.empty()) res.set(bhttp::field::content_type, resp.content_type);
    for (auto& [name, value] : resp.headers) res.insert(name, value);
    const bool keep = keep_alive_ && !ctx_.stopping.load();
    res.keep_alive(keep);
    res.content_length(file.length);
    file_serializer_ = std::make_unique<FileSerializer>(res);
    do_write_file(keep);
}

// Writes a file response piece by piece, with a fresh deadline for each piece:
// a large file to a slow client may take long, a stalled client may not.
void HttpSession::do_write_file(bool keep_alive) {
    stream_.expires_after(std::chrono::seconds(ctx_.options.idle_timeout_seconds));
    bhttp::async_write_some(
        stream_, *file_serializer_,
        [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t n) {
            if (!ec && !self->file_serializer_->is_done()) return self->do_write_file(keep_alive);
            self->file_serializer_.reset();
            self->file_response_.reset();
            self->on_write(keep_alive, ec, n);
        });
}

// The change feed takes the connection over: its head goes out chunked and
// without a length, and this session ends here (the SSE session owns the
// socket from now on and counts itself among the connections).
void HttpSession::hand_over(Response resp, std::shared_ptr<FeedHandoff> feed) {
    in_flight_.reset();  // the request is answered; the stream is not a request
    auto head = std::make_unique<SseSession::Head>(static_cast<bhttp::status>(resp.status), 11);
    head->set(bhttp::field::server, "omnivibe");
    if (!resp.content_type.empty()) head->set(bhttp::field::content_type, resp.content_type);
    for (auto& [name, value] : resp.headers) head->insert(name, value);
    head->keep_alive(false);  // the connection closes when the stream ends
    head->chunked(true);
    std::make_shared<SseSession>(std::move(stream_), ctx_, std::move(feed))->run(std::move(head));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    in_flight_.reset();
    if (!ec && drain_before_close_) return drain_and_close();
    if (ec || !keep_alive) return do_close();
    do_read_header();
}

// Answers a request whose head did not parse (or whose framing cannot be
// trusted) and closes: what follows on the connection cannot be read as requests.
void HttpSession::refuse_head(const Error& error) {
    // Whatever of the head did parse names the request in the log (OTHER and
    // no path when not even the request line did).
    pending_ = request_from_head(*parser_, remote_);
    reject(error);
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
