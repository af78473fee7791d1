#include "omnivibe/json/encode.hpp"

#include "omnivibe/core/text.hpp"

namespace omnivibe::json {

void write_value(Writer& w, const domain::Value& v) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, domain::Null>)
                w.null();
            else if constexpr (std::is_same_v<T, bool>)
                w.boolean(x);
            else if constexpr (std::is_same_v<T, std::int64_t>)
                w.integer(x);
            else if constexpr (std::is_same_v<T, double>)
                w.number(x);
            else if constexpr (std::is_same_v<T, std::string>)
                w.string(x);
            else if constexpr (std::is_same_v<T, domain::StringList>) {
                w.begin_array();
                for (const auto& s : x) w.string(s);
                w.end_array();
            } else if constexpr (std::is_same_v<T, domain::IntList>) {
                w.begin_array();
                for (auto i : x) w.integer(i);
                w.end_array();
            } else {
                w.null();  // Unsupported never passes validation
            }
        },
        v);
}

void write_fields(Writer& w, const domain::Fields& fields) {
    w.begin_object();
    for (const auto& f : fields) {
        w.key(f.name);
        write_value(w, f.value);
    }
    w.end_object();
}

std::string fields_to_json(const domain::Fields& fields) {
    Writer w;
    write_fields(w, fields);
    return w.take();
}

std::string meta_to_json(const domain::EventMeta& m) {
    Writer w;
    w.begin_object();
    w.key("actor").string(m.actor);
    if (!m.request_id.empty()) w.key("request_id").string(m.request_id);
    if (!m.idempotency_key.empty()) w.key("idempotency_key").string(m.idempotency_key);
    w.key("source").string(m.source);
    if (!m.cause.empty()) w.key("cause").string(m.cause);
    w.end_object();
    return w.take();
}

void write_entity(Writer& w, const domain::Entity& e, const domain::Fields& extra) {
    w.begin_object();
    w.key("id").integer(e.id);
    const auto& specs = domain::info(e.kind).fields;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& spec = specs[i];
        w.key(spec.name);
        // Entities read from the tables hold their fields in catalogue order:
        // try the same position before searching, or a list page of 20
        // campaigns spends its time comparing field names (quadratic).
        const domain::Value* v = i < e.fields.size() && e.fields[i].name == spec.name
                                     ? &e.fields[i].value
                                     : domain::find(e.fields, spec.name);
        if (v)
            write_value(w, *v);
        else
            w.null();
    }
    w.key("version").integer(e.version);
    w.key("created_at").string(e.created_at);
    w.key("updated_at").string(e.updated_at);
    for (const auto& f : e.computed) {
        w.key(f.name);
        write_value(w, f.value);
    }
    for (const auto& f : extra) {
        w.key(f.name);
        write_value(w, f.value);
    }
    w.end_object();
}

void write_envelope(Writer& w, const EnvelopeView& e) {
    w.begin_object();
    w.key("seq").integer(e.seq);
    w.key("stream").string(e.stream);
    w.key("version").integer(e.version);
    w.key("type").string(e.type);
    w.key("at").string(e.at);
    w.key("actor").string(e.actor);
    // The stream is "kind-id"; a damaged row must still give valid JSON.
    const auto dash = e.stream.rfind('-');
    w.key("entity").string(e.stream.substr(0, dash));
    w.key("entity_id");
    if (auto id =
            dash == std::string_view::npos ? std::nullopt : parse_int64(e.stream.substr(dash + 1)))
        w.integer(*id);
    else
        w.null();
    w.key("campaign_id");
    if (e.campaign_id)
        w.integer(*e.campaign_id);
    else
        w.null();
    if (!e.cause.empty()) w.key("cause").string(e.cause);
    w.key("data").raw(e.data_json.empty() ? std::string_view("{}") : e.data_json);
    w.end_object();
}

}  // namespace omnivibe::json
