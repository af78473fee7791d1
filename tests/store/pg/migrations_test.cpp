#include "omnivibe/store/pg/migrations.hpp"

#include <boost/test/unit_test.hpp>
#include <future>

#include "omnivibe/core/sha256.hpp"
#include "store/pg/pg_fixture.hpp"
#include "support/eventually.hpp"

using namespace omnivibe;
using namespace omnivibe::store::pg;
using omnivibe::test::pg_connect;
using omnivibe::test::PgCluster;
using omnivibe::test::PgDb;

using omnivibe::test::contains;

BOOST_AUTO_TEST_SUITE(pg_migrations)

BOOST_AUTO_TEST_CASE(the_dialect_folder_has_the_sqlite_numbers_and_names) {
    const auto& pg = embedded_migrations();
    const auto& sqlite = store::embedded_migrations();
    BOOST_REQUIRE(pg.size() == sqlite.size());
    for (std::size_t i = 0; i < pg.size(); ++i) BOOST_TEST(pg[i].name == sqlite[i].name);
}

BOOST_AUTO_TEST_CASE(applies_every_embedded_migration_once_with_its_sha256) {
    PgDb db;
    auto not_yet = check_migrations(*db.conn);
    BOOST_REQUIRE(!not_yet);
    BOOST_TEST(contains(not_yet.error().detail, "is not applied yet"));
    auto applied = apply_migrations(*db.conn);
    BOOST_REQUIRE_MESSAGE(applied, (applied ? "" : applied.error().detail));
    BOOST_TEST(*applied == static_cast<int>(embedded_migrations().size()));
    auto again = apply_migrations(*db.conn);
    BOOST_REQUIRE(again);
    BOOST_TEST(*again == 0);
    BOOST_TEST(check_migrations(*db.conn).has_value());
    for (const auto& m : embedded_migrations())
        BOOST_TEST(db.conn
                       ->query_int("SELECT count(*) FROM schema_migrations WHERE version = $1 "
                                   "AND name = $2 AND sha256 = $3",
                                   {store::migration_version(m.name), m.name, sha256_hex(m.sql)})
                       .value() == 1);
}

BOOST_AUTO_TEST_CASE(refuses_a_database_whose_applied_migration_changed) {
    PgDb db;
    BOOST_REQUIRE(apply_migrations(*db.conn));
    std::vector<store::EmbeddedMigration> edited = embedded_migrations();
    const std::string changed = std::string(edited[0].sql) + "\n-- edited";
    edited[0].sql = changed;
    auto r = apply_migrations(*db.conn, edited);
    BOOST_REQUIRE(!r);
    BOOST_TEST(contains(r.error().detail, "was changed after it was applied"));
    auto checked = check_migrations(*db.conn, edited);
    BOOST_REQUIRE(!checked);
    BOOST_TEST(contains(checked.error().detail, "was changed after it was applied"));
}

BOOST_AUTO_TEST_CASE(refuses_a_database_from_a_newer_binary) {
    PgDb db;
    BOOST_REQUIRE(apply_migrations(*db.conn));
    std::vector<store::EmbeddedMigration> older(embedded_migrations().begin(),
                                                embedded_migrations().end() - 1);
    auto r = apply_migrations(*db.conn, older);
    BOOST_REQUIRE(!r);
    BOOST_TEST(contains(r.error().detail, "newer version"));
}

BOOST_AUTO_TEST_CASE(a_failing_migration_leaves_nothing_behind) {
    PgDb db;
    std::vector<store::EmbeddedMigration> broken = embedded_migrations();
    broken.push_back({"9999_broken.sql", "CREATE TABLE half_done (x int); SELECT 1/0;"});
    auto r = apply_migrations(*db.conn, broken);
    BOOST_REQUIRE(!r);
    BOOST_TEST(db.conn->query_int("SELECT count(*) FROM schema_migrations").value() ==
               static_cast<std::int64_t>(embedded_migrations().size()));
    BOOST_TEST(db.conn->query("SELECT to_regclass('half_done') IS NULL").boolean(0, 0));
}

BOOST_AUTO_TEST_CASE(servers_that_start_together_apply_each_migration_once) {
    PgDb db;
    // A gate holds the migrations lock while two servers start: both wait on
    // it, and are let go at the same moment.
    auto gate = pg_connect(db.uri);
    auto gate_tx = std::make_unique<Tx>(*gate);
    gate->advisory_xact_lock(kMigrationLockKey);
    auto a = pg_connect(db.uri, "omnivibe-test-starting");
    auto b = pg_connect(db.uri, "omnivibe-test-starting");
    auto from_a = std::async(std::launch::async, [&] { return apply_migrations(*a); });
    auto from_b = std::async(std::launch::async, [&] { return apply_migrations(*b); });
    auto observer = pg_connect(db.uri);
    BOOST_REQUIRE(test::eventually(
        [&] { return test::advisory_lock_waiters(*observer, "omnivibe-test-starting") == 2; }));
    gate_tx->commit();
    auto ra = from_a.get();
    auto rb = from_b.get();
    BOOST_REQUIRE_MESSAGE(ra, (ra ? "" : ra.error().detail));
    BOOST_REQUIRE_MESSAGE(rb, (rb ? "" : rb.error().detail));
    BOOST_TEST(*ra + *rb == static_cast<int>(embedded_migrations().size()));
    BOOST_TEST(check_migrations(*gate).has_value());
}

BOOST_AUTO_TEST_CASE(refuses_a_database_without_the_c_collation) {
    auto& cluster = PgCluster::instance();
    auto admin = pg_connect(cluster.admin_uri());
    admin->exec(
        "CREATE DATABASE omnivibe_test_collation TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
    auto conn = pg_connect(cluster.admin_uri("omnivibe_test_collation"));
    auto r = apply_migrations(*conn);
    BOOST_REQUIRE(!r);
    BOOST_TEST(contains(r.error().detail, "C collation"), r.error().detail);
}

BOOST_AUTO_TEST_SUITE_END()
