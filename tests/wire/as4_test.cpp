// RFC 6793 4.2.3: rebuilding the 4-octet AS_PATH and AGGREGATOR from a
// 2-octet peer's AS_PATH/AS4_PATH and AGGREGATOR/AS4_AGGREGATOR, and
// generating them on encode (4.2.2).
#include "wire_test_util.hpp"

#include <catch2/catch.hpp>

using namespace moat::wire;
using namespace moat::wire::test;

namespace {

const auto ORIGIN = hex("40 01 01 00");
const auto NEXT_HOP = hex("40 03 04 c0000201");

PathAttributes decode2(const std::vector<uint8_t>& attrs, const SessionContext& ctx = ctx2()) {
    auto r = decode_update(update_body({}, cat({ORIGIN, attrs, NEXT_HOP}), hex("18 c00002")), ctx);
    REQUIRE(ok(r));
    const Update& u = std::get<Update>(r);
    CHECK(!u.treat_as_withdraw_attr);
    return u.attrs;
}

}  // namespace

TEST_CASE("AS4_PATH replaces the trailing AS_TRANS entries") {
    auto a = decode2(hex("40 02 08 02 03 fde8 5ba0 5ba0  c0 11 0a 02 02 00061a80 00061a81"));
    CHECK(a.as_path == seq({65000, 400000, 400001}));
}

TEST_CASE("AS4_PATH longer than AS_PATH is ignored") {
    auto a = decode2(hex("40 02 04 02 01 5ba0  c0 11 0a 02 02 00061a80 0000fde8"));
    CHECK(a.as_path == seq({23456}));
}

TEST_CASE("an AS_SET in AS_PATH or AS4_PATH from a 2-octet peer is treat-as-withdraw (RFC 9774)") {
    for (const char* attrs : {"40 02 0c 02 02 fde8 5ba0 01 02 5ba0 fde9  c0 11 0a 02 02 00061a80 0000fde9",
                              "40 02 08 02 03 fde8 5ba0 5ba0  c0 11 10 02 01 00061a80 01 02 00061a81 0000fde9"}) {
        INFO(attrs);
        auto r = decode_update(update_body({}, cat({ORIGIN, hex(attrs), NEXT_HOP}), hex("18 c00002")), ctx2());
        REQUIRE(ok(r));
        const Update& u = std::get<Update>(r);
        REQUIRE(u.treat_as_withdraw_attr);
        CHECK(std::string(u.treat_as_withdraw_reason).find("RFC 9774") != std::string::npos);
    }
}

TEST_CASE("leading confederation segments of an iBGP AS_PATH are kept") {
    auto a = decode2(hex("40 02 08 03 01 fe4c 02 01 5ba0  c0 11 06 02 01 00061a80"), ctx2_ibgp());
    CHECK(a.as_path == AsPath{{{SegmentType::confed_sequence, {65100}}, {SegmentType::as_sequence, {400000}}}});
}

TEST_CASE("AS4_AGGREGATOR replaces an AS_TRANS AGGREGATOR") {
    auto a = decode2(hex("40 02 04 02 01 5ba0  c0 07 06 5ba0 c0000209  c0 11 06 02 01 00061a80"
                         "  c0 12 08 00061a80 c0000209"));
    CHECK(a.aggregator == Aggregator{400000, ip4("192.0.2.9")});
    CHECK(a.as_path == seq({400000}));
}

TEST_CASE("an AGGREGATOR that is not AS_TRANS makes AS4_AGGREGATOR and AS4_PATH stale") {
    auto a = decode2(hex("40 02 06 02 02 fde8 5ba0  c0 07 06 fdec c0000209  c0 11 06 02 01 00061a80"
                         "  c0 12 08 00061a80 c0000209"));
    CHECK(a.aggregator == Aggregator{65004, ip4("192.0.2.9")});
    CHECK(a.as_path == seq({65000, 23456}));
}

TEST_CASE("AS4_PATH without wide ASes still merges") {
    auto a = decode2(hex("40 02 06 02 02 fde8 fde9  c0 11 06 02 01 0000fde9"));
    CHECK(a.as_path == seq({65000, 65001}));
}

TEST_CASE("encoding to a 2-octet peer generates AS_TRANS and the AS4 attributes") {
    PathAttributes a;
    a.as_path = AsPath{{{SegmentType::confed_sequence, {65100}}, {SegmentType::as_sequence, {65000, 4200000000u}}}};
    a.aggregator = Aggregator{4200000000u, ip4("192.0.2.9")};
    Buffer out;
    REQUIRE(encode_attributes(a, ctx2_ibgp(), out));
    CHECK(to_hex(out) == to_hex(hex("40 02 0a 03 01 fe4c 02 02 fde8 5ba0  c0 07 06 5ba0 c0000209"
                                    "  c0 11 0a 02 02 0000fde8 fa56ea00  c0 12 08 fa56ea00 c0000209")));
    // And back.
    auto r = decode_update(update_body({}, out, {}), ctx2_ibgp());
    REQUIRE(ok(r));
    CHECK(std::get<Update>(r).attrs == a);

    // A 4-octet peer gets neither AS_TRANS nor AS4_*.
    Buffer out4;
    REQUIRE(encode_attributes(a, ctx4_ibgp(), out4));
    CHECK(to_hex(out4) == to_hex(hex("40 02 10 03 01 0000fe4c 02 02 0000fde8 fa56ea00  c0 07 08 fa56ea00 c0000209")));

    // RFC 5065 5: an external neighbor gets no confederation segment.
    Buffer ext;
    REQUIRE(encode_attributes(a, ctx4(), ext));
    CHECK(to_hex(ext) == to_hex(hex("40 02 0a 02 02 0000fde8 fa56ea00  c0 07 08 fa56ea00 c0000209")));
}

TEST_CASE("a path of 2-octet ASes gets no AS4_PATH") {
    PathAttributes a;
    a.as_path = seq({65000, 65001});
    Buffer out;
    REQUIRE(encode_attributes(a, ctx2(), out));
    CHECK(to_hex(out) == "4002060202fde8fde9");
}
