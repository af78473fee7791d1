// REST handlers for storyboards (the ordered blocks of a content item) and the
// scripts generated for it (SPEC section 5). Blocks and scripts are entities
// with streams of their own (block-N, script-N) whose parent comes from the
// URL. Positions stay 0..n-1 within a content: decide() checks them and the
// projection shifts the neighbours of every insert, move and removal, so the
// storyboard read here is always contiguous. A script's body is immutable;
// only its status changes (the catalogue marks the other fields create-only).

#include <string>

#include "api.hpp"
#include "api_common.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/projection/responses.hpp"

namespace omnivibe::http {

namespace {

using domain::Kind;

std::string path(std::string_view tail) { return std::string(kApi) + std::string(tail); }

void get_storyboard(Service& svc, Request& req, const PathParams& p, Reply reply) {
    auto id = parse_id(p[0], "content");
    if (!id) return reply(fail(req, id.error()));
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        if (!projection::load_entity(db, Kind::content, *id)) return not_found(Kind::content, *id);
        return json_response(projection::storyboard_body(db, *id, head));
    });
}

// {"block_ids":[...]}: the only field; the permutation itself is checked by
// decide() against the blocks the content has when the writer gets to it.
Result<domain::IntList> parse_block_order(const domain::Fields& body) {
    std::vector<FieldError> errors;
    std::optional<domain::IntList> ids;
    for (const auto& f : body) {
        if (f.name != "block_ids") {
            errors.push_back({f.name, "is not a field of a storyboard order"});
        } else if (ids) {
            errors.push_back({f.name, "is given more than once"});
        } else if (auto* list = std::get_if<domain::IntList>(&f.value)) {
            ids = *list;
        } else if (auto* empty = std::get_if<domain::StringList>(&f.value);
                   empty && empty->empty()) {
            ids = domain::IntList{};  // [] reads as an empty list of strings
        } else {
            errors.push_back({f.name, "must be an array of block ids"});
            ids = domain::IntList{};
        }
    }
    if (!ids) errors.push_back({"block_ids", "is required"});
    if (!errors.empty()) return fields_error(std::move(errors));
    return std::move(*ids);
}

void reorder_storyboard(Service& svc, Request& req, const PathParams& p, Reply reply) {
    auto id = parse_id(p[0], "content");
    if (!id) return reply(fail(req, id.error()));
    auto if_match = parse_if_match(req);
    if (!if_match) return reply(fail(req, if_match.error()));
    auto body = parse_json_body(req);
    if (!body) return reply(fail(req, body.error()));
    auto ids = parse_block_order(*body);
    if (!ids) return reply(fail(req, ids.error()));
    writer::WriteRequest w;
    w.command = domain::ReorderBlocks{*id, std::move(ids).value(), *if_match};
    w.view = writer::View::storyboard;
    submit_write(svc, req, std::move(w), std::move(reply));
}

void list_scripts(Service& svc, Request& req, const PathParams& p, Reply reply) {
    auto id = parse_id(p[0], "content");
    if (!id) return reply(fail(req, id.error()));
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        if (!projection::load_entity(db, Kind::content, *id)) return not_found(Kind::content, *id);
        projection::ListQuery q;
        q.equals.emplace_back("content_id", *id);
        q.order_by = projection::ListOrder::revision;
        q.page_size = 0;
        auto page = projection::list_entities(db, Kind::script, q);
        json::Writer w;
        w.begin_object();
        w.key("success").boolean(true);
        w.key("content_id").integer(*id);
        w.key("scripts").begin_array();
        for (const auto& e : page.items) json::write_entity(w, e);
        w.end_array();
        w.key("seq").integer(head);
        w.end_object();
        return json_response(w.take());
    });
}

// POST under a content: the parent id from the path must at least be an id.
void create_child(Service& svc, Kind kind, Request& req, const PathParams& p, Reply reply) {
    auto parent = parse_id(p[0], "content");
    if (!parent) return reply(fail(req, parent.error()));
    create_entity(svc, kind, req, std::move(reply), *parent);
}

}  // namespace

void register_storyboard_routes(Router& r, Service& svc) {
    r.add(Method::get, path("/content-schedule/{id}/storyboard"), kSnapshotRead,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              get_storyboard(svc, req, p, std::move(reply));
          });
    r.add(Method::post, path("/content-schedule/{id}/storyboard/blocks"), kJsonWrite,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              create_child(svc, Kind::block, req, p, std::move(reply));
          });
    r.add(Method::put, path("/content-schedule/{id}/storyboard/order"), kJsonWrite,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              reorder_storyboard(svc, req, p, std::move(reply));
          });
    const std::string block = path("/storyboard/blocks/{id}");
    r.add(Method::get, block, kCachedRead, [&svc](Request& req, const PathParams& p, Reply reply) {
        get_entity(svc, Kind::block, req, p, std::move(reply));
    });
    r.add(Method::patch, block, kJsonWrite, [&svc](Request& req, const PathParams& p, Reply reply) {
        update_entity(svc, Kind::block, req, p, std::move(reply));
    });
    r.add(Method::del, block, kBodilessWrite,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              delete_entity(svc, Kind::block, req, p, std::move(reply));
          });

    r.add(Method::post, path("/content-schedule/{id}/scripts"), kJsonWrite,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              create_child(svc, Kind::script, req, p, std::move(reply));
          });
    r.add(Method::get, path("/content-schedule/{id}/scripts"), kSnapshotRead,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              list_scripts(svc, req, p, std::move(reply));
          });
    const std::string script = path("/scripts/{id}");
    r.add(Method::get, script, kCachedRead, [&svc](Request& req, const PathParams& p, Reply reply) {
        get_entity(svc, Kind::script, req, p, std::move(reply));
    });
    r.add(Method::patch, script, kJsonWrite,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              update_entity(svc, Kind::script, req, p, std::move(reply));
          });
}

}  // namespace omnivibe::http
