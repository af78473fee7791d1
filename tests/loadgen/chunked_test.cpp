// The feed mode's chunked-body decoder: the same data whatever way the bytes
// are cut, and a clear refusal of what is not chunked encoding.
#include "chunked.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

using omnivibe::loadgen::ChunkedDecoder;

namespace {

struct Decoded {
    std::string data;
    ChunkedDecoder decoder{[this](std::string_view d) { data.append(d); }};
};

const std::string kBody =
    "19\r\nid: 8\nevent: a\ndata: {}\n\n\r\n"
    "5;name=value\r\nhello\r\n"
    "A\r\n0123456789\r\n"
    "0\r\nX-Trailer: yes\r\n\r\n";
const std::string kData = "id: 8\nevent: a\ndata: {}\n\nhello0123456789";

}  // namespace

BOOST_AUTO_TEST_SUITE(chunked_decoder)

BOOST_AUTO_TEST_CASE(decodes_a_body_with_extensions_and_trailers) {
    Decoded d;
    BOOST_TEST(d.decoder.feed(kBody));
    BOOST_TEST(d.data == kData);
    BOOST_TEST(d.decoder.done());
}

BOOST_AUTO_TEST_CASE(gives_the_same_data_for_every_cut_of_the_bytes) {
    for (std::size_t cut = 1; cut < kBody.size(); ++cut) {
        Decoded d;
        BOOST_TEST(d.decoder.feed(std::string_view(kBody).substr(0, cut)));
        BOOST_TEST(!d.decoder.done());
        BOOST_TEST(d.decoder.feed(std::string_view(kBody).substr(cut)));
        BOOST_TEST(d.data == kData, "cut at " << cut);
        BOOST_TEST(d.decoder.done());
    }
    Decoded bytewise;
    for (char c : kBody) BOOST_TEST(bytewise.decoder.feed(std::string_view(&c, 1)));
    BOOST_TEST(bytewise.data == kData);
    BOOST_TEST(bytewise.decoder.done());
}

BOOST_AUTO_TEST_CASE(an_open_stream_is_not_done) {
    Decoded d;
    BOOST_TEST(d.decoder.feed("3\r\nabc\r\n4\r\nde"));
    BOOST_TEST(d.data == "abcde");
    BOOST_TEST(!d.decoder.done());
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_chunked_encoding) {
    for (const std::string bad :
         {"x\r\n", "\r\n", "3\r\nabcX", "3\nabc", "3\r\nabc\r\r", "1234567890abcdef0\r\n"}) {
        Decoded d;
        BOOST_TEST(!d.decoder.feed(bad), bad);
        BOOST_TEST(!d.decoder.error().empty());
        BOOST_TEST(!d.decoder.feed("0\r\n\r\n"), "stays failed");
    }
}

BOOST_AUTO_TEST_SUITE_END()
