#pragma once
// State shared by the listener and every connection: the dispatcher, limits,
// and the counters graceful shutdown waits on. Private to src/http.

#include <atomic>
#include <cstddef>

#include "omnivibe/http/dispatcher.hpp"
#include "omnivibe/http/server.hpp"

namespace omnivibe::http {

struct SessionContext {
    Dispatcher& dispatcher;
    const ServerOptions& options;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> in_flight{0};  ///< requests read but not yet answered
    std::atomic<bool> stopping{false};
};

}  // namespace omnivibe::http
