#pragma once
// An incremental decoder of an HTTP/1.1 chunked body (RFC 9112 section 7.1):
// hex size, optional extensions, CRLF, the data, CRLF; a zero-size chunk and
// optional trailers end it. Bytes may arrive cut anywhere. The feed mode
// reads its streams with it straight from the socket, a whole receive buffer
// per call, where a general HTTP parser returns once per chunk.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace omnivibe::loadgen {

class ChunkedDecoder {
  public:
    using OnData = std::function<void(std::string_view)>;
    explicit ChunkedDecoder(OnData on_data) : on_data_(std::move(on_data)) {}

    /// Decodes the next bytes; false once the body is malformed (see error()).
    /// Bytes after the end of the body are ignored.
    bool feed(std::string_view bytes);
    bool done() const { return state_ == State::done; }
    const std::string& error() const { return error_; }

  private:
    enum class State { size, extension, size_lf, data, data_cr, data_lf, trailer, done, failed };
    bool fail(std::string why);

    OnData on_data_;
    State state_ = State::size;
    std::uint64_t remaining_ = 0;  ///< bytes of the current chunk still to come
    int digits_ = 0;
    std::size_t trailer_line_ = 0;  ///< length of the trailer line being read
    std::string error_;
};

}  // namespace omnivibe::loadgen
