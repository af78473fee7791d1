#include "omnivibe/projection/compare.hpp"

#include <boost/test/unit_test.hpp>

#include "store/store_fixture.hpp"

using namespace omnivibe;

namespace {

void fill(store::Db& db) {
    db.exec(
        "INSERT INTO clients (id, name, version, created_at, updated_at) VALUES "
        "(1, 'Acme', 1, 't', 't'), (2, 'Globex', 2, 't', 't');"
        "INSERT INTO campaign_resources (campaign_id, resource_type, filename, content_type, size, "
        "sha256, path, uploaded_at) VALUES (1, 'intro', 'a.mp4', 'video/mp4', 1, 'x', '/p', 't');"
        "INSERT INTO projection_state (id, version, head) VALUES (1, 1, 3);");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(read_table_comparison)

BOOST_AUTO_TEST_CASE(equal_tables_have_no_differences) {
    test::WriterDb a, b;
    fill(*a.db);
    fill(*b.db);
    const auto cmp = projection::compare_read_tables(*a.db, *b.db);
    BOOST_TEST(cmp.total == 0);
    BOOST_TEST(cmp.rows_compared == 4);
}

BOOST_AUTO_TEST_CASE(a_changed_cell_is_named_by_table_key_and_column) {
    test::WriterDb live, rebuilt;
    fill(*live.db);
    fill(*rebuilt.db);
    live.db->exec("UPDATE clients SET name = 'Globex Corp' WHERE id = 2");
    live.db->exec("UPDATE campaign_resources SET size = 2");
    const auto cmp = projection::compare_read_tables(*live.db, *rebuilt.db);
    BOOST_REQUIRE(cmp.total == 2);
    BOOST_TEST(projection::describe(cmp.differences[0]) ==
               "clients id=2: name: live 'Globex Corp', rebuilt 'Globex'");
    BOOST_TEST(projection::describe(cmp.differences[1]) ==
               "campaign_resources campaign_id=1, resource_type='intro': size: live 2, rebuilt 1");
}

BOOST_AUTO_TEST_CASE(missing_and_extra_rows_are_reported_on_their_side) {
    test::WriterDb live, rebuilt;
    fill(*live.db);
    fill(*rebuilt.db);
    live.db->exec("DELETE FROM clients WHERE id = 1");
    live.db->exec(
        "INSERT INTO clients (id, name, version, created_at, updated_at) VALUES (9, 'Z', 1, 't', "
        "'t')");
    const auto cmp = projection::compare_read_tables(*live.db, *rebuilt.db, 1);
    BOOST_TEST(cmp.total == 2);
    BOOST_REQUIRE(cmp.differences.size() == 1u);  // the limit
    BOOST_TEST(projection::describe(cmp.differences[0]) ==
               "clients id=1: missing from the live table (the replay has it)");
}

BOOST_AUTO_TEST_SUITE_END()
