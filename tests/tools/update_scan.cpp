// Prefix keys, their hash set, and the UPDATE walk behind moat-receiver.
#include "tests/tools/update_scan.hpp"

#include <array>
#include <cstring>

namespace moat::bench {
namespace {

uint64_t load_be(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

uint64_t fmix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

// Appends the prefixes of an NLRI field; false on a malformed one.
bool prefixes(const uint8_t* p, size_t n, bool v6, bool add_path, std::vector<PrefixKey>& out) {
    const size_t max_len = v6 ? 128 : 32;
    while (n) {
        if (add_path) {
            if (n < 4) return false;
            p += 4;
            n -= 4;
            if (!n) return false;
        }
        size_t len = *p++;
        --n;
        size_t bytes = (len + 7) / 8;
        if (len > max_len || bytes > n) return false;
        std::array<uint8_t, 16> a{};
        std::memcpy(a.data(), p, bytes);
        if (len % 8) a[bytes - 1] &= static_cast<uint8_t>(0xff << (8 - len % 8));
        PrefixKey k;
        k.len = static_cast<uint8_t>(len);
        k.v6 = v6;
        if (v6) {
            k.hi = load_be(a.data(), 8);
            k.lo = load_be(a.data() + 8, 8);
        } else {
            k.hi = (load_be(a.data(), 4) << 8) | len;
        }
        out.push_back(k);
        p += bytes;
        n -= bytes;
    }
    return true;
}

}  // namespace

PrefixKey PrefixKey::of(const wire::Prefix& p) {
    PrefixKey k;
    k.len = p.len;
    k.v6 = p.v6;
    if (p.v6) {
        k.hi = load_be(p.addr.data(), 8);
        k.lo = load_be(p.addr.data() + 8, 8);
    } else {
        k.hi = (load_be(p.addr.data(), 4) << 8) | p.len;
    }
    return k;
}

PrefixSet::PrefixSet(size_t expected) {
    size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.resize(cap);
    mask_ = cap - 1;
}

size_t PrefixSet::home(const PrefixKey& k) const {
    return static_cast<size_t>(fmix(k.hi ^ fmix(k.lo + k.len + (k.v6 ? 0x100 : 0)))) & mask_;
}

void PrefixSet::grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const auto& s : old)
        if (s.used) insert(s.key);
}

bool PrefixSet::insert(const PrefixKey& k) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = home(k);; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (!s.used) {
            s.key = k;
            s.used = true;
            ++size_;
            return true;
        }
        if (s.key == k) return false;
    }
}

bool PrefixSet::contains(const PrefixKey& k) const {
    for (size_t i = home(k);; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (!s.used) return false;
        if (s.key == k) return true;
    }
}

bool PrefixSet::erase(const PrefixKey& k) {
    size_t i = home(k);
    for (;; i = (i + 1) & mask_) {
        if (!slots_[i].used) return false;
        if (slots_[i].key == k) break;
    }
    // Backward-shift deletion: pull later entries of the probe run into the
    // hole unless their home lies cyclically in (hole, j].
    for (size_t j = (i + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
        size_t h = home(slots_[j].key);
        bool stays = (i <= j) ? (i < h && h <= j) : (i < h || h <= j);
        if (!stays) {
            slots_[i] = slots_[j];
            i = j;
        }
    }
    slots_[i].used = false;
    --size_;
    return true;
}

void PrefixSet::clear() {
    for (auto& s : slots_) s.used = false;
    size_ = 0;
}

bool scan_update(wire::Bytes body, const wire::SessionContext& ctx, ScanResult& out) {
    out.announced.clear();
    out.withdrawn.clear();
    out.has_origin = out.has_as_path = out.has_next_hop = false;
    const uint8_t* p = body.data();
    size_t n = body.size();
    if (n < 2) return false;
    size_t wlen = load_be(p, 2);
    if (2 + wlen + 2 > n) return false;
    if (!prefixes(p + 2, wlen, false, ctx.add_path_rx_v4, out.withdrawn)) return false;
    const uint8_t* a = p + 2 + wlen;
    size_t alen = load_be(a, 2);
    a += 2;
    size_t rest = n - 4 - wlen;
    if (alen > rest) return false;
    const uint8_t* nlri = a + alen;
    size_t nlri_len = rest - alen;
    while (alen) {
        if (alen < 3) return false;
        uint8_t flags = a[0], type = a[1];
        size_t hdr = (flags & wire::attr::flag_extended_length) ? 4 : 3;
        if (alen < hdr) return false;
        size_t len = hdr == 4 ? load_be(a + 2, 2) : a[2];
        if (hdr + len > alen) return false;
        const uint8_t* v = a + hdr;
        if (type == wire::attr::origin) out.has_origin = true;
        if (type == wire::attr::as_path) out.has_as_path = true;
        if (type == wire::attr::next_hop) out.has_next_hop = true;
        if (type == wire::attr::mp_reach_nlri || type == wire::attr::mp_unreach_nlri) {
            if (len < 3) return false;
            uint16_t afi = static_cast<uint16_t>(load_be(v, 2));
            uint8_t safi = v[2];
            bool v4 = afi == static_cast<uint16_t>(wire::Afi::ipv4);
            bool v6 = afi == static_cast<uint16_t>(wire::Afi::ipv6);
            bool known = safi == static_cast<uint8_t>(wire::Safi::unicast) && (v4 || v6);
            bool add_path = v6 ? ctx.add_path_rx_v6 : ctx.add_path_rx_v4;
            if (type == wire::attr::mp_reach_nlri) {
                if (len < 5) return false;
                size_t nh = v[3];
                if (5 + nh > len) return false;
                if (known && !prefixes(v + 5 + nh, len - 5 - nh, v6, add_path, out.announced)) return false;
            } else if (known && !prefixes(v + 3, len - 3, v6, add_path, out.withdrawn)) {
                return false;
            }
        }
        a += hdr + len;
        alen -= hdr + len;
    }
    return prefixes(nlri, nlri_len, false, ctx.add_path_rx_v4, out.announced);
}

}  // namespace moat::bench
