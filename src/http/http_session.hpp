#pragma once
// One HTTP/1.1 connection: read a request head (with a deadline), then its body,
// hand it to the dispatcher, write the answer, repeat while keep-alive. One
// request at a time per connection: pipelined requests wait in the socket
// buffer, which caps the pipelining queue at one.
//
// Bodies: once the head has arrived the dispatcher admits the request
// (Dispatcher::admit: the route is matched once, the token checked) and the
// route's declared body mode says how the body is taken: into memory, bounded by the JSON body
// limit, or streamed in 64 KiB pieces into the route's BodySink (uploads),
// bounded by the sink's limit, with a fresh deadline for each piece. A body
// that is refused before it is read (wrong type, too large, no such campaign)
// is answered before "100 Continue", so a client that asked never sends it.
// Every answer, a refused head included, goes out through the dispatcher,
// which logs and counts it. What the head alone decides (431, 400, a declared
// length over the limit) is in request_head.cpp, tested without sockets.
// Responses with a FileBody are streamed from disk the same way.

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "file_range_body.hpp"
#include "omnivibe/http/message.hpp"
#include "session_context.hpp"

namespace omnivibe::http {

struct FeedHandoff;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(boost::asio::ip::tcp::socket&& socket, SessionContext& ctx);
    ~HttpSession();
    void run();

    /// Answers 503 and closes a connection accepted over the connection cap
    /// (logged and counted like every answer).
    static void refuse(boost::asio::ip::tcp::socket&& socket, SessionContext& ctx);

  private:
    void do_read_header();
    void on_read_header(boost::beast::error_code ec, std::size_t);
    void on_read_body(boost::beast::error_code ec, std::size_t);
    void start_upload(std::uint64_t limit);
    void do_read_upload();
    void on_read_upload(boost::beast::error_code ec, std::size_t);
    void finish_upload();
    void dispatch(Request req);
    void reject(const Error& error);
    void send(Response resp);
    void send_file(Response resp);
    void do_write_file(bool keep_alive);
    void hand_over(Response resp, std::shared_ptr<FeedHandoff> feed);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t);
    void refuse_head(const Error& error);
    void take_on();
    void do_close();
    void drain_and_close();
    void drain_and_close_continue();

    using FileResponse = boost::beast::http::response<FileRangeBody>;
    using FileSerializer = boost::beast::http::response_serializer<FileRangeBody>;

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::buffer_body>>
        upload_parser_;
    std::optional<Request> pending_;      ///< the request whose head was read
    std::optional<Admission> admission_;  ///< what the dispatcher decided from its head
    std::shared_ptr<BodySink> sink_;      ///< where its body streams, for streaming routes
    std::unique_ptr<char[]> upload_buffer_;
    std::optional<InFlight> in_flight_;  ///< the request taken on, until its answer is written
    std::unique_ptr<FileResponse> file_response_;
    std::unique_ptr<FileSerializer> file_serializer_;
    SessionContext& ctx_;
    bool keep_alive_ = true;
    bool head_request_ = false;
    std::string remote_;
    bool drain_before_close_ = false;
    std::array<char, 8192> drain_buffer_{};
};

}  // namespace omnivibe::http
