// The limits that protect the service: timeouts, the header limit, the
// connection cap, the response cache's size (SPEC section 5).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "integration/api_helpers.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

BOOST_AUTO_TEST_SUITE(connection_limits)

namespace net = boost::asio;
using tcp = net::ip::tcp;

// True when the server closes the socket (EOF or reset) within `seconds`.
bool closed_by_server(tcp::socket& sock, int seconds) {
    sock.non_blocking(false);
    timeval tv{seconds, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512];
    boost::system::error_code ec;
    for (;;) {
        sock.read_some(net::buffer(buf), ec);
        if (ec == net::error::eof || ec == net::error::connection_reset) return true;
        if (ec) return false;  // timed out: still open
    }
}

BOOST_AUTO_TEST_CASE(idle_and_half_sent_connections_time_out_while_others_are_served) {
    TempDir dir;
    ServerProcess p(fresh_store(dir.file("db")), dir.file("up"),
                    {"--header-timeout", "1", "--idle-timeout", "1", "--max-connections", "2000"});
    net::io_context ioc;
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), p.port());
    std::vector<tcp::socket> idle;
    for (int i = 0; i < 500; ++i) {
        idle.emplace_back(ioc);
        idle.back().connect(ep);
    }
    tcp::socket half(ioc);
    half.connect(ep);
    net::write(half,
               net::buffer(std::string(
                   "POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"na")));
    HttpClient c(p.port());
    BOOST_TEST(c.post("/api/v1/clients", R"({"name":"served"})").status == 201);
    BOOST_TEST(closed_by_server(half, 15));
    int closed = 0;
    for (auto& sock : idle) closed += closed_by_server(sock, 15) ? 1 : 0;
    BOOST_TEST(closed == 500);
    BOOST_TEST(HttpClient(p.port()).get("/api/v1/clients").status == 200);
    // The half-sent request wrote nothing.
    BOOST_TEST(json_int(HttpClient(p.port()).get("/api/v1/clients").body, "/total") == 1);
}

BOOST_AUTO_TEST_CASE(the_header_limit_is_configurable_and_answered_431) {
    TempDir dir;
    ServerProcess p(fresh_store(dir.file("db")), dir.file("up"), {"--max-header-kb", "2"});
    const std::string small =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(1000, 'a') +
        "\r\nConnection: close\r\n\r\n";
    BOOST_TEST(HttpClient::raw_exchange(p.port(), small).rfind("HTTP/1.1 200", 0) == 0);
    const std::string big = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'a') +
                            "\r\nConnection: close\r\n\r\n";
    const std::string answer = HttpClient::raw_exchange(p.port(), big);
    BOOST_TEST(answer.rfind("HTTP/1.1 431", 0) == 0, answer);
    // Out of range is a usage error at start.
    check_server_refuses("--max-header-kb 0 --port 0 --db " + dir.file("x.db"), "--max-header-kb");
}

BOOST_AUTO_TEST_CASE(the_response_cache_can_be_turned_off) {
    TempDir dir;
    ServerProcess p(fresh_store(dir.file("db")), dir.file("up"), {"--response-cache-mb", "0"});
    HttpClient c(p.port());
    BOOST_REQUIRE(c.post("/api/v1/clients", R"({"name":"Acme"})").status == 201);
    const auto first = c.get("/api/v1/clients/1");
    const auto again = c.get("/api/v1/clients/1");
    BOOST_TEST(again.body == first.body);
    BOOST_TEST(c.get("/api/v1/clients").status == 200);
    BOOST_TEST(c.get("/api/v1/clients").status == 200);
    const std::string metrics = c.get("/metrics").body;
    BOOST_TEST(metrics.find("\nomnivibe_response_cache_hits_total 0\n") != std::string::npos,
               metrics);
    check_server_refuses("--response-cache-mb 5000 --port 0 --db " + dir.file("x.db"),
                         "--response-cache-mb");
}

BOOST_AUTO_TEST_CASE(the_connection_cap_answers_503_and_closes) {
    TempDir dir;
    ServerProcess p(fresh_store(dir.file("db")), dir.file("up"), {"--max-connections", "20"});
    net::io_context ioc;
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), p.port());
    std::vector<tcp::socket> held;
    for (int i = 0; i < 20; ++i) {
        held.emplace_back(ioc);
        held.back().connect(ep);
    }
    // Let the server accept all twenty before the next one knocks.
    const std::string refused =
        HttpClient::raw_exchange(p.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    BOOST_TEST(refused.find("503") != std::string::npos);
    // Answered through the one way out, as every response: an id to quote, a retry hint.
    BOOST_TEST(refused.find("X-Request-Id: ") != std::string::npos, refused);
    BOOST_TEST(refused.find("Retry-After: 1") != std::string::npos, refused);
    held.clear();
    bool served = false;
    for (int attempt = 0; attempt < 100 && !served; ++attempt) {
        served = HttpClient::raw_exchange(
                     p.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                     .find("200 OK") != std::string::npos;
        if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_TEST(served);
}

BOOST_AUTO_TEST_SUITE_END()
