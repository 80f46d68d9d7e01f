// Helpers of the configuration model (bgpd/config.hpp).
#include "bgpd/config.hpp"

namespace moat::bgp {

const NeighborConfig* BgpConfig::find_neighbor(const wire::IpAddress& a) const {
    for (const auto& n : neighbors)
        if (n.address == a) return &n;
    return nullptr;
}

}  // namespace moat::bgp
