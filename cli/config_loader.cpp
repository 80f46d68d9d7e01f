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
#include <regex>
#include <sstream>
#include <stdexcept>

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

// A use of a policy name, checked once the whole file is read.
struct Ref {
    enum Kind { prefix_list_v4, prefix_list_v6, as_path, community, large_community, route_map };
    unsigned line = 0, column = 0;
    Kind kind = route_map;
    std::string name;
};

struct Loader {
    bgp::Config cfg;
    bool in_bgp = false;
    unsigned line = 0;
    std::map<wire::IpAddress, unsigned> neighbor_line;  // where each neighbor was declared
    std::string rm_name;  // inside `route-map NAME permit|deny SEQ` (empty: not)
    uint32_t rm_seq = 0;
    std::vector<Ref> refs;
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

// `neighbor ADDR WORDS...` that turns one of the neighbor's settings on or off.
template <auto Field, bool Value>
Outcome cmd_neighbor_flag(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.*Field = Value;
        return {};
    });
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

// Why std::regex refuses the AS path expression, or "".
std::string as_path_regex_error(const std::string& cisco) {
    if (cisco.empty()) return "empty";
    try {
        std::regex re(bgp::as_path_regex_to_ecmascript(cisco), std::regex::ECMAScript | std::regex::nosubs);
    } catch (const std::regex_error& e) {
        return e.what();
    }
    return {};
}

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


Outcome cmd_rr_client(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (n.remote_as != l.cfg.bgp->asn)
            return LineError{a[0].column, "A route-reflector client must be an internal (iBGP) neighbor"};
        n.route_reflector_client = true;
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

Outcome cmd_requires_policy(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->ebgp_requires_policy = true;
    return {};
}

Outcome cmd_no_requires_policy(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->ebgp_requires_policy = false;
    return {};
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

Outcome cmd_rpki_prefer_valid(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->rpki_prefer_valid = true;
    return {};
}
// ---- route-leak defenses --------------------------------------------------

Outcome cmd_reject_martians(Loader& l, const Args&, const std::vector<Word>& w) {
    l.cfg.bgp->reject_martians = w[0].text != "no";
    return {};
}
Outcome cmd_reject_too_specific(Loader& l, const Args&, const std::vector<Word>& w) {
    l.cfg.bgp->reject_too_specific = w[0].text != "no";
    return {};
}
Outcome cmd_reject_bogon_asns(Loader& l, const Args&, const std::vector<Word>& w) {
    l.cfg.bgp->reject_bogon_asns = w[0].text != "no";
    return {};
}
Outcome cmd_maxas_limit(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.bgp->maxas_limit = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome cmd_no_maxas_limit(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->maxas_limit = 0;
    return {};
}
Outcome cmd_rejected_limit(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.bgp->rejected_limit = static_cast<uint32_t>(a[0].number);
    return {};
}

// ASNs of a LINE... argument ("174 3356"), appended to v without duplicates.
Outcome asn_list(const Value& arg, std::vector<uint32_t>& v) {
    auto tok = tokenize(arg.text);
    if (tok.index() == 1) return LineError{arg.column, std::get<1>(tok).message};
    const auto& words = std::get<0>(tok);
    if (words.empty()) return LineError{arg.column, "Expected one or more AS numbers"};
    for (const Word& w : words) {
        auto asn = parse_asn(w.text);
        if (!asn) return LineError{arg.column + w.column - 1, "Invalid AS number '" + w.text + "'"};
        if (std::find(v.begin(), v.end(), *asn) == v.end()) v.push_back(*asn);
    }
    return {};
}

Outcome cmd_peer_lock_protected(Loader& l, const Args& a, const std::vector<Word>&) {
    return asn_list(a[0], l.cfg.bgp->peer_lock_protected);
}
Outcome cmd_peer_lock_tier1(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->peer_lock_tier1 = true;
    return {};
}
Outcome cmd_peer_lock_allow(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome { return asn_list(a[1], n.peer_lock_allow); });
}

// [ipv4 | ipv6] N [THRESHOLD] [warning-only | restart MINUTES] [receive | accept]
Outcome cmd_maximum_prefix(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        auto tok = tokenize(a[1].text);
        if (tok.index() == 1) return LineError{a[1].column, std::get<1>(tok).message};
        const auto& w = std::get<0>(tok);
        auto col = [&](size_t i) -> unsigned {
            return static_cast<unsigned>(a[1].column + (i < w.size() ? w[i].column : a[1].text.size() + 1) - 1);
        };
        size_t i = 0;
        bool v6 = false;
        if (i < w.size() && (w[i].text == "ipv4" || w[i].text == "ipv6")) v6 = w[i++].text == "ipv6";
        bgp::MaxPrefixConfig m;
        auto number = [&](uint64_t lo, uint64_t hi) -> std::optional<uint64_t> {
            if (i >= w.size()) return std::nullopt;
            auto v = parse_uint(w[i].text);
            if (!v || *v < lo || *v > hi) return std::nullopt;
            ++i;
            return v;
        };
        auto limit = number(1, 4294967295u);
        if (!limit) return LineError{col(i), "Expected the prefix limit <1-4294967295>"};
        m.limit = static_cast<uint32_t>(*limit);
        if (i < w.size() && parse_uint(w[i].text)) {
            auto t = number(1, 100);
            if (!t) return LineError{col(i), "Threshold must be a percentage <1-100>"};
            m.threshold = static_cast<uint8_t>(*t);
        }
        if (i < w.size() && w[i].text == "warning-only") {
            m.warning_only = true;
            ++i;
        } else if (i < w.size() && w[i].text == "restart") {
            ++i;
            auto r = number(1, 65535);
            if (!r) return LineError{col(i), "Expected the restart time in minutes <1-65535>"};
            m.restart_minutes = static_cast<uint16_t>(*r);
        }
        if (i < w.size() && (w[i].text == "receive" || w[i].text == "accept")) m.count_received = w[i++].text == "receive";
        if (i < w.size())
            return LineError{col(i), "Unexpected '" + w[i].text +
                                         "' (maximum-prefix [ipv4|ipv6] N [THRESHOLD] [warning-only | restart "
                                         "MINUTES] [receive | accept])"};
        (v6 ? n.max_prefix_v6 : n.max_prefix_v4) = m;
        return {};
    });
}

// ---- routing policy (top level and the route-map node) -----------------------

// Undefined names are errors, found once the whole file is read so lists and
// route-maps may be defined after their use; they point at the reference.
void reference(Loader& l, unsigned column, Ref::Kind kind, const std::string& name) {
    l.refs.push_back(Ref{l.line, column, kind, name});
}

// The words after the one at `column` (the LINE... argument as words).
std::vector<Word> rest_from(const std::vector<Word>& w, unsigned column) {
    std::vector<Word> out;
    for (const auto& x : w)
        if (x.column >= column) out.push_back(x);
    return out;
}

std::optional<uint32_t> parse_community(std::string_view s) {
    if (s == "no-export") return wire::community_no_export;
    if (s == "no-advertise") return wire::community_no_advertise;
    if (s == "no-export-subconfed" || s == "local-AS") return wire::community_no_export_subconfed;
    if (s == "graceful-shutdown") return wire::community_graceful_shutdown;
    if (s == "blackhole") return 0xFFFF029Au;
    auto colon = s.find(':');
    if (colon == std::string_view::npos) {
        auto v = parse_uint(s);
        if (!v || *v > 0xFFFFFFFFu) return std::nullopt;
        return static_cast<uint32_t>(*v);
    }
    auto hi = parse_uint(s.substr(0, colon)), lo = parse_uint(s.substr(colon + 1));
    if (!hi || !lo || *hi > 0xFFFF || *lo > 0xFFFF) return std::nullopt;
    return static_cast<uint32_t>(*hi << 16 | *lo);
}

std::optional<wire::LargeCommunity> parse_large_community(std::string_view s) {
    auto c1 = s.find(':');
    if (c1 == std::string_view::npos) return std::nullopt;
    auto c2 = s.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return std::nullopt;
    auto a = parse_uint(s.substr(0, c1)), b = parse_uint(s.substr(c1 + 1, c2 - c1 - 1)), c = parse_uint(s.substr(c2 + 1));
    if (!a || !b || !c || *a > 0xFFFFFFFFu || *b > 0xFFFFFFFFu || *c > 0xFFFFFFFFu) return std::nullopt;
    return wire::LargeCommunity{static_cast<uint32_t>(*a), static_cast<uint32_t>(*b), static_cast<uint32_t>(*c)};
}

std::string large_community_text(const wire::LargeCommunity& c) {
    return std::to_string(c.global) + ":" + std::to_string(c.local1) + ":" + std::to_string(c.local2);
}

Outcome check_name(const Value& v) {
    if (v.text.empty() || v.text.size() > 63) return LineError{v.column, "Name must be 1-63 characters"};
    return {};
}

// ip|ipv6 prefix-list NAME [seq N] permit|deny PREFIX [ge N] [le N]
Outcome prefix_list(Loader& l, const Args& a, const std::vector<Word>& w, bool v6, bool has_seq, bool permit) {
    if (auto e = check_name(a[0])) return e;
    const Value& rest = a[has_seq ? 2 : 1];
    auto words = rest_from(w, rest.column);
    auto p = parse_prefix(words[0].text);
    if (!p) return LineError{words[0].column, "Invalid prefix " + words[0].text};
    if (p->v6 != v6)
        return LineError{words[0].column, std::string(v6 ? "ipv6" : "ip") + " prefix-list takes " +
                                              (v6 ? "IPv6" : "IPv4") + " prefixes"};
    if (prefix_has_host_bits(*p))
        return LineError{words[0].column, "Prefix " + words[0].text + " has host bits set (did you mean " +
                                              format_prefix(prefix_masked(*p)) + "?)"};
    bgp::PrefixListEntry e;
    e.permit = permit;
    e.prefix = *p;
    for (size_t i = 1; i < words.size(); i += 2) {
        const std::string& k = words[i].text;
        if ((k != "ge" && k != "le") || (k == "ge" && (e.ge || e.le)) || (k == "le" && e.le))
            return LineError{words[i].column, "Expected " + std::string(e.ge || e.le ? "le N" : "ge N or le N") +
                                                  " at '" + k + "'"};
        if (i + 1 >= words.size()) return LineError{words[i].column, "Length expected after " + k};
        auto n = parse_uint(words[i + 1].text);
        if (!n || *n > p->max_len() || *n <= p->len)
            return LineError{words[i + 1].column, k + " must be " + std::to_string(p->len + 1) + "-" +
                                                      std::to_string(p->max_len()) + " (longer than the prefix)"};
        (k == "ge" ? e.ge : e.le) = static_cast<uint8_t>(*n);
    }
    if (e.ge && e.le && *e.ge > *e.le) return LineError{words.back().column, "le must not be less than ge"};
    auto& lists = l.cfg.policy.prefix_lists;
    auto it = std::find_if(lists.begin(), lists.end(), [&](const bgp::PrefixList& x) { return x.name == a[0].text && x.v6 == v6; });
    if (it == lists.end()) {
        lists.push_back(bgp::PrefixList{a[0].text, v6, {}});
        it = lists.end() - 1;
    }
    auto& entries = it->entries;
    if (has_seq) {
        if (a[1].number == 0 || a[1].number > 0xFFFFFFFFu) return LineError{a[1].column, "seq must be 1-4294967295"};
        e.seq = static_cast<uint32_t>(a[1].number);
    } else {
        e.seq = entries.empty() ? 5 : (entries.back().seq / 5 + 1) * 5;  // FRR: next multiple of 5
    }
    for (const auto& x : entries)
        if (x.seq == e.seq) return LineError{has_seq ? a[1].column : 0, "Duplicate seq " + std::to_string(e.seq)};
    entries.insert(std::upper_bound(entries.begin(), entries.end(), e,
                                    [](const auto& x, const auto& y) { return x.seq < y.seq; }),
                   e);
    return {};
}

Outcome cmd_pl4_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, false, true); }
Outcome cmd_pl4_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, false, false); }
Outcome cmd_pl4_seq_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, true, true); }
Outcome cmd_pl4_seq_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, true, false); }
Outcome cmd_pl6_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, false, true); }
Outcome cmd_pl6_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, false, false); }
Outcome cmd_pl6_seq_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, true, true); }
Outcome cmd_pl6_seq_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, true, false); }

// Cisco/FRR AS path regular expressions, checked here as std::regex will
// compile them (rib/policy.cpp does the same translation).
Outcome as_path_list(Loader& l, const Args& a, bool permit) {
    if (auto e = check_name(a[0])) return e;
    if (auto err = as_path_regex_error(a[1].text); !err.empty())
        return LineError{a[1].column, "Invalid regular expression: " + err};
    auto& lists = l.cfg.policy.as_path_lists;
    auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == lists.end()) {
        lists.push_back(bgp::AsPathList{a[0].text, {}});
        it = lists.end() - 1;
    }
    it->entries.push_back(bgp::AsPathEntry{permit, a[1].text});
    return {};
}
Outcome cmd_aspath_permit(Loader& l, const Args& a, const std::vector<Word>&) { return as_path_list(l, a, true); }
Outcome cmd_aspath_deny(Loader& l, const Args& a, const std::vector<Word>&) { return as_path_list(l, a, false); }

Outcome community_list(Loader& l, const Args& a, const std::vector<Word>& w, bool large, bool permit) {
    if (auto e = check_name(a[0])) return e;
    auto words = rest_from(w, a[1].column);
    if (large) {
        bgp::LargeCommunityEntry e{permit, {}};
        for (const auto& x : words) {
            auto c = parse_large_community(x.text);
            if (!c) return LineError{x.column, "Invalid large community " + x.text + " (expected A:B:C)"};
            e.communities.push_back(*c);
        }
        auto& lists = l.cfg.policy.large_community_lists;
        auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& x) { return x.name == a[0].text; });
        if (it == lists.end()) {
            lists.push_back(bgp::LargeCommunityList{a[0].text, {}});
            it = lists.end() - 1;
        }
        it->entries.push_back(std::move(e));
        return {};
    }
    bgp::CommunityEntry e{permit, {}};
    for (const auto& x : words) {
        auto c = parse_community(x.text);
        if (!c) return LineError{x.column, "Invalid community " + x.text + " (expected AA:NN or a well-known name)"};
        e.communities.push_back(*c);
    }
    auto& lists = l.cfg.policy.community_lists;
    auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == lists.end()) {
        lists.push_back(bgp::CommunityList{a[0].text, {}});
        it = lists.end() - 1;
    }
    it->entries.push_back(std::move(e));
    return {};
}
Outcome cmd_cl_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, false, true); }
Outcome cmd_cl_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, false, false); }
Outcome cmd_lcl_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, true, true); }
Outcome cmd_lcl_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, true, false); }

// route-map NAME permit|deny SEQ: opens (or re-opens) the entry; the lines
// after it, up to `!` or a top-level command, belong to it.
Outcome route_map(Loader& l, const Args& a, bool permit) {
    if (auto e = check_name(a[0])) return e;
    l.in_bgp = false;
    auto& maps = l.cfg.policy.route_maps;
    auto it = std::find_if(maps.begin(), maps.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == maps.end()) {
        maps.push_back(bgp::RouteMap{a[0].text, {}});
        it = maps.end() - 1;
    }
    auto& entries = it->entries;
    const auto seq = static_cast<uint32_t>(a[1].number);
    auto e = std::lower_bound(entries.begin(), entries.end(), seq, [](const auto& x, uint32_t s) { return x.seq < s; });
    if (e == entries.end() || e->seq != seq) {
        bgp::RouteMapEntry n;
        n.seq = seq;
        e = entries.insert(e, n);
    }
    e->permit = permit;
    l.rm_name = a[0].text;
    l.rm_seq = seq;
    return {};
}
Outcome cmd_rm_permit(Loader& l, const Args& a, const std::vector<Word>&) { return route_map(l, a, true); }
Outcome cmd_rm_deny(Loader& l, const Args& a, const std::vector<Word>&) { return route_map(l, a, false); }

bgp::RouteMapEntry& rm_entry(Loader& l) {
    for (auto& m : l.cfg.policy.route_maps)
        if (m.name == l.rm_name)
            for (auto& e : m.entries)
                if (e.seq == l.rm_seq) return e;
    throw std::logic_error("route-map entry vanished");
}

Outcome cmd_rm_exit(Loader& l, const Args&, const std::vector<Word>&) {
    l.rm_name.clear();
    return {};
}
Outcome cmd_rm_description(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).description = a[0].text;
    return {};
}
Outcome cmd_match_pl4(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::prefix_list_v4, a[0].text);
    rm_entry(l).match_prefix_list_v4 = a[0].text;
    return {};
}
Outcome cmd_match_pl6(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::prefix_list_v6, a[0].text);
    rm_entry(l).match_prefix_list_v6 = a[0].text;
    return {};
}
Outcome cmd_match_as_path(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::as_path, a[0].text);
    rm_entry(l).match_as_path = a[0].text;
    return {};
}
Outcome cmd_match_community(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::community, a[0].text);
    rm_entry(l).match_community = a[0].text;
    return {};
}
Outcome cmd_match_large_community(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::large_community, a[0].text);
    rm_entry(l).match_large_community = a[0].text;
    return {};
}
Outcome cmd_match_rpki_valid(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).match_rpki = bgp::RpkiMatch::valid;
    return {};
}
Outcome cmd_match_rpki_invalid(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).match_rpki = bgp::RpkiMatch::invalid;
    return {};
}
Outcome cmd_match_rpki_notfound(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).match_rpki = bgp::RpkiMatch::not_found;
    return {};
}
Outcome cmd_match_peer(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).match_peer = a[0].address;
    return {};
}
Outcome cmd_set_local_pref(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).set_local_pref = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome cmd_set_metric(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).set_metric = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome cmd_set_community(Loader& l, const Args& a, const std::vector<Word>& w) {
    auto words = rest_from(w, a[0].column);
    auto& e = rm_entry(l);
    if (words.size() == 1 && words[0].text == "none") {
        e.set_community_none = true;
        e.set_community.reset();
        e.set_community_additive = false;
        return {};
    }
    std::vector<uint32_t> v;
    bool additive = false;
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i].text == "additive" && i + 1 == words.size()) {
            additive = true;
            break;
        }
        auto c = parse_community(words[i].text);
        if (!c) return LineError{words[i].column, "Invalid community " + words[i].text + " (expected AA:NN, a well-known name, additive or none)"};
        v.push_back(*c);
    }
    if (v.empty()) return LineError{words[0].column, "At least one community expected"};
    e.set_community_none = false;
    e.set_community = std::move(v);
    e.set_community_additive = additive;
    return {};
}
Outcome cmd_set_comm_list_delete(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::community, a[0].text);
    rm_entry(l).set_comm_list_delete = a[0].text;
    return {};
}
Outcome cmd_set_large_community(Loader& l, const Args& a, const std::vector<Word>& w) {
    auto words = rest_from(w, a[0].column);
    std::vector<wire::LargeCommunity> v;
    bool additive = false;
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i].text == "additive" && i + 1 == words.size()) {
            additive = true;
            break;
        }
        auto c = parse_large_community(words[i].text);
        if (!c) return LineError{words[i].column, "Invalid large community " + words[i].text + " (expected A:B:C or additive)"};
        v.push_back(*c);
    }
    if (v.empty()) return LineError{words[0].column, "At least one large community expected"};
    auto& e = rm_entry(l);
    e.set_large_community = std::move(v);
    e.set_large_community_additive = additive;
    return {};
}
Outcome cmd_set_prepend(Loader& l, const Args& a, const std::vector<Word>& w) {
    std::vector<uint32_t> v;
    for (const auto& x : rest_from(w, a[0].column)) {
        auto asn = parse_asn(x.text);
        if (!asn) return LineError{x.column, "Invalid AS number " + x.text};
        v.push_back(*asn);
    }
    if (v.size() > 10) return LineError{a[0].column, "At most 10 AS numbers may be prepended"};
    rm_entry(l).set_as_path_prepend = std::move(v);
    return {};
}
Outcome cmd_set_next_hop_v4(Loader& l, const Args& a, const std::vector<Word>&) {
    if (is_unspecified(a[0].address)) return LineError{a[0].column, "Invalid next hop " + a[0].text};
    rm_entry(l).set_next_hop_v4 = a[0].address;
    return {};
}
Outcome cmd_set_next_hop_v6(Loader& l, const Args& a, const std::vector<Word>&) {
    if (!a[0].address.v6 || is_unspecified(a[0].address))
        return LineError{a[0].column, "Invalid IPv6 next hop " + a[0].text};
    rm_entry(l).set_next_hop_v6 = a[0].address;
    return {};
}
Outcome cmd_on_match_next(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).on_match_next = true;
    return {};
}
Outcome cmd_continue(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).continue_seq = 0;
    return {};
}
Outcome cmd_continue_seq(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& e = rm_entry(l);
    if (a[0].number <= e.seq)
        return LineError{a[0].column, "continue must go forward (to a seq above " + std::to_string(e.seq) + ")"};
    e.continue_seq = static_cast<uint32_t>(a[0].number);
    return {};
}

// neighbor ADDR route-map NAME in|out
Outcome neighbor_route_map(Loader& l, const Args& a, bool in) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (auto e = check_name(a[1])) return e;
        reference(l, a[1].column, Ref::route_map, a[1].text);
        (in ? n.route_map_in : n.route_map_out) = a[1].text;
        return {};
    });
}
Outcome cmd_nb_route_map_in(Loader& l, const Args& a, const std::vector<Word>&) { return neighbor_route_map(l, a, true); }
Outcome cmd_nb_route_map_out(Loader& l, const Args& a, const std::vector<Word>&) { return neighbor_route_map(l, a, false); }

// The first reference to a name that is not defined, or nothing.
std::optional<std::pair<Ref, std::string>> unresolved(const Loader& l) {
    const bgp::PolicyConfig& p = l.cfg.policy;
    for (const Ref& r : l.refs) {
        switch (r.kind) {
        case Ref::prefix_list_v4:
            if (!p.prefix_list(r.name, false)) return std::pair{r, "ip prefix-list " + r.name + " is not defined"};
            break;
        case Ref::prefix_list_v6:
            if (!p.prefix_list(r.name, true)) return std::pair{r, "ipv6 prefix-list " + r.name + " is not defined"};
            break;
        case Ref::as_path:
            if (!p.find_named(p.as_path_lists, r.name))
                return std::pair{r, "bgp as-path access-list " + r.name + " is not defined"};
            break;
        case Ref::community:
            if (!p.find_named(p.community_lists, r.name))
                return std::pair{r, "bgp community-list " + r.name + " is not defined"};
            break;
        case Ref::large_community:
            if (!p.find_named(p.large_community_lists, r.name))
                return std::pair{r, "bgp large-community-list " + r.name + " is not defined"};
            break;
        case Ref::route_map:
            if (!p.route_map(r.name)) return std::pair{r, "route-map " + r.name + " is not defined"};
            break;
        }
    }
    return std::nullopt;
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
    {"ip prefix-list WORD permit LINE...", "Permit PREFIX [ge N] [le N] (IPv4 prefix-list)", cmd_pl4_permit},
    {"ip prefix-list WORD deny LINE...", "Deny PREFIX [ge N] [le N] (IPv4 prefix-list)", cmd_pl4_deny},
    {"ip prefix-list WORD seq <1-4294967295> permit LINE...", "Permit PREFIX [ge N] [le N] at this position",
     cmd_pl4_seq_permit},
    {"ip prefix-list WORD seq <1-4294967295> deny LINE...", "Deny PREFIX [ge N] [le N] at this position",
     cmd_pl4_seq_deny},
    {"ipv6 prefix-list WORD permit LINE...", "Permit PREFIX [ge N] [le N] (IPv6 prefix-list)", cmd_pl6_permit},
    {"ipv6 prefix-list WORD deny LINE...", "Deny PREFIX [ge N] [le N] (IPv6 prefix-list)", cmd_pl6_deny},
    {"ipv6 prefix-list WORD seq <1-4294967295> permit LINE...", "Permit PREFIX [ge N] [le N] at this position",
     cmd_pl6_seq_permit},
    {"ipv6 prefix-list WORD seq <1-4294967295> deny LINE...", "Deny PREFIX [ge N] [le N] at this position",
     cmd_pl6_seq_deny},
    {"bgp as-path access-list WORD permit LINE...", "Permit AS paths matching the regular expression",
     cmd_aspath_permit},
    {"bgp as-path access-list WORD deny LINE...", "Deny AS paths matching the regular expression", cmd_aspath_deny},
    {"bgp community-list WORD permit LINE...", "Permit routes carrying all these communities", cmd_cl_permit},
    {"bgp community-list WORD deny LINE...", "Deny routes carrying all these communities", cmd_cl_deny},
    {"bgp community-list standard WORD permit LINE...", "Permit routes carrying all these communities",
     cmd_cl_permit},
    {"bgp community-list standard WORD deny LINE...", "Deny routes carrying all these communities", cmd_cl_deny},
    {"bgp large-community-list WORD permit LINE...", "Permit routes carrying all these large communities",
     cmd_lcl_permit},
    {"bgp large-community-list WORD deny LINE...", "Deny routes carrying all these large communities",
     cmd_lcl_deny},
    {"bgp large-community-list standard WORD permit LINE...", "Permit routes carrying all these large communities",
     cmd_lcl_permit},
    {"bgp large-community-list standard WORD deny LINE...", "Deny routes carrying all these large communities",
     cmd_lcl_deny},
    {"route-map WORD permit <1-65535>", "Route-map entry that accepts (and changes) matching routes", cmd_rm_permit},
    {"route-map WORD deny <1-65535>", "Route-map entry that rejects matching routes", cmd_rm_deny},
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
    {"neighbor ADDR passive", "Only accept connections from the neighbor",
     cmd_neighbor_flag<&bgp::NeighborConfig::passive, true>},
    {"neighbor ADDR update-source ADDR", "Local address for the session", cmd_update_source},
    {"neighbor ADDR next-hop-address ADDR",
     "NEXT_HOP this router announces for routes of the address's family (e.g. IPv6 over an IPv4 session)",
     cmd_next_hop_address},
    {"neighbor ADDR next-hop-self", "iBGP: announce this router as NEXT_HOP for learnt routes too",
     cmd_neighbor_flag<&bgp::NeighborConfig::next_hop_self, true>},
    {"neighbor ADDR route-reflector-client", "Reflect iBGP routes to and from this neighbor (RFC 4456)",
     cmd_rr_client},
    {"neighbor ADDR default-originate", "Send the neighbor a default route",
     cmd_neighbor_flag<&bgp::NeighborConfig::default_originate, true>},
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
    {"bgp ebgp-requires-policy", "eBGP neighbors without route-maps exchange nothing (RFC 8212, the default)",
     cmd_requires_policy},
    {"no bgp ebgp-requires-policy", "eBGP neighbors without route-maps import and export everything",
     cmd_no_requires_policy},
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
     cmd_neighbor_flag<&bgp::NeighborConfig::rpki_reject_invalid, true>},
    {"neighbor ADDR rpki invalid accept", "Accept RPKI Invalid routes from the neighbor, marked (iBGP default)",
     cmd_neighbor_flag<&bgp::NeighborConfig::rpki_reject_invalid, false>},
    {"neighbor ADDR rpki validation off", "No origin validation for the neighbor's routes",
     cmd_neighbor_flag<&bgp::NeighborConfig::rpki_validation, false>},
    {"bgp rpki prefer-valid", "LOCAL_PREF +10 for RPKI Valid routes, 0 for accepted Invalid ones",
     cmd_rpki_prefer_valid},
    {"neighbor ADDR route-map WORD in", "Import policy: the route-map routes from the neighbor pass",
     cmd_nb_route_map_in},
    {"neighbor ADDR route-map WORD out", "Export policy: the route-map routes to the neighbor pass",
     cmd_nb_route_map_out},
    {"bgp reject martians", "eBGP: reject special-purpose prefixes and the default route (default)",
     cmd_reject_martians},
    {"no bgp reject martians", "eBGP: accept special-purpose prefixes and the default route", cmd_reject_martians},
    {"bgp reject too-specific", "eBGP: reject IPv4 longer than /24 and IPv6 longer than /48 (default)",
     cmd_reject_too_specific},
    {"no bgp reject too-specific", "eBGP: accept prefixes of any length", cmd_reject_too_specific},
    {"bgp reject bogon-asns", "eBGP: reject paths with private, reserved or documentation ASNs (default)",
     cmd_reject_bogon_asns},
    {"no bgp reject bogon-asns", "eBGP: accept paths with private or reserved ASNs", cmd_reject_bogon_asns},
    {"bgp maxas-limit <1-2000>", "eBGP: reject paths with more ASNs than this (default 100)", cmd_maxas_limit},
    {"no bgp maxas-limit", "eBGP: no AS_PATH length limit", cmd_no_maxas_limit},
    {"bgp rejected-routes limit <0-10000000>", "Rejected-route records kept (default 100000)", cmd_rejected_limit},
    {"bgp peer-lock protected-as LINE...", "Peer-lock: ASNs only heard from directly (list of ASNs)",
     cmd_peer_lock_protected},
    {"bgp peer-lock preset tier1", "Peer-lock: protect the built-in list of transit-free networks",
     cmd_peer_lock_tier1},
    {"neighbor ADDR peer-lock allow LINE...", "Peer-lock: protected ASNs this neighbor may carry",
     cmd_peer_lock_allow},
    {"neighbor ADDR peer-lock strict", "Peer-lock: no protected ASN at all from this neighbor (customers)",
     cmd_neighbor_flag<&bgp::NeighborConfig::peer_lock_strict, true>},
    {"neighbor ADDR allow default-route", "eBGP: accept the default route from this neighbor",
     cmd_neighbor_flag<&bgp::NeighborConfig::allow_default_route, true>},
    {"neighbor ADDR enforce-first-as", "eBGP: reject routes whose AS_PATH does not start with the neighbor's AS (default)",
     cmd_neighbor_flag<&bgp::NeighborConfig::enforce_first_as, true>},
    {"no neighbor ADDR enforce-first-as",
     "eBGP: accept routes whose AS_PATH starts with another AS (a transparent route server)", cmd_neighbor_flag<&bgp::NeighborConfig::enforce_first_as, false>},
    {"neighbor ADDR maximum-prefix LINE...",
     "[ipv4|ipv6] N [THRESHOLD] [warning-only | restart MINUTES] [receive | accept]: limit the neighbor's routes",
     cmd_maximum_prefix},
};

const Entry rm_entries[] = {
    {"exit", "Leave the route-map node", cmd_rm_exit},
    {"description LINE...", "Describe the entry", cmd_rm_description},
    {"match ip address prefix-list WORD", "Match IPv4 routes whose prefix the prefix-list permits", cmd_match_pl4},
    {"match ipv6 address prefix-list WORD", "Match IPv6 routes whose prefix the prefix-list permits", cmd_match_pl6},
    {"match as-path WORD", "Match routes whose AS path the as-path access-list permits", cmd_match_as_path},
    {"match community WORD", "Match routes the community-list permits", cmd_match_community},
    {"match large-community WORD", "Match routes the large-community-list permits", cmd_match_large_community},
    {"match rpki valid", "Match routes of RPKI origin validation state Valid", cmd_match_rpki_valid},
    {"match rpki invalid", "Match routes of RPKI origin validation state Invalid", cmd_match_rpki_invalid},
    {"match rpki notfound", "Match routes of RPKI origin validation state NotFound", cmd_match_rpki_notfound},
    {"match peer ADDR", "Match routes learnt from this neighbor", cmd_match_peer},
    {"set local-preference <0-4294967295>", "Set LOCAL_PREF", cmd_set_local_pref},
    {"set metric <0-4294967295>", "Set MULTI_EXIT_DISC", cmd_set_metric},
    {"set community LINE...", "Set communities: AA:NN... [additive], or none", cmd_set_community},
    {"set comm-list WORD delete", "Remove the communities the community-list permits", cmd_set_comm_list_delete},
    {"set large-community LINE...", "Set large communities: A:B:C... [additive]", cmd_set_large_community},
    {"set as-path prepend LINE...", "Prepend these AS numbers to the AS path", cmd_set_prepend},
    {"set ip next-hop A.B.C.D", "Set the IPv4 NEXT_HOP", cmd_set_next_hop_v4},
    {"set ipv6 next-hop ADDR", "Set the IPv6 next hop", cmd_set_next_hop_v6},
    {"on-match next", "After a match, go on with the next entry", cmd_on_match_next},
    {"continue", "After a match, go on with the next entry", cmd_continue},
    {"continue <1-65535>", "After a match, go on with the entry of this seq", cmd_continue_seq},
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
const std::vector<Syntax>& route_map_syntax() {
    static const std::vector<Syntax> rm = build(rm_entries);
    return rm;
}
}  // namespace detail

LoadResult load_config_text(std::string_view text, const std::string& name) {
    const auto& top = detail::config_syntax(false);
    const auto& bgp = detail::config_syntax(true);
    const auto& rm = detail::route_map_syntax();
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
            if (first == 0) {
                l.in_bgp = false;
                l.rm_name.clear();
            }
            continue;
        }
        auto tok = tokenize(line);
        if (tok.index() == 1) {
            const auto& e = std::get<1>(tok);
            return error_at(name, l.line, e.column, e.message);
        }
        const auto& words = std::get<0>(tok);
        Outcome out;
        if (!l.rm_name.empty()) {
            auto r = match(rm, words);
            if (r.index() == 0) {
                out = run(l, rm_entries, std::get<0>(r), words);
            } else {
                auto r2 = match(top, words);
                if (r2.index() == 0) {
                    l.rm_name.clear();  // a top-level command leaves the node
                    out = run(l, top_entries, std::get<0>(r2), words);
                } else {
                    const auto& e1 = std::get<1>(r);
                    const auto& e2 = std::get<1>(r2);
                    const auto& e = e2.column > e1.column ? e2 : e1;
                    return error_at(name, l.line, e.column, e.message);
                }
            }
        } else if (l.in_bgp) {
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
            } else if (match(rm, words).index() == 0) {
                return error_at(name, l.line, words[0].column,
                                "'" + words[0].text + "' is only valid inside 'route-map NAME permit|deny SEQ'");
            } else {
                const auto& e = std::get<1>(r);
                return error_at(name, l.line, e.column, e.message);
            }
        }
        if (out) return error_at(name, l.line, out->column ? out->column : words[0].column, out->message);
        if (l.in_bgp) l.rm_name.clear();
    }
    if (auto u = unresolved(l)) return error_at(name, u->first.line, u->first.column, u->second);
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

namespace {

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
