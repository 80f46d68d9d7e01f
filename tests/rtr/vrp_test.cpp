// RFC 6811 validation table, index queries, diffs, and a cross-check of the
// index against rtrlib's own pfx_table on random VRP sets.
#include "rtr/vrp.hpp"

#include <catch2/catch.hpp>
#include <rtrlib/rtrlib.h>

#include <cstring>
#include <iterator>
#include <random>
#include <set>

using namespace moat;
using namespace moat::rtr;

namespace {

wire::Prefix P(const char* text) {
    auto p = wire::Prefix::parse(text);
    REQUIRE(p);
    return *p;
}

Vrp V(const char* prefix, int max_length, uint32_t asn) { return Vrp{P(prefix), static_cast<uint8_t>(max_length), asn}; }

VrpIndex table() {
    return VrpIndex({
        V("104.20.0.0/20", 20, 13335),
        V("192.0.2.0/24", 26, 64500),
        V("198.51.100.0/24", 24, 0),  // AS0: nobody may originate it
        V("10.0.0.0/8", 8, 64501),
        V("10.1.0.0/16", 24, 64502),
        V("2001:db8::/32", 48, 64500),
        V("2001:db8:ff00::/40", 40, 0),
    });
}

}  // namespace

TEST_CASE("RFC 6811 validation table") {
    VrpIndex idx = table();
    struct Row {
        const char* prefix;
        uint32_t origin;
        Validity expect;
    };
    const Row rows[] = {
        {"104.20.0.0/20", 13335, Validity::valid},
        {"104.20.0.0/21", 13335, Validity::invalid},   // longer than maxLength 20
        {"104.20.8.0/24", 13335, Validity::invalid},   // more specific, maxLength
        {"104.20.0.0/20", 13336, Validity::invalid},   // wrong origin
        {"104.16.0.0/12", 13335, Validity::not_found}, // less specific than the ROA
        {"203.0.113.0/24", 64500, Validity::not_found},
        {"192.0.2.0/24", 64500, Validity::valid},
        {"192.0.2.128/26", 64500, Validity::valid},
        {"192.0.2.128/27", 64500, Validity::invalid},
        {"198.51.100.0/24", 64500, Validity::invalid}, // AS0 ROA covers
        {"198.51.100.0/24", 0, Validity::invalid},     // AS0 never matches, not even origin 0
        {"10.0.0.0/8", 64501, Validity::valid},
        {"10.2.0.0/16", 64501, Validity::invalid},     // 10/8 maxLength 8
        {"10.1.2.0/24", 64502, Validity::valid},       // nested ROA
        {"10.1.2.0/24", 64501, Validity::invalid},
        {"10.1.2.0/25", 64502, Validity::invalid},
        {"11.0.0.0/8", 64501, Validity::not_found},
        {"0.0.0.0/0", 64501, Validity::not_found},
        {"2001:db8:1::/48", 64500, Validity::valid},
        {"2001:db8:1::/49", 64500, Validity::invalid},
        {"2001:db8:ff00::/40", 64500, Validity::valid}, // also covered by the /32 that matches
        {"2001:db8:ff00::/44", 64500, Validity::valid},
        {"2001:db8:ff00::/49", 64500, Validity::invalid},
        {"2001:db9::/32", 64500, Validity::not_found},
        {"::/0", 64500, Validity::not_found},
    };
    for (const auto& r : rows) {
        INFO(r.prefix << " from AS" << r.origin);
        CHECK(idx.validate(P(r.prefix), r.origin) == r.expect);
        CHECK(idx.explain(P(r.prefix), r.origin).state == r.expect);
    }
    CHECK(idx.size() == 7);
    CHECK(idx.size(wire::Afi::ipv4) == 5);
    CHECK(idx.size(wire::Afi::ipv6) == 2);
}

TEST_CASE("Origin 0 never validates and an empty index says not-found") {
    VrpIndex empty;
    CHECK(empty.validate(P("192.0.2.0/24"), 64500) == Validity::not_found);
    CHECK(empty.size() == 0);
    VrpIndex idx({V("192.0.2.0/24", 24, 64500)});
    CHECK(idx.validate(P("192.0.2.0/24"), 0) == Validity::invalid);
}

TEST_CASE("explain lists the covering VRPs, least specific first") {
    VrpIndex idx = table();
    auto e = idx.explain(P("10.1.2.0/24"), 64501);
    CHECK(e.state == Validity::invalid);
    REQUIRE(e.covering.size() == 2);
    CHECK(e.covering[0] == V("10.0.0.0/8", 8, 64501));
    CHECK(e.covering[1] == V("10.1.0.0/16", 24, 64502));
    CHECK(idx.explain(P("203.0.113.0/24"), 1).covering.empty());
    CHECK(V("104.20.0.0/20", 24, 13335).to_string() == "104.20.0.0/20-24 AS13335");
}

TEST_CASE("within, covered, contains, covers") {
    VrpIndex idx = table();
    auto w = idx.within(P("10.0.0.0/8"));
    REQUIRE(w.size() == 2);
    CHECK(w[0].prefix == P("10.0.0.0/8"));
    CHECK(w[1].prefix == P("10.1.0.0/16"));
    CHECK(idx.within(P("10.1.0.0/16")).size() == 1);
    CHECK(idx.within(P("0.0.0.0/0")).size() == 5);
    CHECK(idx.within(P("::/0")).size() == 2);
    CHECK(idx.within(P("10.1.2.0/24")).empty());
    CHECK(idx.within(P("192.0.2.0/32")).empty());
    CHECK(idx.covered(P("10.200.0.0/16")));
    CHECK_FALSE(idx.covered(P("11.0.0.0/16")));
    CHECK(idx.contains(V("10.1.0.0/16", 24, 64502)));
    CHECK_FALSE(idx.contains(V("10.1.0.0/16", 23, 64502)));
    CHECK(covers(P("10.0.0.0/8"), P("10.1.0.0/16")));
    CHECK(covers(P("10.0.0.0/8"), P("10.0.0.0/8")));
    CHECK_FALSE(covers(P("10.1.0.0/16"), P("10.0.0.0/8")));
    CHECK_FALSE(covers(P("0.0.0.0/0"), P("::/0")));
    CHECK(covers(P("::/0"), P("2001:db8::/32")));
}

TEST_CASE("Malformed VRPs and duplicates are dropped") {
    VrpIndex idx({V("192.0.2.0/24", 23, 1), V("192.0.2.0/24", 33, 1), V("192.0.2.0/24", 24, 1),
                  V("192.0.2.0/24", 24, 1)});
    CHECK(idx.size() == 1);
}

TEST_CASE("diff between snapshots and the routes a delta affects") {
    VrpIndex a({V("10.0.0.0/8", 8, 1), V("192.0.2.0/24", 24, 2), V("2001:db8::/32", 32, 3)});
    VrpIndex b({V("10.0.0.0/8", 8, 1), V("192.0.2.0/24", 25, 2), V("2001:db8::/32", 32, 3), V("2001:db8::/32", 32, 4)});
    VrpDiff d = diff(a, b);
    REQUIRE(d.added.size() == 2);
    REQUIRE(d.removed.size() == 1);
    CHECK(d.removed[0] == V("192.0.2.0/24", 24, 2));
    CHECK(d.added[0] == V("192.0.2.0/24", 25, 2));
    CHECK(d.added[1] == V("2001:db8::/32", 32, 4));
    CHECK(diff(a, a).empty());

    VrpDelta delta{d, true, false};
    PrefixCover cover = delta.affected();
    CHECK(cover.size() == 2);  // 192.0.2.0/24 once, 2001:db8::/32
    CHECK(cover.covers(P("192.0.2.0/24")));
    CHECK(cover.covers(P("192.0.2.128/25")));  // more specifics included
    CHECK(cover.covers(P("2001:db8:1::/48")));
    CHECK_FALSE(cover.covers(P("192.0.0.0/16")));  // less specific: not covered
    CHECK_FALSE(cover.covers(P("10.1.0.0/16")));
}

namespace {

lrtr_ip_addr to_lrtr(const wire::Prefix& p) {
    lrtr_ip_addr a{};
    if (!p.v6) {
        a.ver = LRTR_IPV4;
        a.u.addr4.addr = (uint32_t{p.addr[0]} << 24) | (uint32_t{p.addr[1]} << 16) | (uint32_t{p.addr[2]} << 8) | p.addr[3];
    } else {
        a.ver = LRTR_IPV6;
        for (size_t w = 0; w < 4; ++w)
            a.u.addr6.addr[w] = (uint32_t{p.addr[w * 4]} << 24) | (uint32_t{p.addr[w * 4 + 1]} << 16) |
                                (uint32_t{p.addr[w * 4 + 2]} << 8) | p.addr[w * 4 + 3];
    }
    return a;
}

Validity from_rtrlib(pfxv_state s) {
    switch (s) {
        case BGP_PFXV_STATE_VALID: return Validity::valid;
        case BGP_PFXV_STATE_INVALID: return Validity::invalid;
        default: return Validity::not_found;
    }
}

wire::Prefix random_prefix(std::mt19937& rng, bool v6, unsigned min_len, unsigned max_len) {
    std::uniform_int_distribution<unsigned> len(min_len, max_len);
    wire::IpAddress a;
    a.v6 = v6;
    // A small address space so that prefixes nest and collide often.
    a.bytes[0] = v6 ? 0x20 : 10;
    a.bytes[1] = static_cast<uint8_t>(rng() % 4);
    a.bytes[2] = static_cast<uint8_t>(rng() % 8);
    a.bytes[3] = static_cast<uint8_t>(rng() & 0xf0);
    return wire::Prefix::make(a, static_cast<uint8_t>(len(rng)));
}

}  // namespace

TEST_CASE("The index agrees with rtrlib's pfx_table on random VRP sets") {
    std::mt19937 rng(6811);
    for (bool v6 : {false, true}) {
        unsigned width = v6 ? 128 : 32;
        std::vector<Vrp> vrps;
        pfx_table table;
        pfx_table_init(&table, nullptr);
        for (int i = 0; i < 3000; ++i) {
            wire::Prefix p = random_prefix(rng, v6, 8, v6 ? 40 : 28);
            auto max_len = static_cast<uint8_t>(p.len + rng() % 5);
            if (max_len > width) max_len = static_cast<uint8_t>(width);
            uint32_t asn = rng() % 6;  // includes AS0
            vrps.push_back(Vrp{p, max_len, asn});
            pfx_record r{};
            r.asn = asn;
            r.prefix = to_lrtr(p);
            r.min_len = p.len;
            r.max_len = max_len;
            r.socket = nullptr;
            pfx_table_add(&table, &r);
        }
        VrpIndex idx(vrps);
        size_t counts[3] = {0, 0, 0};
        for (int i = 0; i < 20000; ++i) {
            wire::Prefix q = random_prefix(rng, v6, 6, v6 ? 48 : 32);
            uint32_t origin = rng() % 6;
            lrtr_ip_addr a = to_lrtr(q);
            pfxv_state st{};
            REQUIRE(pfx_table_validate(&table, origin, &a, q.len, &st) == PFX_SUCCESS);
            Validity mine = idx.validate(q, origin);
            // rtrlib treats an AS0 VRP like any other ASN; RFC 6483/7607 say it never matches.
            if (origin == 0 && from_rtrlib(st) == Validity::valid) {
                CHECK(mine == Validity::invalid);
                continue;
            }
            INFO(q.to_string() << " AS" << origin);
            REQUIRE(mine == from_rtrlib(st));
            ++counts[static_cast<int>(mine)];
        }
        pfx_table_free(&table);
        // The random set exercised all three outcomes.
        CHECK(counts[0] > 100);
        CHECK(counts[1] > 100);
        CHECK(counts[2] > 100);
    }
}

TEST_CASE("apply() keeps each VRP while any source holds it, and its diff is exact (model check)") {
    std::mt19937 rng(8210);
    // The model: per source, a set of VRPs.
    std::vector<std::set<Vrp>> held(4);
    VrpIndex idx;
    for (int round = 0; round < 60; ++round) {
        std::vector<VrpChange> changes;
        const int n = 1 + static_cast<int>(rng() % 200);
        for (int i = 0; i < n; ++i) {
            const bool v6 = rng() % 4 == 0;
            wire::Prefix p = random_prefix(rng, v6, 8, v6 ? 40 : 28);
            Vrp v{p, static_cast<uint8_t>(p.len + rng() % 3), static_cast<uint32_t>(rng() % 4)};
            if (!v.well_formed()) continue;
            const auto s = static_cast<uint8_t>(rng() % 4);
            // Withdraw mostly what the source holds, sometimes what it does not.
            bool add = rng() % 3 != 0;
            if (!add && !held[s].empty() && rng() % 4 != 0) {
                auto it = held[s].begin();
                std::advance(it, static_cast<long>(rng() % held[s].size()));
                v = *it;
            }
            changes.push_back(VrpChange{v, s, add});
        }
        std::set<Vrp> before;
        for (const auto& h : held) before.insert(h.begin(), h.end());
        for (const auto& c : changes) {
            if (c.add)
                held[c.source].insert(c.vrp);
            else
                held[c.source].erase(c.vrp);
        }
        std::set<Vrp> after;
        for (const auto& h : held) after.insert(h.begin(), h.end());

        VrpDiff d;
        idx = idx.apply(changes, &d);
        REQUIRE(idx.size() == after.size());
        std::set<Vrp> added(d.added.begin(), d.added.end()), removed(d.removed.begin(), d.removed.end());
        std::set<Vrp> want_added, want_removed;
        std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                            std::inserter(want_added, want_added.end()));
        std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                            std::inserter(want_removed, want_removed.end()));
        REQUIRE(added == want_added);
        REQUIRE(removed == want_removed);
        for (uint8_t s = 0; s < 4; ++s) {
            size_t v4 = 0;
            for (const auto& v : held[s]) v4 += !v.prefix.v6;
            REQUIRE(idx.size(wire::Afi::ipv4, s) == v4);
            REQUIRE(idx.size(wire::Afi::ipv6, s) == held[s].size() - v4);
        }
        // The same set built from scratch answers every lookup the same.
        VrpIndex fresh(std::vector<Vrp>(after.begin(), after.end()));
        REQUIRE(diff(fresh, idx).empty());
        for (int q = 0; q < 200; ++q) {
            const bool v6 = rng() % 4 == 0;
            wire::Prefix p = random_prefix(rng, v6, 6, v6 ? 48 : 32);
            const uint32_t origin = rng() % 4;
            REQUIRE(idx.validate(p, origin) == fresh.validate(p, origin));
        }
    }
    // replace(): the changes that make one source's set the given one.
    auto changes = idx.replace(2, {});
    idx = idx.apply(changes);
    CHECK(idx.size(wire::Afi::ipv4, 2) == 0);
    CHECK(idx.size(wire::Afi::ipv6, 2) == 0);
    std::vector<Vrp> mine(held[1].begin(), held[1].end());
    mine.push_back(Vrp{P("203.0.113.0/24"), 24, 64511});
    idx = idx.apply(idx.replace(1, mine));
    CHECK(idx.size(wire::Afi::ipv4, 1) + idx.size(wire::Afi::ipv6, 1) == mine.size());
    CHECK(idx.contains(Vrp{P("203.0.113.0/24"), 24, 64511}));
}

TEST_CASE("A VRP held by two sources stays when one withdraws it") {
    const Vrp v{P("192.0.2.0/24"), 24, 64500};
    VrpDiff d;
    VrpIndex idx = VrpIndex().apply({{v, 0, true}, {v, 1, true}}, &d);
    CHECK(d.added.size() == 1);
    idx = idx.apply({{v, 0, false}}, &d);
    CHECK(idx.contains(v));
    idx = idx.apply({{v, 1, true}, {v, 1, false}}, &d);  // the last change wins
    CHECK_FALSE(idx.contains(v));
    REQUIRE(d.removed.size() == 1);
    CHECK(d.removed[0] == v);
    CHECK(idx.memory_bytes() > 0);
}
