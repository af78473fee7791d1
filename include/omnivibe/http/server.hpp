#pragma once
// The server: owns the writer, the read pool, the router and the network
// threads, and starts and stops them in order. No Beast in this header.
//
// Shutdown order (stop()): stop accepting; answer waiting long polls; let
// in-flight requests finish (up to a grace period); close feeds (each stream
// gets what was published, then its last chunk); stop the writer after it
// drained its queue (its last batch commits); checkpoint the WAL; join the
// threads.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/http/message.hpp"
#include "omnivibe/http/service.hpp"
#include "omnivibe/writer/writer.hpp"

namespace omnivibe::http {

struct ServerOptions {
    ServiceOptions service;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8000;
    unsigned threads = 0;  ///< 0: one per core
    writer::Durability durability = writer::Durability::full;
    int header_timeout_seconds = 30;  ///< to receive a whole request head
    int idle_timeout_seconds = 60;    ///< keep-alive connection with no request
    std::size_t max_connections = 10000;
    std::size_t max_header_bytes = 16 * 1024;  ///< a request's line and headers (431 above)
    std::string tokens_file;                   ///< empty: anonymous, loopback addresses only
    bool allow_anonymous = false;              ///< serve a non-loopback address without tokens
};

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

class Server {
  public:
    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Opens the database (migrations, projections), binds and starts serving.
    Status start();
    /// The bound port (useful with port 0).
    std::uint16_t port() const;
    /// Graceful stop; idempotent.
    void stop();
    /// Blocks until stop() completed.
    void wait();

    Service& service();
    /// Every registered (method, path template), for checks against the API description.
    std::vector<std::pair<Method, std::string>> routes() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace omnivibe::http
