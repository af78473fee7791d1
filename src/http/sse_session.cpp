#include "sse_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/write.hpp>

#include "omnivibe/core/log.hpp"
#include "omnivibe/feed/frames.hpp"

namespace omnivibe::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

// Rows per catch-up read: one snapshot and one write each, so a replay of the
// whole log never holds more than this in memory.
constexpr std::int64_t kCatchUpPage = 500;
// How long a session stuck in a write waits, once it must end (overflow or
// shutdown), before it drops the connection without a last word.
constexpr auto kGiveUpAfter = std::chrono::seconds(3);
// The least time between two live writes of one connection. At 1,000
// subscribers and 200 events/s, writing each event as it comes is 200,000
// small writes a second; with this gap it is at most 20,000 carrying about
// ten frames each, for at most 50 ms more latency, and only while events
// come faster than one per gap. (Measured at 1,000 subscribers and 60
// events/s: delivery p99 346 ms with a 20 ms gap, 118 ms with 50 ms, as
// fewer writes leave more of the machine for the frames.)
constexpr auto kLiveWriteGap = std::chrono::milliseconds(50);

bool is_quiet(const beast::error_code& ec) {
    return ec == net::error::operation_aborted || ec == beast::error::timeout ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::eof || ec == net::error::not_connected;
}

}  // namespace

SseSession::SseSession(beast::tcp_stream&& stream, SessionContext& ctx,
                       std::shared_ptr<FeedHandoff> handoff)
    : stream_(std::move(stream)),
      ctx_(ctx),
      handoff_(std::move(handoff)),
      sub_(std::move(handoff_->subscriber)),  // from now on this session unsubscribes
      give_up_(stream_.get_executor()),
      gap_(stream_.get_executor()),
      cursor_(handoff_->start, sub_->live_from()) {
    ctx_.connections.fetch_add(1);
}

SseSession::~SseSession() {
    if (!ended_) handoff_->hub.unsubscribe(*sub_, "connection dropped");
    ctx_.connections.fetch_sub(1);
}

void SseSession::run(std::unique_ptr<Head> head) {
    head_ = std::move(head);
    // Runs on the hub's thread: only posts to this connection's strand.
    sub_->on_ready([weak = weak_from_this(), ex = stream_.get_executor()] {
        net::post(ex, [weak] {
            if (auto self = weak.lock()) self->on_wake();
        });
    });
    // The peer watch never times out; each write sets its own deadline
    // (with a read pending, expires_after applies to the write alone).
    stream_.expires_never();
    watch_peer();
    serializer_.emplace(*head_);
    begin_write(std::chrono::seconds(ctx_.options.idle_timeout_seconds));
    bhttp::async_write_header(
        stream_, *serializer_,
        beast::bind_front_handler(&SseSession::on_head_written, shared_from_this()));
}

// ---- the peer ------------------------------------------------------------------

void SseSession::watch_peer() {
    stream_.async_read_some(
        net::buffer(peer_buffer_),
        beast::bind_front_handler(&SseSession::on_peer_read, shared_from_this()));
}

void SseSession::on_peer_read(beast::error_code ec, std::size_t) {
    if (ended_) return;
    if (ec) return end(is_quiet(ec) ? "the client closed the connection" : ec.message());
    // A client has nothing to say on a feed; whatever it sends is ignored.
    if (!writing_) stream_.expires_never();
    watch_peer();
}

// ---- writes --------------------------------------------------------------------

void SseSession::begin_write(std::chrono::steady_clock::duration deadline) {
    writing_ = true;
    stream_.expires_after(deadline);
}

bool SseSession::write_failed(beast::error_code ec) {
    writing_ = false;
    // The write finished after all: no need to give up on it. The next one,
    // if the session must end, is the last word with its own short deadline.
    giving_up_ = false;
    give_up_.cancel();
    if (!ec) return ended_;
    end(is_quiet(ec) ? "the client went away" : "write failed: " + ec.message());
    return true;
}

void SseSession::on_wake() {
    if (ended_) return;
    if (writing_) {
        // Overflow or shutdown while a write is stuck: give it a little
        // longer, then drop the connection so it frees its memory and the
        // client reconnects.
        if (sub_->state() != feed::Subscriber::State::open && !giving_up_) {
            giving_up_ = true;
            give_up_.expires_after(kGiveUpAfter);
            give_up_.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (ec || self->ended_ || !self->writing_) return;
                self->end(self->sub_->state() == feed::Subscriber::State::overflowed
                              ? "lagging; the client stopped reading"
                              : "shutting down; the client stopped reading");
            });
        }
        return;
    }
    if (in_gap_) {
        // A backlog, an overflow or the close: no reason to wait any longer.
        next_live_write_ = {};
        gap_.cancel();
        return;
    }
    if (live_) go_live();
}

void SseSession::on_head_written(beast::error_code ec, std::size_t) {
    if (write_failed(ec)) return;
    serializer_.reset();
    page_ = feed::hello_frames(cursor_.position(), handoff_->head);
    catch_up();
}

// ---- catch-up from the log -------------------------------------------------------

void SseSession::catch_up() {
    const auto query = cursor_.next_page(sub_->filter(), kCatchUpPage);
    if (query && sub_->state() == feed::Subscriber::State::open) {
        auto rows = handoff_->reads.with_snapshot(
            [&](store::Db& db) { return store::read_events(db, *query); });
        if (!rows) {
            log::warn("feed: catch-up read failed: " + rows.error().detail);
            return send_last_word(feed::reset_frame("unavailable", handoff_->hub.head()),
                                  "the log could not be read");
        }
        for (const auto& row : *rows)
            feed::append_event_frame(page_, row.seq, row.type, feed::envelope_json(row));
        cursor_.read(*rows, kCatchUpPage);
    }
    if (page_.empty()) return go_live();
    begin_write(std::chrono::seconds(ctx_.options.idle_timeout_seconds));
    net::async_write(stream_, bhttp::make_chunk(net::buffer(page_)),
                     beast::bind_front_handler(&SseSession::on_page_written, shared_from_this()));
}

void SseSession::on_page_written(beast::error_code ec, std::size_t) {
    if (write_failed(ec)) return;
    page_.clear();
    catch_up();
}

// ---- live frames from the hub ----------------------------------------------------

void SseSession::go_live() {
    live_ = true;
    if (in_gap_) return;  // the gap's end resumes here
    if (const auto now = std::chrono::steady_clock::now(); now < next_live_write_) {
        // A write just went out: let what arrives meanwhile go in the next,
        // unless a quarter of the lag limit piles up first (on_wake).
        in_gap_ = true;
        sub_->wake_when_unsent(
            std::max<std::size_t>(1, ctx_.options.service.sse_max_lag_bytes / 4));
        gap_.expires_at(next_live_write_);
        gap_.async_wait([self = shared_from_this()](beast::error_code) {
            self->in_gap_ = false;
            if (!self->ended_ && !self->writing_) self->go_live();
        });
        return;
    }
    frames_.clear();
    switch (sub_->take(frames_)) {
        case feed::Subscriber::Take::idle:
            return;  // the next frame wakes us
        case feed::Subscriber::Take::overflowed:
            return send_last_word(feed::reset_frame("lagging", handoff_->hub.head()),
                                  "lagging; reset sent");
        case feed::Subscriber::Take::closed:
            return send_last_word({}, "the server is stopping");
        case feed::Subscriber::Take::frames:
            break;
    }
    buffers_.clear();
    frame_bytes_ = 0;
    for (const auto& f : frames_) {
        frame_bytes_ += f.bytes->size();
        if (!cursor_.take_live(f.seq)) continue;  // already sent by the catch-up: drop
        buffers_.push_back(net::buffer(*f.bytes));
    }
    if (buffers_.empty()) {
        sub_->written(frame_bytes_);
        return go_live();
    }
    begin_write(std::chrono::seconds(ctx_.options.idle_timeout_seconds));
    next_live_write_ = std::chrono::steady_clock::now() + kLiveWriteGap;
    // One write for everything queued: the frames are shared, never copied.
    net::async_write(stream_, bhttp::make_chunk(buffers_),
                     beast::bind_front_handler(&SseSession::on_frames_written, shared_from_this()));
}

void SseSession::on_frames_written(beast::error_code ec, std::size_t) {
    sub_->written(frame_bytes_);
    frames_.clear();
    if (write_failed(ec)) return;
    go_live();
}

// ---- the end ---------------------------------------------------------------------

void SseSession::send_last_word(std::string frame, std::string why) {
    page_ = std::move(frame);
    end_reason_ = std::move(why);
    begin_write(kGiveUpAfter);
    auto done = beast::bind_front_handler(&SseSession::on_last_word_written, shared_from_this());
    if (page_.empty())
        net::async_write(stream_, bhttp::make_chunk_last(), std::move(done));
    else
        net::async_write(
            stream_,
            beast::buffers_cat(bhttp::make_chunk(net::buffer(page_)), bhttp::make_chunk_last()),
            std::move(done));
}

void SseSession::on_last_word_written(beast::error_code ec, std::size_t) {
    if (write_failed(ec)) return;
    end(end_reason_);
}

void SseSession::end(std::string_view why) {
    if (ended_) return;
    ended_ = true;
    give_up_.cancel();
    gap_.cancel();
    handoff_->hub.unsubscribe(*sub_, why);
    // FIN after everything written; the pending peer read ends with the
    // cancel, and the last handler releases the session.
    beast::error_code ignored;
    stream_.socket().shutdown(net::socket_base::shutdown_send, ignored);
    if (writing_)
        stream_.socket().close(ignored);  // a stuck write: drop it
    else
        stream_.socket().cancel(ignored);
}

}  // namespace omnivibe::http
