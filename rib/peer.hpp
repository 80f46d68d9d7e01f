// What the RIB knows about a neighbor and about itself. The speaker fills
// these from the configuration and the OPEN exchange.
#pragma once

#include "bgpd/wire/message.hpp"
#include "bgpd/wire/types.hpp"
#include "rib/decision.hpp"

#include <cstdint>
#include <optional>

namespace moat::rib {

// Dense neighbor index assigned by the RIB; 0 is this router itself.
using PeerId = uint16_t;
inline constexpr PeerId local_peer = 0;
inline constexpr PeerId no_peer = 0xFFFF;

struct PeerInfo {
    wire::IpAddress address;
    uint32_t asn = 0;
    uint32_t router_id = 0;  // BGP Identifier from its OPEN, host order
    bool rr_client = false;  // route-reflector client (RFC 4456), iBGP only
    // RFC 9234: our role towards this neighbor (eBGP), from `local-role`;
    // the OTC ingress procedure follows it.
    std::optional<wire::Role> local_role = std::nullopt;
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
