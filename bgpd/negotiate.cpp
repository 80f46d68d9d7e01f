// See negotiate.hpp.
#include "bgpd/negotiate.hpp"

#include <algorithm>

namespace moat::bgp {

namespace {
constexpr wire::AfiSafi v4u{wire::Afi::ipv4, wire::Safi::unicast};
constexpr wire::AfiSafi v6u{wire::Afi::ipv6, wire::Safi::unicast};

bool has(const std::vector<wire::AfiSafi>& v, wire::AfiSafi f) { return std::find(v.begin(), v.end(), f) != v.end(); }
}  // namespace

wire::Open make_open(const LocalSettings& local, const NeighborConfig& n) {
    wire::Open o;
    o.my_as = local.asn > 0xffff ? wire::as_trans : static_cast<uint16_t>(local.asn);
    o.hold_time = n.hold_time;
    o.bgp_id = local.router_id;
    if (n.ipv4_unicast) o.caps.multiprotocol.push_back(v4u);
    if (n.ipv6_unicast) o.caps.multiprotocol.push_back(v6u);
    o.caps.route_refresh = true;
    o.caps.enhanced_route_refresh = true;
    o.caps.extended_message = true;
    o.caps.four_octet_as = local.asn;
    o.caps.role = n.local_role;  // RFC 9234 4.1
    return o;
}

std::vector<wire::AfiSafi> peer_families(const wire::Capabilities& c) {
    if (c.multiprotocol.empty()) return {v4u};
    return c.multiprotocol;
}

std::variant<Negotiated, wire::Notification> negotiate(const LocalSettings& local, const NeighborConfig& n,
                                                       const wire::Open& ours, const wire::Open& theirs) {
    using wire::Notification;
    namespace err = wire::err;

    // Peer AS: a 2-octet speaker cannot have an AS above 65535 (RFC 6793 4.1).
    if (theirs.asn() != n.remote_as) return Notification{err::open, err::bad_peer_as, {}};
    // BGP Identifier: non-zero; and for iBGP different from ours (RFC 6286 2.2).
    bool ibgp = n.remote_as == local.asn;
    if (theirs.bgp_id == 0 || (ibgp && theirs.bgp_id == local.router_id))
        return Notification{err::open, err::bad_bgp_identifier, {}};
    // Hold time: 0 or at least 3 seconds.
    if (theirs.hold_time == 1 || theirs.hold_time == 2)
        return Notification{err::open, err::unacceptable_hold_time, {}};

    // RFC 9234 4.2: with a local role, the neighbor's role must be the
    // matching one (Table 2); a repeated capability with another value, or
    // in strict mode no capability at all, is a mismatch as well.
    if (n.local_role) {
        const auto& c = theirs.caps;
        bool mismatch = c.role_conflict() || (c.role && *c.role != wire::expected_remote_role(*n.local_role)) ||
                        (!c.role && n.role_strict);
        if (mismatch) return Notification{err::open, err::role_mismatch, {}};
    }

    Negotiated r;
    r.remote_role = theirs.caps.role;
    auto theirs_af = peer_families(theirs.caps);
    auto ours_af = peer_families(ours.caps);
    r.ipv4_unicast = has(ours_af, v4u) && has(theirs_af, v4u);
    r.ipv6_unicast = has(ours_af, v6u) && has(theirs_af, v6u);
    if (!r.ipv4_unicast && !r.ipv6_unicast) {
        // Nothing in common: name what we need (RFC 5492 3, Unsupported Capability).
        Notification no{err::open, err::unsupported_capability, {}};
        for (auto f : ours.caps.multiprotocol) {
            auto afi = static_cast<uint16_t>(f.afi);
            no.data.insert(no.data.end(), {wire::cap::multiprotocol, 4, static_cast<uint8_t>(afi >> 8),
                                           static_cast<uint8_t>(afi & 0xff), 0, static_cast<uint8_t>(f.safi)});
        }
        return no;
    }

    r.hold_time = std::min(ours.hold_time, theirs.hold_time);
    if (r.hold_time != 0) {
        uint16_t configured = n.keepalive_time == 0 ? static_cast<uint16_t>(r.hold_time / 3) : n.keepalive_time;
        r.keepalive_time = std::max<uint16_t>(1, std::min<uint16_t>(configured, r.hold_time / 3));
    }
    r.four_octet_as = ours.caps.four_octet_as.has_value() && theirs.caps.four_octet_as.has_value();
    r.route_refresh = ours.caps.route_refresh && theirs.caps.route_refresh;
    r.enhanced_route_refresh = ours.caps.enhanced_route_refresh && theirs.caps.enhanced_route_refresh;
    r.extended_message = ours.caps.extended_message && theirs.caps.extended_message;

    r.context.four_octet_as = r.four_octet_as;
    r.context.extended_message = r.extended_message;
    r.context.ibgp = ibgp;
    return r;
}

}  // namespace moat::bgp
