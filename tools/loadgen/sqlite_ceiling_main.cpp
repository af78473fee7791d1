// omnivibe-sqlite-ceiling: the ceiling the write figures are quoted against.
// Raw SQLite with the server's durability (WAL, synchronous=FULL by default),
// inserting event-sized rows into an events-like table, measured four ways:
//
//   single         one connection, one row per transaction: one fsync per row,
//                  what a server without group commit could at best do;
//   threads        --threads threads, a connection each, one row per
//                  transaction: the naive concurrent writer (lock contention);
//   group_commit   --threads producers each waiting for its row to commit, one
//                  writer draining the queue into one transaction per batch:
//                  the server's write path without HTTP, JSON and projections;
//   batched        one connection, --batch rows per transaction: the raw
//                  insert rate once fsyncs are amortised.
//
// Each runs for --seconds on a fresh database file.

#include <sqlite3.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "omnivibe/json/writer.hpp"

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
    std::string db;
    unsigned threads = 64;
    unsigned batch = 1000;
    double seconds = 3;
    bool synchronous_full = true;
};

struct Figure {
    std::string name;
    std::uint64_t rows = 0;
    std::uint64_t transactions = 0;
    double seconds = 0;
    double rows_per_second() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

[[noreturn]] void die(sqlite3* db, const std::string& what) {
    std::cerr << "omnivibe-sqlite-ceiling: " << what << ": "
              << (db ? sqlite3_errmsg(db) : "cannot open") << "\n";
    std::exit(1);
}

void exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) die(db, sql);
}

sqlite3* open_db(const Settings& s) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(s.db.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        die(db, "opening " + s.db);
    sqlite3_busy_timeout(db, 10000);
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, s.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    return db;
}

void fresh_database(const Settings& s) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(s.db + suffix);
    sqlite3* db = open_db(s);
    exec(db,
         "CREATE TABLE events (seq INTEGER PRIMARY KEY, stream TEXT NOT NULL, "
         "stream_version INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, "
         "recorded_at INTEGER NOT NULL, hash TEXT NOT NULL, UNIQUE(stream, stream_version))");
    sqlite3_close(db);
}

// An event-sized row: ~450 bytes of JSON data and a 64-character hash.
class Inserter {
  public:
    explicit Inserter(sqlite3* db) : db_(db) {
        const char* sql =
            "INSERT INTO events (stream, stream_version, type, data, recorded_at, hash) "
            "VALUES (?, 1, 'campaign.created', ?, ?, ?)";
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) die(db, "prepare");
        data_ = R"({"client_id":17,"name":"Seed campaign","description":"Seeded for the )"
                R"(benchmark; a description of ordinary length, like the ones the planners )"
                R"(write.","status":"draft","concept_gender":null,"concept_tone":"friendly",)"
                R"("concept_style":null,"target_duration":45,"voice_id":null,"voice_name":null,)"
                R"("bgm_volume":0.25,"auto_deploy":false,"start_date":null,"end_date":null})";
        hash_.assign(64, 'a');
    }
    ~Inserter() { sqlite3_finalize(stmt_); }
    void insert(std::uint64_t unique) {
        const std::string stream = "campaign-" + std::to_string(unique);
        sqlite3_bind_text(stmt_, 1, stream.data(), static_cast<int>(stream.size()),
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt_, 2, data_.data(), static_cast<int>(data_.size()), SQLITE_STATIC);
        sqlite3_bind_int64(stmt_, 3, static_cast<sqlite3_int64>(unique));
        sqlite3_bind_text(stmt_, 4, hash_.data(), 64, SQLITE_STATIC);
        if (sqlite3_step(stmt_) != SQLITE_DONE) die(db_, "insert");
        sqlite3_reset(stmt_);
    }

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string data_, hash_;
};

std::atomic<std::uint64_t> g_unique{0};

bool running(Clock::time_point start, const Settings& s) {
    return Clock::now() - start < std::chrono::duration<double>(s.seconds);
}

double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

Figure run_single(const Settings& s) {
    fresh_database(s);
    sqlite3* db = open_db(s);
    Figure f{"single"};
    {
        Inserter ins(db);
        const auto start = Clock::now();
        while (running(start, s)) {
            exec(db, "BEGIN IMMEDIATE");
            ins.insert(g_unique++);
            exec(db, "COMMIT");
            ++f.rows;
            ++f.transactions;
        }
        f.seconds = since(start);
    }
    sqlite3_close(db);
    return f;
}

Figure run_threads(const Settings& s) {
    fresh_database(s);
    std::atomic<std::uint64_t> rows{0};
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < s.threads; ++t)
        pool.emplace_back([&] {
            sqlite3* db = open_db(s);
            {
                Inserter ins(db);
                while (running(start, s)) {
                    exec(db, "BEGIN IMMEDIATE");
                    ins.insert(g_unique++);
                    exec(db, "COMMIT");
                    ++rows;
                }
            }
            sqlite3_close(db);
        });
    for (auto& t : pool) t.join();
    Figure f{"threads"};
    f.rows = f.transactions = rows.load();
    f.seconds = since(start);
    return f;
}

// Producers wait for their row like a request waits for its response.
Figure run_group_commit(const Settings& s) {
    fresh_database(s);
    std::mutex mutex;
    std::condition_variable wake, committed_cv;
    std::deque<std::uint64_t> queue;
    std::uint64_t committed = 0;  // rows with a ticket below this are durable
    std::uint64_t next_ticket = 0;
    bool stop = false;
    Figure f{"group_commit"};
    const auto start = Clock::now();
    std::thread writer([&] {
        sqlite3* db = open_db(s);
        {
            Inserter ins(db);
            std::vector<std::uint64_t> batch;
            for (;;) {
                {
                    std::unique_lock lock(mutex);
                    wake.wait(lock, [&] { return stop || !queue.empty(); });
                    if (queue.empty()) break;
                    batch.assign(queue.begin(), queue.end());
                    queue.clear();
                }
                exec(db, "BEGIN IMMEDIATE");
                for (auto u : batch) ins.insert(u);
                exec(db, "COMMIT");
                {
                    std::lock_guard lock(mutex);
                    committed += batch.size();
                    f.rows += batch.size();
                    ++f.transactions;
                }
                committed_cv.notify_all();
            }
        }
        sqlite3_close(db);
    });
    std::vector<std::thread> producers;
    for (unsigned t = 0; t < s.threads; ++t)
        producers.emplace_back([&] {
            while (running(start, s)) {
                std::unique_lock lock(mutex);
                const std::uint64_t ticket = next_ticket++;
                queue.push_back(g_unique++);
                wake.notify_one();
                committed_cv.wait(lock, [&] { return committed > ticket; });
            }
        });
    for (auto& t : producers) t.join();
    {
        std::lock_guard lock(mutex);
        stop = true;
    }
    wake.notify_all();
    writer.join();
    f.seconds = since(start);
    return f;
}

Figure run_batched(const Settings& s) {
    fresh_database(s);
    sqlite3* db = open_db(s);
    Figure f{"batched"};
    {
        Inserter ins(db);
        const auto start = Clock::now();
        while (running(start, s)) {
            exec(db, "BEGIN IMMEDIATE");
            for (unsigned i = 0; i < s.batch; ++i) ins.insert(g_unique++);
            exec(db, "COMMIT");
            f.rows += s.batch;
            ++f.transactions;
        }
        f.seconds = since(start);
    }
    sqlite3_close(db);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    std::string durability = "full", only;
    bool json = false;
    po::options_description desc(
        "Usage: omnivibe-sqlite-ceiling --db SCRATCH.db [options]\n\n"
        "Raw SQLite insert rates with the server's durability, as ceilings for the write\n"
        "benchmarks: single (one fsync per row), threads (a connection per thread),\n"
        "group_commit (producers waiting on one batching writer), batched (--batch rows\n"
        "per transaction). The file is deleted and recreated for each measurement.\n\n"
        "Options");
    desc.add_options()("help,h", "show this help and exit")("db", po::value(&s.db),
                                                            "scratch database file (overwritten)")(
        "threads", po::value(&s.threads)->default_value(s.threads), "threads / producers")(
        "batch", po::value(&s.batch)->default_value(s.batch), "rows per transaction (batched)")(
        "seconds", po::value(&s.seconds)->default_value(s.seconds), "seconds per measurement")(
        "durability", po::value(&durability)->default_value(durability), "full or normal")(
        "only", po::value(&only), "run one measurement: single, threads, group_commit, batched")(
        "json", po::bool_switch(&json), "print one JSON object");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "omnivibe-sqlite-ceiling: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    if (s.db.empty() || s.threads < 1 || s.threads > 1024 || s.batch < 1 || s.seconds <= 0 ||
        s.seconds > 120 || (durability != "full" && durability != "normal")) {
        std::cerr << "omnivibe-sqlite-ceiling: give --db; --threads 1..1024, --batch >= 1, "
                     "--seconds 0..120, --durability full|normal\n";
        return 2;
    }
    s.synchronous_full = durability == "full";
    std::vector<Figure> figures;
    if (only.empty() || only == "single") figures.push_back(run_single(s));
    if (only.empty() || only == "threads") figures.push_back(run_threads(s));
    if (only.empty() || only == "group_commit") figures.push_back(run_group_commit(s));
    if (only.empty() || only == "batched") figures.push_back(run_batched(s));
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(s.db + suffix);
    if (figures.empty()) {
        std::cerr << "omnivibe-sqlite-ceiling: unknown --only " << only << "\n";
        return 2;
    }
    if (json) {
        omnivibe::json::Writer w;
        w.begin_object();
        w.key("durability").string(durability);
        w.key("threads").integer(s.threads);
        w.key("batch").integer(s.batch);
        for (const auto& f : figures) {
            w.key(f.name).begin_object();
            w.key("rows").integer(static_cast<std::int64_t>(f.rows));
            w.key("transactions").integer(static_cast<std::int64_t>(f.transactions));
            w.key("seconds").number(f.seconds);
            w.key("rows_per_second").number(f.rows_per_second());
            w.key("rows_per_transaction")
                .number(f.transactions
                            ? static_cast<double>(f.rows) / static_cast<double>(f.transactions)
                            : 0);
            w.end_object();
        }
        w.end_object();
        std::cout << w.view() << std::endl;
    } else {
        for (const auto& f : figures) {
            char line[160];
            std::snprintf(line, sizeof line,
                          "%-13s %10.0f rows/s  (%llu rows in %llu transactions, %.1f s)\n",
                          f.name.c_str(), f.rows_per_second(),
                          static_cast<unsigned long long>(f.rows),
                          static_cast<unsigned long long>(f.transactions), f.seconds);
            std::cout << line;
        }
    }
    return 0;
}
