#include "omnivibe/store/read_pool.hpp"

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
    // Readers never wait long: a snapshot read in WAL mode does not block.
    auto db = Db::open(path_, OpenMode::read_only, 1000);
    if (!db) return std::move(db).error();
    return Lease(*this, std::move(db).value());
}

void ReadPool::give_back(std::unique_ptr<Db> db) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
}

}  // namespace omnivibe::store
