// One truth for state: the in-memory StateView the domain tests decide
// against (test::MemoryState) and the SQLite one the writer decides against
// (writer::DbState) must answer every question alike. Each case builds
// the same world in both — in memory by hand, in SQLite through the
// projector, as the log would — and asks both the same questions.

#include <boost/test/unit_test.hpp>

#include "domain/memory_state.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/writer/db_session.hpp"
#include "store/store_fixture.hpp"

using namespace omnivibe;
using domain::Kind;

namespace {

// The same world in both states.
struct Worlds {
    test::MemoryState memory;
    test::WriterDb w;
    projection::Projector projector{*w.db};
    writer::DbState sqlite{*w.db};
    std::int64_t seq = 0;

    void project(domain::EventType type, Kind kind, std::int64_t id, std::int64_t version,
                 domain::Fields data) {
        domain::Event ev;
        ev.seq = ++seq;
        ev.type = type;
        ev.kind = kind;
        ev.entity_id = id;
        ev.stream_version = version;
        ev.recorded_at = 1770028200000 + seq * 1000;
        ev.data = std::move(data);
        store::Tx tx(*w.db);
        projector.apply(ev);
        tx.commit();
    }

    void create(domain::EventType type, Kind kind, std::int64_t id, domain::Fields fields) {
        memory.put(kind, id, fields);
        project(type, kind, id, 1, std::move(fields));
    }
    void remove(domain::EventType type, Kind kind, std::int64_t id, std::int64_t version) {
        memory.remove(kind, id);
        project(type, kind, id, version, {});
    }
    void attach(std::int64_t campaign, std::int64_t version, std::string type) {
        memory.attach(campaign, type);
        project(domain::EventType::campaign_resource_attached, Kind::campaign, campaign, version,
                {{"resource_type", type},
                 {"filename", std::string("clip.mp4")},
                 {"content_type", std::string("video/mp4")},
                 {"size", std::int64_t{10}},
                 {"sha256", std::string(64, 'a')},
                 {"path", std::string("/x")}});
    }

    // Every question, both ways.
    void same_children(Kind child, std::int64_t parent) {
        BOOST_TEST(memory.children(child, parent) == sqlite.children(child, parent),
                   boost::test_tools::per_element());
    }
    void same_last_id(Kind kind) { BOOST_TEST(memory.last_id(kind) == sqlite.last_id(kind)); }
    void same_client_named(std::string_view name) {
        BOOST_TEST((memory.client_named(name) == sqlite.client_named(name)), name);
    }
    void same_entity(Kind kind, std::int64_t id) {
        const auto m = memory.find(kind, id);
        const auto s = sqlite.find(kind, id);
        BOOST_REQUIRE(m.has_value() == s.has_value());
        if (!m) return;
        BOOST_TEST(m->id == s->id);
        BOOST_TEST(m->version == s->version);
        // Every field the memory world was given reads back equal from SQLite.
        for (const auto& [name, value] : m->fields) {
            const domain::Value* there = domain::find(s->fields, name);
            BOOST_REQUIRE_MESSAGE(there, name);
            BOOST_TEST((*there == value), name);
        }
        BOOST_TEST(s->computed.empty());  // decide() never reads computed fields
    }
};

domain::Fields client(std::string name) { return {{"name", std::move(name)}}; }
domain::Fields campaign(std::int64_t client_id, std::string name) {
    return {{"client_id", client_id},
            {"name", std::move(name)},
            {"status", std::string("draft")},
            {"bgm_volume", 0.3},
            {"auto_deploy", false}};
}
domain::Fields content(std::int64_t campaign_id, std::string topic) {
    return {{"campaign_id", campaign_id},
            {"topic", std::move(topic)},
            {"status", std::string("draft")},
            {"keywords", domain::StringList{}}};
}
domain::Fields block(std::int64_t content_id, std::int64_t position) {
    return {{"content_id", content_id},
            {"position", position},
            {"block_type", std::string("body")},
            {"transition", std::string("cut")}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(state_view_contract)

BOOST_AUTO_TEST_CASE(an_empty_world_has_nothing_in_either) {
    Worlds w;
    for (Kind kind : {Kind::client, Kind::campaign, Kind::content, Kind::block, Kind::script}) {
        w.same_last_id(kind);
        w.same_entity(kind, 1);
    }
    w.same_client_named("anyone");
    w.same_children(Kind::campaign, 1);
    BOOST_TEST(w.memory.attached_resources(1) == w.sqlite.attached_resources(1),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(entities_and_names_read_alike_and_names_match_ignoring_case) {
    Worlds w;
    w.create(domain::EventType::client_created, Kind::client, 1, client("Green Table Foods"));
    w.create(domain::EventType::client_created, Kind::client, 2, client("Beta"));
    w.create(domain::EventType::campaign_created, Kind::campaign, 1, campaign(1, "Lunch"));
    w.same_entity(Kind::client, 1);
    w.same_entity(Kind::client, 2);
    w.same_entity(Kind::campaign, 1);
    w.same_entity(Kind::campaign, 2);
    w.same_client_named("green table foods");
    w.same_client_named("BETA");
    w.same_client_named("Gamma");
    BOOST_TEST((w.sqlite.client_named("GREEN TABLE FOODS") == std::optional<std::int64_t>(1)));
}

BOOST_AUTO_TEST_CASE(children_come_by_id_and_blocks_by_position) {
    Worlds w;
    w.create(domain::EventType::client_created, Kind::client, 1, client("Acme"));
    w.create(domain::EventType::campaign_created, Kind::campaign, 1, campaign(1, "A"));
    w.create(domain::EventType::campaign_created, Kind::campaign, 2, campaign(1, "B"));
    w.create(domain::EventType::content_created, Kind::content, 1, content(2, "x"));
    w.create(domain::EventType::content_created, Kind::content, 2, content(1, "y"));
    w.create(domain::EventType::content_created, Kind::content, 3, content(2, "z"));
    // Blocks inserted at the front each time: position order is the reverse of id order.
    for (std::int64_t id = 1; id <= 4; ++id) {
        // In SQLite the projector shifts the neighbours; in memory, by hand.
        for (std::int64_t other = 1; other < id; ++other)
            w.memory.put(Kind::block, other, block(3, id - other));
        w.create(domain::EventType::block_added, Kind::block, id, block(3, 0));
    }
    w.same_children(Kind::campaign, 1);
    w.same_children(Kind::content, 2);
    w.same_children(Kind::content, 1);
    w.same_children(Kind::block, 3);
    BOOST_TEST(w.sqlite.children(Kind::block, 3) == (std::vector<std::int64_t>{4, 3, 2, 1}),
               boost::test_tools::per_element());
    for (std::int64_t id = 1; id <= 4; ++id) w.same_entity(Kind::block, id);
}

BOOST_AUTO_TEST_CASE(a_deleted_entity_is_gone_but_its_id_stays_used) {
    Worlds w;
    w.create(domain::EventType::client_created, Kind::client, 1, client("Acme"));
    w.create(domain::EventType::client_created, Kind::client, 2, client("Beta"));
    w.remove(domain::EventType::client_deleted, Kind::client, 2, 2);
    w.same_entity(Kind::client, 2);
    w.same_last_id(Kind::client);
    BOOST_TEST(w.sqlite.last_id(Kind::client) == 2);
    w.same_client_named("beta");
}

BOOST_AUTO_TEST_CASE(attached_resources_read_alike) {
    Worlds w;
    w.create(domain::EventType::client_created, Kind::client, 1, client("Acme"));
    w.create(domain::EventType::campaign_created, Kind::campaign, 1, campaign(1, "A"));
    w.attach(1, 2, "intro");
    w.attach(1, 3, "bgm");
    auto memory = w.memory.attached_resources(1);
    auto sqlite = w.sqlite.attached_resources(1);
    std::sort(memory.begin(), memory.end());
    std::sort(sqlite.begin(), sqlite.end());
    BOOST_TEST(memory == sqlite, boost::test_tools::per_element());
    BOOST_TEST(sqlite.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
