#include "omnivibe/projection/responses.hpp"

#include "omnivibe/json/encode.hpp"
#include "omnivibe/projection/read_model.hpp"

namespace omnivibe::projection {

namespace {

void write_resource(json::Writer& w, const ResourceRow& r, std::int64_t campaign_id) {
    w.begin_object();
    w.key("campaign_id").integer(campaign_id);
    w.key("resource_type").string(r.resource_type);
    w.key("filename").string(r.filename);
    w.key("content_type").string(r.content_type);
    w.key("size").integer(r.size);
    w.key("sha256").string(r.sha256);
    w.key("duration");
    if (r.duration)
        w.number(*r.duration);
    else
        w.null();
    w.key("url").string(r.path);
    w.key("uploaded_at").string(r.uploaded_at);
    w.end_object();
}

}  // namespace

std::string entity_body(const domain::Entity& e) {
    json::Writer w;
    const auto key = domain::info(e.kind).envelope_key;
    if (!key.empty()) {
        w.begin_object();
        w.key("success").boolean(true);
        w.key(key);
    }
    json::write_entity(w, e);
    if (!key.empty()) w.end_object();
    return w.take();
}

std::optional<std::string> entity_body(store::Db& db, domain::Kind kind, std::int64_t id) {
    auto e = load_entity(db, kind, id);
    if (!e) return std::nullopt;
    return entity_body(*e);
}

std::string deleted_body(std::int64_t id) {
    json::Writer w;
    w.begin_object().key("success").boolean(true).key("id").integer(id).end_object();
    return w.take();
}

std::string storyboard_body(store::Db& db, std::int64_t content_id,
                            std::optional<std::int64_t> seq) {
    return storyboard_body(content_id, storyboard_blocks(db, content_id), seq);
}

std::string storyboard_body(std::int64_t content_id, const std::vector<domain::Entity>& blocks,
                            std::optional<std::int64_t> seq) {
    json::Writer w;
    w.begin_object();
    w.key("success").boolean(true);
    w.key("content_id").integer(content_id);
    w.key("blocks").begin_array();
    for (const auto& b : blocks) json::write_entity(w, b);
    w.end_array();
    if (seq) w.key("seq").integer(*seq);
    w.end_object();
    return w.take();
}

std::string resources_body(store::Db& db, std::int64_t campaign_id) {
    auto rows = campaign_resources(db, campaign_id);
    json::Writer w;
    w.begin_object();
    w.key("campaign_id").integer(campaign_id);
    w.key("resources").begin_object();
    for (const auto& slot : domain::resource_slots()) {
        w.key(slot.type);
        const ResourceRow* found = nullptr;
        for (const auto& r : rows)
            if (r.resource_type == slot.type) found = &r;
        if (found)
            write_resource(w, *found, campaign_id);
        else
            w.null();
    }
    w.end_object();
    w.end_object();
    return w.take();
}

std::string resource_body(const ResourceRow& resource, std::int64_t campaign_id) {
    json::Writer w;
    w.begin_object();
    w.key("success").boolean(true);
    w.key("resource");
    write_resource(w, resource, campaign_id);
    w.end_object();
    return w.take();
}

}  // namespace omnivibe::projection
