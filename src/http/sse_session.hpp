#pragma once
// One change-feed connection (SPEC section 6), after the HTTP session handed
// it over with the response head: chunked Server-Sent Events until the
// client leaves, lags too far behind, or the server stops.
//
// Phases, all on the connection's strand:
//   1. hello: `retry:` and the priming `event: hello` with the start seq;
//   2. catch-up: events after the start read from the log in pages, up to
//      the subscriber's live_from(), each page written before the next read;
//   3. live: frames the hub queued (since before phase 1), coalesced into
//      one write per turn, one write in flight, frames at or below the
//      cursor dropped. After a write, the next waits until kLiveWriteGap has
//      passed, so a busy feed costs each connection a bounded number of
//      writes per second (many frames each) and a quiet one no delay.
// The hub registered the subscriber before the response was even sent, so
// phase 2 ends exactly where phase 3 begins; feed::Cursor keeps that
// hand-over (docs/ARCHITECTURE.md).
//
// A read stays pending the whole time, only to notice the client leaving.
// Every write has a deadline. On overflow the session sends `event: reset`
// if it can and closes; at shutdown it sends what is queued, then the last
// chunk, then closes.

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "feed_handoff.hpp"
#include "omnivibe/feed/cursor.hpp"
#include "session_context.hpp"

namespace omnivibe::http {

class SseSession : public std::enable_shared_from_this<SseSession> {
  public:
    using Head = boost::beast::http::response<boost::beast::http::empty_body>;

    SseSession(boost::beast::tcp_stream&& stream, SessionContext& ctx,
               std::shared_ptr<FeedHandoff> handoff);
    ~SseSession();

    /// Sends `head` (chunked, no length), then the stream.
    void run(std::unique_ptr<Head> head);

  private:
    void watch_peer();
    void on_peer_read(boost::beast::error_code ec, std::size_t);
    void begin_write(std::chrono::steady_clock::duration deadline);
    /// Completes a write: true when the session must not go on.
    bool write_failed(boost::beast::error_code ec);
    void on_wake();
    void on_head_written(boost::beast::error_code ec, std::size_t);
    void catch_up();
    void on_page_written(boost::beast::error_code ec, std::size_t);
    void go_live();
    void on_frames_written(boost::beast::error_code ec, std::size_t);
    /// Writes `frame` (if any) and the last chunk, then ends.
    void send_last_word(std::string frame, std::string why);
    void on_last_word_written(boost::beast::error_code ec, std::size_t);
    void end(std::string_view why);

    boost::beast::tcp_stream stream_;
    SessionContext& ctx_;
    std::shared_ptr<FeedHandoff> handoff_;
    std::shared_ptr<feed::Subscriber> sub_;
    boost::asio::steady_timer give_up_;
    boost::asio::steady_timer gap_;  ///< holds live writes apart (see phase 3)
    std::chrono::steady_clock::time_point next_live_write_{};
    std::unique_ptr<Head> head_;
    std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
        serializer_;

    feed::Cursor cursor_;              ///< the catch-up, then which live frames to send
    std::string page_;                 ///< catch-up frames (or the last word) being written
    std::vector<feed::Frame> frames_;  ///< live frames being written
    std::vector<boost::asio::const_buffer> buffers_;
    std::size_t frame_bytes_ = 0;  ///< live bytes in flight, reported to the subscriber
    std::string end_reason_;
    bool live_ = false;
    bool writing_ = false;  ///< one write in flight at most
    bool giving_up_ = false;
    bool in_gap_ = false;  ///< gap_ is armed and will resume the live phase
    bool ended_ = false;
    std::array<char, 512> peer_buffer_{};
};

}  // namespace omnivibe::http
