// Builders shared by the RIB tests.
#pragma once

#include "bgpd/wire/codec.hpp"
#include "rib/rib.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

namespace moat::rib::test {

// The local speaker of the RIB tests: AS 65000, router ID 10.0.0.1.
inline RibConfig config() {
    RibConfig c;
    c.local_as = 65000;
    c.router_id = 0x0A000001;
    return c;
}

inline wire::Prefix pfx(const char* text) {
    auto p = wire::Prefix::parse(text);
    REQUIRE(p.has_value());
    return *p;
}

inline wire::IpAddress ip(const char* text) {
    auto a = wire::IpAddress::parse(text);
    REQUIRE(a.has_value());
    return *a;
}

inline wire::AsPath path(std::initializer_list<uint32_t> asns) {
    wire::AsPath p;
    if (asns.size() > 0) p.segments.push_back(wire::AsSegment{wire::SegmentType::as_sequence, asns});
    return p;
}

inline wire::PathAttributes attrs(std::initializer_list<uint32_t> asns, uint32_t next_hop = 0xC0000201) {
    wire::PathAttributes a;
    a.origin = wire::Origin::igp;
    a.as_path = path(asns);
    a.next_hop = next_hop;
    return a;
}

inline wire::Update announce(const wire::PathAttributes& a, std::initializer_list<const char*> prefixes) {
    wire::Update u;
    u.attrs = a;
    for (const char* p : prefixes) u.nlri.push_back(wire::Nlri{0, pfx(p)});
    return u;
}

inline wire::Update announce6(const wire::PathAttributes& a, const char* next_hop,
                              std::initializer_list<const char*> prefixes) {
    wire::Update u;
    u.attrs = a;
    u.attrs.next_hop.reset();
    wire::MpReach mp;
    mp.afi_safi = wire::AfiSafi{wire::Afi::ipv6, wire::Safi::unicast};
    mp.next_hop = ip(next_hop);
    for (const char* p : prefixes) mp.nlri.push_back(wire::Nlri{0, pfx(p)});
    u.mp_reach = mp;
    return u;
}

inline wire::Update withdraw(std::initializer_list<const char*> prefixes) {
    wire::Update u;
    for (const char* p : prefixes) {
        wire::Prefix x = pfx(p);
        if (x.v6) {
            if (!u.mp_unreach) u.mp_unreach = wire::MpUnreach{wire::AfiSafi{wire::Afi::ipv6, wire::Safi::unicast}, {}};
            u.mp_unreach->withdrawn.push_back(wire::Nlri{0, x});
        } else {
            u.withdrawn.push_back(wire::Nlri{0, x});
        }
    }
    return u;
}

inline std::vector<BestChange> decide(Rib& rib) {
    std::vector<BestChange> changes;
    size_t n = rib.run_decision(&changes);
    CHECK(n == changes.size());
    return changes;
}

// Decodes every message; fails the test on a decode error.
inline std::vector<wire::Update> decode_all(const std::vector<OutMessage>& msgs, const wire::SessionContext& ctx) {
    std::vector<wire::Update> out;
    for (const OutMessage& m : msgs) {
        REQUIRE(m.bytes.size() <= ctx.max_size());
        auto r = wire::decode(wire::Bytes(m.bytes.data(), m.bytes.size()), ctx);
        REQUIRE(wire::ok(r));
        const auto& msg = std::get<wire::Message>(r);
        REQUIRE(std::holds_alternative<wire::Update>(msg));
        out.push_back(std::get<wire::Update>(msg));
    }
    return out;
}

}  // namespace moat::rib::test
