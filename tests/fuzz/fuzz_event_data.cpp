// Fuzz target: a stored event row decoded back into the domain
// (store::to_domain), folded by domain::evolve, hashed, and written as the
// feed's envelope.
//
// The input is split on the unit separator (0x1f) into stream, type, data,
// meta, recorded_at and campaign_id. Properties: a row that decodes writes an
// envelope that is valid JSON; hashing is deterministic.

#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/evolve.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/json/encode.hpp"
#include "omnivibe/store/event_store.hpp"

using namespace omnivibe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const auto end = text.find('\x1f', start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos || parts.size() == 6) break;
        start = end + 1;
    }
    parts.resize(6);

    store::EventRow row;
    row.seq = 1;
    row.stream = parts[0];
    row.stream_version = 1;
    row.type = parts[1];
    row.data = parts[2];
    row.meta = parts[3];
    row.recorded_at = parts[4];
    if (auto id = parse_int64(parts[5])) row.campaign_id = *id;
    row.prev_hash = store::kGenesisHash;
    row.hash = store::chain_hash(row.prev_hash, row);
    if (row.hash != store::chain_hash(row.prev_hash, row)) std::abort();

    auto ev = store::to_domain(row);
    if (!ev) return 0;

    std::optional<domain::Entity> state;
    domain::evolve(state, *ev);
    domain::evolve(state, *ev);

    // The envelope of a decodable row is valid JSON, whatever its data held.
    auto meta = json::parse_meta(row.meta);
    json::Writer w;
    json::write_envelope(w, json::EnvelopeView{row.seq, row.stream, row.stream_version, row.type,
                                               row.recorded_at, meta ? meta->actor : "",
                                               row.campaign_id, row.data, meta ? meta->cause : ""});
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(std::string(w.view())).get(root)) std::abort();
    return 0;
}
