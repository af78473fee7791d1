#include "omnivibe/upload/file_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "omnivibe/core/log.hpp"

namespace omnivibe::upload {

namespace fs = std::filesystem;

namespace {

Error io_error(std::string_view what, int err) {
    // Disk full, read-only or missing folder: the client may retry later.
    return Error::make(ErrorCode::unavailable, std::string(what) + ": " + std::strerror(err));
}

Status make_private_dir(FileOps& ops, const fs::path& dir) {
    if (ops.mkdir(dir, 0700) == 0 || errno == EEXIST) return {};
    return io_error("cannot create " + dir.string(), errno);
}

bool is_digest(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace

// ---- TempFile ------------------------------------------------------------------

Result<TempFile> TempFile::create(const fs::path& dir, std::shared_ptr<FileOps> ops) {
    std::string pattern = (dir / "upload-XXXXXX").string();
    const int fd = ops->create_unique(pattern);  // mode 0600
    if (fd < 0) return io_error("cannot create a temporary upload file", errno);
    TempFile f;
    f.ops_ = std::move(ops);
    f.fd_ = fd;
    f.path_ = pattern;
    return f;
}

TempFile::TempFile(TempFile&& other) noexcept
    : ops_(std::move(other.ops_)), fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
    other.path_.clear();
}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
    if (this != &other) {
        remove();
        ops_ = std::move(other.ops_);
        fd_ = other.fd_;
        path_ = std::move(other.path_);
        other.fd_ = -1;
        other.path_.clear();
    }
    return *this;
}

TempFile::~TempFile() { remove(); }

void TempFile::remove() noexcept {
    if (fd_ >= 0) ops_->close(fd_);
    fd_ = -1;
    if (!path_.empty()) ops_->unlink(path_);
    path_.clear();
}

void TempFile::release() noexcept {
    if (fd_ >= 0) ops_->close(fd_);
    fd_ = -1;
    path_.clear();
}

Status TempFile::write(std::string_view bytes) {
    if (fd_ < 0) return Error::make(ErrorCode::internal, "write to a closed temporary file");
    while (!bytes.empty()) {
        const ssize_t n = ops_->write(fd_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("cannot store the upload", errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Status TempFile::sync_and_close() {
    if (fd_ < 0) return Error::make(ErrorCode::internal, "sync of a closed temporary file");
    const int rc = ops_->fsync(fd_);
    const int err = errno;
    ops_->close(fd_);
    fd_ = -1;
    if (rc != 0) return io_error("cannot store the upload", err);
    return {};
}

// ---- FileStore -----------------------------------------------------------------

FileStore::FileStore(fs::path root, std::shared_ptr<FileOps> ops)
    : ops_(std::move(ops)), root_(std::move(root)), temp_dir_(root_ / "tmp") {}

Result<std::shared_ptr<FileStore>> FileStore::open(const fs::path& root,
                                                   std::shared_ptr<FileOps> ops) {
    std::error_code ec;
    const fs::path parent = root.has_parent_path() ? root.parent_path() : fs::path(".");
    fs::create_directories(parent, ec);
    if (ec)
        return Error::make(ErrorCode::unavailable,
                           "cannot create " + parent.string() + ": " + ec.message());
    if (ops->mkdir(root, 0700) == 0) {
        // A new uploads folder: its name must outlive a power cut as well.
        if (ops->sync_path(parent) != 0) return io_error("cannot sync " + parent.string(), errno);
    } else if (errno != EEXIST) {
        return io_error("cannot create " + root.string(), errno);
    }
    std::shared_ptr<FileStore> store(new FileStore(root, std::move(ops)));
    if (auto st = make_private_dir(*store->ops_, store->temp_dir_); !st)
        return std::move(st).error();
    // Uploads that were in progress when the process stopped are abandoned.
    std::size_t removed = 0;
    for (const auto& entry : fs::directory_iterator(store->temp_dir_, ec))
        if (fs::remove(entry.path(), ec)) ++removed;
    if (removed) log::info("removed " + std::to_string(removed) + " abandoned upload(s)");
    return store;
}

std::optional<fs::path> FileStore::path_of(std::string_view sha256) const {
    if (!is_digest(sha256)) return std::nullopt;
    return root_ / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

Status FileStore::make_shard_durable(const fs::path& shard) {
    if (durable_shards_.count(shard.filename().string())) return {};
    // Created if missing, its name synced into the root, and its own names
    // synced too: an earlier process may have renamed a file in and stopped
    // before its sync, and a file found here is about to be acknowledged.
    if (auto made = make_private_dir(*ops_, shard); !made) return made;
    if (ops_->sync_path(root_) != 0) return io_error("cannot sync " + root_.string(), errno);
    if (ops_->sync_path(shard) != 0) return io_error("cannot sync " + shard.string(), errno);
    durable_shards_.insert(shard.filename().string());
    return {};
}

Result<std::shared_ptr<FileStore::Placement>> FileStore::place(TempFile& file,
                                                               const std::string& sha256) {
    const auto target = path_of(sha256);
    if (!target || !file.valid())
        return Error::make(ErrorCode::internal, "cannot place an upload without a digest");
    std::lock_guard lock(mutex_);
    Pin& pin = pins_[sha256];
    auto refuse = [&](Error e) -> Result<std::shared_ptr<Placement>> {
        if (pin.count == 0) pins_.erase(sha256);
        return e;
    };
    if (auto durable = make_shard_durable(target->parent_path()); !durable)
        return refuse(std::move(durable).error());
    struct stat st {};
    if (ops_->stat(*target, st) == 0) {
        // Identical bytes are stored once (and were synced before they got here).
        file = TempFile();
    } else {
        if (ops_->rename(file.path(), *target) != 0)
            return refuse(io_error("cannot store the upload", errno));
        file.release();
        // The new name is durable only once its folder is synced; until then
        // no event may point at it.
        if (ops_->sync_path(target->parent_path()) != 0) {
            const int err = errno;
            ops_->unlink(*target);
            return refuse(io_error("cannot store the upload", err));
        }
        pin.created = true;
    }
    ++pin.count;
    return std::shared_ptr<Placement>(new Placement(shared_from_this(), sha256));
}

FileStore::Placement::~Placement() { store_->unpin(sha256_, kept_); }

void FileStore::unpin(const std::string& sha256, bool kept) {
    std::lock_guard lock(mutex_);
    auto it = pins_.find(sha256);
    if (it == pins_.end()) return;
    Pin& pin = it->second;
    pin.kept = pin.kept || kept;
    if (--pin.count > 0) return;
    if (pin.created && !pin.kept) {
        // No committed event refers to it: the failed upload leaves nothing.
        if (auto target = path_of(sha256)) ops_->unlink(*target);
    }
    pins_.erase(it);
}

}  // namespace omnivibe::upload
