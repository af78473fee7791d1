// omnivibe-audit: verify (with and without an anchor), head, history, log, stats.
#include <boost/test/unit_test.hpp>
#include <sstream>

#include "integration/api_helpers.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "support/json.hpp"
#include "support/test_server.hpp"
#include "tools/tools_helpers.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_tool)

BOOST_AUTO_TEST_CASE(verify_names_the_first_edited_event_and_the_dropped_trigger) {
    TempDir dir;
    const std::string db = copy_db(import_fixture(dir), dir.file("copy.db"));
    const std::int64_t seq = scalar(db, "SELECT seq FROM events WHERE stream = 'campaign-3'");
    {
        auto w = writer_connection(db);
        w->exec("DROP TRIGGER events_no_update");
        w->exec(
            "UPDATE events SET data = replace(data, 'Healthy Lunch', 'Cheap Lunch') WHERE seq = " +
            std::to_string(seq));
    }
    auto r = tool("omnivibe-audit", "--db " + db + " verify");
    BOOST_TEST(r.exit_code == 1, r.output);
    BOOST_TEST(contains(r.output, "FAILED at seq " + std::to_string(seq) +
                                      ": hash does not match the event's content"),
               r.output);
    BOOST_TEST(
        contains(r.output, "(campaign-3 v1, campaign.created) was changed after it was written"));
    BOOST_TEST(contains(r.output, "FAILED: trigger events_no_update is missing"));
    BOOST_TEST(contains(r.output, "VERIFICATION FAILED"));

    // The replay of the edited log disagrees with the read tables, row named.
    auto v = tool("omnivibe-replay", "--db " + db + " --verify");
    BOOST_TEST(v.exit_code == 1, v.output);
    BOOST_TEST(contains(v.output,
                        "campaigns id=3: name: live 'Healthy Lunch Series', rebuilt 'Cheap Lunch "
                        "Series'"),
               v.output);
}

BOOST_AUTO_TEST_CASE(verify_names_a_gap_left_by_a_removed_event) {
    TempDir dir;
    const std::string db = copy_db(import_fixture(dir), dir.file("copy.db"));
    writer_connection(db)->exec("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 40");
    auto r = tool("omnivibe-audit", "--db " + db + " verify");
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(contains(r.output, "FAILED at seq 40: missing: the log jumps from seq 39 to seq 41"),
               r.output);
}

BOOST_AUTO_TEST_CASE(verify_expect_catches_a_fully_rewritten_chain) {
    TempDir dir;
    const std::string original = import_fixture(dir);
    auto head = tool("omnivibe-audit", "--db " + original + " head");
    BOOST_TEST_REQUIRE(head.exit_code == 0);
    BOOST_TEST_REQUIRE(head.output.size() == 4 + 64 + 1);  // "116 <hash>\n"
    const std::string anchor = "116:" + head.output.substr(4, 64);
    BOOST_TEST(
        tool("omnivibe-audit", "--db " + original + " verify --expect " + anchor).exit_code == 0);

    // A forger with write access edits an event, recomputes every later hash
    // and puts the trigger back as it was: the chain alone looks intact.
    const std::string db = copy_db(original, dir.file("forged.db"));
    {
        auto w = writer_connection(db);
        const std::string trigger =
            text(db, "SELECT sql FROM sqlite_master WHERE name = 'events_no_update'");
        w->exec("DROP TRIGGER events_no_update");
        auto rows = store::read_events(*w, store::EventQuery{0, 1000});
        std::string prev = std::string(store::kGenesisHash);
        for (auto& row : rows) {
            if (row.stream == "client-2")
                row.data = R"({"name":"Green Table Foods","contact_email":"forger@example.com"})";
            row.prev_hash = prev;
            row.hash = store::chain_hash(prev, row);
            prev = row.hash;
            store::SqliteStmt(w->handle(),
                              "UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?")
                .bind(1, row.data)
                .bind(2, row.prev_hash)
                .bind(3, row.hash)
                .bind(4, row.seq)
                .run();
        }
        w->exec(trigger);
    }
    auto plain = tool("omnivibe-audit", "--db " + db + " verify");
    BOOST_TEST(plain.exit_code == 0, plain.output);  // why an anchor must be kept elsewhere
    auto anchored = tool("omnivibe-audit", "--db " + db + " verify --expect " + anchor);
    BOOST_TEST(anchored.exit_code == 1, anchored.output);
    BOOST_TEST(contains(anchored.output, "FAILED at seq 116: hash "), anchored.output);
    BOOST_TEST(contains(anchored.output, "the log up to seq 116 is not the one that was anchored"));

    auto bad = tool("omnivibe-audit", "--db " + db + " verify --expect 116:nothex");
    BOOST_TEST(bad.exit_code == 2);
}

BOOST_AUTO_TEST_CASE(history_shows_each_change_from_old_to_new) {
    TestServer server;
    {
        auto c = server.client();
        create_client(c, "Acme");
        create_campaign(c, 1, "Spring", R"(,"description":"first draft")");
        BOOST_REQUIRE(c.patch("/api/v1/campaigns/1", R"({"status":"active"})").status == 200);
        BOOST_REQUIRE(
            c.patch("/api/v1/campaigns/1", R"({"name":"Spring 2026","bgm_volume":0.5})").status ==
            200);
        BOOST_REQUIRE(
            c.patch("/api/v1/campaigns/1", R"({"status":"paused","description":null})").status ==
            200);
    }
    const std::string db = server.db_path();
    auto r = tool("omnivibe-audit", "--db " + db + " history campaign 1");
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
    BOOST_TEST_MESSAGE(r.output);
    for (const char* line :
         {"campaign 1 (stream campaign-1): 4 event(s), live at version 4",
          "campaign.created  (seq 2, v1)", "    name         \"Spring\"",
          "campaign.updated  (seq 3, v2)", "    status  \"draft\" → \"active\"",
          "    name        \"Spring\" → \"Spring 2026\"", "    bgm_volume  0.3 → 0.5",
          "    status       \"active\" → \"paused\"", "    description  \"first draft\" → null"})
        BOOST_TEST(contains(r.output, line), line);

    auto none = tool("omnivibe-audit", "--db " + db + " history content 9");
    BOOST_TEST(none.exit_code == 1);
    BOOST_TEST(contains(none.output, "no events for content-9"));
    BOOST_TEST(tool("omnivibe-audit", "--db " + db + " history widget 1").exit_code == 2);
    BOOST_TEST(tool("omnivibe-audit", "--db " + db + " history campaign").exit_code == 2);
}

BOOST_AUTO_TEST_CASE(history_of_an_imported_entity_keeps_its_legacy_time_and_cause) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    auto r = tool("omnivibe-audit", "--db " + db + " history content 13");
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
    BOOST_TEST(
        contains(r.output, "content 13 (stream content-13): 2 event(s), deleted at version 2"));
    BOOST_TEST(contains(r.output, "2026-02-02T11:12:00.000Z  legacy-import  content.created"));
    BOOST_TEST(contains(r.output, "source legacy-import"));
    BOOST_TEST(contains(r.output, "content.deleted"));
    BOOST_TEST(contains(r.output, "because campaign-7 was deleted"));
}

BOOST_AUTO_TEST_CASE(head_log_and_stats_read_the_log) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    auto head = tool("omnivibe-audit", "--db " + db + " head");
    BOOST_TEST(head.output == "116 " + text(db, "SELECT hash FROM events WHERE seq = 116") + "\n");

    auto json = tool("omnivibe-audit", "--db " + db + " log --after 114 --json");
    BOOST_TEST_REQUIRE(json.exit_code == 0);
    const auto events = lines(json.output);
    BOOST_TEST_REQUIRE(events.size() == 2u);
    BOOST_TEST(json_int(events[0], "/seq") == 115);
    BOOST_TEST(json_string(events[0], "/type") == "content.deleted");
    BOOST_TEST(json_string(events[1], "/type") == "campaign.deleted");
    BOOST_TEST(json_string(events[1], "/actor") == "legacy-import");

    auto text_log = tool("omnivibe-audit", "--db " + db + " log --limit 3");
    BOOST_TEST(lines(text_log.output).size() == 3u);
    BOOST_TEST(contains(text_log.output, "client.created  client-1 v1"));
    BOOST_TEST(lines(tool("omnivibe-audit", "--db " + db + " log --after 100 --limit 2000").output)
                   .size() == 16u);

    auto stats = tool("omnivibe-audit", "--db " + db + " stats");
    BOOST_TEST(stats.exit_code == 0);
    BOOST_TEST(contains(stats.output, "events: 116 in 109 streams"), stats.output);
    BOOST_TEST(contains(stats.output, "script.generated                  70"), stats.output);
    BOOST_TEST(contains(stats.output, "legacy-import"));
    BOOST_TEST(contains(stats.output, "per day"));
}

BOOST_AUTO_TEST_CASE(usage_and_wrong_files_have_their_exit_codes) {
    TempDir dir;
    const std::string legacy = make_legacy(dir);
    auto help = tool("omnivibe-audit", "--help");
    BOOST_TEST(help.exit_code == 0);
    for (const char* word : {"verify", "--expect", "head", "history", "log", "stats", "Exit codes"})
        BOOST_TEST(contains(help.output, word), word);
    BOOST_TEST(tool("omnivibe-audit", "--db " + legacy).exit_code == 2);
    BOOST_TEST(tool("omnivibe-audit", "--db " + legacy + " frobnicate").exit_code == 2);
    BOOST_TEST(tool("omnivibe-audit", "--db " + legacy + " head --after 3").exit_code == 2);
    BOOST_TEST(tool("omnivibe-audit", "--db " + legacy + " stats --json").exit_code == 2);
    BOOST_TEST(tool("omnivibe-audit", "verify").exit_code == 2);

    auto foreign = tool("omnivibe-audit", "--db " + legacy + " verify");
    BOOST_TEST(foreign.exit_code == 3);
    BOOST_TEST(contains(foreign.output, "not an omnivibe one"));
    auto missing = tool("omnivibe-audit", "--db " + dir.file("gone.db") + " head");
    BOOST_TEST(missing.exit_code == 3);
    BOOST_TEST(contains(missing.output, "gone.db does not exist"));
    std::ofstream(dir.file("empty.db")).flush();
    auto empty = tool("omnivibe-audit", "--db " + dir.file("empty.db") + " head");
    BOOST_TEST(empty.exit_code == 3);
    BOOST_TEST(contains(empty.output, "empty.db is empty"));
}

BOOST_AUTO_TEST_SUITE_END()
