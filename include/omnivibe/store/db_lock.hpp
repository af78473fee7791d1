#pragma once
// "Who owns this database's writes": an exclusive advisory lock (flock) on
// the file "<db>.lock" beside the database.
//
// The server's writer holds it from Writer::start to Writer::stop; the offline
// tools that write (omnivibe-replay, omnivibe-import) take it for their run.
// So a replay cannot empty the read tables under a serving writer, and a
// server cannot start on a database a tool is rewriting. The kernel drops the
// lock when its process dies, so a crash (kill -9) never leaves a stale lock;
// the file itself stays, and only its lock matters. SQLite's own locks do not
// do this job: they last one transaction, not a process's lifetime.

#include <string>
#include <string_view>

#include "omnivibe/core/result.hpp"

namespace omnivibe::store {

class DbLock {
  public:
    /// Takes the lock without waiting. When another process (or another
    /// DbLock in this one) holds it, fails with ErrorCode::conflict and a
    /// message naming the holder as it described itself.
    /// `holder` describes the taker, e.g. "omnivibe-server".
    static Result<DbLock> acquire(const std::string& db_path, std::string_view holder);

    /// "<db>.lock".
    static std::string lock_path(const std::string& db_path);

    DbLock() = default;
    DbLock(DbLock&& other) noexcept;
    DbLock& operator=(DbLock&& other) noexcept;
    DbLock(const DbLock&) = delete;
    DbLock& operator=(const DbLock&) = delete;
    ~DbLock();

    bool held() const noexcept { return fd_ >= 0; }
    /// Drops the lock now (also done by the destructor).
    void release() noexcept;

  private:
    explicit DbLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace omnivibe::store
