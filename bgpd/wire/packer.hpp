// Packed UPDATEs (RFC 4271 4.3, RFC 4760): prefixes that share one attribute
// set go into as few UPDATE messages as the session's maximum size allows
// (4096 octets, or 65535 with RFC 8654). The attributes are encoded once per
// set (encode_attributes) and copied into each message; IPv4 uses the NLRI and
// Withdrawn Routes fields, IPv6 MP_REACH_NLRI / MP_UNREACH_NLRI, written
// first and always with the Extended Length flag (RFC 7606 5.1). The RIB only
// groups prefixes by set (rib/rib_out.cpp); the bytes are written here.
#pragma once

#include "bgpd/wire/codec.hpp"

#include <optional>
#include <span>
#include <vector>

namespace moat::wire {

// What one announcement carries besides its prefixes: the path attributes
// and, for IPv6, the MP_REACH next hop (global, optional link-local).
struct Announcement {
    const PathAttributes& attrs;
    std::optional<IpAddress> mp_next_hop;
    std::optional<IpAddress> mp_link_local;
};

class UpdatePacker {
public:
    explicit UpdatePacker(const SessionContext& ctx) : ctx_(ctx) {}

    // Appends UPDATEs withdrawing `prefixes` (all of family afi) to out.
    void withdraw(Afi afi, std::span<const Nlri> prefixes, std::vector<Buffer>& out);

    // Appends UPDATEs announcing `prefixes` with `a` to out. Returns the
    // number of prefixes that could not be packed (the attributes alone do
    // not fit in a message, an attribute is longer than its 16-bit length,
    // or an IPv6 set has no next hop): then nothing is appended.
    size_t announce(Afi afi, const Announcement& a, std::span<const Nlri> prefixes, std::vector<Buffer>& out);

    size_t max_size() const { return ctx_.max_size(); }

private:
    bool add_path(Afi afi) const { return afi == Afi::ipv4 ? ctx_.add_path_tx_v4 : ctx_.add_path_tx_v6; }
    // Fills nlri_bytes_ from prefixes[i...] within `room` octets; returns the next i.
    size_t take(std::span<const Nlri> prefixes, size_t i, size_t room, bool ap);

    SessionContext ctx_;
    Buffer attr_bytes_;  // reused between calls
    Buffer nlri_bytes_;
};

}  // namespace moat::wire
