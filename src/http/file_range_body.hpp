#pragma once
// A Beast body that sends a byte range of a file from disk, in 64 KiB reads,
// so serving a large upload back (or a piece of it, for Range requests) never
// holds it in memory. Beast's own file_body always starts at offset 0.
// Private to src/http.

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace omnivibe::http {

struct FileRangeBody {
    class value_type {
      public:
        value_type() = default;
        value_type(value_type&& other) noexcept;
        value_type& operator=(value_type&& other) noexcept;
        value_type(const value_type&) = delete;
        value_type& operator=(const value_type&) = delete;
        ~value_type();

        /// Opens `path` for bytes [offset, offset + length); an error when the
        /// file cannot be opened or is shorter than that.
        void open(const std::string& path, std::uint64_t offset, std::uint64_t length,
                  boost::beast::error_code& ec);
        std::uint64_t size() const noexcept { return length_; }

      private:
        friend struct FileRangeBody;
        int fd_ = -1;
        std::uint64_t offset_ = 0;
        std::uint64_t length_ = 0;
    };

    static std::uint64_t size(const value_type& body) { return body.size(); }

    class writer {
      public:
        using const_buffers_type = boost::asio::const_buffer;

        template <bool isRequest, class Fields>
        writer(boost::beast::http::header<isRequest, Fields>&, value_type& body)
            : fd_(body.fd_), pos_(body.offset_), remain_(body.length_) {}

        void init(boost::beast::error_code& ec) { ec = {}; }
        boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec);

      private:
        static constexpr std::size_t kChunk = 64 * 1024;
        int fd_;
        std::uint64_t pos_;
        std::uint64_t remain_;
        std::unique_ptr<char[]> buf_{new char[kChunk]};
    };
};

}  // namespace omnivibe::http
