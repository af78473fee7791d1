#pragma once
// A fresh database on the test process's throwaway cluster, as the servers'
// role (omnivibe_server), optionally migrated.

#include <boost/test/unit_test.hpp>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

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

/// The error a statement throws; fails the test if it does not throw.
inline store::pg::PgError error_of(const std::function<void()>& statement) {
    try {
        statement();
    } catch (const store::pg::PgError& e) {
        return e;
    }
    BOOST_FAIL("the statement did not fail");
    throw std::logic_error("unreachable");
}

inline bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

/// How many backends named `application_name` wait for an advisory lock,
/// seen from `observer` (outside any transaction: pg_stat_activity is read
/// once per transaction).
inline std::int64_t advisory_lock_waiters(store::pg::Connection& observer,
                                          std::string_view application_name) {
    return observer
        .query_int(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s USING (pid) "
            "WHERE l.locktype = 'advisory' AND NOT l.granted AND s.application_name = $1",
            {application_name})
        .value_or(0);
}

}  // namespace omnivibe::test
