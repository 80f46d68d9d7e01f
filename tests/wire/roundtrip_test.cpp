// decode(encode(x)) == x for varied messages under varied session contexts,
// from a seeded generator (deterministic: failures reproduce).
#include "wire_test_util.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>

using namespace moat::wire;
using namespace moat::wire::test;

namespace {

struct Gen {
    std::mt19937 rng;
    explicit Gen(uint32_t seed) : rng(seed) {}
    uint32_t u32() { return rng(); }
    uint32_t below(uint32_t n) { return rng() % n; }
    bool coin() { return rng() & 1; }

    uint32_t asn(bool wide) { return wide && coin() ? 65536 + below(4000000000u) : 1 + below(23455); }

    Prefix prefix(bool v6) {
        IpAddress a;
        a.v6 = v6;
        for (auto& b : a.bytes) b = static_cast<uint8_t>(rng());
        if (!v6) std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
        return Prefix::make(a, static_cast<uint8_t>(below(v6 ? 129 : 33)));
    }
    std::vector<Nlri> nlri(bool v6, bool add_path, size_t max) {
        std::vector<Nlri> v(below(static_cast<uint32_t>(max) + 1));
        for (auto& n : v) n = {add_path ? u32() : 0, prefix(v6)};
        return v;
    }

    PathAttributes attrs(const SessionContext& ctx, bool wide) {
        PathAttributes a;
        a.origin = static_cast<Origin>(below(3));
        AsPath p;
        // Confederation segments only from inside (RFC 5065 5); sets never (RFC 9774).
        if (ctx.ibgp && below(4) == 0) p.segments.push_back({SegmentType::confed_sequence, {asn(false)}});
        AsSegment s{SegmentType::as_sequence, {}};
        for (uint32_t i = 0, n = 1 + below(6); i < n; ++i) s.asns.push_back(asn(wide));
        p.segments.push_back(s);
        if (coin()) p.segments.back().asns.push_back(asn(wide));
        a.as_path = p;
        a.next_hop = 0x0a000000 | below(1 << 24);
        if (coin()) a.med = u32();
        if (ctx.ibgp && coin()) a.local_pref = u32();
        a.atomic_aggregate = coin();
        if (coin()) a.aggregator = Aggregator{asn(wide), u32()};
        for (uint32_t i = 0, n = below(3) ? below(5) : 80; i < n; ++i) a.communities.push_back(u32());
        if (ctx.ibgp && coin()) {
            a.originator_id = u32();
            a.cluster_list = {u32(), u32()};
        }
        for (uint32_t i = 0, n = below(3); i < n; ++i) {
            ExtCommunity e;
            for (auto& b : e.value) b = static_cast<uint8_t>(rng());
            a.ext_communities.push_back(e);
        }
        for (uint32_t i = 0, n = below(3); i < n; ++i) a.large_communities.push_back({u32(), u32(), u32()});
        if (coin()) a.otc = u32();
        if (coin()) a.unknown.push_back({0xe0, 99, std::vector<uint8_t>(below(300), 0x5a)});
        if (coin()) a.unknown.push_back({0xe0, 200, {1, 2, 3}});
        return a;
    }

    Update update(const SessionContext& ctx) {
        bool wide = coin();
        Update u;
        u.withdrawn = nlri(false, ctx.add_path_rx_v4, 20);
        if (below(5)) {
            u.attrs = attrs(ctx, wide);
            u.nlri = nlri(false, ctx.add_path_rx_v4, 50);
        }
        if (coin()) {
            MpReach m;
            bool v6 = coin();
            m.afi_safi = {v6 ? Afi::ipv6 : Afi::ipv4, Safi::unicast};
            if (v6) {
                m.next_hop = *IpAddress::parse("2001:db8::1");
                if (coin()) m.link_local_next_hop = *IpAddress::parse("fe80::1");
            } else {
                m.next_hop = IpAddress::v4(0xc0000201);
            }
            m.nlri = nlri(v6, v6 ? ctx.add_path_rx_v6 : ctx.add_path_rx_v4, 60);
            if (m.nlri.empty()) m.nlri.push_back({0, prefix(v6)});
            u.mp_reach = m;
            if (!u.attrs.origin) u.attrs = attrs(ctx, wide);
        }
        if (coin()) u.mp_unreach = MpUnreach{{Afi::ipv6, Safi::unicast}, nlri(true, ctx.add_path_rx_v6, 30)};
        return u;
    }
};

std::vector<std::pair<const char*, SessionContext>> contexts() {
    SessionContext ap = ctx4();
    ap.add_path_rx_v4 = ap.add_path_tx_v4 = ap.add_path_rx_v6 = ap.add_path_tx_v6 = true;
    ap.extended_message = true;
    return {{"4-octet eBGP", ctx4()}, {"2-octet eBGP", ctx2()}, {"4-octet iBGP", ctx4_ibgp()},
            {"ADD-PATH, extended messages", ap}};
}

}  // namespace

TEST_CASE("UPDATE round trips") {
    for (const auto& [name, ctx] : contexts()) {
        SECTION(name) {
            Gen g(12345);
            for (int i = 0; i < 400; ++i) {
                Update u = g.update(ctx);
                Buffer out;
                encode(u, ctx, out);
                if (out.size() > ctx.max_size()) continue;  // the packer's job to avoid
                auto r = decode(out, ctx);
                if (!ok(r)) FAIL(std::get<DecodeError>(r).reason << " in " << to_hex(out));
                const Update& back = std::get<Update>(std::get<Message>(r));
                if (!(back == u)) FAIL("round trip differs for " << to_hex(out));
                CHECK(back.discarded.empty());
            }
        }
    }
}

TEST_CASE("OPEN round trips") {
    Gen g(7);
    for (int i = 0; i < 200; ++i) {
        Open o;
        o.my_as = static_cast<uint16_t>(1 + g.below(65535));
        o.hold_time = static_cast<uint16_t>(g.coin() ? 0 : 3 + g.below(65000));
        o.bgp_id = 1 + g.below(0xfffffff0);
        if (g.coin()) o.caps.multiprotocol.push_back({Afi::ipv4, Safi::unicast});
        if (g.coin()) o.caps.multiprotocol.push_back({Afi::ipv6, Safi::unicast});
        o.caps.route_refresh = g.coin();
        o.caps.enhanced_route_refresh = g.coin();
        o.caps.extended_message = g.coin();
        if (g.coin()) o.caps.four_octet_as = g.u32();
        if (g.coin())
            o.caps.graceful_restart = GracefulRestart{g.coin(), g.coin(), static_cast<uint16_t>(g.below(4096)),
                                                      {{{Afi::ipv6, Safi::unicast}, g.coin()}}};
        if (g.coin()) o.caps.add_path.push_back({{Afi::ipv6, Safi::unicast}, static_cast<uint8_t>(1 + g.below(3))});
        if (g.coin()) o.caps.role = static_cast<Role>(g.below(5));
        if (g.coin()) o.caps.unknown.push_back({static_cast<uint8_t>(128 + g.below(60)), {1, 2}});
        Buffer out;
        encode(o, out);
        auto r = decode(out, ctx2());
        REQUIRE(ok(r));
        CHECK(std::get<Open>(std::get<Message>(r)) == o);
    }
}

TEST_CASE("NOTIFICATION and ROUTE-REFRESH round trips") {
    for (uint8_t code = 1; code <= 7; ++code)
        for (uint8_t sub = 0; sub <= 11; ++sub) {
            Notification n{code, sub, std::vector<uint8_t>(sub * 3u, sub)};
            Buffer out;
            encode(n, out);
            auto r = decode(out, ctx4());
            REQUIRE(ok(r));
            CHECK(std::get<Notification>(std::get<Message>(r)) == n);
            CHECK(!n.describe().empty());
        }
    for (uint8_t st : {0, 1, 2}) {
        RouteRefresh rr{{Afi::ipv6, Safi::unicast}, st};
        Buffer out;
        encode(rr, out);
        auto r = decode(out, ctx4());
        REQUIRE(ok(r));
        CHECK(std::get<RouteRefresh>(std::get<Message>(r)) == rr);
    }
}

TEST_CASE("long attributes use the Extended Length form") {
    PathAttributes a;
    a.communities.assign(70, 0xfde80001);
    Buffer out;
    REQUIRE(encode_attributes(a, ctx4(), out));
    CHECK(out[0] == (0xc0 | attr::flag_extended_length));
    CHECK(out[2] == 0x01);
    CHECK(out[3] == 0x18);  // 280
    auto r = decode_update(update_body({}, out, {}), ctx4());
    REQUIRE(ok(r));
    CHECK(std::get<Update>(r).attrs == a);
}

TEST_CASE("AS_PATH segments longer than 255 ASes are split on encode") {
    std::vector<uint32_t> asns(300);
    for (size_t i = 0; i < asns.size(); ++i) asns[i] = 64512 + static_cast<uint32_t>(i);
    PathAttributes a;
    a.as_path = seq(asns);
    Buffer out;
    REQUIRE(encode_attributes(a, ctx4(), out));
    auto r = decode_update(update_body({}, out, {}), ctx4());
    REQUIRE(ok(r));
    const auto& p = *std::get<Update>(r).attrs.as_path;
    REQUIRE(p.segments.size() == 2);
    CHECK(p.segments[0].asns.size() == 255);
    CHECK(p.segments[1].asns.size() == 45);
    CHECK(p.decision_length() == 300);
    CHECK(p.origin_as() == asns.back());
}

TEST_CASE("prefix decoding sizes the NLRI vector once") {
    Update u;
    u.attrs.origin = Origin::igp;
    u.attrs.as_path = seq({65001});
    u.attrs.next_hop = ip4("192.0.2.1");
    for (uint32_t i = 0; i < 900; ++i) u.nlri.push_back({0, Prefix::make(IpAddress::v4(0x0a000000 | i << 8), 24)});
    Buffer out;
    encode(u, ctx4(), out);
    auto r = decode(out, ctx4());
    REQUIRE(ok(r));
    const Update& back = std::get<Update>(std::get<Message>(r));
    CHECK(back.nlri.size() == 900);
    CHECK(back.nlri.capacity() == 900);  // one exact reservation, no growth
    CHECK(back == u);
}

TEST_CASE("an attribute longer than its 16-bit length is refused, never truncated") {
    PathAttributes a;
    a.origin = Origin::igp;
    a.as_path = seq(std::vector<uint32_t>(16400, 4200000000u));  // 16,400 x 4 octets + segment headers > 65,535
    Buffer out = {0xaa};
    CHECK(!encode_attributes(a, ctx4(), out));
    CHECK(out == Buffer{0xaa});  // nothing appended
    // The same path fits a 2-octet peer's AS_PATH (AS_TRANS) but not its AS4_PATH.
    CHECK(!encode_attributes(a, ctx2(), out));
    // A whole UPDATE built from such a value is a programming error, reported loudly.
    Update u;
    u.attrs = a;
    u.nlri = {nl("192.0.2.0/24")};
    CHECK_THROWS_AS(encode(u, ctx4(), out), std::length_error);
    a.as_path = seq(std::vector<uint32_t>(16000, 4200000000u));
    CHECK(encode_attributes(a, ctx4(), out));
}
