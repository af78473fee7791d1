#pragma once
// An incremental parser of a text/event-stream body (the WHATWG rules that
// EventSource follows): lines end with LF, CRLF or CR; "field: value" with
// one optional space after the colon; lines starting with ':' are comments;
// several data lines join with LF; a blank line dispatches the frame. Bytes
// may arrive cut anywhere, even inside a CRLF.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace omnivibe::loadgen {

struct SseFrame {
    std::optional<std::string> id;  ///< the `id:` of this frame, if it had one
    std::string event;              ///< "message" when the frame named none
    std::string data;
    std::optional<long long> retry;
};

class SseParser {
  public:
    using OnFrame = std::function<void(const SseFrame&)>;
    explicit SseParser(OnFrame on_frame) : on_frame_(std::move(on_frame)) {}

    /// Feeds the next bytes of the body; calls on_frame for each complete frame.
    void feed(std::string_view bytes);
    /// Frames dispatched so far.
    std::size_t frames() const { return frames_; }

  private:
    void line(std::string_view text);
    void dispatch();

    OnFrame on_frame_;
    std::string pending_;  ///< an incomplete line carried to the next feed
    bool after_cr_ = false;
    SseFrame frame_;
    bool has_data_ = false;
    bool has_fields_ = false;
    std::size_t frames_ = 0;
};

}  // namespace omnivibe::loadgen
