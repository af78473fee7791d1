#pragma once
// The file-system calls of the upload store, behind one small interface.
//
// The server uses the POSIX calls (posix_file_ops()). The interface exists so
// that a test can put a model of a disk in their place — one that forgets, at
// a simulated power cut, every byte and every folder entry that was not yet
// synced — and check that an acknowledged upload survives it. Each call has
// the meaning and the return convention of its POSIX namesake (-1 and errno on
// failure), so the store's code reads as the system calls it makes.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

namespace omnivibe::upload {

class FileOps {
  public:
    virtual ~FileOps() = default;
    /// mkostemp(3) with O_CLOEXEC: creates a new file (mode 0600) from
    /// `pattern`, whose last six characters are XXXXXX and get replaced.
    virtual int create_unique(std::string& pattern) = 0;
    virtual ssize_t write(int fd, const void* data, std::size_t size) = 0;
    virtual int fsync(int fd) = 0;
    virtual int close(int fd) = 0;
    virtual int unlink(const std::string& path) = 0;
    virtual int rename(const std::string& from, const std::string& to) = 0;
    virtual int mkdir(const std::string& path, mode_t mode) = 0;
    virtual int stat(const std::string& path, struct stat& st) = 0;
    /// Opens a file or folder read-only, fsyncs and closes it: for a folder,
    /// this makes the names in it durable.
    virtual int sync_path(const std::string& path) = 0;
};

/// The real calls.
std::shared_ptr<FileOps> posix_file_ops();

}  // namespace omnivibe::upload
