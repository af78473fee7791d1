// Fuzz target: a request body through what the handlers do before the
// writer sees it: json::parse_object, then domain::validate for every kind in
// both modes, and the cross-field rules.
//
// Beyond "no crash, no UB", one property: what validation accepts is what the
// log stores (fields_to_json), and reading that JSON back and validating it
// again must give the same fields, so an event always decodes to what was
// decided.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "omnivibe/core/text.hpp"
#include "omnivibe/domain/schema.hpp"
#include "omnivibe/domain/validation.hpp"
#include "omnivibe/json/decode.hpp"
#include "omnivibe/json/encode.hpp"

using namespace omnivibe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto body = json::parse_object(text);
    if (!body) {
        if (body.error().code != ErrorCode::malformed_json) std::abort();
        return 0;
    }
    for (const domain::Kind kind : domain::all_kinds()) {
        for (const auto mode : {domain::Mode::create, domain::Mode::update}) {
            auto fields = domain::validate(kind, *body, mode);
            if (!fields) {
                // A refusal names at least one field.
                if (fields.error().code != ErrorCode::validation_failed ||
                    fields.error().errors.empty())
                    std::abort();
                continue;
            }
            (void)domain::check_entity_rules(kind, *fields);
            for (const auto& f : *fields)
                if (auto* s = std::get_if<std::string>(&f.value); s && !is_valid_utf8(*s))
                    std::abort();
            const std::string stored = json::fields_to_json(*fields);
            auto back = json::parse_object(stored);
            if (!back) std::abort();
            auto again = domain::validate(kind, *back, mode);
            if (!again || *again != *fields) std::abort();
        }
    }
    return 0;
}
