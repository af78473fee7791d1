// The PostgreSQL schema's guards (migrations/postgresql/): the event log's
// triggers, the writer-only guard on every table with the roles script's
// grants, and the advisory lock the writers serialise on.
#include <boost/test/unit_test.hpp>
#include <future>
#include <map>

#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/pg/migrations.hpp"
#include "store/pg/pg_fixture.hpp"
#include "support/eventually.hpp"

using namespace omnivibe;
using namespace omnivibe::store::pg;
using omnivibe::store::EventRow;
using omnivibe::test::error_of;
using omnivibe::test::MigratedPgDb;
using omnivibe::test::pg_connect;

namespace {

constexpr std::string_view kInsertEvent =
    "INSERT INTO events (seq, stream, stream_version, type, data, meta, campaign_id, "
    "recorded_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

void insert(Connection& c, const EventRow& r) {
    c.run(kInsertEvent, {r.seq, r.stream, r.stream_version, r.type, r.data, r.meta, r.campaign_id,
                         r.recorded_at, r.prev_hash, r.hash});
}

/// Builds the next rows of a log, hashed by the C++ chain_hash.
struct LogBuilder {
    std::int64_t seq = 0;
    std::string head{store::kGenesisHash};
    std::map<std::string, std::int64_t> versions;

    EventRow next(const std::string& stream, std::optional<std::int64_t> campaign_id = {},
                  std::string data = R"({"name":"Ünïcødé \"quoted\"\n","n":1})") {
        EventRow r;
        r.seq = seq + 1;
        r.stream = stream;
        r.stream_version = versions[stream] + 1;
        r.type = "client.created";
        r.data = std::move(data);
        r.meta = R"({"actor":"tester","request_id":"req-1","source":"api"})";
        r.campaign_id = campaign_id;
        r.recorded_at = "2026-12-05T08:15:00.123Z";
        r.prev_hash = head;
        r.hash = store::chain_hash(r.prev_hash, r);
        return r;
    }
    /// Records that `r` was stored.
    void stored(const EventRow& r) {
        seq = r.seq;
        head = r.hash;
        versions[r.stream] = r.stream_version;
    }
    void append(Connection& c, const EventRow& r) {
        insert(c, r);
        stored(r);
    }
};

void check_refused(const std::function<void()>& statement, std::string_view message) {
    const PgError e = error_of(statement);
    BOOST_TEST(e.error().code == ErrorCode::internal);
    BOOST_TEST(e.error().detail.find(message) != std::string::npos,
               "'" << e.error().detail << "' should say '" << message << "'");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pg_event_guards)

BOOST_AUTO_TEST_CASE(accepts_rows_hashed_by_the_cpp_chain_hash) {
    MigratedPgDb db;
    LogBuilder log;
    log.append(*db.conn, log.next("client-1"));
    log.append(*db.conn, log.next("campaign-1", 1));
    log.append(*db.conn, log.next("client-1", {}, R"({"notes":"\u0001 control, emoji 🎬"})"));
    log.append(*db.conn, log.next("campaign-1", -9223372036854775807LL,
                                  "{\"body\":\"" + std::string(100000, 'x') + "\"}"));
    BOOST_TEST(db.conn->query_int("SELECT count(*) FROM events").value() == 4);
    // The SQL function computes the same bytes for every stored row.
    BOOST_TEST(db.conn
                   ->query_int("SELECT count(*) FROM events WHERE hash = omnivibe_event_hash("
                               "prev_hash, seq, stream, stream_version, type, data, meta, "
                               "campaign_id, recorded_at)")
                   .value() == 4);
    BOOST_TEST(db.conn->query("SELECT hash FROM events WHERE seq = 4").text(0, 0) == log.head);
}

BOOST_AUTO_TEST_CASE(refuses_a_row_whose_hash_does_not_match_its_contents) {
    MigratedPgDb db;
    LogBuilder log;
    log.append(*db.conn, log.next("client-1"));
    EventRow wrong = log.next("client-1");
    wrong.hash[0] = wrong.hash[0] == 'a' ? 'b' : 'a';
    check_refused([&] { insert(*db.conn, wrong); }, "does not match its contents");
    EventRow edited = log.next("client-1");
    edited.data = R"({"name":"edited after hashing","n":1})";
    check_refused([&] { insert(*db.conn, edited); }, "does not match its contents");
    EventRow moved = log.next("client-1", 5);
    moved.campaign_id.reset();
    check_refused([&] { insert(*db.conn, moved); }, "does not match its contents");
    BOOST_TEST(db.conn->query_int("SELECT count(*) FROM events").value() == 1);
}

BOOST_AUTO_TEST_CASE(refuses_a_prev_hash_that_is_not_the_last_hash) {
    MigratedPgDb db;
    LogBuilder log;
    EventRow first = log.next("client-1");
    first.prev_hash = std::string(64, 'f');
    first.hash = store::chain_hash(first.prev_hash, first);
    check_refused([&] { insert(*db.conn, first); }, "prev_hash of event 1 is not the hash");
    log.append(*db.conn, log.next("client-1"));
    EventRow second = log.next("client-2");
    second.prev_hash = std::string(store::kGenesisHash);
    second.hash = store::chain_hash(second.prev_hash, second);
    check_refused([&] { insert(*db.conn, second); }, "prev_hash of event 2 is not the hash");
}

BOOST_AUTO_TEST_CASE(refuses_a_gap_or_a_repeat_in_seq) {
    MigratedPgDb db;
    LogBuilder log;
    EventRow not_first = log.next("client-1");
    not_first.seq = 2;
    not_first.hash = store::chain_hash(not_first.prev_hash, not_first);
    check_refused([&] { insert(*db.conn, not_first); }, "without gaps in seq");
    log.append(*db.conn, log.next("client-1"));
    LogBuilder repeat = log;
    repeat.seq = 0;
    repeat.head = std::string(store::kGenesisHash);
    check_refused([&] { insert(*db.conn, repeat.next("client-2")); }, "without gaps in seq");
    LogBuilder gap = log;
    gap.seq = 2;
    check_refused([&] { insert(*db.conn, gap.next("client-2")); }, "without gaps in seq");
}

BOOST_AUTO_TEST_CASE(refuses_a_gap_or_a_repeat_in_stream_version) {
    MigratedPgDb db;
    LogBuilder log;
    log.append(*db.conn, log.next("client-1"));
    LogBuilder gap = log;
    gap.versions["client-1"] = 2;
    check_refused([&] { insert(*db.conn, gap.next("client-1")); }, "stream_version");
    LogBuilder repeat = log;
    repeat.versions["client-1"] = 0;
    check_refused([&] { insert(*db.conn, repeat.next("client-1")); }, "stream_version");
    LogBuilder fresh_stream = log;
    fresh_stream.versions["client-2"] = 1;
    check_refused([&] { insert(*db.conn, fresh_stream.next("client-2")); }, "stream_version");
    log.append(*db.conn, log.next("client-2"));
    BOOST_TEST(db.conn->query_int("SELECT count(*) FROM events").value() == 2);
}

BOOST_AUTO_TEST_CASE(events_can_never_be_updated_deleted_or_truncated) {
    MigratedPgDb db;
    LogBuilder log;
    log.append(*db.conn, log.next("client-1"));
    auto admin = db.admin();  // not even a superuser
    for (Connection* c : {db.conn.get(), admin.get()}) {
        check_refused([&] { c->run("UPDATE events SET type = 'x'"); }, "append-only");
        check_refused([&] { c->run("UPDATE events SET type = 'x' WHERE false"); }, "append-only");
        check_refused([&] { c->run("DELETE FROM events WHERE seq = 1"); }, "append-only");
        check_refused([&] { c->exec("TRUNCATE events"); }, "append-only");
    }
    BOOST_TEST(db.conn->query_int("SELECT count(*) FROM events").value() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A role that reads (as the roles script intends for everyone else), and a
// role that was given write grants by mistake: neither is in omnivibe_writer.
void create_other_roles(const MigratedPgDb& db) {
    db.admin()->exec(
        "DO $$ BEGIN "
        "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omnivibe_frontend') THEN "
        "  CREATE ROLE omnivibe_frontend LOGIN IN ROLE omnivibe_reader; END IF; "
        "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omnivibe_rogue') THEN "
        "  CREATE ROLE omnivibe_rogue LOGIN; END IF; "
        "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omnivibe_stranger') THEN "
        "  CREATE ROLE omnivibe_stranger LOGIN; END IF; "
        "END $$;"
        "GRANT CONNECT ON DATABASE " +
        db.name +
        " TO omnivibe_rogue;"
        "GRANT USAGE ON SCHEMA public TO omnivibe_rogue;"
        "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public "
        "  TO omnivibe_rogue;");
}

constexpr std::string_view kInsertClient =
    "INSERT INTO clients (id, name, version, created_at, updated_at) "
    "VALUES ($1, $2, 1, '2026-12-05T08:15:00.000Z', '2026-12-05T08:15:00.000Z')";

/// A migrated database with one event and one client, and the other roles.
struct SeededDb : MigratedPgDb {
    LogBuilder log;
    SeededDb() {
        create_other_roles(*this);
        log.append(*conn, log.next("client-1"));
        conn->run(kInsertClient, {1, "Acme"});
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pg_role_guards)

BOOST_AUTO_TEST_CASE(the_server_role_writes_the_log_and_every_read_table) {
    MigratedPgDb db;
    auto& c = *db.conn;
    LogBuilder log;
    log.append(c, log.next("client-1"));
    c.run(kInsertClient, {1, "Acme"});
    c.run("UPDATE clients SET name = $1 WHERE id = 1", {"Acme Ltd"});
    c.run(
        "INSERT INTO streams (stream, kind, entity_id, version) VALUES ('client-1', 'client', 1, "
        "1)");
    c.run("INSERT INTO projection_state (id, version, head) VALUES (1, 1, 1)");
    c.run("UPDATE projection_state SET head = 2");
    c.run(
        "INSERT INTO idempotency_keys (actor, key, fingerprint, status, body, created_ms) "
        "VALUES ('a', 'k', 'f', 201, '{}', 0)");
    c.run("DELETE FROM idempotency_keys");
    c.run("DELETE FROM clients");
    c.exec("TRUNCATE streams");
    BOOST_TEST(c.query_int("SELECT head FROM projection_state").value() == 2);
}

BOOST_AUTO_TEST_CASE(the_reader_role_reads_but_cannot_write) {
    SeededDb db;
    LogBuilder& log = db.log;
    auto reader = db.as("omnivibe_frontend");
    BOOST_TEST(reader->query_int("SELECT count(*) FROM events").value() == 1);
    BOOST_TEST(reader->query_int("SELECT count(*) FROM clients").value() == 1);
    check_refused([&] { insert(*reader, log.next("client-2")); },
                  "permission denied for table events");
    check_refused(
        [&] {
            reader->run(kInsertClient, {2, "Other"});
        },
        "permission denied for table clients");
    check_refused([&] { reader->run("UPDATE clients SET name = 'x'"); },
                  "permission denied for table clients");
    check_refused([&] { reader->run("DELETE FROM events"); }, "permission denied for table events");
    check_refused([&] { reader->run("DELETE FROM idempotency_keys"); },
                  "permission denied for table idempotency_keys");
}

BOOST_AUTO_TEST_CASE(a_role_given_write_grants_by_mistake_is_still_refused) {
    SeededDb db;
    LogBuilder& log = db.log;
    auto rogue = db.as("omnivibe_rogue");
    const std::string_view not_member = "is not a member of omnivibe_writer";
    check_refused([&] { insert(*rogue, log.next("client-2")); },
                  "only the omnivibe servers may change events");
    check_refused(
        [&] {
            rogue->run(kInsertClient, {2, "Other"});
        },
        "only the omnivibe servers may change clients");
    check_refused([&] { rogue->run("UPDATE clients SET name = 'x'"); }, not_member);
    check_refused([&] { rogue->run("DELETE FROM clients"); }, not_member);
    check_refused([&] { rogue->exec("TRUNCATE clients"); }, not_member);
    check_refused([&] { rogue->run("UPDATE events SET type = 'x'"); }, "append-only");
    check_refused([&] { rogue->run("DELETE FROM events"); }, "append-only");
    check_refused(
        [&] {
            rogue->run(
                "INSERT INTO idempotency_keys (actor, key, fingerprint, status, body, "
                "created_ms) VALUES ('a', 'k', 'f', 201, '{}', 0)");
        },
        "only the omnivibe servers may change idempotency_keys");
    check_refused([&] { rogue->run("INSERT INTO projection_state VALUES (1, 1, 1)"); },
                  "only the omnivibe servers may change projection_state");
    for (const char* table :
         {"streams", "campaigns", "content_schedule", "storyboard_blocks", "generated_scripts",
          "campaign_resources", "resource_library", "schema_migrations"})
        check_refused([&] { rogue->run("DELETE FROM " + std::string(table)); },
                      "only the omnivibe servers may change " + std::string(table));
    BOOST_TEST(db.conn->query_int("SELECT count(*) FROM clients").value() == 1);
    BOOST_TEST(db.conn->query_int("SELECT count(*) FROM events").value() == 1);
}

BOOST_AUTO_TEST_CASE(the_roles_script_runs_again_on_a_used_database) {
    SeededDb db;
    db.admin()->exec(test::PgCluster::roles_script());
    auto reader = db.as("omnivibe_frontend");
    BOOST_TEST(reader->query_int("SELECT count(*) FROM clients").value() == 1);
    check_refused([&] { reader->run("DELETE FROM clients"); },
                  "permission denied for table clients");
    db.conn->run(kInsertClient, {2, "Other"});
    db.log.append(*db.conn, db.log.next("client-2"));
    BOOST_TEST(reader->query_int("SELECT count(*) FROM events").value() == 2);
}

BOOST_AUTO_TEST_CASE(a_role_outside_the_groups_cannot_even_connect) {
    MigratedPgDb db;
    create_other_roles(db);
    auto stranger =
        Connection::open(test::PgCluster::instance().uri_as("omnivibe_stranger", db.name));
    BOOST_REQUIRE(!stranger);
    BOOST_TEST(stranger.error().detail.find("permission denied for database") != std::string::npos,
               stranger.error().detail);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pg_advisory_lock)

BOOST_AUTO_TEST_CASE(a_second_writer_waits_for_the_first_and_then_sees_its_commit) {
    MigratedPgDb db;
    constexpr std::int64_t kKey = 0x6f6d6e6977726974;
    auto first = pg_connect(db.uri);
    auto second = pg_connect(db.uri, "omnivibe-test-second-writer");
    LogBuilder log;
    auto first_tx = std::make_unique<Tx>(*first);
    first->advisory_xact_lock(kKey);
    // The second writer takes the lock, then reads the head, as the writers do.
    auto head_seen = std::async(std::launch::async, [&] {
        Tx tx(*second);
        second->advisory_xact_lock(kKey);
        const auto head = second->query_int("SELECT coalesce(max(seq), 0) FROM events").value();
        tx.commit();
        return head;
    });
    auto observer = pg_connect(db.uri);
    BOOST_REQUIRE(test::eventually([&] {
        return test::advisory_lock_waiters(*observer, "omnivibe-test-second-writer") == 1;
    }));
    log.append(*first, log.next("client-1"));
    first_tx->commit();
    BOOST_TEST(head_seen.get() == 1);
}

BOOST_AUTO_TEST_CASE(a_held_lock_is_refused_to_others_and_released_at_rollback) {
    MigratedPgDb db;
    constexpr std::int64_t kKey = 42;
    auto other = pg_connect(db.uri);
    {
        Tx tx(*db.conn);
        BOOST_TEST(db.conn->try_advisory_xact_lock(kKey));
        Tx other_tx(*other);
        BOOST_TEST(!other->try_advisory_xact_lock(kKey));
    }
    Tx tx(*other);
    BOOST_TEST(other->try_advisory_xact_lock(kKey));
}

BOOST_AUTO_TEST_CASE(a_transaction_scoped_lock_outside_a_transaction_is_refused) {
    MigratedPgDb db;
    BOOST_CHECK_THROW(db.conn->advisory_xact_lock(1), PgError);
    BOOST_CHECK_THROW((void)db.conn->try_advisory_xact_lock(1), PgError);
}

BOOST_AUTO_TEST_SUITE_END()
