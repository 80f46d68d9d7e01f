// Routing policy (rib/policy.hpp), from FRR-style config text: each clause of
// prefix-lists, AS path and community lists and route-maps, the import step
// through a RIB (reasons, detail, soft reset in) and the export route-map of
// an update group (denied routes withdrawn, sets on the wire).
#include "cli/config_loader.hpp"
#include "rib/policy.hpp"
#include "rib_test_util.hpp"

#include <random>

using namespace moat;
using namespace moat::rib;
using namespace moat::rib::test;

namespace {

bgp::PolicyConfig load_policy(const std::string& text) {
    auto r = cli::load_config_text(text);
    if (auto* e = std::get_if<cli::ConfigError>(&r)) FAIL(e->to_string());
    return std::get<bgp::Config>(r).policy;
}

// A compiled policy whose route-map M is evaluated.
struct Fixture {
    explicit Fixture(const std::string& text) : policy(load_policy(text), {}, false) {}
    Policy policy;
    const CompiledRouteMap& map(const char* name = "M") {
        const CompiledRouteMap* m = policy.route_map(name);
        REQUIRE(m);
        return *m;
    }
};

struct Outcome {
    bool permit = false;
    uint32_t seq = 0;
    RouteAttrs attrs;  // after the sets
};

Outcome run(const CompiledRouteMap& m, const RouteAttrs& a, const char* prefix = "10.0.0.0/24",
            RpkiState rpki = RpkiState::unchecked, const wire::IpAddress* peer = nullptr) {
    const wire::Prefix p = pfx(prefix);
    PolicyRoute r;
    r.prefix = &p;
    r.rpki = rpki;
    r.peer = peer;
    r.attrs = &a;
    std::optional<RouteAttrs> out;
    auto v = m.evaluate(r, out);
    return Outcome{v.permit, v.seq, out ? *out : a};
}

RouteAttrs route(std::initializer_list<uint32_t> path, std::vector<uint32_t> communities = {}) {
    RouteAttrs a;
    a.path = attrs(path);
    a.path.communities = std::move(communities);
    return a;
}

bool pl_permits(const PrefixListIndex& pl, const char* p) { return pl.permits(pfx(p)); }

}  // namespace

TEST_CASE("prefix-list: exact, ge, le, ge+le, first seq wins, implicit deny", "[policy]") {
    auto cfg = load_policy("ip prefix-list A seq 10 permit 10.0.0.0/8\n"
                           "ip prefix-list B seq 10 permit 10.0.0.0/8 le 16\n"
                           "ip prefix-list C seq 10 permit 10.0.0.0/8 ge 24\n"
                           "ip prefix-list D seq 10 permit 10.0.0.0/8 ge 16 le 24\n"
                           "ip prefix-list E seq 20 permit 0.0.0.0/0 le 32\n"
                           "ip prefix-list E seq 10 deny 192.168.0.0/16 le 32\n"
                           "ipv6 prefix-list F permit 2001:db8::/32 ge 48 le 48\n");
    PrefixListIndex a(*cfg.prefix_list("A", false)), b(*cfg.prefix_list("B", false)),
        c(*cfg.prefix_list("C", false)), d(*cfg.prefix_list("D", false)), e(*cfg.prefix_list("E", false)),
        f(*cfg.prefix_list("F", true));
    CHECK(pl_permits(a, "10.0.0.0/8"));
    CHECK_FALSE(pl_permits(a, "10.0.0.0/9"));
    CHECK_FALSE(pl_permits(a, "11.0.0.0/8"));
    CHECK_FALSE(pl_permits(a, "0.0.0.0/0"));
    CHECK(pl_permits(b, "10.0.0.0/8"));
    CHECK(pl_permits(b, "10.255.0.0/16"));
    CHECK_FALSE(pl_permits(b, "10.1.1.0/24"));
    CHECK_FALSE(pl_permits(c, "10.0.0.0/23"));
    CHECK(pl_permits(c, "10.1.2.0/24"));
    CHECK(pl_permits(c, "10.1.2.3/32"));
    CHECK_FALSE(pl_permits(d, "10.0.0.0/15"));
    CHECK(pl_permits(d, "10.2.0.0/16"));
    CHECK(pl_permits(d, "10.2.3.0/24"));
    CHECK_FALSE(pl_permits(d, "10.2.3.0/25"));
    CHECK_FALSE(pl_permits(e, "192.168.1.0/24"));  // seq 10 deny before seq 20 permit
    CHECK(pl_permits(e, "192.169.1.0/24"));
    CHECK(pl_permits(e, "0.0.0.0/0"));
    CHECK(pl_permits(f, "2001:db8:1::/48"));
    CHECK_FALSE(pl_permits(f, "2001:db8:1::/56"));
    CHECK_FALSE(pl_permits(f, "10.0.0.0/8"));  // other family: deny
}

TEST_CASE("prefix-list: a large list agrees with a linear scan", "[policy]") {
    std::mt19937 rng(7);
    std::string text;
    struct E {
        uint32_t seq;
        bool permit;
        wire::Prefix p;
        unsigned lo, hi;
    };
    std::vector<E> ref;
    for (uint32_t i = 1; i <= 5000; ++i) {
        unsigned len = 8 + rng() % 17;
        wire::Prefix p = wire::Prefix::make(wire::IpAddress::v4(static_cast<uint32_t>(rng()) & 0x0FFFFFFF), static_cast<uint8_t>(len));
        bool permit = rng() % 3 != 0;
        unsigned le = len + rng() % (33 - len);
        std::string line = "ip prefix-list BIG seq " + std::to_string(i) + (permit ? " permit " : " deny ") + p.to_string();
        if (le > len) line += " le " + std::to_string(le);
        text += line + "\n";
        ref.push_back(E{i, permit, p, len, le});
    }
    auto cfg = load_policy(text);
    PrefixListIndex big(*cfg.prefix_list("BIG", false));
    int permitted = 0;
    for (int i = 0; i < 20000; ++i) {
        unsigned len = 8 + rng() % 25;
        wire::Prefix q = wire::Prefix::make(wire::IpAddress::v4(static_cast<uint32_t>(rng()) & 0x0FFFFFFF), static_cast<uint8_t>(len));
        bool expect = false;
        for (const E& e : ref) {
            if (q.len < e.lo || q.len > e.hi) continue;
            if (wire::Prefix::make(q.address(), e.p.len) != e.p) continue;
            expect = e.permit;
            break;
        }
        permitted += expect;
        REQUIRE(big.permits(q) == expect);
    }
    CHECK(permitted > 0);
}

TEST_CASE("as-path access-list: Cisco regular expressions with _", "[policy]") {
    auto cfg = load_policy("bgp as-path access-list X permit _64500_\n"
                           "bgp as-path access-list ORIG permit _64511$\n"
                           "bgp as-path access-list FIRST permit ^64500_\n"
                           "bgp as-path access-list EMPTY permit ^$\n"
                           "bgp as-path access-list CUST deny _64666_\n"
                           "bgp as-path access-list CUST permit ^64511(_64511)*$\n");
    AsPathMatcher x(cfg.as_path_lists[0]), orig(cfg.as_path_lists[1]), first(cfg.as_path_lists[2]),
        empty(cfg.as_path_lists[3]), cust(cfg.as_path_lists[4]);
    CHECK(x.permits("64500"));
    CHECK(x.permits("1 64500 2"));
    CHECK_FALSE(x.permits("645001 2"));
    CHECK_FALSE(x.permits("164500"));
    CHECK(x.permits("1 {64500,3}"));
    CHECK(orig.permits("64500 64511"));
    CHECK_FALSE(orig.permits("64511 64500"));
    CHECK(first.permits("64500 1"));
    CHECK_FALSE(first.permits("1 64500"));
    CHECK(empty.permits(""));
    CHECK_FALSE(empty.permits("1"));
    CHECK(cust.permits("64511"));
    CHECK(cust.permits("64511 64511 64511"));
    CHECK_FALSE(cust.permits("64511 64512"));
    CHECK_FALSE(cust.permits("64666 64511"));
}

TEST_CASE("community lists: all of an entry, first entry decides, comm-list delete", "[policy]") {
    Fixture f("bgp community-list C deny 64500:666\n"
              "bgp community-list C permit 64500:1 64500:2\n"
              "bgp large-community-list L permit 64500:1:1\n"
              "bgp community-list DEL permit 64500:1\n"
              "bgp community-list DEL permit no-export\n"
              "route-map M permit 10\n match community C\n set comm-list DEL delete\n"
              "route-map M permit 20\n match large-community L\n set local-preference 7\n");
    const auto& m = f.map();
    auto both = run(m, route({1}, {0xFBF40001, 0xFBF40002, 0xFFFFFF01, 0xFBF40003}));
    CHECK(both.permit);
    CHECK(both.seq == 10);
    CHECK(both.attrs.path.communities == std::vector<uint32_t>{0xFBF40002, 0xFBF40003});
    CHECK_FALSE(run(m, route({1}, {0xFBF40001})).permit);                       // only one of the two
    CHECK_FALSE(run(m, route({1}, {0xFBF40001, 0xFBF40002, 0xFBF4029A})).permit);  // 64500:666 denies first
    RouteAttrs lc = route({1});
    lc.path.large_communities = {wire::LargeCommunity{64500, 1, 1}};
    auto o = run(m, lc);
    CHECK(o.permit);
    CHECK(o.seq == 20);
    CHECK(o.attrs.path.local_pref == 7u);
}

TEST_CASE("route-map set clauses", "[policy]") {
    Fixture f("route-map M permit 10\n"
              " set local-preference 250\n"
              " set metric 33\n"
              " set community 64500:10 64500:20\n"
              " set large-community 64500:0:1 64500:0:2\n"
              " set as-path prepend 64999 64999\n"
              " set ip next-hop 192.0.2.99\n"
              "route-map ADD permit 10\n"
              " set community 64500:30 additive\n"
              " set large-community 64500:0:3 additive\n"
              "route-map NONE permit 10\n set community none\n"
              "route-map V6 permit 10\n set ipv6 next-hop 2001:db8::99\n");
    RouteAttrs a = route({64500, 64501}, {0xFBF40001});
    a.path.large_communities = {wire::LargeCommunity{1, 2, 3}};
    auto o = run(f.map(), a);
    REQUIRE(o.permit);
    const auto& p = o.attrs.path;
    CHECK(p.local_pref == 250u);
    CHECK(p.med == 33u);
    CHECK(p.communities == std::vector<uint32_t>{0xFBF4000A, 0xFBF40014});
    CHECK(p.large_communities == std::vector<wire::LargeCommunity>{{64500, 0, 1}, {64500, 0, 2}});
    CHECK(p.as_path->to_string() == "64999 64999 64500 64501");
    CHECK(p.next_hop == 0xC0000263u);

    auto add = run(f.map("ADD"), a);
    CHECK(add.attrs.path.communities == std::vector<uint32_t>{0xFBF40001, 0xFBF4001E});
    CHECK(add.attrs.path.large_communities == std::vector<wire::LargeCommunity>{{1, 2, 3}, {64500, 0, 3}});
    CHECK(run(f.map("NONE"), a).attrs.path.communities.empty());

    RouteAttrs v6 = a;
    v6.path.next_hop.reset();
    v6.mp_next_hop = test::ip("2001:db8::1");
    v6.mp_link_local = test::ip("fe80::1");
    auto o6 = run(f.map("V6"), v6, "2001:db8:5::/48");
    CHECK(o6.attrs.mp_next_hop == test::ip("2001:db8::99"));
    CHECK_FALSE(o6.attrs.mp_link_local);
}

TEST_CASE("route-map flow: deny entries, implicit deny, on-match next, continue, match peer and rpki", "[policy]") {
    Fixture f("ip prefix-list P permit 10.0.0.0/8 le 24\n"
              "route-map M deny 5\n match rpki invalid\n"
              "route-map M permit 10\n match ip address prefix-list P\n set local-preference 200\n on-match next\n"
              "route-map M permit 20\n match peer 192.0.2.1\n set metric 5\n continue 40\n"
              "route-map M permit 30\n set metric 999\n"
              "route-map M permit 40\n set community 1:1 additive\n");
    const auto& m = f.map();
    const auto peer = test::ip("192.0.2.1");
    const auto other = test::ip("192.0.2.2");
    RouteAttrs a = route({1});
    auto o = run(m, a, "10.1.0.0/16", RpkiState::valid, &peer);
    CHECK(o.permit);
    CHECK(o.seq == 40);  // 10 -> next (20) -> continue 40
    CHECK(o.attrs.path.local_pref == 200u);
    CHECK(o.attrs.path.med == 5u);  // 30 skipped
    CHECK(o.attrs.path.communities == std::vector<uint32_t>{0x10001});

    auto o2 = run(m, a, "10.1.0.0/16", RpkiState::not_found, &other);
    CHECK(o2.permit);
    CHECK(o2.seq == 30);  // 10 -> next: 20 does not match -> 30 stops
    CHECK(o2.attrs.path.med == 999u);

    auto inv = run(m, a, "10.1.0.0/16", RpkiState::invalid, &peer);
    CHECK_FALSE(inv.permit);
    CHECK(inv.seq == 5);
    CHECK(m.describe(PolicyVerdict{false, 5}) == "route-map M seq 5");

    Fixture g("ip prefix-list P permit 10.0.0.0/8\nroute-map M permit 10\n match ip address prefix-list P\n");
    auto none = run(g.map(), a, "11.0.0.0/8");
    CHECK_FALSE(none.permit);
    CHECK(none.seq == 0);
    CHECK(g.map().needs_prefix);
}

namespace {

// Sets a fixed RPKI state, standing in for origin validation.
class FixedRpki final : public ImportStep {
public:
    std::string_view name() const override { return "fixed-rpki"; }
    bool wants_prefixes() const override { return true; }
    Reason check_prefix(const ImportContext&, PrefixRoute& r, PrefixEdit&) override {
        r.rpki = r.prefix.len > 16 ? RpkiState::invalid : RpkiState::valid;
        return Reason::none;
    }
};

std::shared_ptr<const Policy> compile(const std::string& text, std::vector<NeighborPolicy> n, bool rfc8212 = false) {
    return std::make_shared<const Policy>(load_policy(text), n, rfc8212);
}

}  // namespace

TEST_CASE("route-map: a first entry that permits everything unchanged is known as such", "[policy]") {
    Fixture f("bgp as-path access-list A permit _1_\n"
              "route-map ALL permit 10\n"
              "route-map ALL deny 20\n"
              "route-map SET permit 10\n set metric 5\n"
              "route-map MATCH permit 10\n match as-path A\n"
              "route-map DENY deny 10\n"
              "route-map NEXT permit 10\n on-match next\n"
              "route-map CONT permit 10\n continue 20\n"
              "route-map LATER deny 10\n match as-path A\n"
              "route-map LATER permit 20\n");
    CHECK(f.map("ALL").passes_all);
    for (const char* name : {"SET", "MATCH", "DENY", "NEXT", "CONT", "LATER"}) {
        INFO(name);
        CHECK_FALSE(f.map(name).passes_all);
    }
    // What a caller skips is what the evaluation would have given.
    RouteAttrs a = route({1, 2}, {0x10001});
    auto o = run(f.map("ALL"), a);
    CHECK(o.permit);
    CHECK(o.seq == 10);
    CHECK(o.attrs == a);
}

TEST_CASE("import: route-map in rejects with Reason::policy and its entry, sets change the route", "[policy][import]") {
    Rib rib(config());
    const auto a_addr = test::ip("192.0.2.1");
    PeerId a = rib.add_peer(PeerInfo{a_addr, 64500, 1, false});
    PeerId b = rib.add_peer(PeerInfo{test::ip("192.0.2.2"), 64501, 2, false});
    const std::string text = "ip prefix-list P permit 10.0.0.0/8 le 24\n"
                             "bgp as-path access-list BAD permit _666_\n"
                             "route-map IN deny 5\n match as-path BAD\n"
                             "route-map IN deny 6\n match rpki invalid\n"
                             "route-map IN permit 10\n match ip address prefix-list P\n set local-preference 300\n";
    auto step = std::make_unique<RouteMapImport>(compile(text, {{a_addr, "IN", ""}}));
    RouteMapImport* s = step.get();
    rib.import_chain().append(std::make_unique<FixedRpki>());
    rib.import_chain().append(std::move(step));
    rib.import_chain().refresh();
    REQUIRE(rib.import_chain().has_prefix_steps());

    rib.import(a, announce(attrs({64500}), {"10.1.0.0/16", "10.1.2.0/24", "11.0.0.0/8"}));
    rib.import(a, announce(attrs({64500, 666}), {"10.2.0.0/16"}));
    rib.import(b, announce(attrs({64501}), {"11.0.0.0/8"}));  // no route-map: accepted
    rib.run_decision();
    auto best = rib.best(pfx("10.1.0.0/16"));
    REQUIRE(best);
    CHECK(best->attrs->local_pref == 300u);
    CHECK(rib.routes(pfx("10.1.2.0/24"))[0].reason == Reason::policy);  // rpki invalid (len > 16)
    CHECK(rib.routes(pfx("10.2.0.0/16"))[0].reason == Reason::policy);  // as-path
    auto r11 = rib.routes(pfx("11.0.0.0/8"));
    REQUIRE(r11.size() == 2);
    CHECK(rib.best(pfx("11.0.0.0/8"))->peer == b);

    // The detail names the deciding entry.
    std::string detail;
    ImportContext ctx{rib.config(), rib.peer(a), false, wire::Afi::ipv4, a, &detail};
    RouteAttrs bad;
    bad.path = attrs({64500, 666});
    AttrEdit edit(bad);
    CHECK(s->check_attrs(ctx, edit) == Reason::none);  // per prefix: the map needs the prefix
    const AttrSet* set = rib.attr_store().intern(bad);
    PrefixEdit pe(*set);
    const wire::Prefix p = pfx("10.2.0.0/16");
    PrefixRoute pr{p, RpkiState::valid};
    CHECK(s->check_prefix(ctx, pr, pe) == Reason::policy);
    CHECK(detail == "route-map IN seq 5");
    rib.attr_store().release(set);

    // A new policy and a soft reset in: the prefix-list now excludes /16s.
    s->set_policy(compile("ip prefix-list P permit 10.0.0.0/8 ge 20 le 24\n"
                          "route-map IN permit 10\n match ip address prefix-list P\n",
                          {{a_addr, "IN", ""}}));
    Cursor c;
    while (!c.done) rib.reimport_slice(a, c, 100);
    rib.run_decision();
    CHECK_FALSE(rib.best(pfx("10.1.0.0/16")));
    CHECK(rib.routes(pfx("10.1.0.0/16"))[0].reason == Reason::policy);
}

TEST_CASE("import: an attribute-only map runs once per UPDATE and RFC 8212 without a map", "[policy][import]") {
    Rib rib(config());
    const auto a_addr = test::ip("192.0.2.1");
    PeerId a = rib.add_peer(PeerInfo{a_addr, 64500, 1, false});
    PeerId b = rib.add_peer(PeerInfo{test::ip("192.0.2.2"), 64501, 2, false});
    PeerId i = rib.add_peer(PeerInfo{test::ip("10.0.0.2"), 65000, 3, false});
    auto step = std::make_unique<RouteMapImport>(
        compile("bgp community-list BH permit blackhole\nroute-map IN deny 10\n match community BH\nroute-map IN permit 20\n",
                {{a_addr, "IN", ""}}, true));
    CHECK_FALSE(step->wants_prefixes());
    rib.import_chain().append(std::move(step));
    rib.import_chain().refresh();
    CHECK_FALSE(rib.import_chain().has_prefix_steps());
    auto bh = attrs({64500});
    bh.communities = {0xFFFF029A};
    rib.import(a, announce(bh, {"10.9.0.0/16"}));
    rib.import(a, announce(attrs({64500}), {"10.8.0.0/16"}));
    rib.import(b, announce(attrs({64501}), {"10.7.0.0/16"}));  // eBGP, no map: RFC 8212
    auto ib = attrs({});
    ib.local_pref = 100;
    rib.import(i, announce(ib, {"10.6.0.0/16"}));  // iBGP: not concerned
    rib.run_decision();
    CHECK(rib.routes(pfx("10.9.0.0/16"))[0].reason == Reason::policy);
    CHECK(rib.best(pfx("10.8.0.0/16")));
    CHECK(rib.routes(pfx("10.7.0.0/16"))[0].reason == Reason::no_policy);
    CHECK(rib.best(pfx("10.6.0.0/16")));
}

namespace {

GroupConfig ebgp_group(std::string out_map) {
    GroupConfig g;
    g.ebgp = true;
    g.local_v4 = 0xC6336401;
    g.local_v6 = test::ip("2001:db8:ffff::1");
    g.ctx.four_octet_as = true;
    g.out_map = std::move(out_map);
    return g;
}

std::vector<wire::Update> packed(Rib& rib, GroupId g) {
    std::vector<OutMessage> out;
    rib.pack(g, out, 100000);
    return test::decode_all(out, rib.group_config(g).ctx);
}

}  // namespace

TEST_CASE("export: route-map out filters and changes what a group sends and restage withdraws", "[policy][export]") {
    Rib rib(config());
    rib.set_policy(compile("ip prefix-list OURS permit 10.0.0.0/8 le 16\n"
                           "route-map OUT permit 10\n match ip address prefix-list OURS\n"
                           " set community 65000:1\n set as-path prepend 65000\n",
                           {}));
    PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
    PeerId b = rib.add_peer(PeerInfo{test::ip("192.0.2.2"), 64501, 2, false});
    rib.import(a, announce(attrs({64500}), {"10.1.0.0/16", "10.2.0.0/24", "11.0.0.0/8"}));
    rib.run_decision();
    GroupId g = rib.add_group(ebgp_group("OUT"));
    rib.join_group(g, b);
    GroupId none = rib.add_group([] {
        auto c = ebgp_group("");
        c.export_none = true;
        return c;
    }());
    rib.join_group(none, b);
    auto ups = packed(rib, g);
    REQUIRE(ups.size() == 1);
    REQUIRE(ups[0].nlri.size() == 1);
    CHECK(ups[0].nlri[0].prefix == pfx("10.1.0.0/16"));
    CHECK(ups[0].attrs.communities == std::vector<uint32_t>{0xFDE80001});
    CHECK(ups[0].attrs.as_path->to_string() == "65000 65000 64500");
    CHECK(rib.advertised(g, b, wire::Afi::ipv4) == 1);
    CHECK(packed(rib, none).empty());
    CHECK(rib.advertised(none, b, wire::Afi::ipv4) == 0);

    // The list changes: 10.1.0.0/16 out, 11.0.0.0/8 in.
    rib.set_policy(compile("ip prefix-list OURS permit 11.0.0.0/8\n"
                           "route-map OUT permit 10\n match ip address prefix-list OURS\n",
                           {}));
    rib.restage(g);
    ups = packed(rib, g);
    size_t withdrawn = 0, announced = 0;
    for (const auto& u : ups) {
        for (const auto& n : u.withdrawn) {
            CHECK(n.prefix == pfx("10.1.0.0/16"));
            ++withdrawn;
        }
        for (const auto& n : u.nlri) {
            CHECK(n.prefix == pfx("11.0.0.0/8"));
            CHECK(u.attrs.communities.empty());
            ++announced;
        }
    }
    CHECK(withdrawn == 1);
    CHECK(announced == 1);

    // Moving b to the group without routes: withdrawals of what it had.
    std::vector<OutMessage> out;
    rib.withdraw_difference(g, none, b, out);
    auto w = test::decode_all(out, rib.group_config(g).ctx);
    REQUIRE(w.size() == 1);
    REQUIRE(w[0].withdrawn.size() == 1);
    CHECK(w[0].withdrawn[0].prefix == pfx("11.0.0.0/8"));
    CHECK(out[0].only == b);
}
