// Power loss: what `--durability full` promises, tested against a model of a
// disk rather than a kill -9 (after which the kernel still writes out every
// page it held, synced or not).
//
// Each cycle starts the real writer::Writer in this process with the
// power-loss VFS as SQLite's default, so its connection goes through the
// model (support/powerloss_vfs.hpp). Several threads submit commands, each
// with its own Idempotency-Key, and record every acknowledgement (a callback
// with a result, which the writer runs only after COMMIT returned). After a
// random number of acknowledgements the power goes — at the next few syncs, a
// few operations later, or at once from the test thread — and every later
// I/O fails. The writer is stopped, the files are rewound to what the disk
// holds, and the database is reopened through the ordinary unix VFS:
//
//  - full: every acknowledged write is in the log at its seq with its key;
//  - normal: the acknowledged writes still there are exactly those up to
//    the log's head (the lost ones are the last ones, since the last sync);
//  - both: the log is contiguous and its hash chain verifies (and still
//    holds the head checked after the previous cut), and a replay of the log
//    into a scratch database equals the read tables; after the last cut
//    `omnivibe-audit verify` and `omnivibe-replay --verify` agree.
//
// A third thread runs passive checkpoints from a second connection, so cuts
// also fall inside checkpoints and, under `normal`, some syncs happen.
//
// Environment: OMNIVIBE_POWERLOSS_CYCLES (full, default 200),
// OMNIVIBE_POWERLOSS_NORMAL_CYCLES (default 100),
// OMNIVIBE_POWERLOSS_UPLOAD_CYCLES (default 50), OMNIVIBE_POWERLOSS_WRITERS
// (default 4), OMNIVIBE_POWERLOSS_SEED (default random, printed).

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "omnivibe/core/log.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/domain/validation.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/projection/compare.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/log_audit.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/upload/file_store.hpp"
#include "omnivibe/upload/receiver.hpp"
#include "omnivibe/writer/writer.hpp"
#include "support/files.hpp"
#include "support/log_checks.hpp"
#include "support/powerloss_files.hpp"
#include "support/powerloss_vfs.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
namespace fs = std::filesystem;

namespace {

constexpr int kCyclesPerDatabase = 25;  ///< a fresh database now and then keeps cycles quick
constexpr std::size_t kMinAcked = 8;    ///< acknowledged writes before a cut, at least
constexpr std::size_t kMaxAcked = 40;
constexpr int kWaitSeconds = 120;  ///< a bound on every wait; never decides a pass

// The writer warns of every batch the cut made fail; here that is expected.
void quiet_logs() {
    static std::once_flag once;  // the logger can be configured once per process
    std::call_once(once, [] { log::configure(log::Format::text, log::Level::error); });
}

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

std::uint64_t seed_from_env() {
    if (const char* v = std::getenv("OMNIVIBE_POWERLOSS_SEED"); v && *v)
        return std::strtoull(v, nullptr, 10);
    return std::random_device{}();
}

domain::Fields validated(domain::Kind kind, std::string_view body, domain::Mode mode) {
    auto fields = domain::validate(kind, json::parse_object(body).value(), mode);
    if (!fields) throw std::runtime_error(fields.error().detail);
    return std::move(fields).value();
}

writer::WriteRequest keyed(domain::Command command, std::string key) {
    writer::WriteRequest w;
    w.command = std::move(command);
    w.meta.actor = "powerloss";
    w.meta.source = "test";
    w.meta.idempotency_key = key;
    w.fingerprint = "fp-" + key;
    // The answer kept with the key, as the HTTP layer would render it.
    w.render_kept = [](const writer::Applied& a) {
        return writer::KeptBody{200, "{\"id\":" + std::to_string(a.id) + "}"};
    };
    return w;
}

Result<writer::Applied> submit_and_wait(writer::Writer& w, writer::WriteRequest request) {
    std::promise<Result<writer::Applied>> p;
    auto f = p.get_future();
    w.submit(std::move(request), [&p](Result<writer::Applied> r) { p.set_value(std::move(r)); });
    return f.get();
}

/// An acknowledged write: its key, the seq it was answered with, and for an
/// upload the digest of its file.
struct Ack {
    std::string key;
    std::int64_t seq = 0;
    std::string sha256;
};

/// The acknowledgements of one cycle, shared by its threads, and the first
/// failure that was not the power going (there must be none).
class Acks {
  public:
    void add(Ack a) {
        std::lock_guard lock(mutex_);
        acks_.push_back(std::move(a));
        cv_.notify_all();
    }
    void unexpected(std::string what) {
        std::lock_guard lock(mutex_);
        if (unexpected_.empty()) unexpected_ = std::move(what);
    }
    /// Waits until n writes were acknowledged (true) or close() (false).
    bool wait_for(std::size_t n) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::seconds(kWaitSeconds),
                     [&] { return acks_.size() >= n || closed_; });
        return acks_.size() >= n;
    }
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        cv_.notify_all();
    }
    std::vector<Ack> take() {
        std::lock_guard lock(mutex_);
        return std::move(acks_);
    }
    std::string first_unexpected() {
        std::lock_guard lock(mutex_);
        return unexpected_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Ack> acks_;
    std::string unexpected_;
    bool closed_ = false;
};

/// A failed step of a load thread: the power went, or a fault of the test.
void note_failure(const test::SimulatedDisk& disk, Acks& acks, const std::string& what) {
    if (disk.powered()) acks.unexpected(what);
}

/// How the power goes in a cycle.
enum class Cut { at_sync, after_ops, now };

struct Totals {
    int cycles = 0;
    std::uint64_t acked = 0, lost = 0, rewound = 0;
    std::map<Cut, int> cuts;
};

// ---- checks after a cut ------------------------------------------------------------

/// The log verifies and still holds `anchor` (what was durable before this
/// cut); returns the new head.
store::Head require_log_verifies(const std::string& db_path, const store::Anchor& anchor) {
    auto db = store::SqliteDb::open(db_path, store::OpenMode::read_only);
    BOOST_REQUIRE_MESSAGE(db, "cannot open the database after the cut");
    std::optional<store::Anchor> expect;
    if (anchor.seq > 0) expect = anchor;
    const auto check = store::verify_log(**db, expect);
    BOOST_REQUIRE_MESSAGE(!check.problem, "the log is broken at seq "
                                              << (check.problem ? check.problem->seq : 0) << ": "
                                              << (check.problem ? check.problem->what : ""));
    if (expect) BOOST_REQUIRE_MESSAGE(check.anchor_matched, "a cut lost what an earlier one kept");
    return check.head;
}

/// What `omnivibe-replay --verify` does: the log replayed into a scratch
/// database gives the live read tables, row for row.
void require_replay_equals_live(const std::string& db_path, const std::string& scratch) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(scratch + suffix);
    auto live = store::SqliteDb::open(db_path, store::OpenMode::read_only);
    BOOST_REQUIRE(live);
    auto copy = store::SqliteDb::open(scratch, store::OpenMode::read_write);
    BOOST_REQUIRE(copy);
    store::register_writer_guard(**copy);
    (*copy)->exec("PRAGMA synchronous=OFF");
    BOOST_REQUIRE(store::apply_migrations(**copy));
    store::Tx snapshot(**live, store::Tx::Kind::snapshot);
    const std::int64_t head = store::log_head(**live);
    store::copy_log(**copy, db_path, head);
    BOOST_REQUIRE(projection::rebuild(**copy));
    const auto cmp = projection::compare_read_tables(**live, **copy);
    BOOST_REQUIRE_MESSAGE(cmp.total == 0, cmp.total
                                              << " difference(s), first: "
                                              << (cmp.differences.empty()
                                                      ? std::string()
                                                      : projection::describe(cmp.differences[0])));
}

/// The operator's tools agree on the database the last cut left: the chain
/// verifies and a replay equals the read tables.
void require_tools_agree(const std::string& db_path) {
    const auto audit =
        test::run_command(test::binary_path("omnivibe-audit") + " verify --db " + db_path);
    BOOST_TEST(audit.exit_code == 0, audit.output);
    const auto replay =
        test::run_command(test::binary_path("omnivibe-replay") + " --verify --db " + db_path);
    BOOST_TEST(replay.exit_code == 0, replay.output);
}

/// The event at each acknowledged seq: present with its key (every command
/// here writes one event). Returns how many were lost; under `full` none may
/// be, under `normal` only those after the log's head.
std::uint64_t require_acks_present(const std::string& db_path, const std::vector<Ack>& acks,
                                   std::int64_t head, writer::Durability durability) {
    const auto rows = test::read_whole_log(db_path);
    BOOST_REQUIRE_EQUAL(static_cast<std::int64_t>(rows.size()), head);
    std::uint64_t lost = 0;
    for (const auto& a : acks) {
        if (a.seq > head) {
            BOOST_REQUIRE_MESSAGE(durability == writer::Durability::normal,
                                  "acknowledged write " << a.key << " at seq " << a.seq
                                                        << " lost; the log ends at " << head);
            ++lost;
            continue;
        }
        const auto& row = rows[static_cast<std::size_t>(a.seq - 1)];
        auto meta = json::parse_meta(row.meta);
        BOOST_REQUIRE(meta);
        BOOST_REQUIRE_MESSAGE(meta->idempotency_key == a.key,
                              "seq " << a.seq << " holds " << meta->idempotency_key
                                     << ", acknowledged for " << a.key);
        if (!a.sha256.empty())
            BOOST_REQUIRE_MESSAGE(row.data.find(a.sha256) != std::string::npos,
                                  "seq " << a.seq << " does not record the uploaded file");
    }
    return lost;
}

// ---- one cycle ---------------------------------------------------------------------

/// Runs a writer on the power-loss VFS until the power goes. `work(thread,
/// writer, acks)` is each load thread's loop; it returns when the power is out.
template <class Work>
std::vector<Ack> run_until_cut(test::SimulatedDisk& disk, const std::string& db_path,
                               writer::Durability durability, int threads, std::mt19937_64& rng,
                               Cut cut, Work&& work) {
    writer::Writer w(writer::WriterOptions{db_path, durability}, {});
    BOOST_REQUIRE_MESSAGE(w.start(), "the writer did not start after the last cut");
    Acks acks;
    std::vector<std::thread> load;
    for (int t = 0; t < threads; ++t) load.emplace_back([&, t] { work(t, w, acks); });
    // A second connection checkpoints now and then, as a backup or the
    // writer's own autocheckpoint would.
    std::thread checkpointer([&] {
        auto db = store::SqliteDb::open(db_path, store::OpenMode::read_write);
        if (!db) return;
        std::size_t next = 4;
        while (disk.powered() && acks.wait_for(next)) {
            sqlite3_wal_checkpoint_v2((*db)->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                      nullptr);
            next += 6;
        }
    });
    const std::size_t before =
        std::uniform_int_distribution<std::size_t>(kMinAcked, kMaxAcked)(rng);
    const bool enough = acks.wait_for(before);
    switch (cut) {
        case Cut::at_sync:
            disk.cut_at_sync(1 + rng() % 3, rng() % 2);
            break;
        case Cut::after_ops:
            disk.cut_after_ops(1 + rng() % 60);
            break;
        case Cut::now:
            disk.cut_now();
            break;
    }
    const bool went = disk.wait_for_cut(kWaitSeconds);
    if (!went) disk.cut_now();  // unblock the threads before failing
    acks.close();
    for (auto& t : load) t.join();
    checkpointer.join();
    w.stop();
    const std::string unexpected = acks.first_unexpected();
    BOOST_REQUIRE_MESSAGE(unexpected.empty(), "a write failed with the power on: " << unexpected);
    BOOST_REQUIRE_MESSAGE(enough, "fewer than " << before << " writes acknowledged");
    BOOST_REQUIRE_MESSAGE(went, "the armed cut never came");
    auto taken = acks.take();
    BOOST_REQUIRE_GE(taken.size(), kMinAcked);
    return taken;
}

/// A fresh database with its schema, stopped cleanly (so synced) before the
/// cuts begin; `setup` may write the first entities.
void fresh_database(test::SimulatedDisk& disk, const std::string& db_path,
                    const std::function<void(writer::Writer&)>& setup = {}) {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) fs::remove(db_path + suffix);
    {
        writer::Writer w(writer::WriterOptions{db_path, writer::Durability::full}, {});
        BOOST_REQUIRE(w.start());
        if (setup) setup(w);
        w.stop();
    }
    // Committed under `full` and checkpointed at the stop, so what the
    // rewind could undo is only what SQLite does not need synced (its last
    // changes to a WAL already copied into the database); mostly it forgets
    // the bookkeeping before the cuts begin.
    disk.rewind();
}

// ---- the load: creates, updates and deletes of a thread's own clients ---------------

void client_load(test::SimulatedDisk& disk, int cycle, int thread, writer::Writer& w, Acks& acks,
                 std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::int64_t> mine;
    for (int n = 0; disk.powered(); ++n) {
        const std::string key =
            "c" + std::to_string(cycle) + "-t" + std::to_string(thread) + "-" + std::to_string(n);
        const auto dice = rng() % 100;
        writer::WriteRequest req;
        if (mine.empty() || dice < 45) {
            req = keyed(domain::CreateEntity{domain::Kind::client,
                                             validated(domain::Kind::client,
                                                       R"({"name":"client )" + key + R"("})",
                                                       domain::Mode::create),
                                             std::nullopt},
                        key);
        } else if (dice < 85) {
            const auto id = mine[rng() % mine.size()];
            req = keyed(domain::UpdateEntity{domain::Kind::client, id,
                                             validated(domain::Kind::client,
                                                       R"({"notes":"note )" + key + R"("})",
                                                       domain::Mode::update),
                                             std::nullopt},
                        key);
        } else {
            const auto at = rng() % mine.size();
            req = keyed(domain::DeleteEntity{domain::Kind::client, mine[at], std::nullopt}, key);
            req.view = writer::View::id_only;  // as the DELETE route asks
            mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(at));
        }
        const bool create = std::holds_alternative<domain::CreateEntity>(req.command);
        auto r = submit_and_wait(w, std::move(req));
        if (!r) return note_failure(disk, acks, key + ": " + r.error().detail);
        if (create) {
            mine.push_back(r->id);
        }
        acks.add(Ack{key, r->seq, {}});
    }
}

void power_loss_cycles(writer::Durability durability, int cycles, const char* what) {
    quiet_logs();
    const std::uint64_t seed = seed_from_env();
    const int threads = env_int("OMNIVIBE_POWERLOSS_WRITERS", 4);
    BOOST_TEST_MESSAGE(what << ": " << cycles << " cuts, " << threads << " writer threads, seed "
                            << seed << " (OMNIVIBE_POWERLOSS_SEED=" << seed << " repeats them)");
    std::mt19937_64 rng(seed);
    test::TempDir dir;
    const std::string db_path = dir.file("power.db");
    test::SimulatedDisk disk(rng(), /*tear_last_write=*/true);
    Totals totals;
    store::Anchor durable;
    const auto started = std::chrono::steady_clock::now();
    for (int cycle = 0; cycle < cycles; ++cycle) {
        BOOST_TEST_CONTEXT("cycle " << cycle << " (seed " << seed << ")") {
            if (cycle % kCyclesPerDatabase == 0) {
                test::ScopedPowerLossVfs vfs(disk);
                fresh_database(disk, db_path);
                durable = {};
            }
            const Cut cut = durability == writer::Durability::full
                                ? static_cast<Cut>(rng() % 3)
                                : (rng() % 2 ? Cut::after_ops : Cut::now);
            std::vector<Ack> acks;
            {
                test::ScopedPowerLossVfs vfs(disk);
                const std::uint64_t load_seed = rng();
                acks = run_until_cut(disk, db_path, durability, threads, rng, cut,
                                     [&](int t, writer::Writer& w, Acks& a) {
                                         client_load(disk, cycle, t, w, a, load_seed + t);
                                     });
            }
            totals.rewound += disk.rewind();
            const store::Head head = require_log_verifies(db_path, durable);
            totals.lost += require_acks_present(db_path, acks, head.seq, durability);
            require_replay_equals_live(db_path, dir.file("replay.db"));
            durable = store::Anchor{head.seq, head.hash};
            totals.acked += acks.size();
            totals.cuts[cut]++;
            ++totals.cycles;
        }
    }
    require_tools_agree(db_path);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    BOOST_TEST_MESSAGE(what << ": " << totals.cycles << " cuts (at a sync "
                            << totals.cuts[Cut::at_sync] << ", after some operations "
                            << totals.cuts[Cut::after_ops] << ", at once " << totals.cuts[Cut::now]
                            << "), " << totals.acked << " acknowledged writes checked, "
                            << totals.lost << " of them lost, " << totals.rewound
                            << " files or names rewound, " << seconds.count() << " s");
    BOOST_TEST(totals.cycles == cycles);
    if (durability == writer::Durability::full) BOOST_TEST(totals.lost == 0u);
}

// ---- uploads ------------------------------------------------------------------------

constexpr const char* kSlots[] = {"intro", "ending", "bgm"};

/// One of 48 contents, so that uploads sometimes repeat bytes already stored.
std::string upload_content(std::uint64_t which) {
    std::mt19937_64 bytes(which);
    std::string out(700 + which * 613, '\0');
    for (auto& c : out) c = static_cast<char>(bytes() & 0xff);
    return out;
}

/// What the upload routes do once a body is in (http/api_resources.cpp): the
/// file streamed to a temporary file and synced, placed under its digest,
/// then the attach event written; acknowledged after its COMMIT.
void upload_load(test::SimulatedDisk& disk, const std::shared_ptr<upload::FileStore>& files,
                 std::int64_t campaign, int cycle, int thread, writer::Writer& w, Acks& acks,
                 std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (int n = 0; disk.powered(); ++n) {
        const std::string key =
            "u" + std::to_string(cycle) + "-t" + std::to_string(thread) + "-" + std::to_string(n);
        const std::string content = upload_content(rng() % 48);
        upload::ReceiverOptions o;
        o.temp_dir = files->temp_dir();
        o.file_ops = files->file_ops();
        o.max_file_bytes = 1 << 20;
        o.declared_type = "audio/mpeg";
        upload::Receiver receiver(o);
        Status st;
        for (std::size_t at = 0; st && at < content.size(); at += 1500)
            st = receiver.write(std::string_view(content).substr(at, 1500));
        if (st) st = receiver.finish();
        if (!st) return note_failure(disk, acks, key + ": " + st.error().detail);
        auto& file = receiver.file();
        auto placed = files->place(file->temp, file->sha256);
        if (!placed) return note_failure(disk, acks, key + ": " + placed.error().detail);
        const std::string slot = kSlots[rng() % 3];
        domain::Fields resource{
            {"resource_type", slot},
            {"filename", key + ".mp3"},
            {"content_type", std::string("audio/mpeg")},
            {"size", static_cast<std::int64_t>(file->size)},
            {"sha256", file->sha256},
            {"duration", domain::Null{}},
            {"path", "/api/v1/campaigns/" + std::to_string(campaign) + "/resources/" + slot},
        };
        auto r = submit_and_wait(
            w, keyed(domain::AttachResource{campaign, resource, std::nullopt}, key));
        if (!r) return note_failure(disk, acks, key + ": " + r.error().detail);
        (*placed)->keep();
        acks.add(Ack{key, r->seq, file->sha256});
    }
}

/// The stored file of `sha` is in place and hashes to it.
void require_stored(const upload::FileStore& files, const std::string& sha) {
    const auto where = files.path_of(sha);
    BOOST_REQUIRE(where);
    const auto bytes = test::read_file(*where);
    BOOST_REQUIRE_MESSAGE(bytes, "the file of upload " << sha << " is missing after the cut");
    BOOST_REQUIRE_MESSAGE(sha256_hex(*bytes) == sha,
                          "the file of upload " << sha << " does not hash to its digest");
}

/// The file of every acknowledged upload, and of every resource the read
/// tables name, is in place and hashes to its digest.
void require_files_intact(const std::string& db_path, const upload::FileStore& files,
                          const std::vector<Ack>& acks) {
    std::set<std::string> digests;
    for (const auto& a : acks) digests.insert(a.sha256);
    auto db = store::SqliteDb::open(db_path, store::OpenMode::read_only);
    BOOST_REQUIRE(db);
    store::Stmt& q = (*db)->cached("SELECT sha256 FROM campaign_resources");
    while (q.step()) digests.insert(std::string(q.column_text(0)));
    q.reset();
    for (const auto& sha : digests) require_stored(files, sha);
}

void upload_cycles(int cycles) {
    quiet_logs();
    const std::uint64_t seed = seed_from_env();
    const int threads = env_int("OMNIVIBE_POWERLOSS_WRITERS", 4);
    BOOST_TEST_MESSAGE("uploads: " << cycles << " cuts, " << threads << " upload threads, seed "
                                   << seed);
    std::mt19937_64 rng(seed);
    test::TempDir dir;
    const std::string db_path = dir.file("power.db");
    const fs::path uploads = dir.path() / "uploads";
    test::SimulatedDisk disk(rng(), /*tear_last_write=*/true);
    auto model = std::make_shared<test::PowerLossFiles>(disk);
    Totals totals;
    store::Anchor durable;
    std::int64_t campaign = 0;
    for (int cycle = 0; cycle < cycles; ++cycle) {
        BOOST_TEST_CONTEXT("cycle " << cycle << " (seed " << seed << ")") {
            if (cycle % kCyclesPerDatabase == 0) {
                fs::remove_all(uploads);
                test::ScopedPowerLossVfs vfs(disk);
                fresh_database(disk, db_path, [&](writer::Writer& w) {
                    auto client = submit_and_wait(
                        w, keyed(domain::CreateEntity{domain::Kind::client,
                                                      validated(domain::Kind::client,
                                                                R"({"name":"uploader"})",
                                                                domain::Mode::create),
                                                      std::nullopt},
                                 "setup-client"));
                    BOOST_REQUIRE(client);
                    auto c = submit_and_wait(
                        w,
                        keyed(domain::CreateEntity{domain::Kind::campaign,
                                                   validated(domain::Kind::campaign,
                                                             R"({"client_id":1,"name":"uploads"})",
                                                             domain::Mode::create),
                                                   std::nullopt},
                              "setup-campaign"));
                    BOOST_REQUIRE(c);
                    campaign = 1;  // the first campaign of a fresh database
                });
                durable = {};
            }
            const Cut cut = static_cast<Cut>(rng() % 3);
            std::vector<Ack> acks;
            {
                test::ScopedPowerLossVfs vfs(disk);
                // Opened after each restart, as the server does (it empties tmp/).
                auto files = upload::FileStore::open(uploads, model);
                BOOST_REQUIRE(files);
                const std::uint64_t load_seed = rng();
                acks = run_until_cut(disk, db_path, writer::Durability::full, threads, rng, cut,
                                     [&](int t, writer::Writer& w, Acks& a) {
                                         upload_load(disk, *files, campaign, cycle, t, w, a,
                                                     load_seed + t);
                                     });
            }
            totals.rewound += disk.rewind();
            const store::Head head = require_log_verifies(db_path, durable);
            totals.lost += require_acks_present(db_path, acks, head.seq, writer::Durability::full);
            require_replay_equals_live(db_path, dir.file("replay.db"));
            auto files = upload::FileStore::open(uploads);
            BOOST_REQUIRE(files);
            require_files_intact(db_path, **files, acks);
            durable = store::Anchor{head.seq, head.hash};
            totals.acked += acks.size();
            ++totals.cycles;
        }
    }
    require_tools_agree(db_path);
    BOOST_TEST_MESSAGE("uploads: " << totals.cycles << " cuts, " << totals.acked
                                   << " acknowledged uploads checked, " << totals.rewound
                                   << " files or names rewound");
    BOOST_TEST(totals.cycles == cycles);
}

// ---- the upload store's own steps ---------------------------------------------------

/// A stored upload's bytes, through `files`, synced and closed: what the
/// receiver hands to FileStore::place.
upload::TempFile synced_temp_file(const upload::FileStore& store, std::string_view bytes) {
    auto temp = upload::TempFile::create(store.temp_dir(), store.file_ops());
    BOOST_REQUIRE(temp);
    BOOST_REQUIRE(temp->write(bytes));
    BOOST_REQUIRE(temp->sync_and_close());
    return std::move(temp).value();
}

/// The POSIX calls, except that syncing a folder fails (EIO).
class FolderSyncFails final : public upload::FileOps {
  public:
    int create_unique(std::string& p) override { return real_->create_unique(p); }
    ssize_t write(int fd, const void* d, std::size_t n) override { return real_->write(fd, d, n); }
    int fsync(int fd) override { return real_->fsync(fd); }
    int close(int fd) override { return real_->close(fd); }
    int unlink(const std::string& p) override { return real_->unlink(p); }
    int rename(const std::string& a, const std::string& b) override { return real_->rename(a, b); }
    int mkdir(const std::string& p, mode_t m) override { return real_->mkdir(p, m); }
    int stat(const std::string& p, struct stat& st) override { return real_->stat(p, st); }
    int sync_path(const std::string& p) override {
        if (fs::is_directory(p) && failing) {
            errno = EIO;
            return -1;
        }
        return real_->sync_path(p);
    }
    bool failing = false;

  private:
    std::shared_ptr<upload::FileOps> real_ = upload::posix_file_ops();
};

}  // namespace

BOOST_AUTO_TEST_SUITE(power_loss_full)

BOOST_AUTO_TEST_CASE(a_disk_failing_inside_a_batch_fails_its_writes_and_the_writer_lives_on) {
    // An I/O error in a statement makes SQLite roll the whole transaction
    // back; the writer then gives up the batch (503 to each command) from
    // inside its per-command handler. That rethrow must reach the batch's own
    // handler, not abort the process.
    quiet_logs();
    test::TempDir dir;
    const std::string db_path = dir.file("power.db");
    test::SimulatedDisk disk(3);
    test::ScopedPowerLossVfs vfs(disk);
    fresh_database(disk, db_path);
    writer::Writer w(writer::WriterOptions{db_path, writer::Durability::full}, {});
    BOOST_REQUIRE(w.start());
    auto create = [&](const std::string& key) {
        return submit_and_wait(w,
                               keyed(domain::CreateEntity{domain::Kind::client,
                                                          validated(domain::Kind::client,
                                                                    R"({"name":")" + key + R"("})",
                                                                    domain::Mode::create),
                                                          std::nullopt},
                                     key));
    };
    BOOST_REQUIRE(create("before"));
    disk.cut_now();
    for (const char* key : {"during-1", "during-2"}) {
        auto r = create(key);
        BOOST_REQUIRE(!r);
        BOOST_TEST(r.error().code == ErrorCode::unavailable);
    }
    BOOST_TEST(w.running());
    w.stop();
}

BOOST_AUTO_TEST_CASE(every_acknowledged_write_survives_every_cut) {
    power_loss_cycles(writer::Durability::full, env_int("OMNIVIBE_POWERLOSS_CYCLES", 200),
                      "durability full");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(power_loss_normal)

BOOST_AUTO_TEST_CASE(the_database_stays_consistent_and_only_the_last_writes_are_lost) {
    power_loss_cycles(writer::Durability::normal, env_int("OMNIVIBE_POWERLOSS_NORMAL_CYCLES", 100),
                      "durability normal");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(power_loss_uploads)

BOOST_AUTO_TEST_CASE(an_acknowledged_upload_survives_every_cut_with_its_bytes) {
    upload_cycles(env_int("OMNIVIBE_POWERLOSS_UPLOAD_CYCLES", 50));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(power_loss_uploads)

BOOST_AUTO_TEST_CASE(a_file_placed_in_a_new_shard_folder_survives_a_cut) {
    test::TempDir dir;
    test::SimulatedDisk disk(1);
    auto model = std::make_shared<test::PowerLossFiles>(disk);
    const std::string bytes = upload_content(3);
    const std::string sha = sha256_hex(bytes);
    {
        auto store = upload::FileStore::open(dir.path() / "uploads", model);
        BOOST_REQUIRE(store);
        auto temp = synced_temp_file(**store, bytes);
        auto placed = (*store)->place(temp, sha);
        BOOST_REQUIRE(placed);
        (*placed)->keep();  // its event committed: acknowledged
        disk.cut_now();
    }
    disk.rewind();
    auto store = upload::FileStore::open(dir.path() / "uploads");
    BOOST_REQUIRE(store);
    require_stored(**store, sha);
}

BOOST_AUTO_TEST_CASE(a_placement_whose_folder_sync_fails_is_refused_and_leaves_no_file) {
    test::TempDir dir;
    auto ops = std::make_shared<FolderSyncFails>();
    auto store = upload::FileStore::open(dir.path() / "uploads", ops);
    BOOST_REQUIRE(store);
    const std::string bytes = upload_content(4);
    const std::string sha = sha256_hex(bytes);
    auto temp = synced_temp_file(**store, bytes);
    ops->failing = true;
    auto placed = (*store)->place(temp, sha);
    BOOST_REQUIRE(!placed);
    BOOST_TEST(placed.error().code == ErrorCode::unavailable);
    BOOST_TEST(!fs::exists(*(*store)->path_of(sha)));
    // Once the disk recovers, the same upload is stored.
    ops->failing = false;
    auto again = synced_temp_file(**store, bytes);
    auto retried = (*store)->place(again, sha);
    BOOST_REQUIRE(retried);
    (*retried)->keep();
    BOOST_TEST(fs::exists(*(*store)->path_of(sha)));
}

BOOST_AUTO_TEST_CASE(a_file_an_earlier_process_left_unsynced_is_made_durable_when_reused) {
    test::TempDir dir;
    test::SimulatedDisk disk(2);
    auto model = std::make_shared<test::PowerLossFiles>(disk);
    const fs::path root = dir.path() / "uploads";
    const std::string bytes = upload_content(5);
    const std::string sha = sha256_hex(bytes);
    {
        // An earlier server placed the file and was killed before it synced
        // the folders: the names are in the page cache, not on the disk.
        BOOST_REQUIRE_EQUAL(model->mkdir(root.string(), 0700), 0);
        BOOST_REQUIRE_EQUAL(model->sync_path(dir.path().string()), 0);
        BOOST_REQUIRE_EQUAL(model->mkdir((root / sha.substr(0, 2)).string(), 0700), 0);
        std::string temp = (root / "upload-XXXXXX").string();
        const int fd = model->create_unique(temp);
        BOOST_REQUIRE(fd >= 0);
        BOOST_REQUIRE_EQUAL(model->write(fd, bytes.data(), bytes.size()),
                            static_cast<ssize_t>(bytes.size()));
        BOOST_REQUIRE_EQUAL(model->fsync(fd), 0);
        model->close(fd);
        BOOST_REQUIRE_EQUAL(model->rename(temp, (root / sha.substr(0, 2) / sha).string()), 0);
    }
    {
        // The next server receives the same bytes: stored once, acknowledged.
        auto store = upload::FileStore::open(root, model);
        BOOST_REQUIRE(store);
        auto temp = synced_temp_file(**store, bytes);
        auto placed = (*store)->place(temp, sha);
        BOOST_REQUIRE(placed);
        (*placed)->keep();
        disk.cut_now();
    }
    disk.rewind();
    auto store = upload::FileStore::open(root);
    BOOST_REQUIRE(store);
    require_stored(**store, sha);
}

BOOST_AUTO_TEST_SUITE_END()
