#include "support/pg_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "omnivibe/store/pg/connection.hpp"
#include "support/test_server.hpp"

namespace omnivibe::embedded {
extern const std::string_view postgresql_setup_sql;
}

namespace omnivibe::test {

namespace {

std::string shell_quoted(std::string_view s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// Debian keeps each major version's programs in /usr/lib/postgresql/N/bin;
// the newest one that has initdb wins, else what pg_config reports.
std::filesystem::path find_bindir() {
    std::filesystem::path best;
    int best_version = -1;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
        const auto bin = entry.path() / "bin";
        int version = 0;
        try {
            version = std::stoi(entry.path().filename().string());
        } catch (const std::exception&) {
            continue;
        }
        if (std::filesystem::exists(bin / "initdb") && version > best_version) {
            best = bin;
            best_version = version;
        }
    }
    if (!best.empty()) return best;
    auto r = run_command("pg_config --bindir");
    std::string dir = r.output.substr(0, r.output.find('\n'));
    if (r.exit_code == 0 && std::filesystem::exists(std::filesystem::path(dir) / "initdb"))
        return dir;
    throw std::runtime_error(
        "PostgreSQL's server programs (initdb) were not found: install the Debian package "
        "postgresql (make deps does)");
}

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::unique_ptr<store::pg::Connection> connect_or_throw(const std::string& uri) {
    auto conn = store::pg::Connection::open(uri, "omnivibe-test-admin");
    if (!conn) throw std::runtime_error(conn.error().detail);
    return std::move(conn).value();
}

}  // namespace

PgCluster& PgCluster::instance() {
    static PgCluster cluster;
    return cluster;
}

PgCluster::PgCluster() {
    bindir_ = find_bindir();
    const bool as_root = ::geteuid() == 0;
    // As root the cluster runs as nobody, who must be able to reach its
    // folder: a private TMPDIR (say, under /root) will not do.
    auto parent = std::filesystem::temp_directory_path();
    if (as_root && (std::filesystem::status(parent).permissions() &
                    std::filesystem::perms::others_exec) == std::filesystem::perms::none)
        parent = "/tmp";
    std::random_device rd;
    dir_ = parent / ("omnivibe-pg-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    data_ = dir_ / "data";
    std::filesystem::create_directories(dir_);
    if (as_root) {
        // PostgreSQL refuses to run as root: the cluster belongs to nobody.
        const passwd* pw = ::getpwnam("nobody");
        if (!pw) throw std::runtime_error("running as root, and there is no user nobody");
        if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
            throw std::runtime_error("cannot hand " + dir_.string() + " to nobody");
        owner_prefix_ = "setpriv --reuid=" + std::to_string(pw->pw_uid) +
                        " --regid=" + std::to_string(pw->pw_gid) + " --clear-groups ";
    }
    start_watchdog();
    init();
    for (int attempt = 0; !try_start(); ++attempt) {
        // Another process took the free port between our look and the start.
        if (attempt == 3) throw std::runtime_error("PostgreSQL did not start:\n" + log_tail());
        port_ = free_port();
        std::ofstream(data_ / "postgresql.auto.conf", std::ios::app) << "port = " << port_ << "\n";
    }
}

PgCluster::~PgCluster() {
    if (running_)
        run_command(as_owner("pg_ctl", "-D " + shell_quoted(data_.string()) + " -m fast -w stop"));
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    if (watchdog_pipe_ >= 0) ::close(watchdog_pipe_);  // the watchdog finds nothing left to do
    if (watchdog_pid_ > 0) ::waitpid(watchdog_pid_, nullptr, 0);
}

std::string PgCluster::as_owner(std::string_view program, std::string_view args) const {
    return owner_prefix_ + shell_quoted((bindir_ / program).string()) + " " + std::string(args);
}

void PgCluster::start_watchdog() {
    // Everything the child needs is built before fork: after it, only
    // async-signal-safe calls until exec.
    const std::string cleanup =
        as_owner("pg_ctl", "-D " + shell_quoted(data_.string()) + " -m immediate -w stop") +
        " >/dev/null 2>&1; rm -rf " + shell_quoted(dir_.string());
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::setsid();  // not in the test's process group: ctest's or a terminal's signals miss it
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::dup2(fds[0], 3);
        ::close_range(4, ~0U, 0);  // no listening socket or pipe of the parent stays open here
        char c;
        while (true) {
            const auto n = ::read(3, &c, 1);
            if (n == 0 || (n < 0 && errno != EINTR)) break;
        }
        ::execl("/bin/sh", "sh", "-c", cleanup.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[0]);
    watchdog_pipe_ = fds[1];
    watchdog_pid_ = pid;
}

void PgCluster::init() {
    const auto r = run_command(as_owner(
        "initdb", "-D " + shell_quoted(data_.string()) +
                      " -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions"));
    if (r.exit_code != 0) throw std::runtime_error("initdb failed:\n" + r.output);
    port_ = free_port();
    // postgresql.auto.conf is read last, so these win over postgresql.conf.
    std::ofstream conf(data_ / "postgresql.auto.conf", std::ios::app);
    conf << "port = " << port_ << "\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = '" << dir_.string()
         << "'\n"
         // A throwaway cluster survives no machine crash: skip the fsyncs.
         << "fsync = off\n"
         << "full_page_writes = off\n"
         << "shared_buffers = 32MB\n"
         << "max_connections = 200\n";
}

bool PgCluster::try_start() {
    const auto r = run_command(as_owner("pg_ctl", "-D " + shell_quoted(data_.string()) + " -l " +
                                                      shell_quoted((dir_ / "server.log").string()) +
                                                      " -w -t 60 start"));
    running_ = r.exit_code == 0;
    return running_;
}

void PgCluster::start() {
    if (running_) return;
    if (!try_start()) throw std::runtime_error("PostgreSQL did not start again:\n" + log_tail());
}

void PgCluster::stop() {
    if (!running_) return;
    const auto r =
        run_command(as_owner("pg_ctl", "-D " + shell_quoted(data_.string()) + " -m fast -w stop"));
    if (r.exit_code != 0) throw std::runtime_error("pg_ctl stop failed:\n" + r.output);
    running_ = false;
}

std::string PgCluster::log_tail() const {
    std::ifstream in(dir_ / "server.log");
    std::stringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

std::string PgCluster::uri_as(std::string_view role, std::string_view database) const {
    return "postgresql://" + std::string(role) + "@127.0.0.1:" + std::to_string(port_) + "/" +
           std::string(database);
}

std::string PgCluster::admin_uri(std::string_view database) const {
    return uri_as("postgres", database);
}

std::string_view PgCluster::roles_script() { return embedded::postgresql_setup_sql; }

std::string PgCluster::database_of(std::string_view uri) {
    const auto slash = uri.rfind('/');
    return std::string(uri.substr(slash + 1, uri.find('?', slash) - slash - 1));
}

std::string PgCluster::create_database() {
    const std::string name = "omnivibe_test_" + std::to_string(++databases_);
    connect_or_throw(admin_uri())
        ->exec("CREATE DATABASE " + name +
               " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
    connect_or_throw(admin_uri(name))->exec(roles_script());
    return uri_as("omnivibe_server", name);
}

int PgCluster::terminate_backends(std::string_view application_name) {
    auto admin = connect_or_throw(admin_uri());
    return static_cast<int>(
        admin
            ->query_int(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) "
                "FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
                {application_name})
            .value_or(0));
}

bool PgCluster::terminate_backend(int pid) {
    auto admin = connect_or_throw(admin_uri());
    return admin->query("SELECT pg_terminate_backend($1, 10000)", {pid}).boolean(0, 0);
}

}  // namespace omnivibe::test
