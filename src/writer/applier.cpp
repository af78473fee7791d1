#include "omnivibe/writer/applier.hpp"

#include "omnivibe/projection/projector.hpp"
#include "omnivibe/writer/write_session.hpp"

namespace omnivibe::writer {

namespace {

// The event that created the entity a command answers with, when the command
// created it and nothing else in it touched that entity: then the answer is
// the row that event inserted, with no need to read it back.
const domain::Event* creating_event(const domain::Decision& d) {
    if (d.outcome != domain::Decision::Outcome::created) return nullptr;
    const domain::Event* found = nullptr;
    for (const auto& ev : d.events)
        if (ev.kind == d.kind && ev.entity_id == d.id) {
            if (found || ev.stream_version != 1) return nullptr;
            found = &ev;
        }
    return found;
}

Error internal(std::string detail) { return Error::make(ErrorCode::internal, std::move(detail)); }

}  // namespace

Result<Applied> Applier::apply(WriteSession& session, const WriteRequest& request, UnixMillis now,
                               const domain::StateView* state, Isolation isolation) const {
    const domain::StateView& view = state ? *state : session.state();
    if (isolation == Isolation::optimistic) {
        // Every write moves the head, except keeping the answer, which comes
        // last and can only fail by a store error.
        const std::int64_t head_before = session.head().seq;
        try {
            auto applied = apply_unit(session, request, now, view);
            if (!applied && session.head().seq != head_before)
                throw IsolationNeeded{applied.error()};
            return applied;
        } catch (const store::StoreError& e) {
            // Whether or not it wrote, the transaction may now hold part of
            // this command (and PostgreSQL refuses anything after a failed
            // statement outside a savepoint).
            throw IsolationNeeded{e.error()};
        }
    }
    session.begin_unit();
    try {
        auto applied = apply_unit(session, request, now, view);
        if (applied)
            session.keep_unit();
        else
            session.undo_unit();
        return applied;
    } catch (const store::StoreError& e) {
        // This command alone fails; the rest of the transaction stands
        // (unless the store abandoned it, which the caller asks the session).
        session.undo_unit();
        return e.error();
    }
}

Result<Applied> Applier::apply_unit(WriteSession& session, const WriteRequest& request,
                                    UnixMillis now, const domain::StateView& state) const {
    const bool keyed = !request.meta.idempotency_key.empty();
    if (keyed) {
        if (!request.render_kept) return internal("a keyed write needs a renderer for its answer");
        auto kept = session.find_answer(request.meta.actor, request.meta.idempotency_key,
                                        now - options_.idempotency_ttl_ms);
        if (kept) {
            if (kept->fingerprint != request.fingerprint)
                return Error::make(
                    ErrorCode::idempotency_key_reused,
                    "This Idempotency-Key was already used for a different request.");
            Applied replay;
            replay.version = kept->version;
            replay.seq = kept->seq;
            replay.replayed = std::move(kept);
            return replay;
        }
    }

    auto decision = domain::decide(state, request.command);
    if (!decision) return std::move(decision).error();

    Applied applied;
    applied.outcome = decision->outcome;
    applied.kind = decision->kind;
    applied.id = decision->id;
    auto& events = decision->events;
    applied.rows.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        domain::Event& ev = events[i];
        ev.recorded_at = now;
        std::string cause = std::move(ev.meta.cause);
        ev.meta = request.meta;
        ev.meta.cause = std::move(cause);
        if (i == 0)
            ev.data.insert(ev.data.end(), request.on_first_event.begin(),
                           request.on_first_event.end());
        if (i + 1 == events.size())
            ev.data.insert(ev.data.end(), request.on_last_event.begin(),
                           request.on_last_event.end());
        applied.rows.push_back(session.append(ev));
        if (ev.kind == decision->kind && ev.entity_id == decision->id)
            applied.version = ev.stream_version;
    }
    applied.seq = session.head().seq;

    switch (request.view) {
        case View::entity:
            if (const domain::Event* created = creating_event(*decision)) {
                applied.entity = projection::created_entity(*created);
            } else {
                applied.entity = session.entity(decision->kind, decision->id);
                // A deletion leaves nothing to show; anything else must be there.
                if (!applied.entity && decision->outcome != domain::Decision::Outcome::deleted)
                    return internal("the written entity was not found");
            }
            break;
        case View::id_only:
            break;
        case View::storyboard:
            applied.blocks = session.blocks(decision->id);
            break;
        case View::resource:
            applied.resource = session.resource(decision->id, request.resource_type);
            break;
    }
    if (events.empty() && applied.version == 0) {
        // Nothing changed: the ETag is the entity's current version.
        auto current =
            applied.entity ? applied.entity : session.entity(decision->kind, decision->id);
        applied.version = current ? current->version : 0;
    }

    if (keyed) {
        KeptBody answer = request.render_kept(applied);
        session.keep_answer(request.meta.actor, request.meta.idempotency_key,
                            store::KeptAnswer{.fingerprint = request.fingerprint,
                                              .status = answer.status,
                                              .body = std::move(answer.body),
                                              .version = applied.version,
                                              .seq = applied.seq,
                                              .created_ms = now});
    }
    return applied;
}

}  // namespace omnivibe::writer
