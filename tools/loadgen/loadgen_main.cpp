// omnivibe-loadgen: drives an omnivibe-server on this machine (SPEC sections
// 8 and 10). Thin: parse the options, run the mode, print the report.

#include <sys/resource.h>

#include <csignal>
#include <iostream>

#include "modes.hpp"

int main(int argc, char** argv) {
    using namespace omnivibe::loadgen;
    int exit_code = 0;
    auto options = parse_command_line(argc, argv, exit_code);
    if (!options) return exit_code;
    std::signal(SIGPIPE, SIG_IGN);
    // Hundreds of connections need descriptors: take what the hard limit allows.
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
    RunReport report = options->mode == Mode::feed ? run_feed(*options) : run_requests(*options);
    if (options->json)
        print_json(report);
    else
        print_text(report);
    if (options->json && !report.fatal.empty())
        std::cerr << "omnivibe-loadgen: " << report.fatal << "\n";
    return report.exit_code;
}
