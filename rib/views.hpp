// The RIB's read models for the show commands: rejected routes, peer-lock
// counters, route tables as resumable walks, memory. Route walks, rejected
// routes and memory are built here from the RIB (views.cpp); the peer-lock
// view is filled by the routing driver, which knows the configuration.
// cli/ renders them.
#pragma once

#include "bgpd/wire/message.hpp"
#include "bgpd/wire/types.hpp"
#include "rib/reason.hpp"
#include "rib/rib.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moat::rib {

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
    RpkiState rpki = RpkiState::unchecked;  // RFC 6811 origin validation state
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
    std::optional<RpkiState> rpki;  // only paths in this origin validation state
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

// Builders (views.cpp). A route walk asks `source` before each slice for the
// member whose tables it shows (Adj-RIB-In/-Out: its peer id and update
// group) and ends when it answers false (the session or the table went);
// for the Loc-RIB it only asks whether the table is still there.
using WalkSource = std::function<bool(PeerId&, GroupId&)>;
std::unique_ptr<RouteWalk> route_walk(const Rib& rib, const RouteQuery& q, WalkSource source);
// `peers`: the neighbors whose held rejected routes are counted (address, peer id).
RejectedList rejected_list(const Rib& rib, const RejectedQuery& q,
                           std::span<const std::pair<wire::IpAddress, PeerId>> peers, std::string& error);
MemoryView memory_view(const Rib& rib, size_t update_groups);

}  // namespace moat::rib
