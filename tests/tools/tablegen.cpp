// Synthetic full table: prefixes, attribute sets and their UPDATE encoding.
//
// Figures behind the distributions (public table statistics, 2024-2025):
// IPv4 ~1M prefixes, /24 ~60%, /22-/23 ~21%, /16-/21 ~15%, the rest rare;
// IPv6 ~220k prefixes, /48 ~45%, /32 ~15%, /29-/47 most of the rest; mean
// AS path length ~4.5 seen from a transit feed, prepending on ~15% of the
// paths; ~35% of origins 4-octet; one distinct attribute set per 3-5 prefixes.
#include "tests/tools/tablegen.hpp"

#include <cstdlib>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <unordered_set>
#include <utility>

namespace moat::bench {
namespace {

using wire::Buffer;
using wire::Prefix;

// splitmix64: small, fast, and the same sequence on every platform.
class Rng {
public:
    explicit Rng(uint64_t seed) : s_(seed) {}
    uint64_t next() {
        uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return unit() < p; }
    uint32_t range(uint32_t lo, uint32_t hi) { return lo + static_cast<uint32_t>(below(uint64_t{hi} - lo + 1)); }

private:
    uint64_t s_;
};

uint64_t mix(uint64_t a, uint64_t b) {
    Rng r(a ^ (b * 0xd6e8feb86659fd93ULL) ^ 0x5851f42d4c957f2dULL);
    r.next();
    return r.next();
}

struct Weighted {
    uint32_t value;
    uint32_t weight;
};

template <size_t N>
uint32_t pick(Rng& rng, const std::array<Weighted, N>& table) {
    uint64_t total = 0;
    for (const auto& w : table) total += w.weight;
    uint64_t x = rng.below(total);
    for (const auto& w : table) {
        if (x < w.weight) return w.value;
        x -= w.weight;
    }
    return table.back().value;
}

// Prefix lengths, weights per 100k prefixes.
constexpr std::array<Weighted, 25> v4_lengths{{
    {8, 2},     {9, 2},     {10, 5},    {11, 10},   {12, 30},   {13, 60},   {14, 110},
    {15, 180},  {16, 1350}, {17, 700},  {18, 1150}, {19, 2700}, {20, 3900}, {21, 4400},
    {22, 11500}, {23, 9800}, {24, 59900}, {25, 40}, {26, 40},   {27, 30},   {28, 30},
    {29, 20},   {30, 15},   {31, 5},    {32, 20},
}};

constexpr std::array<Weighted, 41> v6_lengths{{
    {19, 2},   {20, 8},    {21, 5},   {22, 6},   {23, 6},   {24, 10},  {25, 5},   {26, 5},
    {27, 6},   {28, 40},   {29, 250}, {30, 60},  {31, 50},  {32, 1500}, {33, 120}, {34, 130},
    {35, 70},  {36, 300},  {37, 80},  {38, 120}, {39, 60},  {40, 650}, {41, 80},  {42, 230},
    {43, 60},  {44, 750},  {45, 160}, {46, 320}, {47, 180}, {48, 4500}, {49, 10}, {50, 10},
    {51, 5},   {52, 15},   {54, 5},   {56, 25},  {57, 2},   {58, 5},   {60, 10},  {62, 3},
    {64, 30},
}};

// Where IPv6 unicast space is allocated: the top 12 bits of each block.
constexpr std::array<Weighted, 7> v6_blocks{{
    {0x200, 15}, {0x240, 20}, {0x260, 15}, {0x280, 12}, {0x2a0, 30}, {0x2a1, 5}, {0x2c0, 3},
}};

// Unique ASes on a path as seen from a transit feed (the feeder's AS included).
constexpr std::array<Weighted, 8> path_lengths{{
    {1, 10}, {2, 70}, {3, 250}, {4, 300}, {5, 200}, {6, 100}, {7, 40}, {8, 30},
}};

// Large transit networks: the first hop after the feeder.
constexpr std::array<uint32_t, 24> transit_asns{
    174,  701,  1239, 1273, 1299, 2828, 2914, 3257, 3320, 3356, 3491, 4637,
    5511, 6453, 6461, 6762, 6830, 6939, 7018, 7473, 9002, 12956, 31133, 58453,
};

constexpr std::array<uint32_t, 20> community_tags{
    100, 110, 120, 200, 210, 300, 400, 500, 666, 1000, 1001, 2000, 2010, 3000, 3100, 5000, 9999, 10000,
    20000, 65000,
};

struct Range4 {
    uint32_t net;
    uint8_t len;
};

// Space a feed must not carry: private, special-purpose, and the ranges the
// benchmark uses for next hops (198.18.0.0/15).
constexpr std::array<Range4, 10> v4_excluded{{
    {0x00000000, 8},   // 0/8
    {0x0a000000, 8},   // 10/8
    {0x64400000, 10},  // 100.64/10
    {0x7f000000, 8},   // 127/8
    {0xa9fe0000, 16},  // 169.254/16
    {0xac100000, 12},  // 172.16/12
    {0xc0000000, 24},  // 192.0.0/24
    {0xc0000200, 24},  // 192.0.2/24
    {0xc0a80000, 16},  // 192.168/16
    {0xc6120000, 15},  // 198.18/15
}};

uint32_t mask4(uint8_t len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

bool v4_allowed(uint32_t addr, uint8_t len) {
    if ((addr >> 24) >= 224) return false;
    for (const auto& r : v4_excluded) {
        uint32_t m = mask4(std::min(len, r.len));
        if ((addr & m) == (r.net & m)) return false;
    }
    return true;
}

Prefix make_v4(uint32_t addr, uint8_t len) {
    Prefix p;
    addr &= mask4(len);
    p.addr[0] = static_cast<uint8_t>(addr >> 24);
    p.addr[1] = static_cast<uint8_t>(addr >> 16);
    p.addr[2] = static_cast<uint8_t>(addr >> 8);
    p.addr[3] = static_cast<uint8_t>(addr);
    p.len = len;
    return p;
}

Prefix make_v6(uint64_t hi, uint8_t len) {
    Prefix p;
    p.v6 = true;
    p.len = len;
    if (len < 64) hi &= ~uint64_t{0} << (64 - len);
    for (int i = 0; i < 8; ++i) p.addr[static_cast<size_t>(i)] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    return p;
}

// One stream of unique prefixes per (seed, family); a slice of it per feeder.
std::vector<Prefix> prefix_slice(uint64_t seed, bool v6, size_t count, size_t slice) {
    Rng rng(mix(seed, v6 ? 0x6666 : 0x4444));
    size_t want = count * (slice + 1);
    std::unordered_set<uint64_t> seen;
    seen.reserve(want * 2);
    std::vector<Prefix> out;
    out.reserve(count);
    size_t made = 0;
    while (made < want) {
        Prefix p;
        uint64_t key;
        if (!v6) {
            auto len = static_cast<uint8_t>(pick(rng, v4_lengths));
            auto addr = static_cast<uint32_t>(rng.next());
            if (!v4_allowed(addr, len)) continue;
            addr &= mask4(len);
            key = (uint64_t{addr} << 8) | len;
            if (!seen.insert(key).second) continue;
            p = make_v4(addr, len);
        } else {
            auto len = static_cast<uint8_t>(pick(rng, v6_lengths));
            uint64_t block = pick(rng, v6_blocks);
            uint64_t hi = rng.next();
            if (block == 0x200) {
                // 2001::/16 outside 2001:0::/23 (special purpose) and 2001:db8::/32.
                auto second = static_cast<uint16_t>(rng.range(0x0200, 0xffff));
                if (second == 0x0db8) continue;
                hi = (uint64_t{0x2001} << 48) | (uint64_t{second} << 32) | (hi & 0xffffffffULL);
            } else {
                hi = (block << 52) | (hi & ((uint64_t{1} << 52) - 1));
            }
            p = make_v6(hi, len);
            uint64_t masked = 0;
            for (size_t i = 0; i < 8; ++i) masked = (masked << 8) | p.addr[i];
            key = mix(masked, len);
            if (!seen.insert(key).second) continue;
        }
        if (made >= want - count) out.push_back(p);
        ++made;
    }
    return out;
}

uint32_t origin_asn(Rng& rng) {
    if (rng.chance(0.35)) return rng.range(131072, 401999);  // 4-octet
    for (;;) {
        uint32_t a = rng.range(1000, 63999);
        if (a != wire::as_trans) return a;
    }
}

uint32_t regional_asn(Rng& rng) {
    if (rng.chance(0.2)) return rng.range(131072, 270000);
    for (;;) {
        uint32_t a = rng.range(1000, 49999);
        if (a != wire::as_trans) return a;
    }
}

// The attribute set of group g. The origin, its upstream, prepending and
// the tags the origin sets come from the group alone (the same on every
// feeder); the feeder's transit hops and their number come from feeder_id.
wire::PathAttributes make_attrs(const TableParams& p, uint64_t group_seed, bool v6) {
    Rng base(group_seed);
    Rng mine(mix(group_seed, uint64_t{p.feeder_id} + 1));
    wire::PathAttributes a;
    a.origin = base.chance(0.9) ? wire::Origin::igp : wire::Origin::incomplete;

    uint32_t origin = origin_asn(base);
    uint32_t upstream = regional_asn(base);
    uint32_t unique = pick(base, path_lengths);
    // Each feeder reaches the origin over a path one hop shorter, as long, or one longer.
    static constexpr std::array<int, 4> deltas{-1, 0, 0, 1};
    int len = static_cast<int>(unique) + deltas[mine.below(deltas.size())];
    if (unique > 1) len = std::max(len, 2);
    else len = 1;
    uint32_t prepend = base.chance(0.15) ? base.range(1, 3) : 0;

    wire::AsSegment seg;
    seg.asns.push_back(p.local_as);
    if (len >= 2) {
        int transit = len - 2;
        for (int i = 0; i < transit; ++i) {
            if (i == transit - 1) seg.asns.push_back(upstream);
            else if (i == 0) seg.asns.push_back(transit_asns[mine.below(transit_asns.size())]);
            else seg.asns.push_back(regional_asn(mine));
        }
        seg.asns.push_back(origin);
    }
    uint32_t last = seg.asns.back();
    for (uint32_t i = 0; i < prepend; ++i) seg.asns.push_back(last);
    a.as_path = wire::AsPath{{std::move(seg)}};

    if (!v6) a.next_hop = p.next_hop_v4;
    if (base.chance(0.15)) a.med = base.range(0, 1000);
    if (base.chance(0.03)) a.atomic_aggregate = true;
    if (base.chance(0.05)) a.aggregator = wire::Aggregator{origin, base.range(0x01000000, 0xdfffffff)};

    if (mine.chance(0.55)) {
        uint32_t tagger = a.as_path->segments[0].asns.size() > 1 ? a.as_path->segments[0].asns[1] : 65000;
        if (tagger > 0xffff) tagger = 65000;
        uint32_t n = 1 + static_cast<uint32_t>(std::floor(-std::log(1.0 - mine.unit()) * 2.0));
        n = std::min<uint32_t>(n, 12);
        for (uint32_t i = 0; i < n; ++i)
            a.communities.push_back((tagger << 16) | community_tags[mine.below(community_tags.size())]);
        std::sort(a.communities.begin(), a.communities.end());
        a.communities.erase(std::unique(a.communities.begin(), a.communities.end()), a.communities.end());
    }
    if (mine.chance(0.12)) {
        uint32_t n = mine.range(1, 3);
        for (uint32_t i = 0; i < n; ++i)
            a.large_communities.push_back({p.local_as, mine.range(1, 10), mine.range(1, 999)});
    }
    return a;
}

// Splits prefixes into attribute-set groups: Pareto-sized (alpha 1.3, mean
// ~4), so most sets carry a few prefixes and a few carry thousands.
std::vector<RouteGroup> make_groups(const TableParams& p, std::vector<Prefix> prefixes, bool v6) {
    size_t structure = p.overlap ? 0 : p.feeder_id;
    uint64_t gseed = mix(mix(p.seed, v6 ? 0x66 : 0x44), structure);
    Rng sizes(mix(gseed, 0x5151));
    std::vector<RouteGroup> out;
    size_t at = 0;
    for (uint64_t g = 0; at < prefixes.size(); ++g) {
        double u = 1.0 - sizes.unit();  // (0, 1]
        auto n = static_cast<size_t>(std::min(3000.0, std::floor(std::pow(u, -1.0 / 1.3))));
        n = std::clamp<size_t>(n, 1, prefixes.size() - at);
        RouteGroup grp;
        grp.attrs = make_attrs(p, mix(gseed, g), v6);
        grp.prefixes.assign(prefixes.begin() + static_cast<std::ptrdiff_t>(at),
                            prefixes.begin() + static_cast<std::ptrdiff_t>(at + n));
        at += n;
        out.push_back(std::move(grp));
    }
    return out;
}

// --- encoding -------------------------------------------------------------

constexpr size_t max_msg = wire::max_message_size;

size_t begin_update(Buffer& out) {
    size_t at = out.size();
    out.resize(at + wire::header_size, 0xff);
    out[at + 16] = 0;
    out[at + 17] = 0;
    out[at + 18] = static_cast<uint8_t>(wire::MessageType::update);
    return at;
}

void put_u16_at(Buffer& out, size_t at, size_t v) {
    out[at] = static_cast<uint8_t>(v >> 8);
    out[at + 1] = static_cast<uint8_t>(v);
}

void put_u16(Buffer& out, size_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

size_t nlri_size(const Prefix& p) { return 1 + (p.len + 7u) / 8; }

void put_nlri(Buffer& out, const Prefix& p) { wire::encode_nlri(wire::Nlri{0, p}, false, out); }

// How many prefixes from `from` fit into `budget` bytes of NLRI.
size_t fit(const std::vector<Prefix>& v, size_t from, size_t budget) {
    size_t n = 0, used = 0;
    while (from + n < v.size() && used + nlri_size(v[from + n]) <= budget) used += nlri_size(v[from + n++]);
    return n;
}

void announce_v4(const RouteGroup& g, const Buffer& attrs, Stream& s) {
    size_t budget = max_msg - wire::header_size - 4 - attrs.size();
    for (size_t i = 0; i < g.prefixes.size();) {
        size_t n = fit(g.prefixes, i, budget);
        size_t at = begin_update(s.bytes);
        put_u16(s.bytes, 0);
        put_u16(s.bytes, attrs.size());
        s.bytes.insert(s.bytes.end(), attrs.begin(), attrs.end());
        for (size_t k = 0; k < n; ++k) put_nlri(s.bytes, g.prefixes[i + k]);
        put_u16_at(s.bytes, at + 16, s.bytes.size() - at);
        ++s.messages;
        i += n;
    }
}

void announce_v6(const RouteGroup& g, const Buffer& attrs, const wire::IpAddress& nh, Stream& s) {
    constexpr size_t mp_fixed = 4 + 2 + 1 + 1 + 16 + 1;  // attr header, AFI, SAFI, NH len, NH, reserved
    size_t budget = max_msg - wire::header_size - 4 - mp_fixed - attrs.size();
    for (size_t i = 0; i < g.prefixes.size();) {
        size_t n = fit(g.prefixes, i, budget);
        size_t at = begin_update(s.bytes);
        put_u16(s.bytes, 0);
        size_t alen_at = s.bytes.size();
        put_u16(s.bytes, 0);
        s.bytes.push_back(wire::attr::flag_optional | wire::attr::flag_extended_length);
        s.bytes.push_back(wire::attr::mp_reach_nlri);
        size_t mplen_at = s.bytes.size();
        put_u16(s.bytes, 0);
        put_u16(s.bytes, static_cast<size_t>(wire::Afi::ipv6));
        s.bytes.push_back(static_cast<uint8_t>(wire::Safi::unicast));
        s.bytes.push_back(16);
        s.bytes.insert(s.bytes.end(), nh.bytes.begin(), nh.bytes.end());
        s.bytes.push_back(0);
        for (size_t k = 0; k < n; ++k) put_nlri(s.bytes, g.prefixes[i + k]);
        put_u16_at(s.bytes, mplen_at, s.bytes.size() - mplen_at - 2);
        s.bytes.insert(s.bytes.end(), attrs.begin(), attrs.end());
        put_u16_at(s.bytes, alen_at, s.bytes.size() - alen_at - 2);
        put_u16_at(s.bytes, at + 16, s.bytes.size() - at);
        ++s.messages;
        i += n;
    }
}

}  // namespace

size_t Table::count_v4() const {
    size_t n = 0;
    for (const auto& g : v4) n += g.prefixes.size();
    return n;
}

size_t Table::count_v6() const {
    size_t n = 0;
    for (const auto& g : v6) n += g.prefixes.size();
    return n;
}

Table generate_table(const TableParams& p) {
    size_t slice = p.overlap ? 0 : p.feeder_id;
    Table t;
    t.next_hop_v6 = p.next_hop_v6;
    if (p.v4) t.v4 = make_groups(p, prefix_slice(p.seed, false, p.v4, slice), false);
    if (p.v6) t.v6 = make_groups(p, prefix_slice(p.seed, true, p.v6, slice), true);
    return t;
}

Stream encode_announcements(const Table& t, const wire::SessionContext& ctx) {
    Stream s;
    s.bytes.reserve((t.count_v4() * 4 + t.count_v6() * 7) + (t.v4.size() + t.v6.size()) * 120);
    Buffer attrs;
    for (const auto& g : t.v4) {
        attrs.clear();
        if (!wire::encode_attributes(g.attrs, ctx, attrs)) std::abort();
        announce_v4(g, attrs, s);
    }
    for (const auto& g : t.v6) {
        attrs.clear();
        if (!wire::encode_attributes(g.attrs, ctx, attrs)) std::abort();
        announce_v6(g, attrs, t.next_hop_v6, s);
    }
    return s;
}

Stream encode_end_of_rib(const wire::SessionContext& ctx) {
    Stream s;
    wire::encode(wire::Update{}, ctx, s.bytes);
    wire::Update v6;
    v6.mp_unreach = wire::MpUnreach{{wire::Afi::ipv6, wire::Safi::unicast}, {}};
    wire::encode(v6, ctx, s.bytes);
    s.messages = 2;
    return s;
}

Stream encode_withdrawals(const Table& t) {
    Stream s;
    std::vector<Prefix> all;
    all.reserve(t.count_v4());
    for (const auto& g : t.v4) all.insert(all.end(), g.prefixes.begin(), g.prefixes.end());
    for (size_t i = 0; i < all.size();) {
        size_t n = fit(all, i, max_msg - wire::header_size - 4);
        size_t at = begin_update(s.bytes);
        size_t wlen_at = s.bytes.size();
        put_u16(s.bytes, 0);
        for (size_t k = 0; k < n; ++k) put_nlri(s.bytes, all[i + k]);
        put_u16_at(s.bytes, wlen_at, s.bytes.size() - wlen_at - 2);
        put_u16(s.bytes, 0);
        put_u16_at(s.bytes, at + 16, s.bytes.size() - at);
        ++s.messages;
        i += n;
    }
    all.clear();
    for (const auto& g : t.v6) all.insert(all.end(), g.prefixes.begin(), g.prefixes.end());
    constexpr size_t mp_fixed = 4 + 2 + 1;
    for (size_t i = 0; i < all.size();) {
        size_t n = fit(all, i, max_msg - wire::header_size - 4 - mp_fixed);
        size_t at = begin_update(s.bytes);
        put_u16(s.bytes, 0);
        size_t alen_at = s.bytes.size();
        put_u16(s.bytes, 0);
        s.bytes.push_back(wire::attr::flag_optional | wire::attr::flag_extended_length);
        s.bytes.push_back(wire::attr::mp_unreach_nlri);
        size_t mplen_at = s.bytes.size();
        put_u16(s.bytes, 0);
        put_u16(s.bytes, static_cast<size_t>(wire::Afi::ipv6));
        s.bytes.push_back(static_cast<uint8_t>(wire::Safi::unicast));
        for (size_t k = 0; k < n; ++k) put_nlri(s.bytes, all[i + k]);
        put_u16_at(s.bytes, mplen_at, s.bytes.size() - mplen_at - 2);
        put_u16_at(s.bytes, alen_at, s.bytes.size() - alen_at - 2);
        put_u16_at(s.bytes, at + 16, s.bytes.size() - at);
        ++s.messages;
        i += n;
    }
    return s;
}

std::vector<size_t> chunk_boundaries(const Buffer& stream, size_t chunk_size) {
    std::vector<size_t> b{0};
    size_t pos = 0;
    while (pos + wire::header_size <= stream.size()) {
        size_t len = (size_t{stream[pos + 16]} << 8) | stream[pos + 17];
        if (len < wire::header_size) break;  // not a message stream
        if (pos + len - b.back() > chunk_size && pos > b.back()) b.push_back(pos);
        pos += len;
    }
    if (pos > b.back()) b.push_back(pos);
    return b;
}

std::vector<size_t> length_histogram(const std::vector<RouteGroup>& groups, bool v6) {
    std::vector<size_t> h(v6 ? 129 : 33, 0);
    for (const auto& g : groups)
        for (const auto& p : g.prefixes) ++h[p.len];
    return h;
}

double mean_path_length(const std::vector<RouteGroup>& groups) {
    double sum = 0;
    size_t n = 0;
    for (const auto& g : groups) {
        uint32_t len = g.attrs.as_path ? g.attrs.as_path->decision_length() : 0;
        sum += static_cast<double>(len) * static_cast<double>(g.prefixes.size());
        n += g.prefixes.size();
    }
    return n ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace moat::bench
