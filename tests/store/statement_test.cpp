// The statement contract of store/db.hpp on the SQLite store; the same
// checks run on PostgreSQL in store/pg/pg_db_test.cpp.
#include <boost/test/unit_test.hpp>

#include "store/statement_checks.hpp"
#include "store/store_fixture.hpp"

using namespace omnivibe;

BOOST_AUTO_TEST_SUITE(sqlite_statements)

BOOST_AUTO_TEST_CASE(a_failed_statement_runs_again_at_its_next_use) {
    test::WriterDb w;
    test::check_a_failed_statement_runs_again(*w.db);
}

BOOST_AUTO_TEST_SUITE_END()
