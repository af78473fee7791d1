#pragma once
// The load generator's command line.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace omnivibe::loadgen {

enum class Mode { create, patch, get, list, mixed, seed, feed };

struct Options {
    Mode mode = Mode::get;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    /// feed mode: the port the writers send to (another instance on the same
    /// database); 0: the subscribers' --port
    std::uint16_t write_port = 0;
    unsigned connections = 8;    ///< concurrent keep-alive connections (writers in feed mode)
    double duration_s = 0;       ///< 0: bounded by --requests instead
    std::uint64_t requests = 0;  ///< 0: bounded by --duration instead
    double rate = 0;             ///< requests (feed: events) per second in total; 0: unpaced
    unsigned subscribers = 100;  ///< feed mode
    double read_ratio = 0.9;     ///< mixed mode
    unsigned clients = 100;      ///< seed mode
    unsigned threads = 1;
    unsigned list_pages = 5;  ///< list mode reads a random page among the first N
    std::optional<std::pair<std::int64_t, std::int64_t>> id_range;
    double timeout_s = 30;  ///< per request
    double drain_s = 10;    ///< feed mode: how long to wait for the last deliveries
    std::string token;      ///< sent as Authorization: Bearer
    bool json = false;
};

std::string_view to_string(Mode mode);

/// Parses argv; on --help or an error prints and returns nullopt with exit_code set.
std::optional<Options> parse_command_line(int argc, char** argv, int& exit_code);

/// True for the addresses this tool may target: 127.0.0.0/8, ::1, localhost.
bool is_loopback(const std::string& host);

}  // namespace omnivibe::loadgen
