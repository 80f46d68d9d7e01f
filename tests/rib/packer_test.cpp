// UPDATE packing: what the packer writes decodes back (wire::decode) to the
// same prefixes and attributes, never exceeds the negotiated size, and
// withdrawals, IPv6 (MP_REACH / MP_UNREACH) and dumps work the same way.
#include "bgpd/wire/packer.hpp"
#include "rib_test_util.hpp"

#include <map>
#include <set>

using namespace moat;
using namespace moat::rib;
using namespace moat::rib::test;

namespace {

GroupConfig group(bool extended = false) {
    GroupConfig g;
    g.ebgp = true;
    g.local_v4 = 0xC6336401;
    g.local_v6 = test::ip("2001:db8:ffff::1");
    g.ctx.four_octet_as = true;
    g.ctx.extended_message = extended;
    return g;
}

wire::Prefix v4(uint32_t i, uint8_t len) {
    return V4Key{(0x0A000000u + (i << (32 - len))), len}.to_prefix();
}

struct Seen {
    std::map<wire::Prefix, std::string> announced;  // prefix -> AS path text
    std::set<wire::Prefix> withdrawn;
};

Seen collect(const std::vector<OutMessage>& out, const wire::SessionContext& ctx) {
    Seen s;
    for (const wire::Update& u : test::decode_all(out, ctx)) {
        for (const auto& n : u.nlri) {
            CHECK(u.attrs.next_hop == 0xC6336401u);
            s.announced[n.prefix] = u.attrs.as_path->to_string();
        }
        if (u.mp_reach) {
            CHECK(u.mp_reach->next_hop == test::ip("2001:db8:ffff::1"));
            for (const auto& n : u.mp_reach->nlri) s.announced[n.prefix] = u.attrs.as_path->to_string();
        }
        for (const auto& n : u.withdrawn) s.withdrawn.insert(n.prefix);
        if (u.mp_unreach)
            for (const auto& n : u.mp_unreach->withdrawn) s.withdrawn.insert(n.prefix);
    }
    return s;
}

}  // namespace

TEST_CASE("packer: many prefixes, few attribute sets, every message within size", "[rib][packer]") {
    for (bool extended : {false, true}) {
        INFO("extended message " << extended);
        Rib rib(config());
        PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
        GroupConfig gc = group(extended);
        GroupId g = rib.add_group(gc);
        rib.join_group(g, 1000);  // a member that is not a
        // 3000 IPv4 /24s over 3 attribute sets, 500 IPv6 /48s over 2.
        for (uint32_t set = 0; set < 3; ++set) {
            wire::Update u = announce(attrs({64500, 64600 + set}), {});
            for (uint32_t i = 0; i < 1000; ++i) u.nlri.push_back(wire::Nlri{0, v4(set * 1000 + i, 24)});
            rib.import(a, u);
        }
        for (uint32_t set = 0; set < 2; ++set) {
            wire::Update u = announce6(attrs({64500, 64700 + set}), "2001:db8::1", {});
            for (uint32_t i = 0; i < 250; ++i) {
                wire::Prefix p = pfx("2001:db8::/48");
                p.addr[4] = static_cast<uint8_t>(set);
                p.addr[5] = static_cast<uint8_t>(i);
                u.mp_reach->nlri.push_back(wire::Nlri{0, p});
            }
            rib.import(a, u);
        }
        rib.run_decision();

        std::vector<OutMessage> out;
        size_t consumed = 0, calls = 0;
        while (rib.has_pending(g)) {
            consumed += rib.pack(g, out, 700);
            ++calls;
        }
        CHECK(consumed == 3500);
        CHECK(calls == 5);  // the route budget bounds each call
        Seen s = collect(out, gc.ctx);
        REQUIRE(s.announced.size() == 3500);
        CHECK(s.announced[v4(5, 24)] == "65000 64500 64600");
        CHECK(s.announced[v4(2999, 24)] == "65000 64500 64602");
        // Grouped by attribute set: close to the minimum number of messages.
        // A /24 is 4 bytes, so one 4096-byte message carries about 1000 of them.
        size_t bound = extended ? 5 + 5 + 2 : 3 * 2 + 2 + 5 + 5;
        CHECK(out.size() <= bound);

        // Withdraw everything: packed withdrawals, then the tables empty out.
        rib.peer_down(a);
        rib.run_decision();
        out.clear();
        while (rib.has_pending(g)) rib.pack(g, out, 100000);
        Seen w = collect(out, gc.ctx);
        CHECK(w.withdrawn.size() == 3500);
        CHECK(w.announced.empty());
        CHECK(out.size() <= (extended ? 2u : 6u));
        CHECK(rib.counters().v4_prefixes == 0);
        CHECK(rib.counters().v6_prefixes == 0);
        CHECK(rib.counters().attr_sets == 0);
    }
}

TEST_CASE("packer: changes between packs are sent as their latest state", "[rib][packer]") {
    Rib rib(config());
    PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
    GroupConfig gc = group();
    GroupId g = rib.add_group(gc);
    rib.join_group(g, 1000);
    rib.import(a, announce(attrs({64500, 1}), {"10.0.0.0/8", "11.0.0.0/8"}));
    rib.run_decision();
    rib.import(a, announce(attrs({64500, 2}), {"10.0.0.0/8"}));  // replaced before packing
    rib.import(a, test::withdraw({"11.0.0.0/8"}));                // announced, then gone
    rib.run_decision();
    std::vector<OutMessage> out;
    rib.pack(g, out, 1000);
    Seen s = collect(out, gc.ctx);
    CHECK(s.announced.size() == 1);
    CHECK(s.announced[pfx("10.0.0.0/8")] == "65000 64500 2");
    CHECK(s.withdrawn == std::set<wire::Prefix>{pfx("11.0.0.0/8")});
}

TEST_CASE("packer: attributes that cannot fit are counted, not sent", "[rib][packer]") {
    wire::SessionContext ctx;
    ctx.four_octet_as = true;
    wire::UpdatePacker packer(ctx);
    wire::PathAttributes big = attrs({64500});
    for (uint32_t i = 0; i < 1100; ++i) big.communities.push_back(0xFDE80000 + i);  // 4400 bytes
    std::vector<wire::Nlri> nlri{wire::Nlri{0, pfx("10.0.0.0/8")}};
    std::vector<wire::Buffer> out;
    CHECK(packer.announce(wire::Afi::ipv4, wire::Announcement{big, {}, {}}, nlri, out) == 1);
    CHECK(out.empty());
    // IPv6 without a next hop cannot be announced either.
    const wire::PathAttributes small = attrs({64500});
    CHECK(packer.announce(wire::Afi::ipv6, wire::Announcement{small, {}, {}},
                          std::vector<wire::Nlri>{wire::Nlri{0, pfx("2001:db8::/32")}}, out) == 1);
    CHECK(out.empty());
}

TEST_CASE("packer: IPv6 with a link-local next hop and ADD-PATH encodings decode back", "[rib][packer]") {
    wire::SessionContext ctx;
    ctx.four_octet_as = true;
    ctx.add_path_tx_v6 = true;
    ctx.add_path_rx_v6 = true;  // so the decoder expects the path ids we write
    wire::UpdatePacker packer(ctx);
    wire::PathAttributes pa = attrs({64500});
    pa.next_hop.reset();
    std::vector<wire::Nlri> nlri{wire::Nlri{0, pfx("2001:db8:1::/48")}, wire::Nlri{0, pfx("2001:db8:2::/48")}};
    std::vector<wire::Buffer> out;
    CHECK(packer.announce(wire::Afi::ipv6, wire::Announcement{pa, test::ip("2001:db8::1"), test::ip("fe80::1")}, nlri,
                          out) == 0);
    packer.withdraw(wire::Afi::ipv6, nlri, out);
    REQUIRE(out.size() == 2);
    std::vector<OutMessage> msgs;
    for (auto& b : out) msgs.push_back(OutMessage{b, no_peer, no_peer});
    auto ups = test::decode_all(msgs, ctx);
    REQUIRE(ups[0].mp_reach);
    CHECK(ups[0].mp_reach->nlri == nlri);
    CHECK(ups[0].mp_reach->link_local_next_hop == test::ip("fe80::1"));
    CHECK(ups[0].attrs.as_path->to_string() == "64500");
    REQUIRE(ups[1].mp_unreach);
    CHECK(ups[1].mp_unreach->withdrawn == nlri);
}

TEST_CASE("packer: dump_slice sends the whole Adj-RIB-Out to a new member in slices", "[rib][packer]") {
    Rib rib(config());
    PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
    PeerId b = rib.add_peer(PeerInfo{test::ip("192.0.2.2"), 64501, 2, false});
    PeerId c = rib.add_peer(PeerInfo{test::ip("192.0.2.3"), 64502, 3, false});
    GroupConfig gc = group();
    GroupId g = rib.add_group(gc);
    rib.join_group(g, a);
    rib.join_group(g, b);
    wire::Update u = announce(attrs({64500}), {});
    for (uint32_t i = 0; i < 300; ++i) u.nlri.push_back(wire::Nlri{0, v4(i, 24)});
    rib.import(a, u);
    rib.import(b, announce(attrs({64501}), {"172.16.0.0/12"}));
    rib.import(b, announce6(attrs({64501}), "2001:db8::2", {"2001:db8:5::/48"}));
    rib.run_decision();
    std::vector<OutMessage> out;
    while (rib.has_pending(g)) rib.pack(g, out, 1000);

    // c joins: it gets everything, in bounded slices, addressed to it only.
    rib.join_group(g, c);
    out.clear();
    Cursor cur;
    size_t slices = 0;
    while (!cur.done) {
        rib.dump_slice(g, c, cur, 64, out);
        ++slices;
    }
    CHECK(slices >= 5);
    for (const auto& m : out) CHECK(m.only == c);
    Seen s = collect(out, gc.ctx);
    CHECK(s.announced.size() == 302);
    CHECK(s.announced[pfx("172.16.0.0/12")] == "65000 64501");

    // A dump for a skips a's own routes.
    out.clear();
    Cursor cur_a;
    while (!cur_a.done) rib.dump_slice(g, a, cur_a, 1000, out);
    Seen sa = collect(out, gc.ctx);
    CHECK(sa.announced.size() == 2);
}

TEST_CASE("packer: prefixes staged interleaved are still packed by attribute set, withdrawals first",
          "[rib][packer]") {
    Rib rib(config());
    PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
    GroupConfig gc = group();
    GroupId g = rib.add_group(gc);
    rib.join_group(g, 1000);
    // 300 /24s announced one per UPDATE, cycling over three sets, so that
    // the staging order alternates set by set.
    for (uint32_t i = 0; i < 300; ++i) {
        wire::Update u = announce(attrs({64500, 64600 + i % 3}), {});
        u.nlri.push_back(wire::Nlri{0, v4(i, 24)});
        rib.import(a, u);
    }
    rib.run_decision();
    std::vector<OutMessage> out;
    while (rib.has_pending(g)) rib.pack(g, out, 100000);
    CHECK(out.size() == 3);  // one UPDATE per set
    Seen s = collect(out, gc.ctx);
    CHECK(s.announced.size() == 300);

    // Then every third prefix is withdrawn and every third moves to another
    // set, interleaved: one withdrawal UPDATE, sent first, and one per set.
    for (uint32_t i = 0; i < 300; ++i) {
        if (i % 3 == 0) {
            wire::Update w;
            w.withdrawn.push_back(wire::Nlri{0, v4(i, 24)});
            rib.import(a, w);
        } else if (i % 3 == 1) {
            wire::Update u = announce(attrs({64500, 64700}), {});
            u.nlri.push_back(wire::Nlri{0, v4(i, 24)});
            rib.import(a, u);
        }
    }
    rib.run_decision();
    out.clear();
    while (rib.has_pending(g)) rib.pack(g, out, 100000);
    REQUIRE(out.size() == 2);
    Seen first = collect({out[0]}, gc.ctx);
    CHECK(first.withdrawn.size() == 100);
    CHECK(first.announced.empty());
    Seen second = collect({out[1]}, gc.ctx);
    CHECK(second.announced.size() == 100);
    CHECK(second.announced[v4(1, 24)] == "65000 64500 64700");
}

TEST_CASE("packer: a route whose attributes do not fit replaces the old one by a withdrawal", "[rib][packer]") {
    // The member was sent a small route for the prefix; the new best does not
    // fit a 4096-octet message: the member must not keep the old one.
    Rib rib(config());
    PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
    GroupConfig gc = group();
    GroupId g = rib.add_group(gc);
    rib.join_group(g, 1000);
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/8", "11.0.0.0/8"}));
    rib.run_decision();
    std::vector<OutMessage> out;
    rib.pack(g, out, 1000);
    CHECK(collect(out, gc.ctx).announced.size() == 2);
    CHECK(rib.advertised(g, 1000, wire::Afi::ipv4) == 2);

    wire::PathAttributes big = attrs({64500});
    for (uint32_t i = 0; i < 1100; ++i) big.communities.push_back(0xFDE80000 + i);  // 4400 octets
    rib.import(a, announce(big, {"10.0.0.0/8"}));
    rib.run_decision();
    out.clear();
    rib.pack(g, out, 1000);
    Seen s = collect(out, gc.ctx);
    CHECK(s.announced.empty());
    CHECK(s.withdrawn == std::set<wire::Prefix>{pfx("10.0.0.0/8")});
    CHECK(rib.unsendable(g) == 1);
    CHECK(rib.counters().unsendable == 1);
    // The Adj-RIB-Out says what the member has: one route, and a dump agrees.
    CHECK(rib.advertised(g, 1000, wire::Afi::ipv4) == 1);
    out.clear();
    Cursor c;
    while (!c.done) rib.dump_slice(g, 2000, c, 1000, out);
    s = collect(out, gc.ctx);
    CHECK(s.announced.size() == 1);
    CHECK(s.announced.count(pfx("11.0.0.0/8")) == 1);

    // A best that fits again is sent.
    rib.import(a, announce(attrs({64500, 7}), {"10.0.0.0/8"}));
    rib.run_decision();
    out.clear();
    rib.pack(g, out, 1000);
    CHECK(collect(out, gc.ctx).announced.count(pfx("10.0.0.0/8")) == 1);
    CHECK(rib.advertised(g, 1000, wire::Afi::ipv4) == 2);
}

TEST_CASE("update groups: a removed group gives back its sets and destinations, its slot is reused",
          "[rib][packer]") {
    Rib rib(config());
    PeerId a = rib.add_peer(PeerInfo{test::ip("192.0.2.1"), 64500, 1, false});
    rib.import(a, announce(attrs({64500}), {"10.0.0.0/8", "11.0.0.0/8"}));
    rib.run_decision();
    const size_t sets = rib.counters().attr_sets;
    GroupConfig gc = group();
    GroupId g = rib.add_group(gc);
    rib.join_group(g, 1000);
    // The neighbor withdraws while the group still holds the routes staged:
    // the destinations stay for the group only.
    rib.import(a, test::withdraw({"10.0.0.0/8", "11.0.0.0/8"}));
    rib.run_decision();
    CHECK(rib.counters().v4_prefixes == 2);
    rib.leave_group(g, 1000);
    rib.remove_group(g);
    CHECK(rib.counters().v4_prefixes == 0);
    CHECK(rib.counters().attr_sets < sets);
    CHECK(!rib.has_pending(g));
    GroupId again = rib.add_group(gc);
    CHECK(again == g);
}
