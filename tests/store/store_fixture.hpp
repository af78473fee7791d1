#pragma once
// A migrated database on a writer connection, in a temporary folder.

#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "support/test_server.hpp"

namespace omnivibe::test {

struct WriterDb {
    TempDir dir;
    std::string path = dir.file("test.db");
    std::unique_ptr<store::SqliteDb> db;

    WriterDb() {
        auto opened = store::SqliteDb::open(path, store::OpenMode::read_write);
        if (!opened) throw std::runtime_error(opened.error().detail);
        db = std::move(opened).value();
        store::register_writer_guard(*db);
        auto applied = store::apply_migrations(*db);
        if (!applied) throw std::runtime_error(applied.error().detail);
    }

    /// Another connection, as the sqlite3 shell or the frontend would have.
    std::unique_ptr<store::SqliteDb> foreign() const {
        return std::move(store::SqliteDb::open(path, store::OpenMode::read_write)).value();
    }
};

}  // namespace omnivibe::test

#include "omnivibe/projection/projector.hpp"

namespace omnivibe::test {

/// Every row of every read table, as text, in a stable order: two databases
/// with equal dumps have equal read models.
inline std::string dump_read_tables(store::Db& db) {
    std::string out;
    for (auto table : projection::read_tables()) {
        out += "== ";
        out += table;
        out += '\n';
        store::Stmt& s = db.cached("SELECT * FROM " + std::string(table) + " ORDER BY 1, 2");
        while (s.step()) {
            for (int c = 0; c < s.column_count(); ++c) {
                if (c) out += '|';
                out += s.is_null(c) ? std::string("NULL") : std::string(s.column_text(c));
            }
            out += '\n';
        }
    }
    return out;
}

}  // namespace omnivibe::test
