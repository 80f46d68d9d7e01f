// What the RIB knows about a neighbor and about itself. The speaker fills
// these from the configuration and the OPEN exchange.
#pragma once

#include "bgpd/wire/message.hpp"
#include "bgpd/wire/types.hpp"
#include "rib/decision.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace moat::rib {

// Dense neighbor index assigned by the RIB; 0 is this router itself.
using PeerId = uint16_t;
inline constexpr PeerId local_peer = 0;
inline constexpr PeerId no_peer = 0xFFFF;

// A neighbor's maximum-prefix limit for one family (RFC 4486 Cease 1).
struct PrefixLimit {
    uint32_t max = 0;             // 0: no limit
    bool count_received = false;  // count routes before import (receive), else accepted ones
    bool warning_only = false;    // over the limit: log, keep the routes
    uint8_t threshold = 75;       // percent of the limit at which the speaker warns once
    bool operator==(const PrefixLimit&) const = default;
};

struct PeerInfo {
    wire::IpAddress address;
    uint32_t asn = 0;
    uint32_t router_id = 0;  // BGP Identifier from its OPEN, host order
    bool rr_client = false;  // route-reflector client (RFC 4456), iBGP only
    // RFC 9234: our role towards this neighbor (eBGP), from `local-role`;
    // the OTC ingress procedure follows it.
    std::optional<wire::Role> local_role = std::nullopt;
    // Route-leak defenses of this neighbor (rib/defenses.hpp, Rib::import).
    PrefixLimit limit_v4{}, limit_v6{};
    bool allow_default = false;             // accept 0.0.0.0/0 and ::/0 from it (eBGP)
    bool enforce_first_as = true;           // its AS_PATH must start with its AS (eBGP)
    bool peer_lock_strict = false;          // any protected ASN in its paths is a leak
    std::vector<uint32_t> peer_lock_allow{};  // protected ASNs it may carry
};

struct RibConfig {
    uint32_t local_as = 0;
    uint32_t router_id = 0;               // host order
    std::optional<uint32_t> cluster_id;   // RFC 4456; default: router_id
    bool route_reflector = false;         // reflect iBGP routes to/from clients
    DecisionOptions decision;

    uint32_t effective_cluster_id() const { return cluster_id.value_or(router_id); }
};

}  // namespace moat::rib
