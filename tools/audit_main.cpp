// omnivibe-audit: reads the events log of a database, never writes it.
// verify (invariants and hash chain, optionally against an anchor), head,
// history of one entity, the log itself, and counts.

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <map>

#include "cli.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/history.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/store/dialect.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/log_audit.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace {

using namespace omnivibe;
namespace po = boost::program_options;

constexpr std::string_view kTool = "omnivibe-audit";

constexpr const char* kUsage =
    "Usage: omnivibe-audit --db PATH COMMAND [ARGS]\n"
    "\n"
    "Commands (the database is opened read-only; a server may keep running):\n"
    "  verify [--expect SEQ:HASH]  check the log: seq 1, 2, 3... without gaps, versions\n"
    "                              1, 2, 3... per stream, the SHA-256 hash chain, decodable\n"
    "                              events, and the append-only / writer-only triggers;\n"
    "                              --expect proves the log up to SEQ is still the one whose\n"
    "                              head was recorded (a rewritten chain cannot pass)\n"
    "  head                        print '<seq> <hash>' of the last event, to keep elsewhere\n"
    "  history ENTITY ID           timeline of one entity (client, campaign, content, block,\n"
    "                              script): time, actor, event, each field old -> new\n"
    "  log [--after N] [--limit M] [--json]\n"
    "                              the events after seq N (default 0), at most M (default\n"
    "                              all); --json prints one event envelope per line\n"
    "  stats                       events per type, per actor, per source and per day\n"
    "\n"
    "Exit codes: 0 ok, 1 verification failed (or no such entity), 2 usage,\n"
    "3 database problem (missing, foreign, unreadable).\n"
    "\n";

std::string show(const std::optional<domain::Value>& v) {
    if (!v) return "(none)";
    json::Writer w;
    json::write_value(w, *v);
    return std::string(w.view());
}

int run_verify(store::Db& db, const std::string& expect) {
    std::optional<store::Anchor> anchor;
    if (!expect.empty()) {
        anchor = store::parse_anchor(expect);
        if (!anchor)
            return cli::fail(kTool, "--expect wants SEQ:HASH, e.g. 1200:<64 hex digits>",
                             cli::kUsage);
    }
    store::Tx snapshot(db, store::Tx::Kind::snapshot);
    const auto guards = store::check_guards(db);
    cli::ProgressBar bar("verifying");
    const auto check =
        store::verify_log(db, anchor, [&](std::int64_t d, std::int64_t t) { bar.update(d, t); });
    bar.finish();
    snapshot.commit();
    bool ok = true;
    if (check.problem) {
        std::cout << "FAILED at seq " << check.problem->seq << ": " << check.problem->what << "\n";
        std::cout << "  (the " << cli::thousands(check.events)
                  << " event(s) before it are intact)\n";
        ok = false;
    } else {
        std::cout << "log: " << cli::thousands(check.events)
                  << " events, seq contiguous, stream versions contiguous, hash chain intact\n";
        if (anchor)
            std::cout << "anchor: seq " << anchor->seq << " has the expected hash; the log up "
                      << "to it is the anchored one\n";
    }
    if (guards.empty()) {
        std::cout << "guards: append-only and writer-only triggers present and unchanged, "
                     "migrations as embedded\n";
    } else {
        for (const auto& g : guards) std::cout << "FAILED: " << g << "\n";
        ok = false;
    }
    std::cout << "head: " << check.head.seq << " " << check.head.hash << "\n";
    std::cout << (ok ? "OK\n" : "VERIFICATION FAILED\n");
    return ok ? cli::kOk : cli::kFailed;
}

int run_head(store::Db& db) {
    store::Stmt& s = db.cached("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
    if (s.step())
        std::cout << s.column_int(0) << " " << s.column_text(1) << "\n";
    else
        std::cout << 0 << " " << store::kGenesisHash << "\n";
    s.reset();
    return cli::kOk;
}

int run_history(store::Db& db, const std::vector<std::string>& args) {
    if (args.size() != 2)
        return cli::fail(kTool, "history wants ENTITY ID, e.g. history campaign 3", cli::kUsage);
    const auto kind = domain::kind_from_name(args[0]);
    const auto id = parse_int64(args[1]);
    if (!kind)
        return cli::fail(
            kTool,
            "unknown entity '" + args[0] + "': one of client, campaign, content, block, script",
            cli::kUsage);
    if (!id || *id < 1) return cli::fail(kTool, "ID must be a positive integer", cli::kUsage);
    const std::string stream = domain::stream_name(*kind, *id);
    std::vector<domain::Event> events;
    std::vector<store::EventRow> rows;
    store::EventQuery q;
    q.stream = stream;
    for (;;) {
        auto page = store::read_events(db, q);
        if (page.empty()) break;
        q.after = page.back().seq;
        for (auto& row : page) {
            auto ev = store::to_domain(row);
            if (!ev)
                return cli::fail(kTool,
                                 "event " + std::to_string(row.seq) + ": " + ev.error().detail,
                                 cli::kDatabase);
            events.push_back(std::move(*ev));
            rows.push_back(std::move(row));
        }
    }
    if (events.empty()) {
        std::cout << "no events for " << stream << ": that " << args[0] << " never existed\n";
        return cli::kFailed;
    }
    const auto steps = domain::history(events);
    using domain::EventType;
    const EventType last = steps.back().event.type;
    const bool removed = last == EventType::client_deleted || last == EventType::campaign_deleted ||
                         last == EventType::content_deleted || last == EventType::block_removed ||
                         last == EventType::script_deleted;
    std::cout << args[0] << " " << *id << " (stream " << stream << "): " << steps.size()
              << " event(s), " << (removed ? "deleted" : "live") << " at version "
              << steps.back().event.stream_version << "\n";
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto& step = steps[i];
        const auto& row = rows[i];
        std::cout << "\n"
                  << step.effective_at << "  " << (row.actor.empty() ? "-" : row.actor) << "  "
                  << row.type << "  (seq " << row.seq << ", v" << row.stream_version;
        if (step.effective_at != row.recorded_at) std::cout << ", recorded " << row.recorded_at;
        if (step.event.meta.source != "api" && !step.event.meta.source.empty())
            std::cout << ", source " << step.event.meta.source;
        if (!row.cause.empty()) std::cout << ", because " << row.cause << " was deleted";
        std::cout << ")\n";
        std::size_t width = 0;
        for (const auto& c : step.changes) width = std::max(width, c.field.size());
        for (const auto& c : step.changes) {
            std::cout << "    " << c.field << std::string(width - c.field.size(), ' ') << "  ";
            if (c.before) std::cout << show(c.before) << " → ";
            std::cout << show(c.after) << "\n";
        }
    }
    return cli::kOk;
}

int run_log(store::Db& db, std::int64_t after, std::int64_t limit, bool as_json) {
    store::EventQuery q;
    q.after = after;
    std::int64_t left = limit > 0 ? limit : INT64_MAX;
    json::Writer w;
    while (left > 0) {
        q.limit = std::min<std::int64_t>(left, 1000);
        auto page = store::read_events(db, q);
        if (page.empty()) break;
        for (const auto& r : page) {
            if (as_json) {
                w.clear();
                json::write_envelope(
                    w, json::EnvelopeView{r.seq, r.stream, r.stream_version, r.type, r.recorded_at,
                                          r.actor, r.campaign_id, r.data, r.cause});
                std::cout << w.view() << "\n";
            } else {
                std::cout << r.seq << "  " << r.recorded_at << "  "
                          << (r.actor.empty() ? "-" : r.actor) << "  " << r.type << "  " << r.stream
                          << " v" << r.stream_version << "  " << r.data << "\n";
            }
        }
        left -= static_cast<std::int64_t>(page.size());
        q.after = page.back().seq;
    }
    return cli::kOk;
}

void print_counts(store::Db& db, std::string_view title, const std::string& sql) {
    std::cout << "\n" << title << ":\n";
    store::Stmt& s = db.cached(sql);
    std::vector<std::pair<std::string, std::int64_t>> rows;
    std::size_t width = 0;
    while (s.step()) {
        rows.emplace_back(s.is_null(0) ? std::string("-") : std::string(s.column_text(0)),
                          s.column_int(1));
        width = std::max(width, rows.back().first.size());
    }
    s.reset();
    for (const auto& [name, n] : rows) {
        const std::string count = cli::thousands(n);
        std::cout << "  " << name << std::string(width - name.size() + 2, ' ')
                  << std::string(count.size() < 12 ? 12 - count.size() : 0, ' ') << count << "\n";
    }
}

int run_stats(store::Db& db) {
    store::Tx snapshot(db, store::Tx::Kind::snapshot);
    store::Stmt& s = db.cached(
        "SELECT count(*), min(recorded_at), max(recorded_at), count(DISTINCT stream) "
        "FROM events");
    s.step();
    std::cout << "events: " << cli::thousands(s.column_int(0)) << " in "
              << cli::thousands(s.column_int(3)) << " streams";
    if (s.column_int(0))
        std::cout << ", recorded " << s.column_text(1) << " .. " << s.column_text(2);
    std::cout << "\n";
    s.reset();
    const auto d = db.dialect();
    print_counts(db, "per type",
                 "SELECT type, count(*) FROM events GROUP BY type ORDER BY count(*) DESC, type");
    print_counts(db, "per actor",
                 "SELECT " + store::sql::json_field(d, "meta", "actor") +
                     " a, count(*) FROM events GROUP BY a ORDER BY count(*) DESC, a");
    print_counts(db, "per source",
                 "SELECT " + store::sql::json_field(d, "meta", "source") +
                     " s, count(*) FROM events GROUP BY s ORDER BY count(*) DESC, s");
    print_counts(db, "per day (UTC, recorded)",
                 "SELECT substr(recorded_at, 1, 10) d, count(*) FROM events GROUP BY d ORDER BY d");
    print_counts(db, "streams per kind",
                 "SELECT " + store::sql::before_first(d, "stream", '-') +
                     " k, count(DISTINCT stream) FROM events GROUP BY k ORDER BY k");
    snapshot.commit();
    return cli::kOk;
}

}  // namespace

int main(int argc, char** argv) {
    std::string db, expect, command;
    std::vector<std::string> args;
    std::int64_t after = 0, limit = 0;
    bool as_json = false;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help and exit")
        ("db", po::value(&db), "the omnivibe database: a SQLite file (opened read-only) or a postgresql:// URI")
        ("expect", po::value(&expect), "verify: SEQ:HASH recorded earlier by 'head'")
        ("after", po::value(&after), "log: start after this seq")
        ("limit", po::value(&limit), "log: at most this many events")
        ("json", po::bool_switch(&as_json), "log: one JSON envelope per line");
    // clang-format on
    po::options_description hidden;
    hidden.add_options()("command", po::value(&command))("args", po::value(&args));
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);
    po::variables_map vm;
    if (auto done =
            cli::parse_command_line(argc, argv, kTool, kUsage, desc, vm, &hidden, &positional))
        return *done;
    auto usage = [](const std::string& message) { return cli::usage_error(kTool, message); };
    if (db.empty()) return usage("--db PATH is required");
    if (command.empty()) return usage("a command is required: verify, head, history, log or stats");
    static const std::map<std::string, std::vector<std::string>> kAllowed = {
        {"verify", {"expect"}},
        {"head", {}},
        {"history", {}},
        {"log", {"after", "limit", "json"}},
        {"stats", {}}};
    auto it = kAllowed.find(command);
    if (it == kAllowed.end()) return usage("unknown command '" + command + "'");
    for (const char* option : {"expect", "after", "limit"})
        if (vm.count(option) &&
            std::find(it->second.begin(), it->second.end(), option) == it->second.end())
            return usage("--" + std::string(option) + " does not apply to " + command);
    if (as_json && command != "log") return usage("--json does not apply to " + command);
    if (command != "history" && !args.empty())
        return usage(command + " takes no argument '" + args.front() + "'");
    if (after < 0 || limit < 0) return usage("--after and --limit must not be negative");

    auto opened = cli::open_store(db, store::OpenMode::read_only, kTool);
    if (!opened) return cli::fail(kTool, opened.error());
    store::Db& d = **opened;
    try {
        if (command == "verify") return run_verify(d, expect);
        if (command == "head") return run_head(d);
        if (command == "history") return run_history(d, args);
        if (command == "log") return run_log(d, after, limit, as_json);
        return run_stats(d);
    } catch (const store::StoreError& e) {
        return cli::fail(kTool, e.error());
    }
}
