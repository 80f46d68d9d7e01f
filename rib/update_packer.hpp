// Packs prefixes that share one attribute set into as few UPDATE messages as
// the session's maximum message size allows (RFC 4271 4.3; 4096 bytes, or
// 65535 with RFC 8654). The attributes are encoded once per set with
// wire::encode_attributes and copied into each message; prefixes are encoded
// with wire::encode_nlri. IPv4 uses the NLRI / Withdrawn Routes fields, IPv6
// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760). Pure: no RIB state.
#pragma once

#include "bgpd/wire/codec.hpp"
#include "rib/attr_store.hpp"

#include <span>
#include <vector>

namespace moat::rib {

class UpdatePacker {
public:
    explicit UpdatePacker(const wire::SessionContext& ctx) : ctx_(ctx) {}

    // Appends UPDATEs withdrawing `prefixes` (all of family afi) to out.
    void withdraw(wire::Afi afi, std::span<const wire::Nlri> prefixes, std::vector<wire::Buffer>& out);

    // Appends UPDATEs announcing `prefixes` with `attrs` to out. Returns the
    // number of prefixes that could not be packed (the attributes alone do
    // not fit in a message, or an IPv6 set has no next hop); they are left
    // unannounced.
    size_t announce(wire::Afi afi, const RouteAttrs& attrs, std::span<const wire::Nlri> prefixes,
                    std::vector<wire::Buffer>& out);

    size_t max_size() const { return ctx_.max_size(); }

private:
    bool add_path(wire::Afi afi) const {
        return afi == wire::Afi::ipv4 ? ctx_.add_path_tx_v4 : ctx_.add_path_tx_v6;
    }

    wire::SessionContext ctx_;
    wire::Buffer attr_bytes_;  // reused between calls
    wire::Buffer nlri_bytes_;
};

}  // namespace moat::rib
