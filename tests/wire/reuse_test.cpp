// UpdateDecoder: UPDATEs decoded one after another into one reused Update
// come out exactly as decode_update() returns them from scratch, whatever
// the previous UPDATE left behind (longer vectors, an AS_PATH, MP_REACH,
// RFC 7606 outcomes, a decode error), and the buffers are really reused.
#include "wire_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using namespace moat::wire;
using namespace moat::wire::test;

namespace {

// An UPDATE body as a speaker would send it.
Buffer body_of(const Update& u, const SessionContext& ctx) {
    Buffer out;
    encode(u, ctx, out);
    return Buffer(out.begin() + header_size, out.end());
}

std::string text(const char* s) { return s ? s : "(null)"; }

// Update::operator== leaves out the reasons (static log text); compare them too.
void check_same(const Update& got, const Update& want) {
    CHECK(got == want);
    CHECK(got.attrs == want.attrs);
    CHECK(got.withdrawn == want.withdrawn);
    CHECK(got.nlri == want.nlri);
    CHECK(got.mp_reach == want.mp_reach);
    CHECK(got.mp_unreach == want.mp_unreach);
    CHECK(got.treat_as_withdraw_attr == want.treat_as_withdraw_attr);
    CHECK(text(got.treat_as_withdraw_reason) == text(want.treat_as_withdraw_reason));
    REQUIRE(got.discarded.size() == want.discarded.size());
    for (size_t i = 0; i < got.discarded.size(); ++i)
        CHECK(text(got.discarded[i].reason) == text(want.discarded[i].reason));
    CHECK(got.end_of_rib() == want.end_of_rib());
}

// Decodes body with the reused decoder and from scratch; both must agree.
void decode_both(UpdateDecoder& dec, const Buffer& body, const SessionContext& ctx) {
    auto fresh = decode_update(body, ctx);
    auto err = dec.decode(body, ctx);
    REQUIRE(ok(fresh) == !err.has_value());
    if (err) {
        const auto& want = std::get<DecodeError>(fresh);
        CHECK(err->code == want.code);
        CHECK(err->subcode == want.subcode);
        CHECK(err->data == want.data);
        CHECK(err->attr_type == want.attr_type);
        CHECK(std::string(err->reason) == want.reason);
        return;
    }
    check_same(dec.update(), std::get<Update>(fresh));
}

Update big() {
    Update u;
    u.withdrawn = {nl("10.1.0.0/16"), nl("10.2.0.0/16"), nl("10.3.0.0/24")};
    u.attrs.origin = Origin::egp;
    u.attrs.as_path = AsPath{{AsSegment{SegmentType::as_sequence, {64500, 64501, 64502, 64503}},
                              AsSegment{SegmentType::as_sequence, {64510, 64511}}}};
    u.attrs.next_hop = ip4("192.0.2.1");
    u.attrs.med = 50;
    u.attrs.atomic_aggregate = true;
    u.attrs.aggregator = Aggregator{64500, ip4("192.0.2.9")};
    u.attrs.communities = {0xfde80001, 0xfde80002, 0xfde80003, 0xfde80004, community_no_export};
    u.attrs.cluster_list = {1, 2};
    u.attrs.originator_id = 7;
    u.attrs.ext_communities = {ExtCommunity{{0, 2, 0xfd, 0xe8, 0, 0, 0, 1}}};
    u.attrs.large_communities = {{64500, 1, 2}, {64500, 3, 4}};
    u.attrs.otc = 64500;
    u.attrs.unknown = {UnknownAttribute{attr::flag_optional | attr::flag_transitive | attr::flag_partial, 99,
                                        {1, 2, 3}}};
    u.nlri = {nl("198.51.100.0/24"), nl("203.0.113.0/24"), nl("192.0.2.0/25"), nl("100.64.0.0/10"),
              nl("172.16.0.0/12")};
    u.mp_reach = MpReach{{Afi::ipv6, Safi::unicast}, *IpAddress::parse("2001:db8::1"),
                         *IpAddress::parse("fe80::1"),
                         {nl("2001:db8:1::/48"), nl("2001:db8:2::/48"), nl("2001:db8:3::/48"), nl("2001:db8:4::/48")}};
    u.mp_unreach = MpUnreach{{Afi::ipv6, Safi::unicast}, {nl("2001:db8:9::/48"), nl("2001:db8:a::/48")}};
    return u;
}

Update small() {
    Update u;
    u.attrs.origin = Origin::igp;
    u.attrs.as_path = seq({64999});
    u.attrs.next_hop = ip4("192.0.2.2");
    u.attrs.communities = {0xfde80009};
    u.nlri = {nl("198.18.0.0/15")};
    return u;
}

Update v6_only() {
    Update u;
    u.attrs.origin = Origin::incomplete;
    u.attrs.as_path = AsPath{{AsSegment{SegmentType::as_sequence, {1, 2}}, AsSegment{SegmentType::as_sequence, {3}},
                              AsSegment{SegmentType::as_sequence, {4, 5, 6, 7, 8, 9}}}};
    u.mp_reach = MpReach{{Afi::ipv6, Safi::unicast}, *IpAddress::parse("2001:db8::2"), std::nullopt,
                         {nl("2001:db8:5::/48"), nl("2001:db8:6::/47")}};
    return u;
}

const auto ORIGIN = test::attr(0x40, attr::origin, {0});
const auto AS_PATH = test::attr(0x40, attr::as_path, hex("02 01 0000fde8"));
const auto NEXT_HOP = test::attr(0x40, attr::next_hop, hex("c0000201"));

}  // namespace

TEST_CASE("a reused Update decodes each UPDATE as a fresh decode would") {
    const SessionContext ctx = ctx4();
    UpdateDecoder dec;
    // Withdrawals only (no attributes at all): every vector shorter than before.
    Update withdraw;
    withdraw.withdrawn = {nl("10.9.0.0/16")};

    const std::vector<Buffer> bodies = {
        body_of(big(), ctx),
        body_of(small(), ctx),  // shorter vectors, no MP_*
        body_of(withdraw, ctx),  // no AS_PATH after one with
        body_of(v6_only(), ctx),  // MP_REACH after none, more segments than before
        // Treat-as-withdraw after a good one: COMMUNITIES of 3 octets.
        update_body({}, cat({ORIGIN, AS_PATH, NEXT_HOP, test::attr(0xc0, attr::communities, hex("000001"))}),
                    hex("18 c63364")),
        body_of(small(), ctx),  // good again after treat-as-withdraw
        // NLRI without AS_PATH: treat-as-withdraw for the missing attribute.
        update_body({}, cat({ORIGIN, NEXT_HOP}), hex("18 c63365")),
        // Attribute discard (ATOMIC_AGGREGATE of length 1), then none.
        update_body({}, cat({ORIGIN, AS_PATH, NEXT_HOP, test::attr(0x40, attr::atomic_aggregate, hex("01"))}),
                    hex("18 c63366")),
        body_of(big(), ctx),
        update_body({}, {}, {}),  // End-of-RIB for IPv4 unicast
        body_of(big(), ctx),
        // Session reset (a prefix longer than 32 bits), then a good one.
        update_body({}, cat({ORIGIN, AS_PATH, NEXT_HOP}), hex("21 c6336401 00")),
        body_of(small(), ctx),
        // An MP_UNREACH End-of-RIB for IPv6 after an UPDATE with MP_REACH.
        body_of(v6_only(), ctx),
        update_body({}, test::attr(0x80, attr::mp_unreach_nlri, hex("0002 01")), {}),
    };
    for (size_t i = 0; i < bodies.size(); ++i) {
        INFO("UPDATE " << i);
        decode_both(dec, bodies[i], ctx);
    }
}

TEST_CASE("a reused Update merges AS4_PATH from a 2-octet peer as a fresh decode does") {
    const SessionContext ctx = ctx2();
    UpdateDecoder dec;
    // AS_PATH 23456 23456 64500 with AS4_PATH 4200000001 4200000002 64500:
    // the merged path is the AS4_PATH (RFC 6793 4.2.3).
    const auto as_path = test::attr(0x40, attr::as_path, hex("02 03 5ba0 5ba0 fbf4"));
    const auto as4_path = test::attr(0xc0, attr::as4_path, hex("02 03 fa56ea01 fa56ea02 0000fbf4"));
    const std::vector<Buffer> bodies = {
        update_body({}, cat({ORIGIN, as_path, NEXT_HOP, as4_path}), hex("18 c63364")),
        update_body({}, cat({ORIGIN, test::attr(0x40, attr::as_path, hex("02 01 fde8")), NEXT_HOP}), hex("18 c63365")),
        update_body({}, cat({ORIGIN, as_path, NEXT_HOP, as4_path}), hex("18 c63366")),
    };
    for (size_t i = 0; i < bodies.size(); ++i) {
        INFO("UPDATE " << i);
        decode_both(dec, bodies[i], ctx);
    }
    CHECK(dec.update().attrs.as_path->to_string() == "4200000001 4200000002 64500");
}

TEST_CASE("a reused Update keeps its buffers from one UPDATE to the next") {
    const SessionContext ctx = ctx4();
    UpdateDecoder dec;
    REQUIRE(!dec.decode(body_of(big(), ctx), ctx));
    const Update& u = dec.update();
    const Nlri* nlri = u.nlri.data();
    const Nlri* mp_nlri = u.mp_reach->nlri.data();
    const uint32_t* asns = u.attrs.as_path->segments[0].asns.data();
    const uint32_t* communities = u.attrs.communities.data();

    // Nothing of the above in between: the buffers wait for the next UPDATE.
    Update withdraw;
    withdraw.withdrawn = {nl("10.9.0.0/16")};
    REQUIRE(!dec.decode(body_of(withdraw, ctx), ctx));
    CHECK(!u.attrs.as_path);
    CHECK(!u.mp_reach);

    Update next = small();
    next.mp_reach = MpReach{{Afi::ipv6, Safi::unicast}, *IpAddress::parse("2001:db8::2"), std::nullopt,
                            {nl("2001:db8:7::/48")}};
    REQUIRE(!dec.decode(body_of(next, ctx), ctx));
    CHECK(u == next);
    CHECK(u.nlri.data() == nlri);
    CHECK(u.mp_reach->nlri.data() == mp_nlri);
    CHECK(u.attrs.as_path->segments[0].asns.data() == asns);
    CHECK(u.attrs.communities.data() == communities);
}
