#pragma once
// The upload store's file-system calls through the power-loss model: the same
// SimulatedDisk the SQLite VFS reports to, so one cut takes both the database
// and the uploads folder (see support/powerloss_vfs.hpp for the model).
//
// Every call does the real POSIX call after telling the disk model, except
// fsync, which only tells the model. After the cut every call fails with EIO.
// Thread-safe (the model serialises the calls).

#include <map>
#include <mutex>

#include "omnivibe/upload/file_ops.hpp"
#include "support/powerloss_vfs.hpp"

namespace omnivibe::test {

class PowerLossFiles final : public upload::FileOps {
  public:
    explicit PowerLossFiles(SimulatedDisk& disk) : disk_(disk) {}

    int create_unique(std::string& pattern) override;
    ssize_t write(int fd, const void* data, std::size_t size) override;
    int fsync(int fd) override;
    int close(int fd) override;
    int unlink(const std::string& path) override;
    int rename(const std::string& from, const std::string& to) override;
    int mkdir(const std::string& path, mode_t mode) override;
    int stat(const std::string& path, struct stat& st) override;
    int sync_path(const std::string& path) override;

  private:
    std::string path_of(int fd);
    SimulatedDisk& disk_;
    std::mutex mutex_;
    std::map<int, std::string> paths_;  ///< open descriptors and their files
};

}  // namespace omnivibe::test
