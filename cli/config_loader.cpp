// The config file: the command tables of the `config` and `router_bgp` nodes,
// their handlers (with the semantic checks), the loader and the printer.
// The language is documented in docs/configuration.md.
#include "cli/config_loader.hpp"

#include "cli/commands.hpp"
#include "cli/grammar.hpp"
#include "cli/unix_group.hpp"

#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace moat::cli {

std::string ConfigError::to_string() const {
    std::string s = file;
    if (line) s += ":" + std::to_string(line);
    if (column) s += ":" + std::to_string(column);
    return s + ": error: " + message;
}

namespace {

struct LineError {
    unsigned column = 0;
    std::string message;
};
using Outcome = std::optional<LineError>;

struct Loader {
    bgp::Config cfg;
    bool in_bgp = false;
    unsigned line = 0;
    std::map<wire::IpAddress, unsigned> neighbor_line;  // where each neighbor was declared
};

using Handler = Outcome (*)(Loader&, const Args&, const std::vector<Word>&);

struct Entry {
    const char* pattern;
    const char* help;
    Handler handler;
};

// ---- helpers ----------------------------------------------------------------

bgp::NeighborConfig* find(Loader& l, const wire::IpAddress& a) {
    for (auto& n : l.cfg.bgp->neighbors)
        if (n.address == a) return &n;
    return nullptr;
}

// The neighbor named by args[0], which must have been declared with remote-as.
std::variant<bgp::NeighborConfig*, LineError> neighbor(Loader& l, const Args& args) {
    if (auto* n = find(l, args[0].address)) return n;
    std::string a = format_address(args[0].address);
    return LineError{args[0].column,
                     "Neighbor " + a + " is not configured; 'neighbor " + a + " remote-as ASN' must come first"};
}

template <typename F>
Outcome with_neighbor(Loader& l, const Args& args, F f) {
    auto n = neighbor(l, args);
    if (n.index() == 1) return std::get<1>(n);
    return f(*std::get<0>(n));
}

uint32_t v4_host(const wire::IpAddress& a) {
    return static_cast<uint32_t>(a.bytes[0]) << 24 | static_cast<uint32_t>(a.bytes[1]) << 16 |
           static_cast<uint32_t>(a.bytes[2]) << 8 | a.bytes[3];
}

wire::IpAddress v4_address(uint32_t host) {
    wire::IpAddress a;
    a.bytes[0] = static_cast<uint8_t>(host >> 24);
    a.bytes[1] = static_cast<uint8_t>(host >> 16);
    a.bytes[2] = static_cast<uint8_t>(host >> 8);
    a.bytes[3] = static_cast<uint8_t>(host);
    return a;
}

bool is_unspecified(const wire::IpAddress& a) {
    return std::all_of(a.bytes.begin(), a.bytes.end(), [](uint8_t b) { return b == 0; });
}

const char* family(const wire::IpAddress& a) { return a.v6 ? "IPv6" : "IPv4"; }

// ---- config (top level) -----------------------------------------------------

Outcome cmd_hostname(Loader& l, const Args& a, const std::vector<Word>&) {
    const std::string& name = a[0].text;
    bool ok = !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_';
    });
    if (!ok) return LineError{a[0].column, "Invalid hostname (letters, digits, '-', '.', '_'; at most 253)"};
    l.cfg.hostname = name;
    return {};
}

Outcome cmd_control_socket(Loader& l, const Args& a, const std::vector<Word>&) {
    const std::string& path = a[0].text;
    if (path.empty()) return LineError{a[0].column, "Empty socket path"};
    if (path.size() >= sizeof(sockaddr_un{}.sun_path))
        return LineError{a[0].column,
                         "Socket path longer than " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes"};
    l.cfg.control_socket = path;
    return {};
}

Outcome cmd_control_socket_group(Loader& l, const Args& a, const std::vector<Word>&) {
    if (!lookup_group(a[0].text)) return LineError{a[0].column, "Group '" + a[0].text + "' does not exist"};
    l.cfg.control_socket_group = a[0].text;
    return {};
}

Outcome cmd_router_bgp(Loader& l, const Args& a, const std::vector<Word>&) {
    auto asn = static_cast<uint32_t>(a[0].number);
    if (l.cfg.bgp && l.cfg.bgp->asn != asn)
        return LineError{a[0].column, "BGP is already configured with AS " + std::to_string(l.cfg.bgp->asn)};
    if (!l.cfg.bgp) {
        l.cfg.bgp.emplace();
        l.cfg.bgp->asn = asn;
    }
    l.in_bgp = true;
    return {};
}

// ---- router bgp -------------------------------------------------------------

Outcome cmd_exit(Loader& l, const Args&, const std::vector<Word>&) {
    l.in_bgp = false;
    return {};
}

Outcome cmd_router_id(Loader& l, const Args& a, const std::vector<Word>&) {
    uint32_t id = v4_host(a[0].address);
    if (id == 0) return LineError{a[0].column, "Router ID must not be 0.0.0.0"};
    l.cfg.bgp->router_id = id;
    return {};
}

Outcome cmd_listen_address(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& v = l.cfg.bgp->listen_addresses;
    bgp::ListenAddress la{a[0].address};
    if (std::find(v.begin(), v.end(), la) != v.end())
        return LineError{a[0].column, "Duplicate listen address " + format_address(a[0].address)};
    v.push_back(la);
    return {};
}

Outcome cmd_listen_port(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.bgp->listen_port = static_cast<uint16_t>(a[0].number);
    return {};
}

Outcome cmd_no_listen(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->listen = false;
    return {};
}

Outcome cmd_network(Loader& l, const Args& a, const std::vector<Word>&) {
    const wire::Prefix& p = a[0].prefix;
    if (prefix_has_host_bits(p))
        return LineError{a[0].column, "Prefix " + a[0].text + " has host bits set (did you mean " +
                                          format_prefix(prefix_masked(p)) + "?)"};
    auto& v = l.cfg.bgp->networks;
    if (std::find(v.begin(), v.end(), p) != v.end())
        return LineError{a[0].column, "Duplicate network " + format_prefix(p)};
    v.push_back(p);
    return {};
}

Outcome cmd_remote_as(Loader& l, const Args& a, const std::vector<Word>&) {
    const wire::IpAddress& addr = a[0].address;
    if (is_unspecified(addr)) return LineError{a[0].column, "Invalid neighbor address " + a[0].text};
    if (find(l, addr))
        return LineError{a[0].column, "Duplicate neighbor " + format_address(addr) + " (first configured on line " +
                                          std::to_string(l.neighbor_line[addr]) + ")"};
    bgp::NeighborConfig n;
    n.address = addr;
    n.remote_as = static_cast<uint32_t>(a[1].number);
    l.cfg.bgp->neighbors.push_back(std::move(n));
    l.neighbor_line[addr] = l.line;
    return {};
}

Outcome cmd_description(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (a[1].text.size() > 255) return LineError{a[1].column, "Description longer than 255 bytes"};
        n.description = a[1].text;
        return {};
    });
}

Outcome cmd_passive(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.passive = true;
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

Outcome cmd_next_hop_address(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (is_unspecified(a[1].address)) return LineError{a[1].column, "Invalid next hop " + a[1].text};
        (a[1].address.v6 ? n.next_hop_v6 : n.next_hop_v4) = a[1].address;
        return {};
    });
}

Outcome cmd_next_hop_self(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.next_hop_self = true;
        return {};
    });
}

Outcome cmd_rr_client(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.remote_as != l.cfg.bgp->asn)
            return LineError{a[0].column, "A route-reflector client must be an internal (iBGP) neighbor"};
        n.route_reflector_client = true;
        return {};
    });
}

Outcome cmd_default_originate(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.default_originate = true;
        return {};
    });
}

template <wire::Role R, bool Strict>
Outcome cmd_local_role(Loader& l, const Args& a, const std::vector<Word>& w) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.remote_as == l.cfg.bgp->asn)
            return LineError{w[2].column, "A local role (RFC 9234) is for external (eBGP) neighbors only"};
        n.local_role = R;
        n.role_strict = Strict;
        return {};
    });
}

Outcome cmd_always_compare_med(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->always_compare_med = true;
    return {};
}

Outcome cmd_cluster_id(Loader& l, const Args& a, const std::vector<Word>&) {
    uint32_t id = v4_host(a[0].address);
    if (id == 0) return LineError{a[0].column, "Cluster ID must not be 0.0.0.0"};
    l.cfg.bgp->cluster_id = id;
    return {};
}

Outcome cmd_port(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.port = static_cast<uint16_t>(a[1].number);
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

Outcome cmd_timers_connect(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.connect_retry_time = static_cast<uint16_t>(a[1].number);
        return {};
    });
}

Outcome cmd_timers_delay_open(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.delay_open_time = static_cast<uint16_t>(a[1].number);
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

Outcome cmd_password(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (a[1].text.empty() || a[1].text.size() > 80)
            return LineError{a[1].column, "TCP-MD5 password must be 1-80 characters"};
        n.password = a[1].text;
        return {};
    });
}

Outcome cmd_ttl_security(Loader& l, const Args& a, const std::vector<Word>& w) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.ebgp_multihop)
            return LineError{w[2].column, "ttl-security and ebgp-multihop cannot both be set"};
        n.ttl_security_hops = static_cast<uint8_t>(a[1].number);
        return {};
    });
}

Outcome cmd_ebgp_multihop(Loader& l, const Args& a, const std::vector<Word>& w) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.ttl_security_hops)
            return LineError{w[2].column, "ttl-security and ebgp-multihop cannot both be set"};
        n.ebgp_multihop = static_cast<uint8_t>(a[1].number);
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
Outcome cmd_no_af_v4(Loader& l, const Args& a, const std::vector<Word>& w) {
    return address_family(l, a, false, false, w[4].column);
}
Outcome cmd_no_af_v6(Loader& l, const Args& a, const std::vector<Word>& w) {
    return address_family(l, a, true, false, w[4].column);
}

// ---- rpki (top level) ---------------------------------------------------------

// `rpki cache HOST PORT [ssh USER KEY [HOSTKEY] | tls [ca FILE]] [preference N]`:
// args are host, port, then the transport's words, then the preference.
Outcome cache(Loader& l, const Args& a, bgp::RpkiCache::Transport t, size_t words, bool ca, bool pref) {
    bgp::RpkiCache c;
    c.transport = t;
    c.host = a[0].text;
    if (c.host.empty() || c.host.find_first_of(" \t") != std::string::npos)
        return LineError{a[0].column, "Invalid cache host '" + c.host + "'"};
    c.port = static_cast<uint16_t>(a[1].number);
    size_t i = 2;
    if (t == bgp::RpkiCache::Transport::ssh) {
        c.ssh_user = a[i++].text;
        c.ssh_key = a[i++].text;
        if (words == 3) c.ssh_host_key = a[i++].text;
        if (c.ssh_user.empty() || c.ssh_key.empty()) return LineError{a[2].column, "SSH user and key file are needed"};
    }
    if (ca) {
        c.tls_ca = a[i++].text;
        if (c.tls_ca.empty()) return LineError{a[i - 1].column, "Empty CA file name"};
    }
    if (pref) c.preference = static_cast<uint8_t>(a[i].number);
    for (const auto& o : l.cfg.rpki.caches)
        if (o.host == c.host && o.port == c.port)
            return LineError{a[0].column, "Duplicate RPKI cache " + c.host + " " + std::to_string(c.port)};
    l.cfg.rpki.caches.push_back(std::move(c));
    return {};
}

using T = bgp::RpkiCache::Transport;
Outcome cmd_cache_tcp(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tcp, 0, false, false); }
Outcome cmd_cache_tcp_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tcp, 0, false, true); }
Outcome cmd_cache_ssh(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 2, false, false); }
Outcome cmd_cache_ssh_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 2, false, true); }
Outcome cmd_cache_ssh_hk(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 3, false, false); }
Outcome cmd_cache_ssh_hk_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 3, false, true); }
Outcome cmd_cache_tls(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, false, false); }
Outcome cmd_cache_tls_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, false, true); }
Outcome cmd_cache_tls_ca(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, true, false); }
Outcome cmd_cache_tls_ca_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, true, true); }

Outcome cmd_rpki_file(Loader& l, const Args& a, const std::vector<Word>&) {
    if (a[0].text.empty()) return LineError{a[0].column, "Empty VRP file name"};
    auto& v = l.cfg.rpki.files;
    if (std::find(v.begin(), v.end(), a[0].text) != v.end())
        return LineError{a[0].column, "Duplicate VRP file " + a[0].text};
    v.push_back(a[0].text);
    return {};
}

Outcome cmd_rpki_timers(Loader& l, const Args& a, const std::vector<Word>&) {
    // rtrlib's ranges are in the pattern; RFC 8210 6 also wants
    // expire > refresh and expire > retry.
    if (a[2].number <= a[0].number || a[2].number <= a[1].number)
        return LineError{a[2].column, "Expire interval must be longer than the refresh and retry intervals"};
    l.cfg.rpki.refresh = static_cast<unsigned>(a[0].number);
    l.cfg.rpki.retry = static_cast<unsigned>(a[1].number);
    l.cfg.rpki.expire = static_cast<unsigned>(a[2].number);
    return {};
}

Outcome cmd_rpki_safe_start(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.rpki.safe_start_timeout = static_cast<unsigned>(a[0].number);
    return {};
}

Outcome cmd_rpki_drop_guard(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.rpki.drop_guard = static_cast<unsigned>(a[0].number);
    return {};
}

Outcome cmd_nb_rpki_reject(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.rpki_reject_invalid = true;
        return {};
    });
}
Outcome cmd_nb_rpki_accept(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.rpki_reject_invalid = false;
        return {};
    });
}
Outcome cmd_nb_rpki_off(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        n.rpki_validation = false;
        return {};
    });
}
Outcome cmd_rpki_prefer_valid(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->rpki_prefer_valid = true;
    return {};
}

const Entry top_entries[] = {
    {"hostname WORD", "Set the router's name", cmd_hostname},
    {"control socket WORD", "Path of the control socket", cmd_control_socket},
    {"control socket group WORD", "Group of the control socket: its members may use moatctl", cmd_control_socket_group},
    {"router bgp ASN", "Configure BGP with this router's AS number", cmd_router_bgp},
    {"rpki cache WORD <1-65535>", "RPKI cache over TCP (RTR, RFC 8210)", cmd_cache_tcp},
    {"rpki cache WORD <1-65535> preference <1-255>", "RPKI cache over TCP; lower preference is preferred",
     cmd_cache_tcp_p},
    {"rpki cache WORD <1-65535> ssh WORD WORD", "RPKI cache over SSH: user, private key file", cmd_cache_ssh},
    {"rpki cache WORD <1-65535> ssh WORD WORD preference <1-255>", "RPKI cache over SSH with a preference",
     cmd_cache_ssh_p},
    {"rpki cache WORD <1-65535> ssh WORD WORD WORD", "RPKI cache over SSH: user, key, known host key file",
     cmd_cache_ssh_hk},
    {"rpki cache WORD <1-65535> ssh WORD WORD WORD preference <1-255>",
     "RPKI cache over SSH with a host key and a preference", cmd_cache_ssh_hk_p},
    {"rpki cache WORD <1-65535> tls", "RPKI cache over TLS, checked against the system CA store", cmd_cache_tls},
    {"rpki cache WORD <1-65535> tls preference <1-255>", "RPKI cache over TLS with a preference",
     cmd_cache_tls_p},
    {"rpki cache WORD <1-65535> tls ca WORD", "RPKI cache over TLS, checked against this CA file",
     cmd_cache_tls_ca},
    {"rpki cache WORD <1-65535> tls ca WORD preference <1-255>", "RPKI cache over TLS with a CA file and a preference",
     cmd_cache_tls_ca_p},
    {"rpki file WORD", "Read VRPs from a JSON file (rpki-client, Routinator, StayRTR), reloaded on change",
     cmd_rpki_file},
    {"rpki timers refresh <1-86400> retry <1-7200> expire <600-172800>",
     "RTR intervals in seconds (the cache's own values are then ignored)", cmd_rpki_timers},
    {"rpki safe-start timeout <0-3600>", "Seconds eBGP routes are held until the first complete VRP set",
     cmd_rpki_safe_start},
    {"rpki drop-guard <1-99>", "Keep the old VRP set when a new complete one is smaller by more than this percent",
     cmd_rpki_drop_guard},
};

const Entry bgp_entries[] = {
    {"exit", "Leave the router bgp node", cmd_exit},
    {"bgp router-id A.B.C.D", "Set the BGP identifier", cmd_router_id},
    {"bgp listen address ADDR", "Listen for BGP connections on this address", cmd_listen_address},
    {"bgp listen port <1-65535>", "TCP port to listen on", cmd_listen_port},
    {"no bgp listen", "Do not accept BGP connections", cmd_no_listen},
    {"network PREFIX", "Originate a prefix", cmd_network},
    {"neighbor ADDR remote-as ASN", "Declare a neighbor and its AS", cmd_remote_as},
    {"neighbor ADDR description LINE...", "Describe the neighbor", cmd_description},
    {"neighbor ADDR passive", "Only accept connections from the neighbor", cmd_passive},
    {"neighbor ADDR update-source ADDR", "Local address for the session", cmd_update_source},
    {"neighbor ADDR next-hop-address ADDR",
     "NEXT_HOP this router announces for routes of the address's family (e.g. IPv6 over an IPv4 session)",
     cmd_next_hop_address},
    {"neighbor ADDR next-hop-self", "iBGP: announce this router as NEXT_HOP for learnt routes too",
     cmd_next_hop_self},
    {"neighbor ADDR route-reflector-client", "Reflect iBGP routes to and from this neighbor (RFC 4456)",
     cmd_rr_client},
    {"neighbor ADDR default-originate", "Send the neighbor a default route", cmd_default_originate},
    {"neighbor ADDR local-role provider", "Our BGP role towards the neighbor (RFC 9234): we are its provider; it is our customer",
     cmd_local_role<wire::Role::provider, false>},
    {"neighbor ADDR local-role provider strict", "As local-role provider, and refuse a neighbor that announces no role",
     cmd_local_role<wire::Role::provider, true>},
    {"neighbor ADDR local-role customer", "Our BGP role towards the neighbor (RFC 9234): we are its customer; it is our provider",
     cmd_local_role<wire::Role::customer, false>},
    {"neighbor ADDR local-role customer strict", "As local-role customer, and refuse a neighbor that announces no role",
     cmd_local_role<wire::Role::customer, true>},
    {"neighbor ADDR local-role peer", "Our BGP role towards the neighbor (RFC 9234): lateral peers",
     cmd_local_role<wire::Role::peer, false>},
    {"neighbor ADDR local-role peer strict", "As local-role peer, and refuse a neighbor that announces no role",
     cmd_local_role<wire::Role::peer, true>},
    {"neighbor ADDR local-role rs", "Our BGP role towards the neighbor (RFC 9234): we are a route server; it is our client",
     cmd_local_role<wire::Role::rs, false>},
    {"neighbor ADDR local-role rs strict", "As local-role rs, and refuse a neighbor that announces no role",
     cmd_local_role<wire::Role::rs, true>},
    {"neighbor ADDR local-role rs-client", "Our BGP role towards the neighbor (RFC 9234): we are a client of its route server",
     cmd_local_role<wire::Role::rs_client, false>},
    {"neighbor ADDR local-role rs-client strict", "As local-role rs-client, and refuse a neighbor that announces no role",
     cmd_local_role<wire::Role::rs_client, true>},
    {"bgp always-compare-med", "Compare MED between routes from different neighbor ASes", cmd_always_compare_med},
    {"bgp cluster-id A.B.C.D", "Route-reflector cluster ID (default: the router ID)", cmd_cluster_id},
    {"neighbor ADDR port <1-65535>", "The neighbor's TCP port", cmd_port},
    {"neighbor ADDR timers <0-65535> <0-65535>", "Keepalive and hold time in seconds", cmd_timers},
    {"neighbor ADDR timers connect <1-65535>", "Connect retry time in seconds", cmd_timers_connect},
    {"neighbor ADDR timers delay-open <1-240>", "DelayOpen time in seconds", cmd_timers_delay_open},
    {"neighbor ADDR shutdown", "Administratively shut the neighbor down", cmd_shutdown},
    {"neighbor ADDR shutdown LINE...", "Shut down with a message (RFC 9003)", cmd_shutdown_message},
    {"neighbor ADDR password WORD", "TCP-MD5 password", cmd_password},
    {"neighbor ADDR ttl-security hops <1-254>", "Accept the neighbor at most this many hops away (GTSM)",
     cmd_ttl_security},
    {"neighbor ADDR ebgp-multihop <1-255>", "TTL of eBGP packets", cmd_ebgp_multihop},
    {"neighbor ADDR address-family ipv4 unicast", "Negotiate IPv4 unicast", cmd_af_v4},
    {"neighbor ADDR address-family ipv6 unicast", "Negotiate IPv6 unicast", cmd_af_v6},
    {"no neighbor ADDR address-family ipv4 unicast", "Do not negotiate IPv4 unicast", cmd_no_af_v4},
    {"no neighbor ADDR address-family ipv6 unicast", "Do not negotiate IPv6 unicast", cmd_no_af_v6},
    {"neighbor ADDR rpki invalid reject", "Reject RPKI Invalid routes from the neighbor (eBGP default)",
     cmd_nb_rpki_reject},
    {"neighbor ADDR rpki invalid accept", "Accept RPKI Invalid routes from the neighbor, marked (iBGP default)",
     cmd_nb_rpki_accept},
    {"neighbor ADDR rpki validation off", "No origin validation for the neighbor's routes", cmd_nb_rpki_off},
    {"bgp rpki prefer-valid", "LOCAL_PREF +10 for RPKI Valid routes, 0 for accepted Invalid ones",
     cmd_rpki_prefer_valid},
};

template <size_t N>
std::vector<Syntax> build(const Entry (&entries)[N]) {
    std::vector<Syntax> v;
    for (const Entry& e : entries) v.push_back(Syntax::parse(e.pattern, e.help));
    return v;
}

template <size_t N>
Outcome run(Loader& l, const Entry (&entries)[N], const Match& m, const std::vector<Word>& w) {
    return entries[m.index].handler(l, m.args, w);
}

ConfigError error_at(const std::string& name, unsigned line, unsigned column, std::string message) {
    return ConfigError{name, line, column, std::move(message)};
}

}  // namespace

namespace detail {
const std::vector<Syntax>& config_syntax(bool bgp_node) {
    static const std::vector<Syntax> top = build(top_entries);
    static const std::vector<Syntax> bgp = build(bgp_entries);
    return bgp_node ? bgp : top;
}
}  // namespace detail

LoadResult load_config_text(std::string_view text, const std::string& name) {
    const auto& top = detail::config_syntax(false);
    const auto& bgp = detail::config_syntax(true);
    Loader l;
    size_t pos = 0;
    if (text.starts_with("\xef\xbb\xbf")) pos = 3;  // a UTF-8 byte order mark some editors write
    while (pos <= text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++l.line;
        size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos) continue;
        if (line[first] == '#') continue;
        if (line[first] == '!') {
            // "!" in the first column closes a block; an indented one is a
            // comment inside it.
            if (first == 0) l.in_bgp = false;
            continue;
        }
        auto tok = tokenize(line);
        if (tok.index() == 1) {
            const auto& e = std::get<1>(tok);
            return error_at(name, l.line, e.column, e.message);
        }
        const auto& words = std::get<0>(tok);
        Outcome out;
        if (l.in_bgp) {
            auto r = match(bgp, words);
            if (r.index() == 0) {
                out = run(l, bgp_entries, std::get<0>(r), words);
            } else {
                auto r2 = match(top, words);
                if (r2.index() == 0) {
                    l.in_bgp = false;  // a top-level command leaves the node
                    out = run(l, top_entries, std::get<0>(r2), words);
                } else {
                    const auto& e1 = std::get<1>(r);
                    const auto& e2 = std::get<1>(r2);
                    const auto& e = e2.column > e1.column ? e2 : e1;
                    return error_at(name, l.line, e.column, e.message);
                }
            }
        } else {
            auto r = match(top, words);
            if (r.index() == 0) {
                out = run(l, top_entries, std::get<0>(r), words);
            } else if (match(bgp, words).index() == 0) {
                return error_at(name, l.line, words[0].column,
                                "'" + words[0].text + "' is only valid inside 'router bgp'");
            } else {
                const auto& e = std::get<1>(r);
                return error_at(name, l.line, e.column, e.message);
            }
        }
        if (out) return error_at(name, l.line, out->column ? out->column : words[0].column, out->message);
    }
    return std::move(l.cfg);
}

LoadResult load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return ConfigError{path, 0, 0, std::string("cannot open: ") + std::strerror(errno)};
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return ConfigError{path, 0, 0, "read error"};
    return load_config_text(ss.str(), path);
}

std::string render_config(const bgp::Config& c) {
    const bgp::Config defaults;
    const bgp::NeighborConfig nd;
    std::string out;
    auto line = [&out](const std::string& s) { out += s + "\n"; };
    if (c.hostname != defaults.hostname) line("hostname " + quote_if_needed(c.hostname));
    if (c.control_socket != defaults.control_socket) line("control socket " + quote_if_needed(c.control_socket));
    if (!c.control_socket_group.empty()) line("control socket group " + quote_if_needed(c.control_socket_group));
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
    if (!c.bgp) return out.empty() ? out : out + "!\n";
    const bgp::BgpConfig& b = *c.bgp;
    if (!out.empty()) line("!");
    line("router bgp " + std::to_string(b.asn));
    if (b.router_id) line(" bgp router-id " + format_address(v4_address(*b.router_id)));
    for (const auto& la : b.listen_addresses) line(" bgp listen address " + format_address(la.address));
    if (b.listen_port != 179) line(" bgp listen port " + std::to_string(b.listen_port));
    if (!b.listen) line(" no bgp listen");
    if (b.always_compare_med) line(" bgp always-compare-med");
    if (b.cluster_id) line(" bgp cluster-id " + format_address(v4_address(*b.cluster_id)));
    if (b.rpki_prefer_valid) line(" bgp rpki prefer-valid");
    for (const auto& p : b.networks) line(" network " + format_prefix(p));
    for (const auto& n : b.neighbors) {
        std::string pre = " neighbor " + format_address(n.address) + " ";
        line(pre + "remote-as " + std::to_string(n.remote_as));
        if (!n.description.empty()) line(pre + "description " + quote_if_needed(n.description));
        if (n.passive) line(pre + "passive");
        if (n.update_source) line(pre + "update-source " + format_address(*n.update_source));
        if (n.next_hop_v4) line(pre + "next-hop-address " + format_address(*n.next_hop_v4));
        if (n.next_hop_v6) line(pre + "next-hop-address " + format_address(*n.next_hop_v6));
        if (n.next_hop_self) line(pre + "next-hop-self");
        if (n.route_reflector_client) line(pre + "route-reflector-client");
        if (n.default_originate) line(pre + "default-originate");
        if (n.local_role)
            line(pre + "local-role " + std::string(wire::to_string(*n.local_role)) + (n.role_strict ? " strict" : ""));
        if (n.port != nd.port) line(pre + "port " + std::to_string(n.port));
        if (n.keepalive_time != nd.keepalive_time || n.hold_time != nd.hold_time)
            line(pre + "timers " + std::to_string(n.keepalive_time) + " " + std::to_string(n.hold_time));
        if (n.connect_retry_time != nd.connect_retry_time)
            line(pre + "timers connect " + std::to_string(n.connect_retry_time));
        if (n.delay_open_time) line(pre + "timers delay-open " + std::to_string(*n.delay_open_time));
        if (!n.password.empty()) line(pre + "password " + quote_if_needed(n.password));
        if (n.ttl_security_hops) line(pre + "ttl-security hops " + std::to_string(*n.ttl_security_hops));
        if (n.ebgp_multihop) line(pre + "ebgp-multihop " + std::to_string(*n.ebgp_multihop));
        std::string no = " no neighbor " + format_address(n.address) + " ";
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
