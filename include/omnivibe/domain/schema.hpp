#pragma once
// The entity catalogue: every entity kind, its read table, its stream prefix and
// the rules of each field (type, length, range, choices, who may set it).
// Validation, projections, the read model and the JSON codecs are all driven by
// this one table, so a field's rule exists exactly once.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace omnivibe::domain {

enum class Kind { client, campaign, content, block, script };

enum class FieldType {
    text,       ///< string, length in code points
    email,      ///< string shaped like an address
    choice,     ///< one of `choices`, matched case-insensitively, stored canonically
    integer,    ///< whole number in [min, max]
    number,     ///< any number in [min, max] (or (min, max] with exclusive_min)
    boolean,    ///< true / false
    date,       ///< "YYYY-MM-DD", a real calendar date
    text_list,  ///< array of at most max_len strings of at most item_max_len
    reference,  ///< id of an existing entity of `ref`
};

/// Who may set a field.
enum class Access {
    writable,     ///< at creation and by PATCH
    create_only,  ///< at creation; a PATCH that sends it is refused
    path,         ///< taken from the URL (the parent of a block or script); ignored in bodies
    system,       ///< set by the service (revision, resource paths); ignored in bodies
};

struct Default {
    enum class Type { none, text, number, boolean, empty_list } type = Type::none;
    std::string_view text{};
    double number = 0;
    bool boolean = false;
};

struct FieldSpec {
    std::string_view name;
    FieldType type = FieldType::text;
    Access access = Access::writable;
    bool required = false;  ///< must be given at creation
    bool nullable = true;   ///< null is an accepted value
    std::int64_t min_len = 0;
    std::int64_t max_len = 0;       ///< 0: no limit
    std::int64_t item_max_len = 0;  ///< text_list items
    double min = 0;
    double max = 0;
    bool has_range = false;
    bool exclusive_min = false;
    std::span<const std::string_view> choices{};
    Kind ref = Kind::client;
    Default fallback{};
};

struct KindInfo {
    Kind kind;
    std::string_view name;           ///< "client": the entity name in envelopes
    std::string_view stream_prefix;  ///< "client" in "client-7"
    std::string_view table;          ///< read table
    std::string_view envelope_key;   ///< key wrapping one entity in responses ("" = bare)
    std::span<const FieldSpec> fields;
    std::optional<Kind> parent;                  ///< kind referenced by parent_field
    std::string_view parent_field;               ///< "client_id", "campaign_id", "content_id" or ""
    std::span<const std::string_view> computed;  ///< names of computed fields
};

/// The catalogue entry of a kind.
const KindInfo& info(Kind kind);
/// All kinds, in dependency order (parents first).
std::span<const Kind> all_kinds();
/// Looks a kind up by its entity name ("client", "content", "block", ...).
std::optional<Kind> kind_from_name(std::string_view name);
/// Looks a kind up by its stream prefix.
std::optional<Kind> kind_from_stream_prefix(std::string_view prefix);
/// The field named `name` of a kind, or nullptr.
const FieldSpec* field_spec(Kind kind, std::string_view name);
/// Fields every entity JSON carries besides its own: id, version, timestamps.
bool is_envelope_field(std::string_view name);

/// The resource slots of a campaign and the campaign columns each one sets.
struct ResourceSlot {
    std::string_view type;             ///< "intro", "ending", "bgm"
    std::string_view path_column;      ///< campaigns column holding its URL
    std::string_view duration_column;  ///< campaigns column holding its duration, or ""
};
std::span<const ResourceSlot> resource_slots();
const ResourceSlot* resource_slot(std::string_view type);

}  // namespace omnivibe::domain
