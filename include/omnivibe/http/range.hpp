#pragma once
// Range requests (RFC 9110 section 14) for files served back: video players
// ask for pieces ("bytes=0-1023", "bytes=5000-", "bytes=-500"). One range per
// request; a header this service does not understand (another unit, several
// ranges, bad syntax) is ignored and the whole file is sent, as the RFC allows.

#include <cstdint>
#include <string_view>

namespace omnivibe::http {

struct RangeRequest {
    enum class Kind {
        whole,          ///< no usable Range: 200 with every byte
        partial,        ///< 206 with bytes [offset, offset + length)
        unsatisfiable,  ///< 416: the range starts at or after the end
    };
    Kind kind = Kind::whole;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// Interprets a Range header value for a representation of `size` bytes.
RangeRequest parse_range(std::string_view header, std::uint64_t size);

}  // namespace omnivibe::http
