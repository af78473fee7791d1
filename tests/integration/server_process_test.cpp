// The real omnivibe-server binary: start-up, signals, and the database
// protections seen from the sqlite3 shell beside a running server.
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "integration/api_helpers.hpp"
#include "omnivibe/core/sha256.hpp"
#include "support/test_server.hpp"

using namespace omnivibe::test;

BOOST_AUTO_TEST_SUITE(server_process)

BOOST_AUTO_TEST_CASE(help_describes_every_option) {
    auto r = run_command(binary_path("omnivibe-server") + " --help");
    BOOST_TEST(r.exit_code == 0);
    for (const char* opt : {"--db",
                            "--host",
                            "--port",
                            "--uploads",
                            "--threads",
                            "--durability",
                            "--tokens",
                            "--cors-origin",
                            "--max-body",
                            "--max-upload-mb",
                            "--sse-heartbeat",
                            "--sse-max-lag-kb",
                            "--header-timeout",
                            "--idle-timeout",
                            "--max-connections",
                            "--max-header-kb",
                            "--response-cache-mb",
                            "--log-format",
                            "--log-level",
                            "--allow-anonymous"})
        BOOST_TEST(r.output.find(opt) != std::string::npos, opt);
}

BOOST_AUTO_TEST_CASE(bad_options_exit_2_with_a_message) {
    check_server_refuses("--durability sometimes", "--durability");
}

BOOST_AUTO_TEST_CASE(refuses_a_public_address_without_tokens) {
    TempDir dir;
    check_server_refuses("--host 0.0.0.0 --port 0 --db " + dir.file("x.db"), "without --tokens");
}

BOOST_AUTO_TEST_CASE(serves_creates_its_files_and_stops_cleanly_on_sigterm) {
    TempDir dir;
    const std::string db = dir.file("data/omnivibe.db");
    {
        ServerProcess p(db, dir.file("data/uploads"));
        HttpClient c(p.port());
        create_client(c, "A");
        BOOST_TEST(std::filesystem::exists(db));
        const auto perms = std::filesystem::status(db).permissions();
        BOOST_TEST(((perms & std::filesystem::perms::others_read) == std::filesystem::perms::none));
        BOOST_TEST(p.signal_and_wait(SIGTERM) == 0);
        BOOST_TEST(p.output().find("stopped cleanly") != std::string::npos);
        BOOST_TEST(p.output().find("POST /api/v1/clients 201") != std::string::npos);
    }
    ServerProcess again(db, dir.file("data/uploads"));
    HttpClient c(again.port());
    BOOST_TEST(json_string(c.get("/api/v1/clients/1").body, "/name") == "A");
}

// One JSON line per request with what an operator needs, and nothing secret:
// no token (header or feed query), no request body, no query string.
BOOST_AUTO_TEST_CASE(json_request_log_has_the_facts_and_no_secrets) {
    TempDir dir;
    std::ofstream(dir.file("tokens"))
        << "frontend write " << omnivibe::sha256_hex("s3cret-token-xyz") << "\n";
    ServerProcess p(dir.file("omnivibe.db"), dir.file("uploads"),
                    {"--tokens", dir.file("tokens"), "--log-format", "json"});
    HttpClient c(p.port());
    const HttpClient::Headers auth{{"Authorization", "Bearer s3cret-token-xyz"},
                                   {"X-Request-Id", "trace-me-42"}};
    BOOST_TEST(c.post("/api/v1/clients", R"({"name":"Body-Only-Marker"})", auth).status == 201);
    BOOST_TEST(c.get("/api/v1/clients?q=Query-Marker", auth).status == 200);
    BOOST_TEST(c.get("/api/v1/clients/1").status == 401);
    // The feed's query token, on a request that ends at once (401 for a bad one).
    BOOST_TEST(c.get("/api/v1/changes?access_token=wrong-feed-token").status == 401);
    BOOST_TEST(p.signal_and_wait(SIGTERM) == 0);

    const std::string out = p.output();
    for (const char* secret :
         {"s3cret-token-xyz", "wrong-feed-token", "Body-Only-Marker", "Query-Marker"})
        BOOST_TEST(out.find(secret) == std::string::npos, secret);
    std::istringstream lines(out);
    std::string line;
    int requests = 0;
    while (std::getline(lines, line)) {
        if (line.find("\"msg\":\"request\"") == std::string::npos) continue;
        ++requests;
        for (const char* key : {"\"method\":", "\"route\":", "\"status\":", "\"bytes\":",
                                "\"duration_ms\":", "\"request_id\":", "\"actor\":"})
            BOOST_TEST(line.find(key) != std::string::npos, key << " in " << line);
    }
    BOOST_TEST(requests == 4);
    BOOST_TEST(out.find("\"request_id\":\"trace-me-42\"") != std::string::npos);
    BOOST_TEST(out.find("\"actor\":\"frontend\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_sqlite3_shell_cannot_change_the_live_database) {
    TempDir dir;
    const std::string db = dir.file("omnivibe.db");
    ServerProcess p(db, dir.file("uploads"));
    HttpClient c(p.port());
    create_client(c, "A");
    create_campaign(c, 1, "S");
    for (const char* sql : {"UPDATE events SET data = '{}' WHERE seq = 1;", "DELETE FROM events;",
                            "INSERT INTO campaigns (id, client_id, name, status, bgm_volume, "
                            "auto_deploy, version, created_at, updated_at) VALUES "
                            "(9, 1, 'x', 'draft', 0.3, 0, 1, 't', 't');",
                            "UPDATE clients SET name = 'B';"}) {
        auto r = run_command("sqlite3 " + db + " \"" + sql + "\"");
        BOOST_TEST_CONTEXT(sql) {
            BOOST_TEST(r.exit_code != 0);
            BOOST_TEST((r.output.find("append-only") != std::string::npos ||
                        r.output.find("omnivibe_writer_only") != std::string::npos),
                       r.output);
        }
    }
    // The server's own writes still succeed, and nothing changed.
    create_campaign(c, 1, "T");
    BOOST_TEST(json_int(c.get("/api/v1/campaigns").body, "/total") == 2);
    BOOST_TEST(json_string(c.get("/api/v1/clients/1").body, "/name") == "A");
}

BOOST_AUTO_TEST_SUITE_END()
