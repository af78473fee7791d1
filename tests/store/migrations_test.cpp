#include "omnivibe/store/migrations.hpp"

#include <boost/test/unit_test.hpp>

#include "store/store_fixture.hpp"

using namespace omnivibe;
using namespace omnivibe::store;

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(applies_every_embedded_migration_once) {
    test::WriterDb w;
    BOOST_TEST(w.db->query_int("SELECT count(*) FROM schema_migrations").value() ==
               static_cast<std::int64_t>(embedded_migrations().size()));
    auto again = apply_migrations(*w.db);
    BOOST_REQUIRE(again);
    BOOST_TEST(*again == 0);
    BOOST_TEST(check_migrations(*w.db).has_value());
}

BOOST_AUTO_TEST_CASE(refuses_a_database_whose_applied_migration_changed) {
    test::WriterDb w;
    std::vector<EmbeddedMigration> edited = embedded_migrations();
    const std::string changed = std::string(edited[0].sql) + "\n-- edited";
    edited[0].sql = changed;
    auto r = apply_migrations(*w.db, edited);
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().detail.find("was changed after it was applied") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_database_from_a_newer_binary) {
    test::WriterDb w;
    std::vector<EmbeddedMigration> older(embedded_migrations().begin(),
                                         embedded_migrations().end() - 1);
    auto r = apply_migrations(*w.db, older);
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().detail.find("newer version") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
