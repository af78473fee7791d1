#pragma once
// State shared by the listener and every connection: the dispatcher, limits,
// and the counters graceful shutdown waits on. Private to src/http.

#include <atomic>
#include <cstddef>
#include <utility>

#include "omnivibe/http/dispatcher.hpp"
#include "omnivibe/http/server.hpp"

namespace omnivibe::http {

/// One request counted in SessionContext::in_flight for as long as the token
/// lives: taken when a connection takes a request on, dropped when its answer
/// is written or the connection ends, whichever path that takes.
class InFlight {
  public:
    explicit InFlight(std::atomic<std::size_t>& counter) : counter_(&counter) {
        counter_->fetch_add(1);
    }
    InFlight(InFlight&& other) noexcept : counter_(std::exchange(other.counter_, nullptr)) {}
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    InFlight& operator=(InFlight&&) = delete;
    ~InFlight() {
        if (counter_) counter_->fetch_sub(1);
    }

  private:
    std::atomic<std::size_t>* counter_;
};

struct SessionContext {
    Dispatcher& dispatcher;
    const ServerOptions& options;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> in_flight{0};  ///< requests read but not yet answered
    std::atomic<bool> stopping{false};
};

}  // namespace omnivibe::http
