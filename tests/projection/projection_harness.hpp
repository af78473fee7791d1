#pragma once
// The server's write path without the writer thread: each command through the
// one Applier, in a transaction of its own, on a fresh database. Tests derive
// from it; committed() lets one look at the read model right after each command.

#include <optional>
#include <stdexcept>
#include <string_view>

#include "omnivibe/domain/validation.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/writer/applier.hpp"
#include "omnivibe/writer/db_session.hpp"
#include "store/store_fixture.hpp"

namespace omnivibe::test {

/// The fields of an uploaded file as AttachResource carries them; stored
/// content-addressed, so its path is "/files/<sha256>".
inline domain::Fields attached_file(std::string type, std::string filename, std::int64_t size,
                                    std::string sha256, double duration) {
    return {{"resource_type", std::move(type)},
            {"filename", std::move(filename)},
            {"content_type", std::string("video/mp4")},
            {"size", size},
            {"sha256", sha256},
            {"duration", duration},
            {"path", "/files/" + sha256}};
}

struct ProjectionHarness {
    WriterDb w;
    writer::DbSession session{*w.db};
    writer::Applier applier;
    UnixMillis clock = 1770028200000;

    virtual ~ProjectionHarness() = default;

    const store::Head& head() const { return session.head(); }
    const domain::StateView& state() const { return session.state(); }

    std::int64_t run(const domain::Command& cmd) {
        writer::WriteRequest request;
        request.command = cmd;
        request.view = writer::View::id_only;
        session.begin();
        auto applied = applier.apply(session, request, clock += 1000);
        if (!applied) {
            session.rollback();
            throw std::runtime_error(applied.error().detail);
        }
        session.checkpoint();
        session.commit();
        committed(*applied);
        return applied->id;
    }
    std::int64_t create(domain::Kind kind, std::string_view body,
                        std::optional<std::int64_t> parent = {}) {
        auto fields =
            domain::validate(kind, json::parse_object(body).value(), domain::Mode::create);
        if (!fields) throw std::runtime_error(fields.error().detail);
        return run(domain::CreateEntity{kind, *fields, parent});
    }

  protected:
    /// Called after each command's commit.
    virtual void committed(const writer::Applied&) {}
};

}  // namespace omnivibe::test
