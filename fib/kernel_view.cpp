// The kernel's links, addresses and routes, and next-hop resolution over them.
#include "fib/kernel_view.hpp"

#include "fib/netlink.hpp"

#include <boost/asio/post.hpp>
#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

namespace moat::fib {

namespace asio = boost::asio;

namespace {

bool within(const wire::Prefix& net, const wire::IpAddress& a) {
    return net.v6 == a.v6 && wire::Prefix::make(a, net.len) == net;
}

// Drops the kernel's notifications of routes with protocol `proto` before
// they are queued on the socket (one notification per message).
void filter_own_routes(int fd, uint8_t proto) {
    // BPF loads are big-endian; nlmsg_type is host order (little-endian
    // here): RTM_NEWROUTE 24 reads as 0x1800, RTM_DELROUTE 25 as 0x1900.
    static_assert(RTM_NEWROUTE == 24 && RTM_DELROUTE == 25);
    const uint32_t rtm_protocol_at = NLMSG_HDRLEN + offsetof(rtmsg, rtm_protocol);
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(nlmsghdr, nlmsg_type)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x1800, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x1900, 0, 3),
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, rtm_protocol_at),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, proto, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
    setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

}  // namespace

KernelView::KernelView(asio::io_context& io) : io_(io), nl_(io) {}

KernelView::~KernelView() { stop(); }

bool KernelView::start(uint32_t table, uint8_t own_protocol, std::string& error) {
    stop();
    table_ = table;
    own_protocol_ = own_protocol;
    const unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
    if (!nl_.open(groups, 4 << 20, error)) {
        error = "the kernel's routes: " + error;
        return false;
    }
    filter_own_routes(nl_.fd(), own_protocol);
    alive_ = std::make_shared<bool>(true);
    dump_all();
    nl_.start_reading([this](const nlmsghdr* m) { handle(m); },
                      [this] {  // notifications lost: start over
                          dump_all();
                          changed();
                      });
    return true;
}

void KernelView::stop() {
    if (!nl_.is_open()) return;
    *alive_ = false;
    nl_.close();
    links_.clear();
    addrs_.clear();
    routes_.clear();
    change_posted_ = false;
}

void KernelView::dump_all() {
    links_.clear();
    addrs_.clear();
    routes_.clear();
    // Dumps on a socket of their own: a dump packs many messages in one
    // datagram, which the subscription socket's filter would judge by its
    // first message alone.
    NetlinkSocket dump(io_);
    std::string error;
    if (!dump.open(0, 1 << 20, error)) return;
    dumping_ = true;
    // One dump at a time: each is read to its end (NLMSG_DONE) before the next.
    const std::pair<uint16_t, uint8_t> dumps[] = {
        {RTM_GETLINK, AF_UNSPEC}, {RTM_GETADDR, AF_UNSPEC}, {RTM_GETROUTE, AF_INET}, {RTM_GETROUTE, AF_INET6}};
    for (const auto& [type, family] : dumps) {
        char req[64]{};
        nlmsghdr* nlh = mnl_nlmsg_put_header(req);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        const uint32_t seq = seq_++;
        nlh->nlmsg_seq = seq;
        auto* g = static_cast<rtgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));  // rtmsg covers rtgenmsg
        g->rtgen_family = family;
        if (!dump.send(nlh, nlh->nlmsg_len)) continue;
        dump.read_until(
            [&](const nlmsghdr* m) {
                if (m->nlmsg_seq == seq && (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR)) return true;
                handle(m);
                return false;
            },
            2000);
    }
    dumping_ = false;
}

void KernelView::handle(const nlmsghdr* nlh) {
    bool change = false;
    switch (nlh->nlmsg_type) {
        case RTM_NEWLINK:
        case RTM_DELLINK: {
            const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
            if (nlh->nlmsg_type == RTM_DELLINK) {
                change = links_.erase(ifi->ifi_index) > 0;
                break;
            }
            Link l;
            l.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
            const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
            for (auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifinfomsg)));
                 mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a))
                if (mnl_attr_get_type(a) == IFLA_IFNAME) l.name = mnl_attr_get_str(a);
            auto& slot = links_[ifi->ifi_index];
            change = slot.up != l.up || slot.name != l.name;
            slot = l;
            break;
        }
        case RTM_NEWADDR:
        case RTM_DELADDR: {
            const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
            if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) break;
            const bool v6 = ifa->ifa_family == AF_INET6;
            std::optional<wire::IpAddress> local, address;
            const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
            for (auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifaddrmsg)));
                 mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const char*>(a))); a = mnl_attr_next(a)) {
                const auto t = mnl_attr_get_type(a);
                if ((t != IFA_LOCAL && t != IFA_ADDRESS) || mnl_attr_get_payload_len(a) != (v6 ? 16u : 4u)) continue;
                wire::IpAddress ip;
                ip.v6 = v6;
                std::memcpy(ip.bytes.data(), mnl_attr_get_payload(a), v6 ? 16 : 4);
                (t == IFA_LOCAL ? local : address) = ip;
            }
            const auto ip = local ? local : address;
            if (!ip) break;
            const Addr addr{static_cast<int>(ifa->ifa_index), wire::Prefix::make(*ip, ifa->ifa_prefixlen)};
            auto it = std::find_if(addrs_.begin(), addrs_.end(),
                                   [&](const Addr& x) { return x.ifindex == addr.ifindex && x.net == addr.net; });
            if (nlh->nlmsg_type == RTM_DELADDR) {
                if (it != addrs_.end()) {
                    addrs_.erase(it);
                    change = true;
                }
            } else if (it == addrs_.end()) {
                addrs_.push_back(addr);
                change = true;
            }
            break;
        }
        case RTM_NEWROUTE:
        case RTM_DELROUTE: {
            auto r = parse_route(nlh);
            if (!r || r->protocol == own_protocol_ || r->table != table_ || r->type != RTN_UNICAST) break;
            if (nlh->nlmsg_type == RTM_DELROUTE) {
                change = routes_.erase(r->prefix) > 0;
            } else {
                Route route{r->gateway, r->oif};
                auto& slot = routes_[r->prefix];
                change = slot.gateway != route.gateway || slot.ifindex != route.ifindex;
                slot = route;
            }
            break;
        }
        default:
            break;
    }
    if (change && !dumping_) changed();
}

void KernelView::changed() {
    if (change_posted_ || !on_change_) return;
    change_posted_ = true;
    asio::post(io_, [this, alive = alive_] {
        if (!*alive) return;
        change_posted_ = false;
        if (on_change_) on_change_();
    });
}

std::optional<Resolution> KernelView::connected(const wire::IpAddress& a) const {
    const Addr* best = nullptr;
    for (const auto& x : addrs_) {
        if (!within(x.net, a)) continue;
        auto l = links_.find(x.ifindex);
        if (l == links_.end() || !l->second.up) continue;
        if (!best || x.net.len > best->net.len) best = &x;
    }
    if (!best) return std::nullopt;
    Resolution r;
    r.resolved = true;
    r.gateway = a;
    r.ifindex = best->ifindex;
    r.interface = links_.at(best->ifindex).name;
    r.via = "connected " + best->net.to_string();
    return r;
}

Resolution KernelView::resolve(const wire::IpAddress& next_hop, bool connected_only) const {
    if (auto c = connected(next_hop)) return *c;
    if (connected_only) return {};
    wire::IpAddress target = next_hop;
    std::string first_via;
    for (int depth = 0; depth < 4; ++depth) {
        const std::pair<const wire::Prefix, Route>* best = nullptr;
        for (const auto& e : routes_)
            if (within(e.first, target) && (!best || e.first.len > best->first.len)) best = &e;
        if (!best) return {};
        if (first_via.empty())
            first_via = best->first.to_string() + (best->second.gateway ? " via " + best->second.gateway->to_string() : "");
        if (!best->second.gateway) {  // a device route: on that link
            auto l = links_.find(best->second.ifindex);
            if (l == links_.end() || !l->second.up) return {};
            Resolution r;
            r.resolved = true;
            r.gateway = target;
            r.ifindex = best->second.ifindex;
            r.interface = l->second.name;
            r.via = first_via;
            return r;
        }
        target = *best->second.gateway;
        if (auto c = connected(target)) {
            c->via = first_via;
            return *c;
        }
    }
    return {};
}

}  // namespace moat::fib
