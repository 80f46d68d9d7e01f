// The types of a BGP session the FSM, the session and the peer share: the
// RFC 4271 8.2.2 states, message counters, the last NOTIFICATION. Nothing of
// the RIB, RPKI or configuration: the pure FSM includes this.
#pragma once

#include "bgpd/wire/message.hpp"

#include <chrono>
#include <cstdint>
#include <string_view>

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

}  // namespace moat::bgp
