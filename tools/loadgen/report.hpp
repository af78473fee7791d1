#pragma once
// What a run found, printed for people (text) or for scripts (--json).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client.hpp"
#include "options.hpp"

namespace omnivibe::loadgen {

/// Feed mode: what the subscribers received against what the writers were told was committed.
struct FeedReport {
    unsigned subscribers = 0;
    unsigned connected = 0;  ///< subscribers that got their `hello`
    std::uint64_t subscriber_failures = 0;
    std::uint64_t resets = 0;  ///< `event: reset` frames received
    std::uint64_t reconnects = 0;
    std::uint64_t events_written = 0;  ///< acknowledged writes (each one event)
    std::uint64_t expected = 0;        ///< events_written x connected subscribers
    std::uint64_t delivered = 0;       ///< our events received, duplicates included
    std::uint64_t missed = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t out_of_order = 0;
    double seconds = 0;            ///< first write to last delivery
    LatencyHistogram from_write;   ///< send of the write -> arrival at a subscriber
    LatencyHistogram from_commit;  ///< the envelope's `at` -> arrival (ms precision)
    double deliveries_per_second() const {
        return seconds > 0 ? static_cast<double>(delivered) / seconds : 0;
    }
    bool clean() const {
        return subscriber_failures == 0 && missed == 0 && duplicated == 0 && out_of_order == 0 &&
               connected == subscribers;
    }
};

struct Phase {
    std::string name;  ///< "clients", "campaigns", "requests", "writes"
    LoadResult result;
};

struct RunReport {
    Options options;
    std::vector<Phase> phases;  ///< the last one is the run's headline
    std::vector<std::pair<std::string, std::int64_t>> facts;  ///< e.g. first_id, last_id
    std::optional<FeedReport> feed;
    std::string fatal;  ///< why the run could not happen, when it could not
    int exit_code = 0;
};

void print_text(const RunReport& report);
void print_json(const RunReport& report);

}  // namespace omnivibe::loadgen
