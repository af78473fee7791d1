#pragma once
// A pool of read-only connections. WAL lets them read beside the writer; each
// request borrows one for the duration of one snapshot (a deferred read
// transaction), so the rows it reads and the log head it reports agree.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::store {

class ReadPool {
  public:
    explicit ReadPool(std::string path) : path_(std::move(path)) {}

    /// A borrowed connection; goes back to the pool when destroyed.
    class Lease {
      public:
        Lease(ReadPool& pool, std::unique_ptr<Db> db) : pool_(&pool), db_(std::move(db)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        Db& db() { return *db_; }

      private:
        ReadPool* pool_;
        std::unique_ptr<Db> db_;
    };

    /// Borrows an idle connection or opens a new one.
    Result<Lease> acquire();

    /// Runs `fn(db)` inside one read transaction. SQLite failures become Errors.
    template <class Fn>
    auto with_snapshot(Fn&& fn) -> Result<decltype(fn(std::declval<Db&>()))> {
        auto lease = acquire();
        if (!lease) return std::move(lease).error();
        try {
            Tx tx(lease->db(), Tx::Kind::deferred);
            auto out = fn(lease->db());
            tx.commit();
            return out;
        } catch (const SqliteError& e) {
            return e.error();
        }
    }

  private:
    void give_back(std::unique_ptr<Db> db);
    std::string path_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Db>> idle_;
};

}  // namespace omnivibe::store
