#include "sse_parser.hpp"

#include <charconv>
#include <cstring>

namespace omnivibe::loadgen {

void SseParser::feed(std::string_view bytes) {
    std::size_t i = 0;
    if (after_cr_ && !bytes.empty()) {
        // The LF of a CRLF cut in two: the line was already ended by the CR.
        if (bytes[0] == '\n') i = 1;
        after_cr_ = false;
    }
    // Where the next CR is, searched again only once passed: streams rarely
    // carry CRs, and searching the whole rest for each line would be quadratic.
    const char* cr = nullptr;
    bool cr_known = false;
    while (i < bytes.size()) {
        const char* start = bytes.data() + i;
        const std::size_t left = bytes.size() - i;
        if (!cr_known || (cr && cr < start)) {
            cr = static_cast<const char*>(std::memchr(start, '\r', left));
            cr_known = true;
        }
        const auto* lf = static_cast<const char*>(
            std::memchr(start, '\n', cr ? static_cast<std::size_t>(cr - start) : left));
        const char* end = lf ? lf : cr;
        if (!end) {
            pending_.append(start, left);
            return;
        }
        const std::size_t len = static_cast<std::size_t>(end - start);
        if (pending_.empty()) {
            line(std::string_view(start, len));
        } else {
            pending_.append(start, len);
            line(pending_);
            pending_.clear();
        }
        i += len + 1;
        if (*end == '\r') {
            if (i < bytes.size()) {
                if (bytes[i] == '\n') ++i;
            } else {
                after_cr_ = true;
            }
        }
    }
}

void SseParser::line(std::string_view text) {
    if (text.empty()) return dispatch();
    if (text.front() == ':') return;  // a comment
    const auto colon = text.find(':');
    const std::string_view field = text.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
        value = text.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
        if (has_data_) frame_.data.push_back('\n');
        frame_.data.append(value);
        has_data_ = true;
        has_fields_ = true;
    } else if (field == "event") {
        frame_.event.assign(value);
        has_fields_ = true;
    } else if (field == "id") {
        frame_.id.emplace(value);
        has_fields_ = true;
    } else if (field == "retry") {
        long long ms = 0;
        auto r = std::from_chars(value.data(), value.data() + value.size(), ms);
        if (r.ec == std::errc() && r.ptr == value.data() + value.size()) frame_.retry = ms;
        has_fields_ = true;
    }
    // Unknown fields are ignored, as EventSource does.
}

void SseParser::dispatch() {
    if (has_fields_) {
        if (frame_.event.empty()) frame_.event = "message";
        ++frames_;
        on_frame_(frame_);
    }
    frame_.id.reset();
    frame_.event.clear();
    frame_.data.clear();
    frame_.retry.reset();
    has_data_ = false;
    has_fields_ = false;
}

}  // namespace omnivibe::loadgen
