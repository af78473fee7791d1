// omnivibe-replay: in-place rebuilds, --verify, point-in-time copies, and the
// refusal to run under a server.
#include <boost/test/unit_test.hpp>

#include "integration/api_helpers.hpp"
#include "support/json.hpp"
#include "support/test_server.hpp"
#include "tools/tools_helpers.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

// Writes a short history through the API, then stops the server:
// seq 1 client, 2 campaign (draft), 3 status -> active, 4 rename, 5 content.
void write_history(const std::string& db) {
    TestServer server([&](http::ServerOptions& o) { o.service.db_path = db; });
    auto c = server.client();
    create_client(c, "Acme");
    create_campaign(c, 1, "Spring");
    BOOST_REQUIRE(c.patch("/api/v1/campaigns/1", R"({"status":"active"})").status == 200);
    BOOST_REQUIRE(c.patch("/api/v1/campaigns/1", R"({"name":"Spring 2026"})").status == 200);
    create_content(c, 1, "Salads");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(replay_tool)

BOOST_AUTO_TEST_CASE(refuses_to_rebuild_while_a_server_holds_the_database) {
    TestServer server;
    auto c = server.client();
    create_client(c, "Acme");
    auto r = tool("omnivibe-replay", "--db " + server.db_path());
    BOOST_TEST(r.exit_code == 4, r.output);
    BOOST_TEST(contains(r.output, "is in use by omnivibe-server (pid "), r.output);
    BOOST_TEST(contains(r.output, "stop it first"));
    // Verifying only reads, so it may run beside the server.
    auto v = tool("omnivibe-replay", "--db " + server.db_path() + " --verify");
    BOOST_TEST(v.exit_code == 0, v.output);
    // And the server still serves and writes.
    BOOST_TEST(c.post("/api/v1/clients", R"({"name":"Globex"})").status == 201);
}

BOOST_AUTO_TEST_CASE(verify_names_altered_read_table_rows_and_a_rebuild_repairs_them) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    {
        auto w = writer_connection(db);
        w->exec("UPDATE campaigns SET status = 'paused' WHERE id = 2");
        w->exec("DELETE FROM content_schedule WHERE id = 3");
    }
    auto v = tool("omnivibe-replay", "--db " + db + " --verify");
    BOOST_TEST(v.exit_code == 1, v.output);
    BOOST_TEST(contains(v.output, "DIFFERENT: 2 difference(s)"), v.output);
    BOOST_TEST(contains(v.output, "campaigns id=2: status: live 'paused', rebuilt 'active'"));
    BOOST_TEST(contains(v.output,
                        "content_schedule id=3: missing from the live table (the replay has it)"));

    auto rebuild = tool("omnivibe-replay", "--db " + db);
    BOOST_TEST(rebuild.exit_code == 0, rebuild.output);
    BOOST_TEST(contains(rebuild.output, "replayed 116 events in "));
    BOOST_TEST(contains(rebuild.output, " events/s)"));
    BOOST_TEST(text(db, "SELECT status FROM campaigns WHERE id = 2") == "active");
    BOOST_TEST(tool("omnivibe-replay", "--db " + db + " --verify").exit_code == 0);
}

BOOST_AUTO_TEST_CASE(verify_catches_an_event_edited_behind_its_back) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    {
        auto w = writer_connection(db);
        w->exec("DROP TRIGGER events_no_update");
        w->exec(
            "UPDATE events SET data = replace(data, '\"paused\"', '\"archived\"') "
            "WHERE stream = 'campaign-3'");
    }
    auto v = tool("omnivibe-replay", "--db " + db + " --verify");
    BOOST_TEST(v.exit_code == 1, v.output);
    BOOST_TEST(contains(v.output, "campaigns id=3: status: live 'paused', rebuilt 'archived'"),
               v.output);
}

BOOST_AUTO_TEST_CASE(to_and_out_write_the_state_as_of_a_seq_and_leave_the_original_alone) {
    TempDir dir;
    const std::string db = dir.file("omnivibe.db");
    write_history(db);
    const std::string original_hash = file_hash(db);
    const std::string hash_at_3 = text(db, "SELECT hash FROM events WHERE seq = 3");

    const std::string out = dir.file("as-of-3.db");
    auto r = tool("omnivibe-replay", "--db " + db + " --to 3 --out " + out);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
    BOOST_TEST(
        contains(r.output, "wrote " + out + ": the log up to seq 3 of 5 (hash " + hash_at_3));

    BOOST_TEST(file_hash(db) == original_hash);
    BOOST_TEST(scalar(db, "SELECT count(*) FROM events") == 5);

    BOOST_TEST(scalar(out, "SELECT count(*) FROM events") == 3);
    BOOST_TEST(scalar(out, "SELECT head FROM projection_state") == 3);
    BOOST_TEST(text(out, "SELECT name || '/' || status || '/' || version FROM campaigns") ==
               "Spring/active/2");
    BOOST_TEST(scalar(out, "SELECT count(*) FROM content_schedule") == 0);
    BOOST_TEST(scalar(out, "SELECT count(*) FROM idempotency_keys") == 0);
    // The copy is the anchored log up to 3, and a server can take it over.
    auto audit = tool("omnivibe-audit", "--db " + out + " verify --expect 3:" + hash_at_3);
    BOOST_TEST(audit.exit_code == 0, audit.output);
    {
        TestServer server([&](http::ServerOptions& o) { o.service.db_path = out; });
        auto c = server.client();
        BOOST_TEST(json_string(c.get("/api/v1/campaigns/1").body, "/name") == "Spring");
        auto next = c.post("/api/v1/clients", R"({"name":"Globex"})");
        BOOST_TEST(next.header("X-Event-Seq") == "4");
    }

    auto beyond = tool("omnivibe-replay", "--db " + db + " --to 9 --out " + dir.file("x.db"));
    BOOST_TEST(beyond.exit_code == 2);
    BOOST_TEST(contains(beyond.output, "the log, which ends at seq 5"));
    auto exists = tool("omnivibe-replay", "--db " + db + " --to 2 --out " + out);
    BOOST_TEST(exists.exit_code == 2);
    BOOST_TEST(contains(exists.output, "already exists"));
}

BOOST_AUTO_TEST_CASE(usage_and_wrong_files_have_their_exit_codes) {
    TempDir dir;
    const std::string legacy = make_legacy(dir);
    auto help = tool("omnivibe-replay", "--help");
    BOOST_TEST(help.exit_code == 0);
    for (const char* word : {"--verify", "--to", "--out", "Exit codes"})
        BOOST_TEST(contains(help.output, word), word);
    BOOST_TEST(tool("omnivibe-replay", "").exit_code == 2);
    BOOST_TEST(tool("omnivibe-replay", "--db x.db --to 3").exit_code == 2);
    BOOST_TEST(tool("omnivibe-replay", "--db x.db --verify --to 3 --out y.db").exit_code == 2);
    BOOST_TEST(tool("omnivibe-replay", "--db x.db --bogus").exit_code == 2);

    auto missing = tool("omnivibe-replay", "--db " + dir.file("none.db"));
    BOOST_TEST(missing.exit_code == 3);
    BOOST_TEST(contains(missing.output, "none.db does not exist"));
    auto foreign = tool("omnivibe-replay", "--db " + legacy + " --verify");
    BOOST_TEST(foreign.exit_code == 3);
    BOOST_TEST(contains(foreign.output, "is a SQLite database but not an omnivibe one"));
    BOOST_TEST(contains(foreign.output, "omnivibe-import --legacy"));
}

BOOST_AUTO_TEST_SUITE_END()
