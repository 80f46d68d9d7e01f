// Export rules; see export.hpp for the summary and the RFC sections.
#include "rib/export.hpp"

#include "rib/otc.hpp"

namespace moat::rib {

bool export_allowed(const RibConfig& rib, const GroupConfig& g, const RouteSource& src,
                    const AttrSet& attrs, wire::Afi afi) {
    if (attrs.is(AttrSet::no_advertise)) return false;  // RFC 1997
    if (!(afi == wire::Afi::ipv4 ? g.ipv4 : g.ipv6)) return false;  // family not negotiated
    // Our next hop is needed for eBGP, for our own routes and with
    // next-hop-self; without one of the family the route cannot be sent.
    const bool own_next_hop = g.ebgp || src.peer == nullptr || g.next_hop_self;
    if (own_next_hop && afi == wire::Afi::ipv4 && g.local_v4 == 0) return false;
    if (own_next_hop && afi == wire::Afi::ipv6 && !g.local_v6) return false;
    if (g.ebgp) {
        if (attrs.is(AttrSet::no_export) || attrs.is(AttrSet::no_export_subconfed)) return false;
        if (afi == wire::Afi::ipv6 && !g.local_v6) return false;  // no next hop to give
        return otc_export_allowed(g.role, attrs.is(AttrSet::has_otc));  // RFC 9234 5
    }
    // iBGP: routes from eBGP or local go to every internal peer; iBGP-learnt
    // ones only when reflecting (RFC 4456 6).
    if (!src.ibgp) return true;
    if (!rib.route_reflector) return false;
    return src.peer->rr_client || g.rr_clients;
}

RouteAttrs export_attrs(const RibConfig& rib, const GroupConfig& g, const RouteSource& src,
                        const AttrSet& attrs, wire::Afi afi) {
    RouteAttrs out = attrs.value();
    wire::PathAttributes& p = out.path;
    const bool local = src.peer == nullptr;
    if (g.ebgp) {
        // RFC 4271 5.1.2: prepend our AS to the leftmost AS_SEQUENCE.
        if (!p.as_path) p.as_path.emplace();
        auto& segs = p.as_path->segments;
        if (segs.empty() || segs.front().type != wire::SegmentType::as_sequence ||
            segs.front().asns.size() >= 255)
            segs.insert(segs.begin(), wire::AsSegment{wire::SegmentType::as_sequence, {}});
        segs.front().asns.insert(segs.front().asns.begin(), rib.local_as);
        p.local_pref.reset();                 // RFC 4271 5.1.5
        if (!local) p.med.reset();            // RFC 4271 5.1.4: MED stays in the neighbor AS
        p.originator_id.reset();              // RFC 4456: optional non-transitive
        p.cluster_list.clear();
        if (!p.otc && otc_added_on_export(g.role)) p.otc = rib.local_as;  // RFC 9234 5
        if (afi == wire::Afi::ipv4) {
            p.next_hop = g.local_v4;          // RFC 4271 5.1.3
        } else {
            out.mp_next_hop = g.local_v6;
            out.mp_link_local = g.local_v6_link_local;
        }
    } else {
        if (!p.local_pref) p.local_pref = rib.decision.default_local_pref;
        if (local || g.next_hop_self) {
            if (afi == wire::Afi::ipv4) {
                p.next_hop = g.local_v4;
            } else if (g.local_v6) {
                out.mp_next_hop = g.local_v6;
                out.mp_link_local.reset();
            }
        }
        if (src.ibgp) {  // reflecting, RFC 4456 8
            if (!p.originator_id) p.originator_id = src.peer->router_id;
            p.cluster_list.insert(p.cluster_list.begin(), rib.effective_cluster_id());
        }
    }
    if (afi == wire::Afi::ipv6) p.next_hop.reset();  // IPv6 next hops travel in MP_REACH
    if (local && !p.origin) p.origin = wire::Origin::igp;
    if (!p.as_path) p.as_path.emplace();
    return out;
}

}  // namespace moat::rib
