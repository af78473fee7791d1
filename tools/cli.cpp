#include "cli.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "omnivibe/store/db_lock.hpp"
#include "omnivibe/store/location.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::cli {

namespace fs = std::filesystem;

Inspection inspect(const std::string& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return {FileKind::missing, path + " does not exist"};
    if (!fs::is_regular_file(status)) return {FileKind::not_a_file, path + " is not a file"};
    if (fs::file_size(path, ec) == 0 && !ec) return {FileKind::empty, path + " is empty"};
    char magic[16] = {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {FileKind::not_a_file, path + " cannot be read"};
    in.read(magic, sizeof magic);
    if (in.gcount() < 16 ||
        std::string_view(magic, 16) != std::string_view("SQLite format 3\0", 16))
        return {FileKind::not_sqlite, path + " is not a SQLite database"};

    auto db = store::SqliteDb::open(path, store::OpenMode::read_only);
    if (!db) return {FileKind::not_sqlite, db.error().detail};
    try {
        store::SqliteStmt s((*db)->handle(),
                            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        bool events = false, migrations = false;
        std::string names;
        int shown = 0;
        while (s.step()) {
            const std::string_view name = s.column_text(0);
            events = events || name == "events";
            migrations = migrations || name == "schema_migrations";
            if (name.rfind("sqlite_", 0) == 0) continue;
            if (shown++ < 6) (names += names.empty() ? "" : ", ") += std::string(name);
        }
        if (events && migrations) return {FileKind::omnivibe, {}};
        if (names.empty()) return {FileKind::empty, path + " is an empty SQLite database"};
        std::string detail = path + " is a SQLite database but not an omnivibe one (no events " +
                             "table; it has " + names + (shown > 6 ? ", ..." : "") + ")";
        if (names.find("clients") != std::string::npos &&
            names.find("content_schedule") != std::string::npos)
            detail +=
                ". It looks like a database of the previous backend: convert it with "
                "omnivibe-import --legacy " +
                path + " --db NEW.db";
        return {FileKind::foreign, detail};
    } catch (const store::SqliteError& e) {
        return {FileKind::not_sqlite, path + " cannot be read as SQLite: " + e.error().detail};
    }
}

Result<std::unique_ptr<store::SqliteDb>> open_existing(const std::string& path,
                                                       store::OpenMode mode) {
    const Inspection what = inspect(path);
    if (what.kind != FileKind::omnivibe) return Error::make(ErrorCode::not_found, what.detail);
    return store::SqliteDb::open(path, mode);
}

Result<std::unique_ptr<store::Db>> open_store(const std::string& db, store::OpenMode mode,
                                              std::string_view tool) {
    if (store::is_postgresql_uri(db)) {
        auto pg = store::pg::PgDb::open(db, tool);
        if (!pg) return std::move(pg).error();
        return std::unique_ptr<store::Db>(std::move(pg).value());
    }
    auto file = open_existing(db, mode);
    if (!file) return std::move(file).error();
    return std::unique_ptr<store::Db>(std::move(file).value());
}

int fail(std::string_view tool, std::string_view message, int code) {
    std::cerr << tool << ": " << message << "\n";
    return code;
}

std::optional<int> parse_command_line(
    int argc, char** argv, std::string_view tool, std::string_view usage,
    const boost::program_options::options_description& options,
    boost::program_options::variables_map& vm,
    const boost::program_options::options_description* hidden,
    const boost::program_options::positional_options_description* positional) {
    namespace po = boost::program_options;
    try {
        po::options_description all;
        all.add(options);
        if (hidden) all.add(*hidden);
        po::command_line_parser parser(argc, argv);
        parser.options(all);
        if (positional) parser.positional(*positional);
        po::store(parser.run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << tool << ": " << e.what() << "\n\n" << usage << options;
        return kUsage;
    }
    if (vm.count("help")) {
        std::cout << usage << options;
        return kOk;
    }
    return std::nullopt;
}

int usage_error(std::string_view tool, std::string_view message) {
    std::cerr << tool << ": " << message << "\n(see " << tool << " --help)\n";
    return kUsage;
}

int fail(std::string_view tool, const Error& error) {
    return fail(tool, error.detail, error.code == ErrorCode::conflict ? kInUse : kDatabase);
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::int64_t done, std::int64_t total) {
    if (!enabled_ || total <= 0) return;
    const int percent = static_cast<int>(done * 100 / total);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %3d%%  %s/%s", label_.c_str(), bar.c_str(), percent,
                 thousands(done).c_str(), thousands(total).c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
}

std::string thousands(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string rate(std::int64_t events, double seconds) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", seconds);
    const auto per_second =
        seconds > 0 ? static_cast<std::int64_t>(static_cast<double>(events) / seconds) : 0;
    return thousands(events) + " events in " + secs + " s (" + thousands(per_second) + " events/s)";
}

void remove_database(const std::string& path) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
    fs::remove(store::DbLock::lock_path(path), ec);
}

}  // namespace omnivibe::cli
