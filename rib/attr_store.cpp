// Attribute interning: an open-addressing table of (hash, AttrSet*) with
// linear probing and backward-shift deletion; the key is the set's next hops
// plus its wire encoding. See attr_store.hpp.
#include "rib/attr_store.hpp"

#include "rib/prefix_key.hpp"

#include <cstring>
#include <stdexcept>
#include <new>

namespace moat::rib {

namespace {

wire::SessionContext key_context() {
    // 4-octet ASNs (no AS4_PATH), and iBGP so LOCAL_PREF, ORIGINATOR_ID and
    // CLUSTER_LIST are kept on the way back in.
    wire::SessionContext ctx;
    ctx.four_octet_as = true;
    ctx.ibgp = true;
    ctx.trusted = true;
    return ctx;
}

// Key layout: [flags:2][next hops: 16 or 32 bytes][encoded attributes].
void build_key(const RouteAttrs& v, wire::Buffer& key, uint16_t& nh_flags) {
    nh_flags = 0;
    key.clear();
    key.push_back(0);
    key.push_back(0);
    if (v.mp_next_hop) {
        nh_flags |= AttrSet::has_mp_next_hop;
        if (v.mp_next_hop->v6) nh_flags |= AttrSet::mp_next_hop_v6;
        key.insert(key.end(), v.mp_next_hop->bytes.begin(), v.mp_next_hop->bytes.end());
        if (v.mp_link_local) {
            nh_flags |= AttrSet::has_mp_link_local;
            key.insert(key.end(), v.mp_link_local->bytes.begin(), v.mp_link_local->bytes.end());
        }
    }
    key[0] = static_cast<uint8_t>(nh_flags >> 8);
    key[1] = static_cast<uint8_t>(nh_flags);
    // Received AS_PATHs are bounded (wire::max_as_path_bytes) and what
    // policy adds is bounded by the configuration, so every set fits.
    if (!wire::encode_attributes(v.path, key_context(), key))
        throw std::length_error("attribute store: an attribute does not fit its 16-bit length");
}

uint64_t hash_bytes(const uint8_t* p, size_t n) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
    }
    uint64_t w = 0;
    for (; i < n; ++i) w = (w << 8) | p[i];
    return mix64(h ^ w);
}

// The stored key of a set, rebuilt in the same layout as build_key().
bool same_key(const AttrSet& s, const wire::Buffer& key) {
    const size_t nh = s.next_hop_bytes();
    if (key.size() != 2 + nh + s.encoded_size) return false;
    const uint16_t nh_flags = s.flags & (AttrSet::has_mp_next_hop | AttrSet::has_mp_link_local | AttrSet::mp_next_hop_v6);
    if (key[0] != static_cast<uint8_t>(nh_flags >> 8) || key[1] != static_cast<uint8_t>(nh_flags)) return false;
    return std::memcmp(key.data() + 2, s.data(), nh + s.encoded_size) == 0;
}

uint32_t cluster_len(const wire::PathAttributes& p) {
    return static_cast<uint32_t>(p.cluster_list.size());
}

}  // namespace

RouteAttrs AttrSet::value() const {
    RouteAttrs out;
    const uint8_t* p = data();
    if (is(has_mp_next_hop)) {
        wire::IpAddress a;
        std::memcpy(a.bytes.data(), p, 16);
        a.v6 = is(mp_next_hop_v6);
        out.mp_next_hop = a;
        p += 16;
        if (is(has_mp_link_local)) {
            wire::IpAddress ll;
            std::memcpy(ll.bytes.data(), p, 16);
            ll.v6 = true;
            out.mp_link_local = ll;
        }
    }
    // intern() only keeps encodings that decode back (checked there).
    if (!wire::decode_attribute_list(encoded(), key_context(), out.path))
        throw std::logic_error("attribute store: a stored set does not decode");
    return out;
}

std::optional<wire::IpAddress> AttrSet::next_hop() const {
    if (is(has_mp_next_hop)) {
        wire::IpAddress a;
        std::memcpy(a.bytes.data(), data(), 16);
        a.v6 = is(mp_next_hop_v6);
        return a;
    }
    // The encoded attributes: flags, type, a length of one or two bytes, the value.
    const wire::Bytes b = encoded();
    for (size_t at = 0; at + 3 <= b.size();) {
        const uint8_t attr_flags = b[at], type = b[at + 1];
        const bool extended = attr_flags & wire::attr::flag_extended_length;
        if (at + (extended ? 4u : 3u) > b.size()) break;
        const size_t len = extended ? (size_t{b[at + 2]} << 8 | b[at + 3]) : b[at + 2];
        const size_t value = at + (extended ? 4 : 3);
        if (value + len > b.size()) break;
        if (type == wire::attr::next_hop && len == 4)
            return wire::IpAddress::v4(uint32_t{b[value]} << 24 | uint32_t{b[value + 1]} << 16 |
                                       uint32_t{b[value + 2]} << 8 | b[value + 3]);
        at = value + len;
    }
    return std::nullopt;
}

AttrRef::AttrRef(const AttrRef& o) : store_(o.store_), set_(o.set_) {
    if (set_) store_->acquire(set_);
}

AttrRef::~AttrRef() {
    if (set_) store_->release(set_);
}

AttrStore::~AttrStore() {
    for (Slot& s : slots_) {
        if (!s.set) continue;
        s.set->~AttrSet();
        ::operator delete(s.set);
    }
}

uint64_t AttrStore::hash(const RouteAttrs& v) {
    wire::Buffer key;
    uint16_t nh_flags = 0;
    build_key(v, key, nh_flags);
    return hash_bytes(key.data(), key.size());
}

const AttrSet* AttrStore::intern(const RouteAttrs& v) {
    uint16_t nh_flags = 0;
    build_key(v, key_, nh_flags);
    const uint64_t h = hash_bytes(key_.data(), key_.size());
    if ((count_ + 1) * 10 > slots_.size() * 7) grow();
    size_t i = h & mask_;
    for (; slots_[i].set; i = (i + 1) & mask_) {
        if (slots_[i].hash == h && same_key(*slots_[i].set, key_)) {
            ++slots_[i].set->refs;
            return slots_[i].set;
        }
    }
    const size_t payload = key_.size() - 2;
    void* mem = ::operator new(sizeof(AttrSet) + payload);
    auto* s = new (mem) AttrSet;
    std::memcpy(const_cast<uint8_t*>(s->data()), key_.data() + 2, payload);

    const wire::PathAttributes& p = v.path;
    s->hash = h;
    s->refs = 1;
    s->flags = nh_flags;
    s->encoded_size = static_cast<uint32_t>(payload - s->next_hop_bytes());
    if (p.as_path) {
        s->as_path_length = p.as_path->decision_length();
        s->neighbor_as = p.as_path->first_as().value_or(0);
        if (auto o = p.as_path->origin_as()) {
            s->flags |= AttrSet::has_origin_as;
            s->origin_as = *o;
        }
    }
    if (p.local_pref) {
        s->flags |= AttrSet::has_local_pref;
        s->local_pref = *p.local_pref;
    }
    if (p.med) {
        s->flags |= AttrSet::has_med;
        s->med = *p.med;
    }
    if (p.originator_id) {
        s->flags |= AttrSet::has_originator;
        s->originator_id = *p.originator_id;
    }
    if (p.origin) {
        s->flags |= AttrSet::has_origin;
        s->origin = *p.origin;
    }
    s->cluster_list_length = static_cast<uint16_t>(cluster_len(p));
    if (p.otc) s->flags |= AttrSet::has_otc;
    if (p.has_community(wire::community_no_export)) s->flags |= AttrSet::no_export;
    if (p.has_community(wire::community_no_advertise)) s->flags |= AttrSet::no_advertise;
    if (p.has_community(wire::community_no_export_subconfed)) s->flags |= AttrSet::no_export_subconfed;

    if (!free_ids_.empty()) {
        s->id = free_ids_.back();
        free_ids_.pop_back();
        by_id_[s->id] = s;
    } else {
        s->id = static_cast<uint32_t>(by_id_.size());
        by_id_.push_back(s);
    }
    slots_[i] = Slot{h, s};
    ++count_;
    bytes_ += sizeof(AttrSet) + payload;
    return s;
}

void AttrStore::erase(const AttrSet* set) {
    size_t s = set->hash & mask_;
    while (slots_[s].set != set) s = (s + 1) & mask_;
    size_t hole = s;
    for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
        const Slot& n = slots_[j];
        if (n.set == nullptr) break;
        size_t home = n.hash & mask_;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            slots_[hole] = n;
            hole = j;
        }
    }
    slots_[hole] = Slot{};
    by_id_[set->id] = nullptr;
    free_ids_.push_back(set->id);
    bytes_ -= sizeof(AttrSet) + set->next_hop_bytes() + set->encoded_size;
    AttrSet* mut = const_cast<AttrSet*>(set);
    mut->~AttrSet();
    ::operator delete(mut);
    --count_;
}

void AttrStore::grow() {
    size_t n = slots_.empty() ? 64 : slots_.size() * 2;
    std::vector<Slot> old(n);
    old.swap(slots_);
    mask_ = n - 1;
    for (const Slot& o : old) {
        if (!o.set) continue;
        size_t s = o.hash & mask_;
        while (slots_[s].set) s = (s + 1) & mask_;
        slots_[s] = o;
    }
}

size_t AttrStore::memory_bytes() const {
    // ~16 bytes of allocator overhead per set.
    return slots_.capacity() * sizeof(Slot) + by_id_.capacity() * sizeof(AttrSet*) +
           free_ids_.capacity() * sizeof(uint32_t) + bytes_ + count_ * 16;
}

}  // namespace moat::rib
