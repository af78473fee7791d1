#pragma once
// The request engine: N keep-alive connections on one io_context, each a
// coroutine on its own strand that takes a ticket from the shared Budget,
// sends the request a mode makes for it, reads the answer and counts it. A
// run ends when the budget (a request count, a duration, or both) is spent.
//
// With --rate, ticket i is due at start + i/rate and its latency is measured
// from that due time, not from when a free connection got round to sending
// it, so a stalled server shows up in the figures instead of hiding in them.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "stats.hpp"

namespace omnivibe::loadgen {

using Clock = std::chrono::steady_clock;

/// Where requests go and how they are sent.
struct Target {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    std::string token;
    double timeout_s = 30;
};

struct RequestSpec {
    std::string_view method = "GET";
    std::string target;
    std::string body;  ///< sent as application/json when not empty
};

struct Answer {
    int status = 0;
    std::string body;
    std::string event_seq;  ///< the X-Event-Seq header, "" when absent
    bool keep_alive = true;
};

/// Hands out request tickets until a count, a duration or both are spent.
class Budget {
  public:
    Budget(std::uint64_t requests, double duration_s, double rate)
        : requests_(requests), duration_s_(duration_s), rate_(rate) {}
    void start() { start_ = Clock::now(); }
    Clock::time_point started() const { return start_; }
    bool paced() const { return rate_ > 0; }

    struct Ticket {
        std::uint64_t index;
        Clock::time_point due;  ///< when a paced request should leave
    };
    std::optional<Ticket> take();

  private:
    std::uint64_t requests_;
    double duration_s_;
    double rate_;
    Clock::time_point start_;
    std::atomic<std::uint64_t> next_{0};
};

/// What a connection's coroutine owns; a mode's hooks may keep their own
/// per-connection state indexed by `index`.
struct Connection {
    unsigned index = 0;
    std::mt19937_64 rng;
    Tally tally;
    Clock::time_point finished;
};

struct LoadHooks {
    /// Makes the request for a ticket (runs on the connection's strand).
    std::function<RequestSpec(Connection&, std::uint64_t ticket)> make;
    /// Sees every answer (optional; runs on the connection's strand).
    std::function<void(Connection&, const Answer&)> on_answer;
};

struct LoadResult {
    Tally tally;
    double seconds = 0;  ///< from the start to the last answer
    std::uint64_t requests() const { return tally.ok + tally.errors(); }
    double per_second() const {
        return seconds > 0 ? static_cast<double>(requests()) / seconds : 0;
    }
};

/// Runs `connections` connections until the budget is spent, on `threads` threads.
LoadResult run_load(const Target& target, unsigned connections, unsigned threads, Budget& budget,
                    const LoadHooks& hooks);

/// One request on a fresh connection, for setup steps (discovery, probes).
Result<Answer> fetch(const Target& target, const RequestSpec& spec);

/// The request as bytes on the wire.
std::string serialize(const Target& target, const RequestSpec& spec,
                      std::string_view extra_headers = {});

/// Microseconds on the steady clock (comparable within one process).
inline std::uint64_t steady_micros(Clock::time_point t = Clock::now()) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

}  // namespace omnivibe::loadgen
