// omnivibe-server: wiring only. Parses options, starts the server, waits for
// SIGINT/SIGTERM, stops gracefully and exits 0.

#include <csignal>
#include <iostream>

#include "omnivibe/core/log.hpp"
#include "omnivibe/http/server.hpp"
#include "server_options.hpp"

int main(int argc, char** argv) {
    using namespace omnivibe;
    int exit_code = 0;
    auto cl = parse_server_command_line(argc, argv, exit_code);
    if (!cl) return exit_code;
    log::configure(cl->log_format, cl->log_level);

    // Signals are taken synchronously by this thread; every other thread
    // inherits the blocked mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    http::Server server(cl->server);
    if (auto st = server.start(); !st) {
        log::error("cannot start: " + st.error().detail);
        std::cerr << "omnivibe-server: " << st.error().detail << "\n";
        // A configuration mistake is a usage error (2); anything else (the
        // database, the port) is an operational one (1).
        return st.error().code == ErrorCode::validation_failed ? 2 : 1;
    }
    const std::string host = cl->server.host.find(':') != std::string::npos
                                 ? "[" + cl->server.host + "]"
                                 : cl->server.host;
    std::cout << "omnivibe-server listening on http://" << host << ":" << server.port()
              << "/api/v1 (database " << cl->server.service.db_path << ")" << std::endl;
    log::info("listening on http://" + host + ":" + std::to_string(server.port()));

    int sig = 0;
    sigwait(&signals, &sig);
    log::info(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
              ", shutting down");
    server.stop();
    log::info("stopped cleanly");
    return 0;
}
