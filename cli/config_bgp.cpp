// The router bgp node: the instance's own settings (router ID, listeners,
// networks, route reflection per RFC 4456, MED comparison, RFC 8212 policy
// requirement) and the neighbors with their session settings (RFC 4271
// timers and DelayOpen, TCP-MD5 per RFC 2385, GTSM per RFC 5082, RFC 9003
// shutdown messages, RFC 9234 roles, address families). Each `no` form sets
// what its command set back to the default; it may be given the value as the
// running config prints it, which is not compared with the configured one.
#include "cli/config_table.hpp"

#include <algorithm>

namespace moat::cli::config {

namespace {

bgp::BgpConfig& bgp_of(Loader& l) { return *l.cfg.bgp; }

const char* family(const wire::IpAddress& a) { return a.v6 ? "IPv6" : "IPv4"; }

Outcome cmd_exit(Loader& l, const Args&, const std::vector<Word>&) {
    l.node = Node::config;
    return {};
}

Outcome cmd_router_id(Loader& l, const Args& a, const std::vector<Word>&) {
    uint32_t id = v4_host(a[0].address);
    if (id == 0) return LineError{a[0].column, "Router ID must not be 0.0.0.0"};
    bgp_of(l).router_id = id;
    return {};
}
Outcome no_router_id(Loader& l, const Args&, const std::vector<Word>&) {
    bgp_of(l).router_id.reset();
    return {};
}

Outcome cmd_listen_address(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& v = bgp_of(l).listen_addresses;
    bgp::ListenAddress la{a[0].address};
    if (std::find(v.begin(), v.end(), la) != v.end())
        return LineError{a[0].column, "Duplicate listen address " + format_address(a[0].address)};
    v.push_back(la);
    return {};
}
Outcome no_listen_address(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& v = bgp_of(l).listen_addresses;
    auto it = std::find(v.begin(), v.end(), bgp::ListenAddress{a[0].address});
    if (it == v.end()) return LineError{a[0].column, "Not listening on " + a[0].text};
    v.erase(it);
    return {};
}

Outcome cmd_listen_port(Loader& l, const Args& a, const std::vector<Word>&) {
    bgp_of(l).listen_port = static_cast<uint16_t>(a[0].number);
    return {};
}
Outcome no_listen_port(Loader& l, const Args&, const std::vector<Word>&) {
    bgp_of(l).listen_port = bgp::BgpConfig{}.listen_port;
    return {};
}

Outcome cmd_listen(Loader& l, const Args&, const std::vector<Word>&) {
    bgp_of(l).listen = true;
    return {};
}
Outcome no_listen(Loader& l, const Args&, const std::vector<Word>&) {
    bgp_of(l).listen = false;
    return {};
}

Outcome cmd_network(Loader& l, const Args& a, const std::vector<Word>&) {
    const wire::Prefix& p = a[0].prefix;
    if (prefix_has_host_bits(p))
        return LineError{a[0].column, "Prefix " + a[0].text + " has host bits set (did you mean " +
                                          format_prefix(prefix_masked(p)) + "?)"};
    auto& v = bgp_of(l).networks;
    if (std::find(v.begin(), v.end(), p) != v.end())
        return LineError{a[0].column, "Duplicate network " + format_prefix(p)};
    v.push_back(p);
    return {};
}
Outcome no_network(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& v = bgp_of(l).networks;
    auto it = std::find(v.begin(), v.end(), a[0].prefix);
    if (it == v.end()) return LineError{a[0].column, "Network " + a[0].text + " is not configured"};
    v.erase(it);
    return {};
}

// In configuration mode, remote-as of a neighbor that exists changes its AS.
Outcome cmd_remote_as(Loader& l, const Args& a, const std::vector<Word>&) {
    const wire::IpAddress& addr = a[0].address;
    if (is_unspecified(addr)) return LineError{a[0].column, "Invalid neighbor address " + a[0].text};
    if (auto* n = find(l, addr)) {
        if (l.mode == Where::terminal) {
            n->remote_as = static_cast<uint32_t>(a[1].number);
            return {};
        }
        return LineError{a[0].column, "Duplicate neighbor " + format_address(addr) + " (first configured on line " +
                                          std::to_string(l.neighbor_line[addr]) + ")"};
    }
    bgp::NeighborConfig n;
    n.address = addr;
    n.remote_as = static_cast<uint32_t>(a[1].number);
    bgp_of(l).neighbors.push_back(std::move(n));
    l.neighbor_line[addr] = l.line;
    return {};
}
Outcome no_neighbor(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& v = bgp_of(l).neighbors;
    auto it = std::find_if(v.begin(), v.end(), [&](const bgp::NeighborConfig& n) { return n.address == a[0].address; });
    if (it == v.end()) return LineError{a[0].column, "Neighbor " + a[0].text + " is not configured"};
    v.erase(it);
    l.neighbor_line.erase(a[0].address);
    return {};
}

Outcome cmd_description(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (a[1].text.size() > 255) return LineError{a[1].column, "Description longer than 255 bytes"};
        n.description = a[1].text;
        return {};
    });
}
Outcome no_description(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.description.clear();
        return {};
    });
}

Outcome cmd_update_source(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (a[1].address.v6 != n.address.v6)
            return LineError{a[1].column, std::string("Update source is ") + family(a[1].address) +
                                              " but the neighbor is " + family(n.address)};
        n.update_source = a[1].address;
        return {};
    });
}
Outcome no_update_source(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.update_source.reset();
        return {};
    });
}

Outcome cmd_next_hop_address(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (is_unspecified(a[1].address)) return LineError{a[1].column, "Invalid next hop " + a[1].text};
        (a[1].address.v6 ? n.next_hop_v6 : n.next_hop_v4) = a[1].address;
        return {};
    });
}
// The address says which family's next hop goes back to the default.
Outcome no_next_hop_address(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        (a[1].address.v6 ? n.next_hop_v6 : n.next_hop_v4).reset();
        return {};
    });
}

Outcome cmd_rr_client(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.remote_as != bgp_of(l).asn)
            return LineError{a[0].column, "A route-reflector client must be an internal (iBGP) neighbor"};
        n.route_reflector_client = true;
        return {};
    });
}

template <wire::Role R, bool Strict>
Outcome cmd_local_role(Loader& l, const Args& a, const std::vector<Word>& w) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.remote_as == bgp_of(l).asn)
            return LineError{w[2].column, "A local role (RFC 9234) is for external (eBGP) neighbors only"};
        n.local_role = R;
        n.role_strict = Strict;
        return {};
    });
}
// `no neighbor ADDR local-role [ROLE [strict]]`: the role, when given, must be one.
Outcome no_local_role(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (a.size() > 1 && !wire::parse_role(a[1].text))
            return LineError{a[1].column, "Unknown role '" + a[1].text + "' (provider, customer, peer, rs, rs-client)"};
        n.local_role.reset();
        n.role_strict = false;
        return {};
    });
}

Outcome cmd_cluster_id(Loader& l, const Args& a, const std::vector<Word>&) {
    uint32_t id = v4_host(a[0].address);
    if (id == 0) return LineError{a[0].column, "Cluster ID must not be 0.0.0.0"};
    bgp_of(l).cluster_id = id;
    return {};
}
Outcome no_cluster_id(Loader& l, const Args&, const std::vector<Word>&) {
    bgp_of(l).cluster_id.reset();
    return {};
}

Outcome cmd_port(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.port = static_cast<uint16_t>(a[1].number);
        return {};
    });
}
Outcome no_port(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.port = bgp::NeighborConfig{}.port;
        return {};
    });
}

Outcome cmd_timers(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        uint64_t keepalive = a[1].number, hold = a[2].number;
        if (hold != 0 && hold < 3) return LineError{a[2].column, "Hold time must be 0 or 3-65535"};
        if (hold != 0 && keepalive == 0)
            return LineError{a[1].column, "Keepalive time must not be 0 when the hold time is not 0"};
        if (hold != 0 && keepalive >= hold)
            return LineError{a[1].column, "Keepalive time (" + std::to_string(keepalive) +
                                              ") must be less than the hold time (" + std::to_string(hold) + ")"};
        n.keepalive_time = static_cast<uint16_t>(keepalive);
        n.hold_time = static_cast<uint16_t>(hold);
        return {};
    });
}
Outcome no_timers(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        const bgp::NeighborConfig d;
        n.keepalive_time = d.keepalive_time;
        n.hold_time = d.hold_time;
        return {};
    });
}

Outcome cmd_timers_connect(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.connect_retry_time = static_cast<uint16_t>(a[1].number);
        return {};
    });
}
Outcome no_timers_connect(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.connect_retry_time = bgp::NeighborConfig{}.connect_retry_time;
        return {};
    });
}

Outcome cmd_timers_delay_open(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.delay_open_time = static_cast<uint16_t>(a[1].number);
        return {};
    });
}
Outcome no_timers_delay_open(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.delay_open_time.reset();
        return {};
    });
}

Outcome shutdown(Loader& l, const Args& a, std::string message, unsigned column) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (message.size() > 255) return LineError{column, "Shutdown message longer than 255 bytes (RFC 9003)"};
        n.shutdown = true;
        n.shutdown_message = std::move(message);
        return {};
    });
}
Outcome cmd_shutdown(Loader& l, const Args& a, const std::vector<Word>&) { return shutdown(l, a, {}, 0); }
Outcome cmd_shutdown_message(Loader& l, const Args& a, const std::vector<Word>&) {
    return shutdown(l, a, a[1].text, a[1].column);
}
Outcome no_shutdown(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.shutdown = false;
        n.shutdown_message.clear();
        return {};
    });
}

Outcome cmd_password(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (a[1].text.empty() || a[1].text.size() > 80)
            return LineError{a[1].column, "TCP-MD5 password must be 1-80 characters"};
        n.password = a[1].text;
        return {};
    });
}
Outcome no_password(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.password.clear();
        return {};
    });
}

Outcome cmd_ttl_security(Loader& l, const Args& a, const std::vector<Word>& w) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.ebgp_multihop) return LineError{w[2].column, "ttl-security and ebgp-multihop cannot both be set"};
        n.ttl_security_hops = static_cast<uint8_t>(a[1].number);
        return {};
    });
}
Outcome no_ttl_security(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.ttl_security_hops.reset();
        return {};
    });
}

Outcome cmd_ebgp_multihop(Loader& l, const Args& a, const std::vector<Word>& w) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.ttl_security_hops) return LineError{w[2].column, "ttl-security and ebgp-multihop cannot both be set"};
        n.ebgp_multihop = static_cast<uint8_t>(a[1].number);
        return {};
    });
}
Outcome no_ebgp_multihop(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.ebgp_multihop.reset();
        return {};
    });
}

Outcome address_family(Loader& l, const Args& a, bool v6, bool on, unsigned column) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        bool& mine = v6 ? n.ipv6_unicast : n.ipv4_unicast;
        bool other = v6 ? n.ipv4_unicast : n.ipv6_unicast;
        if (!on && !other) return LineError{column, "A neighbor needs at least one address family"};
        mine = on;
        return {};
    });
}
Outcome cmd_af_v4(Loader& l, const Args& a, const std::vector<Word>& w) {
    return address_family(l, a, false, true, w[3].column);
}
Outcome cmd_af_v6(Loader& l, const Args& a, const std::vector<Word>& w) {
    return address_family(l, a, true, true, w[3].column);
}
Outcome no_af_v4(Loader& l, const Args& a, const std::vector<Word>& w) {
    return address_family(l, a, false, false, w[4].column);
}
Outcome no_af_v6(Loader& l, const Args& a, const std::vector<Word>& w) {
    return address_family(l, a, true, false, w[4].column);
}

using N = bgp::NeighborConfig;
using B = bgp::BgpConfig;
using wire::Role;
constexpr const char* no_role = "No BGP role (RFC 9234): no Role capability, no OTC rules";
constexpr const char* no_role_pattern = "neighbor ADDR local-role [WORD [strict]]";

template <bool Ibgp>
Outcome cmd_max_paths(Loader& l, const Args& a, const std::vector<Word>&) {
    (Ibgp ? l.cfg.bgp->multipath.ibgp : l.cfg.bgp->multipath.ebgp) = static_cast<unsigned>(a[0].number);
    return {};
}
template <bool Ibgp>
Outcome no_max_paths(Loader& l, const Args&, const std::vector<Word>&) {
    (Ibgp ? l.cfg.bgp->multipath.ibgp : l.cfg.bgp->multipath.ebgp) = 1;
    return {};
}
template <bool On>
Outcome cmd_mp_relax(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->multipath.relax = On;
    return {};
}

const Command bgp_commands[] = {
    {"exit", "Leave the router bgp node", cmd_exit},
    {"bgp router-id A.B.C.D", "Set the BGP identifier", cmd_router_id, "bgp router-id [A.B.C.D]",
     "Use the default BGP identifier", no_router_id},
    {"bgp listen address ADDR", "Listen for BGP connections on this address", cmd_listen_address,
     "bgp listen address ADDR", "Stop listening on this address", no_listen_address},
    {"bgp listen port <1-65535>", "TCP port to listen on", cmd_listen_port, "bgp listen port [<1-65535>]",
     "Listen on the default port 179", no_listen_port},
    // Listening is on by default: the file says `no bgp listen`, and only
    // configuration mode needs the way back.
    {"bgp listen", "Accept BGP connections (the default)", cmd_listen, "bgp listen", "Do not accept BGP connections",
     no_listen, Where::terminal, Where::both},
    {"network PREFIX", "Originate a prefix", cmd_network, "network PREFIX", "Stop originating a prefix", no_network},
    {"neighbor ADDR remote-as ASN", "Declare a neighbor and its AS", cmd_remote_as, "neighbor ADDR [remote-as [ASN]]",
     "Remove a neighbor", no_neighbor},
    {"neighbor ADDR description LINE...", "Describe the neighbor", cmd_description,
     "neighbor ADDR description [LINE...]", "Remove the description", no_description},
    {"neighbor ADDR passive", "Only accept connections from the neighbor", cmd_neighbor_flag<&N::passive, true>,
     "neighbor ADDR passive", "Connect to the neighbor again", unset_neighbor_flag<&N::passive, false>},
    {"neighbor ADDR update-source ADDR", "Local address for the session", cmd_update_source,
     "neighbor ADDR update-source [ADDR]", "Let the system choose the local address", no_update_source},
    {"neighbor ADDR next-hop-address ADDR",
     "NEXT_HOP this router announces for routes of the address's family (e.g. IPv6 over an IPv4 session)",
     cmd_next_hop_address, "neighbor ADDR next-hop-address ADDR", "Default NEXT_HOP for the address's family",
     no_next_hop_address},
    {"neighbor ADDR disable-connected-check",
     "eBGP: the neighbor's next hops may resolve through kernel routes, not only connected networks",
     cmd_neighbor_flag<&N::disable_connected_check, true>, "neighbor ADDR disable-connected-check",
     "eBGP next hops must be on a connected network again", unset_neighbor_flag<&N::disable_connected_check, false>},
    {"neighbor ADDR next-hop-self", "iBGP: announce this router as NEXT_HOP for learnt routes too",
     cmd_neighbor_flag<&N::next_hop_self, true>, "neighbor ADDR next-hop-self",
     "NEXT_HOP of learnt routes unchanged on iBGP again", unset_neighbor_flag<&N::next_hop_self, false>},
    {"neighbor ADDR route-reflector-client", "Reflect iBGP routes to and from this neighbor (RFC 4456)", cmd_rr_client,
     "neighbor ADDR route-reflector-client", "The neighbor is no longer a route-reflector client",
     unset_neighbor_flag<&N::route_reflector_client, false>},
    {"neighbor ADDR default-originate", "Send the neighbor a default route",
     cmd_neighbor_flag<&N::default_originate, true>, "neighbor ADDR default-originate",
     "Stop sending the neighbor a default route", unset_neighbor_flag<&N::default_originate, false>},
    {"neighbor ADDR local-role provider",
     "Our BGP role towards the neighbor (RFC 9234): we are its provider; it is our customer",
     cmd_local_role<Role::provider, false>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role provider strict", "As local-role provider, and refuse a neighbor that announces no role",
     cmd_local_role<Role::provider, true>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role customer",
     "Our BGP role towards the neighbor (RFC 9234): we are its customer; it is our provider",
     cmd_local_role<Role::customer, false>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role customer strict", "As local-role customer, and refuse a neighbor that announces no role",
     cmd_local_role<Role::customer, true>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role peer", "Our BGP role towards the neighbor (RFC 9234): lateral peers",
     cmd_local_role<Role::peer, false>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role peer strict", "As local-role peer, and refuse a neighbor that announces no role",
     cmd_local_role<Role::peer, true>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role rs",
     "Our BGP role towards the neighbor (RFC 9234): we are a route server; it is our client",
     cmd_local_role<Role::rs, false>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role rs strict", "As local-role rs, and refuse a neighbor that announces no role",
     cmd_local_role<Role::rs, true>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role rs-client",
     "Our BGP role towards the neighbor (RFC 9234): we are a client of its route server",
     cmd_local_role<Role::rs_client, false>, no_role_pattern, no_role, no_local_role},
    {"neighbor ADDR local-role rs-client strict",
     "As local-role rs-client, and refuse a neighbor that announces no role", cmd_local_role<Role::rs_client, true>,
     no_role_pattern, no_role, no_local_role},
    {"maximum-paths <1-64>", "eBGP multipath: up to N equal best paths in one kernel route (with fib)",
     cmd_max_paths<false>, "maximum-paths", "One path per kernel route for eBGP again", no_max_paths<false>},
    {"maximum-paths ibgp <1-64>", "iBGP multipath: up to N equal best paths in one kernel route (with fib)",
     cmd_max_paths<true>, "maximum-paths ibgp", "One path per kernel route for iBGP again", no_max_paths<true>},
    {"bgp bestpath as-path multipath-relax", "Multipath across neighbor ASes (equal AS_PATH length suffices)",
     cmd_mp_relax<true>, "bgp bestpath as-path multipath-relax", "Multipath from one neighbor AS only again",
     cmd_mp_relax<false>},
    {"bgp always-compare-med", "Compare MED between routes from different neighbor ASes",
     bgp_flag<&B::always_compare_med, true>, "bgp always-compare-med",
     "Compare MED only between routes from the same neighbor AS", bgp_flag<&B::always_compare_med, false>},
    {"bgp ebgp-requires-policy", "eBGP neighbors without route-maps exchange nothing (RFC 8212, the default)",
     bgp_flag<&B::ebgp_requires_policy, true>, "bgp ebgp-requires-policy",
     "eBGP neighbors without route-maps import and export everything", bgp_flag<&B::ebgp_requires_policy, false>,
     Where::both, Where::both},
    {"bgp cluster-id A.B.C.D", "Route-reflector cluster ID (default: the router ID)", cmd_cluster_id,
     "bgp cluster-id [A.B.C.D]", "The cluster ID back to the router ID", no_cluster_id},
    {"neighbor ADDR port <1-65535>", "The neighbor's TCP port", cmd_port, "neighbor ADDR port [<1-65535>]",
     "The neighbor's port back to 179", no_port},
    {"neighbor ADDR timers <0-65535> <0-65535>", "Keepalive and hold time in seconds", cmd_timers,
     "neighbor ADDR timers [<0-65535> <0-65535>]", "Keepalive and hold time back to 30 and 90 seconds", no_timers},
    {"neighbor ADDR timers connect <1-65535>", "Connect retry time in seconds", cmd_timers_connect,
     "neighbor ADDR timers connect [<1-65535>]", "Connect retry time back to 30 seconds", no_timers_connect},
    {"neighbor ADDR timers delay-open <1-240>", "DelayOpen time in seconds", cmd_timers_delay_open,
     "neighbor ADDR timers delay-open [<1-240>]", "No DelayOpen", no_timers_delay_open},
    {"neighbor ADDR shutdown", "Administratively shut the neighbor down", cmd_shutdown,
     "neighbor ADDR shutdown [LINE...]", "Bring an administratively shut down neighbor back", no_shutdown},
    {"neighbor ADDR shutdown LINE...", "Shut down with a message (RFC 9003)", cmd_shutdown_message,
     "neighbor ADDR shutdown [LINE...]", "Bring an administratively shut down neighbor back", no_shutdown},
    {"neighbor ADDR password WORD", "TCP-MD5 password", cmd_password, "neighbor ADDR password [WORD]", "No TCP-MD5",
     no_password},
    {"neighbor ADDR ttl-security hops <1-254>", "Accept the neighbor at most this many hops away (GTSM)",
     cmd_ttl_security, "neighbor ADDR ttl-security [hops [<1-254>]]", "No GTSM", no_ttl_security},
    {"neighbor ADDR ebgp-multihop <1-255>", "TTL of eBGP packets", cmd_ebgp_multihop,
     "neighbor ADDR ebgp-multihop [<1-255>]", "Default TTL for eBGP", no_ebgp_multihop},
    // Both families are negotiated by default: the file says which one not to.
    {"neighbor ADDR address-family ipv4 unicast", "Negotiate IPv4 unicast", cmd_af_v4,
     "neighbor ADDR address-family ipv4 unicast", "Do not negotiate IPv4 unicast", no_af_v4, Where::both, Where::both},
    {"neighbor ADDR address-family ipv6 unicast", "Negotiate IPv6 unicast", cmd_af_v6,
     "neighbor ADDR address-family ipv6 unicast", "Do not negotiate IPv6 unicast", no_af_v6, Where::both, Where::both},
};

}  // namespace

Rows bgp_rows() { return {{}, bgp_commands, {}}; }

}  // namespace moat::cli::config
