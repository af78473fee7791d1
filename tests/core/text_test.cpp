#include "omnivibe/core/text.hpp"

#include <boost/test/unit_test.hpp>

using namespace omnivibe;

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(utf8_accepts_multibyte_text_and_counts_code_points) {
    const std::string korean = "밝은눈 안과";
    BOOST_TEST(is_valid_utf8(korean));
    BOOST_TEST(utf8_length(korean) == 6u);
    BOOST_TEST(utf8_length("emoji \xF0\x9F\x98\x80") == 7u);
}

BOOST_AUTO_TEST_CASE(utf8_rejects_overlongs_surrogates_and_truncation) {
    BOOST_TEST(!is_valid_utf8("\xC0\xAF"));          // overlong '/'
    BOOST_TEST(!is_valid_utf8("\xED\xA0\x80"));      // surrogate
    BOOST_TEST(!is_valid_utf8("\xE2\x82"));          // truncated
    BOOST_TEST(!is_valid_utf8("\xFF"));              // never valid
    BOOST_TEST(!is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

BOOST_AUTO_TEST_CASE(parse_int64_takes_whole_numbers_only) {
    BOOST_TEST(parse_int64("42").value() == 42);
    BOOST_TEST(parse_int64("-7").value() == -7);
    BOOST_TEST(!parse_int64("4x"));
    BOOST_TEST(!parse_int64(""));
    BOOST_TEST(!parse_int64("99999999999999999999"));
}

BOOST_AUTO_TEST_CASE(iequals_folds_ascii_case) {
    BOOST_TEST(iequals("YouTube", "youtube"));
    BOOST_TEST(!iequals("YouTube", "youtub"));
}

BOOST_AUTO_TEST_CASE(to_valid_utf8_replaces_only_the_broken_bytes) {
    BOOST_TEST(to_valid_utf8("caf\xC3\xA9") == "caf\xC3\xA9");
    BOOST_TEST(to_valid_utf8("id \xFF\xFE.") == "id \xEF\xBF\xBD\xEF\xBF\xBD.");
    BOOST_TEST(to_valid_utf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    BOOST_TEST(is_valid_utf8(to_valid_utf8("\xC0\x80\xED\xA0\x80x")));
}

BOOST_AUTO_TEST_SUITE_END()
