// omnivibe-import: turns a database of the previous backend into events of a
// new omnivibe database (see omnivibe/legacy/import.hpp for the rules).

#include <sys/stat.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli.hpp"
#include "omnivibe/legacy/import.hpp"
#include "omnivibe/store/db_lock.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/location.hpp"
#include "omnivibe/store/log_audit.hpp"
#include "omnivibe/store/log_move.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/pg/migrations.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/writer/pg_session.hpp"

namespace {

using namespace omnivibe;
namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr std::string_view kTool = "omnivibe-import";

constexpr const char* kUsage =
    "Usage: omnivibe-import --legacy OLD.db --db PATH [--partial] [--files DIR]\n"
    "       omnivibe-import --from-sqlite OMNIVIBE.db --db postgresql://USER@HOST:PORT/DB\n"
    "\n"
    "Turns the SQLite database of the previous backend (FastAPI + Next.js) into the\n"
    "events of an omnivibe database, then projects them into its read tables, in one\n"
    "transaction. Ids and legacy timestamps are kept; values are cleaned (canonical\n"
    "enums, keyword arrays, 0-based positions, default for NULL, ...) and validated\n"
    "with the API's rules. A soft-deleted campaign is imported and then deleted with\n"
    "everything under it, so its history stays in the log. Files the legacy rows\n"
    "point at are reported, never attached, and no checksum is invented.\n"
    "\n"
    "PATH must be new, or an omnivibe database with no events; OLD.db is only read.\n"
    "Without --partial, nothing is written when any row is rejected.\n"
    "\n"
    "--from-sqlite moves the log of an omnivibe SQLite database into an empty\n"
    "PostgreSQL database (docs/SCALING.md): every event copied as it is (seq,\n"
    "stream versions, recorded_at, meta and hashes kept) in one transaction that\n"
    "holds the writers' lock, the read tables projected from it, and the chain\n"
    "verified end to end there. The SQLite file is only read; stop its server first.\n"
    "\n"
    "Exit codes: 0 imported, 1 rows rejected (nothing written unless --partial),\n"
    "2 usage, 3 database problem (missing, foreign, target not empty), 4 target in use.\n"
    "\n";

void print_report(const legacy::ImportReport& r) {
    std::cout << "legacy rows:\n";
    for (const auto& t : r.tables) {
        std::cout << "  " << std::left << std::setw(19) << t.table << std::right << std::setw(5)
                  << t.read << " read, " << std::setw(5) << t.imported << " imported";
        if (t.deleted) std::cout << ", " << t.deleted << " of them deleted again";
        if (t.rejected) std::cout << ", " << t.rejected << " rejected";
        if (t.table == "resource_library" && t.read)
            std::cout << " (files are not imported; see below)";
        std::cout << "\n";
    }
    std::cout << "cleaned:\n";
    if (r.cleaned.empty()) std::cout << "  nothing\n";
    for (const auto& c : r.cleaned) std::cout << "  " << c << "\n";
    if (!r.dropped.empty()) {
        std::cout << "values left out (they break a rule; the row was kept):\n";
        for (const auto& d : r.dropped) std::cout << "  " << d << "\n";
    }
    if (!r.files.empty()) {
        std::cout << "files not imported:\n";
        for (const auto& f : r.files) std::cout << "  " << f << "\n";
    }
    if (!r.rejected.empty()) {
        std::cout << "rejected rows:\n";
        for (const auto& x : r.rejected)
            std::cout << "  " << x.table << " " << x.id << ": " << x.reason << "\n";
    }
}

// --from-sqlite: the log of an omnivibe SQLite file into an empty PostgreSQL
// database, then projected and verified there.
int move_to_postgresql(const std::string& source_path, const std::string& uri) {
    auto source = cli::open_existing(source_path, store::OpenMode::read_only);
    if (!source) return cli::fail(kTool, source.error());
    auto target = store::pg::PgDb::open(uri, kTool);
    if (!target) return cli::fail(kTool, target.error());
    store::pg::Connection& conn = (*target)->connection();
    cli::Stopwatch watch;
    try {
        if (auto applied = store::pg::apply_migrations(conn); !applied)
            return cli::fail(kTool, applied.error());
        {
            // Under the writers' lock: no server appends while the log moves in.
            store::Tx tx(**target);
            conn.advisory_xact_lock(writer::kWriterLockKey);
            cli::ProgressBar bar("moving events");
            auto copied =
                store::copy_events(**source, **target, std::nullopt,
                                   [&](std::int64_t d, std::int64_t t) { bar.update(d, t); });
            bar.finish();
            if (!copied) return cli::fail(kTool, copied.error());
            tx.commit();
            std::cout << "moved " << cli::rate(*copied, watch.seconds()) << "\n";
        }
        // The read tables: projected by the start-up rebuild every server runs.
        auto session =
            writer::PgSession::open({.uri = uri, .application_name = std::string(kTool)});
        if (!session) return cli::fail(kTool, session.error());
        (*session)->close();
        store::Tx snapshot(**target, store::Tx::Kind::snapshot);
        cli::ProgressBar bar("verifying");
        const auto check = store::verify_log(
            **target, {}, [&](std::int64_t d, std::int64_t t) { bar.update(d, t); });
        bar.finish();
        snapshot.commit();
        if (check.problem) {
            std::cout << "FAILED at seq " << check.problem->seq << ": " << check.problem->what
                      << "\n";
            return cli::kFailed;
        }
        std::cout << kTool << ": " << source_path << " -> " << conn.redacted_uri() << "\n"
                  << "log: " << cli::thousands(check.events)
                  << " events, hash chain intact; read tables projected\n"
                  << "head " << check.head.seq << " " << check.head.hash << "\n";
        return cli::kOk;
    } catch (const store::StoreError& e) {
        return cli::fail(kTool, e.error());
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string legacy_path, db_path, files, from_sqlite;
    bool partial = false;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help and exit")
        ("legacy", po::value(&legacy_path), "the legacy database to read")
        ("from-sqlite", po::value(&from_sqlite),
         "an omnivibe SQLite database whose log moves into the PostgreSQL --db")
        ("db", po::value(&db_path), "the omnivibe database to create")
        ("partial", po::bool_switch(&partial), "import the valid rows even if some are rejected")
        ("files", po::value(&files),
         "folder the legacy file paths (/uploads/...) are relative to (default: the folder of "
         "OLD.db)");
    // clang-format on
    po::variables_map vm;
    if (auto done = cli::parse_command_line(argc, argv, kTool, kUsage, desc, vm)) return *done;
    if (!from_sqlite.empty()) {
        if (!legacy_path.empty() || vm.count("files") || partial)
            return cli::usage_error(kTool, "--from-sqlite takes no --legacy, --files or --partial");
        if (!store::is_postgresql_uri(db_path))
            return cli::usage_error(kTool,
                                    "--from-sqlite moves into PostgreSQL: --db must be a "
                                    "postgresql:// URI");
        return move_to_postgresql(from_sqlite, db_path);
    }
    if (legacy_path.empty() || db_path.empty())
        return cli::usage_error(kTool, "--legacy OLD.db and --db PATH are required");

    // The legacy file: a SQLite database with the previous backend's tables.
    const auto legacy_kind = cli::inspect(legacy_path);
    if (legacy_kind.kind == cli::FileKind::omnivibe)
        return cli::fail(kTool, legacy_path + " is already an omnivibe database", cli::kDatabase);
    if (legacy_kind.kind != cli::FileKind::foreign)
        return cli::fail(kTool, legacy_kind.detail, cli::kDatabase);
    auto legacy = store::SqliteDb::open(legacy_path, store::OpenMode::read_only);
    if (!legacy) return cli::fail(kTool, legacy.error());
    if (auto st = legacy::check_legacy_layout(**legacy); !st)
        return cli::fail(kTool, legacy_path + ": " + st.error().detail, cli::kDatabase);

    // The target: new, or an omnivibe database that holds no events yet.
    const auto target_kind = cli::inspect(db_path);
    switch (target_kind.kind) {
        case cli::FileKind::missing:
        case cli::FileKind::empty:
        case cli::FileKind::omnivibe:
            break;
        default:
            return cli::fail(kTool, target_kind.detail + "; refusing to import into it",
                             cli::kDatabase);
    }
    if (target_kind.kind == cli::FileKind::missing) {
        std::error_code ec;
        const auto parent = fs::path(db_path).parent_path();
        if (!parent.empty()) fs::create_directories(parent, ec);
    }
    const mode_t old_mask = ::umask(077);
    auto lock = store::DbLock::acquire(db_path, "omnivibe-import");
    auto target = lock ? store::SqliteDb::open(db_path, store::OpenMode::read_write)
                       : Result<std::unique_ptr<store::SqliteDb>>(lock.error());
    ::umask(old_mask);
    if (!target) return cli::fail(kTool, target.error());
    try {
        store::register_writer_guard(**target);
        if (auto applied = store::apply_migrations(**target); !applied)
            return cli::fail(kTool, applied.error());
        if (const auto head = store::log_head(**target); head != 0)
            return cli::fail(kTool,
                             db_path + " already holds " + cli::thousands(head) +
                                 " events; import only into a new database",
                             cli::kDatabase);
    } catch (const store::SqliteError& e) {
        return cli::fail(kTool, e.error());
    }

    legacy::ImportOptions options;
    options.partial = partial;
    options.files_root = files.empty() ? fs::absolute(legacy_path).parent_path().string() : files;
    cli::Stopwatch watch;
    auto report = legacy::import_legacy(**legacy, **target, options);
    if (!report) return cli::fail(kTool, report.error());
    std::cout << kTool << ": " << legacy_path << " -> " << db_path << "\n";
    print_report(*report);
    if (!report->committed) {
        std::cout << "NOTHING WRITTEN: " << report->rejected.size()
                  << " row(s) rejected; fix them in the legacy database, or import the rest with "
                     "--partial\n";
        return cli::kFailed;
    }
    sqlite3_wal_checkpoint_v2((*target)->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                              nullptr);
    std::cout << "appended " << cli::rate(report->events, watch.seconds()) << "; head "
              << report->head.seq << " " << report->head.hash << "\n";
    if (!report->rejected.empty()) {
        std::cout << "PARTIAL: " << report->rejected.size()
                  << " row(s) rejected and not imported\n";
        return cli::kFailed;
    }
    return cli::kOk;
}
