#pragma once
// A power-loss simulator for the tests (never linked into a server or a tool).
//
// SimulatedDisk is a model of what a disk holds after the power goes. Every
// change to a file it watches passes through it first: it keeps, per file, an
// undo log of the bytes each 4096-byte sector held at the file's last sync
// (and the file's size then), and per folder the names created in it since the
// folder was last synced. At a simulated power cut — at the n-th sync from
// now, after n more operations, or whenever the test says — every later
// operation fails as on a machine without power. rewind() then puts the real
// files back to what the disk would hold, so the test reopens them through the
// ordinary unix VFS and checks them.
//
// The model of a disk:
//  - A sector is 4096 bytes (SQLite's unix VFS reports that sector size).
//  - "Synced" means: an fsync of a file makes its bytes and its size durable;
//    an fsync of a folder makes the names in it durable. A file's name is a
//    folder entry: a file whose folder was not synced after it was created or
//    renamed there is gone after the cut, whatever its own syncs did, and so
//    is everything under a folder whose own name was not synced.
//  - At a cut every write and truncate since the file's last sync is undone:
//    the file gets back its size and the bytes of every sector written since.
//    With `tear_last_write`, the last write of each such file is torn instead
//    of undone: a random prefix of it landed, the rest of the bytes it wrote
//    hold the old bytes or garbage. Bytes outside what was written are never
//    damaged (the "powersafe overwrite" that SQLite's unix VFS assumes).
//  - The real fsync is not called: the model, not the test machine's disk,
//    decides what survives, and the tests stay fast.
//
// Not modelled: a write that lands partly out of order with respect to other
// unsynced writes of the same file (beyond the torn last one), removals and
// renames away from a name coming back (an unsynced unlink is taken as done),
// file modes and times, disks that lie about fsync, and SQLite's -shm file,
// which is shared memory SQLite rebuilds after a crash (it is passed through).
//
// PowerLossVfs is the SQLite side: a VFS named "powerloss" over the default
// unix VFS that reports every file change of SQLite to a SimulatedDisk.
// install() makes it SQLite's default VFS for the whole process, so the real
// writer (store::SqliteDb::open) uses it unchanged; uninstall() brings back the
// unix VFS. It honours the unix VFS's own folder syncs: the first xSync of a
// WAL or journal opened with SQLITE_OPEN_CREATE, and xDelete with syncDir.
//
// Thread-safety: SimulatedDisk takes one mutex around each operation,
// including the real I/O, so a cut from another thread falls between two
// operations, never inside one.

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::test {

class SimulatedDisk {
  public:
    static constexpr std::uint64_t kSectorSize = 4096;

    explicit SimulatedDisk(std::uint64_t seed, bool tear_last_write = false);
    SimulatedDisk(const SimulatedDisk&) = delete;
    SimulatedDisk& operator=(const SimulatedDisk&) = delete;

    // --- when the power goes ---------------------------------------------------
    /// The power goes at the n-th sync from now (1: the next one). When
    /// `sync_lands`, that sync is done first and only its caller hears of a
    /// failure; otherwise it never happens.
    void cut_at_sync(std::uint64_t n, bool sync_lands);
    /// The power goes instead of the n-th operation from now (1: the next).
    void cut_after_ops(std::uint64_t n);
    /// The power goes now.
    void cut_now();
    bool powered() const;
    /// Waits until the power went, at most `seconds`; false on time-out.
    bool wait_for_cut(int seconds) const;

    /// Puts every watched file back to what the disk holds after the cut, then
    /// forgets all it watched and turns the power on again. Returns how many
    /// files and folder entries it changed.
    std::uint64_t rewind();

    // --- counters --------------------------------------------------------------
    std::uint64_t syncs() const;
    std::uint64_t operations() const;

    // --- hooks: each runs `apply` (the real call, returning 0 or a failure) as
    // --- one operation, unless the power is out; false when it did not run.
    // Hooks for paths outside the model (empty path) only check the power.
    bool write(const std::string& path, std::uint64_t offset, std::uint64_t length,
               const std::function<int()>& apply, int& result);
    bool truncate(const std::string& path, std::uint64_t size, const std::function<int()>& apply,
                  int& result);
    /// Syncs a file's bytes; with `folder_too` also its folder's names (what
    /// SQLite's unix VFS does at the first sync of a new WAL or journal).
    /// False when the power went before or right after it.
    bool sync_file(const std::string& path, bool folder_too);
    /// Syncs a folder's names.
    bool sync_folder(const std::string& path);
    /// A new name in its folder (a file or a folder), not durable until the folder is synced.
    bool create(const std::string& path, const std::function<int()>& apply, int& result);
    /// The same for a call that chooses the name itself (mkstemp): `apply` sets it.
    bool create_unique(const std::function<int(std::string& path)>& apply, int& result);
    bool remove(const std::string& path, const std::function<int()>& apply, int& result);
    bool rename(const std::string& from, const std::string& to, const std::function<int()>& apply,
                int& result);
    /// Any other call that needs power (a read, a size): counts as no operation.
    bool check_power() const;

  private:
    struct FileState {
        bool dirty = false;  ///< changed since its last sync
        std::uint64_t synced_size = 0;
        std::map<std::uint64_t, std::string> original;   ///< sector -> bytes at the last sync
        std::uint64_t last_offset = 0, last_length = 0;  ///< the last write, for tearing
    };

    /// Counts one operation; false when the power is (now) out.
    bool begin_operation(bool is_sync);
    void cut_locked();
    FileState& prepare_change(const std::string& path, std::uint64_t from, std::uint64_t to);
    void forget_under(const std::string& path);
    void created(const std::string& path);
    void restore(const std::string& path, FileState& state);

    mutable std::mutex mutex_;
    mutable std::condition_variable cut_cv_;
    bool powered_ = true;
    std::uint64_t operations_ = 0, syncs_ = 0;
    std::uint64_t cut_at_operation_ = 0, cut_at_sync_ = 0;  ///< 0: none armed
    bool sync_lands_ = false;
    bool tear_;
    std::mt19937_64 random_;
    std::map<std::string, FileState> files_;
    std::map<std::string, std::set<std::string>> unsynced_names_;  ///< folder -> paths
};

/// The SQLite VFS over the unix VFS that reports to a SimulatedDisk.
class PowerLossVfs {
  public:
    /// Makes the power-loss VFS SQLite's default, reporting to `disk`.
    static void install(SimulatedDisk& disk);
    /// Makes the unix VFS the default again (open connections keep theirs).
    static void uninstall();
};

/// Installs the VFS for a scope.
class ScopedPowerLossVfs {
  public:
    explicit ScopedPowerLossVfs(SimulatedDisk& disk) { PowerLossVfs::install(disk); }
    ~ScopedPowerLossVfs() { PowerLossVfs::uninstall(); }
    ScopedPowerLossVfs(const ScopedPowerLossVfs&) = delete;
    ScopedPowerLossVfs& operator=(const ScopedPowerLossVfs&) = delete;
};

}  // namespace omnivibe::test
