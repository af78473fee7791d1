#pragma once
// A fresh database on the test process's throwaway cluster, as the servers'
// role (omnivibe_server), optionally migrated.

#include <memory>
#include <stdexcept>
#include <string>

#include "omnivibe/store/pg/connection.hpp"
#include "omnivibe/store/pg/migrations.hpp"
#include "support/pg_cluster.hpp"

namespace omnivibe::test {

inline std::unique_ptr<store::pg::Connection> pg_connect(const std::string& uri,
                                                         std::string_view application_name = {}) {
    auto conn = store::pg::Connection::open(uri, application_name);
    if (!conn) throw std::runtime_error(conn.error().detail);
    return std::move(conn).value();
}

struct PgDb {
    std::string uri = PgCluster::instance().create_database();
    std::string name = PgCluster::database_of(uri);
    std::unique_ptr<store::pg::Connection> conn = pg_connect(uri);

    /// Another connection to the same database as `role`.
    std::unique_ptr<store::pg::Connection> as(std::string_view role) const {
        return pg_connect(PgCluster::instance().uri_as(role, name));
    }
    std::unique_ptr<store::pg::Connection> admin() const {
        return pg_connect(PgCluster::instance().admin_uri(name));
    }
};

struct MigratedPgDb : PgDb {
    MigratedPgDb() {
        auto applied = store::pg::apply_migrations(*conn);
        if (!applied) throw std::runtime_error(applied.error().detail);
    }
};

}  // namespace omnivibe::test
