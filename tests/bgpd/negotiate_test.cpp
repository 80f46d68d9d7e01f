// OPEN checks, capability intersection and the packing of originated routes:
// pure functions, no sockets.
#include "bgpd/negotiate.hpp"
#include "bgpd/originate.hpp"

#include <catch2/catch.hpp>

using namespace moat;
using namespace moat::bgp;

namespace {

NeighborConfig neighbor(uint32_t remote_as) {
    NeighborConfig n;
    n.address = *wire::IpAddress::parse("192.0.2.2");
    n.remote_as = remote_as;
    return n;
}

wire::Open peer_open(uint32_t asn, uint16_t hold = 90) {
    LocalSettings l{asn, 0xc0000202};
    auto n = neighbor(65000);
    n.hold_time = hold;
    return make_open(l, n);
}

wire::Notification failure(const std::variant<Negotiated, wire::Notification>& r) {
    REQUIRE(std::holds_alternative<wire::Notification>(r));
    return std::get<wire::Notification>(r);
}

}  // namespace

TEST_CASE("our OPEN announces what is configured", "[negotiate]") {
    LocalSettings l{4200000000u, 0x01020304};
    auto n = neighbor(65001);
    n.ipv6_unicast = false;
    auto o = make_open(l, n);
    CHECK(o.my_as == wire::as_trans);
    CHECK(o.asn() == 4200000000u);
    CHECK(o.bgp_id == 0x01020304u);
    CHECK(o.hold_time == 90);
    CHECK(o.caps.multiprotocol == std::vector<wire::AfiSafi>{{wire::Afi::ipv4, wire::Safi::unicast}});
    CHECK(o.caps.route_refresh);
    CHECK(o.caps.enhanced_route_refresh);
    CHECK(o.caps.extended_message);
}

TEST_CASE("hold time and keepalive: min of both, 0 means none", "[negotiate]") {
    LocalSettings l{65000, 0x01010101};
    auto n = neighbor(65001);
    auto ours = make_open(l, n);

    auto r = negotiate(l, n, ours, peer_open(65001, 30));
    REQUIRE(std::holds_alternative<Negotiated>(r));
    CHECK(std::get<Negotiated>(r).hold_time == 30);
    CHECK(std::get<Negotiated>(r).keepalive_time == 10);

    n.keepalive_time = 5;
    r = negotiate(l, n, ours, peer_open(65001, 30));
    CHECK(std::get<Negotiated>(r).keepalive_time == 5);

    r = negotiate(l, n, ours, peer_open(65001, 0));
    CHECK(std::get<Negotiated>(r).hold_time == 0);
    CHECK(std::get<Negotiated>(r).keepalive_time == 0);

    CHECK(failure(negotiate(l, n, ours, peer_open(65001, 2))).subcode == wire::err::unacceptable_hold_time);
}

TEST_CASE("OPEN checks: peer AS, BGP identifier", "[negotiate]") {
    LocalSettings l{65000, 0xc0000202};
    auto n = neighbor(65001);
    auto ours = make_open(l, n);
    auto f = failure(negotiate(l, n, ours, peer_open(65002)));
    CHECK(f.code == wire::err::open);
    CHECK(f.subcode == wire::err::bad_peer_as);

    auto zero = peer_open(65001);
    zero.bgp_id = 0;
    CHECK(failure(negotiate(l, n, ours, zero)).subcode == wire::err::bad_bgp_identifier);

    // iBGP with our own identifier is refused; eBGP may share it (RFC 6286).
    auto ibgp = neighbor(65000);
    CHECK(failure(negotiate(l, ibgp, make_open(l, ibgp), peer_open(65000))).subcode == wire::err::bad_bgp_identifier);
    CHECK(std::holds_alternative<Negotiated>(negotiate(l, n, ours, peer_open(65001))));
}

TEST_CASE("capabilities: only what both announced", "[negotiate]") {
    LocalSettings l{65000, 0x01010101};
    auto n = neighbor(70000);
    auto ours = make_open(l, n);

    auto theirs = peer_open(70000);
    theirs.caps.multiprotocol = {{wire::Afi::ipv6, wire::Safi::unicast}};
    theirs.caps.extended_message = false;
    theirs.caps.enhanced_route_refresh = false;
    auto r = negotiate(l, n, ours, theirs);
    REQUIRE(std::holds_alternative<Negotiated>(r));
    auto g = std::get<Negotiated>(r);
    CHECK_FALSE(g.ipv4_unicast);
    CHECK(g.ipv6_unicast);
    CHECK(g.four_octet_as);
    CHECK(g.route_refresh);
    CHECK_FALSE(g.enhanced_route_refresh);
    CHECK_FALSE(g.extended_message);
    CHECK(g.context.four_octet_as);
    CHECK_FALSE(g.context.extended_message);
    CHECK_FALSE(g.context.ibgp);

    // No MP capability at all means IPv4 unicast only (RFC 4760).
    auto old = peer_open(70000);
    old.caps = wire::Capabilities{};
    old.caps.four_octet_as = 70000;
    g = std::get<Negotiated>(negotiate(l, n, ours, old));
    CHECK(g.ipv4_unicast);
    CHECK_FALSE(g.ipv6_unicast);

    // An IPv6-only session with a peer without MP IPv6: Unsupported Capability.
    auto v6only = n;
    v6only.ipv4_unicast = false;
    auto f = failure(negotiate(l, v6only, make_open(l, v6only), old));
    CHECK(f.code == wire::err::open);
    CHECK(f.subcode == wire::err::unsupported_capability);
    CHECK(f.data == std::vector<uint8_t>{1, 4, 0, 2, 0, 1});

    // A 2-octet peer: no 4-octet AS; a 4-octet remote AS cannot match.
    auto two = peer_open(65001);
    two.caps.four_octet_as.reset();
    auto n2 = neighbor(65001);
    g = std::get<Negotiated>(negotiate(l, n2, make_open(l, n2), two));
    CHECK_FALSE(g.four_octet_as);
    two.my_as = wire::as_trans;
    CHECK(failure(negotiate(l, n, ours, two)).subcode == wire::err::bad_peer_as);
}

TEST_CASE("next hop choice and End-of-RIB", "[originate]") {
    // IPv6 over an IPv4 session: no next hop unless one is configured.
    NeighborConfig n;
    auto local = wire::IpAddress::parse("127.0.0.1");
    CHECK_FALSE(choose_next_hop(n, local, wire::Afi::ipv6));
    CHECK(choose_next_hop(n, local, wire::Afi::ipv4) == local);
    n.next_hop_v6 = wire::IpAddress::parse("2001:2::1");
    CHECK(choose_next_hop(n, local, wire::Afi::ipv6) == n.next_hop_v6);
    n.next_hop_v4 = wire::IpAddress::parse("198.18.0.1");
    CHECK(choose_next_hop(n, local, wire::Afi::ipv4) == n.next_hop_v4);

    CHECK(end_of_rib({wire::Afi::ipv4, wire::Safi::unicast}).end_of_rib() ==
          wire::AfiSafi{wire::Afi::ipv4, wire::Safi::unicast});
    CHECK(end_of_rib({wire::Afi::ipv6, wire::Safi::unicast}).end_of_rib() ==
          wire::AfiSafi{wire::Afi::ipv6, wire::Safi::unicast});
}
