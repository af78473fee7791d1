#include "omnivibe/core/clock.hpp"

#include <boost/test/unit_test.hpp>

using namespace omnivibe;

BOOST_AUTO_TEST_SUITE(wall_clock)

BOOST_AUTO_TEST_CASE(formats_rfc3339_with_milliseconds) {
    BOOST_TEST(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
    BOOST_TEST(format_rfc3339(1770028200123) == "2026-02-02T10:30:00.123Z");
}

BOOST_AUTO_TEST_CASE(parses_both_rfc3339_and_sqlite_timestamps) {
    BOOST_TEST(parse_timestamp("2026-02-02T10:30:00.123Z").value() == 1770028200123);
    BOOST_TEST(parse_timestamp("2026-02-02 10:30:00").value() == 1770028200000);
    BOOST_TEST(!parse_timestamp("2026-02-30 10:30:00"));
    BOOST_TEST(!parse_timestamp("2026-02-02T25:00:00Z"));
}

BOOST_AUTO_TEST_CASE(round_trips_any_millisecond) {
    for (UnixMillis t : {UnixMillis{1}, UnixMillis{951782400000}, UnixMillis{4102444799999}})
        BOOST_TEST(parse_timestamp(format_rfc3339(t)).value() == t);
}

BOOST_AUTO_TEST_CASE(dates_must_exist_on_the_calendar) {
    BOOST_TEST(is_valid_date("2024-02-29"));
    BOOST_TEST(!is_valid_date("2023-02-29"));
    BOOST_TEST(!is_valid_date("2026-13-01"));
    BOOST_TEST(!is_valid_date("2026-1-01"));
    BOOST_TEST(!is_valid_date("2026-01-01T00:00:00Z"));
}

BOOST_AUTO_TEST_SUITE_END()
