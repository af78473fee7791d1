#include "omnivibe/store/read_pool.hpp"

#include "omnivibe/store/location.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/store/sqlite_db.hpp"

namespace omnivibe::store {

ReadPool::Lease::~Lease() {
    if (db_ && pool_) pool_->give_back(std::move(db_));
}

Result<ReadPool::Lease> ReadPool::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto db = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(db));
        }
    }
    auto db = open_();
    if (!db) return std::move(db).error();
    return Lease(*this, std::move(db).value());
}

ReadPool::Opener ReadPool::sqlite(std::string path) {
    return [path = std::move(path)]() -> Result<std::unique_ptr<Db>> {
        // Readers never wait long: a snapshot read in WAL mode does not block.
        auto db = SqliteDb::open(path, OpenMode::read_only, 1000);
        if (!db) return std::move(db).error();
        return std::unique_ptr<Db>(std::move(db).value());
    };
}

ReadPool::Opener ReadPool::postgresql(std::string uri) {
    return [uri = std::move(uri)]() -> Result<std::unique_ptr<Db>> {
        auto db = pg::PgDb::open(uri, "omnivibe-reader");
        if (!db) return std::move(db).error();
        return std::unique_ptr<Db>(std::move(db).value());
    };
}

ReadPool::Opener ReadPool::for_store(std::string db) {
    return is_postgresql_uri(db) ? postgresql(std::move(db)) : sqlite(std::move(db));
}

void ReadPool::give_back(std::unique_ptr<Db> db) {
    if (!db->usable()) return;  // lost: the next acquire() opens a fresh one
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
}

}  // namespace omnivibe::store
