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

wire::PathAttributes originated_attributes(const ExportTarget& t, wire::Afi afi) {
    wire::PathAttributes a;
    a.origin = wire::Origin::igp;
    a.as_path = wire::AsPath{};
    if (!t.ibgp) a.as_path->segments.push_back(wire::AsSegment{wire::SegmentType::as_sequence, {t.local_asn}});
    if (t.ibgp) a.local_pref = 100;
    if (afi == wire::Afi::ipv4 && t.next_hop) a.next_hop = t.next_hop->v4_value();
    return a;
}

namespace {
size_t nlri_size(const wire::Prefix& p) { return 1 + (p.len + 7u) / 8u; }
}  // namespace

std::vector<wire::Update> originate(const std::vector<wire::Prefix>& networks, wire::AfiSafi family,
                                    const ExportTarget& t, size_t* announced) {
    std::vector<wire::Update> out;
    if (announced) *announced = 0;
    if (!t.next_hop) return out;
    auto attrs = originated_attributes(t, family.afi);
    wire::Buffer encoded;
    wire::encode_attributes(attrs, t.context, encoded);

    bool v6 = family.afi == wire::Afi::ipv6;
    // Header, withdrawn length, attribute length, the attributes, and for
    // IPv6 the MP_REACH header: flags, type, 2-octet length, AFI, SAFI,
    // next-hop length, a 16-octet next hop, reserved.
    size_t fixed = wire::header_size + 2 + 2 + encoded.size() + (v6 ? 4 + 3 + 1 + 16 + 1 : 0);
    size_t budget = t.context.max_size() - fixed;

    wire::Update current;
    size_t used = 0;
    auto flush = [&] {
        if (used == 0) return;
        out.push_back(std::move(current));
        current = wire::Update{};
        used = 0;
    };
    for (const auto& p : networks) {
        if (p.afi() != family.afi) continue;
        size_t s = nlri_size(p);
        if (used + s > budget) flush();
        if (used == 0) {
            current.attrs = attrs;
            if (v6) current.mp_reach = wire::MpReach{family, *t.next_hop, std::nullopt, {}};
        }
        if (v6)
            current.mp_reach->nlri.push_back(wire::Nlri{0, p});
        else
            current.nlri.push_back(wire::Nlri{0, p});
        used += s;
        if (announced) ++*announced;
    }
    flush();
    return out;
}

wire::Update end_of_rib(wire::AfiSafi family) {
    wire::Update u;
    if (family.afi != wire::Afi::ipv4) u.mp_unreach = wire::MpUnreach{family, {}};
    return u;
}

}  // namespace moat::bgp
