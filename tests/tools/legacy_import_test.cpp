// omnivibe-import on the legacy fixture: what a user of the API then sees.
#include <boost/test/unit_test.hpp>

#include "support/json.hpp"
#include "support/test_server.hpp"
#include "tools/tools_helpers.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

// A server on an imported database.
TestServer serve(const std::string& db) {
    return TestServer([&](http::ServerOptions& o) { o.service.db_path = db; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(legacy_import)

BOOST_AUTO_TEST_CASE(the_fixture_imports_with_its_counts_and_what_was_cleaned) {
    TempDir dir;
    const std::string legacy = make_legacy(dir);
    const std::string db = dir.file("omnivibe.db");
    auto r = tool("omnivibe-import", "--legacy " + legacy + " --db " + db);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
    for (const char* line :
         {"clients                3 read,     3 imported",
          "campaigns              7 read,     7 imported, 1 of them deleted again",
          "content_schedule      13 read,    13 imported, 1 of them deleted again",
          "storyboard_blocks     16 read,    16 imported",
          "generated_scripts     70 read,    70 imported, 5 of them deleted again",
          "resource_library       2 read,     0 imported",
          "campaigns.status: 'Active' → 'active' (1)",
          "content_schedule.platform: 'YouTube' → 'Youtube' (1)",
          "content_schedule.keywords: comma-separated text → array (11)",
          "content_schedule.keywords: NULL → [] (2)",
          "storyboard_blocks.block_order (from 1) → position (from 0) (16)",
          "storyboard_blocks.duration → duration_sec (16)",
          "storyboard_blocks.transition: NULL → 'cut' (the default) (4)",
          "generated_scripts.script_text → body (70)",
          "resource_library 1: campaign 2 intro intro_lasik.mp4",
          "campaign 5 bgm_path /uploads/campaigns/5/bgm.mp3: file not found",
          "no checksum invented", "appended 116 events"})
        BOOST_TEST(contains(r.output, line), line);

    // Every imported event says where it came from.
    BOOST_TEST(scalar(db, "SELECT count(*) FROM events") == 116);
    BOOST_TEST(scalar(db,
                      "SELECT count(*) FROM events WHERE json_extract(meta, '$.source') = "
                      "'legacy-import' AND json_extract(meta, '$.actor') = 'legacy-import'") ==
               116);
}

BOOST_AUTO_TEST_CASE(the_api_serves_the_imported_data_cleaned) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    {
        auto server = serve(db);
        auto c = server.client();

        auto clients = c.get("/api/v1/clients");
        BOOST_TEST(json_int(clients.body, "/total") == 3);
        auto eye = c.get("/api/v1/clients/1");
        BOOST_TEST(json_string(eye.body, "/name") == "밝은눈 안과");
        BOOST_TEST(json_int(eye.body, "/campaign_count") == 2);  // campaign 7 is deleted
        BOOST_TEST(json_string(eye.body, "/created_at") == "2026-01-15T09:00:00.000Z");

        BOOST_TEST(json_int(c.get("/api/v1/campaigns?page_size=100").body, "/total") == 6);
        BOOST_TEST(c.get("/api/v1/campaigns/7").status == 404);
        auto lasik = c.get("/api/v1/campaigns/2");
        BOOST_TEST(lasik.status == 200);
        BOOST_TEST(json_string(lasik.body, "/status") == "active");  // was 'Active'
        BOOST_TEST(json_string(lasik.body, "/created_at") == "2026-02-02T10:31:00.000Z");
        BOOST_TEST(json_string(lasik.body, "/updated_at") == "2026-02-02T12:00:00.000Z");
        BOOST_TEST(json_is_null(lasik.body, "/intro_video_path"));  // the file is not shipped
        BOOST_TEST(json_int(lasik.body, "/version") == 1);
        BOOST_TEST(json_int(lasik.body, "/content_count") == 2);
        BOOST_TEST(lasik.header("ETag") == "\"1\"");
        BOOST_TEST(json_bool(c.get("/api/v1/campaigns/5").body, "/auto_deploy"));
        BOOST_TEST(json_number(c.get("/api/v1/campaigns/3").body, "/bgm_volume") == 0.45);

        BOOST_TEST(json_int(c.get("/api/v1/content-schedule?page_size=100").body, "/total") == 12);
        BOOST_TEST(c.get("/api/v1/content-schedule/13").status == 404);
        auto blue = c.get("/api/v1/content-schedule/2").body;
        BOOST_TEST(json_string(blue, "/content/platform") == "Youtube");  // was 'youtube'
        BOOST_TEST(json_raw(blue, "/content/keywords") == R"(["블루라이트","눈피로"])");
        BOOST_TEST(json_string(blue, "/content/created_at") == "2026-02-02T11:01:00.000Z");
        auto faq = c.get("/api/v1/content-schedule/4").body;
        BOOST_TEST(json_raw(faq, "/content/keywords") == "[]");          // was NULL
        BOOST_TEST(json_string(faq, "/content/platform") == "Youtube");  // was 'YouTube'
        BOOST_TEST(json_string(c.get("/api/v1/content-schedule/10").body, "/content/platform") ==
                   "TikTok");
        // Filters see the canonical values: 'Youtube', 'youtube' and 'YouTube' are one platform.
        BOOST_TEST(json_int(c.get("/api/v1/content-schedule?platform=Youtube").body, "/total") ==
                   5);

        // A write continues the log right after the import.
        auto patched = c.patch("/api/v1/campaigns/2", R"({"status":"paused"})");
        BOOST_TEST(patched.status == 200);
        BOOST_TEST(patched.header("X-Event-Seq") == "117");
    }
    // Storyboards and scripts (their routes live elsewhere): straight from the read tables.
    BOOST_TEST(scalar(db, "SELECT count(*) FROM storyboard_blocks") == 16);
    BOOST_TEST(text(db,
                    "SELECT group_concat(position) FROM (SELECT position FROM "
                    "storyboard_blocks WHERE content_id = 1 ORDER BY id)") == "0,1,2,3");
    BOOST_TEST(text(db, "SELECT transition FROM storyboard_blocks WHERE id = 3") == "cut");
    BOOST_TEST(text(db, "SELECT duration_sec FROM storyboard_blocks WHERE id = 2") == "8.5");
    BOOST_TEST(scalar(db, "SELECT count(*) FROM generated_scripts") == 65);
    BOOST_TEST(text(db,
                    "SELECT group_concat(revision) FROM (SELECT revision FROM "
                    "generated_scripts WHERE content_id = 1 ORDER BY id)") == "1,2,3,4,5,6");
    BOOST_TEST(text(db, "SELECT substr(body, 1, 14) FROM generated_scripts WHERE id = 66") ==
               "[HOOK] 시력 관리 팁");
    BOOST_TEST(scalar(db, "SELECT count(*) FROM generated_scripts WHERE content_id = 13") == 0);
    // The deleted campaign's history is in the log, its deletion caused the rest.
    BOOST_TEST(scalar(db,
                      "SELECT count(*) FROM events WHERE json_extract(meta, '$.cause') = "
                      "'campaign-7'") == 6);
    BOOST_TEST(text(db,
                    "SELECT json_extract(data, '$.deleted_at') FROM events WHERE type = "
                    "'campaign.deleted'") == "2026-02-02T18:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(the_import_passes_audit_verify_and_replay_verify) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    auto audit = tool("omnivibe-audit", "--db " + db + " verify");
    BOOST_TEST(audit.exit_code == 0, audit.output);
    BOOST_TEST(contains(audit.output, "log: 116 events"));
    auto replay = tool("omnivibe-replay", "--db " + db + " --verify");
    BOOST_TEST(replay.exit_code == 0, replay.output);
    BOOST_TEST(contains(replay.output, "equal a replay of the log up to seq 116"));
}

BOOST_AUTO_TEST_CASE(a_target_that_holds_events_is_refused) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    auto again = tool("omnivibe-import", "--legacy " + dir.file("legacy.db") + " --db " + db);
    BOOST_TEST(again.exit_code == 3);
    BOOST_TEST(contains(again.output, "already holds 116 events"), again.output);
    BOOST_TEST(scalar(db, "SELECT count(*) FROM events") == 116);
}

BOOST_AUTO_TEST_CASE(rejected_rows_write_nothing_unless_partial_is_asked) {
    TempDir dir;
    const std::string legacy = make_legacy(
        dir,
        "INSERT INTO clients (id, name) VALUES (4, 'GREEN TABLE FOODS');"
        "INSERT INTO content_schedule (id, campaign_id, topic) VALUES (14, 99, 'orphan');"
        "INSERT INTO storyboard_blocks (id, content_id, block_order, block_type) "
        "VALUES (17, 14, 1, 'hook');"
        "INSERT INTO generated_scripts (id, content_id, script_text) VALUES (71, 1, '');");
    const std::string db = dir.file("omnivibe.db");
    auto r = tool("omnivibe-import", "--legacy " + legacy + " --db " + db);
    BOOST_TEST(r.exit_code == 1, r.output);
    for (const char* line :
         {"clients 4: A client named \"GREEN TABLE FOODS\" already exists.",
          "content_schedule 14: The referenced campaign does not exist. (campaign_id: no "
          "campaign with id 99)",
          "storyboard_blocks 17: No content with id 14.",
          "generated_scripts 71: body must not be empty", "NOTHING WRITTEN: 4 row(s) rejected"})
        BOOST_TEST(contains(r.output, line), line);
    BOOST_TEST(scalar(db, "SELECT count(*) FROM events") == 0);

    auto partial = tool("omnivibe-import", "--legacy " + legacy + " --db " + db + " --partial");
    BOOST_TEST(partial.exit_code == 1, partial.output);
    BOOST_TEST(contains(partial.output, "PARTIAL: 4 row(s) rejected"));
    BOOST_TEST(scalar(db, "SELECT count(*) FROM events") == 116);
    BOOST_TEST(tool("omnivibe-audit", "--db " + db + " verify").exit_code == 0);
}

BOOST_AUTO_TEST_CASE(bad_optional_values_are_left_out_and_reported_and_the_row_kept) {
    TempDir dir;
    const std::string legacy = make_legacy(
        dir,
        "UPDATE clients SET contact_email = 'reception at haru' WHERE id = 3;"
        "UPDATE campaigns SET target_duration = 99999, status = NULL WHERE id = 4;"
        "UPDATE storyboard_blocks SET block_order = block_order * 10 WHERE content_id = 8;");
    const std::string db = dir.file("omnivibe.db");
    auto r = tool("omnivibe-import", "--legacy " + legacy + " --db " + db);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
    BOOST_TEST(contains(r.output,
                        "clients 3: contact_email 'reception at haru' left out (must be "
                        "an e-mail address)"),
               r.output);
    BOOST_TEST(contains(r.output, "campaigns 4: target_duration 99999 left out"));
    BOOST_TEST(contains(r.output, "campaigns.status: NULL → 'draft' (the default) (1)"));
    BOOST_TEST(contains(r.output, "content 8 had gaps or repeats in block_order"));
    BOOST_TEST(text(db, "SELECT contact_email FROM clients WHERE id = 3") == "NULL");
    BOOST_TEST(text(db, "SELECT status FROM campaigns WHERE id = 4") == "draft");
    BOOST_TEST(text(db,
                    "SELECT group_concat(position) FROM (SELECT position FROM "
                    "storyboard_blocks WHERE content_id = 8 ORDER BY id)") == "0,1,2,3");
}

BOOST_AUTO_TEST_CASE(wrong_files_are_refused_with_a_reason) {
    TempDir dir;
    const std::string db = import_fixture(dir);
    auto missing =
        tool("omnivibe-import", "--legacy " + dir.file("nope.db") + " --db " + dir.file("new.db"));
    BOOST_TEST(missing.exit_code == 3);
    BOOST_TEST(contains(missing.output, "nope.db does not exist"));
    auto omnivibe = tool("omnivibe-import", "--legacy " + db + " --db " + dir.file("new.db"));
    BOOST_TEST(omnivibe.exit_code == 3);
    BOOST_TEST(contains(omnivibe.output, "is already an omnivibe database"));
    std::ofstream(dir.file("notes.txt")) << "not a database";
    auto junk = tool("omnivibe-import",
                     "--legacy " + dir.file("legacy.db") + " --db " + dir.file("notes.txt"));
    BOOST_TEST(junk.exit_code == 3);
    BOOST_TEST(contains(junk.output, "notes.txt is not a SQLite database; refusing"));
    BOOST_TEST(tool("omnivibe-import", "--legacy " + dir.file("legacy.db")).exit_code == 2);
    auto help = tool("omnivibe-import", "--help");
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(contains(help.output, "--partial"));
    BOOST_TEST(contains(help.output, "Exit codes"));
}

BOOST_AUTO_TEST_CASE(a_target_in_use_by_a_server_is_refused) {
    TempDir dir;
    const std::string legacy = make_legacy(dir);
    TestServer server;  // an empty database, held by its writer
    auto r = tool("omnivibe-import", "--legacy " + legacy + " --db " + server.db_path());
    BOOST_TEST(r.exit_code == 4, r.output);
    BOOST_TEST(contains(r.output, "is in use by omnivibe-server"));
}

BOOST_AUTO_TEST_SUITE_END()
