// Attribute interning: an open-addressing set of AttrSet pointers keyed by a
// 64-bit hash of the whole set, with linear probing and backward-shift
// deletion. See attr_store.hpp.
#include "rib/attr_store.hpp"

#include "rib/prefix_key.hpp"

namespace moat::rib {

namespace {

struct Hasher {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    void add(uint64_t v) { h = mix64(h ^ v) + 0x9e3779b97f4a7c15ULL; }
    void add_bytes(const uint8_t* p, size_t n) {
        uint64_t w = 0;
        size_t k = 0;
        for (size_t i = 0; i < n; ++i) {
            w = (w << 8) | p[i];
            if (++k == 8) {
                add(w);
                w = 0;
                k = 0;
            }
        }
        add(w ^ (uint64_t{n} << 56));
    }
    void add_ip(const wire::IpAddress& a) {
        add_bytes(a.bytes.data(), a.bytes.size());
        add(a.v6 ? 1 : 0);
    }
};

template <typename T>
uint64_t opt(const std::optional<T>& o) {
    return o ? (uint64_t{1} << 40) | static_cast<uint64_t>(*o) : 0;
}

// Sum of heap bytes a set owns beyond sizeof(AttrSet) (allocator overhead
// of about 16 bytes per block included).
size_t heap_bytes(const RouteAttrs& v) {
    auto block = [](size_t cap, size_t elem) { return cap == 0 ? size_t{0} : cap * elem + 16; };
    const auto& p = v.path;
    size_t n = 0;
    if (p.as_path) {
        n += block(p.as_path->segments.capacity(), sizeof(wire::AsSegment));
        for (const auto& s : p.as_path->segments) n += block(s.asns.capacity(), sizeof(uint32_t));
    }
    n += block(p.communities.capacity(), sizeof(uint32_t));
    n += block(p.cluster_list.capacity(), sizeof(uint32_t));
    n += block(p.ext_communities.capacity(), sizeof(wire::ExtCommunity));
    n += block(p.large_communities.capacity(), sizeof(wire::LargeCommunity));
    n += block(p.unknown.capacity(), sizeof(wire::UnknownAttribute));
    for (const auto& u : p.unknown) n += block(u.value.capacity(), 1);
    return n;
}

}  // namespace

AttrRef::AttrRef(const AttrRef& o) : store_(o.store_), set_(o.set_) {
    if (set_) store_->acquire(set_);
}

AttrRef::~AttrRef() {
    if (set_) store_->release(set_);
}

AttrStore::~AttrStore() {
    for (AttrSet* s : slots_) delete s;
}

uint64_t AttrStore::hash(const RouteAttrs& v) {
    const auto& p = v.path;
    Hasher h;
    h.add(opt(p.origin));
    if (p.as_path) {
        h.add(p.as_path->segments.size() + 1);
        for (const auto& s : p.as_path->segments) {
            h.add((uint64_t{static_cast<uint8_t>(s.type)} << 32) | s.asns.size());
            for (uint32_t a : s.asns) h.add(a);
        }
    } else {
        h.add(0);
    }
    h.add(opt(p.next_hop));
    h.add(opt(p.med));
    h.add(opt(p.local_pref));
    h.add(p.atomic_aggregate ? 1 : 0);
    h.add(p.aggregator ? (uint64_t{p.aggregator->asn} << 32 | p.aggregator->address) ^ 1 : 0);
    h.add(p.communities.size());
    for (uint32_t c : p.communities) h.add(c);
    h.add(opt(p.originator_id));
    h.add(p.cluster_list.size());
    for (uint32_t c : p.cluster_list) h.add(c);
    h.add(p.ext_communities.size());
    for (const auto& e : p.ext_communities) h.add_bytes(e.value.data(), e.value.size());
    h.add(p.large_communities.size());
    for (const auto& l : p.large_communities) {
        h.add(l.global);
        h.add((uint64_t{l.local1} << 32) | l.local2);
    }
    h.add(opt(p.otc));
    h.add(p.unknown.size());
    for (const auto& u : p.unknown) {
        h.add((uint64_t{u.flags} << 8) | u.type);
        h.add_bytes(u.value.data(), u.value.size());
    }
    if (v.mp_next_hop) h.add_ip(*v.mp_next_hop);
    if (v.mp_link_local) h.add_ip(*v.mp_link_local);
    h.add((v.mp_next_hop ? 2 : 0) | (v.mp_link_local ? 1 : 0));
    return h.h;
}

size_t AttrStore::find_slot(const RouteAttrs& v, uint64_t h) const {
    for (size_t s = h & mask_;; s = (s + 1) & mask_) {
        const AttrSet* n = slots_[s];
        if (n == nullptr || (n->hash == h && n->value == v)) return s;
    }
}

const AttrSet* AttrStore::insert_at(size_t slot, AttrSet* node) {
    const auto& p = node->value.path;
    if (p.as_path) {
        node->as_path_length = p.as_path->decision_length();
        node->neighbor_as = p.as_path->first_as().value_or(0);
    }
    node->refs = 1;
    slots_[slot] = node;
    ++count_;
    return node;
}

const AttrSet* AttrStore::intern(const RouteAttrs& v, uint64_t h) {
    if ((count_ + 1) * 10 > slots_.size() * 7) grow();
    size_t s = find_slot(v, h);
    if (slots_[s]) {
        ++slots_[s]->refs;
        return slots_[s];
    }
    auto* node = new AttrSet{v, h};
    return insert_at(s, node);
}

const AttrSet* AttrStore::intern(RouteAttrs&& v, uint64_t h) {
    if ((count_ + 1) * 10 > slots_.size() * 7) grow();
    size_t s = find_slot(v, h);
    if (slots_[s]) {
        ++slots_[s]->refs;
        return slots_[s];
    }
    auto* node = new AttrSet{std::move(v), h};
    return insert_at(s, node);
}

void AttrStore::erase(const AttrSet* set) {
    size_t s = set->hash & mask_;
    while (slots_[s] != set) s = (s + 1) & mask_;
    size_t hole = s;
    for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
        AttrSet* n = slots_[j];
        if (n == nullptr) break;
        size_t home = n->hash & mask_;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            slots_[hole] = n;
            hole = j;
        }
    }
    slots_[hole] = nullptr;
    delete set;
    --count_;
}

void AttrStore::grow() {
    size_t n = slots_.empty() ? 64 : slots_.size() * 2;
    std::vector<AttrSet*> old(n, nullptr);
    old.swap(slots_);
    mask_ = n - 1;
    for (AttrSet* node : old) {
        if (!node) continue;
        size_t s = node->hash & mask_;
        while (slots_[s]) s = (s + 1) & mask_;
        slots_[s] = node;
    }
}

size_t AttrStore::memory_bytes() const {
    size_t n = slots_.capacity() * sizeof(AttrSet*);
    for (const AttrSet* s : slots_)
        if (s) n += sizeof(AttrSet) + 16 + heap_bytes(s->value);
    return n;
}

}  // namespace moat::rib
