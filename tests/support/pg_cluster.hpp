#pragma once
// A throwaway PostgreSQL cluster for tests: nothing assumes a running service.
//
// The first call to PgCluster::instance() runs Debian's initdb (found under
// /usr/lib/postgresql/<version>/bin, or by `pg_config --bindir`) in a fresh
// temporary folder and starts the server listening on a Unix socket in that
// folder and on a free loopback TCP port, with trust authentication. When the
// tests run as root, the cluster's files belong to `nobody` and its programs
// run as that user (PostgreSQL refuses to run as root).
//
// The cluster is stopped and its folder removed when the test process exits.
// A watchdog process, started with the cluster, does the same if the test
// process dies without exiting normally (a crash, kill -9), so no server is
// left behind.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace omnivibe::test {

class PgCluster {
  public:
    /// The cluster of this test process, initialised and started on first use.
    static PgCluster& instance();

    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    /// A fresh, empty database (UTF8, C collation) with
    /// scripts/postgresql-setup.sql applied, owned by the server role; returns
    /// the URI the servers would use: postgresql://omnivibe_server@127.0.0.1:PORT/NAME.
    std::string create_database();
    /// The URI of the cluster's superuser `postgres`, on `database`.
    std::string admin_uri(std::string_view database = "postgres") const;
    /// The URI of `role` on `database` (trust authentication: no password).
    std::string uri_as(std::string_view role, std::string_view database) const;
    /// The text of scripts/postgresql-setup.sql, as create_database() applies it.
    static std::string_view roles_script();
    /// The database name of a URI returned by create_database().
    static std::string database_of(std::string_view uri);

    /// Stops the server (fast shutdown: clients are disconnected).
    void stop();
    /// Starts it again, on the same port.
    void start();
    bool running() const noexcept { return running_; }

    /// Terminates every backend whose application_name is `name`, waiting
    /// until each is gone; returns how many there were.
    int terminate_backends(std::string_view application_name);
    /// Terminates one backend by its pid, waiting until it is gone.
    bool terminate_backend(int pid);

    std::uint16_t port() const noexcept { return port_; }
    /// The server's log, for a failing test's message.
    std::string log_tail() const;

  private:
    PgCluster();
    ~PgCluster();

    /// A command line that runs `program` from the PostgreSQL bin folder as
    /// the cluster's owner.
    std::string as_owner(std::string_view program, std::string_view args) const;
    void init();
    bool try_start();
    void start_watchdog();

    std::filesystem::path bindir_;
    std::filesystem::path dir_;
    std::filesystem::path data_;
    std::string owner_prefix_;  ///< "setpriv --reuid=... " when run as root
    std::uint16_t port_ = 0;
    bool running_ = false;
    int databases_ = 0;
    int watchdog_pipe_ = -1;
    int watchdog_pid_ = -1;
};

}  // namespace omnivibe::test
