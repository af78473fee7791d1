#include "omnivibe/store/log_audit.hpp"

#include <boost/test/unit_test.hpp>

#include "omnivibe/store/sqlite_db.hpp"
#include "store/store_fixture.hpp"

using namespace omnivibe;
using namespace omnivibe::store;

namespace {

// A log of `n` client.created events on a migrated writer database.
struct Log {
    test::WriterDb w;
    EventStore store{*w.db};
    explicit Log(int n) {
        store.load_head();
        Tx tx(*w.db);
        for (int i = 1; i <= n; ++i) {
            domain::Event ev;
            ev.type = domain::EventType::client_created;
            ev.kind = domain::Kind::client;
            ev.entity_id = i;
            ev.stream_version = 1;
            ev.recorded_at = 1770028200000 + i;
            ev.data = {{"name", "client " + std::to_string(i)}};
            ev.meta.actor = "tester";
            store.append(ev);
        }
        tx.commit();
    }
    std::string hash_at(std::int64_t seq) {
        SqliteStmt s(w.db->handle(), "SELECT hash FROM events WHERE seq = ?");
        s.bind(1, seq);
        s.step();
        return std::string(s.column_text(0));
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(log_audit)

BOOST_AUTO_TEST_CASE(an_intact_log_passes_with_its_head_and_anchor) {
    Log log(5);
    const auto check = verify_log(*log.w.db, Anchor{3, log.hash_at(3)});
    BOOST_TEST(!check.problem.has_value());
    BOOST_TEST(check.events == 5);
    BOOST_TEST(check.head.seq == 5);
    BOOST_TEST(check.head.hash == log.hash_at(5));
    BOOST_TEST(check.anchor_matched);
    BOOST_TEST(check_guards(*log.w.db).empty());
}

BOOST_AUTO_TEST_CASE(an_edited_event_is_named_by_its_seq) {
    Log log(5);
    log.w.db->exec("DROP TRIGGER events_no_update");
    log.w.db->exec("UPDATE events SET data = '{\"name\":\"someone else\"}' WHERE seq = 4");
    const auto check = verify_log(*log.w.db);
    BOOST_REQUIRE(check.problem.has_value());
    BOOST_TEST(check.problem->seq == 4);
    BOOST_TEST(check.problem->what.find("changed after it was written") != std::string::npos);
    BOOST_TEST(check.events == 3);
    const auto guards = check_guards(*log.w.db);
    BOOST_REQUIRE(guards.size() == 1u);
    BOOST_TEST(guards[0] == "trigger events_no_update is missing");
}

BOOST_AUTO_TEST_CASE(a_removed_event_is_named_as_a_gap) {
    Log log(5);
    log.w.db->exec("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 2");
    const auto check = verify_log(*log.w.db);
    BOOST_REQUIRE(check.problem.has_value());
    BOOST_TEST(check.problem->seq == 2);
    BOOST_TEST(check.problem->what.find("jumps from seq 1 to seq 3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_rewritten_chain_only_fails_against_its_anchor) {
    Log log(5);
    const Anchor anchor{5, log.hash_at(5)};
    // Rewrite seq 2 and recompute every later hash: the chain is consistent again.
    log.w.db->exec("DROP TRIGGER events_no_update");
    auto rows = read_events(*log.w.db, EventQuery{});
    rows[1].data = "{\"name\":\"forged\"}";
    std::string prev = rows[0].hash;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        rows[i].prev_hash = prev;
        rows[i].hash = chain_hash(prev, rows[i]);
        prev = rows[i].hash;
        SqliteStmt(log.w.db->handle(),
                   "UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?")
            .bind(1, rows[i].data)
            .bind(2, rows[i].prev_hash)
            .bind(3, rows[i].hash)
            .bind(4, rows[i].seq)
            .run();
    }
    BOOST_TEST(!verify_log(*log.w.db).problem.has_value());
    const auto check = verify_log(*log.w.db, anchor);
    BOOST_REQUIRE(check.problem.has_value());
    BOOST_TEST(check.problem->seq == 5);
    BOOST_TEST(check.problem->what.find("not the one that was anchored") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_anchor_beyond_the_log_fails) {
    Log log(2);
    const auto check = verify_log(*log.w.db, Anchor{9, std::string(64, 'a')});
    BOOST_REQUIRE(check.problem.has_value());
    BOOST_TEST(check.problem->what.find("the log ends at seq 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(anchors_are_parsed_strictly) {
    const std::string hash(64, 'f');
    BOOST_TEST(parse_anchor("12:" + hash).has_value());
    BOOST_TEST(parse_anchor("12:" + hash)->seq == 12);
    BOOST_TEST(!parse_anchor("12" + hash).has_value());
    BOOST_TEST(!parse_anchor("0:" + hash).has_value());
    BOOST_TEST(!parse_anchor("12:" + hash.substr(1)).has_value());
    BOOST_TEST(!parse_anchor("12:" + std::string(64, 'F')).has_value());
}

BOOST_AUTO_TEST_CASE(copy_log_copies_up_to_a_seq_through_the_targets_triggers) {
    Log source(5);
    test::WriterDb target;
    BOOST_TEST(copy_log(*target.db, source.w.path, 3) == 3);
    const auto check = verify_log(*target.db);
    BOOST_TEST(!check.problem.has_value());
    BOOST_TEST(check.head.hash == source.hash_at(3));
}

BOOST_AUTO_TEST_SUITE_END()
