// RFC 9234 5, every row of the ingress and egress procedures: the OtcStep of
// the import chain, the export rules, and both together through a Rib with
// update groups (a route learnt from a provider reaches a customer with OTC
// and never another provider or a peer).
#include "rib/export.hpp"
#include "rib/otc.hpp"
#include "rib_test_util.hpp"

#include <map>
#include <string>

using namespace moat;
using namespace moat::rib;
using test::announce;
using test::attrs;
using test::pfx;
using wire::Role;

namespace {

constexpr uint32_t local_as = 65000;
constexpr uint32_t neighbor_as = 64500;

RibConfig config() {
    RibConfig c;
    c.local_as = local_as;
    c.router_id = 0x0A000001;
    return c;
}

struct Outcome {
    Reason reason = Reason::none;
    std::optional<uint32_t> otc;  // after the step
    std::string detail;
};

Outcome ingress(std::optional<Role> role, std::optional<uint32_t> otc, bool ibgp = false) {
    RibConfig rc = config();
    PeerInfo peer{test::ip("192.0.2.1"), ibgp ? local_as : neighbor_as, 1, false, role};
    std::string detail;
    ImportContext ctx{rc, peer, ibgp, wire::Afi::ipv4, 1, &detail};
    RouteAttrs received{attrs({peer.asn}), {}, {}};
    received.path.otc = otc;
    AttrEdit edit(received);
    OtcStep step;
    Outcome o;
    o.reason = step.check_attrs(ctx, edit);
    o.otc = edit.get().path.otc;
    o.detail = detail;
    CHECK(received.path.otc == otc);  // the received attributes are never changed
    return o;
}

GroupConfig group(std::optional<Role> role) {
    GroupConfig g;
    g.ebgp = true;
    g.local_v4 = 0xC6336401;
    g.local_v6 = test::ip("2001:db8:ffff::1");
    g.ctx.four_octet_as = true;
    g.role = role;
    return g;
}

}  // namespace

TEST_CASE("OTC ingress: from a customer or an rs-client, a route with OTC is a leak", "[rib][otc]") {
    for (Role ours : {Role::provider, Role::rs}) {
        INFO(wire::to_string(ours));
        Outcome with = ingress(ours, 64999);
        CHECK(with.reason == Reason::role_leak);
        CHECK(with.detail.find("OTC 64999") != std::string::npos);
        CHECK(with.detail.find(ours == Role::provider ? "customer" : "route-server client") != std::string::npos);
        // Even OTC equal to the neighbor's own AS: a customer never sets it.
        CHECK(ingress(ours, neighbor_as).reason == Reason::role_leak);
        // Without OTC: accepted, and nothing is added.
        Outcome without = ingress(ours, std::nullopt);
        CHECK(without.reason == Reason::none);
        CHECK(!without.otc);
    }
}

TEST_CASE("OTC ingress: from a peer, OTC must be the peer's AS", "[rib][otc]") {
    Outcome other = ingress(Role::peer, 64999);
    CHECK(other.reason == Reason::role_leak);
    CHECK(other.detail.find("OTC 64999") != std::string::npos);
    CHECK(other.detail.find("peer AS 64500") != std::string::npos);
    Outcome same = ingress(Role::peer, neighbor_as);
    CHECK(same.reason == Reason::none);
    CHECK(same.otc == neighbor_as);
    // Without OTC, the peer's AS is added.
    Outcome none = ingress(Role::peer, std::nullopt);
    CHECK(none.reason == Reason::none);
    CHECK(none.otc == neighbor_as);
}

TEST_CASE("OTC ingress: from a provider or an rs, OTC is added when absent, kept when present", "[rib][otc]") {
    for (Role ours : {Role::customer, Role::rs_client}) {
        INFO(wire::to_string(ours));
        Outcome none = ingress(ours, std::nullopt);
        CHECK(none.reason == Reason::none);
        CHECK(none.otc == neighbor_as);
        Outcome kept = ingress(ours, 64999);
        CHECK(kept.reason == Reason::none);
        CHECK(kept.otc == 64999u);
    }
}

TEST_CASE("OTC ingress: no role or iBGP: OTC is neither checked nor added", "[rib][otc]") {
    CHECK(ingress(std::nullopt, std::nullopt).otc == std::nullopt);
    CHECK(ingress(std::nullopt, 64999).reason == Reason::none);
    CHECK(ingress(std::nullopt, 64999).otc == 64999u);
    CHECK(ingress(Role::provider, 64999, true).reason == Reason::none);
    CHECK(ingress(Role::customer, std::nullopt, true).otc == std::nullopt);
}

TEST_CASE("OTC egress: routes with OTC do not go to providers, peers or route servers", "[rib][otc]") {
    AttrStore store;
    RibConfig rc = config();
    PeerInfo src{test::ip("192.0.2.1"), neighbor_as, 7, false, Role::customer};
    auto plain = attrs({neighbor_as});
    auto marked = plain;
    marked.otc = neighbor_as;
    AttrRef without = store.intern_ref(RouteAttrs{plain, {}, {}});
    AttrRef with = store.intern_ref(RouteAttrs{marked, {}, {}});
    CHECK(with->is(AttrSet::has_otc));
    CHECK_FALSE(without->is(AttrSet::has_otc));

    struct Row {
        std::optional<Role> ours;  // towards the receiving group
        bool with_otc_sent;
        bool otc_added;  // a route without OTC gets OTC = our AS
    };
    const Row rows[] = {
        {Role::customer, false, false},   // to a provider
        {Role::peer, false, true},        // to a peer
        {Role::rs_client, false, false},  // to a route server
        {Role::provider, true, true},     // to a customer
        {Role::rs, true, true},           // to a route-server client
        {std::nullopt, true, false},      // no role: no OTC rules
    };
    for (const Row& r : rows) {
        INFO((r.ours ? std::string(wire::to_string(*r.ours)) : std::string("no role")));
        GroupConfig g = group(r.ours);
        for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
            CHECK(export_allowed(rc, g, RouteSource{&src, false}, *with, afi) == r.with_otc_sent);
            REQUIRE(export_allowed(rc, g, RouteSource{&src, false}, *without, afi));
            RouteAttrs x = export_attrs(rc, g, RouteSource{&src, false}, *without, afi);
            CHECK(x.path.otc == (r.otc_added ? std::optional<uint32_t>(local_as) : std::nullopt));
            // Our own routes follow the same rules.
            RouteAttrs own = export_attrs(rc, g, RouteSource{}, *without, afi);
            CHECK(own.path.otc == (r.otc_added ? std::optional<uint32_t>(local_as) : std::nullopt));
            if (r.with_otc_sent) {
                // An OTC already present is passed on unchanged, never replaced.
                RouteAttrs y = export_attrs(rc, g, RouteSource{&src, false}, *with, afi);
                CHECK(y.path.otc == neighbor_as);
            }
        }
    }
    CHECK(otc_export_allowed(std::nullopt, true));
    CHECK_FALSE(otc_added_on_export(std::nullopt));
}

TEST_CASE("OTC through the RIB: from a provider to a customer only, leaks kept as rejected", "[rib][otc]") {
    Rib rib(config());
    // We are the customer of 64500 and 64501, the provider of 64502, a peer of 64503.
    PeerId up1 = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false, Role::customer});
    PeerId up2 = rib.add_peer(PeerInfo{test::ip("192.0.2.2"), 64501, 2, false, Role::customer});
    PeerId down = rib.add_peer(PeerInfo{test::ip("192.0.2.3"), 64502, 3, false, Role::provider});
    PeerId lateral = rib.add_peer(PeerInfo{test::ip("192.0.2.4"), 64503, 4, false, Role::peer});
    GroupId providers = rib.add_group(group(Role::customer));
    rib.join_group(providers, up1);
    rib.join_group(providers, up2);
    GroupId customers = rib.add_group(group(Role::provider));
    rib.join_group(customers, down);
    GroupId peers = rib.add_group(group(Role::peer));
    rib.join_group(peers, lateral);

    rib.import(up1, announce(attrs({64500, 64510}), {"10.1.0.0/16"}));
    auto leak = attrs({64502, 64520});
    leak.otc = 64520;  // a customer route marked Only to Customer upstream: a leak
    rib.import(down, announce(leak, {"10.2.0.0/16"}));
    rib.import(down, announce(attrs({64502}), {"10.3.0.0/16"}));
    auto bad_peer = attrs({64503, 64530});
    bad_peer.otc = 64530;
    rib.import(lateral, announce(bad_peer, {"10.4.0.0/16"}));
    rib.run_decision();

    // The provider's route: accepted with OTC = 64500, best.
    auto best = rib.best(pfx("10.1.0.0/16"));
    REQUIRE(best);
    CHECK(best->attrs->path().otc == 64500u);
    CHECK_FALSE(best->received->path().otc);  // Adj-RIB-In keeps what was received
    // The leaks: kept, rejected as role-leak, never best.
    for (const char* p : {"10.2.0.0/16", "10.4.0.0/16"}) {
        INFO(p);
        auto routes = rib.routes(pfx(p));
        REQUIRE(routes.size() == 1);
        CHECK(routes[0].reason == Reason::role_leak);
        CHECK((routes[0].flags & Route::rejected) != 0);
        CHECK_FALSE(rib.best(pfx(p)));
    }
    CHECK(to_string(Reason::role_leak) == "role-leak");

    auto sent = [&](GroupId g) {
        std::vector<OutMessage> out;
        rib.pack(g, out, 1000);
        std::map<std::string, std::optional<uint32_t>> seen;  // prefix -> OTC sent
        for (const auto& u : test::decode_all(out, group(std::nullopt).ctx))
            for (const auto& n : u.nlri) seen[n.prefix.to_string()] = u.attrs.otc;
        return seen;
    };
    // Providers get the customer route only (no OTC added towards them).
    auto to_providers = sent(providers);
    CHECK(to_providers.size() == 1);
    CHECK(to_providers.count("10.3.0.0/16") == 1);
    CHECK(to_providers["10.3.0.0/16"] == std::nullopt);
    // The customer gets the provider's route with its OTC 64500 passed on.
    auto to_customers = sent(customers);
    CHECK(to_customers.size() == 1);  // its own route is not sent back
    CHECK(to_customers["10.1.0.0/16"] == 64500u);
    // The peer gets the customer route, marked with our AS; not the provider's.
    auto to_peers = sent(peers);
    CHECK(to_peers.size() == 1);
    CHECK(to_peers["10.3.0.0/16"] == local_as);
}
