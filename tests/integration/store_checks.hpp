#pragma once
// Checks on a stopped test server's store, on either store (the path or URI
// of TestServer::db_path()): the read tables as the server left them against
// what a rebuild from the log makes of them, by the product's own rebuild.

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/location.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/pg/pg_db.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/writer/pg_session.hpp"
#include "store/store_fixture.hpp"
#include "support/test_server.hpp"

namespace omnivibe::test {

struct ReadTables {
    std::string live;
    std::string rebuilt;
};

/// Every read table, then each of `queries`' rows, as text.
inline std::string dump_store(store::Db& db, const std::vector<std::string>& queries) {
    std::string out = dump_read_tables(db);
    for (const auto& sql : queries) {
        out += "== " + sql + "\n";
        store::Stmt& s = db.cached(sql);
        while (s.step())
            for (int c = 0; c < s.column_count(); ++c)
                (out += s.is_null(c) ? std::string("NULL") : std::string(s.column_text(c))) +=
                    c + 1 == s.column_count() ? '\n' : '|';
        s.reset();
    }
    return out;
}

/// The read tables (and `queries`) of a stopped server's store, before and
/// after the read tables are rebuilt from the log: on SQLite by
/// projection::rebuild, on PostgreSQL by the rebuild a server runs at start
/// when the layout version is not its own.
inline ReadTables live_and_rebuilt(const std::string& db,
                                   const std::vector<std::string>& queries = {}) {
    ReadTables out;
    if (!store::is_postgresql_uri(db)) {
        auto file = std::move(store::SqliteDb::open(db, store::OpenMode::read_write)).value();
        store::register_writer_guard(*file);
        out.live = dump_store(*file, queries);
        BOOST_REQUIRE(projection::rebuild(*file));
        out.rebuilt = dump_store(*file, queries);
        return out;
    }
    {
        auto conn = open_store(db);
        out.live = dump_store(*conn, queries);
        conn->exec("UPDATE projection_state SET version = 0");
    }
    auto session = writer::PgSession::open({.uri = db});
    BOOST_REQUIRE_MESSAGE(session, (session ? "" : session.error().detail));
    (*session)->close();
    auto conn = open_store(db);
    out.rebuilt = dump_store(*conn, queries);
    return out;
}

}  // namespace omnivibe::test
