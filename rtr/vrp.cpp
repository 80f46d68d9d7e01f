// VRP index: compact records per family, sorted, each with the mask of the
// sources that hold it, and one node per distinct prefix for the covering
// walk; changes are merged into a new snapshot in one linear pass.
#include "rtr/vrp.hpp"

#include <algorithm>
#include <array>
#include <type_traits>
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


// A VRP as stored: the address in host order, the lengths, the origin AS
// and the mask of the sources that hold it. 12 bytes for IPv4, 24 for IPv6
// (the address as two 64-bit halves: no 16-byte alignment).
template <typename Addr>
struct Rec;

template <>
struct Rec<uint32_t> {
    uint32_t a = 0;
    uint32_t asn = 0;
    uint8_t len = 0;
    uint8_t max_len = 0;
    SourceMask sources = 0;
    uint32_t addr() const { return a; }
    void set_addr(uint32_t x) { a = x; }
};
static_assert(sizeof(Rec<uint32_t>) == 12);

template <>
struct Rec<u128> {
    uint64_t hi = 0, lo = 0;
    uint32_t asn = 0;
    uint8_t len = 0;
    uint8_t max_len = 0;
    SourceMask sources = 0;
    u128 addr() const { return (u128(hi) << 64) | lo; }
    void set_addr(u128 x) {
        hi = static_cast<uint64_t>(x >> 64);
        lo = static_cast<uint64_t>(x);
    }
};
static_assert(sizeof(Rec<u128>) == 24);

// Record order is Vrp's order within a family: address, length, maxLength, AS.
template <typename R>
bool key_less(const R& a, const R& b) {
    if (a.addr() != b.addr()) return a.addr() < b.addr();
    if (a.len != b.len) return a.len < b.len;
    if (a.max_len != b.max_len) return a.max_len < b.max_len;
    return a.asn < b.asn;
}

template <typename R>
bool key_equal(const R& a, const R& b) {
    return a.addr() == b.addr() && a.len == b.len && a.max_len == b.max_len && a.asn == b.asn;
}

template <typename Addr>
Rec<Addr> rec_of(const Vrp& v) {
    Rec<Addr> r;
    r.set_addr(address_of<Addr>(v.prefix));
    r.len = v.prefix.len;
    r.max_len = v.max_length;
    r.asn = v.asn;
    return r;
}

template <typename Addr>
Vrp vrp_of(const Rec<Addr>& r) {
    Vrp v;
    v.prefix.v6 = sizeof(Addr) == 16;
    const Addr a = r.addr();
    for (size_t i = 0; i < sizeof(Addr); ++i)
        v.prefix.addr[i] = static_cast<uint8_t>(a >> (8 * (sizeof(Addr) - 1 - i)));
    v.prefix.len = r.len;
    v.max_length = r.max_len;
    v.asn = r.asn;
    return v;
}

// One family's table: the records sorted, and one node per distinct prefix
// with the index of its nearest covering prefix (its parent) and its run of
// records. Prefixes form a laminar family (two prefixes are nested or
// disjoint), so the deepest prefix covering a route is found from the
// route's sorted predecessor by walking up parents; all covering prefixes
// are that one and its ancestors. A lookup touches the bucket table, the
// nodes of one /16 (binary search), the chain of covering nodes and their
// record runs: a few cache lines.
template <typename Addr>
struct Table {
    // A node: the prefix, its parent, its first record, and for the common
    // prefix with one VRP that VRP's AS and maxLength, so a lookup walks the
    // nodes without touching the records (20 bytes for IPv4, 32 for IPv6).
    struct Node4 {
        uint32_t a = 0;
        uint32_t parent = none;
        uint32_t first = 0;
        uint32_t asn = 0;
        uint8_t len = 0;
        uint8_t max_len = 0;
        bool single = false;
    };
    struct Node6 {
        uint64_t hi = 0, lo = 0;
        uint32_t parent = none;
        uint32_t first = 0;
        uint32_t asn = 0;
        uint8_t len = 0;
        uint8_t max_len = 0;
        bool single = false;
    };
    using N = std::conditional_t<sizeof(Addr) == 4, Node4, Node6>;
    static Addr addr_of(const Node4& n) { return static_cast<Addr>(n.a); }
    static Addr addr_of(const Node6& n) { return static_cast<Addr>((u128(n.hi) << 64) | n.lo); }
    static void set(Node4& n, Addr a) { n.a = static_cast<uint32_t>(a); }
    static void set(Node6& n, Addr a) {
        n.hi = static_cast<uint64_t>(u128(a) >> 64);
        n.lo = static_cast<uint64_t>(a);
    }

    std::vector<Rec<Addr>> recs;  // sorted, unique, every one with sources != 0
    std::vector<N> nodes;         // sorted by (addr, len); one sentinel at the end
    size_t node_count = 0;        // without the sentinel
    // bucket[h]: the first node whose address has its top 16 bits >= h
    // (65537 entries): narrows each binary search to one /16 of address
    // space. (A /20 table for IPv4, 4 MiB, was slower: it misses the cache.)
    static constexpr unsigned bits = 16;
    std::vector<uint32_t> bucket;
    std::array<uint32_t, max_sources> per_source{};

    static uint32_t top_bits(Addr a) { return static_cast<uint32_t>(a >> (width<Addr>() - bits)); }

    static bool covers(const N& n, Addr addr, unsigned len) {
        return n.len <= len && mask(addr, n.len) == addr_of(n);
    }

    size_t bytes() const {
        return recs.capacity() * sizeof(Rec<Addr>) + nodes.capacity() * sizeof(N) +
               bucket.capacity() * sizeof(uint32_t);
    }

    void build() {
        per_source.fill(0);
        size_t distinct = 0;
        for (size_t i = 0; i < recs.size(); ++i) {
            if (i == 0 || recs[i].addr() != recs[i - 1].addr() || recs[i].len != recs[i - 1].len) ++distinct;
            for (unsigned s = 0; s < max_sources; ++s)
                if (recs[i].sources & (1u << s)) ++per_source[s];
        }
        nodes.clear();
        nodes.reserve(distinct + 1);
        std::vector<uint32_t> stack;
        for (uint32_t i = 0; i < recs.size(); ++i) {
            const Addr a = recs[i].addr();
            const uint8_t len = recs[i].len;
            if (!nodes.empty() && addr_of(nodes.back()) == a && nodes.back().len == len) continue;
            N k;
            set(k, a);
            k.len = len;
            k.first = i;
            const auto n = static_cast<uint32_t>(nodes.size());
            while (!stack.empty() && !covers(nodes[stack.back()], a, len)) stack.pop_back();
            k.parent = stack.empty() ? none : stack.back();
            nodes.push_back(k);
            stack.push_back(n);
        }
        node_count = nodes.size();
        for (size_t n = 0; n < node_count; ++n) {
            const size_t end = n + 1 < node_count ? nodes[n + 1].first : recs.size();
            if (end - nodes[n].first != 1) continue;
            nodes[n].single = true;
            nodes[n].asn = recs[nodes[n].first].asn;
            nodes[n].max_len = recs[nodes[n].first].max_len;
        }
        N sentinel;
        sentinel.first = static_cast<uint32_t>(recs.size());
        nodes.push_back(sentinel);
        bucket.clear();
        if (node_count == 0) return;
        const size_t buckets = size_t{1} << bits;
        bucket.assign(buckets + 1, static_cast<uint32_t>(node_count));
        for (size_t n = node_count; n-- > 0;) bucket[top_bits(addr_of(nodes[n]))] = static_cast<uint32_t>(n);
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
            const N& m = nodes[mid];
            const Addr ma = addr_of(m);
            if (ma < addr || (ma == addr && m.len <= len))
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
        const Addr addr = address_of<Addr>(route);
        bool any = false, valid = false;
        for (uint32_t n = deepest(addr, route.len); n != none; n = nodes[n].parent) {
            any = true;
            const N& nd = nodes[n];
            if (nd.single && !covering) {
                if (nd.asn == origin && origin != 0 && route.len <= nd.max_len) return Validity::valid;
                continue;
            }
            const uint32_t end = nodes[n + 1].first;
            for (uint32_t i = nodes[n].first; i < end; ++i) {
                const Rec<Addr>& r = recs[i];
                if (r.asn == origin && origin != 0 && route.len <= r.max_len) {
                    valid = true;
                    if (!covering) return Validity::valid;
                }
                if (covering) covering->push_back(vrp_of(r));
            }
        }
        // Collected deepest first; sorted, the least specific comes first.
        if (covering) std::sort(covering->begin(), covering->end());
        if (valid) return Validity::valid;
        return any ? Validity::invalid : Validity::not_found;
    }

    std::vector<Vrp> within(const wire::Prefix& p) const {
        const Addr lo = address_of<Addr>(p);
        Addr hi = p.len == 0 ? ~Addr(0) : static_cast<Addr>(lo | ~(~Addr(0) << (width<Addr>() - p.len)));
        if (p.len == width<Addr>()) hi = lo;
        auto b = std::partition_point(recs.begin(), recs.end(), [&](const Rec<Addr>& r) {
            return r.addr() < lo || (r.addr() == lo && r.len < p.len);
        });
        auto e = std::partition_point(b, recs.end(), [&](const Rec<Addr>& r) { return r.addr() <= hi; });
        std::vector<Vrp> out;
        out.reserve(static_cast<size_t>(e - b));
        for (auto it = b; it != e; ++it) out.push_back(vrp_of(*it));
        return out;
    }

    bool contains(const Vrp& v) const {
        const Rec<Addr> k = rec_of<Addr>(v);
        auto it = std::lower_bound(recs.begin(), recs.end(), k, key_less<Rec<Addr>>);
        return it != recs.end() && key_equal(*it, k);
    }

    std::vector<Vrp> all() const {
        std::vector<Vrp> out;
        out.reserve(recs.size());
        for (const auto& r : recs) out.push_back(vrp_of(r));
        return out;
    }
};

// A change as the merge sees it: the record and what to do to one source's bit.
template <typename Addr>
struct Op {
    Rec<Addr> key;
    SourceMask bit = 0;
    bool add = true;
};

// base + ops (sorted by key, stable: their order kept within a key) -> out.
template <typename Addr>
void merge_into(const Table<Addr>& base, const std::vector<Op<Addr>>& ops, Table<Addr>& out, VrpDiff* diff) {
    size_t adds = 0;
    for (const auto& o : ops) adds += o.add;
    out.recs.reserve(base.recs.size() + adds);
    const auto& b = base.recs;
    size_t i = 0, j = 0;
    while (i < b.size() || j < ops.size()) {
        if (j == ops.size() || (i < b.size() && key_less(b[i], ops[j].key))) {
            out.recs.push_back(b[i++]);
            continue;
        }
        Rec<Addr> r = ops[j].key;
        SourceMask m = 0;
        if (i < b.size() && key_equal(b[i], r)) m = b[i++].sources;
        const bool had = m != 0;
        for (; j < ops.size() && key_equal(ops[j].key, r); ++j)
            m = ops[j].add ? static_cast<SourceMask>(m | ops[j].bit) : static_cast<SourceMask>(m & ~ops[j].bit);
        if (m) {
            r.sources = m;
            out.recs.push_back(r);
        }
        if (diff && !had && m) diff->added.push_back(vrp_of(r));
        if (diff && had && !m) diff->removed.push_back(vrp_of(r));
    }
    out.build();
}

template <typename Addr>
void diff_into(const Table<Addr>& from, const Table<Addr>& to, VrpDiff& d) {
    const auto& a = from.recs;
    const auto& b = to.recs;
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && key_less(a[i], b[j]))) {
            d.removed.push_back(vrp_of(a[i++]));
        } else if (i == a.size() || key_less(b[j], a[i])) {
            d.added.push_back(vrp_of(b[j++]));
        } else {
            ++i;
            ++j;
        }
    }
}

}  // namespace

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

VrpIndex::VrpIndex(std::vector<Vrp> vrps, uint8_t source) : impl_(std::make_shared<Impl>()) {
    std::vector<VrpChange> changes;
    changes.reserve(vrps.size());
    for (const Vrp& v : vrps) changes.push_back(VrpChange{v, source, true});
    vrps = {};
    *this = apply(std::move(changes));
}

namespace {

// Splits the changes by family into merge operations sorted by record key,
// keeping their order within a key (so the last change per source wins).
template <typename Addr>
std::vector<Op<Addr>> ops_of(const std::vector<VrpChange>& changes, bool v6) {
    std::vector<Op<Addr>> ops;
    for (const VrpChange& c : changes) {
        if (c.vrp.prefix.v6 != v6 || c.source >= max_sources) continue;
        if (c.add && !c.vrp.well_formed()) continue;
        ops.push_back(Op<Addr>{rec_of<Addr>(c.vrp), static_cast<SourceMask>(1u << c.source), c.add});
    }
    std::stable_sort(ops.begin(), ops.end(), [](const Op<Addr>& a, const Op<Addr>& b) { return key_less(a.key, b.key); });
    return ops;
}

template <typename Addr>
void replace_into(const Table<Addr>& t, uint8_t source, std::vector<Vrp>& next, bool v6, std::vector<VrpChange>& out) {
    std::vector<Rec<Addr>> want;
    for (const Vrp& v : next)
        if (v.prefix.v6 == v6 && v.well_formed()) want.push_back(rec_of<Addr>(v));
    std::sort(want.begin(), want.end(), key_less<Rec<Addr>>);
    want.erase(std::unique(want.begin(), want.end(), key_equal<Rec<Addr>>), want.end());
    const SourceMask bit = static_cast<SourceMask>(1u << source);
    size_t i = 0, j = 0;
    const auto& have = t.recs;
    while (i < have.size() || j < want.size()) {
        if (i < have.size() && !(have[i].sources & bit)) {
            ++i;
            continue;
        }
        if (j == want.size() || (i < have.size() && key_less(have[i], want[j]))) {
            out.push_back(VrpChange{vrp_of(have[i++]), source, false});
        } else if (i == have.size() || key_less(want[j], have[i])) {
            out.push_back(VrpChange{vrp_of(want[j++]), source, true});
        } else {
            ++i;
            ++j;
        }
    }
}

}  // namespace

VrpIndex VrpIndex::apply(std::vector<VrpChange> changes, VrpDiff* d) const {
    if (d) *d = VrpDiff{};
    auto next = std::make_shared<Impl>();
    VrpDiff v6diff;
    {
        auto ops = ops_of<uint32_t>(changes, false);
        merge_into(impl_->v4, ops, next->v4, d);
    }
    {
        auto ops = ops_of<u128>(changes, true);
        changes = {};
        merge_into(impl_->v6, ops, next->v6, d ? &v6diff : nullptr);
    }
    if (d) {
        d->added.insert(d->added.end(), v6diff.added.begin(), v6diff.added.end());
        d->removed.insert(d->removed.end(), v6diff.removed.begin(), v6diff.removed.end());
    }
    VrpIndex out;
    out.impl_ = std::move(next);
    return out;
}

std::vector<VrpChange> VrpIndex::replace(uint8_t source, std::vector<Vrp> vrps) const {
    std::vector<VrpChange> out;
    if (source >= max_sources) return out;
    replace_into(impl_->v4, source, vrps, false, out);
    replace_into(impl_->v6, source, vrps, true, out);
    return out;
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

bool VrpIndex::covered_v4(uint32_t addr, uint8_t len) const { return impl_->v4.deepest(addr, len) != none; }

bool VrpIndex::covered_v6(uint64_t hi, uint64_t lo, uint8_t len) const {
    return impl_->v6.deepest((u128(hi) << 64) | lo, len) != none;
}

std::vector<Vrp> VrpIndex::within(const wire::Prefix& prefix) const {
    return prefix.v6 ? impl_->v6.within(prefix) : impl_->v4.within(prefix);
}

bool VrpIndex::contains(const Vrp& vrp) const {
    return vrp.prefix.v6 ? impl_->v6.contains(vrp) : impl_->v4.contains(vrp);
}

size_t VrpIndex::size() const { return impl_->v4.recs.size() + impl_->v6.recs.size(); }

size_t VrpIndex::size(wire::Afi afi) const {
    return afi == wire::Afi::ipv6 ? impl_->v6.recs.size() : impl_->v4.recs.size();
}

size_t VrpIndex::size(wire::Afi afi, uint8_t source) const {
    if (source >= max_sources) return 0;
    return afi == wire::Afi::ipv6 ? impl_->v6.per_source[source] : impl_->v4.per_source[source];
}

std::vector<Vrp> VrpIndex::vrps(wire::Afi afi) const {
    return afi == wire::Afi::ipv6 ? impl_->v6.all() : impl_->v4.all();
}

size_t VrpIndex::memory_bytes() const { return sizeof(Impl) + impl_->v4.bytes() + impl_->v6.bytes(); }

VrpDiff diff(const VrpIndex& from, const VrpIndex& to) {
    VrpDiff d, d6;
    diff_into(from.impl_->v4, to.impl_->v4, d);
    diff_into(from.impl_->v6, to.impl_->v6, d6);
    d.added.insert(d.added.end(), d6.added.begin(), d6.added.end());
    d.removed.insert(d.removed.end(), d6.removed.begin(), d6.removed.end());
    return d;
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

PrefixCover VrpDelta::affected() const {
    std::vector<wire::Prefix> prefixes;
    prefixes.reserve(diff.size());
    for (const auto& v : diff.added) prefixes.push_back(v.prefix);
    for (const auto& v : diff.removed) prefixes.push_back(v.prefix);
    return PrefixCover(prefixes);
}

}  // namespace moat::rtr
