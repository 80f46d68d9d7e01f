// Printing a Config as the config language: `show running-config`, `write`
// and configuration mode (which prints the candidate and loads it again with
// one command appended). Only what differs from the defaults is printed,
// each setting as the line of its command, in a fixed order: top-level
// settings, RPKI, routing policy, then the router bgp block; blocks are
// closed by "!". What is printed loads back to an equal Config.
#include "cli/config_loader.hpp"

#include "cli/config_table.hpp"

namespace moat::cli {

namespace {

using config::large_community_text;
using config::v4_address;

std::string communities_text(const std::vector<uint32_t>& v) {
    std::string s;
    for (uint32_t c : v) s += (s.empty() ? "" : " ") + wire::community_to_string(c);
    return s;
}

std::string large_communities_text(const std::vector<wire::LargeCommunity>& v) {
    std::string s;
    for (const auto& c : v) s += (s.empty() ? "" : " ") + large_community_text(c);
    return s;
}

// Lists first, then route-maps, each block closed by "!".
void render_policy(const bgp::PolicyConfig& p, std::string& out) {
    auto line = [&out](const std::string& s) { out += s + "\n"; };
    const bool any = !p.empty();
    if (any && !out.empty()) line("!");
    for (const auto& l : p.prefix_lists)
        for (const auto& e : l.entries) {
            std::string s = std::string(l.v6 ? "ipv6" : "ip") + " prefix-list " + quote_if_needed(l.name) + " seq " +
                            std::to_string(e.seq) + (e.permit ? " permit " : " deny ") + format_prefix(e.prefix);
            if (e.ge) s += " ge " + std::to_string(*e.ge);
            if (e.le) s += " le " + std::to_string(*e.le);
            line(s);
        }
    for (const auto& l : p.as_path_lists)
        for (const auto& e : l.entries)
            line("bgp as-path access-list " + quote_if_needed(l.name) + (e.permit ? " permit " : " deny ") + e.regex);
    for (const auto& l : p.community_lists)
        for (const auto& e : l.entries)
            line("bgp community-list " + quote_if_needed(l.name) + (e.permit ? " permit " : " deny ") +
                 communities_text(e.communities));
    for (const auto& l : p.large_community_lists)
        for (const auto& e : l.entries)
            line("bgp large-community-list " + quote_if_needed(l.name) + (e.permit ? " permit " : " deny ") +
                 large_communities_text(e.communities));
    if (any && !p.route_maps.empty() && !out.ends_with("!\n")) line("!");
    for (const auto& m : p.route_maps)
        for (const auto& e : m.entries) {
            line("route-map " + quote_if_needed(m.name) + (e.permit ? " permit " : " deny ") + std::to_string(e.seq));
            if (!e.description.empty()) line(" description " + e.description);
            if (!e.match_prefix_list_v4.empty()) line(" match ip address prefix-list " + quote_if_needed(e.match_prefix_list_v4));
            if (!e.match_prefix_list_v6.empty()) line(" match ipv6 address prefix-list " + quote_if_needed(e.match_prefix_list_v6));
            if (!e.match_as_path.empty()) line(" match as-path " + quote_if_needed(e.match_as_path));
            if (!e.match_community.empty()) line(" match community " + quote_if_needed(e.match_community));
            if (!e.match_large_community.empty()) line(" match large-community " + quote_if_needed(e.match_large_community));
            if (e.match_rpki)
                line(std::string(" match rpki ") + (*e.match_rpki == bgp::RpkiMatch::valid     ? "valid"
                                                    : *e.match_rpki == bgp::RpkiMatch::invalid ? "invalid"
                                                                                                : "notfound"));
            if (e.match_peer) line(" match peer " + format_address(*e.match_peer));
            if (e.set_local_pref) line(" set local-preference " + std::to_string(*e.set_local_pref));
            if (e.set_metric) line(" set metric " + std::to_string(*e.set_metric));
            if (e.set_community_none) line(" set community none");
            if (e.set_community)
                line(" set community " + communities_text(*e.set_community) + (e.set_community_additive ? " additive" : ""));
            if (!e.set_comm_list_delete.empty()) line(" set comm-list " + quote_if_needed(e.set_comm_list_delete) + " delete");
            if (e.set_large_community)
                line(" set large-community " + large_communities_text(*e.set_large_community) +
                     (e.set_large_community_additive ? " additive" : ""));
            if (!e.set_as_path_prepend.empty()) {
                std::string s = " set as-path prepend";
                for (uint32_t a : e.set_as_path_prepend) s += " " + std::to_string(a);
                line(s);
            }
            if (e.set_next_hop_v4) line(" set ip next-hop " + format_address(*e.set_next_hop_v4));
            if (e.set_next_hop_v6) line(" set ipv6 next-hop " + format_address(*e.set_next_hop_v6));
            if (e.on_match_next) line(" on-match next");
            if (e.continue_seq) line(*e.continue_seq ? " continue " + std::to_string(*e.continue_seq) : " continue");
            line("!");
        }
    if (any && !out.ends_with("!\n")) line("!");
}

}  // namespace

std::string render_config(const bgp::Config& c) {
    const bgp::Config defaults;
    const bgp::NeighborConfig nd;
    std::string out;
    auto line = [&out](const std::string& s) { out += s + "\n"; };
    if (c.hostname != defaults.hostname) line("hostname " + quote_if_needed(c.hostname));
    if (c.control_socket != defaults.control_socket) line("control socket " + quote_if_needed(c.control_socket));
    if (!c.control_socket_group.empty()) line("control socket group " + quote_if_needed(c.control_socket_group));
    {
        const fib::FibConfig fd;
        if (c.fib.enabled) line("fib");
        if (c.fib.target.table != fd.target.table) line("fib table " + std::to_string(c.fib.target.table));
        if (c.fib.target.protocol != fd.target.protocol) line("fib protocol " + std::to_string(c.fib.target.protocol));
        if (c.fib.target.metric != fd.target.metric) line("fib metric " + std::to_string(c.fib.target.metric));
        if (!c.fib.ipv4) line("no fib ipv4");
        if (!c.fib.ipv6) line("no fib ipv6");
        if (c.fib.stale_time != fd.stale_time) line("fib stale-time " + std::to_string(c.fib.stale_time.count()));
    }
    const bgp::RpkiConfig rd;
    for (const auto& k : c.rpki.caches) {
        std::string t = "rpki cache " + quote_if_needed(k.host) + " " + std::to_string(k.port);
        if (k.transport == bgp::RpkiCache::Transport::ssh) {
            t += " ssh " + quote_if_needed(k.ssh_user) + " " + quote_if_needed(k.ssh_key);
            if (!k.ssh_host_key.empty()) t += " " + quote_if_needed(k.ssh_host_key);
        } else if (k.transport == bgp::RpkiCache::Transport::tls) {
            t += " tls";
            if (!k.tls_ca.empty()) t += " ca " + quote_if_needed(k.tls_ca);
        }
        if (k.preference != 1) t += " preference " + std::to_string(k.preference);
        line(t);
    }
    for (const auto& f : c.rpki.files) line("rpki file " + quote_if_needed(f));
    if (c.rpki.refresh)
        line("rpki timers refresh " + std::to_string(*c.rpki.refresh) + " retry " + std::to_string(*c.rpki.retry) +
             " expire " + std::to_string(*c.rpki.expire));
    if (c.rpki.safe_start_timeout != rd.safe_start_timeout)
        line("rpki safe-start timeout " + std::to_string(c.rpki.safe_start_timeout));
    if (c.rpki.drop_guard) line("rpki drop-guard " + std::to_string(*c.rpki.drop_guard));
    render_policy(c.policy, out);
    if (!c.bgp) return out.empty() || out.ends_with("!\n") ? out : out + "!\n";
    const bgp::BgpConfig& b = *c.bgp;
    if (!out.empty() && !out.ends_with("!\n")) line("!");
    line("router bgp " + std::to_string(b.asn));
    if (b.router_id) line(" bgp router-id " + format_address(v4_address(*b.router_id)));
    for (const auto& la : b.listen_addresses) line(" bgp listen address " + format_address(la.address));
    if (b.listen_port != 179) line(" bgp listen port " + std::to_string(b.listen_port));
    if (!b.listen) line(" no bgp listen");
    if (!b.ebgp_requires_policy) line(" no bgp ebgp-requires-policy");
    if (b.always_compare_med) line(" bgp always-compare-med");
    if (b.multipath.ebgp != 1) line(" maximum-paths " + std::to_string(b.multipath.ebgp));
    if (b.multipath.ibgp != 1) line(" maximum-paths ibgp " + std::to_string(b.multipath.ibgp));
    if (b.multipath.relax) line(" bgp bestpath as-path multipath-relax");
    if (b.cluster_id) line(" bgp cluster-id " + format_address(v4_address(*b.cluster_id)));
    if (b.rpki_prefer_valid) line(" bgp rpki prefer-valid");
    if (!b.reject_martians) line(" no bgp reject martians");
    if (!b.reject_too_specific) line(" no bgp reject too-specific");
    if (!b.reject_bogon_asns) line(" no bgp reject bogon-asns");
    if (b.maxas_limit == 0) line(" no bgp maxas-limit");
    else if (b.maxas_limit != bgp::BgpConfig{}.maxas_limit) line(" bgp maxas-limit " + std::to_string(b.maxas_limit));
    if (b.rejected_limit != bgp::BgpConfig{}.rejected_limit)
        line(" bgp rejected-routes limit " + std::to_string(b.rejected_limit));
    auto asns = [](const std::vector<uint32_t>& v) {
        std::string s;
        for (uint32_t a : v) s += (s.empty() ? "" : " ") + std::to_string(a);
        return s;
    };
    if (!b.peer_lock_protected.empty()) line(" bgp peer-lock protected-as " + asns(b.peer_lock_protected));
    if (b.peer_lock_tier1) line(" bgp peer-lock preset tier1");
    for (const auto& p : b.networks) line(" network " + format_prefix(p));
    for (const auto& n : b.neighbors) {
        std::string pre = " neighbor " + format_address(n.address) + " ";
        line(pre + "remote-as " + std::to_string(n.remote_as));
        if (!n.description.empty()) line(pre + "description " + quote_if_needed(n.description));
        if (n.passive) line(pre + "passive");
        if (n.update_source) line(pre + "update-source " + format_address(*n.update_source));
        if (n.next_hop_v4) line(pre + "next-hop-address " + format_address(*n.next_hop_v4));
        if (n.next_hop_v6) line(pre + "next-hop-address " + format_address(*n.next_hop_v6));
        if (n.disable_connected_check) line(pre + "disable-connected-check");
        if (n.next_hop_self) line(pre + "next-hop-self");
        if (n.route_reflector_client) line(pre + "route-reflector-client");
        if (n.default_originate) line(pre + "default-originate");
        if (n.local_role)
            line(pre + "local-role " + std::string(wire::to_string(*n.local_role)) + (n.role_strict ? " strict" : ""));
        if (!n.route_map_in.empty()) line(pre + "route-map " + quote_if_needed(n.route_map_in) + " in");
        if (!n.route_map_out.empty()) line(pre + "route-map " + quote_if_needed(n.route_map_out) + " out");
        if (n.port != nd.port) line(pre + "port " + std::to_string(n.port));
        if (n.keepalive_time != nd.keepalive_time || n.hold_time != nd.hold_time)
            line(pre + "timers " + std::to_string(n.keepalive_time) + " " + std::to_string(n.hold_time));
        if (n.connect_retry_time != nd.connect_retry_time)
            line(pre + "timers connect " + std::to_string(n.connect_retry_time));
        if (n.delay_open_time) line(pre + "timers delay-open " + std::to_string(*n.delay_open_time));
        if (!n.password.empty()) line(pre + "password " + quote_if_needed(n.password));
        if (n.ttl_security_hops) line(pre + "ttl-security hops " + std::to_string(*n.ttl_security_hops));
        if (n.ebgp_multihop) line(pre + "ebgp-multihop " + std::to_string(*n.ebgp_multihop));
        for (const auto* mp : {&n.max_prefix_v4, &n.max_prefix_v6}) {
            if (!*mp) continue;
            const bgp::MaxPrefixConfig& m = **mp;
            std::string t = pre + "maximum-prefix " + (mp == &n.max_prefix_v6 ? "ipv6 " : "") + std::to_string(m.limit);
            if (m.threshold != bgp::MaxPrefixConfig{}.threshold) t += " " + std::to_string(m.threshold);
            if (m.warning_only) t += " warning-only";
            if (m.restart_minutes) t += " restart " + std::to_string(*m.restart_minutes);
            if (m.count_received) t += " receive";
            line(t);
        }
        if (n.allow_default_route) line(pre + "allow default-route");
        if (n.peer_lock_strict) line(pre + "peer-lock strict");
        if (!n.peer_lock_allow.empty()) line(pre + "peer-lock allow " + asns(n.peer_lock_allow));
        std::string no = " no neighbor " + format_address(n.address) + " ";
        if (!n.enforce_first_as) line(no + "enforce-first-as");
        if (!n.ipv4_unicast) line(no + "address-family ipv4 unicast");
        if (!n.ipv6_unicast) line(no + "address-family ipv6 unicast");
        if (n.rpki_reject_invalid) line(pre + "rpki invalid " + (*n.rpki_reject_invalid ? "reject" : "accept"));
        if (!n.rpki_validation) line(pre + "rpki validation off");
        if (n.shutdown)
            line(pre + "shutdown" + (n.shutdown_message.empty() ? "" : " " + quote_if_needed(n.shutdown_message)));
    }
    line("!");
    return out;
}

}  // namespace moat::cli
