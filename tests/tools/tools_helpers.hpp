#pragma once
// Running the built tools against databases made for the test: the legacy
// fixture built with the sqlite3 shell, imports, copies, and connections that
// change a database behind the tools' back.

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "omnivibe/core/sha256.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "support/test_server.hpp"

namespace omnivibe::test {

/// Runs build/bin/<name> with `args`.
inline CommandResult tool(std::string_view name, const std::string& args) {
    return run_command(binary_path(name) + " " + args);
}

/// A file under tests/fixtures/ of the source tree.
inline std::string fixture(std::string_view relative) {
    const char* src = std::getenv("OMNIVIBE_SOURCE_DIR");
    return (std::filesystem::path(src ? src : "..") / "tests" / "fixtures" / relative).string();
}

/// Builds dir/legacy.db from the legacy fixture, then runs `extra_sql` on it.
inline std::string make_legacy(const TempDir& dir, const std::string& extra_sql = "") {
    const std::string path = dir.file("legacy.db");
    auto r = run_command("sqlite3 " + path + " < " + fixture("legacy/legacy-omnivibe.sql"));
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "building the legacy database: " + r.output);
    if (!extra_sql.empty()) {
        std::ofstream(dir.file("extra.sql")) << extra_sql;
        r = run_command("sqlite3 " + path + " < " + dir.file("extra.sql"));
        BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "changing the legacy database: " + r.output);
    }
    return path;
}

/// Imports the fixture into dir/omnivibe.db and requires success.
inline std::string import_fixture(const TempDir& dir) {
    const std::string legacy = make_legacy(dir);
    const std::string db = dir.file("omnivibe.db");
    auto r = tool("omnivibe-import", "--legacy " + legacy + " --db " + db);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    return db;
}

/// A connection that may write (the writer-only guard registered), as if
/// someone with the library in hand changed the file behind the tools' back.
inline std::unique_ptr<store::SqliteDb> writer_connection(const std::string& path) {
    auto db = store::SqliteDb::open(path, store::OpenMode::read_write);
    BOOST_REQUIRE_MESSAGE(db.has_value(), "opening " + path);
    store::register_writer_guard(**db);
    return std::move(db).value();
}

/// One integer from a read-only query.
inline std::int64_t scalar(const std::string& path, const std::string& sql) {
    auto db = store::SqliteDb::open(path, store::OpenMode::read_only);
    BOOST_REQUIRE(db.has_value());
    store::SqliteStmt s((*db)->handle(), sql);
    BOOST_REQUIRE_MESSAGE(s.step(), sql);
    return s.column_int(0);
}

/// One text from a read-only query.
inline std::string text(const std::string& path, const std::string& sql) {
    auto db = store::SqliteDb::open(path, store::OpenMode::read_only);
    BOOST_REQUIRE(db.has_value());
    store::SqliteStmt s((*db)->handle(), sql);
    BOOST_REQUIRE_MESSAGE(s.step(), sql);
    return s.is_null(0) ? "NULL" : std::string(s.column_text(0));
}

/// Copies a database that no one has open (its WAL checkpointed away).
inline std::string copy_db(const std::string& from, const std::string& to) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
    return to;
}

/// SHA-256 of a file's bytes.
inline std::string file_hash(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return sha256_hex(ss.str());
}

inline bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace omnivibe::test
