#include "omnivibe/upload/file_ops.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace omnivibe::upload {

namespace {

class PosixFileOps final : public FileOps {
  public:
    int create_unique(std::string& pattern) override {
        return ::mkostemp(pattern.data(), O_CLOEXEC);
    }
    ssize_t write(int fd, const void* data, std::size_t size) override {
        return ::write(fd, data, size);
    }
    int fsync(int fd) override { return ::fsync(fd); }
    int close(int fd) override { return ::close(fd); }
    int unlink(const std::string& path) override { return ::unlink(path.c_str()); }
    int rename(const std::string& from, const std::string& to) override {
        return ::rename(from.c_str(), to.c_str());
    }
    int mkdir(const std::string& path, mode_t mode) override { return ::mkdir(path.c_str(), mode); }
    int stat(const std::string& path, struct stat& st) override {
        return ::stat(path.c_str(), &st);
    }
    int sync_path(const std::string& path) override {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return -1;
        const int rc = ::fsync(fd);
        const int err = errno;
        ::close(fd);
        errno = err;
        return rc;
    }
};

}  // namespace

std::shared_ptr<FileOps> posix_file_ops() {
    static const auto ops = std::make_shared<PosixFileOps>();
    return ops;
}

}  // namespace omnivibe::upload
