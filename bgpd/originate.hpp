// Locally originated routes (the configured `network` prefixes) as UPDATEs
// for one session: ORIGIN IGP; AS_PATH our AS for eBGP, empty for iBGP;
// LOCAL_PREF 100 for iBGP; NEXT_HOP ourselves. IPv4 prefixes go in the
// classic NLRI field with a NEXT_HOP attribute, IPv6 prefixes in MP_REACH_NLRI
// (RFC 4760). Prefixes that share attributes are packed into as few UPDATEs
// as the negotiated message size allows. Pure: no I/O.
//
// Next hop choice: the neighbor's configured next hop for the family, else
// the session's local address when it is of that family. Without either (an
// IPv6 route over an IPv4 session with no `next_hop_v6`) the family's routes
// are not sent: an IPv4-mapped IPv6 next hop is taken as IPv4 by BIRD and is
// not usable by FRR or GoBGP either.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/wire/codec.hpp"

#include <optional>
#include <vector>

namespace moat::bgp {

struct ExportTarget {
    uint32_t local_asn = 0;
    bool ibgp = false;
    std::optional<wire::IpAddress> next_hop;  // for the family being exported
    wire::SessionContext context;
};

// The next hop for family `afi` on a session (see above), or nothing.
std::optional<wire::IpAddress> choose_next_hop(const NeighborConfig& n, const std::optional<wire::IpAddress>& local,
                                               wire::Afi afi);

// The attributes of a locally originated route on this session (MP_REACH aside).
wire::PathAttributes originated_attributes(const ExportTarget& t, wire::Afi afi);

// UPDATEs announcing the networks of `family` (others are skipped). Returns
// no message when t.next_hop is empty. `announced` receives the prefix count.
std::vector<wire::Update> originate(const std::vector<wire::Prefix>& networks, wire::AfiSafi family,
                                    const ExportTarget& t, size_t* announced = nullptr);

// The End-of-RIB marker for a family (RFC 4724 2).
wire::Update end_of_rib(wire::AfiSafi family);

}  // namespace moat::bgp
