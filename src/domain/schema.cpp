#include "omnivibe/domain/schema.hpp"

#include <array>

namespace omnivibe::domain {

namespace {

using enum FieldType;
using D = Default::Type;

constexpr std::string_view kCampaignStatus[] = {"draft", "active", "paused", "completed",
                                                "archived"};
constexpr std::string_view kGender[] = {"male", "female", "neutral"};
constexpr std::string_view kPlatform[] = {"Youtube", "Instagram", "TikTok", "Facebook", "Blog"};
constexpr std::string_view kContentStatus[] = {"draft", "scheduled", "producing", "published",
                                               "cancelled"};
constexpr std::string_view kBlockType[] = {"intro", "hook", "body", "cta", "outro"};
constexpr std::string_view kTransition[] = {"cut", "fade", "slide", "zoom"};
constexpr std::string_view kScriptStatus[] = {"draft", "approved", "rejected"};

constexpr FieldSpec kClientFields[] = {
    {.name = "name", .required = true, .nullable = false, .min_len = 1, .max_len = 200},
    {.name = "contact_email", .type = email, .max_len = 254},
    {.name = "industry", .max_len = 100},
    {.name = "notes", .max_len = 5000},
};

constexpr FieldSpec kCampaignFields[] = {
    {.name = "client_id",
     .type = reference,
     .required = true,
     .nullable = false,
     .ref = Kind::client},
    {.name = "name", .required = true, .nullable = false, .min_len = 1, .max_len = 200},
    {.name = "description", .max_len = 5000},
    {.name = "status",
     .type = choice,
     .nullable = false,
     .choices = kCampaignStatus,
     .fallback = {.type = D::text, .text = "draft"}},
    {.name = "concept_gender", .type = choice, .choices = kGender},
    {.name = "concept_tone", .max_len = 100},
    {.name = "concept_style", .max_len = 100},
    {.name = "target_duration", .type = integer, .min = 1, .max = 3600, .has_range = true},
    {.name = "voice_id", .max_len = 200},
    {.name = "voice_name", .max_len = 200},
    {.name = "bgm_volume",
     .type = number,
     .nullable = false,
     .min = 0,
     .max = 1,
     .has_range = true,
     .fallback = {.type = D::number, .number = 0.3}},
    {.name = "auto_deploy",
     .type = boolean,
     .nullable = false,
     .fallback = {.type = D::boolean, .boolean = false}},
    {.name = "start_date", .type = date},
    {.name = "end_date", .type = date},
    {.name = "intro_video_path", .access = Access::system},
    {.name = "intro_duration", .type = number, .access = Access::system},
    {.name = "outro_video_path", .access = Access::system},
    {.name = "outro_duration", .type = number, .access = Access::system},
    {.name = "bgm_path", .access = Access::system},
};

constexpr FieldSpec kContentFields[] = {
    {.name = "campaign_id",
     .type = reference,
     .required = true,
     .nullable = false,
     .ref = Kind::campaign},
    {.name = "topic", .required = true, .nullable = false, .min_len = 1, .max_len = 300},
    {.name = "subtitle", .max_len = 300},
    {.name = "platform", .type = choice, .choices = kPlatform},
    {.name = "publish_date", .type = date},
    {.name = "status",
     .type = choice,
     .nullable = false,
     .choices = kContentStatus,
     .fallback = {.type = D::text, .text = "draft"}},
    {.name = "target_audience", .max_len = 300},
    {.name = "keywords",
     .type = text_list,
     .nullable = false,
     .max_len = 20,
     .item_max_len = 50,
     .fallback = {.type = D::empty_list}},
    {.name = "notes", .max_len = 5000},
};

constexpr FieldSpec kBlockFields[] = {
    {.name = "content_id",
     .type = reference,
     .access = Access::path,
     .nullable = false,
     .ref = Kind::content},
    {.name = "position",
     .type = integer,
     .nullable = false,
     .min = 0,
     .max = 1e9,
     .has_range = true},
    {.name = "block_type",
     .type = choice,
     .required = true,
     .nullable = false,
     .choices = kBlockType},
    {.name = "script_text", .max_len = 10000},
    {.name = "duration_sec",
     .type = number,
     .min = 0,
     .max = 600,
     .has_range = true,
     .exclusive_min = true},
    {.name = "visual_prompt", .max_len = 2000},
    {.name = "background_url", .max_len = 2000},
    {.name = "transition",
     .type = choice,
     .nullable = false,
     .choices = kTransition,
     .fallback = {.type = D::text, .text = "cut"}},
};

constexpr FieldSpec kScriptFields[] = {
    {.name = "content_id",
     .type = reference,
     .access = Access::path,
     .nullable = false,
     .ref = Kind::content},
    {.name = "revision", .type = integer, .access = Access::system},
    {.name = "title", .access = Access::create_only, .max_len = 300},
    {.name = "body",
     .access = Access::create_only,
     .required = true,
     .nullable = false,
     .min_len = 1,
     .max_len = 100000},
    {.name = "model", .access = Access::create_only, .max_len = 100},
    {.name = "tone", .access = Access::create_only, .max_len = 100},
    {.name = "status",
     .type = choice,
     .nullable = false,
     .choices = kScriptStatus,
     .fallback = {.type = D::text, .text = "draft"}},
};

constexpr std::string_view kClientComputed[] = {"campaign_count"};
constexpr std::string_view kCampaignComputed[] = {"content_count"};

const KindInfo kKinds[] = {
    {Kind::client, "client", "client", "clients", "", kClientFields, std::nullopt, "",
     kClientComputed},
    {Kind::campaign, "campaign", "campaign", "campaigns", "", kCampaignFields, Kind::client,
     "client_id", kCampaignComputed},
    {Kind::content,
     "content",
     "content",
     "content_schedule",
     "content",
     kContentFields,
     Kind::campaign,
     "campaign_id",
     {}},
    {Kind::block,
     "block",
     "block",
     "storyboard_blocks",
     "block",
     kBlockFields,
     Kind::content,
     "content_id",
     {}},
    {Kind::script,
     "script",
     "script",
     "generated_scripts",
     "script",
     kScriptFields,
     Kind::content,
     "content_id",
     {}},
};

constexpr Kind kAllKinds[] = {Kind::client, Kind::campaign, Kind::content, Kind::block,
                              Kind::script};

constexpr ResourceSlot kSlots[] = {
    {"intro", "intro_video_path", "intro_duration"},
    {"ending", "outro_video_path", "outro_duration"},
    {"bgm", "bgm_path", ""},
};

}  // namespace

const KindInfo& info(Kind kind) { return kKinds[static_cast<int>(kind)]; }

std::span<const Kind> all_kinds() { return kAllKinds; }

std::optional<Kind> kind_from_name(std::string_view name) {
    for (const auto& k : kKinds)
        if (k.name == name) return k.kind;
    return std::nullopt;
}

std::optional<Kind> kind_from_stream_prefix(std::string_view prefix) {
    for (const auto& k : kKinds)
        if (k.stream_prefix == prefix) return k.kind;
    return std::nullopt;
}

const FieldSpec* field_spec(Kind kind, std::string_view name) {
    for (const auto& f : info(kind).fields)
        if (f.name == name) return &f;
    return nullptr;
}

bool is_envelope_field(std::string_view name) {
    return name == "id" || name == "version" || name == "created_at" || name == "updated_at";
}

std::span<const ResourceSlot> resource_slots() { return kSlots; }

const ResourceSlot* resource_slot(std::string_view type) {
    for (const auto& s : kSlots)
        if (s.type == type) return &s;
    return nullptr;
}

}  // namespace omnivibe::domain
