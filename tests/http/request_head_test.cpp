#include "http/request_head.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/test/unit_test.hpp>
#include <string>

#include "omnivibe/http/errors.hpp"

using namespace omnivibe;
using namespace omnivibe::http;

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// A connection without a socket: what the client sent waits in the server
// end of a beast::test::stream, then the client closes. Heads are read as the
// HTTP session reads them (same parser set-up, same buffer across requests).
struct Connection {
    boost::asio::io_context ioc;
    beast::test::stream server{ioc};
    beast::test::stream client{ioc};
    beast::flat_buffer buffer;

    explicit Connection(std::string_view bytes) {
        server.connect(client);
        server.append(bytes);
        client.close();
    }

    beast::error_code read_head(HeadParser& parser, std::size_t max_header_bytes = 16 * 1024) {
        prepare_head_parser(parser, max_header_bytes);
        beast::error_code ec;
        bhttp::read_header(server, buffer, parser, ec);
        return ec;
    }

    beast::error_code read_body(HeadParser& parser, std::uint64_t limit) {
        parser.body_limit(limit);
        beast::error_code ec;
        bhttp::read(server, buffer, parser, ec);
        return ec;
    }
};

ErrorCode refusal_code(std::string_view bytes, std::size_t max_header_bytes = 16 * 1024) {
    Connection c(bytes);
    HeadParser p;
    const auto ec = c.read_head(p, max_header_bytes);
    BOOST_REQUIRE(!client_went_away(ec));
    auto refusal = refusal_of_head(ec, p);
    BOOST_REQUIRE(refusal.has_value());
    return refusal->code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_head)

BOOST_AUTO_TEST_CASE(headers_over_the_limit_are_431_header_too_large) {
    const std::string head =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'a') + "\r\n\r\n";
    BOOST_TEST(refusal_code(head, 2048) == ErrorCode::header_too_large);
    BOOST_TEST(status_of(ErrorCode::header_too_large) == 431);
    // The same head under a larger limit is fine.
    Connection c(head);
    HeadParser p;
    const auto ec = c.read_head(p, 4096);
    BOOST_TEST(!refusal_of_head(ec, p).has_value());
}

BOOST_AUTO_TEST_CASE(a_head_that_does_not_parse_is_400_bad_request) {
    BOOST_TEST(refusal_code("NOT HTTP AT ALL\r\n\r\n") == ErrorCode::bad_request);
    BOOST_TEST(refusal_code("GET / HTTP/1.1\r\nNo colon here\r\n\r\n") == ErrorCode::bad_request);
    // Cut off in the middle of the head, then the client closed.
    BOOST_TEST(refusal_code("GET /healthz HTTP/1.1\r\nHost: x\r\n") == ErrorCode::bad_request);
    BOOST_TEST(status_of(ErrorCode::bad_request) == 400);
}

BOOST_AUTO_TEST_CASE(a_client_that_leaves_before_sending_anything_is_not_refused) {
    Connection c("");
    HeadParser p;
    BOOST_TEST(client_went_away(c.read_head(p)));
}

BOOST_AUTO_TEST_CASE(a_transfer_encoding_not_ending_in_chunked_is_refused) {
    BOOST_TEST(refusal_code("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") ==
               ErrorCode::bad_request);
    Connection c(
        "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    HeadParser p;
    const auto ec = c.read_head(p);
    BOOST_TEST(!refusal_of_head(ec, p).has_value());
}

BOOST_AUTO_TEST_CASE(a_declared_length_over_the_limit_is_413_before_the_body) {
    Connection c("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n");
    HeadParser p;
    BOOST_REQUIRE(!refusal_of_head(c.read_head(p), p).has_value());
    auto refusal = refusal_of_length(p, 1000);
    BOOST_REQUIRE(refusal.has_value());
    BOOST_TEST(refusal->code == ErrorCode::payload_too_large);
    BOOST_TEST(!refusal_of_length(p, 1001).has_value());
}

BOOST_AUTO_TEST_CASE(a_chunked_body_over_the_limit_stops_at_the_limit) {
    Connection c(
        "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "8\r\n" +
        std::string(8, 'b') + "\r\n0\r\n\r\n");
    HeadParser p;
    BOOST_REQUIRE(!refusal_of_head(c.read_head(p), p).has_value());
    BOOST_TEST(!refusal_of_length(p, 4).has_value());  // no length declared
    BOOST_TEST((c.read_body(p, 4) == bhttp::error::body_limit));
}

BOOST_AUTO_TEST_CASE(pipelined_requests_wait_in_the_buffer_and_are_read_one_at_a_time) {
    Connection c(
        "POST /a?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nX-Request-Id: r1\r\n\r\nabc"
        "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    HeadParser first;
    BOOST_REQUIRE(!refusal_of_head(c.read_head(first), first).has_value());
    const Request a = request_from_head(first, "10.0.0.1");
    BOOST_TEST(a.path == "/a");
    BOOST_TEST(a.query == "x=1");
    BOOST_TEST(a.header("x-request-id") == "r1");
    BOOST_TEST(a.remote == "10.0.0.1");
    BOOST_TEST(!c.read_body(first, 100));
    BOOST_TEST(first.get().body() == "abc");
    // The second request was already read from the socket; it is parsed from
    // the buffer only after the first is done.
    BOOST_TEST(c.buffer.size() > 0u);
    HeadParser second;
    BOOST_REQUIRE(!refusal_of_head(c.read_head(second), second).has_value());
    const Request b = request_from_head(second, "10.0.0.1");
    BOOST_TEST((b.method == Method::get));
    BOOST_TEST(b.path == "/b");
    // And then the client is gone.
    HeadParser third;
    BOOST_TEST(client_went_away(c.read_head(third)));
}

BOOST_AUTO_TEST_CASE(keep_alive_follows_the_version_and_connection_header) {
    const auto keeps = [](std::string_view bytes) {
        Connection c(bytes);
        HeadParser p;
        BOOST_REQUIRE(!c.read_head(p));
        return p.get().keep_alive();
    };
    BOOST_TEST(keeps("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    BOOST_TEST(!keeps("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    BOOST_TEST(!keeps("GET / HTTP/1.0\r\n\r\n"));
    BOOST_TEST(keeps("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

BOOST_AUTO_TEST_SUITE_END()
