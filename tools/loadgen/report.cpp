#include "report.hpp"

#include <cstdio>
#include <iostream>

#include "omnivibe/json/writer.hpp"

namespace omnivibe::loadgen {

namespace {

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

std::string fixed(double v, int decimals = 2) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string latency_line(const LatencyHistogram& h) {
    if (h.count() == 0) return "no samples";
    return "p50 " + fixed(ms(h.quantile(0.50))) + " ms   p99 " + fixed(ms(h.quantile(0.99))) +
           " ms   max " + fixed(ms(h.max())) + " ms";
}

void write_latency(json::Writer& w, const LatencyHistogram& h) {
    w.begin_object();
    w.key("samples").integer(static_cast<std::int64_t>(h.count()));
    w.key("p50").number(ms(h.quantile(0.50)));
    w.key("p90").number(ms(h.quantile(0.90)));
    w.key("p99").number(ms(h.quantile(0.99)));
    w.key("max").number(ms(h.max()));
    w.end_object();
}

// The fields of one phase, written into the object already open.
void write_phase_fields(json::Writer& w, const LoadResult& r) {
    w.key("seconds").number(r.seconds);
    w.key("requests").integer(static_cast<std::int64_t>(r.requests()));
    w.key("ok").integer(static_cast<std::int64_t>(r.tally.ok));
    w.key("errors").integer(static_cast<std::int64_t>(r.tally.errors()));
    w.key("requests_per_second").number(r.per_second());
    w.key("latency_ms");
    write_latency(w, r.tally.latency);
    w.key("statuses").begin_object();
    for (const auto& [status, n] : r.tally.statuses)
        w.key(std::to_string(status)).integer(static_cast<std::int64_t>(n));
    w.end_object();
    w.key("failures").begin_object();
    for (const auto& [kind, n] : r.tally.failures)
        w.key(kind).integer(static_cast<std::int64_t>(n));
    w.end_object();
}

}  // namespace

void print_text(const RunReport& rep) {
    const Options& o = rep.options;
    std::cout << "omnivibe-loadgen: " << to_string(o.mode) << " against " << o.host << ":" << o.port
              << ", " << o.connections << (o.mode == Mode::feed ? " writer(s)" : " connection(s)")
              << ", " << o.threads << " thread(s)";
    if (o.write_port != 0) std::cout << ", writes to port " << o.write_port;
    if (o.rate > 0) std::cout << ", paced at " << fixed(o.rate, 1) << "/s";
    std::cout << "\n";
    for (const auto& phase : rep.phases) {
        const LoadResult& r = phase.result;
        std::cout << "  " << phase.name << ": " << r.requests() << " requests in "
                  << fixed(r.seconds) << " s = " << fixed(r.per_second(), 1) << "/s, " << r.tally.ok
                  << " ok, " << r.tally.errors() << " failed\n";
        std::cout << "    latency   " << latency_line(r.tally.latency) << "\n";
        std::cout << "    statuses ";
        for (const auto& [status, n] : r.tally.statuses) std::cout << " " << status << " x " << n;
        if (r.tally.statuses.empty()) std::cout << " none";
        std::cout << "\n";
        if (!r.tally.failures.empty()) {
            std::cout << "    failures ";
            for (const auto& [kind, n] : r.tally.failures) std::cout << " " << kind << " x " << n;
            std::cout << "\n";
        }
    }
    for (const auto& [name, value] : rep.facts) std::cout << "  " << name << " = " << value << "\n";
    if (rep.feed) {
        const FeedReport& f = *rep.feed;
        std::cout << "  feed: " << f.subscribers << " subscribers, " << f.connected
                  << " connected, " << f.subscriber_failures << " failed, " << f.resets
                  << " resets, " << f.reconnects << " reconnects\n";
        std::cout << "    events        " << f.events_written << " written, " << f.expected
                  << " deliveries expected, " << f.delivered << " delivered in " << fixed(f.seconds)
                  << " s = " << fixed(f.deliveries_per_second(), 1) << "/s\n";
        std::cout << "    checks        missed " << f.missed << ", duplicated " << f.duplicated
                  << ", out of order " << f.out_of_order << ": " << (f.clean() ? "OK" : "FAILED")
                  << "\n";
        std::cout << "    from commit   " << latency_line(f.from_commit) << "\n";
        std::cout << "    from write    " << latency_line(f.from_write) << "\n";
    }
    if (!rep.fatal.empty()) std::cout << "  error: " << rep.fatal << "\n";
}

void print_json(const RunReport& rep) {
    const Options& o = rep.options;
    json::Writer w;
    w.begin_object();
    w.key("mode").string(to_string(o.mode));
    w.key("host").string(o.host);
    w.key("port").integer(o.port);
    if (o.write_port != 0) w.key("write_port").integer(o.write_port);
    w.key("connections").integer(o.connections);
    w.key("threads").integer(o.threads);
    w.key("rate").number(o.rate);
    if (!rep.phases.empty()) write_phase_fields(w, rep.phases.back().result);
    w.key("phases").begin_array();
    for (const auto& phase : rep.phases) {
        w.begin_object();
        w.key("name").string(phase.name);
        write_phase_fields(w, phase.result);
        w.end_object();
    }
    w.end_array();
    w.key("facts").begin_object();
    for (const auto& [name, value] : rep.facts) w.key(name).integer(value);
    w.end_object();
    if (rep.feed) {
        const FeedReport& f = *rep.feed;
        w.key("feed").begin_object();
        w.key("subscribers").integer(f.subscribers);
        w.key("connected").integer(f.connected);
        w.key("subscriber_failures").integer(static_cast<std::int64_t>(f.subscriber_failures));
        w.key("resets").integer(static_cast<std::int64_t>(f.resets));
        w.key("reconnects").integer(static_cast<std::int64_t>(f.reconnects));
        w.key("events_written").integer(static_cast<std::int64_t>(f.events_written));
        w.key("expected").integer(static_cast<std::int64_t>(f.expected));
        w.key("delivered").integer(static_cast<std::int64_t>(f.delivered));
        w.key("missed").integer(static_cast<std::int64_t>(f.missed));
        w.key("duplicated").integer(static_cast<std::int64_t>(f.duplicated));
        w.key("out_of_order").integer(static_cast<std::int64_t>(f.out_of_order));
        w.key("seconds").number(f.seconds);
        w.key("deliveries_per_second").number(f.deliveries_per_second());
        w.key("latency_from_commit_ms");
        write_latency(w, f.from_commit);
        w.key("latency_from_write_ms");
        write_latency(w, f.from_write);
        w.key("clean").boolean(f.clean());
        w.end_object();
    }
    if (!rep.fatal.empty()) w.key("error").string(rep.fatal);
    w.key("exit_code").integer(rep.exit_code);
    w.end_object();
    std::cout << w.view() << std::endl;
}

}  // namespace omnivibe::loadgen
