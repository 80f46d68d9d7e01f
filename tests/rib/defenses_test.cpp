// The rejected-route store, maximum-prefix in the RIB, and the eBGP
// route-leak filters (martians, too-specific, AS_PATH length, bogon ASNs,
// peer-lock).
#include "rib_test_util.hpp"

#include "rib/defenses.hpp"
#include "rib/limits.hpp"

using namespace moat;
using namespace moat::rib;
using namespace moat::rib::test;

namespace {

PeerInfo peer(const char* addr, uint32_t asn) {
    PeerInfo p;
    p.address = test::ip(addr);
    p.asn = asn;
    p.router_id = asn;
    return p;
}

// Rejects paths through one ASN while `on`, saying why.
struct BlockStep final : ImportStep {
    uint32_t asn;
    bool on = true;
    explicit BlockStep(uint32_t a) : asn(a) {}
    std::string_view name() const override { return "block"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& e) override {
        if (!on || !e.get().path.as_path || !e.get().path.as_path->contains(asn)) return Reason::none;
        if (ctx.detail) *ctx.detail = "through AS" + std::to_string(asn);
        return Reason::policy;
    }
};

size_t by_reason(const Rib& rib, PeerId p, Reason r) {
    return rib.peer_counts(p).by_reason_v4[static_cast<size_t>(r)] +
           rib.peer_counts(p).by_reason_v6[static_cast<size_t>(r)];
}

struct Defended {
    std::shared_ptr<FilterSettings> settings = std::make_shared<FilterSettings>();
    std::shared_ptr<PeerLockCounters> counters = std::make_shared<PeerLockCounters>();
    Rib rib{config()};
    Defended() { add_defenses(rib.import_chain(), settings, counters); }
    Reason reason_of(PeerId p, const char* prefix) {
        for (const auto& v : rib.routes(pfx(prefix)))
            if (v.peer == p) return v.reason;
        FAIL("no route " << prefix);
        return Reason::none;
    }
    std::string detail_of(PeerId p, const char* prefix) {
        const RejectedRecord* r = rib.rejected().find(p, pfx(prefix));
        return r ? r->detail : "(no record)";
    }
};

}  // namespace

TEST_CASE("rejected routes get a record with reason, detail and time; re-import drops it", "[rib][rejected]") {
    Rib rib(config());
    auto step = std::make_unique<BlockStep>(3356);
    BlockStep* block = step.get();
    rib.import_chain().append(std::move(step));
    PeerId a = rib.add_peer(peer("192.0.2.1", 64500));

    const auto before = std::chrono::system_clock::now();
    auto st = rib.import(a, announce(attrs({64500, 3356, 13335}), {"104.20.0.0/21", "104.20.8.0/21"}));
    CHECK(st.rejected == 2);
    rib.import(a, announce(attrs({64500}), {"203.0.113.0/24"}));
    REQUIRE(rib.rejected().size() == 2);
    const RejectedRecord* r = rib.rejected().find(a, pfx("104.20.8.0/21"));
    REQUIRE(r);
    CHECK(r->reason == Reason::policy);
    CHECK(r->detail == "through AS3356");
    CHECK(r->when >= before);
    CHECK(rib.rejected().find(a, pfx("203.0.113.0/24")) == nullptr);
    CHECK(by_reason(rib, a, Reason::policy) == 2);

    // The cause goes away: soft reset in accepts them, the records go.
    block->on = false;
    Cursor c;
    while (!c.done) rib.reimport_slice(a, c, 1);
    CHECK(rib.rejected().size() == 0);
    CHECK(by_reason(rib, a, Reason::policy) == 0);
    CHECK(rib.peer_counts(a).rejected_v4 == 0);
    test::decide(rib);
    CHECK(rib.best(pfx("104.20.0.0/21")));

    // Back again, then withdrawn: the record follows the route.
    block->on = true;
    c = Cursor{};
    while (!c.done) rib.reimport_slice(a, c, 100);
    CHECK(rib.rejected().size() == 2);
    rib.import(a, withdraw({"104.20.0.0/21"}));
    CHECK(rib.rejected().size() == 1);
    rib.remove_peer(a);
    CHECK(rib.rejected().size() == 0);
}

TEST_CASE("the store is capped; per-reason counts go on past the cap", "[rib][rejected]") {
    Rib rib(config());
    rib.import_chain().append(std::make_unique<BlockStep>(3356));
    rib.set_rejected_limit(2);
    PeerId a = rib.add_peer(peer("192.0.2.1", 64500));
    rib.import(a, announce(attrs({64500, 3356}), {"1.0.0.0/24", "1.0.1.0/24", "1.0.2.0/24", "1.0.3.0/24"}));
    CHECK(rib.rejected().size() == 2);
    CHECK(rib.rejected().evicted() == 2);
    CHECK(by_reason(rib, a, Reason::policy) == 4);
    CHECK(rib.rejected().find(a, pfx("1.0.0.0/24")) == nullptr);  // the oldest went
    CHECK(rib.rejected().find(a, pfx("1.0.3.0/24")) != nullptr);
    rib.set_rejected_limit(0);
    CHECK(rib.rejected().size() == 0);
    rib.import(a, announce(attrs({64500, 3356}), {"1.0.9.0/24"}));
    CHECK(rib.rejected().size() == 0);
    CHECK(by_reason(rib, a, Reason::policy) == 5);
}

TEST_CASE("treat-as-withdraw UPDATEs are recorded as malformed with the attribute", "[rib][rejected]") {
    Rib rib(config());
    PeerId a = rib.add_peer(peer("192.0.2.1", 64500));
    rib.import(a, announce(attrs({64500}), {"1.0.0.0/24"}));
    auto bad = announce(attrs({64500}), {"1.0.0.0/24", "1.0.1.0/24"});
    bad.treat_as_withdraw_attr = 2;
    bad.treat_as_withdraw_reason = "malformed AS_PATH";
    auto st = rib.import(a, bad);
    CHECK(st.withdrawn == 1);
    CHECK(rib.routes(pfx("1.0.0.0/24")).empty());
    const RejectedRecord* r = rib.rejected().find(a, pfx("1.0.1.0/24"));
    REQUIRE(r);
    CHECK(r->reason == Reason::malformed);
    CHECK(r->detail == "attribute 2: malformed AS_PATH");
    CHECK(rib.peer_counts(a).by_reason_v4[static_cast<size_t>(Reason::malformed)] == 2);
    // Announced again, well formed: accepted and the record goes.
    rib.import(a, announce(attrs({64500}), {"1.0.1.0/24"}));
    CHECK(rib.rejected().find(a, pfx("1.0.1.0/24")) == nullptr);
    CHECK(rib.rejected().size() == 1);
}

TEST_CASE("maximum-prefix: the route over the limit is rejected; raised limit re-imports", "[rib][max-prefix]") {
    Rib rib(config());
    rib.import_chain().append(std::make_unique<BlockStep>(3356));
    PeerInfo info = peer("192.0.2.1", 64500);
    info.limit_v4 = PrefixLimit{2, false, false};
    PeerId a = rib.add_peer(info);

    // accept mode: rejected routes do not count.
    rib.import(a, announce(attrs({64500, 3356}), {"9.0.0.0/24"}));
    rib.import(a, announce(attrs({64500}), {"1.0.0.0/24", "1.0.1.0/24"}));
    CHECK(by_reason(rib, a, Reason::max_prefix) == 0);
    rib.import(a, announce(attrs({64500}), {"1.0.1.0/24"}));  // a replacement does not count
    CHECK(by_reason(rib, a, Reason::max_prefix) == 0);
    rib.import(a, announce(attrs({64500}), {"1.0.2.0/24"}));
    CHECK(by_reason(rib, a, Reason::max_prefix) == 1);
    CHECK(rib.peer_counts(a).received_v4 - rib.peer_counts(a).rejected_v4 == 2);
    REQUIRE(rib.rejected().find(a, pfx("1.0.2.0/24")));
    CHECK(rib.rejected().find(a, pfx("1.0.2.0/24"))->detail == "limit 2 accepted");

    // A raised limit and a soft reset in: accepted without asking the peer.
    info.limit_v4.max = 10;
    rib.set_peer_info(a, info);
    Cursor c;
    while (!c.done) rib.reimport_slice(a, c, 100);
    CHECK(by_reason(rib, a, Reason::max_prefix) == 0);
    CHECK(rib.rejected().find(a, pfx("1.0.2.0/24")) == nullptr);

    // receive mode counts what is held, rejected routes included.
    PeerInfo r = peer("192.0.2.2", 64501);
    r.limit_v4 = PrefixLimit{2, true, false};
    PeerId b = rib.add_peer(r);
    rib.import(b, announce(attrs({64501, 3356}), {"9.0.0.0/24"}));
    rib.import(b, announce(attrs({64501}), {"1.0.0.0/24"}));
    CHECK(by_reason(rib, b, Reason::max_prefix) == 0);
    rib.import(b, announce(attrs({64501}), {"1.0.1.0/24"}));
    CHECK(by_reason(rib, b, Reason::max_prefix) == 1);

    // warning-only keeps everything accepted.
    PeerInfo w = peer("192.0.2.3", 64502);
    w.limit_v4 = PrefixLimit{1, false, true};
    PeerId d = rib.add_peer(w);
    rib.import(d, announce(attrs({64502}), {"1.0.0.0/24", "1.0.1.0/24", "1.0.2.0/24"}));
    CHECK(rib.peer_counts(d).rejected_v4 == 0);
    const LimitStatus ws = rib.limit_status(d, wire::Afi::ipv4);
    CHECK_FALSE(ws.exceeded);
    CHECK(ws.over);  // 3 accepted over a warning-only limit of 1: logged, kept
    CHECK(ws.over_threshold);
    CHECK(ws.count == 3);
    CHECK_FALSE(rib.limit_status(d, wire::Afi::ipv6).limited);
}

TEST_CASE("maximum-prefix verdict: decided where routes are counted, whatever rejected them", "[rib][max-prefix]") {
    // A receive limit counts what the neighbor sent: routes past the limit
    // that an earlier step rejects (peer-lock here) still end the session.
    Rib rib(config());
    rib.import_chain().append(std::make_unique<BlockStep>(3356));
    PeerInfo info = peer("192.0.2.1", 64500);
    info.limit_v4 = PrefixLimit{100, true, false};
    PeerId a = rib.add_peer(info);
    std::vector<std::string> leaked;
    for (int i = 0; i < 150; ++i) leaked.push_back("10." + std::to_string(i) + ".0.0/16");
    wire::Update u;
    u.attrs = attrs({64500, 3356});
    for (const auto& p : leaked) u.nlri.push_back({0, pfx(p.c_str())});
    rib.import(a, u);
    CHECK(rib.peer_counts(a).received_v4 == 150);
    CHECK(by_reason(rib, a, Reason::max_prefix) == 0);  // each route keeps the reason that rejected it
    REQUIRE(rib.limit_status(a, wire::Afi::ipv4).exceeded);
    CHECK(rib.limit_status(a, wire::Afi::ipv4).count == 150);  // received: the rejected ones count

    // Below the limit nothing is decided; new settings clear the verdict.
    info.limit_v4.max = 1000;
    rib.set_peer_info(a, info);
    CHECK_FALSE(rib.limit_status(a, wire::Afi::ipv4).exceeded);
    CHECK_FALSE(rib.limit_status(a, wire::Afi::ipv4).over_threshold);  // 150 of 1000, under 75%

    // An accept limit ignores rejected routes and rejects the one going over.
    PeerInfo acc = peer("192.0.2.2", 64501);
    acc.limit_v4 = PrefixLimit{2, false, false};
    PeerId b = rib.add_peer(acc);
    rib.import(b, announce(attrs({64501, 3356}), {"9.0.0.0/24", "9.0.1.0/24", "9.0.2.0/24"}));
    CHECK_FALSE(rib.limit_status(b, wire::Afi::ipv4).exceeded);
    CHECK(rib.limit_status(b, wire::Afi::ipv4).count == 0);  // accepted: the rejected ones do not count
    rib.import(b, announce(attrs({64501}), {"1.0.0.0/24", "1.0.1.0/24"}));
    CHECK_FALSE(rib.limit_status(b, wire::Afi::ipv4).exceeded);
    CHECK(rib.limit_status(b, wire::Afi::ipv4).over_threshold);  // 2 of 2
    rib.import(b, announce(attrs({64501}), {"1.0.2.0/24"}));
    CHECK(rib.limit_status(b, wire::Afi::ipv4).exceeded);
    CHECK(by_reason(rib, b, Reason::max_prefix) == 1);
}

TEST_CASE("check_limit: every mode and case", "[rib][max-prefix]") {
    const PrefixLimit recv{2, true, false}, acc{2, false, false}, warn{2, true, true}, none{};
    // receive: a new route when 2 are held goes over; rejected or not.
    CHECK(check_limit(recv, 2, 0, false, false, true).exceeded);
    CHECK(!check_limit(recv, 2, 0, false, false, true).reject);  // keeps its own reason
    CHECK(check_limit(recv, 2, 2, false, false, false).reject);
    CHECK(!check_limit(recv, 2, 2, true, true, false).exceeded);  // a replacement
    CHECK(!check_limit(recv, 1, 1, false, false, false).exceeded);
    // accept: only accepted routes count.
    CHECK(!check_limit(acc, 5, 1, false, false, false).exceeded);
    CHECK(!check_limit(acc, 5, 2, false, false, true).exceeded);
    CHECK(!check_limit(acc, 5, 2, true, true, false).exceeded);
    const LimitCheck over = check_limit(acc, 5, 2, true, false, false);  // a rejected route now accepted
    CHECK(over.exceeded);
    CHECK(over.reject);
    // warning-only and no limit never decide anything.
    CHECK(!check_limit(warn, 9, 9, false, false, false).exceeded);
    CHECK(!check_limit(none, 9, 9, false, false, false).exceeded);
}

TEST_CASE("eBGP AS_PATH: empty is rejected always, the first AS must be the neighbor's unless told", "[rib][first-as]") {
    Rib rib(config());
    PeerInfo info = peer("192.0.2.1", 65010);
    PeerId a = rib.add_peer(info);
    rib.import(a, announce(attrs({}), {"10.77.5.0/24"}));
    rib.import(a, announce(attrs({64999, 65010}), {"10.78.0.0/24"}));
    rib.import(a, announce(attrs({65010, 64999}), {"10.79.0.0/24"}));
    rib.run_decision();
    auto reason = [&](const char* p) {
        for (const auto& v : rib.routes(pfx(p)))
            if (v.peer == a) return v.reason;
        return Reason::none;
    };
    CHECK(reason("10.77.5.0/24") == Reason::empty_as_path);
    CHECK(rib.rejected().find(a, pfx("10.77.5.0/24"))->detail == "empty AS_PATH from AS65010");
    CHECK(reason("10.78.0.0/24") == Reason::first_as);
    CHECK(rib.rejected().find(a, pfx("10.78.0.0/24"))->detail == "path starts with AS64999, neighbor is AS65010");
    CHECK(reason("10.79.0.0/24") == Reason::none);
    CHECK(!rib.best(pfx("10.77.5.0/24")));
    CHECK(!rib.best(pfx("10.78.0.0/24")));

    // A transparent route server: the first AS is not its own. An empty
    // path is still nobody's route.
    info.enforce_first_as = false;
    rib.set_peer_info(a, info);
    Cursor c;
    while (!c.done) rib.reimport_slice(a, c, 100);
    rib.run_decision();
    CHECK(reason("10.78.0.0/24") == Reason::none);
    CHECK(reason("10.77.5.0/24") == Reason::empty_as_path);

    // iBGP: an empty path is a route of our own AS, any first AS is fine.
    PeerInfo ib = peer("192.0.2.9", 65000);
    PeerId i = rib.add_peer(ib);
    rib.import(i, announce(attrs({}), {"10.90.0.0/24"}));
    rib.import(i, announce(attrs({64999}), {"10.91.0.0/24"}));
    CHECK(rib.routes(pfx("10.90.0.0/24")).front().reason == Reason::none);
    CHECK(rib.routes(pfx("10.91.0.0/24")).front().reason == Reason::none);
}

TEST_CASE("martians: special-purpose blocks and the default route from eBGP", "[rib][filters]") {
    Defended t;
    PeerId a = t.rib.add_peer(peer("192.0.2.1", 6939));
    t.rib.import(a, announce(attrs({6939}), {"10.1.0.0/16", "198.18.0.0/15", "0.0.0.0/0", "8.8.8.0/24",
                                              "100.64.1.0/24", "224.1.0.0/16"}));
    CHECK(t.reason_of(a, "10.1.0.0/16") == Reason::martian);
    CHECK(t.detail_of(a, "10.1.0.0/16") == "in 10.0.0.0/8");
    CHECK(t.reason_of(a, "198.18.0.0/15") == Reason::martian);
    CHECK(t.reason_of(a, "0.0.0.0/0") == Reason::martian);
    CHECK(t.detail_of(a, "0.0.0.0/0") == "default route");
    CHECK(t.reason_of(a, "100.64.1.0/24") == Reason::martian);
    CHECK(t.reason_of(a, "224.1.0.0/16") == Reason::martian);
    CHECK(t.reason_of(a, "8.8.8.0/24") == Reason::none);
    t.rib.import(a, announce6(attrs({6939}), "2001:db8::1", {"2001:db8:1::/48", "fe80::/64", "2a00:1450::/32", "::/0"}));
    CHECK(t.reason_of(a, "2001:db8:1::/48") == Reason::martian);
    CHECK(t.reason_of(a, "fe80::/64") == Reason::martian);
    CHECK(t.reason_of(a, "::/0") == Reason::martian);
    CHECK(t.reason_of(a, "2a00:1450::/32") == Reason::none);

    // allow default-route, iBGP, and the switch.
    PeerInfo d = peer("192.0.2.2", 2914);
    d.allow_default = true;
    PeerId b = t.rib.add_peer(d);
    t.rib.import(b, announce(attrs({2914}), {"0.0.0.0/0", "10.0.0.0/8"}));
    CHECK(t.reason_of(b, "0.0.0.0/0") == Reason::none);
    CHECK(t.reason_of(b, "10.0.0.0/8") == Reason::martian);
    PeerId i = t.rib.add_peer(peer("192.0.2.3", 65000));
    t.rib.import(i, announce(attrs({}), {"10.0.0.0/8"}));
    CHECK(t.reason_of(i, "10.0.0.0/8") == Reason::none);
    t.settings->martians = false;
    Cursor c;
    while (!c.done) t.rib.reimport_slice(a, c, 100);
    CHECK(t.reason_of(a, "10.1.0.0/16") == Reason::none);
    CHECK(t.rib.rejected().find(a, pfx("10.1.0.0/16")) == nullptr);
}

TEST_CASE("too-specific: IPv4 longer than /24, IPv6 longer than /48", "[rib][filters]") {
    Defended t;
    PeerId a = t.rib.add_peer(peer("192.0.2.1", 6939));
    t.rib.import(a, announce(attrs({6939}), {"8.8.8.0/24", "8.8.8.0/25"}));
    t.rib.import(a, announce6(attrs({6939}), "2001:db8::1", {"2a00:1450::/48", "2a00:1450::/49"}));
    CHECK(t.reason_of(a, "8.8.8.0/24") == Reason::none);
    CHECK(t.reason_of(a, "8.8.8.0/25") == Reason::too_specific);
    CHECK(t.detail_of(a, "8.8.8.0/25") == "/25 longer than /24");
    CHECK(t.reason_of(a, "2a00:1450::/48") == Reason::none);
    CHECK(t.reason_of(a, "2a00:1450::/49") == Reason::too_specific);
    t.settings->too_specific = false;
    Cursor c;
    while (!c.done) t.rib.reimport_slice(a, c, 100);
    CHECK(t.reason_of(a, "8.8.8.0/25") == Reason::none);
}

TEST_CASE("AS_PATH length limit and bogon ASNs", "[rib][filters]") {
    Defended t;
    t.settings->max_as_path = 3;
    PeerId b = t.rib.add_peer(peer("192.0.2.2", 3320));
    t.rib.import(b, announce(attrs({3320, 1, 2}), {"8.8.8.0/24"}));
    t.rib.import(b, announce(attrs({3320, 1, 2, 3}), {"8.8.9.0/24"}));
    CHECK(t.reason_of(b, "8.8.8.0/24") == Reason::none);
    CHECK(t.reason_of(b, "8.8.9.0/24") == Reason::as_path_too_long);
    CHECK(t.detail_of(b, "8.8.9.0/24") == "4 ASNs, limit 3");

    t.rib.import(b, announce(attrs({3320, 64512}), {"8.8.10.0/24"}));
    t.rib.import(b, announce(attrs({3320, 4200000001u}), {"8.8.11.0/24"}));
    t.rib.import(b, announce(attrs({3320, 23456}), {"8.8.12.0/24"}));
    t.rib.import(b, announce(attrs({3320, 65551}), {"8.8.13.0/24"}));
    t.rib.import(b, announce(attrs({3320, 13335}), {"8.8.14.0/24"}));
    CHECK(t.reason_of(b, "8.8.10.0/24") == Reason::bogon_asn);
    CHECK(t.detail_of(b, "8.8.10.0/24") == "AS64512 private (RFC 6996)");
    CHECK(t.reason_of(b, "8.8.11.0/24") == Reason::bogon_asn);
    CHECK(t.reason_of(b, "8.8.12.0/24") == Reason::bogon_asn);
    CHECK(t.reason_of(b, "8.8.13.0/24") == Reason::bogon_asn);
    CHECK(t.reason_of(b, "8.8.14.0/24") == Reason::none);
    t.settings->bogon_asns = false;
    t.settings->max_as_path = 0;
    Cursor c;
    while (!c.done) t.rib.reimport_slice(b, c, 100);
    CHECK(t.reason_of(b, "8.8.10.0/24") == Reason::none);
    CHECK(t.reason_of(b, "8.8.9.0/24") == Reason::none);
    CHECK(bogon_asn_kind(174) == nullptr);
}

TEST_CASE("peer-lock: protected ASNs only from themselves or allowed neighbors", "[rib][peer-lock]") {
    Defended t;
    t.settings->protected_asns = {174, 3356};
    PeerId customer = t.rib.add_peer(peer("192.0.2.1", 396531));
    PeerId lumen = t.rib.add_peer(peer("192.0.2.2", 3356));
    PeerInfo allowed = peer("192.0.2.3", 6939);
    allowed.peer_lock_allow = {3356};
    PeerId he = t.rib.add_peer(allowed);
    PeerInfo strict = peer("192.0.2.4", 3356);
    strict.peer_lock_strict = true;
    PeerId s = t.rib.add_peer(strict);

    t.rib.import(customer, announce(attrs({396531, 33154, 3356, 13335}), {"104.20.0.0/21", "104.20.8.0/21"}));
    t.rib.import(customer, announce(attrs({396531}), {"8.8.8.0/24"}));
    t.rib.import(lumen, announce(attrs({3356, 13335}), {"104.20.0.0/20"}));
    t.rib.import(lumen, announce(attrs({3356, 174, 13335}), {"104.21.0.0/20"}));
    t.rib.import(he, announce(attrs({6939, 3356, 13335}), {"104.22.0.0/20"}));
    t.rib.import(s, announce(attrs({3356, 13335}), {"104.23.0.0/20"}));
    CHECK(t.reason_of(customer, "104.20.0.0/21") == Reason::peer_lock);
    CHECK(t.detail_of(customer, "104.20.8.0/21") == "AS3356");
    CHECK(t.reason_of(customer, "8.8.8.0/24") == Reason::none);
    CHECK(t.reason_of(lumen, "104.20.0.0/20") == Reason::none);
    CHECK(t.reason_of(lumen, "104.21.0.0/20") == Reason::peer_lock);  // 174 through 3356
    CHECK(t.reason_of(he, "104.22.0.0/20") == Reason::none);
    CHECK(t.reason_of(s, "104.23.0.0/20") == Reason::peer_lock);       // strict: even its own
    CHECK(t.detail_of(s, "104.23.0.0/20") == "AS3356 (strict)");
    CHECK((*t.counters)[{test::ip("192.0.2.1"), 3356}] == 2);
    CHECK((*t.counters)[{test::ip("192.0.2.2"), 174}] == 1);
    CHECK(by_reason(t.rib, customer, Reason::peer_lock) == 2);

    // The legitimate /20 from 3356 wins; the leaked /21s never reach the Loc-RIB.
    test::decide(t.rib);
    CHECK(t.rib.best(pfx("104.20.0.0/20"))->peer == lumen);
    CHECK(!t.rib.best(pfx("104.20.0.0/21")));

    // Unprotected: accepted on re-import, counters not counted again.
    t.settings->protected_asns.clear();
    Cursor c;
    while (!c.done) t.rib.reimport_slice(customer, c, 100);
    CHECK(t.reason_of(customer, "104.20.0.0/21") == Reason::none);
    CHECK((*t.counters)[{test::ip("192.0.2.1"), 3356}] == 2);
    CHECK(tier1_asns().size() == 19);
}
