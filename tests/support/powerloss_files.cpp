#include "support/powerloss_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace omnivibe::test {

namespace {

// The POSIX convention: -1 with errno set.
int failed(int err) {
    errno = err;
    return -1;
}

// Runs a call returning -1/errno inside a model hook, which wants 0 or a code.
int as_code(int rc) { return rc == 0 ? 0 : (errno ? errno : EIO); }

}  // namespace

std::string PowerLossFiles::path_of(int fd) {
    std::lock_guard lock(mutex_);
    auto it = paths_.find(fd);
    return it == paths_.end() ? std::string() : it->second;
}

int PowerLossFiles::create_unique(std::string& pattern) {
    int fd = -1;
    int code = 0;
    auto create = [&](std::string& path) {
        fd = ::mkostemp(pattern.data(), O_CLOEXEC);
        path = pattern;
        return fd < 0 ? errno : 0;
    };
    if (!disk_.create_unique(create, code)) return failed(EIO);
    if (code != 0) return failed(code);
    std::lock_guard lock(mutex_);
    paths_[fd] = pattern;
    return fd;
}

ssize_t PowerLossFiles::write(int fd, const void* data, std::size_t size) {
    const std::string path = path_of(fd);
    const off_t at = ::lseek(fd, 0, SEEK_CUR);
    ssize_t written = -1;
    int code = 0;
    if (!disk_.write(
            path, static_cast<std::uint64_t>(at), size,
            [&] {
                written = ::write(fd, data, size);
                return written < 0 ? errno : 0;
            },
            code))
        return failed(EIO);
    if (code != 0) return failed(code);
    return written;
}

int PowerLossFiles::fsync(int fd) {
    if (!disk_.sync_file(path_of(fd), false)) return failed(EIO);
    return 0;
}

int PowerLossFiles::close(int fd) {
    {
        std::lock_guard lock(mutex_);
        paths_.erase(fd);
    }
    return ::close(fd);  // works without power; changes nothing on the disk
}

int PowerLossFiles::unlink(const std::string& path) {
    int code = 0;
    if (!disk_.remove(
            path, [&] { return as_code(::unlink(path.c_str())); }, code))
        return failed(EIO);
    return code ? failed(code) : 0;
}

int PowerLossFiles::rename(const std::string& from, const std::string& to) {
    int code = 0;
    if (!disk_.rename(
            from, to, [&] { return as_code(::rename(from.c_str(), to.c_str())); }, code))
        return failed(EIO);
    return code ? failed(code) : 0;
}

int PowerLossFiles::mkdir(const std::string& path, mode_t mode) {
    int code = 0;
    if (!disk_.create(
            path, [&] { return as_code(::mkdir(path.c_str(), mode)); }, code))
        return failed(EIO);
    return code ? failed(code) : 0;
}

int PowerLossFiles::stat(const std::string& path, struct stat& st) {
    if (!disk_.check_power()) return failed(EIO);
    return ::stat(path.c_str(), &st);
}

int PowerLossFiles::sync_path(const std::string& path) {
    std::error_code ec;
    const bool folder = std::filesystem::is_directory(path, ec);
    if (!folder && !std::filesystem::exists(path, ec)) return failed(ENOENT);
    const bool done = folder ? disk_.sync_folder(path) : disk_.sync_file(path, false);
    return done ? 0 : failed(EIO);
}

}  // namespace omnivibe::test
