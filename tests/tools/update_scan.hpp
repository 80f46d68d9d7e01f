// Fast prefix accounting for moat-receiver.
//
// scan_update() walks an UPDATE body and reports only what a counter needs:
// the prefixes announced and withdrawn per AFI (classic fields and
// MP_REACH/MP_UNREACH, RFC 4760), as compact keys, without building the
// attribute values wire::decode_update() builds. PrefixSet is an
// open-addressing hash set of those keys (linear probing, backward-shift
// deletion), so a million prefixes cost no per-entry allocation.
#pragma once

#include "bgpd/wire/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moat::bench {

// A prefix as a key: IPv4 in hi (address << 8 | length), IPv6 in hi/lo + len.
struct PrefixKey {
    uint64_t hi = 0;
    uint64_t lo = 0;
    uint8_t len = 0;
    bool v6 = false;
    bool operator==(const PrefixKey&) const = default;

    static PrefixKey of(const wire::Prefix& p);
};

class PrefixSet {
public:
    explicit PrefixSet(size_t expected = 0);
    bool insert(const PrefixKey& k);  // false when already present
    bool erase(const PrefixKey& k);   // false when absent
    bool contains(const PrefixKey& k) const;
    size_t size() const { return size_; }
    void clear();

private:
    struct Slot {
        PrefixKey key;
        bool used = false;
    };
    size_t home(const PrefixKey& k) const;
    void grow();

    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

struct ScanResult {
    std::vector<PrefixKey> announced;
    std::vector<PrefixKey> withdrawn;
    bool has_origin = false;
    bool has_as_path = false;
    bool has_next_hop = false;
};

// Fills out from one UPDATE body (after the 19-octet header). Returns false
// when the body's framing is broken (lengths overrun, prefix longer than its
// family allows). Path identifiers are skipped when ADD-PATH is on.
bool scan_update(wire::Bytes body, const wire::SessionContext& ctx, ScanResult& out);

}  // namespace moat::bench
