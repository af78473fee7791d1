#pragma once
// The writer's path without the writer thread: decide, append and project,
// one command per transaction, on a fresh database. Tests derive from it;
// committed() lets one look at the read model right after each command.

#include <optional>
#include <stdexcept>
#include <string_view>

#include "omnivibe/domain/decide.hpp"
#include "omnivibe/domain/validation.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/projection/projector.hpp"
#include "omnivibe/store/event_store.hpp"
#include "omnivibe/writer/sqlite_state.hpp"
#include "store/store_fixture.hpp"

namespace omnivibe::test {

struct ProjectionHarness {
    WriterDb w;
    store::EventStore log{*w.db};
    projection::Projector projector{*w.db};
    writer::SqliteState state{*w.db};
    UnixMillis clock = 1770028200000;

    ProjectionHarness() { log.load_head(); }
    virtual ~ProjectionHarness() = default;

    std::int64_t run(const domain::Command& cmd) {
        store::Tx tx(*w.db);
        auto d = domain::decide(state, cmd);
        if (!d) throw std::runtime_error(d.error().detail);
        for (auto& ev : d->events) {
            ev.recorded_at = clock += 1000;
            log.append(ev);
            projector.apply(ev);
        }
        projector.checkpoint(log.head().seq);
        tx.commit();
        committed(*d);
        return d->id;
    }
    std::int64_t create(domain::Kind kind, std::string_view body,
                        std::optional<std::int64_t> parent = {}) {
        auto fields = domain::validate(kind, json::parse_object(body).value(), domain::Mode::create);
        if (!fields) throw std::runtime_error(fields.error().detail);
        return run(domain::CreateEntity{kind, *fields, parent});
    }

protected:
    /// Called after each command's COMMIT.
    virtual void committed(const domain::Decision&) {}
};

}  // namespace omnivibe::test
