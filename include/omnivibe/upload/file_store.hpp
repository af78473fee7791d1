#pragma once
// The uploads folder: content-addressed files and the temporary files uploads
// stream into.
//
// Layout: <root>/<first two hex digits>/<sha256> holds each distinct content
// once; <root>/tmp holds uploads in progress (emptied at start, so a crash
// mid-upload leaves nothing behind). A file is never stored under a name the
// client chose. Temporary files live on the same file system as their final
// place, so moving one there is an atomic rename, done only after its bytes
// were synced: a file that is in place is complete. place() returns only once
// the file's name is durable too: the shard folder holding it is synced after
// the rename, and the first use of a shard in a process syncs the root (which
// holds the shard's name) and the shard (which may hold names an earlier,
// killed process renamed in without syncing). A sync that fails refuses the
// upload. A new uploads folder is synced into its parent when created.
//
// Files are placed *before* the event that refers to them is committed (data
// before metadata). If that write then fails, the placement removes the file
// again — unless it existed before or another upload of the same bytes still
// holds it. The pin counts that decide this are process-wide, kept under one
// mutex; the server is the only writer of the folder. Files whose event was
// committed stay: the resource library keeps every content it ever recorded.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "omnivibe/core/result.hpp"
#include "omnivibe/upload/file_ops.hpp"

namespace omnivibe::upload {

/// A file being written under the temporary folder; removed on destruction
/// unless it was moved into place.
class TempFile {
  public:
    /// Creates an empty file, readable by the owner only, in `dir`.
    static Result<TempFile> create(const std::filesystem::path& dir,
                                   std::shared_ptr<FileOps> ops = posix_file_ops());
    TempFile() = default;
    TempFile(TempFile&& other) noexcept;
    TempFile& operator=(TempFile&& other) noexcept;
    ~TempFile();

    /// Appends the bytes; 503 when the disk refuses them.
    Status write(std::string_view bytes);
    /// Flushes the bytes to disk and closes the file.
    Status sync_and_close();
    const std::filesystem::path& path() const noexcept { return path_; }
    bool valid() const noexcept { return !path_.empty(); }
    /// Forgets the file without removing it (it was renamed away).
    void release() noexcept;

  private:
    void remove() noexcept;
    std::shared_ptr<FileOps> ops_;
    int fd_ = -1;
    std::filesystem::path path_;
};

class FileStore : public std::enable_shared_from_this<FileStore> {
  public:
    /// Uses `root` (created owner-only if missing); empties its tmp folder.
    /// `ops` are the file-system calls it makes (a test may give a model).
    static Result<std::shared_ptr<FileStore>> open(const std::filesystem::path& root,
                                                   std::shared_ptr<FileOps> ops = posix_file_ops());

    const std::filesystem::path& temp_dir() const noexcept { return temp_dir_; }
    const std::shared_ptr<FileOps>& file_ops() const noexcept { return ops_; }
    /// Where the content with this digest lives, or nothing when `sha256` is
    /// not 64 lower-case hex digits (a digest is the only thing that ever
    /// becomes a path here).
    std::optional<std::filesystem::path> path_of(std::string_view sha256) const;

    /// A file put in place for an upload whose event is not yet committed.
    class Placement {
      public:
        ~Placement();
        Placement(const Placement&) = delete;
        Placement& operator=(const Placement&) = delete;
        /// The event referring to the file was committed: it stays.
        void keep() noexcept { kept_ = true; }

      private:
        friend class FileStore;
        Placement(std::shared_ptr<FileStore> store, std::string sha256)
            : store_(std::move(store)), sha256_(std::move(sha256)) {}
        std::shared_ptr<FileStore> store_;
        std::string sha256_;
        bool kept_ = false;
    };

    /// Moves a finished (synced and closed) temporary file to the place of its
    /// digest, or drops it when that content is already stored.
    Result<std::shared_ptr<Placement>> place(TempFile& file, const std::string& sha256);

  private:
    struct Pin {
        int count = 0;
        bool created = false;  ///< the file did not exist before these placements
        bool kept = false;
    };
    FileStore(std::filesystem::path root, std::shared_ptr<FileOps> ops);
    void unpin(const std::string& sha256, bool kept);
    /// Makes a shard folder and the names in it durable, once per process.
    Status make_shard_durable(const std::filesystem::path& shard);

    std::shared_ptr<FileOps> ops_;
    std::filesystem::path root_;
    std::filesystem::path temp_dir_;
    std::mutex mutex_;
    std::map<std::string, Pin, std::less<>> pins_;
    std::set<std::string> durable_shards_;  ///< shard folders synced by this process
};

}  // namespace omnivibe::upload
