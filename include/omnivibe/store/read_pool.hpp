#pragma once
// A pool of read-only connections to the store. Each request borrows one for
// the duration of one snapshot (Tx::Kind::snapshot: a read transaction in
// SQLite's WAL, REPEATABLE READ on PostgreSQL), so the rows it reads and the
// log head it reports agree. A connection the store dropped is not put back.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/db.hpp"

namespace omnivibe::store {

class ReadPool {
  public:
    /// Opens one more reader connection when none is idle.
    using Opener = std::function<Result<std::unique_ptr<Db>>()>;
    explicit ReadPool(Opener open) : open_(std::move(open)) {}
    /// Read-only connections to a SQLite file.
    static Opener sqlite(std::string path);
    /// Connections to a PostgreSQL database (libpq URI).
    static Opener postgresql(std::string uri);
    /// The one --db names (store/location.hpp).
    static Opener for_store(std::string db);

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

    /// Runs `fn(db)` inside one read snapshot. Store failures become Errors.
    template <class Fn>
    auto with_snapshot(Fn&& fn) -> Result<decltype(fn(std::declval<Db&>()))> {
        auto lease = acquire();
        if (!lease) return std::move(lease).error();
        try {
            Tx tx(lease->db(), Tx::Kind::snapshot);
            auto out = fn(lease->db());
            tx.commit();
            return out;
        } catch (const StoreError& e) {
            return e.error();
        }
    }

  private:
    void give_back(std::unique_ptr<Db> db);
    Opener open_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Db>> idle_;
};

}  // namespace omnivibe::store
