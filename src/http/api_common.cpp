#include "api_common.hpp"

#include "api_history.hpp"
#include "omnivibe/core/sha256.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/domain/schema.hpp"
#include "omnivibe/domain/validation.hpp"
#include "omnivibe/feed/hub.hpp"
#include "omnivibe/http/response_cache.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/projection/responses.hpp"

namespace omnivibe::http {

Response fail(const Request& req, const Error& e) { return error_response(e, req.request_id); }

Result<std::int64_t> parse_id(std::string_view text, std::string_view entity) {
    auto id = parse_int64(text);
    if (!id || *id < 1)
        return Error::make(ErrorCode::not_found,
                           "No " + std::string(entity) + " with id " + std::string(text) + ".");
    return *id;
}

Result<std::optional<std::int64_t>> parse_if_match(const Request& req) {
    std::string_view v = req.header("if-match");
    if (v.empty() || v == "*") return std::optional<std::int64_t>{};
    if (v.substr(0, 2) == "W/") v.remove_prefix(2);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    auto n = parse_int64(v);
    if (!n) {
        Error e = Error::make(ErrorCode::version_mismatch,
                              "If-Match must be an entity tag such as \"3\".");
        return e;
    }
    return std::optional<std::int64_t>{*n};
}

Result<domain::Fields> parse_json_body(const Request& req) {
    const std::string_view ct = req.header("content-type");
    const std::string lowered = ascii_lower(ct.substr(0, ct.find(';')));
    std::string_view media = lowered;
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    if (!media.empty() && media != "application/json")
        return Error::make(ErrorCode::unsupported_media_type,
                           "The body must be application/json, not " + std::string(media) + ".");
    return json::parse_object(req.body);
}

namespace {

// The answer to a write, from what the writer reports it did.
writer::KeptBody render_write(const writer::Applied& a, writer::View view) {
    writer::KeptBody answer;
    answer.status = a.outcome == domain::Decision::Outcome::created ? 201 : 200;
    switch (view) {
        case writer::View::entity:
            answer.body =
                a.entity ? projection::entity_body(*a.entity) : projection::deleted_body(a.id);
            break;
        case writer::View::id_only:
            answer.body = projection::deleted_body(a.id);
            break;
        case writer::View::storyboard:
            answer.body = projection::storyboard_body(a.id, a.blocks);
            break;
        case writer::View::resource:
            answer.body = a.resource ? projection::resource_body(*a.resource, a.id)
                                     : projection::deleted_body(a.id);
            break;
    }
    return answer;
}

}  // namespace

void submit_write(Service& svc, Request& req, writer::WriteRequest write, Reply reply) {
    const std::string_view key = req.header("idempotency-key");
    if (key.size() > 200) {
        Error e = Error::make(ErrorCode::validation_failed, "One field is invalid.");
        e.errors.push_back({"Idempotency-Key", "must be at most 200 characters"});
        return reply(fail(req, e));
    }
    write.meta.actor = req.actor;
    write.meta.request_id = req.request_id;
    write.meta.idempotency_key = std::string(key);
    if (write.meta.source.empty()) write.meta.source = "api";
    if (!key.empty() && write.fingerprint.empty()) {
        std::string material(to_string(req.method));
        material += '\n';
        material += req.path;
        material += '\n';
        material += req.body;
        write.fingerprint = sha256_hex(material);
    }
    const writer::View view = write.view;
    // A keyed write's answer is rendered by the writer, to be kept with its
    // events; any other is rendered here, on the network thread that sends it.
    if (!key.empty())
        write.render_kept = [view](const writer::Applied& a) { return render_write(a, view); };
    svc.writer.submit(std::move(write), [request_id = req.request_id, view,
                                         reply = std::move(reply)](Result<writer::Applied> r) {
        if (!r) return reply(error_response(r.error(), request_id));
        Response resp;
        if (r->replayed) {
            resp.status = r->replayed->status;
            resp.body = std::move(r->replayed->body);
            resp.set("Idempotent-Replayed", "true");
        } else {
            writer::KeptBody answer = render_write(*r, view);
            resp.status = answer.status;
            resp.body = std::move(answer.body);
        }
        resp.set("ETag", "\"" + std::to_string(r->version) + "\"");
        resp.set("X-Event-Seq", std::to_string(r->seq));
        reply(std::move(resp));
    });
}

void read_snapshot(Service& svc, const Request& req, Reply& reply,
                   const std::function<Result<Response>(store::Db&, std::int64_t)>& fn) {
    auto result = svc.reads.with_snapshot([&](store::Db& db) {
        const std::int64_t head = projection::visible_head(db);
        auto r = fn(db, head);
        if (r) r->set("X-Event-Seq", std::to_string(head));
        return r;
    });
    if (!result) return reply(fail(req, result.error()));
    if (!*result) return reply(fail(req, result->error()));
    reply(std::move(result->value()));
}

void at_min_event_seq(Service& svc, Request& req, std::function<void()> go, const Reply& refuse) {
    const std::string_view text = req.header("x-min-event-seq");
    if (text.empty()) return go();
    const auto seq = parse_int64(text);
    if (!seq || *seq < 0) {
        Error e = Error::make(ErrorCode::validation_failed, "One header is invalid.");
        e.errors.push_back(
            {"X-Min-Event-Seq", "must be the X-Event-Seq of a write, an integer >= 0"});
        return refuse(fail(req, e));
    }
    // The instance's view of the head only covers committed events: a
    // snapshot taken now sees at least that far.
    if (view_head(svc) >= *seq) return go();
    // The request outlives this call: the dispatcher keeps it alive as long
    // as `refuse` and `go`, which the waiter holds.
    const auto too_late = [&req, refuse] {
        refuse(fail(req, Error::make(ErrorCode::unavailable,
                                     "The log has not reached X-Min-Event-Seq in time.")));
    };
    if (!svc.hub) return too_late();
    const auto deadline = std::chrono::steady_clock::now() + svc.options.min_seq_wait;
    const auto started = svc.hub->wait(feed::Filter{}, *seq - 1, 1, deadline,
                                       [&svc, go, too_late](feed::WaitResult r) {
                                           // On the hub's thread, which must not read the database.
                                           if (r.why != feed::WaitResult::Why::events)
                                               return too_late();
                                           if (svc.post)
                                               svc.post(go);
                                           else
                                               go();
                                       });
    if (started == feed::Hub::WaitStart::stale) return go();  // reached meanwhile
    if (started == feed::Hub::WaitStart::closed) return too_late();
}

std::optional<Response> cached_answer(Service& svc, const Request& req) {
    if (!svc.answers) return std::nullopt;
    // Never older than the instance's view of the log: a client sees at
    // least what this instance has delivered (its own writes included, once
    // X-Min-Event-Seq made it wait for them).
    // A request with X-Min-Event-Seq reaches this only once the view has
    // passed it (at_min_event_seq runs first), so a kept answer is never
    // from before the client's own write.
    const std::int64_t head = view_head(svc);
    auto kept = svc.answers->find(head, req.target);
    if (!kept) return std::nullopt;
    Response r =
        kept->version ? entity_response(req, kept->version, kept->body) : json_response(kept->body);
    r.set("X-Event-Seq", std::to_string(head));
    return r;
}

Response list_response(Service& svc, const Request& req, std::int64_t head,
                       const std::function<std::string()>& render) {
    std::string body = render();
    if (svc.answers && req.cacheable) svc.answers->store(head, req.target, {body, 0});
    return json_response(std::move(body));
}

Response entity_response(const Request& req, std::int64_t version, std::string body) {
    Response r;
    const std::string etag = "\"" + std::to_string(version) + "\"";
    const std::string_view inm = req.header("if-none-match");
    if (!inm.empty() && (inm == etag || inm == "W/" + etag || inm == "*")) {
        r.status = 304;
        r.content_type.clear();
    } else {
        r.body = std::move(body);
    }
    r.set("ETag", etag);
    return r;
}

std::optional<std::int64_t> int_param(const Request& req, std::string_view name,
                                      std::vector<FieldError>& errors) {
    auto v = req.query_param(name);
    if (!v) return std::nullopt;
    auto n = parse_int64(*v);
    if (!n || *n < 1) {
        errors.push_back({std::string(name), "must be a positive integer"});
        return std::nullopt;
    }
    return n;
}

void parse_paging(const Request& req, projection::ListQuery& q, std::vector<FieldError>& errors) {
    if (auto p = int_param(req, "page", errors)) q.page = *p;
    if (auto v = req.query_param("page_size")) {
        auto n = parse_int64(*v);
        if (!n || *n < 1 || *n > 100)
            errors.push_back({"page_size", "must be an integer from 1 to 100"});
        else
            q.page_size = *n;
    }
    if (q.page > 1'000'000'000) errors.push_back({"page", "is too large"});
}

std::optional<std::string> choice_param(const Request& req, std::string_view name,
                                        domain::Kind kind, std::vector<FieldError>& errors) {
    auto v = req.query_param(name);
    if (!v) return std::nullopt;
    const domain::FieldSpec* spec = domain::field_spec(kind, name);
    if (spec)
        for (auto c : spec->choices)
            if (iequals(c, *v)) return std::string(c);
    std::string msg = "must be one of";
    if (spec)
        for (auto c : spec->choices) (msg += ' ') += c;
    errors.push_back({std::string(name), msg});
    return std::nullopt;
}

Error query_error(std::vector<FieldError> errors) {
    Error e = Error::make(ErrorCode::validation_failed,
                          errors.size() == 1
                              ? "One query parameter is invalid."
                              : std::to_string(errors.size()) + " query parameters are invalid.");
    e.errors = std::move(errors);
    return e;
}

Error fields_error(std::vector<FieldError> errors) {
    Error e =
        Error::make(ErrorCode::validation_failed,
                    errors.size() == 1 ? "One field is invalid."
                                       : std::to_string(errors.size()) + " fields are invalid.");
    e.errors = std::move(errors);
    return e;
}

Error not_found(domain::Kind kind, std::int64_t id) {
    return Error::make(ErrorCode::not_found, "No " + std::string(domain::info(kind).name) +
                                                 " with id " + std::to_string(id) + ".");
}

Response json_response(std::string body) {
    Response r;
    r.body = std::move(body);
    return r;
}

// ---- the single-entity handlers ------------------------------------------------

void create_entity(Service& svc, domain::Kind kind, Request& req, Reply reply,
                   std::optional<std::int64_t> parent_id) {
    auto body = parse_json_body(req);
    if (!body) return reply(fail(req, body.error()));
    auto fields = domain::validate(kind, *body, domain::Mode::create);
    if (!fields) return reply(fail(req, fields.error()));
    writer::WriteRequest w;
    w.command = domain::CreateEntity{kind, std::move(fields).value(), parent_id};
    submit_write(svc, req, std::move(w), std::move(reply));
}

void update_entity(Service& svc, domain::Kind kind, Request& req, const PathParams& p,
                   Reply reply) {
    auto id = parse_id(p[0], domain::info(kind).name);
    if (!id) return reply(fail(req, id.error()));
    auto if_match = parse_if_match(req);
    if (!if_match) return reply(fail(req, if_match.error()));
    auto body = parse_json_body(req);
    if (!body) return reply(fail(req, body.error()));
    auto fields = domain::validate(kind, *body, domain::Mode::update);
    if (!fields) return reply(fail(req, fields.error()));
    writer::WriteRequest w;
    w.command = domain::UpdateEntity{kind, *id, std::move(fields).value(), *if_match};
    submit_write(svc, req, std::move(w), std::move(reply));
}

void delete_entity(Service& svc, domain::Kind kind, Request& req, const PathParams& p,
                   Reply reply) {
    auto id = parse_id(p[0], domain::info(kind).name);
    if (!id) return reply(fail(req, id.error()));
    auto if_match = parse_if_match(req);
    if (!if_match) return reply(fail(req, if_match.error()));
    writer::WriteRequest w;
    w.command = domain::DeleteEntity{kind, *id, *if_match};
    w.view = writer::View::id_only;
    submit_write(svc, req, std::move(w), std::move(reply));
}

void get_entity(Service& svc, domain::Kind kind, Request& req, const PathParams& p, Reply reply) {
    auto id = parse_id(p[0], domain::info(kind).name);
    if (!id) return reply(fail(req, id.error()));
    if (answer_as_of(svc, req, kind, *id, reply)) return;
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        auto e = projection::load_entity(db, kind, *id);
        if (!e) return not_found(kind, *id);
        std::string body = projection::entity_body(*e);
        if (svc.answers && req.cacheable) svc.answers->store(head, req.target, {body, e->version});
        return entity_response(req, e->version, std::move(body));
    });
}

}  // namespace omnivibe::http
