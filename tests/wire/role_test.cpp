// RFC 9234 on the wire: the BGP Role capability (code 9) for every role in
// both directions, the repeated / malformed capability cases the session
// answers with Role Mismatch, and the OTC attribute (type 35) at its bounds.
#include "wire_test_util.hpp"

#include <catch2/catch.hpp>

using namespace moat::wire;
using namespace moat::wire::test;

namespace {

const char* marker = "ffffffffffffffffffffffffffffffff";

// An OPEN (AS 65001, hold 90, id 192.0.2.1) whose one optional parameter
// holds the capability TLVs `caps` (hex).
std::vector<uint8_t> open_with(const std::string& caps) {
    auto tlvs = hex(caps);
    std::vector<uint8_t> body = hex("04 fde9 005a c0000201");
    body.push_back(static_cast<uint8_t>(tlvs.size() + 2));
    body.push_back(2);
    body.push_back(static_cast<uint8_t>(tlvs.size()));
    body.insert(body.end(), tlvs.begin(), tlvs.end());
    return message(1, body);
}

Open decode_open(const std::vector<uint8_t>& bytes) {
    auto r = decode(bytes, ctx4());
    REQUIRE(ok(r));
    return std::get<Open>(std::get<Message>(r));
}

}  // namespace

TEST_CASE("Role capability: each role encodes to code 9, length 1, its value, and decodes back") {
    struct Row {
        Role role;
        const char* value;
        const char* name;
    };
    const Row rows[] = {{Role::provider, "00", "provider"},
                        {Role::rs, "01", "rs"},
                        {Role::rs_client, "02", "rs-client"},
                        {Role::customer, "03", "customer"},
                        {Role::peer, "04", "peer"}};
    for (const auto& r : rows) {
        SECTION(r.name) {
            Open o;
            o.my_as = 65001;
            o.hold_time = 90;
            o.bgp_id = ip4("192.0.2.1");
            o.caps.role = r.role;
            const auto bytes = hex(std::string(marker) + "0022 01 04 fde9 005a c0000201 05 02 03 09 01" + r.value);
            Buffer out;
            encode(o, out);
            CHECK(to_hex(out) == to_hex(bytes));
            Open back = decode_open(bytes);
            CHECK(back == o);
            CHECK(!back.caps.role_conflict());
            CHECK(to_string(r.role) == r.name);
            CHECK(parse_role(r.name) == r.role);
        }
    }
    CHECK(!parse_role("rs_server"));
    CHECK(!parse_role(""));
}

TEST_CASE("Role pairs of RFC 9234 Table 2") {
    CHECK(expected_remote_role(Role::provider) == Role::customer);
    CHECK(expected_remote_role(Role::customer) == Role::provider);
    CHECK(expected_remote_role(Role::rs) == Role::rs_client);
    CHECK(expected_remote_role(Role::rs_client) == Role::rs);
    CHECK(expected_remote_role(Role::peer) == Role::peer);
}

TEST_CASE("Role capability repeated, malformed or unknown is kept for Role Mismatch") {
    SECTION("the same value twice is one role") {
        Open o = decode_open(open_with("09 01 03  09 01 03"));
        CHECK(o.caps.role == Role::customer);
        CHECK(!o.caps.role_conflict());
    }
    SECTION("two different values conflict") {
        Open o = decode_open(open_with("09 01 03  09 01 00"));
        CHECK(o.caps.role == Role::customer);
        CHECK(o.caps.role_conflict());
    }
    SECTION("an unassigned value (5) conflicts") {
        Open o = decode_open(open_with("09 01 05"));
        CHECK(!o.caps.role);
        CHECK(o.caps.role_conflict());
    }
    SECTION("length 2 conflicts") {
        Open o = decode_open(open_with("09 02 0300"));
        CHECK(!o.caps.role);
        CHECK(o.caps.role_conflict());
    }
    SECTION("length 0 conflicts") {
        Open o = decode_open(open_with("09 00"));
        CHECK(o.caps.role_conflict());
    }
    SECTION("no Role capability at all is no conflict") {
        Open o = decode_open(open_with("41 04 0000fde9"));
        CHECK(!o.caps.role);
        CHECK(!o.caps.role_conflict());
    }
    SECTION("a conflicting OPEN round trips as it was decoded") {
        Open o = decode_open(open_with("09 01 04  09 01 02"));
        Buffer out;
        encode(o, out);
        CHECK(decode_open(std::vector<uint8_t>(out.begin(), out.end())) == o);
    }
}

TEST_CASE("OTC: 4 octets, optional transitive, value kept exactly") {
    for (uint32_t asn : {1u, 65000u, 4200000000u, 0xffffffffu}) {
        PathAttributes a;
        a.otc = asn;
        Buffer out;
        REQUIRE(encode_attributes(a, ctx4(), out));
        std::vector<uint8_t> want = {0xc0, 35, 4, static_cast<uint8_t>(asn >> 24), static_cast<uint8_t>(asn >> 16),
                                     static_cast<uint8_t>(asn >> 8), static_cast<uint8_t>(asn)};
        CHECK(to_hex(out) == to_hex(want));
        auto r = decode_update(update_body({}, want, {}), ctx4());
        REQUIRE(ok(r));
        CHECK(std::get<Update>(r).attrs.otc == asn);
    }
    SECTION("an OTC with the Partial bit set is accepted") {
        auto r = decode_update(update_body({}, hex("e0 23 04 0000fde8"), {}), ctx4());
        REQUIRE(ok(r));
        CHECK(std::get<Update>(r).attrs.otc == 65000u);
        CHECK(!std::get<Update>(r).treat_as_withdraw_attr);
    }
    SECTION("an OTC with an extended length of 4 is accepted") {
        auto r = decode_update(update_body({}, hex("d0 23 0004 0000fde8"), {}), ctx4());
        REQUIRE(ok(r));
        CHECK(std::get<Update>(r).attrs.otc == 65000u);
    }
}
