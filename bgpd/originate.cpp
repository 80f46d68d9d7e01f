// See originate.hpp.
#include "bgpd/originate.hpp"

namespace moat::bgp {

std::optional<wire::IpAddress> choose_next_hop(const NeighborConfig& n, const std::optional<wire::IpAddress>& local,
                                               wire::Afi afi) {
    const auto& configured = afi == wire::Afi::ipv4 ? n.next_hop_v4 : n.next_hop_v6;
    if (configured && configured->afi() == afi) return configured;
    if (local && local->afi() == afi) return local;
    return std::nullopt;
}

wire::Update end_of_rib(wire::AfiSafi family) {
    wire::Update u;
    if (family.afi != wire::Afi::ipv4) u.mp_unreach = wire::MpUnreach{family, {}};
    return u;
}

}  // namespace moat::bgp
