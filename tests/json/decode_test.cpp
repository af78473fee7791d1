#include "omnivibe/json/decode.hpp"

#include <boost/test/unit_test.hpp>

using namespace omnivibe;
using namespace omnivibe::domain;

BOOST_AUTO_TEST_SUITE(json_decode)

BOOST_AUTO_TEST_CASE(reads_members_in_order_with_their_types) {
    auto f = json::parse_object(R"({"s":"x","i":3,"d":0.5,"b":true,"n":null,"l":["a"],"k":[1,2]})");
    BOOST_REQUIRE(f);
    BOOST_TEST(f->size() == 7u);
    BOOST_TEST((*f)[0].name == "s");
    BOOST_TEST(std::get<std::string>(*find(*f, "s")) == "x");
    BOOST_TEST(std::get<std::int64_t>(*find(*f, "i")) == 3);
    BOOST_TEST(std::get<double>(*find(*f, "d")) == 0.5);
    BOOST_TEST(std::get<bool>(*find(*f, "b")));
    BOOST_TEST(std::holds_alternative<Null>(*find(*f, "n")));
    BOOST_TEST(std::get<StringList>(*find(*f, "l")).size() == 1u);
    BOOST_TEST(std::get<IntList>(*find(*f, "k")).size() == 2u);
}

BOOST_AUTO_TEST_CASE(rejects_malformed_json_as_malformed_json) {
    for (const char* bad : {"", "{", "{\"a\":}", "[1]", "\"x\"", "{\"a\":1} trailing", "nul"}) {
        auto f = json::parse_object(bad);
        BOOST_TEST_CONTEXT(bad) {
            BOOST_REQUIRE(!f);
            BOOST_TEST(f.error().code == ErrorCode::malformed_json);
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_invalid_utf8) {
    auto f = json::parse_object("{\"name\":\"\xC0\xAF\"}");
    BOOST_REQUIRE(!f);
    BOOST_TEST(f.error().detail.find("UTF-8") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_deep_nesting) {
    std::string deep = "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
    BOOST_TEST(!json::parse_object(deep));
}

BOOST_AUTO_TEST_CASE(keeps_values_no_field_accepts_for_validation_to_name) {
    auto f = json::parse_object(R"({"o":{"x":1},"m":[1,"a"],"u":18446744073709551615})");
    BOOST_REQUIRE(f);
    BOOST_TEST(std::holds_alternative<Unsupported>(*find(*f, "o")));
    BOOST_TEST(std::holds_alternative<Unsupported>(*find(*f, "m")));
    BOOST_TEST(std::holds_alternative<Unsupported>(*find(*f, "u")));
}

BOOST_AUTO_TEST_SUITE_END()
