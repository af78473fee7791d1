#include "omnivibe/store/db_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "omnivibe/core/clock.hpp"

namespace omnivibe::store {

namespace {

// What the current holder wrote into the file, trimmed; "" when unreadable.
std::string read_holder(int fd) {
    char buf[512];
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return {};
    std::string s(buf, static_cast<std::size_t>(n));
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

std::string DbLock::lock_path(const std::string& db_path) { return db_path + ".lock"; }

Result<DbLock> DbLock::acquire(const std::string& db_path, std::string_view holder) {
    const std::string path = lock_path(db_path);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error::make(ErrorCode::unavailable,
                           "cannot open the lock file " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        std::string who = read_holder(fd);
        ::close(fd);
        if (err != EWOULDBLOCK)
            return Error::make(ErrorCode::unavailable,
                               "cannot lock " + path + ": " + std::strerror(err));
        return Error::make(ErrorCode::conflict,
                           db_path + " is in use by " + (who.empty() ? "another process" : who) +
                               ", which holds " + path +
                               "; stop it first, or work on a copy of the database");
    }
    // Describe ourselves for whoever is refused next.
    const std::string me = std::string(holder) + " (pid " + std::to_string(::getpid()) +
                           ", since " + format_rfc3339(now_millis()) + ")\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
        // The lock is what matters; a missing description only makes the
        // refusal message vaguer.
    }
    return DbLock(fd);
}

DbLock::DbLock(DbLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DbLock& DbLock::operator=(DbLock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

DbLock::~DbLock() { release(); }

void DbLock::release() noexcept {
    if (fd_ < 0) return;
    // Closing the descriptor drops the flock; the file stays for the next holder.
    ::close(fd_);
    fd_ = -1;
}

}  // namespace omnivibe::store
