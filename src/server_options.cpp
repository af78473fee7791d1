#include "server_options.hpp"

#include <boost/program_options.hpp>
#include <iostream>

namespace omnivibe {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "Usage: omnivibe-server [options]\n"
    "\n"
    "The OmniVibe event service: REST API and change feed over an event-sourced\n"
    "SQLite database. Every option can also be given as an environment variable\n"
    "OMNIVIBE_<NAME> (e.g. OMNIVIBE_PORT=9000, OMNIVIBE_CORS_ORIGIN=a,b); flags win.\n"
    "\n";

}  // namespace

std::optional<ServerCommandLine> parse_server_command_line(int argc, char** argv, int& exit_code) {
    ServerCommandLine cl;
    auto& o = cl.server;
    std::string durability = "full", log_format = "text", log_level = "info";
    std::vector<std::string> cors;
    std::uint64_t max_upload_mb = 200;
    std::uint64_t sse_max_lag_kb = o.service.sse_max_lag_bytes >> 10;
    std::uint64_t max_header_kb = o.max_header_bytes >> 10;
    std::uint64_t response_cache_mb = o.service.response_cache_bytes >> 20;
    unsigned port = 8000;

    po::options_description desc("Options");
    desc.add_options()("help,h", "show this help and exit")(
        "db", po::value(&o.service.db_path)->default_value(o.service.db_path),
        "SQLite database file (created with its folder on first start), or a PostgreSQL "
        "database: postgresql://user@host:port/dbname (password from PGPASSWORD or ~/.pgpass)")(
        "host", po::value(&o.host)->default_value(o.host), "address to listen on")(
        "port", po::value(&port)->default_value(port), "TCP port (0 picks a free one)")(
        "uploads", po::value(&o.service.uploads_dir)->default_value(o.service.uploads_dir),
        "folder for uploaded files")("threads", po::value(&o.threads)->default_value(0),
                                     "network threads (0: one per core)")(
        "durability", po::value(&durability)->default_value(durability),
        "full: a write is acknowledged after fsync (survives power loss); normal: after the "
        "WAL write (survives a process crash)")("tokens", po::value(&o.tokens_file),
                                                "token file: lines 'name scopes sha256hex'")(
        "allow-anonymous", po::bool_switch(&o.allow_anonymous),
        "serve a non-loopback address without --tokens")(
        "cors-origin", po::value(&cors)->composing(),
        "allowed CORS origin (repeatable; default http://localhost:3000)")(
        "max-body", po::value(&o.service.max_body_bytes)->default_value(o.service.max_body_bytes),
        "largest JSON body in bytes")("max-upload-mb",
                                      po::value(&max_upload_mb)->default_value(max_upload_mb),
                                      "largest upload in MiB")(
        "sse-heartbeat", po::value(&o.service.sse_heartbeat_seconds)->default_value(15),
        "seconds between feed heartbeats")(
        "sse-max-lag-kb", po::value(&sse_max_lag_kb)->default_value(sse_max_lag_kb),
        "unsent feed data, in KiB, a subscriber may fall behind before its stream is reset "
        "(it then resumes from its Last-Event-ID)")(
        "header-timeout",
        po::value(&o.header_timeout_seconds)->default_value(o.header_timeout_seconds),
        "seconds to receive a whole request")(
        "idle-timeout", po::value(&o.idle_timeout_seconds)->default_value(o.idle_timeout_seconds),
        "seconds a keep-alive connection may stay idle")(
        "max-connections", po::value(&o.max_connections)->default_value(o.max_connections),
        "open connections at most; more are refused with 503")(
        "max-header-kb", po::value(&max_header_kb)->default_value(max_header_kb),
        "largest request line and headers, in KiB; larger are answered 431")(
        "response-cache-mb", po::value(&response_cache_mb)->default_value(response_cache_mb),
        "memory for GET answers kept while the log head does not move, in MiB; 0 turns it off")(
        "log-format", po::value(&log_format)->default_value(log_format), "text or json")(
        "log-level", po::value(&log_level)->default_value(log_level), "debug, info, warn or error");

    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        // OMNIVIBE_CORS_ORIGIN -> cors-origin; unknown OMNIVIBE_* variables are ignored.
        po::store(po::parse_environment(desc,
                                        [&desc](const std::string& var) -> std::string {
                                            if (var.rfind("OMNIVIBE_", 0) != 0) return "";
                                            std::string name = var.substr(9);
                                            for (auto& c : name)
                                                c = c == '_' ? '-'
                                                             : static_cast<char>(std::tolower(c));
                                            return desc.find_nothrow(name, false) ? name : "";
                                        }),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "omnivibe-server: " << e.what() << "\nTry --help.\n";
        exit_code = 2;
        return std::nullopt;
    }
    if (vm.count("help")) {
        std::cout << kUsage << desc << "\n";
        exit_code = 0;
        return std::nullopt;
    }
    auto bad = [&](const std::string& msg) {
        std::cerr << "omnivibe-server: " << msg << "\n";
        exit_code = 2;
        return std::nullopt;
    };
    if (port > 65535) return bad("--port must be 0..65535");
    o.port = static_cast<std::uint16_t>(port);
    if (durability == "full")
        o.durability = writer::Durability::full;
    else if (durability == "normal")
        o.durability = writer::Durability::normal;
    else
        return bad("--durability must be full or normal");
    if (log_format == "text")
        cl.log_format = log::Format::text;
    else if (log_format == "json")
        cl.log_format = log::Format::json;
    else
        return bad("--log-format must be text or json");
    if (!log::parse_level(log_level, cl.log_level))
        return bad("--log-level must be debug, info, warn or error");
    if (!cors.empty()) {
        o.service.cors_origins.clear();
        for (const auto& c : cors) {
            // The environment form takes a comma-separated list.
            std::size_t start = 0;
            while (start <= c.size()) {
                auto end = c.find(',', start);
                if (end == std::string::npos) end = c.size();
                if (end > start) o.service.cors_origins.push_back(c.substr(start, end - start));
                start = end + 1;
            }
        }
    }
    if (max_upload_mb == 0) return bad("--max-upload-mb must be at least 1");
    o.service.max_upload_bytes = max_upload_mb << 20;
    if (o.service.sse_heartbeat_seconds < 1) return bad("--sse-heartbeat must be at least 1");
    if (sse_max_lag_kb < 1 || sse_max_lag_kb > (1ULL << 30))
        return bad("--sse-max-lag-kb must be from 1 to 1073741824");
    o.service.sse_max_lag_bytes = static_cast<std::size_t>(sse_max_lag_kb) << 10;
    if (max_header_kb < 1 || max_header_kb > 1024)
        return bad("--max-header-kb must be from 1 to 1024");
    o.max_header_bytes = static_cast<std::size_t>(max_header_kb) << 10;
    if (response_cache_mb > 4096) return bad("--response-cache-mb must be from 0 to 4096");
    o.service.response_cache_bytes = static_cast<std::size_t>(response_cache_mb) << 20;
    return cl;
}

}  // namespace omnivibe
