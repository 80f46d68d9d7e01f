// Value-type helpers: address and prefix parsing/printing, AS_PATH queries,
// community names.
#include "wire_test_util.hpp"

#include <catch2/catch.hpp>

using namespace moat::wire;
using namespace moat::wire::test;

TEST_CASE("prefixes parse, mask host bits and print") {
    CHECK(pfx("192.0.2.1/24").to_string() == "192.0.2.0/24");
    CHECK(pfx("2001:db8::1/32").to_string() == "2001:db8::/32");
    CHECK(pfx("10.255.255.255/9") == pfx("10.128.0.0/9"));
    CHECK(pfx("0.0.0.0/0").len == 0);
    CHECK(pfx("::/0").v6);
    CHECK(!Prefix::parse("192.0.2.0/33"));
    CHECK(!Prefix::parse("192.0.2.0"));
    CHECK(!Prefix::parse("192.0.2.0/"));
    CHECK(!Prefix::parse("192.0.2.0/2x"));
    CHECK(!Prefix::parse("2001:db8::/129"));
    CHECK(!Prefix::parse("300.0.0.0/8"));
    CHECK(pfx("192.0.2.0/24").afi() == Afi::ipv4);
    CHECK(pfx("192.0.2.0/24") < pfx("192.0.3.0/24"));
}

TEST_CASE("addresses") {
    auto a = IpAddress::parse("192.0.2.1");
    REQUIRE(a);
    CHECK(a->v4_value() == 0xc0000201);
    CHECK(IpAddress::v4(0xc0000201) == *a);
    CHECK(a->to_string() == "192.0.2.1");
    CHECK(IpAddress::parse("fe80::1")->is_link_local_v6());
    CHECK(!IpAddress::parse("2001:db8::1")->is_link_local_v6());
    CHECK(!IpAddress::parse("banana"));
    CHECK(!IpAddress::parse(""));
    CHECK(to_string(Afi::ipv6) == "ipv6");
}

TEST_CASE("AS_PATH queries and printing") {
    AsPath p{{{SegmentType::confed_sequence, {65001}},
              {SegmentType::as_sequence, {64500, 64501}},
              {SegmentType::as_set, {64502, 64503}}}};
    CHECK(p.to_string() == "(65001) 64500 64501 {64502,64503}");
    CHECK(p.decision_length() == 3);
    CHECK(p.first_as() == 64500u);
    CHECK(p.origin_as() == std::nullopt);  // ends in an AS_SET (RFC 6811 2)
    CHECK(p.contains(64503));
    CHECK(!p.contains(1));
    CHECK(seq({1, 2, 3}).origin_as() == 3u);
    CHECK(AsPath{}.first_as() == std::nullopt);
    CHECK(AsPath{{{SegmentType::confed_set, {1, 2}}}}.to_string() == "[1,2]");
}

TEST_CASE("communities print as names or high:low") {
    CHECK(community_to_string(community_no_export) == "no-export");
    CHECK(community_to_string(community_no_advertise) == "no-advertise");
    CHECK(community_to_string(community_graceful_shutdown) == "graceful-shutdown");
    CHECK(community_to_string(0xfde80064) == "65000:100");
    PathAttributes a;
    a.communities = {1, 2};
    CHECK(a.has_community(2));
    CHECK(!a.has_community(3));
}

TEST_CASE("capability and role helpers") {
    Capabilities c;
    c.multiprotocol = {{Afi::ipv6, Safi::unicast}};
    CHECK(c.has_multiprotocol({Afi::ipv6, Safi::unicast}));
    CHECK(!c.has_multiprotocol({Afi::ipv4, Safi::unicast}));
    CHECK(to_string(Role::rs_client) == "rs-client");
    Open o;
    o.my_as = as_trans;
    CHECK(o.asn() == as_trans);
    o.caps.four_octet_as = 4200000000u;
    CHECK(o.asn() == 4200000000u);
}
