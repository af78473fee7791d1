#include "omnivibe/core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <string>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/json/writer.hpp"

namespace omnivibe::log {

namespace {
std::atomic<Format> g_format{Format::text};

spdlog::level::level_enum to_spd(Level l) {
    switch (l) {
        case Level::debug:
            return spdlog::level::debug;
        case Level::info:
            return spdlog::level::info;
        case Level::warn:
            return spdlog::level::warn;
        case Level::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
    }
    return "info";
}

// In JSON mode each line is built here and printed verbatim, so the message
// is escaped properly whatever it contains.
void emit(Level l, std::string_view message) {
    auto logger = spdlog::default_logger_raw();
    if (!logger->should_log(to_spd(l))) return;
    if (g_format.load(std::memory_order_relaxed) == Format::json) {
        json::Writer w;
        w.begin_object();
        w.key("ts").string(format_rfc3339(now_millis()));
        w.key("level").string(level_name(l));
        w.key("msg").string(message);
        w.end_object();
        logger->log(to_spd(l), "{}", w.view());
    } else {
        logger->log(to_spd(l), "{}", message);
    }
}
}  // namespace

void configure(Format format, Level level) {
    g_format = format;
    auto logger = spdlog::stderr_logger_mt("omnivibe");
    if (format == Format::json)
        logger->set_pattern("%v");
    else
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->set_level(to_spd(level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

bool parse_level(std::string_view text, Level& out) {
    if (text == "debug")
        out = Level::debug;
    else if (text == "info")
        out = Level::info;
    else if (text == "warn")
        out = Level::warn;
    else if (text == "error")
        out = Level::error;
    else
        return false;
    return true;
}

void debug(std::string_view m) { emit(Level::debug, m); }
void info(std::string_view m) { emit(Level::info, m); }
void warn(std::string_view m) { emit(Level::warn, m); }
void error(std::string_view m) { emit(Level::error, m); }

void request(const RequestLine& r) {
    auto logger = spdlog::default_logger_raw();
    if (!logger->should_log(spdlog::level::info)) return;
    if (g_format.load(std::memory_order_relaxed) == Format::json) {
        json::Writer w;
        w.begin_object();
        w.key("ts").string(format_rfc3339(now_millis()));
        w.key("level").string("info");
        w.key("msg").string("request");
        w.key("method").string(r.method);
        w.key("route").string(r.route);
        w.key("status").integer(r.status);
        w.key("bytes").integer(static_cast<std::int64_t>(r.bytes));
        w.key("duration_ms").number(r.duration_ms);
        w.key("request_id").string(r.request_id);
        w.key("actor").string(r.actor);
        if (!r.error_code.empty()) w.key("code").string(r.error_code);
        w.end_object();
        logger->info("{}", w.view());
    } else {
        logger->info("{} {} {} {}B {:.2f}ms req={} actor={}{}{}", r.method, r.target, r.status,
                     r.bytes, r.duration_ms, r.request_id, r.actor,
                     r.error_code.empty() ? "" : " code=", r.error_code);
    }
}

}  // namespace omnivibe::log
