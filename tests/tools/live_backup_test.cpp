// Backups of a live database, exactly as docs/OPERATIONS.md documents them:
// `VACUUM INTO` and the sqlite3 shell's `.backup`, taken while writers keep
// writing to the real server. Each copy must pass `omnivibe-audit verify`,
// rebuild identically with `omnivibe-replay --verify`, and restore: a server
// started on it serves what the copy's log says, and takes writes again.

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/json.hpp"
#include "tools_helpers.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

// The log head of a database file, read with the sqlite3 shell.
std::int64_t head_of(const std::string& db) {
    auto r = run_command("sqlite3 " + db + " 'SELECT coalesce(max(seq),0) FROM events'");
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    return std::stoll(r.output);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(live_backup)

BOOST_AUTO_TEST_CASE(documented_backups_taken_under_writes_verify_and_restore) {
    TempDir dir;
    const std::string db = dir.file("omnivibe.db");
    std::int64_t backup_heads[2] = {0, 0};
    const std::string copies[2] = {dir.file("vacuum.db"), dir.file("online.db")};
    {
        ServerProcess server(db, dir.file("uploads"));
        HttpClient setup(server.port());
        BOOST_REQUIRE(setup.post("/api/v1/clients", R"({"name":"Backup client"})").status == 201);

        // Writers create and update campaigns until told to stop.
        std::atomic<bool> stop{false};
        std::atomic<int> acknowledged{0}, failed{0};
        std::vector<std::thread> writers;
        for (int w = 0; w < 3; ++w)
            writers.emplace_back([&, w] {
                HttpClient c(server.port());
                for (int i = 0; !stop.load(); ++i) {
                    const std::string name = "W" + std::to_string(w) + "-" + std::to_string(i);
                    auto r =
                        c.post("/api/v1/campaigns", R"({"client_id":1,"name":")" + name + R"("})");
                    if (r.status != 201) {
                        ++failed;
                        continue;
                    }
                    ++acknowledged;
                    const auto id = json_int(r.body, "/id");
                    const auto patch = c.patch("/api/v1/campaigns/" + std::to_string(id),
                                               R"({"status":"paused"})");
                    (patch.status == 200 ? acknowledged : failed)++;
                }
            });
        // Let the log grow, then take both documented copies while it keeps growing.
        while (acknowledged.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto vacuum = run_command("sqlite3 " + db + " \"VACUUM INTO '" + copies[0] + "'\"");
        auto online = run_command("sqlite3 " + db + " \".backup " + copies[1] + "\"");
        const int at_backup = acknowledged.load();
        while (acknowledged.load() < at_backup + 100)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        stop = true;
        for (auto& t : writers) t.join();
        BOOST_TEST(vacuum.exit_code == 0, vacuum.output);
        BOOST_TEST(online.exit_code == 0, online.output);
        BOOST_TEST(failed.load() == 0);
        BOOST_TEST(server.signal_and_wait(SIGTERM) == 0);
    }
    const std::int64_t final_head = head_of(db);

    for (int i = 0; i < 2; ++i) {
        BOOST_TEST_CONTEXT(copies[i]) {
            backup_heads[i] = head_of(copies[i]);
            // A snapshot taken in the middle of the writes: neither empty nor the end.
            BOOST_TEST(backup_heads[i] > 200);
            BOOST_TEST(backup_heads[i] < final_head);
            auto audit = tool("omnivibe-audit", "--db " + copies[i] + " verify");
            BOOST_TEST(audit.exit_code == 0, audit.output);
            auto replay = tool("omnivibe-replay", "--db " + copies[i] + " --verify");
            BOOST_TEST(replay.exit_code == 0, replay.output);

            // Restore: the copy is the database of a new server.
            ServerProcess restored(copies[i], dir.file("uploads"));
            HttpClient c(restored.port());
            auto list = c.get("/api/v1/campaigns?limit=1");
            BOOST_TEST(list.status == 200);
            BOOST_TEST(json_int(list.body, "/seq") == backup_heads[i]);
            auto more = c.post("/api/v1/campaigns", R"({"client_id":1,"name":"After restore"})");
            BOOST_TEST(more.status == 201);
            BOOST_TEST(std::stoll(more.header("X-Event-Seq")) == backup_heads[i] + 1);
            BOOST_TEST(restored.signal_and_wait(SIGTERM) == 0);
            auto again = tool("omnivibe-audit", "--db " + copies[i] + " verify");
            BOOST_TEST(again.exit_code == 0, again.output);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
