// What `show bgp neighbors` and `show bgp summary` read of one neighbor: a
// snapshot the peer (bgpd/peer.cpp) and its routing (prefix counters) fill.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/session_types.hpp"
#include "bgpd/wire/message.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace moat::bgp {

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

}  // namespace moat::bgp
