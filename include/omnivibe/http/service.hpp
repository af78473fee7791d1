#pragma once
// What the HTTP handlers work with: the writer (to change things), the read
// pool (to look), the feed hub, and the options that shape answers. Built and
// owned by the Server; handlers hold a reference.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "omnivibe/store/read_pool.hpp"
#include "omnivibe/writer/writer.hpp"

namespace omnivibe::feed {
class Hub;
}

namespace omnivibe::http {

class ResponseCache;

struct ServiceOptions {
    std::string db_path = "data/omnivibe.db";
    std::string uploads_dir = "data/uploads";
    std::size_t max_body_bytes = 1 << 20;
    std::uint64_t max_upload_bytes = 200ULL << 20;
    std::vector<std::string> cors_origins{"http://localhost:3000"};
    int sse_heartbeat_seconds = 15;
    std::size_t sse_max_lag_bytes = 4096ULL << 10;
    /// Rendered GET answers kept for the current log head (0: none).
    std::size_t response_cache_bytes = 16ULL << 20;
    /// How long a GET with X-Min-Event-Seq waits for the log to reach that
    /// seq before it is answered 503 with Retry-After.
    std::chrono::milliseconds min_seq_wait{5000};
};

struct Service {
    ServiceOptions options;
    writer::Writer& writer;
    store::ReadPool& reads;
    feed::Hub* hub = nullptr;
    ResponseCache* answers = nullptr;
    /// Runs a task on a network thread (a read resumed by the hub, whose own
    /// thread must never read the database). Unset: the task runs inline.
    std::function<void(std::function<void()>)> post;
    /// The instance's view of the log head (feed::CommitSource::head());
    /// unset: the writer's head.
    std::function<std::int64_t()> head;
};

/// The head caches and X-Min-Event-Seq go by: every seq up to it is
/// committed and seen by any read snapshot taken from now on.
inline std::int64_t view_head(const Service& svc) {
    return svc.head ? svc.head() : svc.writer.head();
}

}  // namespace omnivibe::http
