#include "listener.hpp"

#include <boost/asio/strand.hpp>

#include "http_session.hpp"
#include "omnivibe/core/log.hpp"

namespace omnivibe::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, SessionContext& ctx)
    : ioc_(ioc), strand_(net::make_strand(ioc)), acceptor_(strand_), ctx_(ctx) {}

Status Listener::open(const tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    auto failed = [&](std::string_view what) {
        return Error::make(ErrorCode::unavailable,
                           "cannot " + std::string(what) + " " + endpoint.address().to_string() +
                               ":" + std::to_string(endpoint.port()) + ": " + ec.message());
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec) return failed("open");
    if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec)
        return failed("configure");
    if (acceptor_.bind(endpoint, ec); ec) return failed("bind");
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec)
        return failed("listen on");
    port_ = acceptor_.local_endpoint().port();
    return {};
}

void Listener::close() {
    net::post(strand_, [self = shared_from_this()] {
        boost::system::error_code ec;
        self->acceptor_.close(ec);
    });
}

void Listener::do_accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            self->on_accept(ec, std::move(socket));
        });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // Out of descriptors and the like: log, keep accepting.
        log::warn("accept failed: " + ec.message());
    } else if (ctx_.connections.load() >= ctx_.options.max_connections) {
        // Over the cap: a short, honest refusal instead of a silent hang.
        HttpSession::refuse(std::move(socket), ctx_);
    } else {
        std::make_shared<HttpSession>(std::move(socket), ctx_)->run();
    }
    do_accept();
}

}  // namespace omnivibe::http
