// omnivibe-bench-log: writes a large, realistic events log for measuring
// replay, audit and start-up (docs/TOOLS.md). Every command goes through the
// server's own write path (writer::Applier: decide against the database being
// filled, append, project), so the log has the shapes, versions, positions
// and cascades of real use.
//
//   omnivibe-bench-log --db big.db --events 1000000
//
// Per campaign: its creation and a few updates, five contents with updates,
// four storyboard blocks each (one moved, one reorder), three scripts with a
// status change, and now and then a deleted content. Not a test: the timing
// it prints is for information only.

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "omnivibe/domain/validation.hpp"
#include "omnivibe/store/migrations.hpp"
#include "omnivibe/store/sqlite_db.hpp"
#include "omnivibe/writer/applier.hpp"
#include "omnivibe/writer/db_session.hpp"

namespace {

using namespace omnivibe;
using namespace omnivibe::domain;

class Generator {
  public:
    explicit Generator(store::Db& db) : session_(db) {}

    writer::DbSession& session() { return session_; }
    std::int64_t events() const { return session_.head().seq; }

    std::int64_t create(Kind kind, Fields body, std::optional<std::int64_t> parent = {}) {
        auto fields = validate(kind, body, Mode::create);
        if (!fields) throw std::runtime_error(fields.error().detail);
        return run(CreateEntity{kind, std::move(*fields), parent});
    }
    void update(Kind kind, std::int64_t id, Fields changes) {
        auto fields = validate(kind, changes, Mode::update);
        if (!fields) throw std::runtime_error(fields.error().detail);
        run(UpdateEntity{kind, id, std::move(*fields), std::nullopt});
    }
    std::int64_t run(const Command& cmd) {
        writer::WriteRequest request;
        request.command = cmd;
        request.meta.actor = kActors[static_cast<std::size_t>(events() % 4)];
        request.meta.source = "api";
        request.view = writer::View::id_only;
        auto applied = applier_.apply(session_, request, clock_ += 250);
        if (!applied) throw std::runtime_error(applied.error().detail);
        return applied->id;
    }

  private:
    static constexpr const char* kActors[] = {"alice", "bob", "carol", "frontend"};
    writer::DbSession session_;
    writer::Applier applier_;
    UnixMillis clock_ = 1769904000000;  // 2026-02-01T00:00:00Z
};

void one_campaign(Generator& g, std::int64_t n) {
    static std::int64_t client = 0;
    if (n % 20 == 0)
        client = g.create(Kind::client, {{"name", "Client " + std::to_string(n / 20)},
                                         {"industry", std::string("retail")}});
    const auto campaign = g.create(
        Kind::campaign, {{"client_id", client},
                         {"name", "Campaign " + std::to_string(n)},
                         {"description", std::string("Short videos for the spring season")},
                         {"target_duration", std::int64_t{30}},
                         {"start_date", std::string("2026-03-01")},
                         {"end_date", std::string("2026-05-31")}});
    g.update(Kind::campaign, campaign, {{"status", std::string("active")}});
    g.update(Kind::campaign, campaign, {{"bgm_volume", 0.4}, {"voice_name", std::string("Mark")}});
    for (int c = 0; c < 5; ++c) {
        const auto content = g.create(
            Kind::content, {{"campaign_id", campaign},
                            {"topic", "Topic " + std::to_string(c) + " of " + std::to_string(n)},
                            {"platform", std::string(c % 2 ? "instagram" : "Youtube")},
                            {"publish_date", std::string("2026-03-1") + std::to_string(c)},
                            {"keywords", StringList{"spring", "salad", "quick"}}});
        g.update(Kind::content, content, {{"status", std::string("scheduled")}});
        std::vector<std::int64_t> blocks;
        for (const char* type : {"hook", "body", "body", "cta"})
            blocks.push_back(g.create(Kind::block,
                                      {{"block_type", std::string(type)},
                                       {"script_text", std::string("Scene text for the block")},
                                       {"duration_sec", 4.5}},
                                      content));
        g.update(Kind::block, blocks[1], {{"position", std::int64_t{2}}});
        g.run(ReorderBlocks{content, {blocks[3], blocks[0], blocks[2], blocks[1]}, std::nullopt});
        for (int s = 0; s < 3; ++s) {
            const auto script = g.create(
                Kind::script,
                {{"title", "Draft " + std::to_string(s)},
                 {"body", std::string("[HOOK] Did you know?\n[BODY] A tip in twenty seconds.\n"
                                      "[CTA] Follow for more.")},
                 {"model", std::string("gpt-4o")}},
                content);
            if (s == 0) g.update(Kind::script, script, {{"status", std::string("approved")}});
        }
        g.update(Kind::content, content, {{"notes", std::string("ready for review")}});
        if (c == 4 && n % 3 == 0) g.run(DeleteEntity{Kind::content, content, std::nullopt});
    }
}

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string path;
    std::int64_t target = 1'000'000;
    po::options_description desc("omnivibe-bench-log: writes a large events log for benchmarks");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help")
        ("db", po::value(&path), "new database file to write")
        ("events", po::value(&target)->default_value(target), "at least this many events");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << e.what() << "\n" << desc;
        return 2;
    }
    if (vm.count("help") || path.empty()) {
        std::cout << desc;
        return path.empty() && !vm.count("help") ? 2 : 0;
    }
    if (std::filesystem::exists(path)) {
        std::cerr << path << " already exists\n";
        return 2;
    }
    auto db = store::SqliteDb::open(path, store::OpenMode::read_write);
    if (!db) {
        std::cerr << db.error().detail << "\n";
        return 3;
    }
    try {
        store::register_writer_guard(**db);
        (*db)->exec("PRAGMA synchronous=OFF");
        if (auto applied = store::apply_migrations(**db); !applied) {
            std::cerr << applied.error().detail << "\n";
            return 3;
        }
        Generator g(**db);
        std::int64_t campaign = 0;
        while (g.events() < target) {
            g.session().begin();
            for (int i = 0; i < 50 && g.events() < target; ++i) one_campaign(g, campaign++);
            g.session().checkpoint();
            g.session().commit();
            std::cerr << "\r" << g.events() << " events" << std::flush;
        }
        std::cerr << "\n";
        sqlite3_wal_checkpoint_v2((*db)->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                  nullptr);
        std::cout << "wrote " << path << ": " << g.events() << " events\n";
    } catch (const std::exception& e) {
        std::cerr << "\nfailed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
