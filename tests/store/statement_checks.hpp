#pragma once
// What every store's statements must do, checked on each store.

#include <boost/test/unit_test.hpp>

#include "omnivibe/store/db.hpp"

namespace omnivibe::test {

/// A statement whose run failed runs in full at its next use, even when the
/// caller keeps it instead of asking cached() again (the projector keeps its
/// INSERTs). Once, a failed INSERT left the PostgreSQL statement marked as
/// run, and the next command's row was silently not written.
inline void check_a_failed_statement_runs_again(store::Db& db) {
    db.exec("CREATE TABLE once (id INTEGER PRIMARY KEY)");
    store::Stmt& insert = db.cached("INSERT INTO once (id) VALUES (?)");
    insert.bind(1, std::int64_t{1}).run();
    BOOST_CHECK_THROW(insert.bind(1, std::int64_t{1}).run(), store::StoreError);  // a duplicate
    insert.bind(1, std::int64_t{2}).run();
    // The same, stepped by hand.
    BOOST_CHECK_THROW(insert.bind(1, std::int64_t{2}).step(), store::StoreError);
    BOOST_TEST(!insert.bind(1, std::int64_t{3}).step());
    insert.reset();
    BOOST_TEST(db.query_int("SELECT count(*) FROM once").value_or(0) == 3);
    BOOST_TEST(db.query_int("SELECT max(id) FROM once").value_or(0) == 3);
}

}  // namespace omnivibe::test
