// Compact prefix keys for the RIB tables.
//
// A wire::Prefix is 18 bytes and carries its family at run time; the tables
// are per address family, so they store a key of the family's exact size:
// IPv4 is a 32-bit address and a length (8 bytes with padding), IPv6 two
// 64-bit halves and a length (24 bytes). Host bits beyond the length are
// always zero, so equal prefixes are equal keys bit for bit. Keys order by
// address, then length, which puts a prefix right before its more-specifics.
#pragma once

#include "bgpd/wire/types.hpp"

#include <compare>
#include <cstdint>

namespace moat::rib {

inline uint64_t mix64(uint64_t x) {
    // splitmix64 finaliser: cheap, and every input bit reaches every output bit.
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

struct V4Key {
    uint32_t addr = 0;  // host order
    uint8_t len = 0;

    static constexpr wire::Afi afi = wire::Afi::ipv4;
    static constexpr uint8_t max_len = 32;

    static V4Key from(const wire::Prefix& p) {
        return V4Key{(uint32_t{p.addr[0]} << 24) | (uint32_t{p.addr[1]} << 16) |
                         (uint32_t{p.addr[2]} << 8) | uint32_t{p.addr[3]},
                     p.len};
    }
    wire::Prefix to_prefix() const {
        wire::Prefix p;
        p.addr[0] = static_cast<uint8_t>(addr >> 24);
        p.addr[1] = static_cast<uint8_t>(addr >> 16);
        p.addr[2] = static_cast<uint8_t>(addr >> 8);
        p.addr[3] = static_cast<uint8_t>(addr);
        p.len = len;
        p.v6 = false;
        return p;
    }
    // This prefix shortened to `l` bits (l <= len).
    V4Key truncated(uint8_t l) const {
        return V4Key{l == 0 ? 0 : addr & (~uint32_t{0} << (32 - l)), l};
    }
    // True when `o` is this prefix or one of its more-specifics.
    bool covers(const V4Key& o) const { return o.len >= len && o.truncated(len) == *this; }
    uint64_t hash() const { return mix64((uint64_t{addr} << 8) | len); }
    auto operator<=>(const V4Key&) const = default;
};

struct V6Key {
    uint64_t hi = 0, lo = 0;  // address, most significant half first
    uint8_t len = 0;

    static constexpr wire::Afi afi = wire::Afi::ipv6;
    static constexpr uint8_t max_len = 128;

    static V6Key from(const wire::Prefix& p) {
        V6Key k;
        for (int i = 0; i < 8; ++i) k.hi = (k.hi << 8) | p.addr[static_cast<size_t>(i)];
        for (int i = 8; i < 16; ++i) k.lo = (k.lo << 8) | p.addr[static_cast<size_t>(i)];
        k.len = p.len;
        return k;
    }
    wire::Prefix to_prefix() const {
        wire::Prefix p;
        for (int i = 0; i < 8; ++i) p.addr[static_cast<size_t>(i)] = static_cast<uint8_t>(hi >> (56 - 8 * i));
        for (int i = 0; i < 8; ++i) p.addr[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(lo >> (56 - 8 * i));
        p.len = len;
        p.v6 = true;
        return p;
    }
    V6Key truncated(uint8_t l) const {
        V6Key k{hi, lo, l};
        if (l <= 64) {
            k.lo = 0;
            k.hi = l == 0 ? 0 : hi & (~uint64_t{0} << (64 - l));
        } else if (l < 128) {
            k.lo = lo & (~uint64_t{0} << (128 - l));
        }
        return k;
    }
    bool covers(const V6Key& o) const { return o.len >= len && o.truncated(len) == *this; }
    uint64_t hash() const { return mix64(hi ^ mix64(lo ^ (uint64_t{len} << 56))); }
    auto operator<=>(const V6Key&) const = default;
};

}  // namespace moat::rib
