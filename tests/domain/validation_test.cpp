#include "omnivibe/domain/validation.hpp"

#include <boost/test/unit_test.hpp>

#include "omnivibe/json/decode.hpp"

using namespace omnivibe;
using namespace omnivibe::domain;

namespace {
Result<Fields> check(Kind kind, std::string_view body, Mode mode = Mode::create) {
    auto parsed = json::parse_object(body);
    BOOST_REQUIRE(parsed);
    return validate(kind, *parsed, mode);
}

std::string message_for(const Error& e, std::string_view field) {
    for (const auto& fe : e.errors)
        if (fe.field == field) return fe.message;
    return "";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(create_fills_defaults_and_keeps_given_values) {
    auto f = check(Kind::campaign, R"({"client_id":1,"name":"Spring"})");
    BOOST_REQUIRE(f);
    BOOST_TEST(*get_string(*f, "status") == "draft");
    BOOST_TEST(std::get<double>(*find(*f, "bgm_volume")) == 0.3);
    BOOST_TEST(std::get<bool>(*find(*f, "auto_deploy")) == false);
    BOOST_TEST(std::holds_alternative<Null>(*find(*f, "description")));
}

BOOST_AUTO_TEST_CASE(create_requires_required_fields) {
    auto f = check(Kind::campaign, R"({})");
    BOOST_REQUIRE(!f);
    BOOST_TEST(f.error().code == ErrorCode::validation_failed);
    BOOST_TEST(message_for(f.error(), "client_id") == "is required");
    BOOST_TEST(message_for(f.error(), "name") == "is required");
}

BOOST_AUTO_TEST_CASE(reports_one_error_per_bad_field) {
    auto f = check(Kind::campaign,
                   R"({"client_id":"1","name":"","status":"bogus","bgm_volume":2,
                       "target_duration":0,"start_date":"2026-02-30","auto_deploy":"yes"})");
    BOOST_REQUIRE(!f);
    BOOST_TEST(f.error().errors.size() == 7u);
    BOOST_TEST(message_for(f.error(), "client_id") == "must be an integer, got string");
    BOOST_TEST(message_for(f.error(), "name") == "must not be empty");
    BOOST_TEST(message_for(f.error(), "start_date") == "must be a calendar date YYYY-MM-DD");
}

BOOST_AUTO_TEST_CASE(rejects_unknown_fields_listing_them) {
    auto f = check(Kind::client, R"({"name":"A","colour":"red","size":3})");
    BOOST_REQUIRE(!f);
    BOOST_TEST(f.error().detail == "Unknown fields: colour, size.");
    BOOST_TEST(f.error().errors.size() == 2u);
}

BOOST_AUTO_TEST_CASE(ignores_read_only_fields) {
    auto f = check(Kind::client,
                   R"({"name":"A","id":99,"version":7,"created_at":"x","campaign_count":5})");
    BOOST_REQUIRE(f);
    BOOST_TEST(!find(*f, "id"));
    BOOST_TEST(!find(*f, "campaign_count"));
}

BOOST_AUTO_TEST_CASE(rejects_duplicate_fields) {
    auto f = check(Kind::client, R"({"name":"A","name":"B"})");
    BOOST_REQUIRE(!f);
    BOOST_TEST(message_for(f.error(), "name") == "is given more than once");
}

BOOST_AUTO_TEST_CASE(counts_length_in_code_points) {
    const std::string two_hundred(200, 'a');
    std::string korean;
    for (int i = 0; i < 200; ++i) korean += "가";  // 600 bytes, 200 code points
    BOOST_TEST(check(Kind::client, R"({"name":")" + korean + "\"}").has_value());
    BOOST_TEST(!check(Kind::client, R"({"name":")" + korean + "가\"}").has_value());
}

BOOST_AUTO_TEST_CASE(canonicalises_choices_case_insensitively) {
    auto f = check(Kind::content,
                   R"({"campaign_id":1,"topic":"t","platform":"youtube","status":"Scheduled"})");
    BOOST_REQUIRE(f);
    BOOST_TEST(*get_string(*f, "platform") == "Youtube");
    BOOST_TEST(*get_string(*f, "status") == "scheduled");
}

BOOST_AUTO_TEST_CASE(keywords_are_bounded_string_arrays) {
    BOOST_TEST(
        check(Kind::content, R"({"campaign_id":1,"topic":"t","keywords":["a","b"]})").has_value());
    BOOST_TEST(
        !check(Kind::content, R"({"campaign_id":1,"topic":"t","keywords":"a,b"})").has_value());
    BOOST_TEST(
        !check(Kind::content, R"({"campaign_id":1,"topic":"t","keywords":[1]})").has_value());
    std::string many = "[";
    for (int i = 0; i < 21; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\"";
    many += "]";
    BOOST_TEST(!check(Kind::content, R"({"campaign_id":1,"topic":"t","keywords":)" + many + "}")
                    .has_value());
}

BOOST_AUTO_TEST_CASE(block_duration_must_be_positive_and_at_most_600) {
    BOOST_TEST(!check(Kind::block, R"({"block_type":"hook","duration_sec":0})").has_value());
    BOOST_TEST(check(Kind::block, R"({"block_type":"hook","duration_sec":0.5})").has_value());
    BOOST_TEST(check(Kind::block, R"({"block_type":"hook","duration_sec":600})").has_value());
    BOOST_TEST(!check(Kind::block, R"({"block_type":"hook","duration_sec":600.5})").has_value());
}

BOOST_AUTO_TEST_CASE(update_takes_only_given_fields_and_refuses_immutable_ones) {
    auto f = check(Kind::campaign, R"({"status":"paused"})", Mode::update);
    BOOST_REQUIRE(f);
    BOOST_TEST(f->size() == 1u);
    auto s = check(Kind::script, R"({"body":"new text"})", Mode::update);
    BOOST_REQUIRE(!s);
    BOOST_TEST(message_for(s.error(), "body") == "cannot be changed after creation");
}

BOOST_AUTO_TEST_CASE(required_fields_cannot_be_nulled) {
    auto f = check(Kind::client, R"({"name":null})", Mode::update);
    BOOST_REQUIRE(!f);
    BOOST_TEST(message_for(f.error(), "name") == "must not be null");
}

BOOST_AUTO_TEST_CASE(emails_need_an_at_and_a_domain) {
    BOOST_TEST(looks_like_email("a@b.co"));
    BOOST_TEST(!looks_like_email("a@b"));
    BOOST_TEST(!looks_like_email("@b.co"));
    BOOST_TEST(!looks_like_email("a b@c.co"));
    BOOST_TEST(!check(Kind::client, R"({"name":"A","contact_email":"nope"})").has_value());
}

BOOST_AUTO_TEST_CASE(end_date_may_not_precede_start_date) {
    Fields merged{{"start_date", std::string("2026-03-01")},
                  {"end_date", std::string("2026-02-01")}};
    auto st = check_entity_rules(Kind::campaign, merged);
    BOOST_REQUIRE(!st);
    BOOST_TEST(st.error().errors[0].field == "end_date");
}

// Regression (bad-input corpus): "\u0000" was stored, and SQLite's NOCASE
// comparison stops at it, so "A\0x" and "A\0y" counted as the same client name.
BOOST_AUTO_TEST_CASE(text_values_refuse_the_nul_character) {
    auto name = check(Kind::client, R"({"name":"A\u0000B"})");
    BOOST_REQUIRE(!name);
    BOOST_TEST(message_for(name.error(), "name") == "must not contain the NUL character");
    auto keywords = check(Kind::content, R"({"campaign_id":1,"topic":"T","keywords":["k\u0000"]})");
    BOOST_REQUIRE(!keywords);
    BOOST_TEST(message_for(keywords.error(), "keywords") ==
               "items must not contain the NUL character");
    BOOST_TEST(
        check(Kind::client, R"({"name":"A","notes":"tab\tand\u0001 are fine"})").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
