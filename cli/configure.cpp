// Configuration mode (see configure.hpp). A command of the config file
// language is checked and applied by the config loader itself: the candidate
// is printed, the command appended in its node, and the text loaded again,
// so configuration mode and the file can never disagree. The `no` forms and
// the node commands are handled here on the candidate directly.
#include "cli/configure.hpp"

#include "cli/commands.hpp"
#include "cli/config_loader.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace moat::cli {

namespace {

// Commands of configuration mode that are not config file commands.
constexpr std::array<std::pair<const char*, const char*>, 5> top_own{{
    {"exit", "Leave configuration mode, applying the changes"},
    {"end", "Leave configuration mode, applying the changes"},
    {"no hostname", "Back to the default hostname"},
    {"no router bgp", "Remove the BGP configuration"},
    {"no control socket group", "The control socket keeps the daemon's group"},
}};

constexpr std::array<std::pair<const char*, const char*>, 57> bgp_own{{
    {"exit", "Leave the router bgp node"},
    {"end", "Leave configuration mode, applying the changes"},
    {"bgp listen", "Accept BGP connections (the default)"},
    {"no bgp router-id", "Use the default BGP identifier"},
    {"no bgp listen address ADDR", "Stop listening on this address"},
    {"no bgp listen port", "Listen on the default port 179"},
    {"no network PREFIX", "Stop originating a prefix"},
    {"no neighbor ADDR", "Remove a neighbor"},
    {"no neighbor ADDR description", "Remove the description"},
    {"no neighbor ADDR passive", "Connect to the neighbor again"},
    {"no neighbor ADDR shutdown", "Bring an administratively shut down neighbor back"},
    {"no neighbor ADDR update-source", "Let the system choose the local address"},
    {"no neighbor ADDR port", "The neighbor's port back to 179"},
    {"no neighbor ADDR timers", "Keepalive and hold time back to 30 and 90 seconds"},
    {"no neighbor ADDR timers connect", "Connect retry time back to 30 seconds"},
    {"no neighbor ADDR timers delay-open", "No DelayOpen"},
    {"no neighbor ADDR password", "No TCP-MD5"},
    {"no neighbor ADDR ttl-security", "No GTSM"},
    {"no neighbor ADDR ttl-security hops", "No GTSM"},
    {"no neighbor ADDR ebgp-multihop", "Default TTL for eBGP"},
    {"no neighbor ADDR next-hop-address ADDR", "Default NEXT_HOP for the address's family"},
    {"no neighbor ADDR remote-as", "Remove a neighbor"},
    {"no neighbor ADDR next-hop-self", "NEXT_HOP of learnt routes unchanged on iBGP again"},
    {"no neighbor ADDR route-reflector-client", "The neighbor is no longer a route-reflector client"},
    {"no neighbor ADDR default-originate", "Stop sending the neighbor a default route"},
    {"no bgp always-compare-med", "Compare MED only between routes from the same neighbor AS"},
    {"no bgp cluster-id", "The cluster ID back to the router ID"},
    {"no neighbor ADDR local-role", "No BGP role (RFC 9234): no Role capability, no OTC rules"},
    // The same with the value as the running config shows it, so a line of
    // `show running-config` can be undone by typing `no` before it. The
    // value is not compared with the configured one.
    {"no bgp router-id A.B.C.D", "Use the default BGP identifier"},
    {"no bgp listen port <1-65535>", "Listen on the default port 179"},
    {"no bgp cluster-id A.B.C.D", "The cluster ID back to the router ID"},
    {"no neighbor ADDR remote-as ASN", "Remove a neighbor"},
    {"no neighbor ADDR description LINE...", "Remove the description"},
    {"no neighbor ADDR shutdown LINE...", "Bring an administratively shut down neighbor back"},
    {"no neighbor ADDR update-source ADDR", "Let the system choose the local address"},
    {"no neighbor ADDR port <1-65535>", "The neighbor's port back to 179"},
    {"no neighbor ADDR timers <0-65535> <0-65535>", "Keepalive and hold time back to 30 and 90 seconds"},
    {"no neighbor ADDR timers connect <1-65535>", "Connect retry time back to 30 seconds"},
    {"no neighbor ADDR timers delay-open <1-240>", "No DelayOpen"},
    {"no neighbor ADDR password WORD", "No TCP-MD5"},
    {"no neighbor ADDR ttl-security hops <1-254>", "No GTSM"},
    {"no neighbor ADDR ebgp-multihop <1-255>", "Default TTL for eBGP"},
    {"no neighbor ADDR local-role WORD", "No BGP role (RFC 9234): no Role capability, no OTC rules"},
    {"no neighbor ADDR local-role WORD strict", "No BGP role (RFC 9234): no Role capability, no OTC rules"},
    {"no neighbor ADDR maximum-prefix", "No IPv4 maximum-prefix limit"},
    {"no neighbor ADDR maximum-prefix ipv4", "No IPv4 maximum-prefix limit"},
    {"no neighbor ADDR maximum-prefix ipv6", "No IPv6 maximum-prefix limit"},
    {"no neighbor ADDR maximum-prefix LINE...", "No maximum-prefix limit for the family given (IPv4 without one)"},
    {"no neighbor ADDR peer-lock strict", "Peer-lock: the neighbor may carry its own AS again"},
    {"no neighbor ADDR peer-lock allow", "Peer-lock: no exceptions for the neighbor"},
    {"no neighbor ADDR peer-lock allow LINE...", "Peer-lock: no exceptions for the neighbor"},
    {"no neighbor ADDR allow default-route", "Reject the default route from the neighbor again"},
    {"no bgp peer-lock protected-as", "Peer-lock: no protected ASN"},
    {"no bgp peer-lock protected-as LINE...", "Peer-lock: stop protecting these ASNs"},
    {"no bgp peer-lock preset tier1", "Peer-lock: no built-in list"},
    {"no bgp rejected-routes limit", "Rejected-route records back to 100000"},
    {"no bgp rejected-routes limit <0-10000000>", "Rejected-route records back to 100000"},
}};

// A `no` form written with its value does what the bare form does.
std::string without_value(std::string p) {
    static const std::pair<const char*, const char*> bare[] = {
        {"no bgp router-id A.B.C.D", "no bgp router-id"},
        {"no bgp listen port <1-65535>", "no bgp listen port"},
        {"no bgp cluster-id A.B.C.D", "no bgp cluster-id"},
        {"no neighbor ADDR remote-as ASN", "no neighbor ADDR"},
        {"no neighbor ADDR description LINE...", "no neighbor ADDR description"},
        {"no neighbor ADDR shutdown LINE...", "no neighbor ADDR shutdown"},
        {"no neighbor ADDR update-source ADDR", "no neighbor ADDR update-source"},
        {"no neighbor ADDR port <1-65535>", "no neighbor ADDR port"},
        {"no neighbor ADDR timers <0-65535> <0-65535>", "no neighbor ADDR timers"},
        {"no neighbor ADDR timers connect <1-65535>", "no neighbor ADDR timers connect"},
        {"no neighbor ADDR timers delay-open <1-240>", "no neighbor ADDR timers delay-open"},
        {"no neighbor ADDR password WORD", "no neighbor ADDR password"},
        {"no neighbor ADDR ttl-security hops <1-254>", "no neighbor ADDR ttl-security"},
        {"no neighbor ADDR ebgp-multihop <1-255>", "no neighbor ADDR ebgp-multihop"},
        {"no neighbor ADDR local-role WORD", "no neighbor ADDR local-role"},
        {"no neighbor ADDR local-role WORD strict", "no neighbor ADDR local-role"},
    };
    for (const auto& [with, without] : bare)
        if (p == with) return without;
    return p;
}

// Routing policy (the `no` forms of the policy commands).
constexpr std::array<std::pair<const char*, const char*>, 10> top_policy_own{{
    {"no ip prefix-list WORD", "Remove an IPv4 prefix-list"},
    {"no ip prefix-list WORD seq <1-4294967295>", "Remove one entry of an IPv4 prefix-list"},
    {"no ipv6 prefix-list WORD", "Remove an IPv6 prefix-list"},
    {"no ipv6 prefix-list WORD seq <1-4294967295>", "Remove one entry of an IPv6 prefix-list"},
    {"no bgp as-path access-list WORD", "Remove an AS path access-list"},
    {"no bgp community-list WORD", "Remove a community-list"},
    {"no bgp large-community-list WORD", "Remove a large-community-list"},
    {"no route-map WORD", "Remove a route-map"},
    {"no route-map WORD permit <1-65535>", "Remove one route-map entry"},
    {"no route-map WORD deny <1-65535>", "Remove one route-map entry"},
}};

constexpr std::array<std::pair<const char*, const char*>, 2> bgp_policy_own{{
    {"no neighbor ADDR route-map WORD in", "No import route-map"},
    {"no neighbor ADDR route-map WORD out", "No export route-map"},
}};

constexpr std::array<std::pair<const char*, const char*>, 20> rm_own{{
    {"exit", "Leave the route-map node"},
    {"end", "Leave configuration mode, applying the changes"},
    {"no description", "Remove the description"},
    {"no match ip address prefix-list", "Remove the clause"},
    {"no match ipv6 address prefix-list", "Remove the clause"},
    {"no match as-path", "Remove the clause"},
    {"no match community", "Remove the clause"},
    {"no match large-community", "Remove the clause"},
    {"no match rpki", "Remove the clause"},
    {"no match peer", "Remove the clause"},
    {"no set local-preference", "Remove the action"},
    {"no set metric", "Remove the action"},
    {"no set community", "Remove the action"},
    {"no set comm-list", "Remove the action"},
    {"no set large-community", "Remove the action"},
    {"no set as-path prepend", "Remove the action"},
    {"no set ip next-hop", "Remove the action"},
    {"no set ipv6 next-hop", "Remove the action"},
    {"no on-match next", "Stop at the first matching entry"},
    {"no continue", "Stop at the first matching entry"},
}};

// A node's commands: the config file's (without its `exit`) then ours.
struct Table {
    std::vector<Syntax> syntax;
    std::vector<size_t> loader_index;  // for the file's commands
    size_t own_begin = 0;
};

template <size_t N, size_t M = 0>
Table make_table(Node node, const std::array<std::pair<const char*, const char*>, N>& own,
                 const std::array<std::pair<const char*, const char*>, M>& more = {}) {
    Table t;
    const auto& file = node_syntax(node);
    for (size_t i = 0; i < file.size(); ++i) {
        if (file[i].tokens.size() == 1 && file[i].tokens[0].text == "exit") continue;
        t.syntax.push_back(file[i]);
        t.loader_index.push_back(i);
    }
    t.own_begin = t.syntax.size();
    for (const auto& [p, h] : own) t.syntax.push_back(Syntax::parse(p, h));
    for (const auto& [p, h] : more) t.syntax.push_back(Syntax::parse(p, h));
    return t;
}

const Table& top_table() {
    static const Table t = make_table(Node::config, top_own, top_policy_own);
    return t;
}
const Table& bgp_table() {
    static const Table t = make_table(Node::router_bgp, bgp_own, bgp_policy_own);
    return t;
}
const Table& rm_table() {
    static const Table t = make_table(Node::route_map, rm_own);
    return t;
}

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> v;
    size_t i = 0;
    while (i < text.size()) {
        size_t j = text.find(' ', i);
        if (j == std::string::npos) j = text.size();
        if (j > i) v.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    return v;
}

std::string pattern_of(const Syntax& s) {
    std::string p;
    for (const auto& t : s.tokens) p += (p.empty() ? "" : " ") + t.text;
    return p;
}

using Result = ConfigSession::Result;

Result error(unsigned column, std::string message) { return Result{false, column, "% " + std::move(message), false}; }

}  // namespace

ConfigSession::ConfigSession(bgp::Config running) : candidate_(std::move(running)) {}

std::vector<Completion> ConfigSession::complete(std::string_view line) const {
    const Table& t = node_ == Node::router_bgp ? bgp_table() : node_ == Node::route_map ? rm_table() : top_table();
    return cli::complete(t.syntax, line);
}

namespace {

// Removes what a policy `no` command names from c; an error when there is
// nothing to remove.
std::optional<std::string> remove_policy(bgp::Config& c, const std::string& p, const Args& a) {
    auto& pol = c.policy;
    auto erase_named = [&](auto& v, const std::string& what) -> std::optional<std::string> {
        auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.name == a[0].text; });
        if (it == v.end()) return what + " " + a[0].text + " is not defined";
        v.erase(it);
        return std::nullopt;
    };
    if (p == "no ip prefix-list WORD" || p == "no ipv6 prefix-list WORD" ||
        p == "no ip prefix-list WORD seq <1-4294967295>" || p == "no ipv6 prefix-list WORD seq <1-4294967295>") {
        const bool v6 = p.starts_with("no ipv6");
        auto& v = pol.prefix_lists;
        auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.name == a[0].text && x.v6 == v6; });
        if (it == v.end()) return std::string(v6 ? "ipv6" : "ip") + " prefix-list " + a[0].text + " is not defined";
        if (a.size() == 1) {
            v.erase(it);
            return std::nullopt;
        }
        auto e = std::find_if(it->entries.begin(), it->entries.end(), [&](const auto& x) { return x.seq == a[1].number; });
        if (e == it->entries.end()) return "No entry seq " + a[1].text;
        it->entries.erase(e);
        if (it->entries.empty()) v.erase(it);
        return std::nullopt;
    }
    if (p == "no bgp as-path access-list WORD") return erase_named(pol.as_path_lists, "bgp as-path access-list");
    if (p == "no bgp community-list WORD") return erase_named(pol.community_lists, "bgp community-list");
    if (p == "no bgp large-community-list WORD")
        return erase_named(pol.large_community_lists, "bgp large-community-list");
    if (p == "no route-map WORD") return erase_named(pol.route_maps, "route-map");
    // no route-map WORD permit|deny SEQ
    auto& v = pol.route_maps;
    auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == v.end()) return "route-map " + a[0].text + " is not defined";
    auto e = std::find_if(it->entries.begin(), it->entries.end(), [&](const auto& x) { return x.seq == a[1].number; });
    if (e == it->entries.end()) return "route-map " + a[0].text + " has no entry " + a[1].text;
    it->entries.erase(e);
    if (it->entries.empty()) v.erase(it);
    return std::nullopt;
}

// Clears the clause a `no match|set ...` command names in the entry.
void clear_clause(bgp::RouteMapEntry& e, const std::string& p) {
    if (p == "no description") e.description.clear();
    if (p == "no match ip address prefix-list") e.match_prefix_list_v4.clear();
    if (p == "no match ipv6 address prefix-list") e.match_prefix_list_v6.clear();
    if (p == "no match as-path") e.match_as_path.clear();
    if (p == "no match community") e.match_community.clear();
    if (p == "no match large-community") e.match_large_community.clear();
    if (p == "no match rpki") e.match_rpki.reset();
    if (p == "no match peer") e.match_peer.reset();
    if (p == "no set local-preference") e.set_local_pref.reset();
    if (p == "no set metric") e.set_metric.reset();
    if (p == "no set community") {
        e.set_community.reset();
        e.set_community_none = false;
        e.set_community_additive = false;
    }
    if (p == "no set comm-list") e.set_comm_list_delete.clear();
    if (p == "no set large-community") {
        e.set_large_community.reset();
        e.set_large_community_additive = false;
    }
    if (p == "no set as-path prepend") e.set_as_path_prepend.clear();
    if (p == "no set ip next-hop") e.set_next_hop_v4.reset();
    if (p == "no set ipv6 next-hop") e.set_next_hop_v6.reset();
    if (p == "no on-match next") e.on_match_next = false;
    if (p == "no continue") e.continue_seq.reset();
}

}  // namespace

Result ConfigSession::enter(std::string_view line) {
    auto tok = tokenize(line);
    if (tok.index() == 1) return error(std::get<1>(tok).column, std::get<1>(tok).message);
    const auto& words = std::get<0>(tok);
    if (words.empty()) return {};

    // Runs a config file command: the candidate printed, the line appended
    // in the node, all of it loaded again.
    auto via_loader = [&](bool in_bgp) -> Result {
        std::string text = render_config(candidate_);
        if (in_bgp && text.size() >= 2 && text.ends_with("!\n")) text.resize(text.size() - 2);
        unsigned lines = static_cast<unsigned>(std::count(text.begin(), text.end(), '\n'));
        text.append(line);
        text += '\n';
        auto r = load_config_text(text, "<terminal>");
        if (auto* e = std::get_if<ConfigError>(&r)) {
            if (e->line == lines + 1) return error(e->column, e->message);
            return error(0, e->to_string());
        }
        candidate_ = std::get<bgp::Config>(std::move(r));
        return {};
    };

    // A candidate changed directly is taken only when it still loads (a
    // removed list or route-map may still be referred to).
    auto checked = [&](bgp::Config c) -> Result {
        auto r = load_config_text(render_config(c), "<candidate>");
        if (auto* e = std::get_if<ConfigError>(&r)) return error(0, "refused: " + e->message);
        candidate_ = std::move(c);
        return {};
    };

    auto run_rm = [&](const Match& m) -> Result {
        const Table& t = rm_table();
        if (m.index < t.own_begin) {
            std::string text = render_config(candidate_);
            text += rm_header_ + "\n";
            unsigned lines = static_cast<unsigned>(std::count(text.begin(), text.end(), '\n'));
            text.append(line);
            text += '\n';
            auto r = load_config_text(text, "<terminal>");
            if (auto* e = std::get_if<ConfigError>(&r)) {
                if (e->line == lines + 1) return error(e->column, e->message);
                return error(0, e->to_string());
            }
            candidate_ = std::get<bgp::Config>(std::move(r));
            return {};
        }
        std::string p = pattern_of(t.syntax[m.index]);
        if (p == "end") return Result{true, 0, {}, true};
        if (p == "exit") {
            node_ = Node::config;
            return {};
        }
        bgp::Config c = candidate_;
        // The entry named by the header: route-map NAME permit|deny SEQ.
        auto hw = std::get<0>(tokenize(rm_header_));
        for (auto& map : c.policy.route_maps)
            if (map.name == hw[1].text)
                for (auto& e : map.entries)
                    if (std::to_string(e.seq) == hw[3].text) clear_clause(e, p);
        return checked(std::move(c));
    };

    auto run_top = [&](const Match& m) -> Result {
        const Table& t = top_table();
        if (m.index < t.own_begin) {
            const Syntax& s = t.syntax[m.index];
            Result r = via_loader(false);
            if (r.ok) {
                node_ = s.tokens[0].text == "router"      ? Node::router_bgp
                        : s.tokens[0].text == "route-map" ? Node::route_map
                                                          : Node::config;
                if (node_ == Node::route_map)
                    rm_header_ = "route-map " + quote_if_needed(m.args[0].text) + " " + s.tokens[2].text + " " +
                                 m.args[1].text;
            }
            return r;
        }
        std::string p = pattern_of(t.syntax[m.index]);
        if (p == "exit" || p == "end") return Result{true, 0, {}, true};
        if (p.starts_with("no ip") || p.starts_with("no bgp") || p.starts_with("no route-map")) {
            bgp::Config c = candidate_;
            if (auto e = remove_policy(c, p, m.args)) return error(m.args[0].column, *e);
            if (auto r = checked(std::move(c)); !r.ok) return r;
            node_ = Node::config;
            return {};
        }
        if (p == "no hostname") candidate_.hostname = bgp::Config{}.hostname;
        if (p == "no router bgp") candidate_.bgp.reset();
        if (p == "no control socket group") candidate_.control_socket_group.clear();
        node_ = Node::config;
        return {};
    };

    auto run_bgp = [&](const Match& m) -> Result {
        const Table& t = bgp_table();
        const Syntax& s = t.syntax[m.index];
        bgp::BgpConfig& b = *candidate_.bgp;
        const Args& a = m.args;
        if (m.index < t.own_begin) {
            // An existing neighbor's remote-as is changed, not declared again.
            if (s.tokens.size() == 4 && s.tokens[0].text == "neighbor" && s.tokens[2].text == "remote-as") {
                for (auto& n : b.neighbors)
                    if (n.address == a[0].address) {
                        n.remote_as = static_cast<uint32_t>(a[1].number);
                        return {};
                    }
            }
            return via_loader(true);
        }
        std::string p = without_value(pattern_of(s));
        if (p == "end") return Result{true, 0, {}, true};
        if (p == "exit") {
            node_ = Node::config;
            return {};
        }
        if (p == "bgp listen") {
            b.listen = true;
            return {};
        }
        if (p == "no bgp router-id") {
            b.router_id.reset();
            return {};
        }
        if (p == "no bgp listen port") {
            b.listen_port = 179;
            return {};
        }
        if (p == "no bgp always-compare-med") {
            b.always_compare_med = false;
            return {};
        }
        if (p == "no bgp cluster-id") {
            b.cluster_id.reset();
            return {};
        }
        if (p == "no bgp peer-lock protected-as") {
            b.peer_lock_protected.clear();
            return {};
        }
        if (p == "no bgp peer-lock protected-as LINE...") {
            for (const std::string& w : split_words(a[0].text)) {
                auto asn = parse_asn(w);
                auto it = asn ? std::find(b.peer_lock_protected.begin(), b.peer_lock_protected.end(), *asn)
                              : b.peer_lock_protected.end();
                if (it == b.peer_lock_protected.end()) return error(a[0].column, "AS " + w + " is not protected");
                b.peer_lock_protected.erase(it);
            }
            return {};
        }
        if (p == "no bgp peer-lock preset tier1") {
            b.peer_lock_tier1 = false;
            return {};
        }
        if (p == "no bgp rejected-routes limit" || p == "no bgp rejected-routes limit <0-10000000>") {
            b.rejected_limit = bgp::BgpConfig{}.rejected_limit;
            return {};
        }
        if (p == "no bgp listen address ADDR") {
            auto it = std::find(b.listen_addresses.begin(), b.listen_addresses.end(), bgp::ListenAddress{a[0].address});
            if (it == b.listen_addresses.end()) return error(a[0].column, "Not listening on " + a[0].text);
            b.listen_addresses.erase(it);
            return {};
        }
        if (p == "no network PREFIX") {
            auto it = std::find(b.networks.begin(), b.networks.end(), a[0].prefix);
            if (it == b.networks.end()) return error(a[0].column, "Network " + a[0].text + " is not configured");
            b.networks.erase(it);
            return {};
        }
        // no neighbor ADDR ...
        auto it = std::find_if(b.neighbors.begin(), b.neighbors.end(),
                               [&](const bgp::NeighborConfig& n) { return n.address == a[0].address; });
        if (it == b.neighbors.end()) return error(a[0].column, "Neighbor " + a[0].text + " is not configured");
        bgp::NeighborConfig& n = *it;
        const bgp::NeighborConfig d;
        if (p == "no neighbor ADDR route-map WORD in" || p == "no neighbor ADDR route-map WORD out") {
            std::string& name = p.ends_with(" in") ? n.route_map_in : n.route_map_out;
            if (name != a[1].text) return error(a[1].column, "Route-map " + a[1].text + " is not applied there");
            name.clear();
        } else if (p == "no neighbor ADDR" || p == "no neighbor ADDR remote-as") {
            b.neighbors.erase(it);
        } else if (p == "no neighbor ADDR description") {
            n.description.clear();
        } else if (p == "no neighbor ADDR passive") {
            n.passive = false;
        } else if (p == "no neighbor ADDR shutdown") {
            n.shutdown = false;
            n.shutdown_message.clear();
        } else if (p == "no neighbor ADDR update-source") {
            n.update_source.reset();
        } else if (p == "no neighbor ADDR port") {
            n.port = d.port;
        } else if (p == "no neighbor ADDR timers") {
            n.keepalive_time = d.keepalive_time;
            n.hold_time = d.hold_time;
        } else if (p == "no neighbor ADDR timers connect") {
            n.connect_retry_time = d.connect_retry_time;
        } else if (p == "no neighbor ADDR timers delay-open") {
            n.delay_open_time.reset();
        } else if (p == "no neighbor ADDR password") {
            n.password.clear();
        } else if (p == "no neighbor ADDR ttl-security" || p == "no neighbor ADDR ttl-security hops") {
            n.ttl_security_hops.reset();
        } else if (p == "no neighbor ADDR ebgp-multihop") {
            n.ebgp_multihop.reset();
        } else if (p == "no neighbor ADDR next-hop-address ADDR") {
            (a[1].address.v6 ? n.next_hop_v6 : n.next_hop_v4).reset();
        } else if (p == "no neighbor ADDR next-hop-self") {
            n.next_hop_self = false;
        } else if (p == "no neighbor ADDR route-reflector-client") {
            n.route_reflector_client = false;
        } else if (p == "no neighbor ADDR default-originate") {
            n.default_originate = false;
        } else if (p == "no neighbor ADDR local-role") {
            if (a.size() > 1 && !wire::parse_role(a[1].text))
                return error(a[1].column, "Unknown role '" + a[1].text + "' (provider, customer, peer, rs, rs-client)");
            n.local_role.reset();
            n.role_strict = false;
        } else if (p == "no neighbor ADDR maximum-prefix" || p == "no neighbor ADDR maximum-prefix ipv4") {
            n.max_prefix_v4.reset();
        } else if (p == "no neighbor ADDR maximum-prefix ipv6") {
            n.max_prefix_v6.reset();
        } else if (p == "no neighbor ADDR maximum-prefix LINE...") {
            (a[1].text.starts_with("ipv6") ? n.max_prefix_v6 : n.max_prefix_v4).reset();
        } else if (p == "no neighbor ADDR peer-lock strict") {
            n.peer_lock_strict = false;
        } else if (p == "no neighbor ADDR peer-lock allow" || p == "no neighbor ADDR peer-lock allow LINE...") {
            n.peer_lock_allow.clear();
        } else if (p == "no neighbor ADDR allow default-route") {
            n.allow_default_route = false;
        }
        return {};
    };

    const Table& top = top_table();
    const Table& bgp = bgp_table();
    if (node_ == Node::route_map) {
        auto r = match(rm_table().syntax, words);
        if (r.index() == 0) return run_rm(std::get<0>(r));
        auto r2 = match(top.syntax, words);
        if (r2.index() == 0) return run_top(std::get<0>(r2));  // a command of the parent node leaves this one
        const auto& e1 = std::get<1>(r);
        const auto& e2 = std::get<1>(r2);
        const auto& e = e2.column > e1.column ? e2 : e1;
        return error(e.column, e.message);
    }
    if (node_ == Node::router_bgp && candidate_.bgp) {
        auto r = match(bgp.syntax, words);
        if (r.index() == 0) return run_bgp(std::get<0>(r));
        auto r2 = match(top.syntax, words);
        if (r2.index() == 0) return run_top(std::get<0>(r2));  // a command of the parent node leaves this one
        const auto& e1 = std::get<1>(r);
        const auto& e2 = std::get<1>(r2);
        const auto& e = e2.column > e1.column ? e2 : e1;
        return error(e.column, e.message);
    }
    node_ = Node::config;
    auto r = match(top.syntax, words);
    if (r.index() == 0) return run_top(std::get<0>(r));
    if (match(bgp.syntax, words).index() == 0)
        return error(words[0].column, "'" + words[0].text + "' is only valid inside 'router bgp'");
    const auto& e = std::get<1>(r);
    return error(e.column, e.message);
}

}  // namespace moat::cli
