// Crash safety (SPEC section 11): the real omnivibe-server is killed with
// SIGKILL under write load at a random moment, restarted on the same files,
// and checked, many times over.
//
// Several writer threads each send a stream of creates, updates and deletes,
// every request with its own Idempotency-Key, and record what they were told.
// After each restart:
//   - every acknowledged write (a 2xx that reached the client) is in the log
//     at the seq it was acknowledged with, with the fields that were sent, and
//     the read model shows it;
//   - every request that got no answer is retried with its key: it is either
//     replayed (it had committed) or executed now, and a second retry is a
//     replay of that same answer, so nothing is lost or applied twice.
// At the end the whole log is checked (contiguous seq and stream versions,
// the hash chain, each key used by exactly one write) and a rebuild of the
// read tables from the log, on a copy, equals the live tables.
//
// OMNIVIBE_CRASH_CYCLES (default 20), OMNIVIBE_CRASH_WRITERS (default 4) and
// OMNIVIBE_CRASH_SEED (default: random, printed) make longer or repeatable runs.
// Nothing here is timed: waits have generous bounds and only decide when to kill.

#include <signal.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "omnivibe/json/decode.hpp"
#include "omnivibe/store/event_store.hpp"
#include "support/json.hpp"
#include "support/log_checks.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    return std::strtoull(v, nullptr, 10);
}

enum class Op {
    create_client,
    create_campaign,
    create_content,
    patch_campaign,
    patch_content,
    delete_content
};

const char* op_name(Op op) {
    switch (op) {
        case Op::create_client:
            return "create client";
        case Op::create_campaign:
            return "create campaign";
        case Op::create_content:
            return "create content";
        case Op::patch_campaign:
            return "patch campaign";
        case Op::patch_content:
            return "patch content";
        case Op::delete_content:
            return "delete content";
    }
    return "?";
}

// One request as sent, and what came back.
struct Attempt {
    Op op = Op::create_client;
    std::string key;
    std::string method;
    std::string path;
    std::string body;
    std::int64_t target_id = 0;  ///< the entity patched or deleted
    std::size_t writer = 0;

    bool acknowledged = false;
    bool retried = false;
    int status = 0;
    std::string response;
    std::int64_t seq = 0;
    std::int64_t version = 0;
    std::int64_t id = 0;  ///< the entity the response is about
};

// What one writer thread owns and expects to find; kept across cycles so
// later cycles update and delete what earlier ones created.
struct Owned {
    std::vector<std::int64_t> clients;
    std::vector<std::int64_t> campaigns;
    std::vector<std::int64_t> contents;                  ///< live ones
    std::map<std::int64_t, std::string> client_names;    ///< client id -> name
    std::map<std::int64_t, std::string> campaign_names;  ///< campaign id -> name
    std::map<std::int64_t, std::string> topics;          ///< content id -> topic
    std::map<std::int64_t, std::string> descriptions;    ///< campaign id -> last description
    std::map<std::int64_t, std::string> notes;           ///< content id -> last notes
    std::set<std::int64_t> deleted_contents;
};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// The next request of a writer, chosen from what it already owns.
Attempt plan(std::mt19937_64& rng, const Owned& own, const std::string& key) {
    Attempt a;
    a.key = key;
    const int dice = static_cast<int>(rng() % 100);
    auto pick = [&](const std::vector<std::int64_t>& ids) { return ids[rng() % ids.size()]; };
    Op op = dice < 15   ? Op::create_client
            : dice < 40 ? Op::create_campaign
            : dice < 70 ? Op::create_content
            : dice < 85 ? Op::patch_campaign
            : dice < 92 ? Op::patch_content
                        : Op::delete_content;
    if ((op == Op::create_content || op == Op::patch_campaign) && own.campaigns.empty())
        op = Op::create_campaign;
    if ((op == Op::patch_content || op == Op::delete_content) && own.contents.empty())
        op = own.campaigns.empty() ? Op::create_campaign : Op::create_content;
    if (op == Op::create_campaign && own.clients.empty()) op = Op::create_client;
    a.op = op;
    // Text with quotes, backslashes and non-ASCII, so the log keeps bytes, not lookalikes.
    const std::string text = "note \\\"" + key + "\\\" caf\xc3\xa9 \xe2\x9c\x93";
    switch (op) {
        case Op::create_client:
            a.method = "POST";
            a.path = "/api/v1/clients";
            a.body =
                R"({"name":"Client )" + key + R"(","industry":"food","notes":")" + text + "\"}";
            break;
        case Op::create_campaign:
            a.method = "POST";
            a.path = "/api/v1/campaigns";
            a.body = R"({"client_id":)" + std::to_string(pick(own.clients)) +
                     R"(,"name":"Campaign )" + key + R"(","description":")" + text +
                     R"(","status":"active","bgm_volume":0.25,"start_date":"2026-03-01",)"
                     R"("end_date":"2026-04-30"})";
            break;
        case Op::create_content:
            a.method = "POST";
            a.path = "/api/v1/content-schedule";
            a.body =
                R"({"campaign_id":)" + std::to_string(pick(own.campaigns)) + R"(,"topic":"Topic )" +
                key + R"(","platform":"TikTok","publish_date":"2026-03-)" +
                std::to_string(10 + rng() % 18) + R"(","keywords":["crash",")" + key + R"("]})";
            break;
        case Op::patch_campaign:
            a.target_id = pick(own.campaigns);
            a.method = "PATCH";
            a.path = "/api/v1/campaigns/" + std::to_string(a.target_id);
            a.body = R"({"description":"patched )" + key + "\"}";
            break;
        case Op::patch_content:
            a.target_id = pick(own.contents);
            a.method = "PATCH";
            a.path = "/api/v1/content-schedule/" + std::to_string(a.target_id);
            a.body = R"({"notes":"patched )" + key + "\"}";
            break;
        case Op::delete_content:
            a.target_id = pick(own.contents);
            a.method = "DELETE";
            a.path = "/api/v1/content-schedule/" + std::to_string(a.target_id);
            break;
    }
    return a;
}

// Reads what an acknowledged answer says and records it in the owner's expectations.
void record_success(Attempt& a, const HttpResponse& r, Owned& own) {
    a.acknowledged = true;
    a.status = r.status;
    a.response = r.body;
    a.seq = std::strtoll(r.header("X-Event-Seq").c_str(), nullptr, 10);
    const std::string etag = r.header("ETag");
    a.version = etag.size() > 2 ? std::strtoll(etag.c_str() + 1, nullptr, 10) : 0;
    auto sent = json::parse_object(a.body);
    switch (a.op) {
        case Op::create_client:
            a.id = json_int(r.body, "/id");
            own.clients.push_back(a.id);
            own.client_names[a.id] = *domain::get_string(*sent, "name");
            break;
        case Op::create_campaign:
            a.id = json_int(r.body, "/id");
            own.campaigns.push_back(a.id);
            own.campaign_names[a.id] = *domain::get_string(*sent, "name");
            own.descriptions[a.id] = *domain::get_string(*sent, "description");
            break;
        case Op::create_content:
            a.id = json_int(r.body, "/content/id");
            own.contents.push_back(a.id);
            own.topics[a.id] = *domain::get_string(*sent, "topic");
            own.notes[a.id] = "";
            break;
        case Op::patch_campaign:
            a.id = a.target_id;
            own.descriptions[a.id] = *domain::get_string(*sent, "description");
            break;
        case Op::patch_content:
            a.id = a.target_id;
            own.notes[a.id] = *domain::get_string(*sent, "notes");
            break;
        case Op::delete_content:
            a.id = a.target_id;
            std::erase(own.contents, a.id);
            own.deleted_contents.insert(a.id);
            break;
    }
}

HttpResponse send(HttpClient& c, const Attempt& a) {
    return c.request(a.method, a.path, a.body, {{"Idempotency-Key", a.key}});
}

// One writer thread's run in one cycle.
struct WriterRun {
    std::vector<Attempt> attempts;
    std::vector<std::string> unexpected;  ///< answers that are neither 2xx nor a lost connection
};

void drive(std::uint16_t port, std::uint64_t seed, int cycle, int writer, Owned& own,
           WriterRun& run, std::atomic<int>& acknowledged, const std::atomic<bool>& stop) {
    std::mt19937_64 rng(seed ^ (static_cast<std::uint64_t>(cycle) << 20) ^
                        static_cast<std::uint64_t>(writer));
    HttpClient client(port);
    for (int n = 0; !stop.load() && n < 100000; ++n) {
        Attempt a = plan(
            rng, own,
            "k" + std::to_string(cycle) + "-" + std::to_string(writer) + "-" + std::to_string(n));
        a.writer = static_cast<std::size_t>(writer);
        try {
            HttpResponse r = send(client, a);
            if (r.status / 100 == 2) {
                record_success(a, r, own);
                ++acknowledged;
                run.attempts.push_back(std::move(a));
                continue;
            }
            a.status = r.status;
            run.unexpected.push_back(std::string(op_name(a.op)) + " " + a.key + " -> " +
                                     std::to_string(r.status) + " " + r.body);
            run.attempts.push_back(std::move(a));
        } catch (const std::exception&) {
            // The server died under this request: it may or may not have committed.
            run.attempts.push_back(std::move(a));
        }
        return;  // after a failure this writer is done for the cycle
    }
}

// The event each acknowledged write produced must be in the log, at its seq,
// carrying its key and the fields that were sent.
void check_in_log(const Attempt& a, const std::map<std::int64_t, store::EventRow>& by_seq) {
    BOOST_TEST_CONTEXT(op_name(a.op) << " " << a.key << " acknowledged at seq " << a.seq) {
        auto it = by_seq.find(a.seq);
        BOOST_REQUIRE_MESSAGE(it != by_seq.end(), "acknowledged write missing from the log");
        const store::EventRow& row = it->second;
        auto meta = json::parse_meta(row.meta);
        BOOST_REQUIRE(meta);
        BOOST_TEST(meta->idempotency_key == a.key);
        const char* stream_kind = a.op == Op::create_client ? "client-"
                                  : a.op == Op::create_campaign || a.op == Op::patch_campaign
                                      ? "campaign-"
                                      : "content-";
        BOOST_TEST(row.stream == stream_kind + std::to_string(a.id));
        BOOST_TEST(row.stream_version == a.version);
        if (a.op == Op::delete_content) {
            BOOST_TEST(row.type == "content.deleted");
            return;
        }
        auto sent = json::parse_object(a.body);
        auto data = json::parse_object(row.data);
        BOOST_REQUIRE(sent);
        BOOST_REQUIRE(data);
        for (const auto& f : *sent) {
            const domain::Value* stored = domain::find(*data, f.name);
            BOOST_TEST_CONTEXT("field " << f.name) {
                BOOST_REQUIRE(stored);
                // Numbers are widened by validation (0.25 stays 0.25); compare as sent.
                BOOST_TEST((*stored == f.value));
            }
        }
    }
}

// The read model shows what the acknowledged writes left.
void check_read_model(HttpClient& c, const Owned& own) {
    for (auto id : own.clients) {
        auto r = c.get("/api/v1/clients/" + std::to_string(id));
        BOOST_TEST_REQUIRE(r.status == 200, "client " << id);
        BOOST_TEST(json_string(r.body, "/name") == own.client_names.at(id));
    }
    for (auto id : own.campaigns) {
        auto r = c.get("/api/v1/campaigns/" + std::to_string(id));
        BOOST_TEST_REQUIRE(r.status == 200, "campaign " << id);
        BOOST_TEST(json_string(r.body, "/name") == own.campaign_names.at(id));
        BOOST_TEST(json_string(r.body, "/description") == own.descriptions.at(id));
    }
    for (auto id : own.contents) {
        auto r = c.get("/api/v1/content-schedule/" + std::to_string(id));
        BOOST_TEST_REQUIRE(r.status == 200, "content " << id);
        BOOST_TEST(json_string(r.body, "/content/topic") == own.topics.at(id));
        const std::string& notes = own.notes.at(id);
        if (notes.empty())
            BOOST_TEST(json_is_null(r.body, "/content/notes"));
        else
            BOOST_TEST(json_string(r.body, "/content/notes") == notes);
    }
    for (auto id : own.deleted_contents)
        BOOST_TEST(c.get("/api/v1/content-schedule/" + std::to_string(id)).status == 404);
}

// What the writes of one cycle created is served with the fields that never change.
void check_created(HttpClient& c, const std::vector<Attempt>& acked,
                   const std::vector<Owned>& owned) {
    for (const auto& a : acked) {
        const Owned& own = owned[a.writer];
        BOOST_TEST_CONTEXT(op_name(a.op) << " " << a.key) {
            if (a.op == Op::create_client || a.op == Op::create_campaign) {
                const std::string base =
                    a.op == Op::create_client ? "/api/v1/clients/" : "/api/v1/campaigns/";
                auto r = c.get(base + std::to_string(a.id));
                BOOST_TEST_REQUIRE(r.status == 200);
                const auto& names =
                    a.op == Op::create_client ? own.client_names : own.campaign_names;
                BOOST_TEST(json_string(r.body, "/name") == names.at(a.id));
            } else if (a.op == Op::create_content) {
                auto r = c.get("/api/v1/content-schedule/" + std::to_string(a.id));
                if (own.deleted_contents.count(a.id)) {
                    BOOST_TEST(r.status == 404);
                } else {
                    BOOST_TEST_REQUIRE(r.status == 200);
                    BOOST_TEST(json_string(r.body, "/content/topic") == own.topics.at(a.id));
                }
            }
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crash_recovery)

BOOST_AUTO_TEST_CASE(kill_9_under_write_load_loses_and_duplicates_nothing) {
    const int cycles = static_cast<int>(env_number("OMNIVIBE_CRASH_CYCLES", 20));
    const int writers =
        static_cast<int>(std::max<std::uint64_t>(1, env_number("OMNIVIBE_CRASH_WRITERS", 4)));
    const std::uint64_t seed = env_number("OMNIVIBE_CRASH_SEED", std::random_device{}());
    BOOST_TEST_MESSAGE("crash test: " << cycles << " cycles, " << writers
                                      << " writers, OMNIVIBE_CRASH_SEED=" << seed);
    std::mt19937_64 rng(seed);

    TempDir dir;
    const std::string db = dir.file("omnivibe.db");
    const std::string uploads = dir.file("uploads");
    std::vector<Owned> owned(static_cast<std::size_t>(writers));
    std::vector<Attempt> all;  // every write that ended acknowledged, over all cycles
    std::size_t retried_replayed = 0, retried_executed = 0, acknowledged_total = 0;

    auto server = std::make_unique<ServerProcess>(db, uploads);
    for (int cycle = 0; cycle < cycles; ++cycle) {
        BOOST_TEST_CONTEXT("cycle " << cycle << " of seed " << seed) {
            // --- load, then kill -9 at a random moment ------------------------
            std::vector<WriterRun> runs(static_cast<std::size_t>(writers));
            std::atomic<int> acknowledged{0};
            std::atomic<bool> stop{false};
            std::atomic<int> driving{writers};
            std::vector<std::thread> threads;
            for (int w = 0; w < writers; ++w)
                threads.emplace_back([&, w] {
                    drive(server->port(), seed, cycle, w, owned[static_cast<std::size_t>(w)],
                          runs[static_cast<std::size_t>(w)], acknowledged, stop);
                    --driving;
                });
            // Kill after a random number of acknowledged writes, plus a random
            // few microseconds so the kill lands anywhere in a batch.
            const int target = 1 + static_cast<int>(rng() % 80);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
            while (acknowledged.load() < target && driving.load() > 0 &&
                   std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
            const int acknowledged_at_kill = acknowledged.load();
            server->signal_and_wait(SIGKILL);
            stop = true;
            for (auto& t : threads) t.join();
            // A cycle proves something only if the kill came under load: with
            // no write acknowledged, every check below would run over nothing.
            BOOST_TEST_REQUIRE(acknowledged_at_kill >= target,
                               "only " << acknowledged_at_kill << " writes acknowledged before the "
                                       << "kill; the cycle needed " << target);

            // --- restart on the same files ------------------------------------
            server = std::make_unique<ServerProcess>(db, uploads);
            // Events and read tables commit together: a crash never leaves them apart.
            BOOST_TEST(server->output().find("rebuilding") == std::string::npos, server->output());
            HttpClient c(server->port());

            std::vector<Attempt> cycle_acked;
            for (std::size_t w = 0; w < runs.size(); ++w) {
                for (const auto& u : runs[w].unexpected) BOOST_ERROR("unexpected answer: " << u);
                for (auto& a : runs[w].attempts) {
                    if (!a.acknowledged && a.status == 0) {
                        // Unanswered: retry with the same key. Committed before the
                        // crash -> replayed; lost with the crash -> executed now.
                        auto first = send(c, a);
                        BOOST_TEST_REQUIRE(
                            first.status / 100 == 2,
                            "retry of " << a.key << ": " << first.status << " " << first.body);
                        const bool replayed = first.header("Idempotent-Replayed") == "true";
                        (replayed ? retried_replayed : retried_executed)++;
                        record_success(a, first, owned[w]);
                        a.retried = true;
                        // Once more: now it must be a replay of that very answer.
                        auto second = send(c, a);
                        BOOST_TEST(second.status == first.status);
                        BOOST_TEST(second.header("Idempotent-Replayed") == "true");
                        BOOST_TEST(second.body == first.body);
                        BOOST_TEST(second.header("X-Event-Seq") == first.header("X-Event-Seq"));
                    }
                    if (a.acknowledged) cycle_acked.push_back(a);
                }
            }

            // --- every acknowledged write is there ----------------------------
            const auto rows = read_whole_log(db);
            std::map<std::int64_t, store::EventRow> by_seq;
            for (const auto& r : rows) by_seq.emplace(r.seq, r);
            for (const auto& a : cycle_acked) {
                check_in_log(a, by_seq);
                // A replay of an acknowledged write answers what was answered.
                if (!a.retried && a.op != Op::delete_content) {
                    auto again = send(c, a);
                    BOOST_TEST(again.header("Idempotent-Replayed") == "true", a.key);
                    BOOST_TEST(again.body == a.response, a.key);
                }
            }
            // Every write acknowledged before the kill is among those checked.
            BOOST_TEST_REQUIRE(cycle_acked.size() >=
                               static_cast<std::size_t>(acknowledged_at_kill));
            // The entities this cycle created are served (all of them are checked at the end).
            check_created(c, cycle_acked, owned);
            acknowledged_total += cycle_acked.size();
            for (auto& a : cycle_acked) all.push_back(std::move(a));
            BOOST_TEST_MESSAGE("cycle " << cycle << ": " << cycle_acked.size()
                                        << " writes acknowledged, log head " << rows.size());
        }
    }

    // --- the read model, the whole log, and a rebuild ---------------------------
    {
        HttpClient c(server->port());
        for (const auto& own : owned) check_read_model(c, own);
    }
    BOOST_TEST(server->signal_and_wait(SIGTERM) == 0);
    server.reset();

    const auto rows = read_whole_log(db);
    BOOST_TEST_REQUIRE(all.size() >= static_cast<std::size_t>(cycles));
    BOOST_TEST_REQUIRE(rows.size() >= all.size());
    require_log_invariants(rows);
    // Each key produced exactly one write: no retry applied anything twice.
    auto per_key = events_per_key(rows);
    for (const auto& a : all) BOOST_TEST(per_key[a.key] == 1, a.key);
    BOOST_TEST(per_key.size() == all.size());
    require_rebuild_equals_live(db, dir.file("rebuilt.db"));

    // The operator's tools agree: the chain verifies and a replay equals the tables.
    const auto audit = run_command(binary_path("omnivibe-audit") + " verify --db " + db);
    BOOST_TEST(audit.exit_code == 0, audit.output);
    const auto replay = run_command(binary_path("omnivibe-replay") + " --verify --db " + db);
    BOOST_TEST(replay.exit_code == 0, replay.output);

    BOOST_TEST_MESSAGE("crash test done: "
                       << cycles << " kills, " << acknowledged_total << " acknowledged writes, "
                       << retried_replayed << " unanswered ones had committed, " << retried_executed
                       << " had not; " << rows.size() << " events, seed " << seed);
}

BOOST_AUTO_TEST_SUITE_END()
