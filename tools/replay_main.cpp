// omnivibe-replay: rebuilds the read tables from the events log with the same
// Projector the server uses (one code path), checks them against such a
// rebuild, or writes a point-in-time copy of the database.

#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <functional>
#include <iostream>

#include "cli.hpp"
#include "omnivibe/projection/compare.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/db_lock.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/location.hpp"
#include "omnivibe/store/log_audit.hpp"
#include "omnivibe/store/log_move.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/pg/migrations.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/store/read_pool.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/writer/pg_session.hpp"

namespace {

using namespace omnivibe;
namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr std::string_view kTool = "omnivibe-replay";

constexpr const char* kUsage =
    "Usage: omnivibe-replay --db DB                       rebuild the read tables in place\n"
    "       omnivibe-replay --db DB --verify              compare them with a rebuild\n"
    "       omnivibe-replay --db DB --to SEQ --out NEW.db write a point-in-time copy\n"
    "\n"
    "Rebuilds every read table (clients, campaigns, content_schedule, ...) from the\n"
    "events log, with the projections the server itself uses.\n"
    "\n"
    "DB is a SQLite file or a PostgreSQL database (postgresql://user@host:port/db).\n"
    "\n"
    "  In place, a SQLite file must not be in use: the tool refuses while a server\n"
    "  holds it (the lock file <db>.lock). On PostgreSQL the rebuild holds the\n"
    "  writers' lock, so the servers' writes wait until it commits.\n"
    "  --verify replays the log into a scratch database and compares every row with\n"
    "  the live read tables, without changing anything (a server may keep running);\n"
    "  each differing row is listed as table, key, column, live and rebuilt value.\n"
    "  --to SEQ --out NEW.db writes a new SQLite database holding the log up to SEQ\n"
    "  and the read tables as they were right after SEQ; DB is only read. Without\n"
    "  --to the copy goes up to the head.\n"
    "\n"
    "Exit codes: 0 done (or no differences), 1 differences found, 2 usage,\n"
    "3 database problem (missing, foreign, unreadable), 4 database in use by a server.\n"
    "\n";

// A writer connection on a fresh database file, migrated, created owner-only.
Result<std::unique_ptr<store::SqliteDb>> create_database(const std::string& path, bool scratch) {
    const mode_t old_mask = ::umask(077);
    auto db = store::SqliteDb::open(path, store::OpenMode::read_write);
    ::umask(old_mask);
    if (!db) return db;
    try {
        store::register_writer_guard(**db);
        // A scratch copy is thrown away; it need not survive a power cut.
        if (scratch) (*db)->exec("PRAGMA synchronous=OFF");
        auto applied = store::apply_migrations(**db);
        if (!applied) return std::move(applied).error();
    } catch (const store::SqliteError& e) {
        return e.error();
    }
    return db;
}

// Copies the log up to `up_to` (all when nullopt) from `source` (the store
// --db names, `name`) into a new SQLite database at `path` and rebuilds its
// read tables there.
Result<std::int64_t> replay_copy(store::Db& source, const std::string& name,
                                 const std::string& path, std::optional<std::int64_t> up_to,
                                 bool scratch, cli::ProgressBar& bar, double& replay_seconds) {
    auto db = create_database(path, scratch);
    if (!db) return std::move(db).error();
    try {
        if (source.dialect() == store::Dialect::sqlite) {
            // A SQLite source is attached and copied in one statement.
            store::copy_log(**db, name, up_to);
        } else {
            store::Tx tx(**db);
            auto copied = store::copy_events(source, **db, up_to);
            if (!copied) return std::move(copied).error();
            tx.commit();
        }
    } catch (const store::StoreError& e) {
        return e.error();
    }
    cli::Stopwatch watch;
    auto rebuilt = projection::rebuild(**db, up_to.value_or(0),
                                       [&](std::int64_t d, std::int64_t t) { bar.update(d, t); });
    replay_seconds = watch.seconds();
    bar.finish();
    return rebuilt;
}

// Runs an in-place rebuild of `name` behind a progress bar and reports it.
int rebuilt_in_place(
    const std::string& name,
    const std::function<Result<std::int64_t>(const projection::Progress&)>& rebuild) {
    cli::ProgressBar bar("replaying");
    cli::Stopwatch watch;
    auto rebuilt = rebuild([&](std::int64_t d, std::int64_t t) { bar.update(d, t); });
    const double seconds = watch.seconds();
    bar.finish();
    if (!rebuilt) return cli::fail(kTool, rebuilt.error());
    std::cout << "rebuilt the read tables of " << name << " from the log\n"
              << "replayed " << cli::rate(*rebuilt, seconds) << "\n";
    return cli::kOk;
}

int rebuild_in_place_postgresql(const std::string& uri) {
    auto db = store::pg::PgDb::open(uri, kTool);
    if (!db) return cli::fail(kTool, db.error());
    try {
        auto applied = store::pg::apply_migrations((*db)->connection());
        if (!applied) return cli::fail(kTool, applied.error());
        if (*applied) std::cout << "applied " << *applied << " migration(s)\n";
    } catch (const store::StoreError& e) {
        return cli::fail(kTool, e.error());
    }
    return rebuilt_in_place((*db)->name(), [&](const projection::Progress& progress) {
        return writer::rebuild_read_tables(**db, projection::Rebuild::always, progress,
                                           store::ReadPool::postgresql(uri));
    });
}

int rebuild_in_place(const std::string& path) {
    if (store::is_postgresql_uri(path)) return rebuild_in_place_postgresql(path);
    if (auto what = cli::inspect(path); what.kind != cli::FileKind::omnivibe)
        return cli::fail(kTool, what.detail, cli::kDatabase);
    auto lock = store::DbLock::acquire(path, "omnivibe-replay");
    if (!lock) return cli::fail(kTool, lock.error());
    auto db = store::SqliteDb::open(path, store::OpenMode::read_write);
    if (!db) return cli::fail(kTool, db.error());
    try {
        store::register_writer_guard(**db);
        auto applied = store::apply_migrations(**db);
        if (!applied) return cli::fail(kTool, applied.error());
        if (*applied) std::cout << "applied " << *applied << " migration(s)\n";
    } catch (const store::SqliteError& e) {
        return cli::fail(kTool, e.error());
    }
    return rebuilt_in_place(path, [&](const projection::Progress& progress) {
        auto rebuilt = projection::rebuild(**db, 0, progress);
        // Leave the rewritten pages in the database file, not in a large WAL.
        if (rebuilt)
            sqlite3_wal_checkpoint_v2((*db)->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                      nullptr);
        return rebuilt;
    });
}

int verify(const std::string& path, const std::string& scratch_dir) {
    auto live = cli::open_store(path, store::OpenMode::read_only, kTool);
    if (!live) return cli::fail(kTool, live.error());
    const std::string scratch =
        (fs::path(scratch_dir.empty() ? fs::temp_directory_path().string() : scratch_dir) /
         ("omnivibe-verify-" + std::to_string(::getpid()) + ".db"))
            .string();
    struct Cleanup {
        std::string path;
        ~Cleanup() { cli::remove_database(path); }
    } cleanup{scratch};
    cli::remove_database(scratch);
    try {
        // One snapshot of the live database: its head, then its read tables.
        // Events up to that head never change, so the scratch copy may read
        // them through its own connection.
        store::Tx snapshot(**live, store::Tx::Kind::snapshot);
        const std::int64_t head = store::log_head(**live);
        cli::ProgressBar bar("replaying");
        double seconds = 0;
        auto rebuilt = replay_copy(**live, path, scratch, head, true, bar, seconds);
        if (!rebuilt) return cli::fail(kTool, rebuilt.error());
        auto copy = store::SqliteDb::open(scratch, store::OpenMode::read_only);
        if (!copy) return cli::fail(kTool, copy.error());
        const auto cmp = projection::compare_read_tables(**live, **copy);
        snapshot.commit();
        std::cout << "replayed " << cli::rate(*rebuilt, seconds) << " into a scratch database\n";
        if (cmp.total == 0) {
            std::cout << "OK: the read tables of " << (*live)->name()
                      << " equal a replay of the log up to seq " << head << " ("
                      << cli::thousands(cmp.rows_compared) << " rows compared)\n";
            return cli::kOk;
        }
        std::cout << "DIFFERENT: " << cmp.total << " difference(s) between the live read tables"
                  << " and a replay of the log up to seq " << head << ":\n";
        for (const auto& d : cmp.differences) std::cout << "  " << projection::describe(d) << "\n";
        if (cmp.total > static_cast<std::int64_t>(cmp.differences.size()))
            std::cout << "  ... and "
                      << cmp.total - static_cast<std::int64_t>(cmp.differences.size()) << " more\n";
        std::cout << "Rebuild the read tables with: omnivibe-replay --db " << (*live)->name()
                  << (store::is_postgresql_uri(path) ? "\n" : " (with the server stopped)\n");
        return cli::kFailed;
    } catch (const store::StoreError& e) {
        return cli::fail(kTool, e.error());
    }
}

int point_in_time(const std::string& path, std::int64_t to, const std::string& out) {
    auto source = cli::open_store(path, store::OpenMode::read_only, kTool);
    if (!source) return cli::fail(kTool, source.error());
    if (fs::exists(out))
        return cli::fail(kTool, out + " already exists; give a new file for --out", cli::kUsage);
    std::int64_t head = 0;
    try {
        head = store::log_head(**source);
    } catch (const store::StoreError& e) {
        return cli::fail(kTool, e.error());
    }
    if (to == 0) to = head;
    if (to > head)
        return cli::fail(kTool,
                         "--to " + std::to_string(to) + " is beyond the log, which ends at seq " +
                             std::to_string(head),
                         cli::kUsage);
    cli::ProgressBar bar("replaying");
    double seconds = 0;
    auto rebuilt = replay_copy(**source, path, out, to, false, bar, seconds);
    if (!rebuilt) {
        cli::remove_database(out);
        return cli::fail(kTool, rebuilt.error());
    }
    auto copy = store::SqliteDb::open(out, store::OpenMode::read_write);
    std::string hash;
    if (copy) {
        store::EventQuery last;
        last.after = to - 1;
        last.limit = 1;
        auto rows = store::read_events(**copy, last);
        if (!rows.empty()) hash = rows.front().hash;
        // A clean file on its own: no WAL beside it.
        sqlite3_wal_checkpoint_v2((*copy)->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                  nullptr);
    }
    std::cout << "wrote " << out << ": the log up to seq " << to << " of " << head
              << (hash.empty() ? "" : " (hash " + hash + ")")
              << " and the read tables as of that seq\n"
              << "replayed " << cli::rate(*rebuilt, seconds) << "\n";
    return cli::kOk;
}

}  // namespace

int main(int argc, char** argv) {
    std::string db, out, scratch;
    std::int64_t to = -1;
    bool verify_only = false;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help and exit")
        ("db", po::value(&db), "the omnivibe database: a SQLite file or a postgresql:// URI")
        ("verify", po::bool_switch(&verify_only), "compare the read tables with a rebuild")
        ("to", po::value(&to), "last seq of the point-in-time copy")
        ("out", po::value(&out), "file to write the point-in-time copy to (must not exist)")
        ("scratch", po::value(&scratch), "folder for --verify's scratch database (default: the "
                                         "system temp folder)");
    // clang-format on
    po::variables_map vm;
    if (auto done = cli::parse_command_line(argc, argv, kTool, kUsage, desc, vm)) return *done;
    auto usage = [](std::string_view message) { return cli::usage_error(kTool, message); };
    if (db.empty()) return usage("--db PATH or --db postgresql://... is required");
    if (verify_only && (vm.count("to") || vm.count("out")))
        return usage("--verify compares the live tables; it cannot be combined with --to/--out");
    if (vm.count("to") && !vm.count("out")) return usage("--to SEQ needs --out NEW.db");
    if (vm.count("to") && to < 1) return usage("--to must be a seq of 1 or more");
    if (!scratch.empty() && !verify_only) return usage("--scratch only applies to --verify");

    if (verify_only) return verify(db, scratch);
    if (vm.count("out")) return point_in_time(db, vm.count("to") ? to : 0, out);
    return rebuild_in_place(db);
}
