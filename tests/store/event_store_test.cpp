#include "omnivibe/store/event_store.hpp"

#include <boost/test/unit_test.hpp>

#include "omnivibe/json/encode.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "store/store_fixture.hpp"

using namespace omnivibe;
using namespace omnivibe::store;

namespace {

domain::Event client_created(std::int64_t id, std::string name) {
    domain::Event ev;
    ev.type = domain::EventType::client_created;
    ev.kind = domain::Kind::client;
    ev.entity_id = id;
    ev.stream_version = 1;
    ev.recorded_at = 1770028200000;
    ev.data = {{"name", std::move(name)}};
    ev.meta.actor = "tester";
    ev.meta.source = "test";
    return ev;
}

void expect_sql_fails(Db& db, const std::string& sql, std::string_view message_part) {
    try {
        db.exec(sql);
        BOOST_FAIL("expected failure of: " + sql);
    } catch (const SqliteError& e) {
        BOOST_TEST_CONTEXT(sql) {
            BOOST_TEST(e.error().detail.find(message_part) != std::string::npos, e.error().detail);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_store)

BOOST_AUTO_TEST_CASE(append_assigns_contiguous_seq_and_chains_hashes) {
    test::WriterDb w;
    EventStore log(*w.db);
    log.load_head();
    Tx tx(*w.db);
    auto e1 = client_created(1, "A");
    auto e2 = client_created(2, "B");
    auto r1 = log.append(e1);
    auto r2 = log.append(e2);
    tx.commit();
    BOOST_TEST(r1.seq == 1);
    BOOST_TEST(r2.seq == 2);
    BOOST_TEST(r1.prev_hash == std::string(kGenesisHash));
    BOOST_TEST(r2.prev_hash == r1.hash);
    BOOST_TEST(r2.hash == chain_hash(r1.hash, r2));
    auto rows = read_events(*w.db, EventQuery{});
    BOOST_REQUIRE(rows.size() == 2u);
    BOOST_TEST(rows[1].hash == r2.hash);
    BOOST_TEST(rows[0].actor == "tester");
}

BOOST_AUTO_TEST_CASE(the_hash_covers_every_column) {
    test::WriterDb w;
    EventStore log(*w.db);
    auto e = client_created(1, "A");
    Tx tx(*w.db);
    auto row = log.append(e);
    tx.commit();
    auto altered = row;
    altered.data = R"({"name":"B"})";
    BOOST_TEST(chain_hash(row.prev_hash, altered) != row.hash);
    altered = row;
    altered.recorded_at = "2026-02-02T10:30:00.001Z";
    BOOST_TEST(chain_hash(row.prev_hash, altered) != row.hash);
}

BOOST_AUTO_TEST_CASE(stored_rows_decode_back_to_the_domain_event) {
    test::WriterDb w;
    EventStore log(*w.db);
    auto e = client_created(1, "밝은눈");
    Tx tx(*w.db);
    log.append(e);
    tx.commit();
    auto back = to_domain(read_events(*w.db, EventQuery{})[0]);
    BOOST_REQUIRE(back);
    BOOST_TEST(back->entity_id == 1);
    BOOST_TEST(back->recorded_at == e.recorded_at);
    BOOST_TEST(*domain::get_string(back->data, "name") == "밝은눈");
    BOOST_TEST(back->meta.actor == "tester");
}

BOOST_AUTO_TEST_CASE(events_are_append_only_even_for_the_writer) {
    test::WriterDb w;
    EventStore log(*w.db);
    auto e = client_created(1, "A");
    {
        Tx tx(*w.db);
        log.append(e);
        tx.commit();
    }
    expect_sql_fails(*w.db, "UPDATE events SET data = '{}'", "append-only");
    expect_sql_fails(*w.db, "DELETE FROM events", "append-only");
}

BOOST_AUTO_TEST_CASE(other_connections_cannot_write_the_log_or_read_tables) {
    test::WriterDb w;
    auto other = w.foreign();
    expect_sql_fails(*other,
                     "INSERT INTO events (seq, stream, stream_version, type, data, meta, "
                     "recorded_at, prev_hash, hash) VALUES (1,'client-1',1,'client.created','{}',"
                     "'{}','x','x','x')",
                     "omnivibe_writer_only");
    expect_sql_fails(*other,
                     "INSERT INTO clients (id, name, version, created_at, updated_at) "
                     "VALUES (1,'x',1,'t','t')",
                     "omnivibe_writer_only");
    expect_sql_fails(*other, "DELETE FROM campaigns", "omnivibe_writer_only");
    expect_sql_fails(*other, "UPDATE content_schedule SET topic = 'x'", "omnivibe_writer_only");
}

BOOST_AUTO_TEST_CASE(the_schema_refuses_gaps_in_seq_and_stream_versions) {
    test::WriterDb w;
    expect_sql_fails(*w.db,
                     "INSERT INTO events (seq, stream, stream_version, type, data, meta, "
                     "recorded_at, prev_hash, hash) VALUES (2,'client-1',1,'client.created','{}',"
                     "'{}','x','x','x')",
                     "without gaps");
    expect_sql_fails(*w.db,
                     "INSERT INTO events (seq, stream, stream_version, type, data, meta, "
                     "recorded_at, prev_hash, hash) VALUES (1,'client-1',2,'client.created','{}',"
                     "'{}','x','x','x')",
                     "without gaps");
}

// The server's writer connection runs without the schema's triggers: append
// itself must refuse a stream version that does not follow the stream's last.
BOOST_AUTO_TEST_CASE(append_refuses_gaps_in_stream_versions_without_the_triggers) {
    test::WriterDb w;
    sqlite3_db_config(w.db->handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    EventStore log(*w.db);
    log.load_head();
    log.check_versions();
    Tx tx(*w.db);
    auto skipped = client_created(1, "A");
    skipped.stream_version = 2;
    BOOST_CHECK_EXCEPTION(log.append(skipped), StoreError, [](const StoreError& e) {
        return e.error().detail.find("without gaps") != std::string::npos;
    });
    auto first = client_created(1, "A");
    BOOST_TEST(log.append(first).stream_version == 1);
    auto again = client_created(1, "A");
    BOOST_CHECK_EXCEPTION(log.append(again), StoreError, [](const StoreError& e) {
        return e.error().detail.find("client-1 is at version 1, so the next is 2, not 1") !=
               std::string::npos;
    });
    auto next = client_created(1, "A");
    next.stream_version = 2;
    BOOST_TEST(log.append(next).seq == 2);
}

BOOST_AUTO_TEST_CASE(load_head_resumes_the_chain_after_a_restart) {
    test::WriterDb w;
    std::string last_hash;
    {
        EventStore log(*w.db);
        Tx tx(*w.db);
        auto e = client_created(1, "A");
        last_hash = log.append(e).hash;
        tx.commit();
    }
    EventStore again(*w.db);
    again.load_head();
    BOOST_TEST(again.head().seq == 1);
    BOOST_TEST(again.head().hash == last_hash);
}

BOOST_AUTO_TEST_CASE(read_events_filters_by_exact_types_and_type_prefixes) {
    test::WriterDb w;
    EventStore log(*w.db);
    log.load_head();
    Tx tx(*w.db);
    auto c1 = client_created(1, "A");
    log.append(c1);
    domain::Event renamed = client_created(1, "B");
    renamed.type = domain::EventType::client_updated;
    renamed.stream_version = 2;
    log.append(renamed);
    domain::Event campaign = client_created(1, "S");
    campaign.type = domain::EventType::campaign_created;
    campaign.kind = domain::Kind::campaign;
    campaign.campaign_id = 1;
    log.append(campaign);
    tx.commit();

    auto seqs = [&](EventQuery q) {
        std::vector<std::int64_t> out;
        for (const auto& r : read_events(*w.db, q)) out.push_back(r.seq);
        return out;
    };
    EventQuery exact;
    exact.types = {"client.updated", "campaign.created"};
    BOOST_TEST(seqs(exact) == (std::vector<std::int64_t>{2, 3}), boost::test_tools::per_element());
    EventQuery prefix;
    prefix.type_prefixes = {"client."};
    BOOST_TEST(seqs(prefix) == (std::vector<std::int64_t>{1, 2}), boost::test_tools::per_element());
    EventQuery both;
    both.types = {"campaign.created"};
    both.type_prefixes = {"client."};
    both.after = 1;
    both.up_to = 2;
    BOOST_TEST(seqs(both) == (std::vector<std::int64_t>{2}), boost::test_tools::per_element());
}

// Regression (fuzz_event_data): a row of stream "block-04" decoded, and its
// envelope carried "entity_id":04, which is not JSON.
BOOST_AUTO_TEST_CASE(only_canonical_stream_names_decode_and_envelopes_stay_json) {
    BOOST_TEST(domain::parse_stream("block-4").has_value());
    for (const char* bad : {"block-04", "block-+4", "block-", "block-0", "block--4", "block4"})
        BOOST_TEST(!domain::parse_stream(bad).has_value(), bad);
    EventRow row;
    row.seq = 1;
    row.stream = "block-04";
    row.stream_version = 1;
    row.type = "storyboard.block_added";
    row.data = R"({"content_id":2,"position":0,"block_type":"hook"})";
    row.meta = R"({"actor":"a","source":"api"})";
    row.recorded_at = "2026-02-02T10:30:00.000Z";
    BOOST_TEST(!to_domain(row).has_value());
    json::Writer w;
    json::write_envelope(w, json::EnvelopeView{1, "block-04", 1, row.type, row.recorded_at, "a",
                                               std::nullopt, row.data, ""});
    BOOST_TEST(w.view().find(R"("entity_id":4,)") != std::string_view::npos, w.view());
    w.clear();
    json::write_envelope(w, json::EnvelopeView{1, "nodash", 1, row.type, row.recorded_at, "a",
                                               std::nullopt, row.data, ""});
    BOOST_TEST(w.view().find(R"("entity_id":null,)") != std::string_view::npos, w.view());
}

BOOST_AUTO_TEST_SUITE_END()
