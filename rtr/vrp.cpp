// VRP index: distinct VRP prefixes of a family sorted by (address, length),
// each with the index of its nearest covering prefix (its parent) and its run
// of VRPs. Prefixes form a laminar family (two prefixes are nested or
// disjoint), so the deepest prefix covering a route is found from the
// route's sorted predecessor by walking up parents; all covering prefixes
// are that one and its ancestors.
#include "rtr/vrp.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <limits>

namespace moat::rtr {

namespace {

__extension__ typedef unsigned __int128 u128;

constexpr uint32_t none = std::numeric_limits<uint32_t>::max();

template <typename Addr>
constexpr unsigned width() {
    return sizeof(Addr) * 8;
}

template <typename Addr>
Addr address_of(const wire::Prefix& p) {
    Addr a = 0;
    for (size_t i = 0; i < sizeof(Addr); ++i) a = static_cast<Addr>((a << 8) | p.addr[i]);
    return a;
}

template <typename Addr>
Addr mask(Addr a, unsigned len) {
    if (len == 0) return 0;
    return static_cast<Addr>(a & (~Addr(0) << (width<Addr>() - len)));
}

}  // namespace

// One family's table. Nodes are the distinct VRP prefixes. A lookup touches
// the bucket table, the nodes of one /16 (binary search), the chain of
// covering nodes and their (ASN, maxLength) runs, so each node keeps
// everything the walk needs in one record, and the runs are 8-byte records
// apart from the full VRPs (which explain() and within() use): a lookup costs
// a few cache lines, not one per array.
template <typename Addr>
struct Table {
    struct Node {
        Addr addr = 0;
        uint32_t parent = none;  // nearest covering node
        uint32_t first = 0;      // first of its run in `match` / `vrps`; the run ends at nodes[n + 1].first
        uint32_t asn = 0;        // the run's only VRP when `single` (most prefixes have one)
        uint8_t len = 0;
        uint8_t max_length = 0;
        bool single = false;
    };
    struct Match {
        uint32_t asn = 0;
        uint8_t max_length = 0;
    };

    std::vector<Vrp> vrps;            // sorted, unique
    std::vector<Node> nodes;          // sorted by (addr, len); one sentinel at the end
    std::vector<Match> match;         // per VRP, in `vrps` order
    size_t node_count = 0;            // without the sentinel
    // bucket[h]: the first node whose address has its top 16 bits >= h
    // (65537 entries): narrows each binary search to one /16 of address
    // space. (A /20 table for IPv4, 4 MiB, was slower: it misses the cache.)
    static constexpr unsigned bits = 16;
    std::vector<uint32_t> bucket;

    static uint32_t top_bits(Addr a) { return static_cast<uint32_t>(a >> (width<Addr>() - bits)); }

    static bool covers(const Node& n, Addr addr, unsigned len) {
        return n.len <= len && mask(addr, n.len) == n.addr;
    }

    void build() {
        std::vector<uint32_t> stack;
        match.reserve(vrps.size());
        for (uint32_t i = 0; i < vrps.size(); ++i) {
            match.push_back(Match{vrps[i].asn, vrps[i].max_length});
            Node k;
            k.addr = address_of<Addr>(vrps[i].prefix);
            k.len = vrps[i].prefix.len;
            if (!nodes.empty() && nodes.back().addr == k.addr && nodes.back().len == k.len) continue;
            auto n = static_cast<uint32_t>(nodes.size());
            k.first = i;
            while (!stack.empty() && !covers(nodes[stack.back()], k.addr, k.len)) stack.pop_back();
            k.parent = stack.empty() ? none : stack.back();
            nodes.push_back(k);
            stack.push_back(n);
        }
        node_count = nodes.size();
        for (size_t n = 0; n < node_count; ++n) {
            const uint32_t end = n + 1 < node_count ? nodes[n + 1].first : static_cast<uint32_t>(vrps.size());
            if (end - nodes[n].first != 1) continue;
            nodes[n].single = true;
            nodes[n].asn = match[nodes[n].first].asn;
            nodes[n].max_length = match[nodes[n].first].max_length;
        }
        Node sentinel;
        sentinel.first = static_cast<uint32_t>(vrps.size());
        nodes.push_back(sentinel);
        const size_t buckets = size_t{1} << bits;
        bucket.assign(buckets + 1, static_cast<uint32_t>(node_count));
        for (size_t n = node_count; n-- > 0;) bucket[top_bits(nodes[n].addr)] = static_cast<uint32_t>(n);
        for (size_t h = buckets; h-- > 0;) bucket[h] = std::min(bucket[h], bucket[h + 1]);
    }

    // The deepest node covering (addr, len), or none.
    uint32_t deepest(Addr addr, unsigned len) const {
        if (node_count == 0) return none;
        uint32_t h = top_bits(addr);
        // The last node <= (addr, len) in (address, length) order.
        uint32_t lo = bucket[h], hi = bucket[h + 1];
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            const Node& m = nodes[mid];
            if (m.addr < addr || (m.addr == addr && m.len <= len))
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0) return none;
        uint32_t n = lo - 1;
        while (n != none && !covers(nodes[n], addr, len)) n = nodes[n].parent;
        return n;
    }

    Validity validate(const wire::Prefix& route, uint32_t origin, std::vector<Vrp>* covering) const {
        Addr addr = address_of<Addr>(route);
        bool any = false, valid = false;
        for (uint32_t n = deepest(addr, route.len); n != none; n = nodes[n].parent) {
            any = true;
            const Node& nd = nodes[n];
            if (nd.single && !covering) {
                if (nd.asn == origin && origin != 0 && route.len <= nd.max_length) return Validity::valid;
                continue;
            }
            const uint32_t end = nodes[n + 1].first;
            for (uint32_t i = nodes[n].first; i < end; ++i) {
                const Match& m = match[i];
                if (m.asn == origin && origin != 0 && route.len <= m.max_length) {
                    valid = true;
                    if (!covering) return Validity::valid;
                }
                if (covering) covering->push_back(vrps[i]);
            }
        }
        // Collected deepest first; sorted, the least specific comes first.
        if (covering) std::sort(covering->begin(), covering->end());
        if (valid) return Validity::valid;
        return any ? Validity::invalid : Validity::not_found;
    }

    std::vector<Vrp> within(const wire::Prefix& p) const {
        Addr lo = address_of<Addr>(p);
        Addr hi = p.len == 0 ? ~Addr(0) : static_cast<Addr>(lo | ~(~Addr(0) << (width<Addr>() - p.len)));
        if (p.len == width<Addr>()) hi = lo;
        auto less = [](const Node& a, const Node& b) { return a.addr < b.addr || (a.addr == b.addr && a.len < b.len); };
        Node from, to;
        from.addr = lo;
        from.len = p.len;
        to.addr = hi;
        to.len = 255;
        auto last = nodes.begin() + static_cast<std::ptrdiff_t>(node_count);
        auto b = std::lower_bound(nodes.begin(), last, from, less);
        auto e = std::upper_bound(nodes.begin(), last, to, less);
        std::vector<Vrp> out;
        if (b >= e) return out;
        out.assign(vrps.begin() + b->first, vrps.begin() + e->first);
        return out;
    }
};

struct VrpIndex::Impl {
    Table<uint32_t> v4;
    Table<u128> v6;
};

std::string Vrp::to_string() const {
    return fmt::format("{}-{} AS{}", prefix.to_string(), max_length, asn);
}

bool Vrp::well_formed() const { return prefix.len <= max_length && max_length <= prefix.max_len(); }

std::string_view to_string(Validity v) {
    switch (v) {
        case Validity::valid: return "valid";
        case Validity::invalid: return "invalid";
        case Validity::not_found: return "not-found";
    }
    return "not-found";
}

bool covers(const wire::Prefix& outer, const wire::Prefix& inner) {
    if (outer.v6 != inner.v6 || outer.len > inner.len) return false;
    if (outer.v6) return mask(address_of<u128>(inner), outer.len) == address_of<u128>(outer);
    return mask(address_of<uint32_t>(inner), outer.len) == address_of<uint32_t>(outer);
}

VrpIndex::VrpIndex() : impl_(std::make_shared<Impl>()) {}

VrpIndex::VrpIndex(std::vector<Vrp> vrps) {
    auto impl = std::make_shared<Impl>();
    std::erase_if(vrps, [](const Vrp& v) { return !v.well_formed(); });
    // Sources hand over sorted sets: then this is one linear pass.
    if (!std::is_sorted(vrps.begin(), vrps.end())) std::sort(vrps.begin(), vrps.end());
    vrps.erase(std::unique(vrps.begin(), vrps.end()), vrps.end());
    // The default order compares addresses before the family flag, so split by family explicitly.
    std::vector<Vrp> v4, v6;
    size_t n6 = static_cast<size_t>(std::count_if(vrps.begin(), vrps.end(), [](const Vrp& v) { return v.prefix.v6; }));
    v4.reserve(vrps.size() - n6);
    v6.reserve(n6);
    for (auto& v : vrps) (v.prefix.v6 ? v6 : v4).push_back(v);
    impl->v4.vrps = std::move(v4);
    impl->v6.vrps = std::move(v6);
    impl->v4.build();
    impl->v6.build();
    impl_ = std::move(impl);
}

Validity VrpIndex::validate(const wire::Prefix& route, uint32_t origin_as) const {
    return route.v6 ? impl_->v6.validate(route, origin_as, nullptr)
                    : impl_->v4.validate(route, origin_as, nullptr);
}

Validation VrpIndex::explain(const wire::Prefix& route, uint32_t origin_as) const {
    Validation out;
    out.state = route.v6 ? impl_->v6.validate(route, origin_as, &out.covering)
                         : impl_->v4.validate(route, origin_as, &out.covering);
    return out;
}

bool VrpIndex::covered(const wire::Prefix& route) const {
    return route.v6 ? impl_->v6.deepest(address_of<u128>(route), route.len) != none
                    : impl_->v4.deepest(address_of<uint32_t>(route), route.len) != none;
}

std::vector<Vrp> VrpIndex::within(const wire::Prefix& prefix) const {
    return prefix.v6 ? impl_->v6.within(prefix) : impl_->v4.within(prefix);
}

bool VrpIndex::contains(const Vrp& vrp) const {
    auto s = vrps(vrp.prefix.afi());
    return std::binary_search(s.begin(), s.end(), vrp);
}

size_t VrpIndex::size() const { return impl_->v4.vrps.size() + impl_->v6.vrps.size(); }

size_t VrpIndex::size(wire::Afi afi) const { return vrps(afi).size(); }

std::span<const Vrp> VrpIndex::vrps(wire::Afi afi) const {
    return afi == wire::Afi::ipv6 ? std::span<const Vrp>(impl_->v6.vrps) : std::span<const Vrp>(impl_->v4.vrps);
}

VrpDiff diff(std::span<const Vrp> from, std::span<const Vrp> to) {
    VrpDiff d;
    std::set_difference(to.begin(), to.end(), from.begin(), from.end(), std::back_inserter(d.added));
    std::set_difference(from.begin(), from.end(), to.begin(), to.end(), std::back_inserter(d.removed));
    return d;
}

VrpDiff diff(const VrpIndex& from, const VrpIndex& to) {
    VrpDiff d = diff(from.vrps(wire::Afi::ipv4), to.vrps(wire::Afi::ipv4));
    VrpDiff d6 = diff(from.vrps(wire::Afi::ipv6), to.vrps(wire::Afi::ipv6));
    d.added.insert(d.added.end(), d6.added.begin(), d6.added.end());
    d.removed.insert(d.removed.end(), d6.removed.begin(), d6.removed.end());
    return d;
}

std::vector<Vrp> merge(std::span<const Vrp> a, std::span<const Vrp> b) {
    std::vector<Vrp> out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

namespace {
std::vector<Vrp> as_vrps(std::span<const wire::Prefix> prefixes) {
    std::vector<Vrp> out;
    out.reserve(prefixes.size());
    for (const auto& p : prefixes) out.push_back(Vrp{p, p.len, 0});
    return out;
}
}  // namespace

PrefixCover::PrefixCover(std::span<const wire::Prefix> prefixes) : index_(as_vrps(prefixes)) {}

std::vector<wire::Prefix> PrefixCover::prefixes() const {
    std::vector<wire::Prefix> out;
    for (auto afi : {wire::Afi::ipv4, wire::Afi::ipv6})
        for (const auto& v : index_.vrps(afi)) out.push_back(v.prefix);
    return out;
}

PrefixCover VrpDelta::affected() const {
    std::vector<wire::Prefix> prefixes;
    prefixes.reserve(diff.size());
    for (const auto& v : diff.added) prefixes.push_back(v.prefix);
    for (const auto& v : diff.removed) prefixes.push_back(v.prefix);
    return PrefixCover(prefixes);
}

}  // namespace moat::rtr
