#include "omnivibe/http/range.hpp"

#include <boost/test/unit_test.hpp>

using namespace omnivibe::http;
using Kind = RangeRequest::Kind;

namespace {
bool partial(std::string_view h, std::uint64_t size, std::uint64_t off, std::uint64_t len) {
    auto r = parse_range(h, size);
    return r.kind == Kind::partial && r.offset == off && r.length == len;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(byte_range)

BOOST_AUTO_TEST_CASE(a_closed_range_is_clamped_to_the_file) {
    BOOST_TEST(partial("bytes=0-99", 1000, 0, 100));
    BOOST_TEST(partial("bytes=990-2000", 1000, 990, 10));
    BOOST_TEST(partial("bytes=999-999", 1000, 999, 1));
}

BOOST_AUTO_TEST_CASE(open_and_suffix_ranges) {
    BOOST_TEST(partial("bytes=500-", 1000, 500, 500));
    BOOST_TEST(partial("bytes=-100", 1000, 900, 100));
    BOOST_TEST(partial("bytes=-5000", 1000, 0, 1000));
}

BOOST_AUTO_TEST_CASE(a_range_past_the_end_is_unsatisfiable) {
    BOOST_TEST((parse_range("bytes=1000-", 1000).kind == Kind::unsatisfiable));
    BOOST_TEST((parse_range("bytes=5000-6000", 1000).kind == Kind::unsatisfiable));
    BOOST_TEST((parse_range("bytes=-0", 1000).kind == Kind::unsatisfiable));
}

BOOST_AUTO_TEST_CASE(what_is_not_understood_is_ignored) {
    for (std::string_view h : {"", "items=0-1", "bytes=", "bytes=a-b", "bytes=5-1", "bytes=0-1,5-6",
                               "bytes=1", "bytes=--1", "bytes=99999999999999999999-"})
        BOOST_TEST((parse_range(h, 1000).kind == Kind::whole), h);
}

BOOST_AUTO_TEST_SUITE_END()
