#pragma once
// multipart/form-data (RFC 7578 over RFC 2046), parsed as a stream: bytes go
// in as pieces of any size, parts come out as events, so a file part of any
// size passes through without ever being held in memory.
//
// Strict by design. Every leniency is a place where this parser and a proxy or
// a client library could disagree about what a body means, so only the shape
// browsers and curl send is accepted:
//   - the body starts with the first "--boundary" line (no preamble);
//   - every line ends in CRLF (a bare CR or LF in a header block is refused);
//   - a boundary line is followed by CRLF or, for the last one, "--";
//   - each part has exactly one `Content-Disposition: form-data` header with a
//     non-empty `name` (and, for files, a `filename`), at most one Content-Type,
//     no folded header lines, and headers of at most `max_header_bytes`;
//   - a field name appears once (422), parts are at most `max_parts`;
//   - quoted parameter values follow the HTML form encoding: a '"' inside
//     arrives as %22 and is kept so, a backslash is an ordinary character;
//   - the body ends with "--boundary--"; what follows it (the epilogue) is ignored.
// Syntax errors are 400 (code malformed_json, the service's code for a body it
// cannot read); a repeated field is 422 validation_failed naming the field.
// Pure: no I/O, no Beast, so it can be unit-tested and fuzzed on its own.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/result.hpp"

namespace omnivibe::upload {

/// What the headers of one part say.
struct PartInfo {
    std::string name;                     ///< the form field name
    std::optional<std::string> filename;  ///< as sent, possibly a path: see safe_filename()
    std::string content_type;             ///< "" when the part has none
};

/// Receives the parts of a body in order; an Error stops the parse.
class PartHandler {
  public:
    virtual ~PartHandler() = default;
    virtual Status on_part_begin(const PartInfo& part) = 0;
    /// Zero or more times per part, with consecutive pieces of its content.
    virtual Status on_part_data(std::string_view bytes) = 0;
    virtual Status on_part_end() = 0;
};

struct MultipartLimits {
    std::size_t max_header_bytes = 4096;  ///< the header block of one part
    std::size_t max_parts = 8;
};

class MultipartParser {
  public:
    /// `boundary` as returned by form_data_boundary().
    MultipartParser(std::string boundary, PartHandler& handler, MultipartLimits limits = {});

    /// Feeds the next piece of the body. After an Error every call returns it again.
    Status feed(std::string_view bytes);
    /// The body has ended: an Error unless the closing boundary was seen.
    Status finish();
    /// True once the closing boundary was seen.
    bool done() const noexcept { return state_ == State::epilogue; }

  private:
    enum class State { first_boundary, after_boundary, headers, body, epilogue, failed };

    Status step(bool& progressed);
    Status begin_part(std::string_view header_block);
    Status fail(Error e);

    std::string delimiter_;  ///< CRLF "--" boundary
    PartHandler& handler_;
    MultipartLimits limits_;
    State state_ = State::first_boundary;
    std::string pending_;  ///< bytes received but not yet consumed
    std::vector<std::string> names_;
    std::optional<Error> error_;
};

/// The boundary of a `multipart/form-data; boundary=...` Content-Type:
/// 415 for another media type, 400 when the boundary is missing or not the
/// 1..70 characters RFC 2046 allows.
Result<std::string> form_data_boundary(std::string_view content_type);

/// A client-supplied filename made safe to record (never to use as a path):
/// the last path component only, control characters dropped, invalid UTF-8
/// bytes replaced by '_', "." and ".." emptied, at most 255 bytes. "" when
/// nothing is left.
std::string safe_filename(std::string_view raw);

/// A whole part, for parse_form_data().
struct Part {
    PartInfo info;
    std::string data;
};

/// Parses a complete body held in memory (tests and fuzzing): the same rules
/// as the streaming parser, which it drives.
Result<std::vector<Part>> parse_form_data(std::string_view body, std::string_view boundary,
                                          MultipartLimits limits = {});

}  // namespace omnivibe::upload
