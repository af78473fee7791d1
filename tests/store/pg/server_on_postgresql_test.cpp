// The service on PostgreSQL beyond what the shared API suites show: writers
// of two servers ordered by the advisory lock, an outage of the database
// under write load, the operator's tools on a PostgreSQL --db, and moving a
// SQLite log of 100,000 events into PostgreSQL.
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "integration/store_checks.hpp"
#include "omnivibe/store/log_audit.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/writer/pg_session.hpp"
#include "store/pg/pg_fixture.hpp"
#include "support/eventually.hpp"
#include "support/json.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

// A server on the PostgreSQL database `uri`.
std::unique_ptr<TestServer> server_on(const std::string& uri) {
    return std::make_unique<TestServer>([&](http::ServerOptions& o) { o.service.db_path = uri; });
}

store::LogCheck verify(const std::string& uri) {
    auto db = open_store(uri);
    store::Tx snapshot(*db, store::Tx::Kind::snapshot);
    return store::verify_log(*db);
}

std::string tool(std::string_view name) { return binary_path(name) + " "; }

}  // namespace

BOOST_AUTO_TEST_SUITE(server_on_postgresql)

// Two servers on one database: their writers take the advisory lock before
// reading the head, so every seq is taken once and the chain holds.
BOOST_AUTO_TEST_CASE(writers_of_two_servers_share_one_gap_free_chain) {
    const std::string uri = PgCluster::instance().create_database();
    auto a = server_on(uri);
    auto b = server_on(uri);
    std::atomic<int> created{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w)
        writers.emplace_back([&, w] {
            auto c = (w % 2 ? a : b)->client();
            for (int i = 0; i < 40; ++i)
                if (c.post("/api/v1/clients",
                           R"({"name":"w)" + std::to_string(w) + "-" + std::to_string(i) + "\"}")
                        .status == 201)
                    ++created;
        });
    for (auto& t : writers) t.join();
    BOOST_TEST(created.load() == 160);
    const auto check = verify(uri);
    BOOST_TEST(!check.problem.has_value(), (check.problem ? check.problem->what : ""));
    BOOST_TEST(check.events == 160);
    // Both servers read every client, whichever wrote it.
    BOOST_TEST(json_int(a->client().get("/api/v1/clients?page_size=1").body, "/total") == 160);
    BOOST_TEST(json_int(b->client().get("/api/v1/clients?page_size=1").body, "/total") == 160);
}

// PostgreSQL stopped for 5 s under write load: 503 with Retry-After while it
// is down, /readyz 503, then the server recovers by itself, every write it
// acknowledged is there and the read tables are what the log says.
BOOST_AUTO_TEST_CASE(an_outage_of_the_database_is_503_then_recovered_without_a_restart) {
    auto& cluster = PgCluster::instance();
    const std::string uri = cluster.create_database();
    auto server = server_on(uri);
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::set<std::int64_t> acknowledged;
    std::atomic<int> unavailable{0}, without_retry_after{0}, other{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 3; ++w)
        writers.emplace_back([&, w] {
            auto c = server->client();
            for (int i = 0; !stop; ++i) {
                auto r = c.post("/api/v1/clients", R"({"name":"o)" + std::to_string(w) + "-" +
                                                       std::to_string(i) + "\"}");
                if (r.status == 201) {
                    std::lock_guard lock(mutex);
                    acknowledged.insert(json_int(r.body, "/id"));
                } else if (r.status == 503) {
                    ++unavailable;
                    if (r.header("retry-after").empty()) ++without_retry_after;
                } else {
                    ++other;
                }
            }
        });
    BOOST_REQUIRE(eventually([&] {
        std::lock_guard lock(mutex);
        return acknowledged.size() >= 20;
    }));
    cluster.stop();
    BOOST_REQUIRE(eventually([&] { return unavailable.load() > 0; }));
    BOOST_TEST(server->client().get("/readyz").status == 503);
    std::this_thread::sleep_for(std::chrono::seconds(5));  // the outage, not a timing assertion
    const std::size_t before_restart = [&] {
        std::lock_guard lock(mutex);
        return acknowledged.size();
    }();
    cluster.start();
    BOOST_TEST(eventually([&] {
        std::lock_guard lock(mutex);
        return acknowledged.size() >= before_restart + 20;
    }));
    stop = true;
    for (auto& t : writers) t.join();
    BOOST_TEST(eventually([&] { return server->client().get("/readyz").status == 200; }));
    BOOST_TEST(without_retry_after.load() == 0);
    BOOST_TEST(other.load() == 0);
    for (const auto id : acknowledged)
        BOOST_TEST(server->client().get("/api/v1/clients/" + std::to_string(id)).status == 200,
                   "acknowledged client " << id);
    const auto check = verify(uri);
    BOOST_TEST(!check.problem.has_value(), (check.problem ? check.problem->what : ""));
    // Every row the failed batches' statements touched is as the log says.
    server.reset();
    const auto tables = live_and_rebuilt(uri);
    BOOST_TEST(tables.live == tables.rebuilt);
}

// The test cluster runs without fsync and full-page writes (it survives no
// machine crash anyway): exactly what the start-up warning is for.
BOOST_AUTO_TEST_CASE(weak_cluster_settings_are_named_at_start) {
    test::PgDb db;
    const auto weak = writer::weak_durability_settings(*db.conn);
    BOOST_REQUIRE(weak.size() == 2);
    BOOST_TEST(weak[0].find("fsync is off") == 0);
    BOOST_TEST(weak[1].find("full_page_writes is off") == 0);
}

BOOST_AUTO_TEST_CASE(the_audit_tool_reads_a_postgresql_log_and_finds_an_edited_event) {
    test::PgDb target;
    {
        auto server = server_on(target.uri);
        auto c = server->client();
        BOOST_REQUIRE(c.post("/api/v1/clients", R"({"name":"Acme"})").status == 201);
        BOOST_REQUIRE(c.patch("/api/v1/clients/1", R"({"notes":"n"})").status == 200);
        BOOST_REQUIRE(c.post("/api/v1/campaigns", R"({"client_id":1,"name":"Spring"})").status ==
                      201);
    }
    const std::string db = " --db '" + target.uri + "'";
    auto verified = run_command(tool("omnivibe-audit") + "verify" + db);
    BOOST_TEST(verified.exit_code == 0, verified.output);
    BOOST_TEST(verified.output.find("hash chain intact") != std::string::npos, verified.output);
    BOOST_TEST(verified.output.find("guards: ") != std::string::npos, verified.output);
    for (const std::string command : {"head", "stats", "log", "history client 1"}) {
        auto r = run_command(tool("omnivibe-audit") + command + db);
        BOOST_TEST(r.exit_code == 0, command << ": " << r.output);
    }
    BOOST_TEST(run_command(tool("omnivibe-audit") + "history client 1" + db).output.find("Acme") !=
               std::string::npos);

    // A superuser switches the guard off and edits an event: both are caught.
    auto admin = target.admin();
    admin->exec("ALTER TABLE events DISABLE TRIGGER events_append_only");
    admin->exec("UPDATE events SET data = replace(data, 'Acme', 'Evil') WHERE seq = 1");
    auto tampered = run_command(tool("omnivibe-audit") + "verify" + db);
    BOOST_TEST(tampered.exit_code == 1, tampered.output);
    BOOST_TEST(tampered.output.find("FAILED at seq 1") != std::string::npos, tampered.output);
    BOOST_TEST(tampered.output.find("events_append_only is disabled") != std::string::npos,
               tampered.output);
}

// An omnivibe SQLite file of 100,000 events into an empty PostgreSQL
// database: the same chain (the head's hash), the read tables projected.
BOOST_AUTO_TEST_CASE(a_sqlite_log_of_100000_events_moves_into_postgresql_with_its_hashes) {
    TempDir dir;
    const std::string file = dir.file("old.db");
    auto made = run_command(tool("omnivibe-bench-log") + "--db " + file + " --events 100000");
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.output);
    auto head = run_command(tool("omnivibe-audit") + "head --db " + file);
    BOOST_REQUIRE(head.exit_code == 0);

    const std::string uri = PgCluster::instance().create_database();
    auto moved =
        run_command(tool("omnivibe-import") + "--from-sqlite " + file + " --db '" + uri + "'");
    BOOST_TEST(moved.exit_code == 0, moved.output);
    BOOST_TEST(moved.output.find("hash chain intact") != std::string::npos, moved.output);
    auto moved_head = run_command(tool("omnivibe-audit") + "head --db '" + uri + "'");
    BOOST_TEST(moved_head.output == head.output);  // same seq, same hash
    auto verified = run_command(tool("omnivibe-audit") + "verify --db '" + uri + "'");
    BOOST_TEST(verified.exit_code == 0, verified.output);

    // The read tables are there: a server on it serves what the log says.
    auto server = server_on(uri);
    auto sqlite =
        std::make_unique<TestServer>([&](http::ServerOptions& o) { o.service.db_path = file; });
    for (const std::string list : {"/api/v1/clients?page_size=1", "/api/v1/campaigns?page_size=1"})
        BOOST_TEST(json_int(server->client().get(list).body, "/total") ==
                       json_int(sqlite->client().get(list).body, "/total"),
                   list);

    // Into a database that already holds events: refused, nothing changed.
    auto again =
        run_command(tool("omnivibe-import") + "--from-sqlite " + file + " --db '" + uri + "'");
    BOOST_TEST(again.exit_code != 0);
    BOOST_TEST(again.output.find("already holds") != std::string::npos, again.output);
}

BOOST_AUTO_TEST_SUITE_END()
