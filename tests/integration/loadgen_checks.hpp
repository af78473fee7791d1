#pragma once
// Checks of omnivibe-loadgen's JSON report, shared by the tests that run it.

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>

#include "support/json.hpp"
#include "support/test_server.hpp"

namespace omnivibe::test {

// The JSON line of a run (the tool prints exactly one with --json).
inline std::string report_of(const CommandResult& r) {
    const auto start = r.output.find('{');
    BOOST_REQUIRE_MESSAGE(start != std::string::npos, "no JSON report in: " + r.output);
    return r.output.substr(start, r.output.find('\n', start) - start);
}

// A feed-mode run in which every subscriber connected and received every
// written event exactly once, in order.
inline void check_clean_feed(const CommandResult& r, std::int64_t subscribers,
                             std::int64_t events) {
    BOOST_TEST_INFO(r.output);
    BOOST_TEST(r.exit_code == 0);
    const std::string rep = report_of(r);
    BOOST_TEST(json_int(rep, "/feed/connected") == subscribers);
    BOOST_TEST(json_int(rep, "/feed/events_written") == events);
    BOOST_TEST(json_int(rep, "/feed/delivered") == subscribers * events);
    BOOST_TEST(json_int(rep, "/feed/missed") == 0);
    BOOST_TEST(json_int(rep, "/feed/duplicated") == 0);
    BOOST_TEST(json_int(rep, "/feed/out_of_order") == 0);
}

}  // namespace omnivibe::test
