// The load generator's counting: histogram quantiles within their stated
// precision, tallies of statuses and failures. Values are fed in, never timed.
#include "stats.hpp"

#include <boost/test/unit_test.hpp>

using omnivibe::loadgen::LatencyHistogram;
using omnivibe::loadgen::Tally;

BOOST_AUTO_TEST_SUITE(latency_histogram)

BOOST_AUTO_TEST_CASE(small_values_are_exact) {
    LatencyHistogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
    BOOST_TEST(h.count() == 100u);
    BOOST_TEST(h.quantile(0.5) == 50u);
    BOOST_TEST(h.quantile(0.99) == 99u);
    BOOST_TEST(h.max() == 100u);
}

BOOST_AUTO_TEST_CASE(large_values_are_within_two_percent) {
    LatencyHistogram h;
    for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 10);
    for (double q : {0.5, 0.9, 0.99}) {
        const double expected = q * 1'000'000;
        const double got = static_cast<double>(h.quantile(q));
        BOOST_TEST(got >= expected * 0.98);
        BOOST_TEST(got <= expected * 1.02);
    }
    BOOST_TEST(h.max() == 1'000'000u);
}

BOOST_AUTO_TEST_CASE(merging_adds_counts_and_keeps_the_larger_max) {
    LatencyHistogram a, b;
    a.record(10);
    b.record(5000);
    b.record(20);
    a.merge(b);
    BOOST_TEST(a.count() == 3u);
    BOOST_TEST(a.max() == 5000u);
    BOOST_TEST(a.quantile(0.5) == 20u);
}

BOOST_AUTO_TEST_CASE(an_empty_histogram_reports_zero) {
    LatencyHistogram h;
    BOOST_TEST(h.quantile(0.99) == 0u);
    BOOST_TEST(h.max() == 0u);
}

BOOST_AUTO_TEST_CASE(tally_counts_2xx_and_304_as_success_and_the_rest_as_errors) {
    Tally t;
    t.answer(201, 1);
    t.answer(304, 1);
    t.answer(404, 1);
    t.answer(503, 1);
    t.fail("timeout");
    BOOST_TEST(t.ok == 2u);
    BOOST_TEST(t.errors() == 3u);
    Tally u;
    u.answer(503, 1);
    t.merge(u);
    BOOST_TEST(t.statuses[503] == 2u);
    BOOST_TEST(t.errors() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
