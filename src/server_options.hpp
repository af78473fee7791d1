#pragma once
// Command line and environment of omnivibe-server (SPEC section 7).

#include <optional>
#include <string>

#include "omnivibe/core/log.hpp"
#include "omnivibe/http/server.hpp"

namespace omnivibe {

struct ServerCommandLine {
    http::ServerOptions server;
    log::Format log_format = log::Format::text;
    log::Level log_level = log::Level::info;
};

/// Parses argv and OMNIVIBE_* variables (flags win). Prints --help or an error
/// and returns the exit code in `exit_code` when the program should stop.
std::optional<ServerCommandLine> parse_server_command_line(int argc, char** argv, int& exit_code);

}  // namespace omnivibe
