#include "support/test_server.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "omnivibe/store/location.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "support/pg_cluster.hpp"

namespace omnivibe::test {

TempDir::TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("omnivibe-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

TestServer::TestServer(const std::function<void(http::ServerOptions&)>& tweak) {
    options_.host = "127.0.0.1";
    options_.port = 0;
    options_.threads = 2;
    options_.service.db_path = fresh_store(dir_.file("omnivibe.db"));
    options_.service.uploads_dir = dir_.file("uploads");
    if (tweak) tweak(options_);
    server_ = std::make_unique<http::Server>(options_);
    if (auto st = server_->start(); !st)
        throw std::runtime_error("test server failed to start: " + st.error().detail);
}

TestServer::~TestServer() { server_->stop(); }

void TestServer::restart() {
    server_->stop();
    server_ = std::make_unique<http::Server>(options_);
    if (auto st = server_->start(); !st)
        throw std::runtime_error("test server failed to restart: " + st.error().detail);
}

bool testing_postgresql() {
    const char* store = std::getenv("OMNIVIBE_TEST_STORE");
    return store && std::string_view(store) == "postgresql";
}

std::string fresh_store(const std::string& sqlite_file) {
    return testing_postgresql() ? PgCluster::instance().create_database() : sqlite_file;
}

std::unique_ptr<store::Db> open_store(const std::string& db) {
    if (store::is_postgresql_uri(db)) {
        auto pg = store::pg::PgDb::open(db, "omnivibe-test");
        if (!pg) throw std::runtime_error("cannot open " + db + ": " + pg.error().detail);
        return std::move(pg).value();
    }
    auto file = store::SqliteDb::open(db, store::OpenMode::read_only);
    if (!file) throw std::runtime_error("cannot open " + db + ": " + file.error().detail);
    return std::move(file).value();
}

std::string binary_path(std::string_view name) {
    const char* dir = std::getenv("OMNIVIBE_BIN_DIR");
    return (std::filesystem::path(dir ? dir : "bin") / name).string();
}

CommandResult run_command(const std::string& command_line) {
    CommandResult r;
    FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

void check_server_refuses(const std::string& args, std::string_view mention) {
    const auto r = run_command(binary_path("omnivibe-server") + " " + args);
    BOOST_TEST(r.exit_code == 2, args);
    BOOST_TEST(r.output.find(mention) != std::string::npos, r.output);
}

ServerProcess::ServerProcess(const std::string& db_path, const std::string& uploads_dir,
                             std::vector<std::string> args) {
    // Beside the uploads folder: the database may be a PostgreSQL URI.
    const std::filesystem::path uploads(uploads_dir);
    log_path_ = (uploads.parent_path() / (uploads.filename().string() + ".server.log")).string();
    std::filesystem::create_directories(uploads.parent_path());
    if (!store::is_postgresql_uri(db_path))
        std::filesystem::create_directories(std::filesystem::path(db_path).parent_path());
    std::ofstream(log_path_, std::ios::trunc).flush();  // a restart must not read the old port
    std::vector<std::string> argv_s = {binary_path("omnivibe-server"),
                                       "--db",
                                       db_path,
                                       "--uploads",
                                       uploads_dir,
                                       "--threads",
                                       "2"};
    // Port 0 (the system picks one) unless the caller names one: a restart
    // behind a proxy must come back where the proxy expects it.
    if (std::find(args.begin(), args.end(), "--port") == args.end())
        argv_s.insert(argv_s.end(), {"--port", "0"});
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        std::FILE* log = std::fopen(log_path_.c_str(), "a");
        if (log) {
            ::dup2(fileno(log), 1);
            ::dup2(fileno(log), 2);
        }
        std::vector<char*> argv;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string out = output();
        const auto at = out.find("listening on http://127.0.0.1:");
        if (at != std::string::npos) {
            port_ = static_cast<std::uint16_t>(std::stoi(out.substr(at + 30)));
            return;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("omnivibe-server exited at start:\n" + out);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    signal_and_wait(SIGKILL);  // the destructor will not run after a throw
    throw std::runtime_error("omnivibe-server did not start:\n" + output());
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) signal_and_wait(SIGKILL);
}

int ServerProcess::signal_and_wait(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServerProcess::output() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace omnivibe::test
