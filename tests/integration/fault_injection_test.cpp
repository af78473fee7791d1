// Storage faults under the real omnivibe-server (SPEC sections 4 and 11):
// a database locked by another process and a full disk. While the fault
// lasts, writes answer 503 `unavailable` with Retry-After and nothing is
// half-written; reads and health checks keep working; when the fault goes the
// server recovers by itself, and a write refused with 503 can be retried with
// its Idempotency-Key and is then applied exactly once.
//
// "Read-only file" is not simulated: the tests run as root, whom file
// permissions do not stop, and a file system cannot be remounted read-only
// while the server holds the database open for writing. SQLite reports that
// case as SQLITE_READONLY, which takes the same path as the two faults here
// (db.cpp maps it to 503).

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <filesystem>

#include "integration/api_helpers.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "support/log_checks.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::test;

namespace {

std::string head_of(HttpClient& c) { return c.get("/api/v1/clients").header("X-Event-Seq"); }

HttpResponse post_client(HttpClient& c, const std::string& name, const std::string& key,
                         std::size_t notes_size = 0) {
    std::string body = R"({"name":")" + name + "\"";
    if (notes_size) body += R"(,"notes":")" + std::string(notes_size, 'n') + "\"";
    body += "}";
    return c.post("/api/v1/clients", body, {{"Idempotency-Key", key}});
}

void require_unavailable(const HttpResponse& r) {
    BOOST_TEST_REQUIRE(r.status == 503, r.status << " " << r.body);
    BOOST_TEST(json_string(r.body, "/code") == "unavailable");
    BOOST_TEST(!r.header("Retry-After").empty());
    BOOST_TEST(r.body.find("SQLite") == std::string::npos);  // no internals in answers
}

// Reads, health and readiness answer while writes cannot be stored.
void require_reads_work(HttpClient& c, const std::string& head) {
    auto list = c.get("/api/v1/clients");
    BOOST_TEST(list.status == 200);
    BOOST_TEST(list.header("X-Event-Seq") == head);
    BOOST_TEST(c.get("/api/v1/clients/1").status == 200);
    BOOST_TEST(c.get("/api/v1/campaigns?client_id=1").status == 200);
    BOOST_TEST(c.get("/healthz").status == 200);
}

// A tiny tmpfs this test can fill; unmounted when done. Mounting needs root
// (CI runs the suite as root).
class TinyDisk {
  public:
    explicit TinyDisk(std::filesystem::path where) : path_(std::move(where)) {
        std::filesystem::create_directories(path_);
        auto r = run_command("mount -t tmpfs -o size=2m,mode=0700 omnivibe-test " + path_.string());
        mounted_ = r.exit_code == 0;
        if (!mounted_) error_ = r.output;
    }
    ~TinyDisk() {
        if (mounted_) (void)run_command("umount " + path_.string());
    }
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }
    std::string file(std::string_view name) const { return (path_ / name).string(); }

    /// Writes a filler file until the disk refuses more; returns the bytes written.
    std::size_t fill() {
        const int fd = ::open(file("filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        BOOST_REQUIRE(fd >= 0);
        static const std::string block(16 * 1024, 'f');
        std::size_t total = 0;
        for (int i = 0; i < 100000; ++i) {  // bounded: the disk is 2 MiB
            const auto n = ::write(fd, block.data(), block.size());
            if (n <= 0) break;
            total += static_cast<std::size_t>(n);
        }
        // Also the last partial blocks, one byte at a time.
        for (int i = 0; i < 20000 && ::write(fd, "f", 1) == 1; ++i) ++total;
        ::close(fd);
        return total;
    }
    void free_space() { std::filesystem::remove(file("filler")); }

  private:
    std::filesystem::path path_;
    bool mounted_ = false;
    std::string error_;
};

// Mounting needs root; elsewhere the case is reported as skipped, not passed.
struct RunningAsRoot {
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
        boost::test_tools::assertion_result r(::geteuid() == 0);
        r.message() << "mounting a tmpfs needs root";
        return r;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fault_injection)

BOOST_AUTO_TEST_CASE(a_database_locked_by_another_process_answers_503_and_recovers) {
    TempDir dir;
    const std::string db_path = dir.file("omnivibe.db");
    ServerProcess p(db_path, dir.file("uploads"));
    HttpClient c(p.port());
    create_client(c, "Before");
    create_campaign(c, 1, "Before");
    const std::string head = head_of(c);

    // Another writer (as the sqlite3 shell would be) takes the write lock and holds it.
    auto other = std::move(store::SqliteDb::open(db_path, store::OpenMode::read_write, 0)).value();
    other->exec("BEGIN EXCLUSIVE");

    // Each write waits out the writer's busy timeout, then is refused whole.
    require_unavailable(post_client(c, "Locked", "lock-1"));
    require_unavailable(
        c.patch("/api/v1/clients/1", R"({"notes":"x"})", {{"Idempotency-Key", "lock-2"}}));
    require_unavailable(c.del("/api/v1/campaigns/1", {{"Idempotency-Key", "lock-3"}}));
    require_reads_work(c, head);
    BOOST_TEST(c.get("/readyz").status == 200);

    other->exec("ROLLBACK");

    // Recovered without a restart; the refused writes had not happened, so
    // their keys now execute them once, and a second retry replays.
    auto retried = post_client(c, "Locked", "lock-1");
    BOOST_TEST(retried.status == 201);
    BOOST_TEST(retried.header("Idempotent-Replayed").empty());
    BOOST_TEST(post_client(c, "Locked", "lock-1").header("Idempotent-Replayed") == "true");
    BOOST_TEST(
        c.patch("/api/v1/clients/1", R"({"notes":"x"})", {{"Idempotency-Key", "lock-2"}}).status ==
        200);
    BOOST_TEST(c.del("/api/v1/campaigns/1", {{"Idempotency-Key", "lock-3"}}).status == 200);
    BOOST_TEST(json_int(c.get("/api/v1/clients").body, "/total") == 2);

    BOOST_TEST(p.signal_and_wait(SIGTERM) == 0);
    const auto rows = read_whole_log(db_path);
    require_log_invariants(rows);
    BOOST_TEST(rows.size() == 2u + 3u);
    auto per_key = events_per_key(rows);
    for (const char* key : {"lock-1", "lock-2", "lock-3"}) BOOST_TEST(per_key[key] == 1, key);
    require_rebuild_equals_live(db_path, dir.file("rebuilt.db"));
}

BOOST_AUTO_TEST_CASE(a_full_disk_answers_503_keeps_serving_reads_and_recovers,
                     *boost::unit_test::precondition(RunningAsRoot{})) {
    TempDir dir;
    TinyDisk disk(dir.path() / "disk");
    BOOST_TEST_REQUIRE(disk.mounted(), "cannot mount a tmpfs: " << disk.error());
    const std::string db_path = disk.file("omnivibe.db");
    std::vector<std::string> acknowledged;
    std::string refused_key;
    {
        ServerProcess p(db_path, disk.file("uploads"));
        HttpClient c(p.port());
        create_client(c, "Before");
        create_campaign(c, 1, "Before");
        BOOST_TEST_MESSAGE("filled the disk with " << disk.fill() << " bytes");

        // Writes go on while the WAL still has room, then fail whole.
        for (int i = 0; i < 200 && refused_key.empty(); ++i) {
            const std::string key = "full-" + std::to_string(i);
            auto r = post_client(c, "Big " + std::to_string(i), key, 4000);
            if (r.status == 201) {
                acknowledged.push_back(key);
                continue;
            }
            require_unavailable(r);
            refused_key = key;
        }
        BOOST_TEST_REQUIRE(!refused_key.empty(), "no write was refused on a full disk");
        const std::string head = head_of(c);
        for (int i = 0; i < 3; ++i)
            require_unavailable(post_client(c, "Refused " + std::to_string(i),
                                            "refused-" + std::to_string(i), 4000));
        require_reads_work(c, head);

        disk.free_space();

        // Recovered by itself: the refused write now happens, once.
        auto retried = post_client(c, "Big " + refused_key.substr(5), refused_key, 4000);
        BOOST_TEST(retried.status == 201, retried.body);
        BOOST_TEST(retried.header("Idempotent-Replayed").empty());
        acknowledged.push_back(refused_key);
        for (int i = 0; i < 5; ++i) {
            const std::string key = "after-" + std::to_string(i);
            BOOST_TEST(post_client(c, "After " + std::to_string(i), key).status == 201);
            acknowledged.push_back(key);
        }
        BOOST_TEST(p.signal_and_wait(SIGTERM) == 0);
    }
    const auto rows = read_whole_log(db_path);
    require_log_invariants(rows);
    BOOST_TEST(rows.size() == 2u + acknowledged.size());
    auto per_key = events_per_key(rows);
    for (const auto& key : acknowledged) BOOST_TEST(per_key[key] == 1, key);
    for (int i = 0; i < 3; ++i) BOOST_TEST(per_key.count("refused-" + std::to_string(i)) == 0u);
    require_rebuild_equals_live(db_path, dir.file("rebuilt.db"));
}

BOOST_AUTO_TEST_SUITE_END()
