// omnivibe-bare-server: the ceiling the GET figures are quoted against. A
// minimal Beast server with the threading model of omnivibe-server (one
// io_context run by N threads, every connection on its own strand, keep-alive
// HTTP/1.1 with a deadline per read) that answers every request with the
// same ~600-byte JSON body and headers like a campaign GET's. Whatever
// omnivibe-server does beyond this (routing, SQLite, JSON, logging) is what
// the ratio measures.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace po = boost::program_options;
using tcp = net::ip::tcp;

namespace {

// The size and shape of GET /api/v1/campaigns/{id} for a seeded campaign.
constexpr std::string_view kBody =
    R"({"id":4711,"client_id":17,"name":"Seed campaign 4711","description":"Seeded by )"
    R"(omnivibe-loadgen run k3v9xq2m for the benchmark; a description of ordinary length, )"
    R"(like the ones the planners write.","status":"draft","concept_gender":null,)"
    R"("concept_tone":"friendly","concept_style":null,"target_duration":45,"voice_id":null,)"
    R"("voice_name":null,"bgm_volume":0.25,"auto_deploy":false,"start_date":null,)"
    R"("end_date":null,"intro_video_path":null,"intro_duration":null,)"
    R"("outro_video_path":null,"outro_duration":null,"bgm_path":null,"version":1,)"
    R"("created_at":"2026-02-02T10:30:00.000Z","updated_at":"2026-02-02T10:30:00.000Z",)"
    R"("content_count":0})";

class Session : public std::enable_shared_from_this<Session> {
  public:
    explicit Session(tcp::socket&& socket) : stream_(std::move(socket)) {}

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&Session::do_read, shared_from_this()));
    }

  private:
    void do_read() {
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        parser_->body_limit(1 << 20);
        stream_.expires_after(std::chrono::seconds(60));
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return do_close();
        const bool keep_alive = parser_->get().keep_alive();
        auto res = std::make_shared<bhttp::response<bhttp::string_body>>(bhttp::status::ok, 11);
        res->set(bhttp::field::server, "omnivibe");
        res->set(bhttp::field::content_type, "application/json");
        res->set(bhttp::field::etag, "\"1\"");
        res->set("X-Event-Seq", "10100");
        res->set("X-Request-Id", "0123456789abcdef");
        res->keep_alive(keep_alive);
        res->body() = std::string(kBody);
        res->prepare_payload();
        bhttp::async_write(
            stream_, *res,
            [self = shared_from_this(), res, keep_alive](beast::error_code wec, std::size_t) {
                if (wec || !keep_alive) return self->do_close();
                self->do_read();
            });
    }

    void do_close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
};

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(net::io_context& ioc, const tcp::endpoint& endpoint)
        : ioc_(ioc), acceptor_(net::make_strand(ioc)) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void run() { do_accept(); }

  private:
    void do_accept() {
        acceptor_.async_accept(net::make_strand(ioc_),
                               [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                                   if (ec == net::error::operation_aborted) return;
                                   if (!ec) std::make_shared<Session>(std::move(s))->run();
                                   self->do_accept();
                               });
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    unsigned port = 0, threads = 0;
    po::options_description desc(
        "Usage: omnivibe-bare-server [options]\n\n"
        "A bare Beast server answering every request with one fixed ~600-byte JSON body,\n"
        "with the threading model of omnivibe-server: the ceiling for GET benchmarks.\n\n"
        "Options");
    desc.add_options()("help,h", "show this help and exit")(
        "host", po::value(&host)->default_value(host), "loopback address to listen on")(
        "port", po::value(&port)->default_value(port), "TCP port (0 picks a free one)")(
        "threads", po::value(&threads)->default_value(threads), "threads (0: one per core)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "omnivibe-bare-server: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    if (port > 65535 || !(host == "::1" || host.rfind("127.", 0) == 0)) {
        std::cerr << "omnivibe-bare-server: --host must be a loopback address, --port 0..65535\n";
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    net::io_context ioc(static_cast<int>(threads));
    std::shared_ptr<Listener> listener;
    try {
        listener = std::make_shared<Listener>(
            ioc, tcp::endpoint(net::ip::make_address(host), static_cast<std::uint16_t>(port)));
    } catch (const std::exception& e) {
        std::cerr << "omnivibe-bare-server: cannot listen on " << host << ":" << port << ": "
                  << e.what() << "\n";
        return 1;
    }
    listener->run();
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });
    std::cout << "omnivibe-bare-server listening on http://" << host << ":" << listener->port()
              << " (" << threads << " threads)" << std::endl;
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    return 0;
}
