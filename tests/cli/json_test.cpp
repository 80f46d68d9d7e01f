// The JSON writer: escaping, commas, misuse.
#include "cli/json.hpp"
#include "json_parse.hpp"

#include <catch2/catch.hpp>

using moat::cli::JsonWriter;

TEST_CASE("JSON strings are escaped per RFC 8259", "[cli][json]") {
    CHECK(JsonWriter::escape("plain") == "\"plain\"");
    CHECK(JsonWriter::escape("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(JsonWriter::escape("\n\t\r\b\f") == "\"\\n\\t\\r\\b\\f\"");
    CHECK(JsonWriter::escape(std::string("\x01\x1f\x7f", 3)) == "\"\\u0001\\u001f\\u007f\"");
    CHECK(JsonWriter::escape(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
    CHECK(JsonWriter::escape("\xe2\x82\xac \xf0\x9f\x98\x80") == "\"\xe2\x82\xac \xf0\x9f\x98\x80\"");
    // invalid UTF-8: stray continuation, truncated sequence, overlong, surrogate
    CHECK(JsonWriter::escape("a\x80z") == "\"a\\ufffdz\"");
    CHECK(JsonWriter::escape("\xe2\x82") == "\"\\ufffd\\ufffd\"");
    CHECK(JsonWriter::escape("\xc0\xaf") == "\"\\ufffd\\ufffd\"");
    CHECK(JsonWriter::escape("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");
}

TEST_CASE("JSON documents are well formed", "[cli][json]") {
    JsonWriter j;
    j.begin_object();
    j.field("s", "x\"y").field("n", uint64_t{18446744073709551615u}).field("neg", -3).field("t", true);
    j.key("nil").null();
    j.key("a").begin_array().value(1).value("two").begin_object().end_object().begin_array().end_array().end_array();
    j.key("o").begin_object().field("k", false).end_object();
    j.end_object();
    CHECK(j.str() ==
          "{\"s\":\"x\\\"y\",\"n\":18446744073709551615,\"neg\":-3,\"t\":true,\"nil\":null,"
          "\"a\":[1,\"two\",{},[]],\"o\":{\"k\":false}}");
    auto doc = jtest::parse(j.str());
    CHECK(doc["s"].str() == "x\"y");
    CHECK(doc["a"][1].str() == "two");
    CHECK(doc["nil"].is_null());
}

TEST_CASE("JSON writer refuses misuse", "[cli][json]") {
    JsonWriter j;
    j.begin_object();
    CHECK_THROWS(j.value(1));  // no key
    CHECK_THROWS(j.str());     // not complete
    CHECK_THROWS(j.end_array());
    j.end_object();
    CHECK_THROWS(j.begin_object());  // one document only
}
