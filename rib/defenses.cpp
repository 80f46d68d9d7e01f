// The eBGP route-leak defenses of the import chain. See defenses.hpp.
#include "rib/defenses.hpp"

#include <algorithm>
#include <string>

namespace moat::rib {

const std::vector<uint32_t>& tier1_asns() {
    // The transit-free networks usually protected by peer-lock, checked
    // against Wikipedia's "Tier 1 network" list (docs/defenses.md names
    // each one): Cogent, Lumen (209, 3356), KPN, Verizon (701, 2828),
    // Sprint, Arelion, NTT, GTT, Deutsche Telekom, PCCW, Orange, Tata, Zayo,
    // Telecom Italia Sparkle, Liberty Global, AT&T, Telefonica.
    static const std::vector<uint32_t> v{174,  209,  286,  701,  1239, 1299, 2828, 2914, 3257, 3320,
                                         3356, 3491, 5511, 6453, 6461, 6762, 6830, 7018, 12956};
    return v;
}

const std::vector<wire::Prefix>& martian_blocks() {
    static const std::vector<wire::Prefix> v = [] {
        std::vector<wire::Prefix> r;
        for (const char* s : {
                 "0.0.0.0/8",        // "this network" (RFC 791)
                 "10.0.0.0/8",       // private use (RFC 1918)
                 "100.64.0.0/10",    // shared address space (RFC 6598)
                 "127.0.0.0/8",      // loopback (RFC 1122)
                 "169.254.0.0/16",   // link local (RFC 3927)
                 "172.16.0.0/12",    // private use (RFC 1918)
                 "192.0.0.0/24",     // IETF protocol assignments (RFC 6890)
                 "192.0.2.0/24",     // documentation TEST-NET-1 (RFC 5737)
                 "192.88.99.0/24",   // 6to4 relay anycast, deprecated (RFC 7526)
                 "192.168.0.0/16",   // private use (RFC 1918)
                 "198.18.0.0/15",    // benchmarking (RFC 2544)
                 "198.51.100.0/24",  // documentation TEST-NET-2 (RFC 5737)
                 "203.0.113.0/24",   // documentation TEST-NET-3 (RFC 5737)
                 "224.0.0.0/4",      // multicast (RFC 5771)
                 "240.0.0.0/4",      // reserved, limited broadcast (RFC 1112, 919)
                 "::/8",             // unspecified, loopback, IPv4-mapped/compatible (RFC 4291)
                 "100::/64",         // discard only (RFC 6666)
                 "2001:2::/48",      // benchmarking (RFC 5180)
                 "2001:10::/28",     // ORCHID, deprecated (RFC 4843)
                 "2001:db8::/32",    // documentation (RFC 3849)
                 "2002::/16",        // 6to4 (RFC 3056, deprecated by RFC 7526)
                 "3ffe::/16",        // former 6bone (RFC 3701)
                 "3fff::/20",        // documentation (RFC 9637)
                 "fc00::/7",         // unique local (RFC 4193)
                 "fe80::/10",        // link local (RFC 4291)
                 "fec0::/10",        // site local, deprecated (RFC 3879)
                 "ff00::/8",         // multicast (RFC 4291)
             })
            r.push_back(*wire::Prefix::parse(s));
        return r;
    }();
    return v;
}

namespace {
// The blocks as (top 64 bits, mask, length): every block is at most /64, so
// one masked compare of the prefix's first 64 bits (IPv4 in the top 32)
// decides, without building addresses per route.
struct Block {
    uint64_t net = 0, mask = 0;
    uint8_t len = 0;
    bool v6 = false;
    const wire::Prefix* prefix = nullptr;
};

uint64_t top64(const wire::Prefix& p) {
    uint64_t v = 0;
    const int n = p.v6 ? 8 : 4;
    for (int i = 0; i < n; ++i) v = v << 8 | p.addr[static_cast<size_t>(i)];
    return p.v6 ? v : v << 32;
}

const std::vector<Block>& blocks() {
    static const std::vector<Block> v = [] {
        std::vector<Block> r;
        for (const wire::Prefix& b : martian_blocks()) {
            Block k;
            k.len = b.len;
            k.v6 = b.v6;
            k.mask = b.len == 0 ? 0 : ~uint64_t{0} << (64 - b.len);
            k.net = top64(b) & k.mask;
            k.prefix = &b;
            r.push_back(k);
        }
        return r;
    }();
    return v;
}
}  // namespace

const wire::Prefix* martian_block(const wire::Prefix& p) {
    const uint64_t top = top64(p);
    for (const Block& b : blocks())
        if (b.v6 == p.v6 && p.len >= b.len && (top & b.mask) == b.net) return b.prefix;
    return nullptr;
}

const char* bogon_asn_kind(uint32_t a) {
    if (a == 0) return "reserved (RFC 7607)";
    if (a == 23456) return "AS_TRANS (RFC 6793)";
    if (a >= 64496 && a <= 64511) return "documentation (RFC 5398)";
    if (a >= 64512 && a <= 65534) return "private (RFC 6996)";
    if (a == 65535) return "reserved (RFC 7300)";
    if (a >= 65536 && a <= 65551) return "documentation (RFC 5398)";
    if (a >= 65552 && a <= 131071) return "reserved";
    if (a >= 4200000000u && a <= 4294967294u) return "private (RFC 6996)";
    if (a == 4294967295u) return "reserved (RFC 7300)";
    return nullptr;
}

namespace {
void set_detail(const ImportContext& ctx, std::string text) {
    if (ctx.detail) *ctx.detail = std::move(text);
}
}  // namespace

Reason MartianStep::check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit&) {
    if (ctx.ibgp || !s_->martians) return Reason::none;
    const wire::Prefix& p = route.prefix;
    if (p.len == 0) {
        if (ctx.peer.allow_default) return Reason::none;
        set_detail(ctx, "default route");
        return Reason::martian;
    }
    if (const wire::Prefix* b = martian_block(p)) {
        set_detail(ctx, "in " + b->to_string());
        return Reason::martian;
    }
    return Reason::none;
}

Reason TooSpecificStep::check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit&) {
    if (ctx.ibgp || !s_->too_specific) return Reason::none;
    const uint8_t max = route.prefix.v6 ? s_->max_length_v6 : s_->max_length_v4;
    if (route.prefix.len <= max) return Reason::none;
    set_detail(ctx, "/" + std::to_string(route.prefix.len) + " longer than /" + std::to_string(max));
    return Reason::too_specific;
}

namespace {
size_t asn_count(const wire::AsPath& p) {
    size_t n = 0;
    for (const auto& s : p.segments) n += s.asns.size();
    return n;
}
}  // namespace

Reason AsPathLengthStep::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    if (ctx.ibgp || s_->max_as_path == 0) return Reason::none;
    const auto& path = edit.get().path.as_path;
    if (!path) return Reason::none;
    const size_t n = asn_count(*path);
    if (n <= s_->max_as_path) return Reason::none;
    set_detail(ctx, std::to_string(n) + " ASNs, limit " + std::to_string(s_->max_as_path));
    return Reason::as_path_too_long;
}

Reason BogonAsnStep::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    if (ctx.ibgp || !s_->bogon_asns) return Reason::none;
    const auto& path = edit.get().path.as_path;
    if (!path) return Reason::none;
    for (const auto& seg : path->segments)
        for (uint32_t a : seg.asns)
            if (const char* kind = bogon_asn_kind(a)) {
                set_detail(ctx, "AS" + std::to_string(a) + " " + kind);
                return Reason::bogon_asn;
            }
    return Reason::none;
}

Reason PeerLockStep::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    const auto& prot = s_->protected_asns;
    if (ctx.ibgp || prot.empty()) return Reason::none;
    const auto& path = edit.get().path.as_path;
    if (!path) return Reason::none;
    const auto& allow = ctx.peer.peer_lock_allow;
    for (const auto& seg : path->segments)
        for (uint32_t a : seg.asns) {
            if (!std::binary_search(prot.begin(), prot.end(), a)) continue;
            if (std::find(allow.begin(), allow.end(), a) != allow.end()) continue;
            if (!ctx.peer.peer_lock_strict && a == ctx.peer.asn) continue;
            set_detail(ctx, "AS" + std::to_string(a) + (ctx.peer.peer_lock_strict ? " (strict)" : ""));
            if (ctx.prefixes) (*counters_)[{ctx.peer.address, a}] += ctx.prefixes;
            return Reason::peer_lock;
        }
    return Reason::none;
}

void add_defenses(ImportChain& chain, const Settings& s, const std::shared_ptr<PeerLockCounters>& counters) {
    chain.append(std::make_unique<BogonAsnStep>(s));
    chain.append(std::make_unique<AsPathLengthStep>(s));
    chain.append(std::make_unique<PeerLockStep>(s, counters));
    chain.append(std::make_unique<MartianStep>(s));
    chain.append(std::make_unique<TooSpecificStep>(s));
}

}  // namespace moat::rib
