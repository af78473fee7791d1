// omnivibe-loadgen against a real server: every mode runs and counts what it
// sent. Only counts are checked, never timings, so the tool cannot rot and the
// test cannot flake on a busy machine.
#include <boost/test/unit_test.hpp>

#include "integration/loadgen_checks.hpp"
#include "support/json.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;

namespace {

CommandResult loadgen(const TestServer& server, const std::string& args) {
    return run_command(binary_path("omnivibe-loadgen") + " --port " +
                       std::to_string(server.port()) + " --json " + args);
}

void require_all_ok(const CommandResult& r, std::int64_t requests) {
    BOOST_TEST_INFO(r.output);
    BOOST_TEST(r.exit_code == 0);
    const std::string rep = report_of(r);
    BOOST_TEST(json_int(rep, "/requests") == requests);
    BOOST_TEST(json_int(rep, "/ok") == requests);
    BOOST_TEST(json_int(rep, "/errors") == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(loadgen_smoke)

BOOST_AUTO_TEST_CASE(create_mode_reports_every_durable_write_as_a_success) {
    TestServer server;
    auto r = loadgen(server, "--mode create --requests 200 --connections 8");
    require_all_ok(r, 200);
    BOOST_TEST(json_int(report_of(r), "/statuses/201") == 200);
    HttpClient c = server.client();
    BOOST_TEST(json_int(c.get("/api/v1/campaigns").body, "/total") == 200);
}

BOOST_AUTO_TEST_CASE(seed_then_every_read_and_write_mode_succeeds) {
    TestServer server;
    auto seeded = loadgen(server, "--mode seed --clients 5 --requests 100 --connections 8");
    require_all_ok(seeded, 100);
    const std::string rep = report_of(seeded);
    BOOST_TEST(json_int(rep, "/phases/0/ok") == 5);
    BOOST_TEST(json_int(rep, "/facts/clients_created") == 5);
    BOOST_TEST(
        json_int(rep, "/facts/last_campaign_id") - json_int(rep, "/facts/first_campaign_id") == 99);
    require_all_ok(loadgen(server, "--mode get --requests 100 --connections 4"), 100);
    require_all_ok(loadgen(server, "--mode list --requests 40 --connections 4"), 40);
    require_all_ok(loadgen(server, "--mode patch --requests 40 --connections 4"), 40);
    require_all_ok(loadgen(server, "--mode mixed --requests 60 --connections 4 --read-ratio 0.5"),
                   60);
    HttpClient c = server.client();
    BOOST_TEST(json_int(c.get("/api/v1/campaigns").body, "/total") == 100);
}

BOOST_AUTO_TEST_CASE(get_mode_counts_missing_ids_as_errors_by_status) {
    TestServer server;
    require_all_ok(loadgen(server, "--mode seed --clients 1 --requests 10"), 10);
    auto r = loadgen(server, "--mode get --requests 30 --connections 2 --id-range 1000-1002");
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(json_int(report_of(r), "/statuses/404") == 30);
    BOOST_TEST(json_int(report_of(r), "/errors") == 30);
}

BOOST_AUTO_TEST_CASE(feed_mode_delivers_every_event_once_and_in_order) {
    TestServer server;
    auto r = loadgen(server,
                     "--mode feed --subscribers 5 --connections 2 --requests 20 "
                     "--rate 100 --drain 20");
    check_clean_feed(r, 5, 20);
}

BOOST_AUTO_TEST_SUITE_END()
BOOST_AUTO_TEST_SUITE(loadgen_smoke_more)

// --write-port sends feed mode's writes to another instance; it means
// nothing elsewhere (the cross-instance run is in multi_instance_test.cpp).
BOOST_AUTO_TEST_CASE(refuses_a_write_port_outside_feed_mode_or_out_of_range) {
    auto r = run_command(binary_path("omnivibe-loadgen") + " --mode get --write-port 8001");
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.output.find("--write-port is for --mode feed only") != std::string::npos);
    r = run_command(binary_path("omnivibe-loadgen") + " --mode feed --write-port 70000");
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.output.find("--write-port must be 1..65535") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(feed_mode_with_the_write_port_of_the_same_instance_is_one_instance) {
    TestServer server;
    auto r = loadgen(server,
                     "--mode feed --subscribers 3 --connections 2 --requests 10 "
                     "--rate 100 --drain 20 --write-port " +
                         std::to_string(server.port()));
    check_clean_feed(r, 3, 10);
    BOOST_TEST(json_int(report_of(r), "/write_port") == server.port());
}

BOOST_AUTO_TEST_CASE(refuses_to_target_another_machine) {
    auto r = run_command(binary_path("omnivibe-loadgen") + " --mode get --host 192.0.2.1");
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.output.find("loopback") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(says_when_no_server_answers) {
    std::uint16_t port = 0;
    {
        TestServer gone;
        port = gone.port();
    }
    auto r = run_command(binary_path("omnivibe-loadgen") + " --mode create --requests 1 --port " +
                         std::to_string(port));
    BOOST_TEST(r.exit_code == 3);
    BOOST_TEST(r.output.find("cannot reach the server") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
