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

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <memory>
#include <string>

struct nlmsghdr;
struct mnl_socket;

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

// An rtnetlink socket on the event loop (libmnl): non-blocking, with a large
// receive buffer, read whenever the kernel has something for it.
class NetlinkSocket {
public:
    using OnMessage = std::function<void(const nlmsghdr*)>;

    explicit NetlinkSocket(boost::asio::io_context& io) : io_(io) {}
    ~NetlinkSocket() { close(); }
    NetlinkSocket(const NetlinkSocket&) = delete;
    NetlinkSocket& operator=(const NetlinkSocket&) = delete;

    // Bound to the multicast `groups` (0: none). False with a message.
    bool open(unsigned groups, int receive_buffer, std::string& error);
    void close();
    bool is_open() const { return sock_ != nullptr; }
    int fd() const;
    // One datagram (many requests); false with errno set.
    bool send(const void* data, size_t size);
    // From now on every message read goes to `on_message`; `on_lost` is
    // called when the kernel dropped messages for want of room (ENOBUFS).
    void start_reading(OnMessage on_message, std::function<void()> on_lost);
    // Reads synchronously, giving every message to `each`, until it returns
    // true (the end of a dump) or no message came for `timeout_ms`.
    void read_until(const std::function<bool(const nlmsghdr*)>& each, int timeout_ms);

private:
    void arm();
    void drain();
    void dispatch(const uint8_t* data, size_t size);

    boost::asio::io_context& io_;
    mnl_socket* sock_ = nullptr;
    std::unique_ptr<boost::asio::posix::stream_descriptor> fd_;
    std::shared_ptr<bool> alive_;
    OnMessage on_message_;
    std::function<void()> on_lost_;
    const std::function<bool(const nlmsghdr*)>* until_ = nullptr;  // read_until's test, while it runs
    bool until_done_ = false;
    bool armed_ = false;
    std::vector<uint8_t> buf_;
};

}  // namespace moat::fib
