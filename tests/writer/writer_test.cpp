#include "omnivibe/writer/writer.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <latch>
#include <thread>

#include "omnivibe/projection/projector.hpp"
#include "omnivibe/projection/read_model.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/writer/sqlite_session.hpp"
#include "store/store_fixture.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::domain;

namespace {

writer::WriteRequest create_client(std::string name, std::string key = {}) {
    writer::WriteRequest w;
    w.command = CreateEntity{Kind::client,
                             {{"name", std::move(name)},
                              {"contact_email", Null{}},
                              {"industry", Null{}},
                              {"notes", Null{}}},
                             std::nullopt};
    w.meta.actor = "tester";
    w.meta.source = "test";
    w.meta.idempotency_key = key;
    w.fingerprint = key.empty() ? "" : "fp-" + key;
    // What the HTTP layer would keep; the writer stores it without reading it.
    w.render_kept = [](const writer::Applied& a) {
        return writer::KeptBody{201, "client " + std::to_string(a.id)};
    };
    return w;
}

struct WriterFixture {
    test::TempDir dir;
    std::vector<store::EventRow> published;
    std::mutex mutex;
    writer::Writer writer{writer::WriterOptions{dir.file("w.db")},
                          [this](std::vector<store::EventRow>&& rows) {
                              std::lock_guard lock(mutex);
                              for (auto& r : rows) published.push_back(std::move(r));
                          }};
    WriterFixture() { BOOST_REQUIRE(writer.start()); }

    Result<writer::Applied> submit_and_wait(writer::WriteRequest w) {
        std::promise<Result<writer::Applied>> p;
        auto f = p.get_future();
        writer.submit(std::move(w), [&p](Result<writer::Applied> r) { p.set_value(std::move(r)); });
        return f.get();
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(writer_actor)

BOOST_FIXTURE_TEST_CASE(a_write_is_answered_after_commit_with_version_and_seq, WriterFixture) {
    auto r = submit_and_wait(create_client("Acme"));
    BOOST_REQUIRE(r);
    BOOST_TEST((r->outcome == Decision::Outcome::created));
    BOOST_TEST(r->version == 1);
    BOOST_TEST(r->seq == 1);
    BOOST_REQUIRE(r->entity);
    BOOST_TEST(*get_string(r->entity->fields, "name") == "Acme");
    BOOST_TEST(!r->replayed);
    BOOST_TEST(writer.head() == 1);
    // Committed, so another connection sees it.
    auto other = store::SqliteDb::open(dir.file("w.db"), store::OpenMode::read_only);
    BOOST_REQUIRE(other);
    BOOST_TEST((*other)->query_int("SELECT count(*) FROM clients").value() == 1);
    std::lock_guard lock(mutex);
    BOOST_TEST(published.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(queued_commands_commit_together_and_a_failing_one_fails_alone,
                        WriterFixture) {
    // Hold the writer inside the first command's callback while 100 more queue
    // up, so the next batch deterministically holds all of them.
    // The callback runs on the writer thread: it only records, the test thread checks.
    std::latch entered(1), queued(1);
    std::promise<void> first_done;
    bool first_ok = false;
    writer.submit(create_client("first"), [&](Result<writer::Applied> r) {
        first_ok = r.has_value();
        entered.count_down();
        queued.wait();
        first_done.set_value();
    });
    entered.wait();  // the writer now holds its (one-command) batch
    std::vector<std::future<Result<writer::Applied>>> results;
    std::vector<std::shared_ptr<std::promise<Result<writer::Applied>>>> promises;
    for (int i = 0; i < 100; ++i) {
        auto p = std::make_shared<std::promise<Result<writer::Applied>>>();
        results.push_back(p->get_future());
        // Number 50 takes a name already used in this same batch: a conflict.
        const std::string name = i == 50 ? "client 10" : "client " + std::to_string(i);
        writer.submit(create_client(name),
                      [p](Result<writer::Applied> r) { p->set_value(std::move(r)); });
    }
    const auto batches_before = writer.stats().batches.load();
    queued.count_down();
    first_done.get_future().wait();
    BOOST_TEST(first_ok);
    int ok = 0, conflicts = 0;
    for (auto& f : results) {
        auto r = f.get();
        if (r)
            ++ok;
        else if (r.error().code == ErrorCode::conflict)
            ++conflicts;
    }
    BOOST_TEST(ok == 99);
    BOOST_TEST(conflicts == 1);
    BOOST_TEST(writer.stats().batches.load() == batches_before + 1);
    BOOST_TEST(writer.stats().max_batch_size.load() == 100u);
    BOOST_TEST(writer.head() == 100);  // 1 + 99 events, no gap from the failed one
    // The conflict was found by decide(), before a write: no second run.
    BOOST_TEST(writer.stats().isolated_reruns.load() == 0u);
}

// A command that fails after it wrote (here: keeping its answer fails) sends
// the batch round again with a savepoint per command; it fails alone and
// leaves nothing, and the others commit as if it had never been there.
BOOST_FIXTURE_TEST_CASE(a_command_failing_after_its_writes_fails_alone, WriterFixture) {
    std::latch entered(1), queued(1);
    std::promise<void> first_done;
    writer.submit(create_client("first"), [&](Result<writer::Applied>) {
        entered.count_down();
        queued.wait();
        first_done.set_value();
    });
    entered.wait();
    std::vector<std::future<Result<writer::Applied>>> results;
    for (int i = 0; i < 20; ++i) {
        auto p = std::make_shared<std::promise<Result<writer::Applied>>>();
        results.push_back(p->get_future());
        auto w = create_client("client " + std::to_string(i), i == 7 ? "key-7" : "");
        if (i == 7)
            w.render_kept = [](const writer::Applied&) -> writer::KeptBody {
                throw store::StoreError(Error::make(ErrorCode::internal, "simulated"));
            };
        writer.submit(std::move(w), [p](Result<writer::Applied> r) { p->set_value(std::move(r)); });
    }
    const auto batches_before = writer.stats().batches.load();
    queued.count_down();
    first_done.get_future().wait();
    std::vector<std::int64_t> seqs;
    for (int i = 0; i < 20; ++i) {
        auto r = results[i].get();
        if (i == 7) {
            BOOST_REQUIRE(!r);
            BOOST_TEST(r.error().detail == "simulated");
            continue;
        }
        BOOST_REQUIRE(r);
        seqs.push_back(r->seq);
    }
    // One batch, run twice; its 19 events follow the first one without a gap.
    BOOST_TEST(writer.stats().batches.load() == batches_before + 1);
    BOOST_TEST(writer.stats().isolated_reruns.load() == 1u);
    for (std::size_t i = 0; i < seqs.size(); ++i) BOOST_TEST(seqs[i] == std::int64_t(i) + 2);
    BOOST_TEST(writer.head() == 20);
    auto db = store::SqliteDb::open(dir.file("w.db"), store::OpenMode::read_only);
    BOOST_REQUIRE(db);
    BOOST_TEST((*db)->query_int("SELECT count(*) FROM events").value() == 20);
    BOOST_TEST((*db)->query_int("SELECT count(*) FROM clients WHERE name = 'client 7'").value() ==
               0);
    BOOST_TEST((*db)->query_int("SELECT count(*) FROM idempotency_keys").value() == 0);
}

BOOST_FIXTURE_TEST_CASE(an_idempotency_key_replays_the_stored_response, WriterFixture) {
    auto first = submit_and_wait(create_client("Acme", "key-1"));
    BOOST_REQUIRE(first);
    auto again = submit_and_wait(create_client("Acme", "key-1"));
    BOOST_REQUIRE(again);
    BOOST_TEST(!first->replayed);
    BOOST_REQUIRE(again->replayed);
    BOOST_TEST(again->replayed->body == "client 1");
    BOOST_TEST(again->replayed->status == 201);
    BOOST_TEST(again->version == first->version);
    BOOST_TEST(again->seq == first->seq);
    BOOST_TEST(again->rows.empty());
    BOOST_TEST(writer.head() == 1);
    auto other = create_client("Other", "key-1");
    other.fingerprint = "a different body";
    auto reused = submit_and_wait(std::move(other));
    BOOST_REQUIRE(!reused);
    BOOST_TEST(reused.error().code == ErrorCode::idempotency_key_reused);
}

BOOST_FIXTURE_TEST_CASE(a_deletion_asked_for_its_entity_answers_with_none, WriterFixture) {
    BOOST_REQUIRE(submit_and_wait(create_client("Acme")));
    writer::WriteRequest del;
    del.command = DeleteEntity{Kind::client, 1, std::nullopt};
    del.meta.actor = "tester";
    del.view = writer::View::entity;  // not what the DELETE route asks, but not an error
    auto r = submit_and_wait(std::move(del));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().detail));
    BOOST_TEST((r->outcome == Decision::Outcome::deleted));
    BOOST_TEST(!r->entity);
    BOOST_TEST(r->seq == 2);
}

BOOST_AUTO_TEST_CASE(a_restarted_writer_continues_the_log) {
    test::TempDir dir;
    const std::string path = dir.file("w.db");
    for (int round = 0; round < 2; ++round) {
        writer::Writer w(writer::WriterOptions{path}, {});
        BOOST_REQUIRE(w.start());
        std::promise<Result<writer::Applied>> p;
        w.submit(create_client("c" + std::to_string(round)),
                 [&p](Result<writer::Applied> r) { p.set_value(std::move(r)); });
        auto r = p.get_future().get();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->seq == round + 1);
        w.stop();
    }
}

BOOST_AUTO_TEST_CASE(a_changed_projection_version_rebuilds_the_read_tables_at_start) {
    test::TempDir dir;
    const std::string path = dir.file("w.db");
    auto run = [](writer::Writer& w, writer::WriteRequest req) {
        std::promise<Result<writer::Applied>> p;
        w.submit(std::move(req), [&p](Result<writer::Applied> r) { p.set_value(std::move(r)); });
        BOOST_REQUIRE(p.get_future().get());
    };
    {
        writer::Writer w(writer::WriterOptions{path}, {});
        BOOST_REQUIRE(w.start());
        run(w, create_client("Acme"));
        run(w, create_client("Globex"));
        writer::WriteRequest rename;
        rename.command = UpdateEntity{Kind::client, 2, {{"name", std::string("Globex Inc")}}, 1};
        rename.meta.actor = "tester";
        run(w, std::move(rename));
        w.stop();
    }
    std::string before;
    {
        // As a database written by an older layout would look: another version
        // recorded, and (to prove the tables are really rebuilt, not kept) a
        // row the old layout would have written differently.
        auto db = std::move(store::SqliteDb::open(path, store::OpenMode::read_write)).value();
        store::register_writer_guard(*db);
        before = test::dump_read_tables(*db);
        db->exec("UPDATE projection_state SET version = version + 1");
        db->exec("UPDATE clients SET name = 'stale' WHERE id = 1");
    }
    writer::Writer w(writer::WriterOptions{path}, {});
    BOOST_REQUIRE(w.start());
    w.stop();
    auto db = std::move(store::SqliteDb::open(path, store::OpenMode::read_only)).value();
    BOOST_TEST(test::dump_read_tables(*db) == before);
    const auto state = projection::read_projection_state(*db);
    BOOST_TEST(state.version == projection::kProjectionVersion);
    BOOST_TEST(state.head == 3);
}

// The writer's connection runs without the schema's triggers; its session
// still refuses an event that skips a stream version.
BOOST_AUTO_TEST_CASE(the_session_refuses_a_gap_in_a_stream) {
    test::TempDir dir;
    auto opened = writer::SqliteSession::open({.path = dir.file("w.db")});
    BOOST_REQUIRE(opened);
    writer::SqliteSession& session = **opened;
    domain::Event ev;
    ev.type = EventType::client_created;
    ev.kind = Kind::client;
    ev.entity_id = 1;
    ev.stream_version = 2;
    ev.recorded_at = 1770028200000;
    ev.data = {{"name", std::string("Acme")}};
    session.begin();
    BOOST_CHECK_EXCEPTION(session.append(ev), store::StoreError, [](const store::StoreError& e) {
        return e.error().detail.find("without gaps") != std::string::npos;
    });
    session.rollback();
    session.close();
}

// The writer's session copies the WAL into the database file on a thread of
// its own once the WAL passes 4,000 pages, well before the writer would do it
// itself (16,000): the file grows while the session stays open and idle.
BOOST_AUTO_TEST_CASE(the_session_checkpoints_the_wal_while_it_is_open) {
    test::TempDir dir;
    const std::string path = dir.file("w.db");
    auto opened = writer::SqliteSession::open({.path = path});
    BOOST_REQUIRE(opened);
    writer::SqliteSession& session = **opened;
    const auto before = std::filesystem::file_size(path);
    // About 25 overflow pages per answer: 200 commits put some 5,000 pages in the WAL.
    const std::string body(100'000, 'x');
    for (int i = 0; i < 200; ++i) {
        session.begin();
        session.keep_answer("tester", "key-" + std::to_string(i),
                            store::KeptAnswer{.fingerprint = "fp", .status = 201, .body = body});
        session.commit();
    }
    // Most of those pages are in the file once a checkpoint has run (without
    // one, it holds none of them).
    const auto copied = std::uintmax_t{3000} * 4096;
    for (int i = 0; i < 2000 && std::filesystem::file_size(path) < before + copied; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    BOOST_TEST(std::filesystem::file_size(path) >= before + copied);
    session.close();
}

BOOST_AUTO_TEST_SUITE_END()
