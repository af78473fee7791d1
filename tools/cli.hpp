#pragma once
// What the command-line tools share: exit codes, opening a database with a
// clear sentence for every way it can be the wrong file, a progress bar that
// only draws on a terminal, and number formatting. The work itself lives in
// the omnivibe library, so the tools stay thin.

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::cli {

/// Exit codes of every tool (docs/TOOLS.md).
enum ExitCode : int {
    kOk = 0,        ///< done; the check passed
    kFailed = 1,    ///< a check failed (differences, a broken chain, rejected rows)
    kUsage = 2,     ///< bad command line
    kDatabase = 3,  ///< missing, unreadable or foreign file; SQLite failure
    kInUse = 4,     ///< a server (or another tool) holds the database
};

/// What a path holds.
enum class FileKind { missing, not_a_file, empty, not_sqlite, foreign, omnivibe };
struct Inspection {
    FileKind kind = FileKind::missing;
    std::string detail;  ///< a sentence for anything but omnivibe
};
Inspection inspect(const std::string& path);

/// Opens an existing omnivibe database, or fails with a sentence saying why
/// the file is not one.
Result<std::unique_ptr<store::SqliteDb>> open_existing(const std::string& path,
                                                       store::OpenMode mode);

/// Opens the store --db names: an existing omnivibe SQLite file (as
/// open_existing), or a PostgreSQL database by its URI (application_name
/// `tool`). Read-only on SQLite when `mode` says so; on PostgreSQL the
/// tools read in snapshots and write only where they say they do.
Result<std::unique_ptr<store::Db>> open_store(const std::string& db, store::OpenMode mode,
                                              std::string_view tool);

/// Prints "<tool>: <detail>" on stderr and returns the exit code for the error.
int fail(std::string_view tool, const Error& error);
int fail(std::string_view tool, std::string_view message, int code);

/// Parses the command line into `vm`. `--help` prints `usage` and `options`
/// (kOk); a parse error prints itself, then the same (kUsage). Nothing
/// returned: go on. `hidden` and `positional` are for positional arguments.
std::optional<int> parse_command_line(
    int argc, char** argv, std::string_view tool, std::string_view usage,
    const boost::program_options::options_description& options,
    boost::program_options::variables_map& vm,
    const boost::program_options::options_description* hidden = nullptr,
    const boost::program_options::positional_options_description* positional = nullptr);
/// A bad command line: "<tool>: <message>" and where to read more; kUsage.
int usage_error(std::string_view tool, std::string_view message);

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
  public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();
    void update(std::int64_t done, std::int64_t total);
    /// Ends the line if one was drawn.
    void finish();

  private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    int last_percent_ = -1;
};

/// 1234567 -> "1,234,567".
std::string thousands(std::int64_t n);

/// Wall time since construction, in seconds.
class Stopwatch {
  public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

  private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// "1,000,000 events in 3.41 s (293,255 events/s)".
std::string rate(std::int64_t events, double seconds);

/// Removes a database file and its -wal, -shm and .lock companions.
void remove_database(const std::string& path);

}  // namespace omnivibe::cli
