// Export rules: which best routes an update group receives, and with which
// attributes. Pure functions of the route, its source and the group.
//
// RFC 4271 5.1.3/5.1.4/5.1.5/9.1.3, RFC 1997 (NO_EXPORT, NO_ADVERTISE,
// NO_EXPORT_SUBCONFED), RFC 4456 (route reflection), RFC 9234 5 (OTC).
//   eBGP: our AS prepended, NEXT_HOP self, LOCAL_PREF removed, MED removed
//         unless we originated the route, ORIGINATOR_ID/CLUSTER_LIST removed;
//         NO_EXPORT and NO_EXPORT_SUBCONFED routes are not sent (Moat has no
//         confederations, so both stop at the AS border).
//         With a role: a route carrying OTC is not sent to a provider, peer
//         or route server; one sent to a customer, peer or route-server
//         client without OTC gets OTC = our AS (rib/otc.hpp).
//   iBGP: LOCAL_PREF present (default filled in), NEXT_HOP kept unless the
//         group asks for next-hop-self or we originated the route; a route
//         learnt over iBGP is sent only when reflecting: client -> everyone,
//         non-client -> clients, with ORIGINATOR_ID set and our cluster id
//         prepended to CLUSTER_LIST.
//   All:  NO_ADVERTISE routes are sent to no one; a route is never sent back
//         to the peer it came from (the update group excludes that member).
#pragma once

#include "bgpd/wire/codec.hpp"
#include "rib/attr_store.hpp"
#include "rib/peer.hpp"

#include <optional>
#include <string>

namespace moat::rib {

// What an update group shares: the export policy and the negotiated session
// parameters that shape the encoding.
struct GroupConfig {
    bool ebgp = true;
    bool rr_clients = false;     // iBGP members are route-reflector clients
    bool next_hop_self = false;  // iBGP: put our address in NEXT_HOP (eBGP always does)
    uint32_t local_v4 = 0;       // our IPv4 address towards the members, host order
    std::optional<wire::IpAddress> local_v6;             // our global IPv6 address
    std::optional<wire::IpAddress> local_v6_link_local;  // sent as the second next hop
    wire::SessionContext ctx;    // capabilities every member negotiated
    bool ipv4 = true;            // families the members negotiated
    bool ipv6 = true;
    // RFC 9234: our role towards the members (eBGP), for the OTC egress rules
    // (rib/otc.hpp); part of the group key.
    std::optional<wire::Role> role = std::nullopt;
    // Export policy (rib/policy.hpp): the members' `route-map out`, applied
    // to each route the rules above allow; export_none: nothing at all
    // (RFC 8212, an eBGP group without an export route-map).
    std::string out_map;
    bool export_none = false;
};

// The source of a route, as export sees it.
struct RouteSource {
    const PeerInfo* peer = nullptr;  // nullptr: originated by this router
    bool ibgp = false;
};

bool export_allowed(const RibConfig& rib, const GroupConfig& g, const RouteSource& src,
                    const AttrSet& attrs, wire::Afi afi);

RouteAttrs export_attrs(const RibConfig& rib, const GroupConfig& g, const RouteSource& src,
                        const AttrSet& attrs, wire::Afi afi);

}  // namespace moat::rib
