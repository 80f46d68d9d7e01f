// Export rules (eBGP, iBGP, route reflection, well-known communities) and the
// update-group behaviour around the source peer.
#include "rib/export.hpp"
#include "rib_test_util.hpp"

using namespace moat;
using namespace moat::rib;
using namespace moat::rib::test;

namespace {

GroupConfig ebgp_group() {
    GroupConfig g;
    g.ebgp = true;
    g.local_v4 = 0xC6336401;  // 198.51.100.1
    g.local_v6 = test::ip("2001:db8:ffff::1");
    g.ctx.four_octet_as = true;
    return g;
}

GroupConfig ibgp_group(bool clients) {
    GroupConfig g;
    g.ebgp = false;
    g.rr_clients = clients;
    g.local_v4 = 0xC6336401;
    g.ctx.four_octet_as = true;
    g.ctx.ibgp = true;
    return g;
}

}  // namespace

TEST_CASE("export: eBGP prepends, sets NEXT_HOP self, drops LOCAL_PREF, foreign MED and RR attributes", "[rib][export]") {
    AttrStore store;
    RibConfig rc = config();
    PeerInfo src{test::ip("192.0.2.1"), 65000, 7, false};
    auto a = attrs({64500, 64501});
    a.local_pref = 300;
    a.med = 50;
    a.originator_id = 9;
    a.cluster_list = {1};
    AttrRef h = store.intern_ref(RouteAttrs{a, {}, {}});

    GroupConfig g = ebgp_group();
    REQUIRE(export_allowed(rc, g, RouteSource{&src, true}, *h, wire::Afi::ipv4));
    RouteAttrs x = export_attrs(rc, g, RouteSource{&src, true}, *h, wire::Afi::ipv4);
    CHECK(x.path.as_path->to_string() == "65000 64500 64501");
    CHECK(x.path.next_hop == 0xC6336401u);
    CHECK_FALSE(x.path.local_pref);
    CHECK_FALSE(x.path.med);
    CHECK_FALSE(x.path.originator_id);
    CHECK(x.path.cluster_list.empty());

    // Our own MED survives on routes we originate (RFC 4271 5.1.4).
    RouteAttrs y = export_attrs(rc, g, RouteSource{}, *h, wire::Afi::ipv4);
    CHECK(y.path.med == 50u);
    CHECK(y.path.as_path->to_string() == "65000 64500 64501");

    // IPv6: the next hop is ours, in MP_REACH, and no IPv4 NEXT_HOP.
    RouteAttrs z = export_attrs(rc, g, RouteSource{&src, false}, *h, wire::Afi::ipv6);
    CHECK(z.mp_next_hop == test::ip("2001:db8:ffff::1"));
    CHECK_FALSE(z.path.next_hop);
}

TEST_CASE("export: well-known communities", "[rib][export]") {
    AttrStore store;
    RibConfig rc = config();
    PeerInfo src{test::ip("192.0.2.1"), 64500, 7, false};
    auto make = [&](uint32_t community) {
        auto a = attrs({64500});
        a.communities = {community};
        return store.intern_ref(RouteAttrs{a, {}, {}});
    };
    RouteSource s{&src, false};
    CHECK_FALSE(export_allowed(rc, ebgp_group(), s, *make(wire::community_no_export), wire::Afi::ipv4));
    CHECK_FALSE(export_allowed(rc, ebgp_group(), s, *make(wire::community_no_export_subconfed), wire::Afi::ipv4));
    CHECK_FALSE(export_allowed(rc, ebgp_group(), s, *make(wire::community_no_advertise), wire::Afi::ipv4));
    CHECK(export_allowed(rc, ibgp_group(false), s, *make(wire::community_no_export), wire::Afi::ipv4));
    CHECK_FALSE(export_allowed(rc, ibgp_group(false), s, *make(wire::community_no_advertise), wire::Afi::ipv4));
    CHECK(export_allowed(rc, ebgp_group(), s, *make(0xFDE80001), wire::Afi::ipv4));
}

TEST_CASE("export: iBGP split horizon and route reflection (RFC 4456)", "[rib][export]") {
    AttrStore store;
    RibConfig rc = config();
    AttrRef h = store.intern_ref(RouteAttrs{attrs({64500}), {}, {}});
    PeerInfo ext{test::ip("192.0.2.1"), 64500, 7, false};
    PeerInfo nonclient{test::ip("10.0.0.2"), 65000, 0x0A000002, false};
    PeerInfo client{test::ip("10.0.0.3"), 65000, 0x0A000003, true};

    // Not a reflector: iBGP routes go to no internal peer.
    CHECK(export_allowed(rc, ibgp_group(false), RouteSource{&ext, false}, *h, wire::Afi::ipv4));
    CHECK_FALSE(export_allowed(rc, ibgp_group(false), RouteSource{&nonclient, true}, *h, wire::Afi::ipv4));
    CHECK_FALSE(export_allowed(rc, ibgp_group(true), RouteSource{&client, true}, *h, wire::Afi::ipv4));

    rc.route_reflector = true;
    CHECK_FALSE(export_allowed(rc, ibgp_group(false), RouteSource{&nonclient, true}, *h, wire::Afi::ipv4));
    CHECK(export_allowed(rc, ibgp_group(true), RouteSource{&nonclient, true}, *h, wire::Afi::ipv4));
    CHECK(export_allowed(rc, ibgp_group(false), RouteSource{&client, true}, *h, wire::Afi::ipv4));
    CHECK(export_allowed(rc, ibgp_group(true), RouteSource{&client, true}, *h, wire::Afi::ipv4));

    RouteAttrs x = export_attrs(rc, ibgp_group(true), RouteSource{&nonclient, true}, *h, wire::Afi::ipv4);
    CHECK(x.path.originator_id == 0x0A000002u);
    CHECK(x.path.cluster_list == std::vector<uint32_t>{0x0A000001});
    CHECK(x.path.local_pref == 100u);
    CHECK(x.path.next_hop == 0xC0000201u);  // kept over iBGP
    CHECK(x.path.as_path->to_string() == "64500");

    // From eBGP to iBGP: no reflection attributes, LOCAL_PREF filled in.
    RouteAttrs y = export_attrs(rc, ibgp_group(false), RouteSource{&ext, false}, *h, wire::Afi::ipv4);
    CHECK_FALSE(y.path.originator_id);
    CHECK(y.path.cluster_list.empty());
    CHECK(y.path.local_pref == 100u);
}

TEST_CASE("export: a route never goes back to the peer it came from", "[rib][export]") {
    Rib rib(config());
    PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
    PeerId b = rib.add_peer(PeerInfo{test::ip("192.0.2.2"), 64501, 2, false});
    GroupConfig gc = ebgp_group();
    GroupId solo = rib.add_group(gc);
    rib.join_group(solo, a);
    GroupId both = rib.add_group(gc);
    rib.join_group(both, a);
    rib.join_group(both, b);

    rib.import(a, announce(attrs({64500, 64510}), {"10.0.0.0/8"}));
    rib.run_decision();

    std::vector<OutMessage> out;
    rib.pack(solo, out, 1000);
    CHECK(out.empty());  // a is the only member and the source
    CHECK_FALSE(rib.has_pending(solo));

    rib.pack(both, out, 1000);
    REQUIRE(out.size() == 1);
    CHECK(out[0].except == a);
    CHECK(out[0].only == no_peer);

    // Now b has a better route: b must not get it back, but must lose a's.
    out.clear();
    rib.import(b, announce(attrs({64501}), {"10.0.0.0/8"}));
    rib.run_decision();
    rib.pack(both, out, 1000);
    auto ups = test::decode_all(out, gc.ctx);
    REQUIRE(out.size() == 2);
    CHECK(out[0].only == b);  // the member withdrawal comes first
    CHECK(ups[0].withdrawn.size() == 1);
    CHECK(ups[0].withdrawn[0].prefix == pfx("10.0.0.0/8"));
    CHECK(out[1].except == b);
    CHECK(ups[1].nlri.size() == 1);
    CHECK(ups[1].attrs.as_path->to_string() == "65000 64501");

    // The one-member group now sends b's route to a.
    out.clear();
    rib.pack(solo, out, 1000);
    ups = test::decode_all(out, gc.ctx);
    REQUIRE(ups.size() == 1);
    CHECK(ups[0].nlri.size() == 1);
    CHECK(ups[0].attrs.as_path->to_string() == "65000 64501");
}
