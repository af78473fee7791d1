// The statement contract of store/db.hpp on the PostgreSQL store; the same
// checks run on SQLite in store/statement_test.cpp.
#include "omnivibe/store/pg/pg_db.hpp"

#include <boost/test/unit_test.hpp>

#include "store/pg/pg_fixture.hpp"
#include "store/statement_checks.hpp"

using namespace omnivibe;

BOOST_AUTO_TEST_SUITE(pg_statements)

BOOST_AUTO_TEST_CASE(a_failed_statement_runs_again_at_its_next_use) {
    test::PgDb target;
    auto db = store::pg::PgDb::open(target.uri);
    BOOST_REQUIRE(db);
    test::check_a_failed_statement_runs_again(**db);
}

BOOST_AUTO_TEST_SUITE_END()
