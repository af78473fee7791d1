#include "options.hpp"

#include <boost/program_options.hpp>
#include <iostream>

namespace omnivibe::loadgen {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "Usage: omnivibe-loadgen --mode MODE [options]\n"
    "\n"
    "Drives an omnivibe-server on this machine and reports requests/s, latency\n"
    "p50/p99/max and errors by status. Modes:\n"
    "  create  POST /api/v1/campaigns (durable writes) for a client it creates first\n"
    "  patch   PATCH /api/v1/campaigns/{id} over the existing id range\n"
    "  get     GET /api/v1/campaigns/{id} over the existing id range\n"
    "  list    GET /api/v1/campaigns?page=P&page_size=20 (P among the first --list-pages)\n"
    "  mixed   GET by id with probability --read-ratio, else PATCH by id\n"
    "  seed    create --clients clients, then --requests campaigns spread over them\n"
    "  feed    --subscribers SSE streams on /api/v1/changes while --connections writers\n"
    "          create campaigns at --rate events/s; checks that every subscriber got\n"
    "          every event exactly once and in order, and reports delivery latency;\n"
    "          with --write-port the writers send to another instance on the same\n"
    "          database while the subscribers listen on --port\n"
    "\n"
    "Runs are bounded: by --requests, or by --duration (10 s when neither is given).\n"
    "Exit status: 0 all requests succeeded (feed: and every check passed), 1 some\n"
    "failed, 2 bad command line, 3 the server is unreachable or lacks the endpoint.\n"
    "\n";

bool parse_mode(const std::string& s, Mode& out) {
    for (Mode m :
         {Mode::create, Mode::patch, Mode::get, Mode::list, Mode::mixed, Mode::seed, Mode::feed})
        if (to_string(m) == s) {
            out = m;
            return true;
        }
    return false;
}

}  // namespace

std::string_view to_string(Mode mode) {
    switch (mode) {
        case Mode::create:
            return "create";
        case Mode::patch:
            return "patch";
        case Mode::get:
            return "get";
        case Mode::list:
            return "list";
        case Mode::mixed:
            return "mixed";
        case Mode::seed:
            return "seed";
        case Mode::feed:
            return "feed";
    }
    return "?";
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::optional<Options> parse_command_line(int argc, char** argv, int& exit_code) {
    Options o;
    std::string mode, id_range;
    unsigned port = o.port;
    unsigned write_port = 0;
    po::options_description desc("Options");
    desc.add_options()("help,h", "show this help and exit")(
        "mode", po::value(&mode), "create, patch, get, list, mixed, seed or feed")(
        "host", po::value(&o.host)->default_value(o.host), "server address (loopback only)")(
        "port", po::value(&port)->default_value(port), "server port (feed: the subscribers')")(
        "write-port", po::value(&write_port),
        "feed: send the writes to this port (another instance on the same database)")(
        "connections,c", po::value(&o.connections)->default_value(o.connections),
        "concurrent keep-alive connections (feed: writers)")("duration,d", po::value(&o.duration_s),
                                                             "seconds to run (at most 600)")(
        "requests,n", po::value(&o.requests),
        "requests to send in total (seed: campaigns to create, default 10000)")(
        "rate", po::value(&o.rate), "requests per second in total (feed: events/s, default 200)")(
        "subscribers", po::value(&o.subscribers)->default_value(o.subscribers),
        "feed: SSE subscribers")("read-ratio",
                                 po::value(&o.read_ratio)->default_value(o.read_ratio),
                                 "mixed: share of reads, 0..1")(
        "clients", po::value(&o.clients)->default_value(o.clients), "seed: clients to create")(
        "list-pages", po::value(&o.list_pages)->default_value(o.list_pages),
        "list: pages to spread reads over")(
        "id-range", po::value(&id_range),
        "patch/get/mixed: campaign ids A-B (default: discovered)")(
        "threads", po::value(&o.threads)->default_value(o.threads), "client threads")(
        "timeout", po::value(&o.timeout_s)->default_value(o.timeout_s), "seconds per request")(
        "drain", po::value(&o.drain_s)->default_value(o.drain_s),
        "feed: seconds to wait for the last deliveries after the writers stop")(
        "token", po::value(&o.token), "bearer token, for a server started with --tokens")(
        "json", po::bool_switch(&o.json), "print one JSON object instead of text");
    po::variables_map vm;
    auto bad = [&](const std::string& msg) -> std::optional<Options> {
        std::cerr << "omnivibe-loadgen: " << msg << "\nTry --help.\n";
        exit_code = 2;
        return std::nullopt;
    };
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return bad(e.what());
    }
    if (vm.count("help")) {
        std::cout << kUsage << desc << "\n";
        exit_code = 0;
        return std::nullopt;
    }
    if (mode.empty()) return bad("--mode is required");
    if (!parse_mode(mode, o.mode)) return bad("unknown --mode " + mode);
    if (!is_loopback(o.host))
        return bad(
            "--host must be a loopback address (127.0.0.1, ::1, localhost): this tool "
            "only loads a server on this machine");
    if (port == 0 || port > 65535) return bad("--port must be 1..65535");
    o.port = static_cast<std::uint16_t>(port);
    if (vm.count("write-port")) {
        if (o.mode != Mode::feed) return bad("--write-port is for --mode feed only");
        if (write_port == 0 || write_port > 65535) return bad("--write-port must be 1..65535");
        o.write_port = static_cast<std::uint16_t>(write_port);
    }
    if (o.connections < 1 || o.connections > 10000) return bad("--connections must be 1..10000");
    if (o.subscribers > 20000) return bad("--subscribers must be at most 20000");
    if (o.threads < 1 || o.threads > 64) return bad("--threads must be 1..64");
    if (vm.count("duration") && (o.duration_s <= 0 || o.duration_s > 600))
        return bad("--duration must be more than 0 and at most 600 seconds");
    if (vm.count("rate") && o.rate < 0) return bad("--rate must not be negative");
    if (o.read_ratio < 0 || o.read_ratio > 1) return bad("--read-ratio must be 0..1");
    if (o.list_pages < 1) return bad("--list-pages must be at least 1");
    if (o.timeout_s <= 0 || o.timeout_s > 600) return bad("--timeout must be 0..600 seconds");
    if (o.drain_s < 0 || o.drain_s > 600) return bad("--drain must be 0..600 seconds");
    if (!id_range.empty()) {
        const auto dash = id_range.find('-');
        try {
            if (dash == std::string::npos) throw std::invalid_argument("no dash");
            const auto a = std::stoll(id_range.substr(0, dash));
            const auto b = std::stoll(id_range.substr(dash + 1));
            if (a < 1 || b < a) throw std::invalid_argument("order");
            o.id_range.emplace(a, b);
        } catch (const std::exception&) {
            return bad("--id-range must be A-B with 1 <= A <= B");
        }
    }
    if (o.mode == Mode::seed) {
        if (!vm.count("requests")) o.requests = 10000;
        if (o.clients < 1) return bad("--clients must be at least 1");
    } else if (o.mode == Mode::feed) {
        if (!vm.count("rate")) o.rate = 200;
        if (o.rate <= 0) return bad("feed mode needs a --rate above 0");
        if (o.requests == 0 && o.duration_s == 0) o.duration_s = 10;
    } else if (o.requests == 0 && o.duration_s == 0) {
        o.duration_s = 10;
    }
    return o;
}

}  // namespace omnivibe::loadgen
