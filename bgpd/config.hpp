// The configuration model: what the config file (and later configure mode)
// describes, as plain values. The grammar that fills it lives in cli/; the
// speaker (bgpd/) reads it. Defaults here are the documented defaults.
#pragma once

#include "bgpd/wire/message.hpp"
#include "fib/config.hpp"
#include "rib/policy_config.hpp"
#include "bgpd/wire/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace moat::bgp {

// The routing policy types (rib/policy_config.hpp) are part of the configuration.
using namespace moat::policy;

// `neighbor X maximum-prefix [ipv6] N [THRESHOLD] [warning-only | restart
// MINUTES] [receive | accept]` (RFC 4486).
struct MaxPrefixConfig {
    uint32_t limit = 0;
    uint8_t threshold = 75;                  // percent of the limit: logged once when crossed
    bool warning_only = false;               // over the limit: log, keep the session and the routes
    std::optional<uint16_t> restart_minutes; // none: down until `clear bgp neighbor`
    bool count_received = false;             // receive: before import policy; accept (default): after
    bool operator==(const MaxPrefixConfig&) const = default;
};

struct NeighborConfig {
    wire::IpAddress address;
    uint32_t remote_as = 0;
    std::string description;
    bool passive = false;                       // never connect, only accept
    std::optional<wire::IpAddress> update_source;  // local address to bind
    uint16_t port = 179;                        // the neighbor's TCP port
    uint16_t keepalive_time = 30;               // seconds
    uint16_t hold_time = 90;                    // seconds, 0 or >= 3
    uint16_t connect_retry_time = 30;           // seconds
    std::optional<uint16_t> delay_open_time;    // RFC 4271 DelayOpen, seconds
    bool shutdown = false;                      // administratively down
    std::string shutdown_message;               // RFC 9003, sent with Cease 2
    std::string password;                       // TCP-MD5 (RFC 2385); empty = none
    std::optional<uint8_t> ttl_security_hops;   // GTSM (RFC 5082)
    std::optional<uint8_t> ebgp_multihop;       // TTL for eBGP sessions
    // eBGP next hops must be on a connected network (single-hop eBGP, with
    // the FIB on); this lets them resolve through the kernel's routes instead.
    bool disable_connected_check = false;
    bool ipv4_unicast = true;                   // address families to negotiate
    bool ipv6_unicast = true;
    // NEXT_HOP for originated routes of each family; default: the session's
    // local address when it is of that family. Needed to send IPv6 routes over
    // an IPv4 session (and IPv4 routes over an IPv6 one); without it those
    // routes are not sent, as an IPv4-mapped IPv6 next hop is not accepted.
    std::optional<wire::IpAddress> next_hop_v4;
    std::optional<wire::IpAddress> next_hop_v6;
    bool next_hop_self = false;           // iBGP: our address as NEXT_HOP for learnt routes too
    bool route_reflector_client = false;  // RFC 4456: reflect iBGP routes to and from it
    bool default_originate = false;       // send it a default route of each family
    // RPKI origin validation (docs/rpki.md). Unset: reject Invalid routes
    // from eBGP neighbors, accept (marked) from iBGP ones.
    std::optional<bool> rpki_reject_invalid;
    bool rpki_validation = true;          // `rpki validation off`: routes stay unchecked
    // RFC 9234: our role towards this (eBGP) neighbor, sent as the BGP Role
    // capability and driving the OTC procedures; strict: a neighbor without
    // the capability is refused with Role Mismatch.
    std::optional<wire::Role> local_role = std::nullopt;
    bool role_strict = false;
    std::string route_map_in;             // import policy (route-map name; empty: none)
    std::string route_map_out;            // export policy
    // Route-leak defenses (docs/configuration.md, "Route-leak defenses").
    std::optional<MaxPrefixConfig> max_prefix_v4, max_prefix_v6;
    bool allow_default_route = false;     // eBGP: accept 0.0.0.0/0 and ::/0 from it
    bool enforce_first_as = true;         // eBGP: its AS_PATH must start with its AS (RFC 4271 6.3)
    bool peer_lock_strict = false;        // no protected ASN at all in its paths
    std::vector<uint32_t> peer_lock_allow;  // protected ASNs it may carry

    bool operator==(const NeighborConfig&) const = default;
};

struct ListenAddress {
    wire::IpAddress address;
    bool operator==(const ListenAddress&) const = default;
};

struct BgpConfig {
    uint32_t asn = 0;
    std::optional<uint32_t> router_id;          // host order; default: highest listen/loopback IPv4
    std::vector<ListenAddress> listen_addresses;  // empty: listen on 0.0.0.0 and ::
    uint16_t listen_port = 179;
    bool listen = true;                         // "no bgp listen" disables the listener
    std::vector<wire::Prefix> networks;         // originated routes
    bool always_compare_med = false;            // compare MED across neighbor ASes
    fib::Multipath multipath;                   // maximum-paths: equal best paths in one kernel route
    std::optional<uint32_t> cluster_id;         // RFC 4456, host order; default: router ID
    // RFC 8212: an eBGP neighbor without `route-map in` (out) gets nothing
    // imported (exported). `no bgp ebgp-requires-policy` turns it off.
    bool ebgp_requires_policy = true;
    bool rpki_prefer_valid = false;             // LOCAL_PREF +10 for Valid, 0 for accepted Invalid
    std::vector<NeighborConfig> neighbors;
    // eBGP import filters and peer-lock (docs/configuration.md).
    bool reject_martians = true;
    bool reject_too_specific = true;
    bool reject_bogon_asns = true;
    uint32_t maxas_limit = 100;                  // 0: no limit
    std::vector<uint32_t> peer_lock_protected;   // as configured, in order
    bool peer_lock_tier1 = false;                // plus the built-in tier1 list
    uint32_t rejected_limit = 100000;            // records kept by the rejected-route store

    const NeighborConfig* find_neighbor(const wire::IpAddress& a) const;
    bool operator==(const BgpConfig&) const = default;
};

// One RPKI cache (RTR, RFC 8210).
struct RpkiCache {
    enum class Transport : uint8_t { tcp, ssh, tls };
    Transport transport = Transport::tcp;
    std::string host;
    uint16_t port = 323;
    uint8_t preference = 1;    // lower is preferred; equal preferences form one group
    std::string ssh_user, ssh_key, ssh_host_key;  // ssh: user, private key, known host key (optional)
    std::string tls_ca;        // tls: CA file; empty: the system store
    bool operator==(const RpkiCache&) const = default;
};

// Where VRPs come from and how they are guarded. Origin validation is on as
// soon as one cache or file is configured.
struct RpkiConfig {
    std::vector<RpkiCache> caches;
    std::vector<std::string> files;           // VRP JSON files (rpki-client, Routinator, StayRTR)
    std::optional<unsigned> refresh, retry, expire;  // seconds; set: the cache's values are ignored
    unsigned safe_start_timeout = 60;          // seconds eBGP routes are held waiting for the first set
    std::optional<unsigned> drop_guard;        // percent: keep the old set when a complete one is smaller by more

    bool enabled() const { return !caches.empty() || !files.empty(); }
    bool operator==(const RpkiConfig&) const = default;
};

struct Config {
    std::string hostname = "moat";
    std::string control_socket = "/run/moat/moatd.sock";
    std::string control_socket_group;  // group of the socket file; empty: the daemon's
    RpkiConfig rpki;
    std::optional<BgpConfig> bgp;
    PolicyConfig policy;  // prefix-lists, AS path / community lists, route-maps
    fib::FibConfig fib;   // the kernel routing table Moat's best paths go to

    bool operator==(const Config&) const = default;
};

}  // namespace moat::bgp
