#pragma once
// The logging facade. Modules log through these functions so that no header
// outside src/ depends on the logging library; the format (text or JSON) and
// the level are chosen once at start-up.

#include <string_view>

namespace omnivibe::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

/// Configures the process-wide logger; safe to call once before threads start.
void configure(Format format, Level level);

/// Parses "debug|info|warn|error".
bool parse_level(std::string_view text, Level& out);

void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

/// One structured line per HTTP request.
struct RequestLine {
    std::string_view method;
    std::string_view route;
    std::string_view target;
    int status = 0;
    std::size_t bytes = 0;
    double duration_ms = 0;
    std::string_view request_id;
    std::string_view actor;
    std::string_view error_code;  ///< the error's wire code; empty for a success
};
void request(const RequestLine& line);

}  // namespace omnivibe::log
