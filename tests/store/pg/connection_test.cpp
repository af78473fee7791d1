#include "omnivibe/store/pg/connection.hpp"

#include <boost/test/unit_test.hpp>
#include <limits>
#include <thread>

#include "store/pg/pg_fixture.hpp"

using namespace omnivibe;
using namespace omnivibe::store::pg;
using omnivibe::test::pg_connect;
using omnivibe::test::PgCluster;
using omnivibe::test::PgDb;

using omnivibe::test::contains;
using omnivibe::test::error_of;

BOOST_AUTO_TEST_SUITE(pg_uri)

BOOST_AUTO_TEST_CASE(redacted_hides_the_password_of_a_uri) {
    BOOST_TEST(redacted("postgresql://omnivibe:s3cret@db.example:5432/omnivibe") ==
               "postgresql://omnivibe:***@db.example:5432/omnivibe");
    BOOST_TEST(redacted("postgres://u:p@h/db?sslmode=require&password=s3cret&connect_timeout=3") ==
               "postgres://u:***@h/db?sslmode=require&password=***&connect_timeout=3");
    BOOST_TEST(redacted("postgresql://omnivibe@db:5432/omnivibe") ==
               "postgresql://omnivibe@db:5432/omnivibe");
    BOOST_TEST(redacted("postgresql:///omnivibe?host=/run/postgresql") ==
               "postgresql:///omnivibe?host=/run/postgresql");
}

BOOST_AUTO_TEST_CASE(redacted_hides_the_password_of_a_conninfo_string) {
    BOOST_TEST(redacted("host=db password=s3cret dbname=omnivibe") ==
               "host=db password=*** dbname=omnivibe");
    BOOST_TEST(redacted("host=db password = 'a \\' secret' user=u") ==
               "host=db password = *** user=u");
    BOOST_TEST(redacted("host=db user=u") == "host=db user=u");
}

BOOST_AUTO_TEST_CASE(transient_sqlstates_are_unavailable_and_the_rest_internal) {
    for (const char* state : {"57P01", "57P02", "57P03", "08006", "08001", "53100", "53300",
                              "40001", "40P01", "55P03", "58030", "57014"}) {
        BOOST_TEST(is_transient(state), state);
        BOOST_TEST(pg_error(state, "m", "c").code == ErrorCode::unavailable, state);
    }
    for (const char* state : {"23505", "23000", "23001", "42501", "P0001", "42P01", ""}) {
        BOOST_TEST(!is_transient(state), state);
        BOOST_TEST(pg_error(state, "m", "c").code == ErrorCode::internal, state);
    }
    BOOST_TEST(pg_error("23505", "m", "c", true).code == ErrorCode::unavailable);
    const Error e = pg_error("23505", "duplicate key\n\tvalue", "running a statement");
    BOOST_TEST(e.detail == "running a statement: duplicate key value (SQLSTATE 23505)");
}

BOOST_AUTO_TEST_CASE(open_refuses_a_password_in_the_uri_without_showing_it) {
    for (const char* uri : {"postgresql://omnivibe:s3cret@127.0.0.1:1/omnivibe",
                            "postgresql://omnivibe@127.0.0.1:1/omnivibe?password=s3cret",
                            "host=127.0.0.1 port=1 password=s3cret dbname=omnivibe"}) {
        auto conn = Connection::open(uri);
        BOOST_REQUIRE(!conn);
        BOOST_TEST(contains(conn.error().detail, "PGPASSWORD"), conn.error().detail);
        BOOST_TEST(!contains(conn.error().detail, "s3cret"), conn.error().detail);
    }
}

BOOST_AUTO_TEST_CASE(open_refuses_a_malformed_uri) {
    auto conn = Connection::open("postgresql://omnivibe@127.0.0.1:1/omnivibe?no_such_option=1");
    BOOST_REQUIRE(!conn);
    BOOST_TEST(conn.error().code == ErrorCode::internal);
    BOOST_TEST(contains(conn.error().detail, "not a valid PostgreSQL URI"), conn.error().detail);
}

BOOST_AUTO_TEST_CASE(a_server_that_does_not_answer_is_unavailable) {
    // Port 1 on loopback: nothing listens there, the connection is refused.
    auto conn = Connection::open("postgresql://omnivibe@127.0.0.1:1/omnivibe");
    BOOST_REQUIRE(!conn);
    BOOST_TEST(conn.error().code == ErrorCode::unavailable);
    BOOST_TEST(contains(conn.error().detail, "cannot connect to PostgreSQL"), conn.error().detail);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pg_connection)

BOOST_AUTO_TEST_CASE(parameters_and_typed_columns_round_trip) {
    PgDb db;
    auto& c = *db.conn;
    c.exec("CREATE TABLE t (i bigint, d double precision, b boolean, s text, n bigint)");
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    const std::string text = "it's \"quoted\", ünïcødé, tab\there";
    const std::optional<std::int64_t> none;
    BOOST_TEST(c.run("INSERT INTO t VALUES ($1, $2, $3, $4, $5)", {big, 0.1, true, text, none}) ==
               1);
    BOOST_TEST(c.run("INSERT INTO t VALUES ($1, $2, $3, $4, $5)",
                     {-7, -2.5e-300, false, std::string_view(""), std::optional<int>(3)}) == 1);
    const Rows rows = c.query("SELECT i, d, b, s, n FROM t ORDER BY i DESC");
    BOOST_REQUIRE(rows.size() == 2);
    BOOST_TEST(rows.columns() == 5);
    BOOST_TEST(rows.column_name(3) == "s");
    BOOST_TEST(rows.int64(0, 0) == big);
    BOOST_TEST(rows.float64(0, 1) == 0.1);
    BOOST_TEST(rows.boolean(0, 2));
    BOOST_TEST(rows.text(0, 3) == text);
    BOOST_TEST(rows.is_null(0, 4));
    BOOST_TEST(!rows.optional_int64(0, 4).has_value());
    BOOST_TEST(rows.int64(1, 0) == -7);
    BOOST_TEST(rows.float64(1, 1) == -2.5e-300);
    BOOST_TEST(!rows.boolean(1, 2));
    BOOST_TEST(rows.optional_text(1, 3).value() == "");
    BOOST_TEST(rows.optional_int64(1, 4).value() == 3);
    BOOST_TEST(c.query_int("SELECT count(*) FROM t WHERE s = $1", {text}).value() == 1);
    BOOST_TEST(!c.query_int("SELECT n FROM t WHERE i = $1", {big}).has_value());
    BOOST_TEST(!c.query_int("SELECT i FROM t WHERE false").has_value());
}

BOOST_AUTO_TEST_CASE(domain_values_are_stored_as_on_sqlite) {
    PgDb db;
    auto& c = *db.conn;
    c.exec("CREATE TABLE v (k int, i bigint, d double precision, s text)");
    const auto put = [&](int k, const domain::Value& i, const domain::Value& d,
                         const domain::Value& s) {
        c.run("INSERT INTO v VALUES ($1, $2, $3, $4)",
              {k, Param::from_value(i), Param::from_value(d), Param::from_value(s)});
    };
    put(1, domain::Value{true}, domain::Value{1.25}, domain::Value{std::string("text")});
    put(2, domain::Value{false}, domain::Value{domain::Null{}},
        domain::Value{domain::StringList{"a", "b\"c"}});
    put(3, domain::Value{std::int64_t{-5}}, domain::Value{domain::Unsupported{"object"}},
        domain::Value{domain::IntList{1, 2}});
    const Rows rows = c.query("SELECT i, d, s FROM v ORDER BY k");
    BOOST_TEST(rows.int64(0, 0) == 1);
    BOOST_TEST(rows.float64(0, 1) == 1.25);
    BOOST_TEST(rows.text(0, 2) == "text");
    BOOST_TEST(rows.int64(1, 0) == 0);
    BOOST_TEST(rows.is_null(1, 1));
    BOOST_TEST(rows.text(1, 2) == R"(["a","b\"c"])");
    BOOST_TEST(rows.int64(2, 0) == -5);
    BOOST_TEST(rows.is_null(2, 1));
    BOOST_TEST(rows.text(2, 2) == "[1,2]");
}

BOOST_AUTO_TEST_CASE(a_cell_of_the_wrong_type_or_place_is_an_internal_error) {
    PgDb db;
    const Rows rows = db.conn->query("SELECT 'x'::text, 1.5::float8");
    BOOST_TEST(error_of([&] { (void)rows.int64(0, 0); }).error().code == ErrorCode::internal);
    BOOST_TEST(error_of([&] { (void)rows.boolean(0, 1); }).error().code == ErrorCode::internal);
    BOOST_TEST(error_of([&] { (void)rows.text(1, 0); }).error().code == ErrorCode::internal);
    BOOST_TEST(error_of([&] { (void)rows.text(0, 2); }).error().code == ErrorCode::internal);
}

BOOST_AUTO_TEST_CASE(a_nul_byte_in_a_text_parameter_is_refused) {
    const std::string with_nul("a\0b", 3);
    BOOST_TEST(error_of([&] { Param p(with_nul); }).error().code == ErrorCode::internal);
}

BOOST_AUTO_TEST_CASE(for_each_row_streams_every_row_in_order) {
    PgDb db;
    std::int64_t count = 0;
    std::int64_t last = 0;
    bool ordered = true;
    db.conn->for_each_row("SELECT g, repeat('x', 100) FROM generate_series(1, $1::int) g", {20000},
                          [&](const Rows& row) {
                              BOOST_REQUIRE(row.size() == 1);
                              ordered = ordered && row.int64(0, 0) == last + 1;
                              last = row.int64(0, 0);
                              ++count;
                          });
    BOOST_TEST(count == 20000);
    BOOST_TEST(ordered);
    BOOST_TEST(db.conn->query_int("SELECT 1").value() == 1);
}

BOOST_AUTO_TEST_CASE(for_each_row_leaves_the_connection_ready_after_a_failure) {
    PgDb db;
    auto& c = *db.conn;
    int seen = 0;
    // The server fails at row 5000, after sending the rows before it.
    const PgError e = error_of([&] {
        c.for_each_row("SELECT 10 / (5000 - g) FROM generate_series(1, 10000) g", {},
                       [&](const Rows&) { ++seen; });
    });
    BOOST_TEST(e.sqlstate() == "22012");
    BOOST_TEST(seen < 5000);
    BOOST_TEST(c.query_int("SELECT 2").value() == 2);
    // The caller stops early: the rest is cancelled, the error is the caller's.
    seen = 0;
    std::string caught;
    try {
        c.for_each_row("SELECT g FROM generate_series(1, 1000000) g", {}, [&](const Rows&) {
            if (++seen == 10) throw std::runtime_error("enough");
        });
    } catch (const PgError& e) {
        caught = "PgError: " + e.error().detail;
    } catch (const std::runtime_error& e) {
        caught = e.what();
    }
    BOOST_TEST(caught == "enough");
    BOOST_TEST(seen == 10);
    BOOST_TEST(c.query_int("SELECT 3").value() == 3);
}

BOOST_AUTO_TEST_CASE(statements_are_prepared_once_per_connection) {
    PgDb db;
    auto& c = *db.conn;
    const std::string sql = "SELECT $1::bigint + 1";
    for (int i = 0; i < 3; ++i) BOOST_TEST(c.query_int(sql, {i}).value() == i + 1);
    BOOST_TEST(
        c.query_int("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", {sql})
            .value() == 1);
}

BOOST_AUTO_TEST_CASE(a_constraint_violation_is_internal_and_never_shows_the_sql) {
    PgDb db;
    auto& c = *db.conn;
    c.exec("CREATE TABLE u (k text PRIMARY KEY)");
    c.run("INSERT INTO u VALUES ($1)", {"a"});
    const PgError e = error_of([&] { c.run("INSERT INTO u /* sql-marker */ VALUES ($1)", {"a"}); });
    BOOST_TEST(e.sqlstate() == "23505");
    BOOST_TEST(e.error().code == ErrorCode::internal);
    BOOST_TEST(contains(e.error().detail, "duplicate key"), e.error().detail);
    BOOST_TEST(!contains(e.error().detail, "sql-marker"), e.error().detail);
    const PgError syntax = error_of([&] { c.exec("SELEC /* sql-marker */ 1"); });
    BOOST_TEST(syntax.sqlstate() == "42601");
    BOOST_TEST(!contains(syntax.error().detail, "sql-marker"), syntax.error().detail);
}

BOOST_AUTO_TEST_CASE(a_serialization_failure_is_unavailable) {
    PgDb db;
    auto& a = *db.conn;
    auto b = pg_connect(db.uri);
    a.exec("CREATE TABLE counter (id int PRIMARY KEY, n int); INSERT INTO counter VALUES (1, 0)");
    Tx tx(a, Isolation::repeatable_read);
    BOOST_TEST(a.query_int("SELECT n FROM counter WHERE id = 1").value() == 0);
    b->run("UPDATE counter SET n = n + 1 WHERE id = 1");
    const PgError e = error_of([&] { a.run("UPDATE counter SET n = n + 1 WHERE id = 1"); });
    BOOST_TEST(e.sqlstate() == "40001");
    BOOST_TEST(e.error().code == ErrorCode::unavailable);
}

BOOST_AUTO_TEST_CASE(a_transaction_rolls_back_unless_committed) {
    PgDb db;
    auto& c = *db.conn;
    c.exec("CREATE TABLE t (v int)");
    {
        Tx tx(c);
        c.run("INSERT INTO t VALUES (1)");
        BOOST_TEST(c.in_transaction());
    }
    BOOST_TEST(!c.in_transaction());
    BOOST_TEST(c.query_int("SELECT count(*) FROM t").value() == 0);
    {
        Tx tx(c);
        c.run("INSERT INTO t VALUES (2)");
        tx.commit();
    }
    BOOST_TEST(c.query_int("SELECT count(*) FROM t").value() == 1);
}

BOOST_AUTO_TEST_CASE(commit_of_a_transaction_whose_statement_failed_throws) {
    PgDb db;
    auto& c = *db.conn;
    c.exec("CREATE TABLE t (v int PRIMARY KEY)");
    Tx tx(c);
    c.run("INSERT INTO t VALUES (1)");
    BOOST_CHECK_THROW(c.run("INSERT INTO t VALUES (1)"), PgError);
    const PgError e = error_of([&] { tx.commit(); });
    BOOST_TEST(contains(e.error().detail, "rolled back"), e.error().detail);
    BOOST_TEST(c.query_int("SELECT count(*) FROM t").value() == 0);
}

BOOST_AUTO_TEST_CASE(a_savepoint_lets_one_command_fail_alone) {
    PgDb db;
    auto& c = *db.conn;
    c.exec("CREATE TABLE t (v int PRIMARY KEY)");
    Tx tx(c);
    for (int v : {1, 1, 2}) {
        Savepoint sp(c);
        try {
            c.run("INSERT INTO t VALUES ($1)", {v});
            sp.release();
        } catch (const PgError&) {
            // the savepoint rolls this command back; the transaction goes on
        }
    }
    tx.commit();
    BOOST_TEST(c.query_int("SELECT count(*) FROM t").value() == 2);
}

BOOST_AUTO_TEST_CASE(a_repeatable_read_snapshot_ignores_later_commits_and_refuses_writes) {
    PgDb db;
    auto& c = *db.conn;
    auto other = pg_connect(db.uri);
    c.exec("CREATE TABLE t (v int)");
    Tx tx(c, Isolation::repeatable_read, Access::read_only);
    BOOST_TEST(c.query_int("SELECT count(*) FROM t").value() == 0);
    other->run("INSERT INTO t VALUES (1)");
    BOOST_TEST(c.query_int("SELECT count(*) FROM t").value() == 0);
    const PgError e = error_of([&] { c.run("INSERT INTO t VALUES (2)"); });
    BOOST_TEST(e.sqlstate() == "25006");
}

BOOST_AUTO_TEST_CASE(a_terminated_connection_is_unavailable_until_reconnected) {
    PgDb db;
    auto c = pg_connect(db.uri, "omnivibe-test-victim");
    const std::string sql = "SELECT count(*) FROM pg_class WHERE relname = $1";
    BOOST_TEST(c->query_int(sql, {"pg_class"}).value() == 1);
    BOOST_TEST(PgCluster::instance().terminate_backends("omnivibe-test-victim") == 1);
    const PgError e = error_of([&] { (void)c->query_int(sql, {"pg_class"}); });
    BOOST_TEST(e.error().code == ErrorCode::unavailable, e.error().detail);
    BOOST_TEST(!c->connected());
    BOOST_REQUIRE(c->reconnect());
    // The statement was prepared on the old session: it is prepared again.
    BOOST_TEST(c->query_int(sql, {"pg_class"}).value() == 1);
}

BOOST_AUTO_TEST_CASE(reconnects_after_the_cluster_restarts) {
    PgDb db;
    auto& cluster = PgCluster::instance();
    auto& c = *db.conn;
    BOOST_TEST(c.query_int("SELECT 1").value() == 1);
    cluster.stop();
    const PgError e = error_of([&] { (void)c.query_int("SELECT 1"); });
    BOOST_TEST(e.error().code == ErrorCode::unavailable, e.error().detail);
    auto down = c.reconnect();
    BOOST_TEST(!down);
    if (!down) BOOST_TEST(down.error().code == ErrorCode::unavailable);
    auto fresh = Connection::open(db.uri);
    BOOST_TEST(!fresh);
    cluster.start();
    BOOST_REQUIRE(c.reconnect());
    BOOST_TEST(c.query_int("SELECT 1").value() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pg_notifications)

BOOST_AUTO_TEST_CASE(a_notification_arrives_after_commit_with_its_payload) {
    PgDb db;
    auto listener = pg_connect(db.uri);
    listener->listen("omnivibe_head");
    auto& sender = *db.conn;
    {
        Tx tx(sender);
        sender.notify("omnivibe_head", "41");
        // Not committed: nothing can have been delivered yet.
        BOOST_TEST(!listener->wait_for_input(std::chrono::milliseconds(50)));
        BOOST_TEST(listener->drain_notifications().empty());
        tx.commit();
    }
    sender.notify("omnivibe_head", "42");
    std::vector<Notification> got;
    while (got.size() < 2 && listener->wait_for_input(std::chrono::seconds(30))) {
        for (auto& n : listener->drain_notifications()) got.push_back(std::move(n));
    }
    BOOST_REQUIRE(got.size() == 2);
    BOOST_TEST(got[0].channel == "omnivibe_head");
    BOOST_TEST(got[0].payload == "41");
    BOOST_TEST(got[1].payload == "42");
    BOOST_TEST(got[0].sender_pid == sender.backend_pid());
}

BOOST_AUTO_TEST_CASE(a_dropped_listener_is_reported_and_listens_again_after_reconnect) {
    PgDb db;
    auto listener = pg_connect(db.uri, "omnivibe-test-listener");
    listener->listen("omnivibe_head");
    BOOST_TEST(PgCluster::instance().terminate_backends("omnivibe-test-listener") == 1);
    bool lost = false;
    for (int i = 0; i < 100 && !lost; ++i) {
        try {
            listener->wait_for_input(std::chrono::milliseconds(300));
        } catch (const PgError& e) {
            BOOST_TEST(e.error().code == ErrorCode::unavailable);
            lost = true;
        }
    }
    BOOST_REQUIRE(lost);
    BOOST_REQUIRE(listener->reconnect());
    db.conn->notify("omnivibe_head", "7");
    BOOST_REQUIRE(listener->wait_for_input(std::chrono::seconds(30)));
    const auto got = listener->drain_notifications();
    BOOST_REQUIRE(got.size() == 1);
    BOOST_TEST(got[0].payload == "7");
}

BOOST_AUTO_TEST_CASE(a_channel_name_is_quoted) {
    PgDb db;
    auto listener = pg_connect(db.uri);
    listener->listen("Odd \"channel\"; DROP TABLE x");
    db.conn->notify("Odd \"channel\"; DROP TABLE x", "p");
    BOOST_REQUIRE(listener->wait_for_input(std::chrono::seconds(30)));
    const auto got = listener->drain_notifications();
    BOOST_REQUIRE(got.size() == 1);
    BOOST_TEST(got[0].channel == "Odd \"channel\"; DROP TABLE x");
    listener->unlisten("Odd \"channel\"; DROP TABLE x");
}

BOOST_AUTO_TEST_SUITE_END()
