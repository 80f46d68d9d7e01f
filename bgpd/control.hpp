// What the CLI may read and ask of the speaker. The CLI server (cli/) sees the
// daemon only through this interface: read-only views plus a few operator
// actions. Everything runs on the event loop's thread.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/wire/message.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
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
    std::optional<std::chrono::steady_clock::time_point> idle_hold_until;  // back-off
};

class Control {
public:
    virtual ~Control() = default;
    virtual std::vector<PeerView> peer_views() const = 0;
    virtual const Config& running_config() const = 0;
    // Operator actions; return an error text, empty on success.
    virtual std::string neighbor_shutdown(const wire::IpAddress& a, bool down, std::string message) = 0;
    virtual std::string neighbor_clear(const wire::IpAddress& a) = 0;

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
