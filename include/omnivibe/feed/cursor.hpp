#pragma once
// The catch-up cursor of one change-feed subscriber: where the hand-over from
// reading the log to taking the hub's live frames happens, with no gap and no
// duplicate (docs/ARCHITECTURE.md, "Catch-up, then live").
//
// The subscriber is registered first, so every event with seq > live_from
// reaches it live and every event with seq <= live_from is committed and
// readable. The cursor reads the log over (start, live_from] in pages — a
// bounded range, never "up to whatever the head is now" — and then lets live
// frames through only above itself: a frame at or below the cursor was sent
// by the catch-up (or lies below a start the client chose above live_from).
// No I/O here: the caller reads the pages and writes the frames, so the
// guarantee is tested without sockets.

#include <cstdint>
#include <optional>
#include <vector>

#include "omnivibe/feed/filter.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::feed {

class Cursor {
  public:
    /// For a subscriber that asked for the events after `start` and receives
    /// live every event after `live_from` (Subscriber::live_from()).
    Cursor(std::int64_t start, std::int64_t live_from) noexcept
        : position_(start), live_from_(live_from) {}

    /// The next page of the catch-up, at most `limit` rows; nullopt once the
    /// catch-up has reached live_from.
    std::optional<store::EventQuery> next_page(const Filter& filter, std::int64_t limit) const;

    /// Takes the rows the query from next_page() returned, oldest first.
    void read(const std::vector<store::EventRow>& rows, std::int64_t limit);

    /// For a live frame: true when it is to be sent (the cursor moves to it),
    /// false when it is at or below the cursor. Frames without a seq
    /// (heartbeats, seq 0) always pass and leave the cursor where it is.
    bool take_live(std::int64_t seq) noexcept;

    /// Every matching event up to this seq has been handed out or skipped.
    std::int64_t position() const noexcept { return position_; }
    /// True while pages of the log remain to be read.
    bool catching_up() const noexcept { return position_ < live_from_; }

  private:
    std::int64_t position_;
    const std::int64_t live_from_;
};

}  // namespace omnivibe::feed
