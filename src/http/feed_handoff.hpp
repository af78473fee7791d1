#pragma once
// What the /changes handler hands to the connection once the response head is
// out: the hub subscription (registered before the handler answered, so the
// hand-over from catch-up to live frames holds by construction), where the
// stream starts, and what the catch-up reads with. Private to src/http; no
// Beast here, the SSE session (sse_session.hpp) consumes it.

#include <cstdint>
#include <memory>

#include "omnivibe/feed/hub.hpp"
#include "omnivibe/http/message.hpp"
#include "omnivibe/store/read_pool.hpp"

namespace omnivibe::http {

struct FeedHandoff final : StreamHandoff {
    FeedHandoff(feed::Hub& h, store::ReadPool& r, std::shared_ptr<feed::Subscriber> s,
                std::int64_t start_seq, std::int64_t head_seq)
        : hub(h), reads(r), subscriber(std::move(s)), start(start_seq), head(head_seq) {}
    ~FeedHandoff() override {
        // Never handed to a session (the client left before the head was sent).
        if (subscriber) hub.unsubscribe(*subscriber, "the response was never sent");
    }

    feed::Hub& hub;
    store::ReadPool& reads;
    std::shared_ptr<feed::Subscriber> subscriber;
    std::int64_t start = 0;  ///< the stream carries events with a higher seq
    std::int64_t head = 0;   ///< the log head the handler saw, for the hello frame
};

}  // namespace omnivibe::http
