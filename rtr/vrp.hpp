// Validated ROA Payloads (VRPs) and the RFC 6811 origin validation index.
//
// A Vrp is one (prefix, maxLength, origin AS) triple as delivered by an RPKI
// cache (RFC 8210) or a VRP JSON file. A VrpIndex is an immutable snapshot of
// a VRP set, per address family, that answers:
//   validate(route, origin)  RFC 6811 2: Valid if a covering VRP has the
//                            route's origin AS and route length <= maxLength;
//                            Invalid if VRPs cover the route but none
//                            matches; NotFound if none covers it. An AS 0 VRP
//                            (RFC 6483 4, RFC 7607) covers but never matches.
//   explain(route, origin)   the same plus the covering VRPs (CLI detail).
//   covered(route)           whether any VRP covers the route at all.
//   within(prefix)           the VRPs at or below a prefix.
// Change is by snapshot: apply() a batch of changes to the current index,
// which gives the next one and the difference in one pass; swap.
// VrpDelta::affected() then tells which routes may change state: every route
// whose prefix lies at or below a changed VRP's prefix.
//
// Storage: a VRP is a 12-byte record for IPv4 (24 for IPv6) carrying the
// mask of the sources that hold it; an index node per distinct prefix (20 or
// 32 bytes) and a 256 KiB /16 bucket table per family. About 28 MiB for the
// 833k VRPs of today's RPKI.
//
// Lookup cost: one binary search over the distinct VRP prefixes of one /16
// plus a walk up the (at most 33 or 129 deep) chain of covering prefixes.
#pragma once

#include "bgpd/wire/types.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace moat::rtr {

struct Vrp {
    wire::Prefix prefix;
    uint8_t max_length = 0;
    uint32_t asn = 0;

    // Within one family the order is by prefix address, then prefix length:
    // a covering prefix sorts before everything it covers.
    auto operator<=>(const Vrp&) const = default;
    std::string to_string() const;  // "104.20.0.0/20-24 AS13335"
    // A VRP is well formed when len <= max_length <= the family's width.
    bool well_formed() const;
};

enum class Validity : uint8_t { not_found = 0, valid = 1, invalid = 2 };
std::string_view to_string(Validity v);  // "not-found", "valid", "invalid"

struct Validation {
    Validity state = Validity::not_found;
    std::vector<Vrp> covering;  // every VRP whose prefix covers the route, least specific first
};

// True if outer covers inner: same family, outer.len <= inner.len, and the
// first outer.len bits are equal.
bool covers(const wire::Prefix& outer, const wire::Prefix& inner);

// The sources of a VRP set (each RTR cache, each VRP file) are numbered
// 0..max_sources-1. The index keeps, per VRP, which sources hold it, so the
// set is stored once however many sources offer it: a VRP leaves when the
// last source that holds it withdraws it.
inline constexpr unsigned max_sources = 16;
using SourceMask = uint16_t;

// One change from one source: `source` adds or withdraws `vrp`.
struct VrpChange {
    Vrp vrp;
    uint8_t source = 0;
    bool add = true;
};

struct VrpDiff {
    std::vector<Vrp> added;    // sorted per family, IPv4 first
    std::vector<Vrp> removed;  // sorted per family, IPv4 first
    bool empty() const { return added.empty() && removed.empty(); }
    size_t size() const { return added.size() + removed.size(); }
};

class VrpIndex {
public:
    VrpIndex();  // empty
    // Any order; duplicates and malformed VRPs (well_formed() false) are
    // dropped; every VRP is held by `source`.
    explicit VrpIndex(std::vector<Vrp> vrps, uint8_t source = 0);
    // Copies share the immutable snapshot. No move operations: a "moved"
    // index stays a valid copy instead of becoming empty.
    VrpIndex(const VrpIndex&) = default;
    VrpIndex& operator=(const VrpIndex&) = default;

    Validity validate(const wire::Prefix& route, uint32_t origin_as) const;
    Validation explain(const wire::Prefix& route, uint32_t origin_as) const;
    bool covered(const wire::Prefix& route) const;
    // The same for an address in host order (IPv6: the two halves), without
    // building a Prefix: for walks over a whole table.
    bool covered_v4(uint32_t addr, uint8_t len) const;
    bool covered_v6(uint64_t hi, uint64_t lo, uint8_t len) const;
    std::vector<Vrp> within(const wire::Prefix& prefix) const;
    bool contains(const Vrp& vrp) const;

    size_t size() const;
    size_t size(wire::Afi afi) const;
    size_t size(wire::Afi afi, uint8_t source) const;  // the VRPs `source` holds
    std::vector<Vrp> vrps(wire::Afi afi) const;        // sorted, unique (a copy: for the CLI and tests)
    size_t memory_bytes() const;                       // what the snapshot allocated

    // A new snapshot: this one with `changes` applied in their order (for
    // one VRP and source the last change wins; a withdrawal of what the
    // source does not hold and malformed VRPs are ignored). `diff`, when
    // given, receives the VRPs that entered or left the set. One linear
    // merge: callers run it off the event loop for large sets.
    VrpIndex apply(std::vector<VrpChange> changes, VrpDiff* diff = nullptr) const;
    // The changes that make what `source` holds equal to `vrps` (any order).
    std::vector<VrpChange> replace(uint8_t source, std::vector<Vrp> vrps) const;

    friend VrpDiff diff(const VrpIndex& from, const VrpIndex& to);

private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;  // shared: copying a snapshot is cheap
};

VrpDiff diff(const VrpIndex& from, const VrpIndex& to);

// A set of prefixes answering "is this route at or below one of them?"; built
// from the prefixes of a delta to select the routes to re-validate.
class PrefixCover {
public:
    PrefixCover() = default;
    explicit PrefixCover(std::span<const wire::Prefix> prefixes);
    bool covers(const wire::Prefix& route) const { return index_.covered(route); }
    bool covers_v4(uint32_t addr, uint8_t len) const { return index_.covered_v4(addr, len); }
    bool covers_v6(uint64_t hi, uint64_t lo, uint8_t len) const { return index_.covered_v6(hi, lo, len); }
    bool empty(wire::Afi afi) const { return index_.size(afi) == 0; }
    size_t size() const { return index_.size(); }

private:
    VrpIndex index_;
};

// One batch of changes delivered to the owner of a RoaSource.
struct VrpDelta {
    VrpDiff diff;
    bool in_sync = false;       // state after this delta
    bool sync_changed = false;  // in_sync flipped with this delta

    // Routes at or below any of these prefixes may have changed state.
    PrefixCover affected() const;
};

}  // namespace moat::rtr
