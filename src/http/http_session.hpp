#pragma once
// One HTTP/1.1 connection: read a request head (with a deadline), then its body
// (with a size limit), hand it to the dispatcher, write the answer, repeat
// while keep-alive. One request at a time per connection: pipelined requests
// wait in the socket buffer, which caps the pipelining queue at one.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <array>
#include <optional>

#include "omnivibe/http/message.hpp"
#include "session_context.hpp"

namespace omnivibe::http {

struct FeedHandoff;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(boost::asio::ip::tcp::socket&& socket, SessionContext& ctx);
    ~HttpSession();
    void run();

    /// Answers 503 and closes a connection accepted over the connection cap.
    static void refuse(boost::asio::ip::tcp::socket&& socket);

private:
    void do_read_header();
    void on_read_header(boost::beast::error_code ec, std::size_t);
    void on_read_body(boost::beast::error_code ec, std::size_t);
    void dispatch_request();
    void send(Response resp);
    void hand_over(Response resp, std::shared_ptr<FeedHandoff> feed);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t);
    void reply_error_and_close(int status, ErrorCode code, std::string detail);
    void do_close();
    void drain_and_close();
    void drain_and_close_continue();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    SessionContext& ctx_;
    bool keep_alive_ = true;
    bool head_request_ = false;
    std::string remote_;
    bool drain_before_close_ = false;
    std::array<char, 8192> drain_buffer_{};
};

}  // namespace omnivibe::http
