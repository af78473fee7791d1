#include "omnivibe/feed/cursor.hpp"

namespace omnivibe::feed {

std::optional<store::EventQuery> Cursor::next_page(const Filter& filter, std::int64_t limit) const {
    if (!catching_up()) return std::nullopt;
    return filter.query(position_, live_from_, limit);
}

void Cursor::read(const std::vector<store::EventRow>& rows, std::int64_t limit) {
    if (!catching_up()) return;
    // A short page is the end of the range: the events the filter skipped up
    // to live_from are passed over with it. A full page ends at its last row.
    position_ = static_cast<std::int64_t>(rows.size()) < limit ? live_from_ : rows.back().seq;
}

bool Cursor::take_live(std::int64_t seq) noexcept {
    if (seq == 0) return true;
    if (seq <= position_) return false;
    position_ = seq;
    return true;
}

}  // namespace omnivibe::feed
