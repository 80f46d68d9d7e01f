// Reconfiguration without reset (see reconfigure.hpp): the pure plan, the
// speaker carrying it out, and the peer operations it needs.
#include "bgpd/reconfigure.hpp"

#include "bgpd/log.hpp"
#include "bgpd/originate.hpp"
#include "bgpd/socket_options.hpp"
#include "bgpd/speaker.hpp"

#include <algorithm>

namespace moat::bgp {

std::string_view to_string(ReconfigureAction::Kind k) {
    using K = ReconfigureAction::Kind;
    switch (k) {
    case K::restart_all: return "restart-all";
    case K::listeners: return "listeners";
    case K::add_neighbor: return "add-neighbor";
    case K::remove_neighbor: return "remove-neighbor";
    case K::reset_neighbor: return "reset-neighbor";
    case K::update_neighbor: return "update-neighbor";
    case K::shutdown_neighbor: return "shutdown-neighbor";
    case K::start_neighbor: return "start-neighbor";
    case K::networks: return "networks";
    case K::hostname: return "hostname";
    case K::rpki_sources: return "rpki-sources";
    case K::soft_in_neighbor: return "soft-in-neighbor";
    case K::reimport_all: return "reimport-all";
    case K::policy: return "policy";
    case K::import_policy: return "import-policy";
    case K::export_policy: return "export-policy";
    case K::import_filters: return "import-filters";
    case K::fib: return "fib";
    }
    return "?";
}

namespace {

using Kind = ReconfigureAction::Kind;

std::string opt_text(const std::optional<uint8_t>& v) { return v ? std::to_string(*v) : "none"; }
std::string opt_text(const std::optional<wire::IpAddress>& v) { return v ? v->to_string() : "none"; }

std::string role_text(const NeighborConfig& n) {
    if (!n.local_role) return "none";
    return std::string(wire::to_string(*n.local_role)) + (n.role_strict ? " strict" : "");
}

// What differs in the session settings of two versions of a neighbor.
std::string session_changes(const NeighborConfig& a, const NeighborConfig& b) {
    std::string s;
    auto add = [&s](const std::string& t) { s += (s.empty() ? "" : ", ") + t; };
    if (a.remote_as != b.remote_as)
        add("remote-as " + std::to_string(a.remote_as) + " -> " + std::to_string(b.remote_as));
    if (a.passive != b.passive) add(b.passive ? "passive" : "no passive");
    if (a.update_source != b.update_source)
        add("update-source " + opt_text(a.update_source) + " -> " + opt_text(b.update_source));
    if (a.port != b.port) add("port " + std::to_string(a.port) + " -> " + std::to_string(b.port));
    if (a.keepalive_time != b.keepalive_time || a.hold_time != b.hold_time)
        add("timers " + std::to_string(a.keepalive_time) + " " + std::to_string(a.hold_time) + " -> " +
            std::to_string(b.keepalive_time) + " " + std::to_string(b.hold_time));
    if (a.connect_retry_time != b.connect_retry_time) add("connect retry time");
    if (a.delay_open_time != b.delay_open_time) add("delay-open time");
    if (a.password != b.password) add("password");
    if (a.ttl_security_hops != b.ttl_security_hops)
        add("ttl-security " + opt_text(a.ttl_security_hops) + " -> " + opt_text(b.ttl_security_hops));
    if (a.ebgp_multihop != b.ebgp_multihop)
        add("ebgp-multihop " + opt_text(a.ebgp_multihop) + " -> " + opt_text(b.ebgp_multihop));
    if (a.ipv4_unicast != b.ipv4_unicast || a.ipv6_unicast != b.ipv6_unicast) add("address families");
    if (a.local_role != b.local_role || a.role_strict != b.role_strict)
        add("local-role " + role_text(a) + " -> " + role_text(b) + " (the role is announced in OPEN)");
    if (s.empty()) add("other settings");
    return s;
}

// b with the fields that can change in place taken from a: equal to a when
// nothing else changed.
NeighborConfig without_in_place(const NeighborConfig& a, NeighborConfig b) {
    b.description = a.description;
    b.next_hop_v4 = a.next_hop_v4;
    b.next_hop_v6 = a.next_hop_v6;
    b.shutdown = a.shutdown;
    b.shutdown_message = a.shutdown_message;
    b.rpki_reject_invalid = a.rpki_reject_invalid;
    b.rpki_validation = a.rpki_validation;
    b.route_map_in = a.route_map_in;
    b.route_map_out = a.route_map_out;
    b.max_prefix_v4 = a.max_prefix_v4;
    b.max_prefix_v6 = a.max_prefix_v6;
    b.allow_default_route = a.allow_default_route;
    b.enforce_first_as = a.enforce_first_as;
    b.peer_lock_strict = a.peer_lock_strict;
    b.peer_lock_allow = a.peer_lock_allow;
    return b;
}

// The neighbor's import defenses differ (applied in place, import re-run).
bool defenses_changed(const NeighborConfig& a, const NeighborConfig& b) {
    return a.max_prefix_v4 != b.max_prefix_v4 || a.max_prefix_v6 != b.max_prefix_v6 ||
           a.allow_default_route != b.allow_default_route || a.peer_lock_strict != b.peer_lock_strict ||
           a.enforce_first_as != b.enforce_first_as ||
           a.peer_lock_allow != b.peer_lock_allow;
}

// b with the global defense settings of a.
BgpConfig without_filters(const BgpConfig& a, BgpConfig b) {
    b.reject_martians = a.reject_martians;
    b.reject_too_specific = a.reject_too_specific;
    b.reject_bogon_asns = a.reject_bogon_asns;
    b.maxas_limit = a.maxas_limit;
    b.peer_lock_protected = a.peer_lock_protected;
    b.peer_lock_tier1 = a.peer_lock_tier1;
    b.rejected_limit = a.rejected_limit;
    return b;
}

std::string rpki_text(const RpkiConfig& a, const RpkiConfig& b) {
    std::string s;
    auto add = [&s](const std::string& t) { s += (s.empty() ? "" : ", ") + t; };
    if (a.caches != b.caches) add("caches");
    if (a.files != b.files) add("files");
    if (a.refresh != b.refresh || a.retry != b.retry || a.expire != b.expire) add("timers");
    if (a.safe_start_timeout != b.safe_start_timeout) add("safe-start timeout");
    if (a.drop_guard != b.drop_guard) add("drop-guard");
    return s;
}

// A route-map and every list it uses: what decides what it does.
struct MapClosure {
    std::optional<RouteMap> map;
    std::vector<PrefixList> prefix_lists;
    std::vector<AsPathList> as_path_lists;
    std::vector<CommunityList> community_lists;
    std::vector<LargeCommunityList> large_community_lists;
    bool operator==(const MapClosure&) const = default;
};

MapClosure closure(const PolicyConfig& p, const std::string& name) {
    MapClosure c;
    const RouteMap* m = name.empty() ? nullptr : p.route_map(name);
    if (!m) return c;
    c.map = *m;
    auto add = [](auto& v, const auto* x) {
        if (x) v.push_back(*x);
    };
    for (const auto& e : m->entries) {
        if (!e.match_prefix_list_v4.empty()) add(c.prefix_lists, p.prefix_list(e.match_prefix_list_v4, false));
        if (!e.match_prefix_list_v6.empty()) add(c.prefix_lists, p.prefix_list(e.match_prefix_list_v6, true));
        if (!e.match_as_path.empty()) add(c.as_path_lists, p.find_named(p.as_path_lists, e.match_as_path));
        if (!e.match_community.empty()) add(c.community_lists, p.find_named(p.community_lists, e.match_community));
        if (!e.set_comm_list_delete.empty())
            add(c.community_lists, p.find_named(p.community_lists, e.set_comm_list_delete));
        if (!e.match_large_community.empty())
            add(c.large_community_lists, p.find_named(p.large_community_lists, e.match_large_community));
    }
    return c;
}

std::string map_change(const std::string& from, const std::string& to) {
    if (from == to) return "route-map " + to + " or a list it uses changed";
    return "route-map " + (from.empty() ? std::string("(none)") : from) + " -> " + (to.empty() ? std::string("(none)") : to);
}

std::string networks_text(const std::vector<wire::Prefix>& add, const std::vector<wire::Prefix>& del) {
    std::string s;
    for (const auto& p : add) s += (s.empty() ? "+" : " +") + p.to_string();
    for (const auto& p : del) s += (s.empty() ? "-" : " -") + p.to_string();
    return s;
}

}  // namespace

std::vector<ReconfigureAction> plan_reconfigure(const Config& from, const Config& to) {
    std::vector<ReconfigureAction> out;
    auto act = [&out](Kind k, std::string detail, wire::IpAddress n = {}) {
        out.push_back(ReconfigureAction{k, n, std::move(detail)});
    };
    if (from.hostname != to.hostname) act(Kind::hostname, from.hostname + " -> " + to.hostname);
    if (from.rpki != to.rpki) act(Kind::rpki_sources, rpki_text(from.rpki, to.rpki));
    if (from.fib != to.fib) act(Kind::fib, to.fib.enabled ? (from.fib.enabled ? "settings" : "on") : "off");
    if (!from.bgp && !to.bgp) return out;
    if (!from.bgp || !to.bgp) {
        act(Kind::restart_all, to.bgp ? "router bgp added" : "router bgp removed");
        return out;
    }
    const BgpConfig& a = *from.bgp;
    const BgpConfig& b = *to.bgp;
    if (a.asn != b.asn) {
        act(Kind::restart_all, "AS " + std::to_string(a.asn) + " -> " + std::to_string(b.asn));
        return out;
    }
    if (a.router_id != b.router_id) {
        act(Kind::restart_all, "router ID changed");
        return out;
    }
    // Any other global setting (other than listeners, networks, neighbors).
    BgpConfig rest = without_filters(a, b);
    rest.listen_addresses = a.listen_addresses;
    rest.listen_port = a.listen_port;
    rest.listen = a.listen;
    rest.networks = a.networks;
    rest.neighbors = a.neighbors;
    rest.ebgp_requires_policy = a.ebgp_requires_policy;  // policy, below
    rest.rpki_prefer_valid = a.rpki_prefer_valid;
    rest.multipath = a.multipath;  // the FIB's, below
    if (!(rest == a)) {
        act(Kind::restart_all, "global BGP settings changed");
        return out;
    }
    if (!(without_filters(a, b) == b)) act(Kind::import_filters, "eBGP filters, peer-lock or rejected-routes limit");
    if (a.listen_addresses != b.listen_addresses || a.listen_port != b.listen_port || a.listen != b.listen)
        act(Kind::listeners, "listen addresses, port or listen switch changed");

    if (a.multipath != b.multipath && !(from.fib != to.fib)) act(Kind::fib, "maximum-paths");
    if (a.rpki_prefer_valid != b.rpki_prefer_valid)
        act(Kind::reimport_all, b.rpki_prefer_valid ? "bgp rpki prefer-valid" : "no bgp rpki prefer-valid");
    // The policy in force changes when the lists or maps do or when the
    // neighbors' route-maps do (added and removed neighbors included).
    auto has_maps = [](const NeighborConfig& n) { return !n.route_map_in.empty() || !n.route_map_out.empty(); };
    const bool rfc8212 = a.ebgp_requires_policy != b.ebgp_requires_policy;
    bool policy_changed = from.policy != to.policy || rfc8212;
    for (const auto& n : b.neighbors) {
        const NeighborConfig* old = a.find_neighbor(n.address);
        if (old ? old->route_map_in != n.route_map_in || old->route_map_out != n.route_map_out : has_maps(n))
            policy_changed = true;
    }
    for (const auto& n : a.neighbors)
        if (!b.find_neighbor(n.address) && has_maps(n)) policy_changed = true;
    if (policy_changed) act(Kind::policy, "routing policy changed");

    for (const auto& n : a.neighbors)
        if (!b.find_neighbor(n.address)) act(Kind::remove_neighbor, "removed", n.address);
    for (const auto& n : b.neighbors) {
        const NeighborConfig* old = a.find_neighbor(n.address);
        if (!old) {
            act(Kind::add_neighbor, "added, remote-as " + std::to_string(n.remote_as), n.address);
            continue;
        }
        if (!(without_in_place(*old, n) == *old)) {
            act(Kind::reset_neighbor, session_changes(*old, n), n.address);
            continue;
        }
        // RFC 8212 switched: eBGP neighbors without a map in that direction.
        const bool ebgp = n.remote_as != b.asn;
        const char* rfc8212_text = b.ebgp_requires_policy ? "bgp ebgp-requires-policy" : "no bgp ebgp-requires-policy";
        if (old->route_map_in != n.route_map_in ||
            closure(from.policy, old->route_map_in) != closure(to.policy, n.route_map_in))
            act(Kind::import_policy, map_change(old->route_map_in, n.route_map_in), n.address);
        else if (rfc8212 && ebgp && n.route_map_in.empty())
            act(Kind::import_policy, rfc8212_text, n.address);
        if (old->route_map_out != n.route_map_out ||
            closure(from.policy, old->route_map_out) != closure(to.policy, n.route_map_out))
            act(Kind::export_policy, map_change(old->route_map_out, n.route_map_out), n.address);
        else if (rfc8212 && ebgp && n.route_map_out.empty())
            act(Kind::export_policy, rfc8212_text, n.address);
        if (*old == n) continue;
        std::string what;
        if (old->description != n.description) what = "description";
        if (old->next_hop_v4 != n.next_hop_v4 || old->next_hop_v6 != n.next_hop_v6)
            what += std::string(what.empty() ? "" : ", ") + "next hop";
        if (old->shutdown && n.shutdown && old->shutdown_message != n.shutdown_message)
            what += std::string(what.empty() ? "" : ", ") + "shutdown message";
        if (defenses_changed(*old, n))
            what += std::string(what.empty() ? "" : ", ") + "maximum-prefix, peer-lock or allow default-route";
        if (!what.empty()) act(Kind::update_neighbor, what, n.address);
        if (old->rpki_reject_invalid != n.rpki_reject_invalid || old->rpki_validation != n.rpki_validation)
            act(Kind::soft_in_neighbor, "rpki policy", n.address);
        if (!old->shutdown && n.shutdown) act(Kind::shutdown_neighbor, "shutdown", n.address);
        if (old->shutdown && !n.shutdown) act(Kind::start_neighbor, "no shutdown", n.address);
    }

    std::vector<wire::Prefix> added, removed;
    for (const auto& p : b.networks)
        if (std::find(a.networks.begin(), a.networks.end(), p) == a.networks.end()) added.push_back(p);
    for (const auto& p : a.networks)
        if (std::find(b.networks.begin(), b.networks.end(), p) == b.networks.end()) removed.push_back(p);
    if (!added.empty() || !removed.empty()) act(Kind::networks, networks_text(added, removed));
    return out;
}

// ---- Peer -------------------------------------------------------------------

void Peer::stop_for_removal(const wire::Notification& cease) {
    if (other_) {
        other_->abandon(cease);
        other_.reset();
    }
    main_->stop(cease);
    main_->abandon(std::nullopt);
}

void Peer::update_in_place(const NeighborConfig& cfg) {
    bool shutdown = cfg_.shutdown;
    std::string message = cfg_.shutdown_message;
    cfg_ = cfg;
    cfg_.shutdown = shutdown;  // changed through shutdown() only
    cfg_.shutdown_message = message;
}

// ---- Speaker ----------------------------------------------------------------

namespace {

// TCP-MD5 key and GTSM of neighbor n on the listeners of its family; an
// empty password removes the key.
void listener_options(const std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>>& acceptors,
                      const NeighborConfig& n, const std::string& password) {
    for (const auto& a : acceptors) {
        boost::system::error_code ec;
        auto ep = a->local_endpoint(ec);
        if (ec || ep.address().is_v6() != n.address.v6) continue;
        if (!password.empty() || !n.password.empty())
            if (auto e = set_tcp_md5(a->native_handle(), n.address, password); !e.empty())
                log::log_peer(n.address, log::Level::error, "listener: {}", e);
        if (n.ttl_security_hops)
            if (auto e = set_gtsm_listener(a->native_handle(), n.address.v6); !e.empty())
                log::log_peer(n.address, log::Level::error, "listener: {}", e);
    }
}

}  // namespace

std::string Speaker::apply_config(const Config& c) {
    auto actions = plan_reconfigure(config_, c);
    if (actions.empty()) {
        log::log(log::Level::notice, "reconfigure: no changes");
        return {};
    }
    const std::vector<wire::Prefix> old_networks = config_.bgp ? config_.bgp->networks : std::vector<wire::Prefix>{};
    config_ = c;
    rpki_->set_policy(config_);
    std::string error;
    const auto cease6 = wire::Notification{wire::err::cease, wire::err::other_config_change, {}};
    const auto cease3 = wire::Notification{wire::err::cease, wire::err::peer_deconfigured, {}};
    auto make_peer = [this](const NeighborConfig& n) {
        auto p = std::make_unique<Peer>(io_, n, local_, *routing_, options_.backoff, options_.session);
        Peer* raw = p.get();
        peers_[n.address] = std::move(p);
        listener_options(acceptors_, n, n.password);
        if (peers_started_ && !stopped_) raw->start();
    };
    // Every peer again, from the new configuration, with a new routing
    // table (the peers leave the old one as they go).
    auto rebuild_peers = [this, &make_peer, &cease6] {
        for (auto& [addr, p] : peers_) p->stop_for_removal(cease6);
        peers_.clear();
        rpki_->attach(nullptr);
        routing_.reset();
        if (!config_.bgp) return;
        routing_ = std::make_unique<Routing>(io_, *config_.bgp, local_.router_id, config_.policy);
        rpki_->attach(routing_.get());
        routing_->set_multipath(config_.bgp->multipath);
        routing_->set_fib(config_.fib);
        for (const auto& n : config_.bgp->neighbors) make_peer(n);
    };
    auto close_listeners = [this] {
        for (auto& a : acceptors_) {
            boost::system::error_code ignored;
            a->close(ignored);
        }
        acceptors_.clear();
    };
    auto open_listeners = [this, &error] {
        const BgpConfig& b = *config_.bgp;
        if (!b.listen) return;
        if (b.listen_addresses.empty()) {
            open_listener(wire::IpAddress::v4(0), b.listen_port);
            wire::IpAddress any6;
            any6.v6 = true;
            open_listener(any6, b.listen_port);
        } else {
            for (const auto& l : b.listen_addresses) open_listener(l.address, b.listen_port);
        }
        if (acceptors_.empty()) error = "no BGP listener could be opened";
        for (const auto& n : b.neighbors) listener_options(acceptors_, n, n.password);
        for (size_t i = 0; i < acceptors_.size(); ++i) do_accept(i);
    };

    for (const auto& a : actions) {
        switch (a.kind) {
        case ReconfigureAction::Kind::hostname:
            log::log(log::Level::notice, "reconfigure: hostname {}", a.detail);
            break;
        case ReconfigureAction::Kind::rpki_sources: {
            log::log(log::Level::notice, "reconfigure: rpki {} changed: VRP sources restarted, sessions kept", a.detail);
            const bool was = rpki_->enabled();
            rpki_->restart_sources(config_.rpki);
            // Switched on or off: every route's state changes (unchecked <-> checked).
            if (was != rpki_->enabled() && routing_) routing_->reimport_all();
            break;
        }
        case ReconfigureAction::Kind::fib:
            log::log(log::Level::notice, "reconfigure: fib {}", a.detail);
            if (routing_ && config_.bgp) routing_->set_multipath(config_.bgp->multipath);
            if (routing_) routing_->set_fib(config_.fib);
            break;
        case ReconfigureAction::Kind::soft_in_neighbor:
            log::log_peer(a.neighbor, log::Level::notice, "reconfigure: {} changed: soft reset in, session kept",
                          a.detail);
            if (Peer* p = find(a.neighbor); p && routing_) {
                p->update_in_place(*config_.bgp->find_neighbor(a.neighbor));
                if (p->state() == State::established) routing_->soft_reset(*p, true, false);
            }
            break;
        case ReconfigureAction::Kind::reimport_all:
            log::log(log::Level::notice, "reconfigure: {}: soft reset in of every neighbor", a.detail);
            if (routing_) routing_->reimport_all();
            break;
        case ReconfigureAction::Kind::import_filters:
            log::log(log::Level::notice, "reconfigure: {} changed: import re-run, sessions kept", a.detail);
            routing_->set_filters(*config_.bgp);
            routing_->reimport_all();
            break;
        case ReconfigureAction::Kind::restart_all:
            log::log(log::Level::notice, "reconfigure: {}: every session is reset", a.detail);
            close_listeners();
            if (config_.bgp) {
                local_.asn = config_.bgp->asn;
                local_.router_id = config_.bgp->router_id.value_or(default_router_id(*config_.bgp));
                log::log(log::Level::notice, "BGP AS {}, router ID {}", local_.asn,
                         wire::IpAddress::v4(local_.router_id).to_string());
                open_listeners();
            }
            rebuild_peers();
            break;
        case ReconfigureAction::Kind::listeners:
            log::log(log::Level::notice, "reconfigure: {}: listeners re-opened, sessions kept", a.detail);
            close_listeners();
            open_listeners();
            break;
        case ReconfigureAction::Kind::remove_neighbor: {
            log::log_peer(a.neighbor, log::Level::notice, "reconfigure: neighbor removed: Cease / Peer De-configured");
            if (Peer* p = find(a.neighbor)) {
                if (!p->config().password.empty()) listener_options(acceptors_, p->config(), {});
                p->stop_for_removal(cease3);
                peers_.erase(a.neighbor);
            }
            break;
        }
        case ReconfigureAction::Kind::add_neighbor:
            log::log_peer(a.neighbor, log::Level::notice, "reconfigure: neighbor {}: started", a.detail);
            make_peer(*config_.bgp->find_neighbor(a.neighbor));
            break;
        case ReconfigureAction::Kind::reset_neighbor:
            log::log_peer(a.neighbor, log::Level::notice,
                          "reconfigure: {} changed: session reset with Cease / Other Configuration Change",
                          a.detail);
            if (Peer* p = find(a.neighbor)) {
                if (!p->config().password.empty()) listener_options(acceptors_, p->config(), {});
                p->stop_for_removal(cease6);
                peers_.erase(a.neighbor);
            }
            make_peer(*config_.bgp->find_neighbor(a.neighbor));
            break;
        case ReconfigureAction::Kind::update_neighbor:
            log::log_peer(a.neighbor, log::Level::notice, "reconfigure: {} updated, session kept", a.detail);
            if (Peer* p = find(a.neighbor)) {
                const NeighborConfig& n = *config_.bgp->find_neighbor(a.neighbor);
                bool next_hop = n.next_hop_v4 != p->config().next_hop_v4 || n.next_hop_v6 != p->config().next_hop_v6;
                const bool defenses = defenses_changed(p->config(), n);
                p->update_in_place(n);
                // The routes already sent carry the old next hop: send them again.
                if (next_hop && p->state() == State::established) routing_->soft_reset(*p, false, true);
                // New limits or peer-lock settings: judge the received routes again.
                if (defenses) routing_->update_peer(*p);
            }
            break;
        case ReconfigureAction::Kind::shutdown_neighbor:
        case ReconfigureAction::Kind::start_neighbor: {
            bool down = a.kind == ReconfigureAction::Kind::shutdown_neighbor;
            log::log_peer(a.neighbor, log::Level::notice, "reconfigure: {}", a.detail);
            const NeighborConfig& n = *config_.bgp->find_neighbor(a.neighbor);
            if (Peer* p = find(a.neighbor)) {
                p->update_in_place(n);
                p->shutdown(down, n.shutdown_message);
            }
            break;
        }
        case ReconfigureAction::Kind::policy:
            log::log(log::Level::notice, "reconfigure: {}: compiled, sessions kept", a.detail);
            if (routing_) routing_->set_policy(config_.policy, *config_.bgp);
            break;
        case ReconfigureAction::Kind::import_policy:
        case ReconfigureAction::Kind::export_policy: {
            const bool in = a.kind == ReconfigureAction::Kind::import_policy;
            log::log_peer(a.neighbor, log::Level::notice, "reconfigure: {}: soft reset {}", a.detail,
                          in ? "in" : "out");
            Peer* p = find(a.neighbor);
            if (!p || !routing_) break;
            p->update_in_place(*config_.bgp->find_neighbor(a.neighbor));
            if (p->state() != State::established) break;
            if (in)
                routing_->soft_reset(*p, true, false);
            else
                routing_->export_changed(*p);
            break;
        }
        case ReconfigureAction::Kind::networks: {
            log::log(log::Level::notice, "reconfigure: networks {}: announced / withdrawn, sessions kept", a.detail);
            const auto& now = config_.bgp->networks;
            for (const auto& p : old_networks)
                if (std::find(now.begin(), now.end(), p) == now.end()) routing_->withdraw(p);
            for (const auto& p : now)
                if (std::find(old_networks.begin(), old_networks.end(), p) == old_networks.end())
                    routing_->originate(p);
            break;
        }
        }
    }
    return error;
}

}  // namespace moat::bgp
