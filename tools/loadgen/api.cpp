#include "api.hpp"

#include <simdjson.h>

#include "omnivibe/json/writer.hpp"

namespace omnivibe::loadgen {

std::string run_token() {
    static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    std::random_device rd;
    std::string out(8, 'x');
    for (auto& c : out) c = kAlphabet[rd() % (sizeof kAlphabet - 1)];
    return out;
}

std::string campaign_body(std::int64_t client_id, std::string_view name,
                          std::string_view description) {
    json::Writer w;
    w.begin_object();
    w.key("client_id").integer(client_id);
    w.key("name").string(name);
    w.key("description").string(description);
    w.key("concept_tone").string("friendly");
    w.key("target_duration").integer(45);
    w.key("bgm_volume").number(0.25);
    w.end_object();
    return w.take();
}

std::optional<std::int64_t> id_of(std::string_view body) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc)) return std::nullopt;
    std::int64_t id = 0;
    if (doc["id"].get(id)) return std::nullopt;
    return id;
}

namespace {

Error unexpected(std::string_view what, const Answer& a) {
    return Error::make(
        ErrorCode::internal,
        std::string(what) + " answered " + std::to_string(a.status) + ": " + a.body.substr(0, 300));
}

}  // namespace

Result<std::int64_t> create_client(const Target& target, const std::string& name) {
    json::Writer w;
    w.begin_object().key("name").string(name).key("industry").string("load testing").end_object();
    auto a = fetch(target, {"POST", "/api/v1/clients", w.take()});
    if (!a) return std::move(a).error();
    if (a->status != 201) return unexpected("POST /api/v1/clients", *a);
    auto id = id_of(a->body);
    if (!id) return unexpected("POST /api/v1/clients (no id)", *a);
    return *id;
}

Result<std::pair<std::int64_t, std::int64_t>> campaign_id_range(const Target& target) {
    std::int64_t ends[2] = {0, 0};
    const char* sorts[2] = {"id", "-id"};
    for (int i = 0; i < 2; ++i) {
        const std::string path = std::string(kCampaigns) + "?page_size=1&sort=" + sorts[i];
        auto a = fetch(target, {"GET", path, {}});
        if (!a) return std::move(a).error();
        if (a->status != 200) return unexpected("GET " + path, *a);
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        std::int64_t id = 0;
        if (parser.parse(a->body).get(doc) || doc["campaigns"].at(0)["id"].get(id))
            return Error::make(ErrorCode::not_found,
                               "the server holds no campaign; run --mode seed first");
        ends[i] = id;
    }
    return std::make_pair(ends[0], ends[1]);
}

Result<std::int64_t> log_head(const Target& target) {
    auto a = fetch(target, {"GET", std::string(kCampaigns) + "?page_size=1", {}});
    if (!a) return std::move(a).error();
    if (a->status != 200 || a->event_seq.empty()) return unexpected("GET /api/v1/campaigns", *a);
    return std::stoll(a->event_seq);
}

}  // namespace omnivibe::loadgen
