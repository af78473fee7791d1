#include "chunked.hpp"

#include <algorithm>

namespace omnivibe::loadgen {

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

bool ChunkedDecoder::fail(std::string why) {
    state_ = State::failed;
    error_ = std::move(why);
    return false;
}

bool ChunkedDecoder::feed(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const char c = bytes[i];
        switch (state_) {
            case State::size:
                if (const int v = hex_value(c); v >= 0) {
                    // 15 hex digits are far more than any chunk a test will see.
                    if (++digits_ > 15) return fail("chunk size too long");
                    remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(v);
                } else if (digits_ == 0) {
                    return fail("chunk size expected");
                } else if (c == ';' || c == ' ' || c == '\t') {
                    state_ = State::extension;
                } else if (c == '\r') {
                    state_ = State::size_lf;
                } else {
                    return fail("bad character in a chunk size");
                }
                ++i;
                break;
            case State::extension:  // ignored, up to the CR
                if (c == '\r') state_ = State::size_lf;
                ++i;
                break;
            case State::size_lf:
                if (c != '\n') return fail("CRLF expected after a chunk size");
                ++i;
                digits_ = 0;
                if (remaining_ == 0) {
                    state_ = State::trailer;
                    trailer_line_ = 0;
                } else {
                    state_ = State::data;
                }
                break;
            case State::data: {
                const std::size_t n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size() - i));
                on_data_(bytes.substr(i, n));
                i += n;
                remaining_ -= n;
                if (remaining_ == 0) state_ = State::data_cr;
                break;
            }
            case State::data_cr:
                if (c != '\r') return fail("CRLF expected after chunk data");
                state_ = State::data_lf;
                ++i;
                break;
            case State::data_lf:
                if (c != '\n') return fail("CRLF expected after chunk data");
                state_ = State::size;
                ++i;
                break;
            case State::trailer:  // lines up to an empty one
                if (c == '\n') {
                    if (trailer_line_ == 0) state_ = State::done;
                    trailer_line_ = 0;
                } else if (c != '\r') {
                    ++trailer_line_;
                }
                ++i;
                break;
            case State::done:
                return true;
            case State::failed:
                return false;
        }
    }
    return state_ != State::failed;
}

}  // namespace omnivibe::loadgen
