#include "file_range_body.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace omnivibe::http {

namespace {
boost::beast::error_code last_error() { return {errno, boost::system::system_category()}; }
}  // namespace

FileRangeBody::value_type::value_type(value_type&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), offset_(other.offset_), length_(other.length_) {}

FileRangeBody::value_type& FileRangeBody::value_type::operator=(value_type&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        offset_ = other.offset_;
        length_ = other.length_;
    }
    return *this;
}

FileRangeBody::value_type::~value_type() {
    if (fd_ >= 0) ::close(fd_);
}

void FileRangeBody::value_type::open(const std::string& path, std::uint64_t offset,
                                     std::uint64_t length, boost::beast::error_code& ec) {
    ec = {};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ec = last_error();
        return;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < offset + length) {
        ::close(fd);
        ec = boost::system::errc::make_error_code(boost::system::errc::io_error);
        return;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
    offset_ = offset;
    length_ = length;
}

boost::optional<std::pair<FileRangeBody::writer::const_buffers_type, bool>>
FileRangeBody::writer::get(boost::beast::error_code& ec) {
    ec = {};
    if (remain_ == 0) return boost::none;
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, remain_));
    ssize_t n;
    do {
        n = ::pread(fd_, buf_.get(), want, static_cast<off_t>(pos_));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        // The file shrank under us: end the response early rather than send junk.
        ec = n < 0 ? last_error()
                   : boost::system::errc::make_error_code(boost::system::errc::io_error);
        return boost::none;
    }
    pos_ += static_cast<std::uint64_t>(n);
    remain_ -= static_cast<std::uint64_t>(n);
    return {{const_buffers_type(buf_.get(), static_cast<std::size_t>(n)), remain_ > 0}};
}

}  // namespace omnivibe::http
