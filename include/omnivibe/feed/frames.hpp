#pragma once
// The wire forms of the change feed: event envelopes (shared with /events and
// history) and Server-Sent Events frames. One function per frame kind, so the
// feed's byte format is written in exactly one place.
//
// Every frame ends with a blank line; a JSON envelope never contains a raw
// newline (the JSON writer escapes them), so `data:` is always one line.

#include <cstdint>
#include <string>
#include <string_view>

#include "omnivibe/json/writer.hpp"
#include "omnivibe/store/event_store.hpp"

namespace omnivibe::feed {

/// The spec's event envelope of a stored row.
void write_envelope(json::Writer& w, const store::EventRow& row);
std::string envelope_json(const store::EventRow& row);

/// "id: <seq>\nevent: <type>\ndata: <envelope>\n\n"; appended to `out`.
void append_event_frame(std::string& out, std::int64_t seq, std::string_view type,
                        std::string_view envelope);

/// "retry: 3000\n\n" then "event: hello\nid: <start>\ndata: {"head":H}\n\n".
std::string hello_frames(std::int64_t start, std::int64_t head);

/// "event: heartbeat\ndata: {"head":H}\n\n" (no id: it must not move the cursor).
std::string heartbeat_frame(std::int64_t head);

/// Why a stream ends early and what the client should do.
std::string reset_frame(std::string_view reason, std::int64_t head);

/// Milliseconds a client waits before reconnecting (the `retry:` field).
inline constexpr int kRetryMillis = 3000;

}  // namespace omnivibe::feed
