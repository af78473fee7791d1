// The load generator's SSE parser: frames as EventSource would see them,
// whatever way the bytes are cut.
#include "sse_parser.hpp"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using omnivibe::loadgen::SseFrame;
using omnivibe::loadgen::SseParser;

namespace {

struct Collected {
    std::vector<SseFrame> frames;
    SseParser parser{[this](const SseFrame& f) { frames.push_back(f); }};
};

const std::string kStream =
    "retry: 3000\n\n"
    "event: hello\nid: 7\ndata: {\"head\":9}\n\n"
    ": a comment\n"
    "id: 8\nevent: campaign.created\ndata: {\"seq\":8}\n\n"
    "event: heartbeat\ndata: {\"head\":9}\n\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(sse_parser)

BOOST_AUTO_TEST_CASE(reads_the_hello_events_and_heartbeats_of_the_change_feed) {
    Collected c;
    c.parser.feed(kStream);
    BOOST_REQUIRE_EQUAL(c.frames.size(), 4u);
    BOOST_TEST(c.frames[0].retry.value_or(0) == 3000);
    BOOST_TEST(c.frames[1].event == "hello");
    BOOST_TEST(c.frames[1].id.value_or("") == "7");
    BOOST_TEST(c.frames[1].data == "{\"head\":9}");
    BOOST_TEST(c.frames[2].event == "campaign.created");
    BOOST_TEST(c.frames[2].id.value_or("") == "8");
    BOOST_TEST(c.frames[3].event == "heartbeat");
    BOOST_TEST(!c.frames[3].id.has_value());
}

BOOST_AUTO_TEST_CASE(gives_the_same_frames_however_the_bytes_are_cut) {
    Collected whole;
    whole.parser.feed(kStream);
    for (std::size_t piece = 1; piece <= 7; ++piece) {
        Collected cut;
        for (std::size_t i = 0; i < kStream.size(); i += piece)
            cut.parser.feed(std::string_view(kStream).substr(i, piece));
        BOOST_REQUIRE_EQUAL(cut.frames.size(), whole.frames.size());
        for (std::size_t i = 0; i < cut.frames.size(); ++i) {
            BOOST_TEST(cut.frames[i].event == whole.frames[i].event);
            BOOST_TEST(cut.frames[i].data == whole.frames[i].data);
            BOOST_TEST(cut.frames[i].id.value_or("-") == whole.frames[i].id.value_or("-"));
        }
    }
}

BOOST_AUTO_TEST_CASE(accepts_crlf_and_cr_line_ends_even_split_between_feeds) {
    Collected c;
    c.parser.feed("id: 1\r");
    c.parser.feed("\ndata: a\r\n\r");
    c.parser.feed("\nid: 2\rdata: b\r\r");
    BOOST_REQUIRE_EQUAL(c.frames.size(), 2u);
    BOOST_TEST(c.frames[0].id.value_or("") == "1");
    BOOST_TEST(c.frames[0].data == "a");
    BOOST_TEST(c.frames[1].id.value_or("") == "2");
    BOOST_TEST(c.frames[1].data == "b");
}

BOOST_AUTO_TEST_CASE(joins_several_data_lines_and_names_unnamed_events_message) {
    Collected c;
    c.parser.feed("data: one\ndata:two\ndata\n\n");
    BOOST_REQUIRE_EQUAL(c.frames.size(), 1u);
    BOOST_TEST(c.frames[0].event == "message");
    BOOST_TEST(c.frames[0].data == "one\ntwo\n");
}

BOOST_AUTO_TEST_CASE(ignores_comments_unknown_fields_and_empty_frames) {
    Collected c;
    c.parser.feed(":ping\n\n\n\nfoo: bar\n\n");
    BOOST_TEST(c.frames.empty());
    BOOST_TEST(c.parser.frames() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
