#pragma once
// Checks of a database file after the server wrote it, for the crash and
// fault-injection tests: the log's invariants (what omnivibe-audit verifies)
// and "the read tables equal a rebuild from the log" (what omnivibe-replay
// --verify does), both through the library so the rules exist once.

#include <boost/test/unit_test.hpp>
#include <map>
#include <string>
#include <vector>

#include "omnivibe/json/decode.hpp"
#include "omnivibe/projection/rebuild.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "store/store_fixture.hpp"

namespace omnivibe::test {

/// Every event of the database, read in one snapshot beside a running server.
inline std::vector<store::EventRow> read_whole_log(const std::string& db_path) {
    auto db = store::SqliteDb::open(db_path, store::OpenMode::read_only);
    if (!db) throw std::runtime_error("cannot open " + db_path + ": " + db.error().detail);
    store::Tx snapshot(**db, store::Tx::Kind::snapshot);
    return store::read_events(**db, store::EventQuery{0, INT64_MAX, {}, {}, {}});
}

/// seq 1..n without a gap, stream versions 1..k per stream, the hash chain
/// intact, and every row decodable.
inline void require_log_invariants(const std::vector<store::EventRow>& rows) {
    std::string prev(store::kGenesisHash);
    std::map<std::string, std::int64_t> versions;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        BOOST_TEST_CONTEXT("event at index " << i << " (seq " << r.seq << ")") {
            BOOST_REQUIRE_EQUAL(r.seq, static_cast<std::int64_t>(i) + 1);
            BOOST_REQUIRE_EQUAL(r.stream_version, ++versions[r.stream]);
            BOOST_REQUIRE_EQUAL(r.prev_hash, prev);
            BOOST_REQUIRE_EQUAL(r.hash, store::chain_hash(r.prev_hash, r));
            BOOST_REQUIRE(store::to_domain(r).has_value());
        }
        prev = r.hash;
    }
}

/// How many events each Idempotency-Key produced.
inline std::map<std::string, int> events_per_key(const std::vector<store::EventRow>& rows) {
    std::map<std::string, int> out;
    for (const auto& r : rows) {
        auto meta = json::parse_meta(r.meta);
        if (meta && !meta->idempotency_key.empty()) out[meta->idempotency_key]++;
    }
    return out;
}

/// Copies the database, rebuilds the copy's read
/// tables from its log and requires them equal to the live ones.
inline void require_rebuild_equals_live(const std::string& db_path, const std::string& scratch) {
    auto live = store::SqliteDb::open(db_path, store::OpenMode::read_only);
    BOOST_REQUIRE_MESSAGE(live, "cannot open " << db_path);
    // Call it with the server stopped: the copy and the dump then see one state.
    (*live)->exec("VACUUM INTO '" + scratch + "'");
    const std::string live_dump = dump_read_tables(**live);
    auto copy = store::SqliteDb::open(scratch, store::OpenMode::read_write);
    BOOST_REQUIRE_MESSAGE(copy, "cannot open the copy " << scratch);
    store::register_writer_guard(**copy);
    auto rebuilt = projection::rebuild(**copy);
    BOOST_REQUIRE_MESSAGE(rebuilt, "rebuild failed");
    BOOST_TEST(dump_read_tables(**copy) == live_dump);
}

}  // namespace omnivibe::test
