#pragma once
// Accepts TCP connections, each onto its own strand, and starts an HttpSession.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "omnivibe/core/result.hpp"
#include "session_context.hpp"

namespace omnivibe::http {

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(boost::asio::io_context& ioc, SessionContext& ctx);
    /// Opens, binds and listens; errors are values.
    Status open(const boost::asio::ip::tcp::endpoint& endpoint);
    void run() { do_accept(); }
    /// Stops accepting (posted to the acceptor's strand).
    void close();
    std::uint16_t port() const { return port_; }

  private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::ip::tcp::acceptor acceptor_;
    SessionContext& ctx_;
    std::uint16_t port_ = 0;
};

}  // namespace omnivibe::http
