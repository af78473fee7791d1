#include "support/powerloss_vfs.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace omnivibe::test {

namespace {

std::string folder_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::uint64_t size_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// The model must see the bytes it will need; failing to read them is a broken
// test, not a simulated fault.
std::string read_range(const std::string& path, std::uint64_t offset, std::uint64_t length) {
    std::string out(length, '\0');
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("power-loss model: cannot read " + path);
    std::uint64_t done = 0;
    while (done < length) {
        const ssize_t n =
            ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n <= 0) break;
        done += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    out.resize(done);
    return out;
}

void write_range(int fd, std::string_view bytes, std::uint64_t offset) {
    std::uint64_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                                   static_cast<off_t>(offset + done));
        if (n <= 0) throw std::runtime_error("power-loss model: cannot rewind a file");
        done += static_cast<std::uint64_t>(n);
    }
}

}  // namespace

// ---- SimulatedDisk ---------------------------------------------------------------

SimulatedDisk::SimulatedDisk(std::uint64_t seed, bool tear_last_write)
    : tear_(tear_last_write), random_(seed) {}

void SimulatedDisk::cut_at_sync(std::uint64_t n, bool sync_lands) {
    std::lock_guard lock(mutex_);
    cut_at_sync_ = syncs_ + std::max<std::uint64_t>(n, 1);
    sync_lands_ = sync_lands;
}

void SimulatedDisk::cut_after_ops(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    cut_at_operation_ = operations_ + std::max<std::uint64_t>(n, 1);
}

void SimulatedDisk::cut_now() {
    std::lock_guard lock(mutex_);
    cut_locked();
}

void SimulatedDisk::cut_locked() {
    powered_ = false;
    cut_at_operation_ = cut_at_sync_ = 0;
    cut_cv_.notify_all();
}

bool SimulatedDisk::powered() const {
    std::lock_guard lock(mutex_);
    return powered_;
}

bool SimulatedDisk::check_power() const { return powered(); }

bool SimulatedDisk::wait_for_cut(int seconds) const {
    std::unique_lock lock(mutex_);
    return cut_cv_.wait_for(lock, std::chrono::seconds(seconds), [&] { return !powered_; });
}

std::uint64_t SimulatedDisk::syncs() const {
    std::lock_guard lock(mutex_);
    return syncs_;
}

std::uint64_t SimulatedDisk::operations() const {
    std::lock_guard lock(mutex_);
    return operations_;
}

bool SimulatedDisk::begin_operation(bool is_sync) {
    if (!powered_) return false;
    ++operations_;
    if (cut_at_operation_ != 0 && operations_ >= cut_at_operation_) {
        cut_locked();
        return false;
    }
    if (is_sync) {
        ++syncs_;
        if (cut_at_sync_ != 0 && syncs_ >= cut_at_sync_ && !sync_lands_) {
            cut_locked();
            return false;
        }
    }
    return true;
}

SimulatedDisk::FileState& SimulatedDisk::prepare_change(const std::string& path, std::uint64_t from,
                                                        std::uint64_t to) {
    FileState& f = files_[path];
    if (!f.dirty) {
        f.dirty = true;
        f.synced_size = size_of(path);
        f.original.clear();
        f.last_length = 0;
    }
    // Bytes past the synced size need no copy: the rewind cuts the file there.
    to = std::min(to, f.synced_size);
    for (std::uint64_t s = from / kSectorSize; s * kSectorSize < to; ++s) {
        if (f.original.count(s)) continue;
        const std::uint64_t start = s * kSectorSize;
        f.original[s] = read_range(path, start, std::min(kSectorSize, f.synced_size - start));
    }
    return f;
}

bool SimulatedDisk::write(const std::string& path, std::uint64_t offset, std::uint64_t length,
                          const std::function<int()>& apply, int& result) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(false)) return false;
    if (path.empty()) {
        result = apply();
        return true;
    }
    FileState& f = prepare_change(path, offset, offset + length);
    result = apply();
    if (result == 0) {
        f.last_offset = offset;
        f.last_length = length;
    }
    return true;
}

bool SimulatedDisk::truncate(const std::string& path, std::uint64_t size,
                             const std::function<int()>& apply, int& result) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(false)) return false;
    if (!path.empty()) {
        const std::uint64_t current = size_of(path);
        prepare_change(path, std::min(size, current), current);
    }
    result = apply();
    return true;
}

bool SimulatedDisk::sync_file(const std::string& path, bool folder_too) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(true)) return false;
    if (!path.empty()) {
        files_.erase(path);  // its bytes and size are what the disk holds now
        if (folder_too) unsynced_names_.erase(folder_of(path));
    }
    if (cut_at_sync_ != 0 && syncs_ >= cut_at_sync_) {  // landed, then the power went
        cut_locked();
        return false;
    }
    return true;
}

bool SimulatedDisk::sync_folder(const std::string& path) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(true)) return false;
    unsynced_names_.erase(path);
    if (cut_at_sync_ != 0 && syncs_ >= cut_at_sync_) {
        cut_locked();
        return false;
    }
    return true;
}

bool SimulatedDisk::create(const std::string& path, const std::function<int()>& apply,
                           int& result) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(false)) return false;
    result = apply();
    if (result == 0) created(path);
    return true;
}

bool SimulatedDisk::create_unique(const std::function<int(std::string& path)>& apply, int& result) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(false)) return false;
    std::string path;
    result = apply(path);
    if (result == 0) created(path);
    return true;
}

void SimulatedDisk::created(const std::string& path) {
    unsynced_names_[folder_of(path)].insert(path);
    if (!std::filesystem::is_directory(path)) {
        FileState& f = files_[path];
        f = FileState{};
        f.dirty = true;  // synced size 0: nothing of it is on the disk yet
    }
}

void SimulatedDisk::forget_under(const std::string& path) {
    const std::string prefix = path + "/";
    for (auto it = files_.begin(); it != files_.end();)
        it =
            (it->first == path || it->first.starts_with(prefix)) ? files_.erase(it) : std::next(it);
    for (auto it = unsynced_names_.begin(); it != unsynced_names_.end();)
        it = (it->first == path || it->first.starts_with(prefix)) ? unsynced_names_.erase(it)
                                                                  : std::next(it);
}

bool SimulatedDisk::remove(const std::string& path, const std::function<int()>& apply,
                           int& result) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(false)) return false;
    result = apply();
    if (result == 0) {
        // An unlink is taken as done at once (see the header: not modelled).
        forget_under(path);
        auto it = unsynced_names_.find(folder_of(path));
        if (it != unsynced_names_.end()) it->second.erase(path);
    }
    return true;
}

bool SimulatedDisk::rename(const std::string& from, const std::string& to,
                           const std::function<int()>& apply, int& result) {
    std::lock_guard lock(mutex_);
    if (!begin_operation(false)) return false;
    result = apply();
    if (result == 0) {
        // The file's bytes go with it; its new name waits for a sync of its folder.
        auto state = files_.extract(from);
        files_.erase(to);
        if (!state.empty()) {
            state.key() = to;
            files_.insert(std::move(state));
        }
        auto it = unsynced_names_.find(folder_of(from));
        if (it != unsynced_names_.end()) it->second.erase(from);
        unsynced_names_[folder_of(to)].insert(to);
    }
    return true;
}

void SimulatedDisk::restore(const std::string& path, FileState& f) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return;  // removed since (an unlink is taken as done)
    // What the last write put there, before the undo takes it away.
    std::string torn;
    std::uint64_t torn_at = 0;
    if (tear_ && f.last_length > 0) {
        const std::uint64_t end = f.last_offset + f.last_length;
        torn_at = std::max(f.last_offset, (end - 1) / kSectorSize * kSectorSize);
        torn = read_range(path, torn_at, end - torn_at);
    }
    for (const auto& [sector, bytes] : f.original) write_range(fd, bytes, sector * kSectorSize);
    if (::ftruncate(fd, static_cast<off_t>(f.synced_size)) != 0) {
        ::close(fd);
        throw std::runtime_error("power-loss model: cannot truncate " + path);
    }
    if (!torn.empty()) {
        // A random prefix of the last write reached the disk; the rest of what
        // it wrote holds the old bytes or garbage.
        const std::uint64_t landed =
            std::uniform_int_distribution<std::uint64_t>(0, torn.size())(random_);
        if (random_() % 2) {
            for (std::uint64_t i = landed; i < torn.size(); ++i)
                torn[i] = static_cast<char>(random_() & 0xff);
        } else {
            torn.resize(landed);
        }
        write_range(fd, torn, torn_at);
    }
    ::close(fd);
}

std::uint64_t SimulatedDisk::rewind() {
    std::lock_guard lock(mutex_);
    std::uint64_t changed = 0;
    // Names first: a file whose name was never synced is gone, whatever its bytes.
    auto names = std::move(unsynced_names_);
    unsynced_names_.clear();
    for (const auto& [folder, paths] : names)
        for (const auto& path : paths) {
            std::error_code ec;
            if (std::filesystem::remove_all(path, ec) > 0) ++changed;
            forget_under(path);
        }
    for (auto& [path, state] : files_)
        if (state.dirty) {
            restore(path, state);
            ++changed;
        }
    files_.clear();
    powered_ = true;
    cut_at_operation_ = cut_at_sync_ = 0;
    return changed;
}

// ---- PowerLossVfs ------------------------------------------------------------------

namespace {

SimulatedDisk* g_disk = nullptr;
sqlite3_vfs* g_unix = nullptr;
sqlite3_vfs g_vfs{};

struct PowerLossFile {
    sqlite3_file base;
    sqlite3_file* real;  ///< the unix VFS's file, in the same allocation after this
    std::string* path;   ///< nullptr for SQLite's nameless temporary files
    bool folder_sync;    ///< the unix VFS syncs the folder too at this file's next xSync
};
constexpr int kHeader = (sizeof(PowerLossFile) + 15) / 16 * 16;

PowerLossFile* self(sqlite3_file* f) { return reinterpret_cast<PowerLossFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return self(f)->real; }
std::string path(sqlite3_file* f) { return self(f)->path ? *self(f)->path : std::string(); }

int pl_close(sqlite3_file* f) {
    // Closing a descriptor works without power; it changes nothing on the disk.
    const int rc = real(f)->pMethods ? real(f)->pMethods->xClose(real(f)) : SQLITE_OK;
    delete self(f)->path;
    self(f)->path = nullptr;
    return rc;
}

int pl_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
    if (!g_disk->check_power()) return SQLITE_IOERR_READ;
    return real(f)->pMethods->xRead(real(f), buf, amount, offset);
}

int pl_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
    int rc = SQLITE_OK;
    if (!g_disk->write(
            path(f), static_cast<std::uint64_t>(offset), static_cast<std::uint64_t>(amount),
            [&] { return real(f)->pMethods->xWrite(real(f), buf, amount, offset); }, rc))
        return SQLITE_IOERR_WRITE;
    return rc;
}

int pl_truncate(sqlite3_file* f, sqlite3_int64 size) {
    int rc = SQLITE_OK;
    if (!g_disk->truncate(
            path(f), static_cast<std::uint64_t>(size),
            [&] { return real(f)->pMethods->xTruncate(real(f), size); }, rc))
        return SQLITE_IOERR_TRUNCATE;
    return rc;
}

int pl_sync(sqlite3_file* f, int) {
    // The model decides what is durable; the real fsync is not needed for it.
    if (!g_disk->sync_file(path(f), self(f)->folder_sync)) return SQLITE_IOERR_FSYNC;
    self(f)->folder_sync = false;
    return SQLITE_OK;
}

int pl_file_size(sqlite3_file* f, sqlite3_int64* size) {
    if (!g_disk->check_power()) return SQLITE_IOERR_FSTAT;
    return real(f)->pMethods->xFileSize(real(f), size);
}

// Locks and the shared-memory wal-index live in memory: they pass through.
int pl_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int pl_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int pl_check_reserved(sqlite3_file* f, int* out) {
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int pl_file_control(sqlite3_file* f, int op, void* arg) {
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int pl_sector_size(sqlite3_file*) { return static_cast<int>(SimulatedDisk::kSectorSize); }
int pl_device(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int pl_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int pl_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void pl_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int pl_shm_unmap(sqlite3_file* f, int delete_flag) {
    return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}

// Version 2: no xFetch, so SQLite never reads the database through mmap.
const sqlite3_io_methods kMethods = {2,
                                     pl_close,
                                     pl_read,
                                     pl_write,
                                     pl_truncate,
                                     pl_sync,
                                     pl_file_size,
                                     pl_lock,
                                     pl_unlock,
                                     pl_check_reserved,
                                     pl_file_control,
                                     pl_sector_size,
                                     pl_device,
                                     pl_shm_map,
                                     pl_shm_lock,
                                     pl_shm_barrier,
                                     pl_shm_unmap,
                                     nullptr,
                                     nullptr};

int pl_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    PowerLossFile* p = self(f);
    p->base.pMethods = nullptr;
    p->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kHeader);
    p->path = nullptr;
    p->folder_sync = false;
    if (!g_disk->check_power()) return SQLITE_CANTOPEN;
    auto open_real = [&] { return g_unix->xOpen(g_unix, name, p->real, flags, out_flags); };
    int rc = SQLITE_OK;
    const bool creates = name && (flags & SQLITE_OPEN_CREATE) && ::access(name, F_OK) != 0;
    if (creates) {
        if (!g_disk->create(name, open_real, rc)) return SQLITE_CANTOPEN;
    } else {
        rc = open_real();
    }
    if (rc != SQLITE_OK) return rc;
    p->base.pMethods = &kMethods;
    if (name) p->path = new std::string(name);
    // What the unix VFS does: the first sync of a WAL or journal it was asked
    // to create also syncs the folder (UNIXFILE_DIRSYNC).
    p->folder_sync =
        name && (flags & SQLITE_OPEN_CREATE) &&
        (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL));
    return SQLITE_OK;
}

int pl_delete(sqlite3_vfs*, const char* name, int sync_folder) {
    int rc = SQLITE_OK;
    const std::string path(name);
    if (!g_disk->remove(
            path, [&] { return g_unix->xDelete(g_unix, name, 0); }, rc))
        return SQLITE_IOERR_DELETE;
    if (rc == SQLITE_OK && sync_folder && !g_disk->sync_folder(folder_of(path)))
        return SQLITE_IOERR_DIR_FSYNC;
    return rc;
}

int pl_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return g_unix->xAccess(g_unix, name, flags, out);
}
int pl_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return g_unix->xFullPathname(g_unix, name, n, out);
}
void* pl_dl_open(sqlite3_vfs*, const char* name) { return g_unix->xDlOpen(g_unix, name); }
void pl_dl_error(sqlite3_vfs*, int n, char* out) { g_unix->xDlError(g_unix, n, out); }
void (*pl_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) {
    return g_unix->xDlSym(g_unix, h, sym);
}
void pl_dl_close(sqlite3_vfs*, void* h) { g_unix->xDlClose(g_unix, h); }
int pl_randomness(sqlite3_vfs*, int n, char* out) { return g_unix->xRandomness(g_unix, n, out); }
int pl_sleep(sqlite3_vfs*, int us) { return g_unix->xSleep(g_unix, us); }
int pl_current_time(sqlite3_vfs*, double* out) { return g_unix->xCurrentTime(g_unix, out); }
int pl_last_error(sqlite3_vfs*, int n, char* out) { return g_unix->xGetLastError(g_unix, n, out); }
int pl_current_time64(sqlite3_vfs*, sqlite3_int64* out) {
    return g_unix->xCurrentTimeInt64(g_unix, out);
}

}  // namespace

void PowerLossVfs::install(SimulatedDisk& disk) {
    g_disk = &disk;
    if (!g_unix) {
        g_unix = sqlite3_vfs_find("unix");
        if (!g_unix) throw std::runtime_error("power-loss model: no unix VFS");
        g_vfs.iVersion = 2;
        g_vfs.szOsFile = kHeader + g_unix->szOsFile;
        g_vfs.mxPathname = g_unix->mxPathname;
        g_vfs.zName = "powerloss";
        g_vfs.xOpen = pl_open;
        g_vfs.xDelete = pl_delete;
        g_vfs.xAccess = pl_access;
        g_vfs.xFullPathname = pl_full_pathname;
        g_vfs.xDlOpen = pl_dl_open;
        g_vfs.xDlError = pl_dl_error;
        g_vfs.xDlSym = pl_dl_sym;
        g_vfs.xDlClose = pl_dl_close;
        g_vfs.xRandomness = pl_randomness;
        g_vfs.xSleep = pl_sleep;
        g_vfs.xCurrentTime = pl_current_time;
        g_vfs.xGetLastError = pl_last_error;
        g_vfs.xCurrentTimeInt64 = pl_current_time64;
    }
    sqlite3_vfs_register(&g_vfs, 1);
}

void PowerLossVfs::uninstall() {
    if (!g_unix) return;
    sqlite3_vfs_unregister(&g_vfs);
    sqlite3_vfs_register(g_unix, 1);
}

}  // namespace omnivibe::test
