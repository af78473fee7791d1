#include "omnivibe/feed/frames.hpp"

#include "omnivibe/json/encode.hpp"

namespace omnivibe::feed {

void write_envelope(json::Writer& w, const store::EventRow& row) {
    json::write_envelope(
        w, json::EnvelopeView{row.seq, row.stream, row.stream_version, row.type, row.recorded_at,
                              row.actor, row.campaign_id, row.data, row.cause});
}

std::string envelope_json(const store::EventRow& row) {
    json::Writer w;
    write_envelope(w, row);
    return w.take();
}

void append_event_frame(std::string& out, std::int64_t seq, std::string_view type,
                        std::string_view envelope) {
    out += "id: ";
    out += std::to_string(seq);
    out += "\nevent: ";
    out += type;
    out += "\ndata: ";
    out += envelope;
    out += "\n\n";
}

namespace {
std::string head_data(std::int64_t head) { return "{\"head\":" + std::to_string(head) + "}"; }
}  // namespace

std::string hello_frames(std::int64_t start, std::int64_t head) {
    return "retry: " + std::to_string(kRetryMillis) +
           "\n\nevent: hello\nid: " + std::to_string(start) + "\ndata: " + head_data(head) + "\n\n";
}

std::string heartbeat_frame(std::int64_t head) {
    return "event: heartbeat\ndata: " + head_data(head) + "\n\n";
}

std::string reset_frame(std::string_view reason, std::int64_t head) {
    json::Writer w;
    w.begin_object();
    w.key("reason").string(reason);
    w.key("head").integer(head);
    w.key("detail").string(
        "The server ended this stream; reconnect with Last-Event-ID to resume without loss.");
    w.end_object();
    return "event: reset\ndata: " + std::string(w.view()) + "\n\n";
}

}  // namespace omnivibe::feed
