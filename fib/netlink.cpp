// rtnetlink route messages through libmnl.
#include "fib/netlink.hpp"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

namespace moat::fib {

namespace {

// Room for one request at the end of `buf`; returns where it starts.
char* reserve(std::vector<uint8_t>& buf, size_t& at, size_t room = max_route_request) {
    at = buf.size();
    buf.resize(at + room);
    std::memset(buf.data() + at, 0, room);
    return reinterpret_cast<char*>(buf.data() + at);
}

}  // namespace

void put_route(std::vector<uint8_t>& buf, RouteOp op, const wire::Prefix& prefix,
               std::span<const wire::IpAddress> gateways, const RouteTarget& target, uint32_t seq) {
    size_t at = 0;
    const size_t room = max_route_request + (gateways.size() > 1 ? gateways.size() * 32 : 0);
    nlmsghdr* nlh = mnl_nlmsg_put_header(reserve(buf, at, room));
    nlh->nlmsg_type = op == RouteOp::replace ? static_cast<uint16_t>(RTM_NEWROUTE) : static_cast<uint16_t>(RTM_DELROUTE);
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    if (op == RouteOp::replace) nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
    nlh->nlmsg_seq = seq;
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = prefix.v6 ? AF_INET6 : AF_INET;
    rtm->rtm_dst_len = prefix.len;
    rtm->rtm_table = static_cast<uint8_t>(target.table < 256 ? target.table : uint32_t{RT_TABLE_UNSPEC});
    rtm->rtm_protocol = target.protocol;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_UNICAST;
    const size_t bytes = prefix.v6 ? 16 : 4;
    mnl_attr_put_u32(nlh, RTA_TABLE, target.table);
    if (prefix.len > 0) mnl_attr_put(nlh, RTA_DST, bytes, prefix.addr.data());
    mnl_attr_put_u32(nlh, RTA_PRIORITY, target.metric);
    if (op == RouteOp::replace && gateways.size() == 1) {
        mnl_attr_put(nlh, RTA_GATEWAY, bytes, gateways[0].bytes.data());
    } else if (op == RouteOp::replace && gateways.size() > 1) {
        nlattr* nest = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
        for (const auto& g : gateways) {
            auto* rtnh = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(nlh));
            std::memset(rtnh, 0, sizeof(rtnexthop));
            nlh->nlmsg_len += MNL_ALIGN(sizeof(rtnexthop));
            mnl_attr_put(nlh, RTA_GATEWAY, bytes, g.bytes.data());
            rtnh->rtnh_len = static_cast<unsigned short>(static_cast<char*>(mnl_nlmsg_get_payload_tail(nlh)) -
                                                         reinterpret_cast<char*>(rtnh));
        }
        mnl_attr_nest_end(nlh, nest);
    }
    buf.resize(at + nlh->nlmsg_len);
}

void put_route_dump(std::vector<uint8_t>& buf, wire::Afi afi, uint32_t seq) {
    size_t at = 0;
    nlmsghdr* nlh = mnl_nlmsg_put_header(reserve(buf, at));
    nlh->nlmsg_type = RTM_GETROUTE;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = seq;
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = afi == wire::Afi::ipv6 ? AF_INET6 : AF_INET;
    buf.resize(at + nlh->nlmsg_len);
}

std::optional<KernelRoute> parse_route(const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) return std::nullopt;
    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(rtmsg))) return std::nullopt;
    const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
    if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) return std::nullopt;
    const bool v6 = rtm->rtm_family == AF_INET6;
    const size_t bytes = v6 ? 16 : 4;
    if (rtm->rtm_dst_len > (v6 ? 128 : 32)) return std::nullopt;
    KernelRoute r;
    r.prefix.v6 = v6;
    r.prefix.len = rtm->rtm_dst_len;
    r.table = rtm->rtm_table;
    r.protocol = rtm->rtm_protocol;
    r.type = rtm->rtm_type;
    bool bad = false;
    const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
    for (auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(rtmsg)));
         mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a)) {
        const uint16_t type = mnl_attr_get_type(a);
        const uint16_t len = mnl_attr_get_payload_len(a);
        const auto* data = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
        switch (type) {
            case RTA_DST:
                if (len != bytes) bad = true;
                else std::memcpy(r.prefix.addr.data(), data, bytes);
                break;
            case RTA_GATEWAY:
                if (len != bytes) {
                    bad = true;
                } else {
                    wire::IpAddress g;
                    g.v6 = v6;
                    std::memcpy(g.bytes.data(), data, bytes);
                    r.gateway = g;
                }
                break;
            case RTA_TABLE:
                if (len == 4) r.table = mnl_attr_get_u32(a);
                break;
            case RTA_PRIORITY:
                if (len == 4) r.metric = mnl_attr_get_u32(a);
                break;
            case RTA_OIF:
                if (len == 4) r.oif = static_cast<int>(mnl_attr_get_u32(a));
                break;
            case RTA_MULTIPATH: {
                r.multipath = true;
                // rtnexthop entries, each followed by its own attributes.
                size_t off = 0;
                while (off + sizeof(rtnexthop) <= len) {
                    const auto* nh = reinterpret_cast<const rtnexthop*>(data + off);
                    if (nh->rtnh_len < sizeof(rtnexthop) || off + nh->rtnh_len > len) break;
                    size_t in = MNL_ALIGN(sizeof(rtnexthop));
                    while (in + sizeof(nlattr) <= nh->rtnh_len) {
                        const auto* na = reinterpret_cast<const nlattr*>(data + off + in);
                        if (na->nla_len < sizeof(nlattr) || in + na->nla_len > nh->rtnh_len) break;
                        if ((na->nla_type & NLA_TYPE_MASK) == RTA_GATEWAY && na->nla_len - sizeof(nlattr) == bytes) {
                            wire::IpAddress g;
                            g.v6 = v6;
                            std::memcpy(g.bytes.data(), reinterpret_cast<const uint8_t*>(na) + sizeof(nlattr), bytes);
                            r.gateways.push_back(g);
                        }
                        in += MNL_ALIGN(na->nla_len);
                    }
                    off += MNL_ALIGN(nh->rtnh_len);
                }
                break;
            }
            default:
                break;
        }
    }
    if (bad) return std::nullopt;
    // The kernel's prefixes have no host bits; make sure of it.
    r.prefix = wire::Prefix::make(r.prefix.address(), r.prefix.len);
    return r;
}

bool NetlinkSocket::open(unsigned groups, int receive_buffer, std::string& error) {
    close();
    sock_ = mnl_socket_open(NETLINK_ROUTE);
    if (!sock_ || mnl_socket_bind(sock_, groups, MNL_SOCKET_AUTOPID) < 0) {
        error = fmt::format("cannot open a netlink socket: {}", std::strerror(errno));
        if (sock_) mnl_socket_close(sock_);
        sock_ = nullptr;
        return false;
    }
    const int fd = mnl_socket_get_fd(sock_);
    // SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it the system's limit applies.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof(receive_buffer)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fd_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
    alive_ = std::make_shared<bool>(true);
    buf_.resize(MNL_SOCKET_BUFFER_SIZE * 4);
    return true;
}

void NetlinkSocket::close() {
    if (!sock_) return;
    *alive_ = false;
    fd_->cancel();
    fd_->release();  // mnl_socket_close closes it
    fd_.reset();
    mnl_socket_close(sock_);
    sock_ = nullptr;
    armed_ = false;
    on_message_ = {};
    on_lost_ = {};
}

int NetlinkSocket::fd() const { return sock_ ? mnl_socket_get_fd(sock_) : -1; }

bool NetlinkSocket::send(const void* data, size_t size) { return sock_ && mnl_socket_sendto(sock_, data, size) >= 0; }

void NetlinkSocket::start_reading(OnMessage on_message, std::function<void()> on_lost) {
    on_message_ = std::move(on_message);
    on_lost_ = std::move(on_lost);
    arm();
}

void NetlinkSocket::arm() {
    if (!fd_ || armed_) return;
    armed_ = true;
    fd_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this, alive = alive_](const boost::system::error_code& ec) {
                        if (!*alive) return;
                        armed_ = false;
                        if (ec) return;
                        drain();
                        if (*alive) arm();
                    });
}

void NetlinkSocket::dispatch(const uint8_t* data, size_t size) {
    int len = static_cast<int>(size);
    for (auto* m = reinterpret_cast<const nlmsghdr*>(data); mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
        if (until_) {
            if (!until_done_ && (*until_)(m)) until_done_ = true;
        } else if (on_message_) {
            on_message_(m);
        }
    }
}

// Everything queued now; the handlers may close the socket.
void NetlinkSocket::drain() {
    auto alive = alive_;
    while (*alive) {
        const ssize_t n = mnl_socket_recvfrom(sock_, buf_.data(), buf_.size());
        if (n < 0) {
            if (errno == ENOBUFS) {
                if (on_lost_) on_lost_();
                continue;
            }
            return;  // EAGAIN: all read
        }
        // The handlers may read again (a dump): work on a copy of this datagram.
        const std::vector<uint8_t> datagram(buf_.begin(), buf_.begin() + n);
        dispatch(datagram.data(), datagram.size());
    }
}

void NetlinkSocket::read_until(const std::function<bool(const nlmsghdr*)>& each, int timeout_ms) {
    until_ = &each;
    until_done_ = false;
    pollfd p{fd(), POLLIN, 0};
    while (sock_ && !until_done_ && ::poll(&p, 1, timeout_ms) > 0) drain();
    until_ = nullptr;
}

}  // namespace moat::fib
