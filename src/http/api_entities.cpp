// REST handlers for clients, campaigns and the content schedule. Each handler
// parses and validates what it can without state, then either sends a command
// to the writer or reads one snapshot; it never writes SQL. The single-entity
// handlers every kind shares live in api_common.

#include <string>

#include "api.hpp"
#include "api_common.hpp"
#include "api_history.hpp"
#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/commands.hpp"
#include "omnivibe/domain/validation.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/projection/responses.hpp"

namespace omnivibe::http {

namespace {

using domain::Kind;

std::string path(std::string_view tail) { return std::string(kApi) + std::string(tail); }

// The `sort` parameter's wire names and the orders they stand for.
struct SortOption {
    std::string_view name;
    projection::ListOrder order;
};

constexpr SortOption kSorts[] = {
    {"id", projection::ListOrder::id},
    {"-id", projection::ListOrder::id_desc},
    {"name", projection::ListOrder::name},
    {"-created_at", projection::ListOrder::created_desc},
    {"-updated_at", projection::ListOrder::updated_desc},
};

void parse_sort(const Request& req, projection::ListQuery& q, std::vector<FieldError>& errors,
                bool has_name) {
    auto v = req.query_param("sort");
    if (!v) return;
    for (const auto& s : kSorts)
        if (s.name == *v && (has_name || s.name != "name")) {
            q.order_by = s.order;
            return;
        }
    errors.push_back({"sort", has_name ? "must be one of id, -id, name, -created_at, -updated_at"
                                       : "must be one of id, -id, -created_at, -updated_at"});
}

// The `q` name filter: text like any stored value, so valid UTF-8 without NUL.
std::optional<std::string> search_param(const Request& req, std::vector<FieldError>& errors) {
    auto v = req.query_param("q");
    if (v && (!is_valid_utf8(*v) || v->find('\0') != std::string::npos)) {
        errors.push_back({"q", "must be valid UTF-8 text without NUL characters"});
        return std::nullopt;
    }
    return v;
}

// {"<key>":[...],"total":N,"page":P,"page_size":S,"seq":H}, with "success":true first for content.
std::string list_body(std::string_view key, bool success, const projection::ListPage& page,
                      const projection::ListQuery& q, std::int64_t head) {
    json::Writer w;
    w.begin_object();
    if (success) w.key("success").boolean(true);
    w.key(key).begin_array();
    for (const auto& e : page.items) json::write_entity(w, e);
    w.end_array();
    w.key("total").integer(page.total);
    w.key("page").integer(q.page);
    w.key("page_size").integer(q.page_size);
    w.key("seq").integer(head);
    w.end_object();
    return w.take();
}

void list_clients(Service& svc, Request& req, Reply reply) {
    projection::ListQuery q;
    std::vector<FieldError> errors;
    parse_paging(req, q, errors);
    parse_sort(req, q, errors, true);
    q.name_contains = search_param(req, errors);
    if (!errors.empty()) return reply(fail(req, query_error(std::move(errors))));
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        return list_response(svc, req, head, [&] {
            return list_body("clients", false, projection::list_entities(db, Kind::client, q), q,
                             head);
        });
    });
}

void list_campaigns(Service& svc, Request& req, Reply reply,
                    std::optional<std::int64_t> client_from_path) {
    projection::ListQuery q;
    std::vector<FieldError> errors;
    parse_paging(req, q, errors);
    parse_sort(req, q, errors, true);
    auto client_id = client_from_path ? client_from_path : int_param(req, "client_id", errors);
    if (client_id) q.equals.emplace_back("client_id", *client_id);
    if (auto s = choice_param(req, "status", Kind::campaign, errors))
        q.equals.emplace_back("status", *s);
    q.name_contains = search_param(req, errors);
    if (!errors.empty()) return reply(fail(req, query_error(std::move(errors))));
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        if (client_from_path && !projection::load_entity(db, Kind::client, *client_from_path,
                                                         projection::Computed::omit))
            return not_found(Kind::client, *client_from_path);
        return list_response(svc, req, head, [&] {
            return list_body("campaigns", false, projection::list_entities(db, Kind::campaign, q),
                             q, head);
        });
    });
}

std::optional<std::string> date_param(const Request& req, std::string_view name,
                                      std::vector<FieldError>& errors) {
    auto v = req.query_param(name);
    if (!v) return std::nullopt;
    if (!is_valid_date(*v)) {
        errors.push_back({std::string(name), "must be a calendar date YYYY-MM-DD"});
        return std::nullopt;
    }
    return v;
}

void list_content(Service& svc, Request& req, Reply reply) {
    projection::ListQuery q;
    std::vector<FieldError> errors;
    parse_paging(req, q, errors);
    parse_sort(req, q, errors, false);
    if (auto c = int_param(req, "campaign_id", errors)) q.equals.emplace_back("campaign_id", *c);
    if (auto s = choice_param(req, "platform", Kind::content, errors))
        q.equals.emplace_back("platform", *s);
    if (auto s = choice_param(req, "status", Kind::content, errors))
        q.equals.emplace_back("status", *s);
    q.date_from = date_param(req, "from", errors);
    q.date_to = date_param(req, "to", errors);
    if (!errors.empty()) return reply(fail(req, query_error(std::move(errors))));
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        return list_response(svc, req, head, [&] {
            return list_body("contents", true, projection::list_entities(db, Kind::content, q), q,
                             head);
        });
    });
}

void campaign_schedule(Service& svc, Request& req, const PathParams& p, Reply reply) {
    auto id = parse_id(p[0], "campaign");
    if (!id) return reply(fail(req, id.error()));
    read_snapshot(svc, req, reply, [&](store::Db& db, std::int64_t head) -> Result<Response> {
        if (!projection::load_entity(db, Kind::campaign, *id, projection::Computed::omit))
            return not_found(Kind::campaign, *id);
        return list_response(svc, req, head, [&] {
            projection::ListQuery q;
            q.equals.emplace_back("campaign_id", *id);
            q.order_by = projection::ListOrder::publish_date;
            q.page_size = 0;
            auto page = projection::list_entities(db, Kind::content, q);
            json::Writer w;
            w.begin_object();
            w.key("success").boolean(true);
            w.key("campaign_id").integer(*id);
            w.key("contents").begin_array();
            for (const auto& e : page.items) json::write_entity(w, e);
            w.end_array();
            w.key("seq").integer(head);
            w.end_object();
            return w.take();
        });
    });
}

// The standard five routes of a kind: collection POST/GET, item GET/PATCH/DELETE.
void crud(Router& r, Service& svc, Kind kind, std::string_view collection,
          std::function<void(Request&, Reply)> list) {
    const std::string base = path(collection);
    r.add(Method::post, base, kJsonWrite,
          [&svc, kind](Request& req, const PathParams&, Reply reply) {
              create_entity(svc, kind, req, std::move(reply));
          });
    r.add(Method::get, base, kCachedRead,
          [list = std::move(list)](Request& req, const PathParams&, Reply reply) {
              list(req, std::move(reply));
          });
    const std::string item = base + "/{id}";
    r.add(Method::get, item, kCachedRead,
          [&svc, kind](Request& req, const PathParams& p, Reply reply) {
              get_entity(svc, kind, req, p, std::move(reply));
          });
    r.add(Method::patch, item, kJsonWrite,
          [&svc, kind](Request& req, const PathParams& p, Reply reply) {
              update_entity(svc, kind, req, p, std::move(reply));
          });
    r.add(Method::del, item, kBodilessWrite,
          [&svc, kind](Request& req, const PathParams& p, Reply reply) {
              delete_entity(svc, kind, req, p, std::move(reply));
          });
}

}  // namespace

void register_entity_routes(Router& r, Service& svc) {
    crud(r, svc, Kind::client, "/clients",
         [&svc](Request& req, Reply reply) { list_clients(svc, req, std::move(reply)); });
    crud(r, svc, Kind::campaign, "/campaigns", [&svc](Request& req, Reply reply) {
        list_campaigns(svc, req, std::move(reply), std::nullopt);
    });
    crud(r, svc, Kind::content, "/content-schedule",
         [&svc](Request& req, Reply reply) { list_content(svc, req, std::move(reply)); });

    r.add(Method::get, path("/clients/{id}/campaigns"), kCachedRead,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              auto id = parse_id(p[0], "client");
              if (!id) return reply(fail(req, id.error()));
              list_campaigns(svc, req, std::move(reply), *id);
          });
    r.add(Method::get, path("/campaigns/{id}/schedule"), kCachedRead,
          [&svc](Request& req, const PathParams& p, Reply reply) {
              campaign_schedule(svc, req, p, std::move(reply));
          });
}

}  // namespace omnivibe::http
