// Operations endpoints: liveness, readiness and Prometheus metrics.

#include "api.hpp"
#include "api_common.hpp"
#include "omnivibe/json/writer.hpp"
#include "omnivibe/store/migrations.hpp"

namespace omnivibe::http {

namespace {

Response status_body(int status, std::string_view state, std::string_view detail = {}) {
    Response r;
    r.status = status;
    json::Writer w;
    w.begin_object().key("status").string(state);
    if (!detail.empty()) w.key("detail").string(detail);
    w.end_object();
    r.body = w.take();
    r.set("Cache-Control", "no-store");
    return r;
}

}  // namespace

void register_ops_routes(Router& r, Service& svc, OpsContext ops) {
    // Alive: the process answers. Nothing else is checked on purpose, so an
    // orchestrator does not restart a server that is only waiting on its disk.
    r.add(Method::get, "/healthz", kOpenRoute,
          [](Request&, const PathParams&, Reply reply) { reply(status_body(200, "ok")); });

    // Ready: the database opens and reads, every migration is applied, the writer runs.
    // On PostgreSQL also: the feed follows the database (its LISTEN
    // connection is up), or this instance's streams would fall silent.
    r.add(
        Method::get, "/readyz", kOpenRoute, [&svc, ops](Request&, const PathParams&, Reply reply) {
            if (!svc.writer.running())
                return reply(status_body(503, "unavailable", "writer stopped"));
            if (const Gauges g = ops.sample(); g.follows_database && !g.feed_listening)
                return reply(
                    status_body(503, "unavailable",
                                "the change feed lost its database connection; reconnecting"));
            auto checked =
                svc.reads.with_snapshot([](store::Db& db) { return store::check_migrations(db); });
            if (!checked) return reply(status_body(503, "unavailable", checked.error().detail));
            if (!*checked) return reply(status_body(503, "unavailable", checked->error().detail));
            reply(status_body(200, "ready"));
        });

    r.add(Method::get, "/metrics", kAdminRead, [ops](Request&, const PathParams&, Reply reply) {
        Response resp;
        resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
        resp.body = ops.metrics.render(ops.sample());
        reply(std::move(resp));
    });
}

}  // namespace omnivibe::http
