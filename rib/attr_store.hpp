// Interned path attribute sets (hash-consing).
//
// Every route points to an AttrSet; equal attribute sets are one object, so
// comparing two routes' attributes is a pointer compare and a full table with
// a few hundred thousand distinct sets stores each set once. Sets are
// reference counted and freed when the last route (or AttrRef) lets go.
//
// An AttrSet is one allocation: the values the decision process, the export
// rules and per-prefix import steps read for every route (LOCAL_PREF, MED,
// ORIGIN, ORIGINATOR_ID, CLUSTER_LIST length, AS_PATH length, neighbor and
// origin AS, well-known communities), then the MP_REACH next hop(s) (RFC 4760; two IPv6 routes that
// differ only in next hop must not share a set), then the attributes in their
// wire encoding (wire::encode_attributes, 4-octet ASNs). The encoding is the
// interning key; value() decodes it back to a RouteAttrs when a whole set is
// needed (export, display, re-running the import chain). This keeps a typical
// set near 130 bytes instead of the ~400 a wire::PathAttributes with its
// vectors takes. Unknown non-transitive attributes are not kept (they are
// never passed on, RFC 4271 5), and unknown transitive ones carry the Partial
// bit, as when they are sent.
#pragma once

#include "bgpd/wire/codec.hpp"
#include "bgpd/wire/types.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace moat::rib {

// The attributes a route carries: the path attributes and, for routes learnt
// through MP_REACH_NLRI, its next hop(s).
struct RouteAttrs {
    wire::PathAttributes path;
    std::optional<wire::IpAddress> mp_next_hop;
    std::optional<wire::IpAddress> mp_link_local;
    bool operator==(const RouteAttrs&) const = default;
};

class AttrStore;

struct AttrSet {
    enum Flag : uint16_t {
        has_local_pref = 1 << 0,
        has_med = 1 << 1,
        has_originator = 1 << 2,
        has_origin = 1 << 3,
        no_export = 1 << 4,            // RFC 1997
        no_advertise = 1 << 5,
        no_export_subconfed = 1 << 6,
        has_mp_next_hop = 1 << 7,
        has_mp_link_local = 1 << 8,
        mp_next_hop_v6 = 1 << 9,
        has_origin_as = 1 << 10,
        has_otc = 1 << 11,             // RFC 9234 Only to Customer
    };

    uint64_t hash = 0;
    mutable uint32_t refs = 0;
    uint32_t as_path_length = 0;  // AsPath::decision_length(), RFC 4271 9.1.2.2 a
    uint32_t neighbor_as = 0;     // leftmost AS of the path (0: empty path), for MED
    uint32_t local_pref = 0;
    uint32_t med = 0;
    uint32_t originator_id = 0;
    uint32_t encoded_size = 0;    // bytes of wire-encoded attributes after the next hops
    uint16_t cluster_list_length = 0;
    uint16_t flags = 0;
    wire::Origin origin = wire::Origin::incomplete;
    uint32_t id = 0;              // small handle for compact tables (AttrStore::at)
    uint32_t origin_as = 0;       // AsPath::origin_as() (RFC 6811), for per-prefix origin validation

    bool is(Flag f) const { return (flags & f) != 0; }
    std::optional<uint32_t> local_pref_opt() const {
        return is(has_local_pref) ? std::optional<uint32_t>(local_pref) : std::nullopt;
    }
    std::optional<uint32_t> med_opt() const { return is(has_med) ? std::optional<uint32_t>(med) : std::nullopt; }
    std::optional<uint32_t> origin_as_opt() const {
        return is(has_origin_as) ? std::optional<uint32_t>(origin_as) : std::nullopt;
    }
    std::optional<uint32_t> originator_opt() const {
        return is(has_originator) ? std::optional<uint32_t>(originator_id) : std::nullopt;
    }

    // The next hop bytes (16 per address) then the encoded attributes.
    const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(this + 1); }
    size_t next_hop_bytes() const { return (is(has_mp_next_hop) ? 16 : 0) + (is(has_mp_link_local) ? 16 : 0); }
    wire::Bytes encoded() const { return wire::Bytes(data() + next_hop_bytes(), encoded_size); }

    // The route's next hop without decoding the set: the MP_REACH next hop
    // (the global one) if there is one, else the NEXT_HOP attribute.
    std::optional<wire::IpAddress> next_hop() const;

    // The whole set, decoded (allocates; not for per-route paths).
    RouteAttrs value() const;
    wire::PathAttributes path() const { return value().path; }
};

// A counted handle for code outside the route tables (tests, policy, CLI).
// The tables hold raw pointers and count through acquire()/release().
class AttrRef {
public:
    AttrRef() = default;
    AttrRef(AttrStore* s, const AttrSet* p) : store_(s), set_(p) {}  // adopts one reference
    AttrRef(const AttrRef& o);
    AttrRef(AttrRef&& o) noexcept : store_(o.store_), set_(std::exchange(o.set_, nullptr)) {}
    AttrRef& operator=(AttrRef o) noexcept {
        std::swap(store_, o.store_);
        std::swap(set_, o.set_);
        return *this;
    }
    ~AttrRef();

    const AttrSet* get() const { return set_; }
    const AttrSet* operator->() const { return set_; }
    const AttrSet& operator*() const { return *set_; }
    explicit operator bool() const { return set_ != nullptr; }
    friend bool operator==(const AttrRef& a, const AttrRef& b) { return a.set_ == b.set_; }

private:
    AttrStore* store_ = nullptr;
    const AttrSet* set_ = nullptr;
};

class AttrStore {
public:
    AttrStore() = default;
    AttrStore(const AttrStore&) = delete;
    AttrStore& operator=(const AttrStore&) = delete;
    ~AttrStore();

    // The interning hash of v (encodes it; intern() does the same work once).
    static uint64_t hash(const RouteAttrs& v);

    // Returns the set equal to v with one more reference (the caller owns it).
    // Encodes and hashes v once.
    const AttrSet* intern(const RouteAttrs& v);
    AttrRef intern_ref(const RouteAttrs& v) { return AttrRef(this, intern(v)); }

    void acquire(const AttrSet* s) { ++s->refs; }
    void release(const AttrSet* s) {
        if (--s->refs == 0) erase(s);
    }

    // The set with this id (ids are never 0; 0 stands for "no set" in tables).
    const AttrSet* at(uint32_t id) const { return by_id_[id]; }

    size_t size() const { return count_; }
    // Bytes held by the interned sets and the index (allocator overhead estimated).
    size_t memory_bytes() const;

private:
    struct Slot {
        uint64_t hash = 0;
        AttrSet* set = nullptr;
    };
    void erase(const AttrSet* s);
    void grow();

    std::vector<Slot> slots_;
    std::vector<AttrSet*> by_id_ = std::vector<AttrSet*>(1, nullptr);
    std::vector<uint32_t> free_ids_;
    size_t mask_ = 0;
    size_t count_ = 0;
    size_t bytes_ = 0;
    wire::Buffer key_;  // scratch: the key being interned
};

}  // namespace moat::rib
