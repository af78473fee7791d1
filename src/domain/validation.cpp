#include "omnivibe/domain/validation.hpp"

#include <cmath>
#include <string>

#include "omnivibe/core/clock.hpp"
#include "omnivibe/core/text.hpp"

namespace omnivibe::domain {

namespace {

bool is_read_only(Kind kind, std::string_view name) {
    if (is_envelope_field(name)) return true;
    for (auto c : info(kind).computed)
        if (c == name) return true;
    const FieldSpec* spec = field_spec(kind, name);
    return spec && (spec->access == Access::system || spec->access == Access::path);
}

std::string fmt_number(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// Checks one value against its spec; returns an error message or "" and may
// rewrite the value into its canonical form.
std::string check_value(const FieldSpec& spec, Value& v) {
    if (std::holds_alternative<Null>(v)) return spec.nullable ? "" : "must not be null";
    auto want = [&](std::string_view what) {
        return "must be " + std::string(what) + ", got " + std::string(type_name(v));
    };
    switch (spec.type) {
        case FieldType::text:
        case FieldType::email:
        case FieldType::date:
        case FieldType::choice: {
            auto* s = std::get_if<std::string>(&v);
            if (!s) return want("a string");
            if (spec.type == FieldType::choice) {
                for (auto c : spec.choices)
                    if (iequals(c, *s)) {
                        *s = std::string(c);
                        return "";
                    }
                std::string msg = "must be one of";
                for (auto c : spec.choices) (msg += ' ') += c;
                return msg;
            }
            if (spec.type == FieldType::date)
                return is_valid_date(*s) ? "" : "must be a calendar date YYYY-MM-DD";
            // U+0000 cannot be shown, and SQLite's NOCASE collation and text
            // functions stop at it (two names differing after it would compare
            // equal), so no text value may hold it.
            if (s->find('\0') != std::string::npos) return "must not contain the NUL character";
            const auto len = static_cast<std::int64_t>(utf8_length(*s));
            if (len < spec.min_len)
                return spec.min_len == 1
                           ? "must not be empty"
                           : "must be at least " + std::to_string(spec.min_len) + " characters";
            if (spec.max_len && len > spec.max_len)
                return "must be at most " + std::to_string(spec.max_len) + " characters";
            if (spec.type == FieldType::email && !looks_like_email(*s))
                return "must be an e-mail address";
            return "";
        }
        case FieldType::integer:
        case FieldType::reference: {
            auto* i = std::get_if<std::int64_t>(&v);
            if (!i) return want("an integer");
            if (spec.type == FieldType::reference) return *i >= 1 ? "" : "must be a positive id";
            if (spec.has_range && (*i < spec.min || *i > spec.max))
                return "must be between " + fmt_number(spec.min) + " and " + fmt_number(spec.max);
            return "";
        }
        case FieldType::number: {
            double d;
            if (auto* i = std::get_if<std::int64_t>(&v))
                d = static_cast<double>(*i);
            else if (auto* f = std::get_if<double>(&v))
                d = *f;
            else
                return want("a number");
            if (!std::isfinite(d)) return "must be a finite number";
            if (spec.has_range) {
                const bool low_ok = spec.exclusive_min ? d > spec.min : d >= spec.min;
                if (!low_ok || d > spec.max)
                    return std::string("must be ") +
                           (spec.exclusive_min ? "greater than " : "between ") +
                           fmt_number(spec.min) + (spec.exclusive_min ? " and at most " : " and ") +
                           fmt_number(spec.max);
            }
            v = d;
            return "";
        }
        case FieldType::boolean:
            return std::holds_alternative<bool>(v) ? "" : want("true or false");
        case FieldType::text_list: {
            auto* list = std::get_if<StringList>(&v);
            if (!list) return want("an array of strings");
            if (spec.max_len && static_cast<std::int64_t>(list->size()) > spec.max_len)
                return "must have at most " + std::to_string(spec.max_len) + " items";
            for (const auto& item : *list) {
                if (item.find('\0') != std::string::npos)
                    return "items must not contain the NUL character";
                if (spec.item_max_len &&
                    static_cast<std::int64_t>(utf8_length(item)) > spec.item_max_len)
                    return "items must be at most " + std::to_string(spec.item_max_len) +
                           " characters";
            }
            return "";
        }
    }
    return "";
}

Value default_value(const FieldSpec& spec) {
    switch (spec.fallback.type) {
        case Default::Type::text:
            return std::string(spec.fallback.text);
        case Default::Type::number:
            return spec.fallback.number;
        case Default::Type::boolean:
            return spec.fallback.boolean;
        case Default::Type::empty_list:
            return StringList{};
        case Default::Type::none:
            break;
    }
    return Null{};
}

}  // namespace

bool looks_like_email(std::string_view s) {
    const auto at = s.find('@');
    if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto domain = s.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
    for (char c : s)
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '>' || c == ',')
            return false;
    return true;
}

Result<Fields> validate(Kind kind, const Fields& body, Mode mode) {
    Fields out;
    std::vector<FieldError> errors;
    std::vector<std::string> unknown;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const Field& f = body[i];
        bool duplicate = false;
        for (std::size_t j = 0; j < i; ++j) duplicate = duplicate || body[j].name == f.name;
        if (duplicate) {
            errors.push_back({f.name, "is given more than once"});
            continue;
        }
        if (is_read_only(kind, f.name)) continue;
        const FieldSpec* spec = field_spec(kind, f.name);
        if (!spec) {
            unknown.push_back(f.name);
            errors.push_back({f.name, "is not a field of " + std::string(info(kind).name)});
            continue;
        }
        if (mode == Mode::update && spec->access == Access::create_only) {
            errors.push_back({f.name, "cannot be changed after creation"});
            continue;
        }
        Value v = f.value;
        if (auto msg = check_value(*spec, v); !msg.empty()) {
            errors.push_back({f.name, std::move(msg)});
            continue;
        }
        out.push_back(Field{f.name, std::move(v)});
    }
    if (mode == Mode::create) {
        for (const auto& spec : info(kind).fields) {
            if (spec.access == Access::system || spec.access == Access::path) continue;
            if (find(out, spec.name)) continue;
            bool already_reported = false;
            for (const auto& e : errors)
                already_reported = already_reported || e.field == spec.name;
            if (already_reported) continue;
            if (spec.required) {
                errors.push_back({std::string(spec.name), "is required"});
            } else if (spec.name != "position") {
                // position is absent on purpose: "at the end"
                out.push_back(Field{std::string(spec.name), default_value(spec)});
            }
        }
    }
    if (!errors.empty()) {
        Error e;
        e.code = ErrorCode::validation_failed;
        if (!unknown.empty()) {
            e.detail = "Unknown field";
            if (unknown.size() > 1) e.detail += 's';
            for (std::size_t i = 0; i < unknown.size(); ++i)
                (e.detail += i ? ", " : ": ") += unknown[i];
            e.detail += '.';
        } else {
            e.detail = errors.size() == 1 ? "One field is invalid."
                                          : std::to_string(errors.size()) + " fields are invalid.";
        }
        e.errors = std::move(errors);
        return e;
    }
    return out;
}

Status check_entity_rules(Kind kind, const Fields& merged) {
    if (kind == Kind::campaign) {
        auto* start = get_string(merged, "start_date");
        auto* end = get_string(merged, "end_date");
        if (start && end && *end < *start) {
            Error e = Error::make(ErrorCode::validation_failed, "One field is invalid.");
            e.errors.push_back({"end_date", "must not be before start_date"});
            return e;
        }
    }
    return {};
}

}  // namespace omnivibe::domain
