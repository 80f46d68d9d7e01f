// Next hop choice and End-of-RIB for what a session announces. Pure: no I/O.
//
// Next hop: the neighbor's configured next hop for the family, else the
// session's local address when it is of that family. Without either (an
// IPv6 route over an IPv4 session with no `next_hop_v6`) the family's routes
// are not sent: an IPv4-mapped IPv6 next hop is taken as IPv4 by BIRD and is
// not usable by FRR or GoBGP either.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/wire/codec.hpp"

#include <optional>
#include <vector>

namespace moat::bgp {

// The next hop for family `afi` on a session (see above), or nothing.
std::optional<wire::IpAddress> choose_next_hop(const NeighborConfig& n, const std::optional<wire::IpAddress>& local,
                                               wire::Afi afi);

// The End-of-RIB marker for a family (RFC 4724 2).
wire::Update end_of_rib(wire::AfiSafi family);

}  // namespace moat::bgp
