#pragma once
// The SQLite store's write side: DbSession over the writer connection, plus
// what taking a database file means.
//
// SqliteSession::open is how a server takes a database: the owner lock
// (<db>.lock, see store/db_lock.hpp), the connection with the writer guard
// registered, the durability pragma, migrations, and a rebuild of the read
// tables when their layout version or head is behind the log. Tools and tests
// that already hold a writer connection use DbSession over it.
//
// The server's writer connection runs without the schema's triggers (the
// append checks stream versions itself), and a session from open()
// checkpoints the WAL on a thread and connection of its own.

#include <memory>
#include <string>

#include "omnivibe/core/result.hpp"
#include "omnivibe/store/db_lock.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/writer/db_session.hpp"

namespace omnivibe::writer {

class WalCheckpointer;

struct SqliteSessionOptions {
    std::string path;
    Durability durability = Durability::full;
    int busy_timeout_ms = 2000;
    std::string holder = "omnivibe-server";  ///< how the owner lock names its holder
};

class SqliteSession final : public DbSession {
  public:
    /// Takes ownership of the database's writes (see the file comment).
    static Result<std::unique_ptr<SqliteSession>> open(const SqliteSessionOptions& options);
    ~SqliteSession() override;

    /// A server's clean stop: checkpoints the WAL away, closes, drops the lock.
    void close() override;

  private:
    SqliteSession(store::DbLock lock, std::unique_ptr<store::SqliteDb> db);

    store::DbLock lock_;                             ///< held while this session owns the database
    std::unique_ptr<WalCheckpointer> checkpointer_;  ///< copies the WAL off the writer's thread
};

}  // namespace omnivibe::writer
