// Adj-RIB-In and Loc-RIB behaviour: import, implicit and explicit withdraw,
// the import chain, peer down, and the batched decision run.
#include "rib_test_util.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace moat;
using namespace moat::rib;
using namespace moat::rib::test;

namespace {

PeerInfo ebgp(const char* addr, uint32_t asn, uint32_t rid) {
    return PeerInfo{test::ip(addr), asn, rid, false};
}

}  // namespace

TEST_CASE("announce, decide, implicit and explicit withdraw", "[rib]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    PeerId b = rib.add_peer(ebgp("192.0.2.2", 64501, 2));

    auto st = rib.import(a, announce(attrs({64500, 64510}), {"10.0.0.0/8", "10.1.0.0/16"}));
    CHECK(st.announced == 2);
    CHECK(rib.dirty_count() == 2);
    CHECK(rib.best(pfx("10.0.0.0/8")) == std::nullopt);  // nothing decided yet

    auto changes = test::decide(rib);
    CHECK(changes.size() == 2);
    CHECK(rib.dirty_count() == 0);
    REQUIRE(rib.best(pfx("10.0.0.0/8")));
    CHECK(rib.best(pfx("10.0.0.0/8"))->peer == a);
    CHECK(rib.best_reason(pfx("10.0.0.0/8")) == BestReason::only_route);

    // A shorter path from b takes over.
    rib.import(b, announce(attrs({64501}), {"10.0.0.0/8"}));
    changes = test::decide(rib);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].peer == b);
    CHECK(changes[0].reason == BestReason::as_path_length);
    CHECK(rib.routes(pfx("10.0.0.0/8")).size() == 2);

    // Implicit withdraw: a re-announces with a shorter path; still one route
    // of a, and the tie goes to the lower router id.
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/8"}));
    CHECK(rib.routes(pfx("10.0.0.0/8")).size() == 2);
    changes = test::decide(rib);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].peer == a);
    CHECK(changes[0].reason == BestReason::router_id);

    // Re-announcing the same thing changes nothing.
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/8"}));
    CHECK(rib.run_decision() == 0);

    // Explicit withdraw.
    st = rib.import(a, withdraw({"10.0.0.0/8", "10.9.0.0/16"}));
    CHECK(st.withdrawn == 1);  // the unknown prefix is ignored
    changes = test::decide(rib);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].peer == b);
    CHECK(rib.routes(pfx("10.0.0.0/8")).size() == 1);

    rib.import(b, withdraw({"10.0.0.0/8"}));
    changes = test::decide(rib);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].peer == no_peer);
    CHECK(rib.routes(pfx("10.0.0.0/8")).empty());
    CHECK(rib.counters().v4_prefixes == 1);  // the empty destination is freed
    CHECK(rib.counters().routes == 1);
}

TEST_CASE("attributes are interned once per UPDATE and freed with the routes", "[rib]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}));
    rib.import(a, announce(attrs({64500}), {"10.0.3.0/24"}));
    rib.import(a, announce6(attrs({64500}), "2001:db8::1", {"2001:db8:1::/48", "2001:db8:2::/48"}));
    rib.run_decision();
    CHECK(rib.counters().attr_sets == 2);  // one IPv4 set, one IPv6 set (it has a next hop)
    auto r1 = rib.routes(pfx("10.0.0.0/24"));
    auto r2 = rib.routes(pfx("10.0.3.0/24"));
    REQUIRE(r1.size() == 1);
    REQUIRE(r2.size() == 1);
    CHECK(r1[0].attrs == r2[0].attrs);
    auto r6 = rib.routes(pfx("2001:db8:2::/48"));
    REQUIRE(r6.size() == 1);
    REQUIRE(r6[0].attrs->value().mp_next_hop);
    CHECK(*r6[0].attrs->value().mp_next_hop == test::ip("2001:db8::1"));
    CHECK(rib.counters().v6_prefixes == 2);

    CHECK(rib.peer_down(a) == 6);
    rib.run_decision();
    CHECK(rib.counters().routes == 0);
    CHECK(rib.counters().attr_sets == 0);
    CHECK(rib.counters().v4_prefixes == 0);
    CHECK(rib.counters().v6_prefixes == 0);
}

TEST_CASE("a mutable UPDATE lends its attributes and gets them back unchanged", "[rib][import]") {
    // One UPDATE with IPv4 NLRI (NEXT_HOP) and IPv6 MP_REACH (its own next
    // hop): imported by reference, and a copy imported as const elsewhere.
    wire::PathAttributes a = attrs({64500, 64501});
    a.communities = {0xfde80001, 0xfde80002};
    a.large_communities = {{64500, 1, 2}};
    wire::Update u = announce6(a, "2001:db8::1", {"2001:db8:1::/48"});
    u.attrs = a;
    u.nlri = {wire::Nlri{0, pfx("10.0.0.0/24")}};
    const wire::Update before = u;

    Rib lent(config()), copied(config());
    PeerId p1 = lent.add_peer(ebgp("192.0.2.1", 64500, 1));
    PeerId p2 = copied.add_peer(ebgp("192.0.2.1", 64500, 1));
    ImportStats s1 = lent.import(p1, u);
    ImportStats s2 = copied.import(p2, before);
    CHECK(u == before);
    CHECK(u.attrs.next_hop == a.next_hop);
    CHECK(s1.announced == 2);
    CHECK(s2.announced == s1.announced);
    for (const char* p : {"10.0.0.0/24", "2001:db8:1::/48"}) {
        INFO(p);
        auto r1 = lent.routes(pfx(p));
        auto r2 = copied.routes(pfx(p));
        REQUIRE(r1.size() == 1);
        REQUIRE(r2.size() == 1);
        CHECK(r1[0].attrs->value() == r2[0].attrs->value());
    }
    auto v4 = lent.routes(pfx("10.0.0.0/24"))[0].attrs->value();
    CHECK(v4.path.next_hop == a.next_hop);
    CHECK_FALSE(v4.mp_next_hop);
    CHECK(v4.path.communities == a.communities);
    auto v6 = lent.routes(pfx("2001:db8:1::/48"))[0].attrs->value();
    REQUIRE(v6.mp_next_hop);
    CHECK(*v6.mp_next_hop == test::ip("2001:db8::1"));

    wire::Update again = before;
    again.nlri = {wire::Nlri{0, pfx("10.0.1.0/24")}};
    lent.import(p1, std::move(again));
    REQUIRE(lent.routes(pfx("10.0.1.0/24")).size() == 1);

    // MP_REACH for IPv4 with its own IPv4 next hop: that next hop is the
    // MP routes' NEXT_HOP, the UPDATE's own one stays for the others.
    wire::Update mp4 = announce(a, {"10.0.2.0/24"});
    mp4.mp_reach = wire::MpReach{{wire::Afi::ipv4, wire::Safi::unicast}, test::ip("198.51.100.1"), std::nullopt,
                                 {wire::Nlri{0, pfx("10.0.3.0/24")}}};
    const wire::Update mp4_before = mp4;
    lent.import(p1, mp4);
    CHECK(mp4 == mp4_before);
    REQUIRE(lent.routes(pfx("10.0.2.0/24")).size() == 1);
    REQUIRE(lent.routes(pfx("10.0.3.0/24")).size() == 1);
    CHECK(lent.routes(pfx("10.0.2.0/24"))[0].attrs->value().path.next_hop == a.next_hop);
    CHECK(lent.routes(pfx("10.0.3.0/24"))[0].attrs->value().path.next_hop == test::ip("198.51.100.1").v4_value());
    mp4.nlri.clear();  // the MP_REACH NLRI alone: the last import used the MP next hop
    const wire::Update mp4_only = mp4;
    lent.import(p1, mp4);
    CHECK(mp4 == mp4_only);
}

TEST_CASE("peer down withdraws every route of the peer", "[rib]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    PeerId b = rib.add_peer(ebgp("192.0.2.2", 64501, 2));
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/8", "11.0.0.0/8"}));
    rib.import(a, announce6(attrs({64500}), "2001:db8::1", {"2001:db8::/32"}));
    rib.import(b, announce(attrs({64501, 1, 2}), {"10.0.0.0/8"}));
    rib.run_decision();
    CHECK(rib.best(pfx("10.0.0.0/8"))->peer == a);

    CHECK(rib.peer_down(a) == 3);
    CHECK(rib.dirty_count() == 3);
    auto changes = test::decide(rib);
    CHECK(changes.size() == 3);
    CHECK(rib.best(pfx("10.0.0.0/8"))->peer == b);
    CHECK_FALSE(rib.best(pfx("11.0.0.0/8")));
    CHECK_FALSE(rib.best(pfx("2001:db8::/32")));
    CHECK(rib.counters().routes == 1);
}

TEST_CASE("peer down in slices: bounded per call, the same result, per-family counts follow", "[rib]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    PeerId b = rib.add_peer(ebgp("192.0.2.2", 64501, 2));
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/8", "11.0.0.0/8", "12.0.0.0/8"}));
    rib.import(a, announce6(attrs({64500}), "2001:db8::1", {"2001:db8::/32"}));
    rib.import(b, announce(attrs({64501, 1, 2}), {"10.0.0.0/8"}));
    rib.run_decision();
    CHECK(rib.peer_counts(a).received_v4 == 3);
    CHECK(rib.peer_counts(a).received_v6 == 1);

    Cursor c;
    size_t removed = 0, calls = 0;
    while (!c.done) {
        size_t n = rib.peer_down_slice(a, c, 1);
        CHECK(n <= 1);
        removed += n;
        ++calls;
    }
    CHECK(removed == 4);
    CHECK(calls >= 4);
    CHECK(rib.peer_counts(a).received_v4 == 0);
    CHECK(rib.peer_counts(a).received_v6 == 0);
    rib.remove_peer(a);
    rib.run_decision();
    CHECK(rib.best(pfx("10.0.0.0/8"))->peer == b);
    CHECK_FALSE(rib.best(pfx("11.0.0.0/8")));
    CHECK_FALSE(rib.best(pfx("2001:db8::/32")));
    CHECK(rib.counters().routes == 1);
    CHECK(rib.peer_counts(b).received_v4 == 1);
}

TEST_CASE("import chain rejects as-loop and keeps the route with its reason", "[rib][import]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    auto st = rib.import(a, announce(attrs({64500, 65000, 64999}), {"10.0.0.0/8"}));
    CHECK(st.rejected == 1);
    CHECK(st.announced == 0);
    rib.run_decision();
    auto routes = rib.routes(pfx("10.0.0.0/8"));
    REQUIRE(routes.size() == 1);
    CHECK((routes[0].flags & Route::rejected) != 0);
    CHECK(routes[0].reason == Reason::as_loop);
    CHECK(to_string(routes[0].reason) == "as-loop");
    CHECK_FALSE(rib.best(pfx("10.0.0.0/8")));
}

namespace {
// A per-prefix step, as later policy steps will be: rejects prefixes longer than /24.
class TooSpecific final : public ImportStep {
public:
    std::string_view name() const override { return "too-specific"; }
    bool wants_prefixes() const override { return true; }
    Reason check_prefix(const ImportContext&, PrefixRoute& r, PrefixEdit&) override {
        return !r.prefix.v6 && r.prefix.len > 24 ? Reason::too_specific : Reason::none;
    }
};
}  // namespace

TEST_CASE("per-prefix steps and soft reset in re-run the chain from Adj-RIB-In", "[rib][import]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/24", "10.0.0.0/25"}));
    rib.run_decision();
    CHECK(rib.best(pfx("10.0.0.0/25")));

    // Policy changes: add a step, re-run from what was received.
    rib.import_chain().append(std::make_unique<TooSpecific>());
    Cursor c;
    int slices = 0;
    while (!c.done) {
        rib.reimport_slice(a, c, 1);
        ++slices;
    }
    CHECK(slices >= 2);
    auto changes = test::decide(rib);
    CHECK(changes.size() == 1);
    CHECK_FALSE(rib.best(pfx("10.0.0.0/25")));
    CHECK(rib.routes(pfx("10.0.0.0/25"))[0].reason == Reason::too_specific);
    CHECK(rib.best(pfx("10.0.0.0/24")));
}

TEST_CASE("LOCAL_PREF from eBGP is ignored, GRACEFUL_SHUTDOWN sets it to 0", "[rib][import]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    PeerId b = rib.add_peer(ebgp("192.0.2.2", 64501, 2));
    PeerId i = rib.add_peer(PeerInfo{test::ip("192.0.2.3"), 65000, 3, false});
    auto with_lp = attrs({64500});
    with_lp.local_pref = 500;
    rib.import(a, announce(with_lp, {"10.0.0.0/8"}));
    auto gshut = attrs({64501});
    gshut.communities = {wire::community_graceful_shutdown};
    rib.import(b, announce(gshut, {"10.0.0.0/8", "11.0.0.0/8"}));
    auto ibgp_attrs = attrs({64502, 64503});
    ibgp_attrs.local_pref = 100;
    rib.import(i, announce(ibgp_attrs, {"11.0.0.0/8"}));
    rib.run_decision();

    auto ra = rib.routes(pfx("10.0.0.0/8"));
    for (const auto& r : ra) {
        if (r.peer == a) {
            CHECK_FALSE(r.attrs->path().local_pref);          // ignored on import
            CHECK(r.received->path().local_pref == 500u);     // Adj-RIB-In keeps it
        }
        if (r.peer == b) CHECK(r.attrs->path().local_pref == 0u);
    }
    CHECK(rib.best(pfx("10.0.0.0/8"))->peer == a);
    CHECK(rib.best_reason(pfx("10.0.0.0/8")) == BestReason::local_pref);
    // The longer iBGP path wins over the gracefully shut down one.
    CHECK(rib.best(pfx("11.0.0.0/8"))->peer == i);
}

TEST_CASE("treat-as-withdraw removes the UPDATE's prefixes", "[rib][import]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/8"}));
    rib.run_decision();
    auto u = announce(attrs({64500}), {"10.0.0.0/8"});
    u.treat_as_withdraw_attr = wire::attr::as_path;
    auto st = rib.import(a, u);
    CHECK(st.withdrawn == 1);
    rib.run_decision();
    CHECK(rib.routes(pfx("10.0.0.0/8")).empty());
}

TEST_CASE("unresolvable next hops stay but never win", "[rib][import]") {
    Rib rib(config());
    rib.set_next_hop_check([](PeerId, const RouteAttrs& a) { return a.path.next_hop != 0xC0000263u; });
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    PeerId b = rib.add_peer(ebgp("192.0.2.2", 64501, 2));
    rib.import(a, announce(attrs({64500}, 0xC0000263), {"10.0.0.0/8"}));
    rib.import(b, announce(attrs({64501, 1, 2, 3}), {"10.0.0.0/8"}));
    rib.run_decision();
    CHECK(rib.routes(pfx("10.0.0.0/8")).size() == 2);
    CHECK(rib.best(pfx("10.0.0.0/8"))->peer == b);
}

TEST_CASE("locally originated routes win over learnt ones", "[rib]") {
    Rib rib(config());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    rib.import(a, announce(attrs({64500}), {"192.0.2.0/24"}));
    RouteAttrs local;
    local.path.next_hop = 0;
    rib.originate(pfx("192.0.2.0/24"), local);
    rib.run_decision();
    CHECK(rib.best(pfx("192.0.2.0/24"))->peer == local_peer);
    CHECK(rib.best_reason(pfx("192.0.2.0/24")) == BestReason::local_origin);
    rib.withdraw_local(pfx("192.0.2.0/24"));
    rib.run_decision();
    CHECK(rib.best(pfx("192.0.2.0/24"))->peer == a);
}

namespace {
// Stands in for origin validation: rejects origin 64500 while `invalid` is set.
class FakeRov final : public ImportStep {
public:
    explicit FakeRov(const bool& invalid) : invalid_(invalid) {}
    std::string_view name() const override { return "fake-rov"; }
    bool wants_prefixes() const override { return true; }
    Reason check_prefix(const ImportContext&, PrefixRoute& r, PrefixEdit& e) override {
        const bool bad = invalid_ && e.set().origin_as_opt() == 64500u;
        r.rpki = bad ? RpkiState::invalid : RpkiState::valid;
        return bad ? Reason::rpki_invalid : Reason::none;
    }

private:
    const bool& invalid_;
};
}  // namespace

TEST_CASE("a VRP change re-runs the chain only for covered prefixes (RFC 8481)", "[rib][import]") {
    Rib rib(config());
    bool invalid = false;
    rib.import_chain().append(std::make_unique<FakeRov>(invalid));
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    PeerId b = rib.add_peer(ebgp("192.0.2.2", 64501, 2));
    rib.import(a, announce(attrs({64500}), {"10.1.0.0/16", "10.0.0.0/8", "11.0.0.0/8"}));
    rib.import(b, announce(attrs({64501, 7, 64500}), {"10.1.0.0/16"}));
    rib.import(a, announce6(attrs({64500}), "2001:db8::1", {"2001:db8:1::/48"}));
    rib.run_decision();
    CHECK(rib.best(pfx("10.1.0.0/16"))->peer == a);

    invalid = true;  // the VRP set changed for 10.1.0.0/16 and 2001:db8::/32
    std::vector<wire::Prefix> delta{pfx("10.1.0.0/16"), pfx("2001:db8::/32")};
    CHECK(rib.reimport_covered(delta) == 3);  // two routes of 10.1/16, one IPv6
    auto changes = test::decide(rib);
    CHECK(changes.size() == 2);
    // Both routes of 10.1/16 originate in 64500: both now invalid.
    CHECK_FALSE(rib.best(pfx("10.1.0.0/16")));
    for (const auto& r : rib.routes(pfx("10.1.0.0/16"))) {
        CHECK(r.reason == Reason::rpki_invalid);
        CHECK(r.rpki() == RpkiState::invalid);
    }
    CHECK_FALSE(rib.best(pfx("2001:db8:1::/48")));
    // Not covered by the delta: not re-run, still valid.
    CHECK(rib.best(pfx("10.0.0.0/8")));
    CHECK(rib.best(pfx("11.0.0.0/8")));
}

namespace {
// A per-prefix rewrite, as a route-map `set local-preference` on a prefix match:
// routes inside 10.0.0.0/8 get LOCAL_PREF 200.
class PreferTen final : public ImportStep {
public:
    std::string_view name() const override { return "prefer-ten"; }
    bool wants_prefixes() const override { return true; }
    Reason check_prefix(const ImportContext&, PrefixRoute& r, PrefixEdit& e) override {
        if (!r.prefix.v6 && r.prefix.len >= 8 && r.prefix.addr[0] == 10) e.modify().path.local_pref = 200;
        return Reason::none;
    }
};
}  // namespace

TEST_CASE("a per-prefix step rewrites one route's attributes, alike results share a set", "[rib][import]") {
    Rib rib(config());
    rib.import_chain().append(std::make_unique<PreferTen>());
    PeerId a = rib.add_peer(ebgp("192.0.2.1", 64500, 1));
    rib.import(a, announce(attrs({64500}), {"10.1.0.0/16", "10.2.0.0/16", "11.0.0.0/8"}));
    rib.run_decision();
    auto ten1 = rib.best(pfx("10.1.0.0/16"));
    auto ten2 = rib.best(pfx("10.2.0.0/16"));
    auto eleven = rib.best(pfx("11.0.0.0/8"));
    REQUIRE(ten1);
    REQUIRE(ten2);
    REQUIRE(eleven);
    CHECK(ten1->attrs->local_pref_opt() == 200u);
    CHECK(ten1->attrs == ten2->attrs);              // one interned set for both
    CHECK_FALSE(eleven->attrs->local_pref_opt());   // untouched
    CHECK(ten1->received == eleven->received);      // Adj-RIB-In keeps what was received
    CHECK(ten1->rpki() == RpkiState::unchecked);
}

TEST_CASE("more peers than a destination's peer bits: routes found, replaced and removed per peer", "[rib]") {
    // 40 peers share 16 bits: peers 1, 17 and 33 have the same bit. Random
    // announces, re-announces, withdrawals and peer downs, with and without a
    // decision run between them (which recomputes the bits), must leave the
    // routes a per-peer model says.
    Rib rib(config());
    std::vector<PeerId> peers;
    for (uint32_t i = 0; i < 40; ++i) {
        const std::string addr = "192.0.2." + std::to_string(i + 1);
        peers.push_back(rib.add_peer(ebgp(addr.c_str(), 64500 + i, i + 1)));
    }
    const char* prefixes[] = {"10.0.0.0/8", "10.1.0.0/16", "2001:db8::/32"};
    std::map<std::pair<PeerId, int>, uint32_t> model;  // (peer, prefix) -> path length
    std::mt19937 rng(7);
    for (int step = 0; step < 4000; ++step) {
        const PeerId p = peers[rng() % peers.size()];
        const int which = static_cast<int>(rng() % 3);
        const char* prefix = prefixes[which];
        const bool v6 = which == 2;
        switch (rng() % 8) {
        case 0:
            rib.peer_down(p);
            for (int w = 0; w < 3; ++w) model.erase({p, w});
            break;
        case 1:
        case 2:
            rib.import(p, withdraw({prefix}));
            model.erase({p, which});
            break;
        default: {
            const uint32_t len = 1 + rng() % 3;  // so a replacement is told from the route it replaced
            std::vector<uint32_t> asns(len, 64999);
            asns[0] = 64500u + p;
            wire::PathAttributes a = attrs({});
            a.as_path = wire::AsPath{{wire::AsSegment{wire::SegmentType::as_sequence, asns}}};
            rib.import(p, v6 ? announce6(a, "2001:db8::1", {prefix}) : announce(a, {prefix}));
            model[{p, which}] = len;
        }
        }
        if (rng() % 4 == 0) rib.run_decision();
        if (step % 100 == 0 || step == 3999) {
            for (int w = 0; w < 3; ++w) {
                std::map<PeerId, uint32_t> held;
                for (const RouteView& v : rib.routes(pfx(prefixes[w]))) {
                    CHECK(held.count(v.peer) == 0);  // one route per peer
                    held[v.peer] = static_cast<uint32_t>(v.attrs->as_path_length);
                }
                std::map<PeerId, uint32_t> want;
                for (const auto& [key, len] : model)
                    if (key.second == w) want[key.first] = len;
                REQUIRE(held == want);
            }
        }
    }
    size_t want_routes = model.size();
    CHECK(rib.counters().routes == want_routes);
}

TEST_CASE("the decision over added routes only agrees with a full decision, reason included", "[rib][decision]") {
    // Between decisions, routes mostly arrive from peers that had none for
    // the prefix (what run_decision may compare with the current best
    // alone), sometimes replace or withdraw one (a full decision). After
    // every run the best route and its reason must be what select_best
    // gives over all the routes.
    for (bool always_compare_med : {false, true}) {
        INFO("always-compare-med " << always_compare_med);
        RibConfig cfg = config();
        cfg.decision.always_compare_med = always_compare_med;
        Rib rib(cfg);
        std::vector<PeerId> peers;
        for (uint32_t i = 0; i < 12; ++i) {
            const std::string addr = "192.0.2." + std::to_string(i + 1);
            const bool ibgp = i % 3 == 0;  // LOCAL_PREF only counts from iBGP
            peers.push_back(rib.add_peer(PeerInfo{test::ip(addr.c_str()), ibgp ? 65000u : 64500u + i % 4,
                                                  1000u - i, false}));
        }
        const char* prefixes[] = {"10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"};
        std::mt19937 rng(always_compare_med ? 11 : 12);
        auto random_attrs = [&](PeerId p) {
            wire::PathAttributes a = attrs({});
            const uint32_t first = rib.is_ibgp(p) ? 64500 + rng() % 4 : rib.peer(p).asn;
            std::vector<uint32_t> asns(1 + rng() % 3, 64999);
            asns[0] = first;
            a.as_path = wire::AsPath{{wire::AsSegment{wire::SegmentType::as_sequence, asns}}};
            a.origin = static_cast<wire::Origin>(rng() % 3);
            if (rng() % 2) a.med = rng() % 3;
            if (rib.is_ibgp(p)) a.local_pref = 100 + 10 * (rng() % 2);
            return a;
        };
        size_t checked = 0;
        for (int round = 0; round < 600; ++round) {
            for (int k = 0; k < 4; ++k) {
                const PeerId p = peers[rng() % peers.size()];
                const char* prefix = prefixes[rng() % 4];
                const std::vector<RouteView> held = rib.routes(pfx(prefix));
                const bool has =
                    std::any_of(held.begin(), held.end(), [&](const RouteView& v) { return v.peer == p; });
                if (has && rng() % 3 == 0)
                    rib.import(p, withdraw({prefix}));
                else if (!has || rng() % 4 == 0)
                    rib.import(p, announce(random_attrs(p), {prefix}));
            }
            if (round % 50 == 49)
                for (const PeerId p : peers)
                    if (rng() % 6 == 0) rib.peer_down(p);
            rib.run_decision();
            for (const char* prefix : prefixes) {
                std::vector<Candidate> c;
                std::vector<PeerId> from;
                for (const RouteView& v : rib.routes(pfx(prefix))) {
                    if (v.flags & Route::rejected) continue;
                    const PeerInfo& pi = rib.peer(v.peer);
                    c.push_back(Candidate{v.attrs, !(v.flags & Route::unusable), v.peer == local_peer,
                                          rib.is_ibgp(v.peer), pi.router_id, pi.address});
                    from.push_back(v.peer);
                }
                const Selection want = select_best(c, cfg.decision);
                const auto got = rib.best(pfx(prefix));
                INFO("round " << round << " prefix " << prefix);
                if (want.best == Selection::npos) {
                    CHECK_FALSE(got);
                    continue;
                }
                REQUIRE(got);
                CHECK(got->peer == from[want.best]);
                CHECK(rib.best_reason(pfx(prefix)) == want.reason);
                ++checked;
            }
        }
        CHECK(checked > 1500);
    }
}
