// Route requests and route dumps of rtnetlink (Linux's rtnetlink(7)), built
// and read with libmnl. Pure: bytes in a buffer, no socket.
#pragma once

#include "bgpd/wire/types.hpp"
#include "fib/config.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

struct nlmsghdr;

namespace moat::fib {

enum class RouteOp : uint8_t { replace, remove };

// The largest request put_route() writes with one gateway, with room to spare
// (each more gateway of a multipath route adds at most 32 bytes).
inline constexpr size_t max_route_request = 128;

// Appends one RTM_NEWROUTE (create or replace) or RTM_DELROUTE request with
// NLM_F_ACK to `buf`. A replace names its gateways (same family as the
// prefix): one as RTA_GATEWAY, several as an RTA_MULTIPATH route; a remove
// names none.
void put_route(std::vector<uint8_t>& buf, RouteOp op, const wire::Prefix& prefix,
               std::span<const wire::IpAddress> gateways, const RouteTarget& target, uint32_t seq);
inline void put_route(std::vector<uint8_t>& buf, RouteOp op, const wire::Prefix& prefix,
                      const wire::IpAddress* gateway, const RouteTarget& target, uint32_t seq) {
    put_route(buf, op, prefix, gateway ? std::span<const wire::IpAddress>(gateway, 1) : std::span<const wire::IpAddress>(),
              target, seq);
}

// Appends an RTM_GETROUTE dump request for one family.
void put_route_dump(std::vector<uint8_t>& buf, wire::Afi afi, uint32_t seq);

// One route of a dump or of a notification.
struct KernelRoute {
    wire::Prefix prefix;
    uint32_t table = 0;
    uint8_t protocol = 0;
    uint8_t type = 0;  // RTN_UNICAST, ...
    uint32_t metric = 0;
    std::optional<wire::IpAddress> gateway;
    int oif = 0;  // RTA_OIF
    bool multipath = false;
    std::vector<wire::IpAddress> gateways;  // of an RTA_MULTIPATH route
};
// Null if the message is not a route message or is malformed.
std::optional<KernelRoute> parse_route(const nlmsghdr* nlh);

}  // namespace moat::fib
