// History and `as_of` reads: an entity's own events, oldest first, and the
// entity rebuilt from the log as it was right after a given event. Both read
// one snapshot, so X-Event-Seq names the log they were computed from.

#include "api_history.hpp"

#include "api.hpp"
#include "api_common.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/feed/frames.hpp"
#include "omnivibe/projection/history.hpp"
#include "omnivibe/projection/responses.hpp"

namespace omnivibe::http {

namespace {

using domain::Kind;

Error never_existed(Kind kind, std::int64_t id) {
    return Error::make(ErrorCode::not_found, "No " + std::string(domain::info(kind).name) +
                                                 " with id " + std::to_string(id) +
                                                 " has ever existed.");
}

void history(Service& svc, Kind kind, Request& req, const PathParams& p, Reply reply) {
    auto id = parse_id(p[0], domain::info(kind).name);
    if (!id) return reply(fail(req, id.error()));
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t) -> Result<Response> {
        const auto rows = projection::stream_events(db, kind, *id);
        if (rows.empty()) return never_existed(kind, *id);
        json::Writer w;
        w.begin_object();
        w.key("events").begin_array();
        for (const auto& row : rows) feed::write_envelope(w, row);
        w.end_array();
        w.end_object();
        Response r;
        r.body = w.take();
        return r;
    });
}

}  // namespace

bool answer_as_of(Service& svc, Request& req, Kind kind, std::int64_t id, Reply& reply) {
    const auto text = req.query_param("as_of");
    if (!text) return false;
    const auto seq = parse_int64(*text);
    if (!seq || *seq < 0) {
        reply(fail(req, query_error({{"as_of", "must be the seq of an event, an integer >= 0"}})));
        return true;
    }
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        if (*seq > head)
            return query_error(
                {{"as_of", "is beyond the last event of the log (" + std::to_string(head) + ")"}});
        auto entity = projection::entity_as_of(db, kind, id, *seq);
        if (!entity) return std::move(entity).error();
        if (!*entity)
            return Error::make(ErrorCode::not_found, "No " + std::string(domain::info(kind).name) +
                                                         " with id " + std::to_string(id) +
                                                         " existed right after event " +
                                                         std::to_string(*seq) + ".");
        return entity_response(req, (*entity)->version, projection::entity_body(**entity));
    });
    return true;
}

void register_history_routes(Router& r, Service& svc) {
    const std::pair<Kind, std::string_view> kRoutes[] = {
        {Kind::client, "/clients/{id}/history"},
        {Kind::campaign, "/campaigns/{id}/history"},
        {Kind::content, "/content-schedule/{id}/history"},
        {Kind::script, "/scripts/{id}/history"},
        {Kind::block, "/storyboard/blocks/{id}/history"},
    };
    for (const auto& [kind, tail] : kRoutes)
        r.add(Method::get, std::string(kApi) + std::string(tail), kHistoryRead,
              [&svc, kind = kind](Request& req, const PathParams& p, Reply reply) {
                  history(svc, kind, req, p, std::move(reply));
              });
}

}  // namespace omnivibe::http
