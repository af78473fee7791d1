#pragma once
// A Server-Sent Events client for tests, over Beast: connects, sends the GET,
// then hands out events one at a time as the server streams them. Every read
// has a deadline, so a test never hangs on a silent server; a deadline that
// passes ends the stream (the test then fails on what it did not receive).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace omnivibe::test {

struct SseEvent {
    std::string event = "message";  ///< the `event:` field
    std::string id;                 ///< the `id:` field, "" when absent
    bool has_id = false;
    std::string data;  ///< the `data:` lines joined with '\n'

    /// The id as a number (the feed's ids are seqs); -1 when absent.
    std::int64_t seq() const;
};

class SseClient {
  public:
    struct Options {
        std::vector<std::pair<std::string, std::string>> headers;
        /// SO_RCVBUF before connecting (0: the system's); small values make
        /// a client that stops reading stall the server quickly.
        int receive_buffer = 0;
        std::chrono::milliseconds timeout{std::chrono::seconds(20)};  ///< connect and head
    };

    SseClient(std::uint16_t port, std::string target, Options options);
    SseClient(std::uint16_t port, std::string target);
    ~SseClient();
    SseClient(SseClient&&) noexcept;
    SseClient& operator=(SseClient&&) noexcept;

    int status() const;
    /// A response header by case-insensitive name, "" when absent.
    std::string header(std::string_view name) const;
    /// The whole body of a response that is not a stream (an error).
    const std::string& body() const;

    /// The next event, or nothing when the stream ended or no event arrived
    /// before `timeout`.
    std::optional<SseEvent> next(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    /// Events (heartbeats included) until one with id `seq` arrived; stops
    /// early when the stream ends or `timeout` passes for one event.
    std::vector<SseEvent> read_through(
        std::int64_t seq, std::chrono::milliseconds timeout = std::chrono::seconds(20));

    /// The `retry:` value the server sent, if any.
    std::optional<int> retry() const;
    /// The last `id:` received, as a browser keeps it for Last-Event-ID.
    const std::string& last_event_id() const;
    bool ended() const;          ///< no more events will come
    bool ended_cleanly() const;  ///< the server finished the chunked body
    bool timed_out() const;      ///< a deadline passed
    void close();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace omnivibe::test
