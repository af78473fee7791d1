#pragma once
// Servers for tests.
//
// TestServer runs the real http::Server in this process on port 0 with a
// fresh temporary database: fast, and the test can reach inside (the writer's
// stats). The database is a SQLite file, or, when OMNIVIBE_TEST_STORE is
// "postgresql" (ctest's `.postgresql` variants of the integration suites), a
// fresh database in this process's throwaway PostgreSQL cluster. ServerProcess runs the built
// omnivibe-server binary as a child, for what needs a real process: signals, kill -9, the sqlite3
// shell beside it.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "omnivibe/http/server.hpp"
#include "omnivibe/store/db.hpp"
#include "support/http_client.hpp"

namespace omnivibe::test {

/// A fresh folder under the system temp dir, removed on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    std::string file(std::string_view name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

class TestServer {
  public:
    /// Starts at once; `tweak` may adjust options before start.
    explicit TestServer(const std::function<void(http::ServerOptions&)>& tweak = {});
    ~TestServer();

    std::uint16_t port() const { return server_->port(); }
    HttpClient client() const { return HttpClient(port()); }
    http::Server& server() { return *server_; }
    /// The --db the server runs on: a file path or a PostgreSQL URI.
    const std::string& db_path() const { return options_.service.db_path; }
    const TempDir& dir() const { return dir_; }
    /// Stops (gracefully) and starts again on the same files, on a new port.
    void restart();

  private:
    TempDir dir_;
    http::ServerOptions options_;
    std::unique_ptr<http::Server> server_;
};

/// The store the integration tests run on (OMNIVIBE_TEST_STORE).
bool testing_postgresql();
/// A --db for a fresh, empty store: `sqlite_file` on SQLite, a new database
/// in the test cluster on PostgreSQL.
std::string fresh_store(const std::string& sqlite_file);
/// A connection to a test server's store (a path or a URI), for checks.
std::unique_ptr<store::Db> open_store(const std::string& db);

/// The built binaries (tests run with OMNIVIBE_BIN_DIR set by ctest).
std::string binary_path(std::string_view name);
/// Runs a command line through /bin/sh; returns its exit status and output.
struct CommandResult {
    int exit_code = -1;
    std::string output;  ///< stdout and stderr together
};
CommandResult run_command(const std::string& command_line);
/// Runs omnivibe-server with `args` and checks that it refuses them as a
/// usage error: exit status 2, and `mention` in what it printed.
void check_server_refuses(const std::string& args, std::string_view mention);

class ServerProcess {
  public:
    /// Starts omnivibe-server with `args` (and --port 0 unless they name a
    /// port), and waits for its "listening on" line to learn the port.
    ServerProcess(const std::string& db_path, const std::string& uploads_dir,
                  std::vector<std::string> args = {});
    ~ServerProcess();
    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    /// Sends a signal and waits for the exit; returns the exit status, or
    /// 128+signal when killed by one.
    int signal_and_wait(int sig);
    /// Everything the process wrote so far (stdout and stderr).
    std::string output() const;

  private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::string log_path_;
};

}  // namespace omnivibe::test
