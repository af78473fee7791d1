#include "omnivibe/json/writer.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <limits>

#include "omnivibe/json/encode.hpp"

using omnivibe::json::Writer;

BOOST_AUTO_TEST_SUITE(json_writer)

BOOST_AUTO_TEST_CASE(writes_nested_structures_with_commas_in_the_right_places) {
    Writer w;
    w.begin_object()
        .key("a")
        .integer(1)
        .key("b")
        .begin_array()
        .integer(2)
        .string("x")
        .null()
        .end_array();
    w.key("c").begin_object().end_object().key("d").boolean(false).end_object();
    BOOST_TEST(w.view() == R"({"a":1,"b":[2,"x",null],"c":{},"d":false})");
}

BOOST_AUTO_TEST_CASE(escapes_quotes_backslashes_and_control_characters) {
    Writer w;
    w.string("a\"b\\c\n\x01\x1f</script>");
    BOOST_TEST(w.view() == R"("a\"b\\c\n\u0001\u001f</script>")");
}

BOOST_AUTO_TEST_CASE(keeps_utf8_as_is) {
    Writer w;
    w.string("밝은눈");
    BOOST_TEST(w.view() == "\"밝은눈\"");
}

BOOST_AUTO_TEST_CASE(prints_numbers_the_short_way_and_non_finite_as_null) {
    Writer w;
    w.begin_array().number(0.3).number(1.0).number(1e21).number(
        std::numeric_limits<double>::infinity());
    w.integer(std::numeric_limits<std::int64_t>::min()).end_array();
    BOOST_TEST(w.view() == "[0.3,1,1e+21,null,-9223372036854775808]");
}

BOOST_AUTO_TEST_CASE(an_entity_reads_the_same_whatever_the_order_of_its_fields) {
    using namespace omnivibe::domain;
    Entity in_order;
    in_order.kind = Kind::client;
    in_order.id = 7;
    in_order.version = 2;
    in_order.created_at = in_order.updated_at = "2026-02-02T10:30:00.000Z";
    for (const auto& spec : info(Kind::client).fields)
        in_order.fields.push_back({std::string(spec.name), Null{}});
    omnivibe::domain::set(in_order.fields, "name", std::string("Acme"));
    Entity shuffled = in_order;
    std::reverse(shuffled.fields.begin(), shuffled.fields.end());
    Entity sparse = in_order;
    omnivibe::domain::erase(sparse.fields, "notes");  // a missing field is written as null
    Writer a, b, c;
    write_entity(a, in_order);
    write_entity(b, shuffled);
    write_entity(c, sparse);
    BOOST_TEST(a.view() == b.view());
    BOOST_TEST(a.view() == c.view());
    BOOST_TEST(a.view().find(R"("name":"Acme")") != std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(escapes_every_special_byte_wherever_it_falls_in_a_long_string) {
    // The reference: one byte at a time, as RFC 8259 says.
    auto reference = [](std::string_view s) {
        std::string out = "\"";
        for (unsigned char c : s) {
            if (c == '"')
                out += "\\\"";
            else if (c == '\\')
                out += "\\\\";
            else if (c == '\n')
                out += "\\n";
            else if (c == '\r')
                out += "\\r";
            else if (c == '\t')
                out += "\\t";
            else if (c == '\b')
                out += "\\b";
            else if (c == '\f')
                out += "\\f";
            else if (c < 0x20) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else
                out += static_cast<char>(c);
        }
        return out + "\"";
    };
    const std::string specials = std::string("\"\\\n\x01\x1f\x7f ") + "\xc3\xa9";
    for (std::size_t length = 0; length <= 40; ++length)
        for (std::size_t at = 0; at < length; ++at)
            for (char special : specials) {
                std::string s(length, 'x');
                s[at] = special;
                if (at + 9 < length) s[at + 9] = '"';
                std::string out;
                omnivibe::json::append_quoted(out, s);
                BOOST_TEST(out == reference(s), "length " << length << " at " << at);
            }
}

BOOST_AUTO_TEST_SUITE_END()
