// What the CLI may read and ask of the speaker. The CLI server (cli/) sees the
// daemon only through this interface: read-only views plus a few operator
// actions. Everything runs on the event loop's thread.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/wire/message.hpp"
#include "rib/reason.hpp"
#include "rtr/roa_source.hpp"
#include "rtr/vrp.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moat::bgp {

enum class State : uint8_t { idle, connect, active, open_sent, open_confirm, established };
std::string_view to_string(State s);

struct MessageCounters {
    uint64_t open = 0, update = 0, notification = 0, keepalive = 0, route_refresh = 0;
    uint64_t total() const { return open + update + notification + keepalive + route_refresh; }
};

struct NotificationRecord {
    wire::Notification message;
    std::chrono::system_clock::time_point when;
};

// A snapshot of one neighbor for show commands.
struct PeerView {
    NeighborConfig config;
    State state = State::idle;
    std::chrono::system_clock::time_point state_since;  // last state change
    std::optional<wire::IpAddress> local_address;        // of the current connection
    uint32_t remote_router_id = 0;
    uint16_t hold_time = 0;       // negotiated
    uint16_t keepalive_time = 0;  // negotiated
    std::optional<wire::Capabilities> sent_caps;
    std::optional<wire::Capabilities> received_caps;
    bool four_octet_as = false;   // negotiated
    bool ipv4_unicast = false;
    bool ipv6_unicast = false;
    bool route_refresh = false;
    bool enhanced_route_refresh = false;
    bool extended_message = false;
    MessageCounters sent, received;
    uint32_t established_transitions = 0;
    std::string last_error;  // why the session last went down
    std::optional<NotificationRecord> last_notification_sent;
    std::optional<NotificationRecord> last_notification_received;
    uint64_t prefixes_received_v4 = 0, prefixes_received_v6 = 0;
    uint64_t prefixes_advertised_v4 = 0, prefixes_advertised_v6 = 0;
    uint64_t prefixes_accepted_v4 = 0, prefixes_accepted_v6 = 0;  // received minus rejected by import
    // Routes its update group could not send (attributes too large for a
    // message) and withdrew instead, since the session came up.
    uint64_t prefixes_unsendable = 0;
    std::optional<std::chrono::steady_clock::time_point> idle_hold_until;  // back-off
    // Rejected routes per reason name ("peer-lock"): {IPv4, IPv6}; only
    // reasons with a count. malformed: routes RFC 7606 withdrew this session.
    std::map<std::string, std::pair<uint64_t, uint64_t>> rejected_by_reason;
    // Maximum-prefix: what is counted against each limit (accepted or
    // received routes), and the session held down for going over.
    uint64_t limit_count_v4 = 0, limit_count_v6 = 0;
    bool prefix_limit_down = false;  // down until the restart time or `clear bgp neighbor`
    std::optional<std::chrono::steady_clock::time_point> prefix_limit_restart_at;
};

// One rejected route for `show bgp rejected`.
struct RejectedInfo {
    wire::Prefix prefix;
    wire::IpAddress peer;
    uint32_t peer_asn = 0;
    std::string reason;
    std::string detail;
    std::chrono::system_clock::time_point when;
    std::optional<wire::PathAttributes> attrs;  // as received; none for malformed (withdrawn)
};

struct RejectedQuery {
    std::optional<wire::IpAddress> neighbor;
    std::optional<std::string> reason;
    std::optional<wire::Prefix> prefix;
};

struct RejectedList {
    std::vector<RejectedInfo> routes;  // matching records, oldest first
    uint64_t held = 0;       // rejected routes in Adj-RIB-In (all neighbors, or the one asked for)
    uint64_t records = 0;    // records in the store
    uint64_t limit = 0;      // its cap
    uint64_t evicted = 0;    // records dropped at the cap since start
};

// `show bgp peer-lock`: the protected ASNs and what they stopped.
struct PeerLockView {
    std::vector<uint32_t> protected_asns;  // effective, sorted
    bool tier1 = false;
    struct Neighbor {
        wire::IpAddress address;
        uint32_t asn = 0;
        bool strict = false;
        std::vector<uint32_t> allow;
        uint64_t rejected_now = 0;  // its routes held rejected by peer-lock
        std::vector<std::pair<uint32_t, uint64_t>> by_asn;  // routes rejected on receipt per protected ASN
        // Routes held rejected now per protected ASN, from the rejected-route
        // records (exact unless the store's cap evicted some).
        std::vector<std::pair<uint32_t, uint64_t>> now_by_asn;
    };
    std::vector<Neighbor> neighbors;
};

// One path of a prefix, for the route show commands.
struct RouteInfo {
    wire::Prefix prefix;
    std::optional<wire::IpAddress> peer;  // nothing: originated by this router
    uint32_t peer_asn = 0;
    uint32_t peer_router_id = 0;
    bool best = false;
    bool rejected = false;                // by the import chain
    bool unusable = false;                // next hop unresolvable
    std::string reason;                   // best: why it won; rejected: why
    rib::RpkiState rpki = rib::RpkiState::unchecked;  // RFC 6811 origin validation state
    wire::PathAttributes attrs;
    std::optional<wire::IpAddress> next_hop;       // NEXT_HOP or MP_REACH next hop
    std::optional<wire::IpAddress> link_local;     // MP_REACH second next hop
};

enum class RouteTable : uint8_t {
    loc_rib,     // every path of every prefix (show bgp ipv4 unicast)
    received,    // a neighbor's Adj-RIB-In as received (before the import chain)
    accepted,    // the neighbor's routes the import chain accepted, as modified
    advertised,  // what the neighbor is sent, with the export attributes
};

struct RouteQuery {
    RouteTable table = RouteTable::loc_rib;
    wire::Afi afi = wire::Afi::ipv4;
    std::optional<wire::Prefix> prefix;  // only this prefix...
    bool longer = false;                 // ...or it and its more-specifics
    wire::IpAddress neighbor;            // received, accepted, advertised
    std::optional<rib::RpkiState> rpki;  // only paths in this origin validation state
};

// A resumable walk over a route table: each call renders a bounded slice,
// so a 1M-prefix table never blocks the event loop.
class RouteWalk {
public:
    virtual ~RouteWalk() = default;
    // Appends the paths of up to `max_prefixes` more prefixes (table order);
    // false when the walk is complete.
    virtual bool next(std::vector<RouteInfo>& out, size_t max_prefixes) = 0;
};

struct MemoryView {
    size_t prefixes_v4 = 0, prefixes_v6 = 0;
    size_t routes = 0;       // paths held, all peers
    size_t attr_sets = 0;    // interned attribute sets
    size_t update_groups = 0;  // live update groups (a group goes with its last member)
    size_t rib_bytes = 0;    // tables, routes, Adj-RIB-Out and attribute sets
    size_t rss_bytes = 0;    // resident set of the process
};

// What `show rpki summary` and `show rpki cache-connection` show.
struct RpkiView {
    bool enabled = false;
    bool ready = false;            // safe start over: validation in force
    bool timed_out = false;        // ready because the safe-start timeout fired
    bool in_sync = false;          // every source has a complete set now
    std::string state;             // "disabled", "waiting", "in-sync", "out-of-sync", "drop-guard"
    size_t v4_vrps = 0, v6_vrps = 0;                    // the set in force
    size_t offered_v4 = 0, offered_v6 = 0;              // the sources' union (differs while held)
    std::optional<std::chrono::system_clock::time_point> last_change;  // of the set in force
    std::optional<std::chrono::system_clock::time_point> started;
    unsigned safe_start_timeout = 0;
    std::optional<unsigned> drop_guard;
    std::string drop_guard_note;  // set while the guard holds the old set
    uint64_t revalidations = 0;   // settled VRP changes applied
    uint64_t routes_revalidated = 0;
    std::vector<rtr::SourceStatus> sources;
};

class Control {
public:
    virtual ~Control() = default;
    virtual std::vector<PeerView> peer_views() const = 0;
    virtual const Config& running_config() const = 0;
    // Operator actions; return an error text, empty on success.
    virtual std::string neighbor_shutdown(const wire::IpAddress& a, bool down, std::string message) = 0;
    virtual std::string neighbor_clear(const wire::IpAddress& a) = 0;
    // Soft reset (the session stays): `in` re-runs the import chain over the
    // neighbor's Adj-RIB-In, `out` resends its Adj-RIB-Out.
    virtual std::string neighbor_soft_reset(const wire::IpAddress& a, bool in, bool out) {
        (void)a, (void)in, (void)out;
        return "soft reset is not supported";
    }
    // Route tables and memory for the show commands. On error: null and `error` set.
    virtual std::unique_ptr<RouteWalk> routes(const RouteQuery& q, std::string& error) {
        (void)q;
        error = "no routing table";
        return nullptr;
    }
    virtual MemoryView memory() const { return {}; }
    // The rejected-route store (show bgp rejected). On error: `error` set.
    virtual RejectedList rejected(const RejectedQuery& q, std::string& error) {
        (void)q;
        error = "no routing table";
        return {};
    }
    virtual PeerLockView peer_lock() const { return {}; }

    // RPKI origin validation: the state of the sources and the VRP set in
    // force (null when the daemon has none).
    virtual RpkiView rpki_view() const { return {}; }
    virtual const rtr::VrpIndex* rpki_index() const { return nullptr; }

    // Replaces the running configuration by `c`, applying only the
    // difference (see bgpd/reconfigure.hpp and docs/configuration.md).
    // Returns an error text, empty on success.
    virtual std::string apply_config(const Config& c) {
        (void)c;
        return "reconfiguration is not supported";
    }
    // The configuration file the daemon was started with (moatd -f), for
    // `write` and `reload`; empty when there is none.
    virtual std::string config_path() const { return {}; }
};

}  // namespace moat::bgp
