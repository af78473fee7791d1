#include "omnivibe/store/db_lock.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "omnivibe/writer/writer.hpp"
#include "support/test_server.hpp"

using namespace omnivibe;
using namespace omnivibe::store;

BOOST_AUTO_TEST_SUITE(db_lock)

BOOST_AUTO_TEST_CASE(a_second_taker_is_refused_with_the_holder_named) {
    test::TempDir dir;
    const std::string db = dir.file("x.db");
    auto first = DbLock::acquire(db, "omnivibe-replay");
    BOOST_REQUIRE(first);
    auto second = DbLock::acquire(db, "omnivibe-import");
    BOOST_REQUIRE(!second);
    BOOST_TEST(second.error().code == ErrorCode::conflict);
    BOOST_TEST(second.error().detail.find("in use by omnivibe-replay (pid " +
                                          std::to_string(::getpid())) != std::string::npos,
               second.error().detail);
    BOOST_TEST(std::filesystem::exists(DbLock::lock_path(db)));
}

BOOST_AUTO_TEST_CASE(the_lock_is_free_again_once_released) {
    test::TempDir dir;
    const std::string db = dir.file("x.db");
    {
        auto first = DbLock::acquire(db, "a");
        BOOST_REQUIRE(first);
        first->release();
        BOOST_TEST(!first->held());
        BOOST_TEST(DbLock::acquire(db, "b").has_value());
    }
    auto moved_from = DbLock::acquire(db, "c");
    BOOST_REQUIRE(moved_from);
    DbLock owner = std::move(moved_from).value();
    BOOST_TEST(owner.held());
    BOOST_TEST(!DbLock::acquire(db, "d").has_value());
}

BOOST_AUTO_TEST_CASE(a_killed_holder_leaves_no_stale_lock) {
    test::TempDir dir;
    const std::string db = dir.file("x.db");
    int ready[2];
    BOOST_REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        auto lock = DbLock::acquire(db, "child");
        const char c = lock ? 'y' : 'n';
        (void)!::write(ready[1], &c, 1);
        for (;;) ::pause();
    }
    char c = 0;
    BOOST_REQUIRE(::read(ready[0], &c, 1) == 1);
    BOOST_REQUIRE(c == 'y');
    BOOST_TEST(!DbLock::acquire(db, "parent").has_value());
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    BOOST_TEST(DbLock::acquire(db, "parent").has_value());
}

BOOST_AUTO_TEST_CASE(a_running_writer_holds_its_database_until_stopped) {
    test::TempDir dir;
    const std::string db = dir.file("w.db");
    writer::Writer w(writer::WriterOptions{db}, {});
    BOOST_REQUIRE(w.start());
    auto taken = DbLock::acquire(db, "omnivibe-replay");
    BOOST_REQUIRE(!taken);
    BOOST_TEST(taken.error().detail.find("omnivibe-server") != std::string::npos);

    writer::Writer second(writer::WriterOptions{db}, {});
    auto started = second.start();
    BOOST_REQUIRE(!started);
    BOOST_TEST(started.error().code == ErrorCode::conflict);

    w.stop();
    BOOST_TEST(DbLock::acquire(db, "omnivibe-replay").has_value());
}

BOOST_AUTO_TEST_CASE(a_writer_does_not_start_while_a_tool_holds_the_database) {
    test::TempDir dir;
    const std::string db = dir.file("w.db");
    auto tool = DbLock::acquire(db, "omnivibe-import");
    BOOST_REQUIRE(tool);
    writer::Writer w(writer::WriterOptions{db}, {});
    auto started = w.start();
    BOOST_REQUIRE(!started);
    BOOST_TEST(started.error().detail.find("in use by omnivibe-import") != std::string::npos);
    BOOST_TEST(!std::filesystem::exists(db));  // refused before touching the database
}

BOOST_AUTO_TEST_SUITE_END()
