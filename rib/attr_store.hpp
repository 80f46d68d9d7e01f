// Interned path attribute sets (hash-consing).
//
// Every route points to an AttrSet; equal attribute sets are one object, so
// comparing two routes' attributes is a pointer compare and a full table with
// a few hundred thousand distinct sets stores each set once. Sets are
// reference counted and freed when the last route (or AttrRef) lets go.
//
// An AttrSet holds wire::PathAttributes plus the MP_REACH next hop (RFC 4760),
// which the codec keeps in Update::mp_reach: two IPv6 routes that differ only
// in next hop must not share a set. The hash is computed once per set given to
// intern() (once per UPDATE and family), never per prefix. A few values the
// decision process reads for every comparison are derived once here.
#pragma once

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
    RouteAttrs value;
    uint64_t hash = 0;
    uint32_t as_path_length = 0;  // AsPath::decision_length(), RFC 4271 9.1.2.2 a
    uint32_t neighbor_as = 0;     // leftmost AS of the path (0: empty path), for MED
    mutable uint32_t refs = 0;

    const wire::PathAttributes& path() const { return value.path; }
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

    static uint64_t hash(const RouteAttrs& v);

    // Returns the set equal to v with one more reference (the caller owns it).
    const AttrSet* intern(const RouteAttrs& v) { return intern(v, hash(v)); }
    const AttrSet* intern(const RouteAttrs& v, uint64_t h);
    const AttrSet* intern(RouteAttrs&& v, uint64_t h);
    AttrRef intern_ref(const RouteAttrs& v) { return AttrRef(this, intern(v)); }

    void acquire(const AttrSet* s) { ++s->refs; }
    void release(const AttrSet* s) {
        if (--s->refs == 0) erase(s);
    }

    size_t size() const { return count_; }
    // Approximate bytes held by the interned sets and the index.
    size_t memory_bytes() const;

private:
    size_t find_slot(const RouteAttrs& v, uint64_t h) const;  // slot of v or of the empty slot to use
    const AttrSet* insert_at(size_t slot, AttrSet* node);
    void erase(const AttrSet* s);
    void grow();

    std::vector<AttrSet*> slots_;
    size_t mask_ = 0;
    size_t count_ = 0;
};

}  // namespace moat::rib
