// The kernel's view for next-hop resolution: interfaces, addresses and the
// routes of the FIB's table that are not Moat's own, learnt over rtnetlink
// (a dump at start, then the kernel's notifications) on the event loop.
//
// A socket filter (classic BPF) drops the notifications of routes with
// Moat's protocol number in the kernel, so a full table installed by the FIB
// does not come back through this socket. If notifications are lost
// (ENOBUFS) the view dumps everything again.
//
// resolve() answers how a BGP next hop is reached: on a connected network
// of an interface that is up (the gateway is the next hop itself), or, unless
// only connected next hops count (single-hop eBGP), through the longest
// matching kernel route, recursively through its gateway (at most 4 levels),
// down to a connected gateway: the one the kernel route for the prefix must
// name (Linux does not resolve recursively itself).
#pragma once

#include "bgpd/wire/types.hpp"
#include "fib/netlink.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct nlmsghdr;

namespace moat::fib {

struct Resolution {
    bool resolved = false;
    wire::IpAddress gateway;  // what the kernel route names (connected)
    int ifindex = 0;
    std::string interface;
    std::string via;          // "connected 198.19.1.0/24" or "10.0.0.0/8 via 198.19.1.254"
    bool operator==(const Resolution&) const = default;
};

class KernelView {
public:
    explicit KernelView(boost::asio::io_context& io);
    ~KernelView();
    KernelView(const KernelView&) = delete;
    KernelView& operator=(const KernelView&) = delete;

    // Subscribes, then dumps links, addresses and routes (synchronously: a
    // few ms, at start). `table` and `own_protocol` say which routes count.
    bool start(uint32_t table, uint8_t own_protocol, std::string& error);
    void stop();
    // Called (posted, once per burst) after the view changed.
    void on_change(std::function<void()> f) { on_change_ = std::move(f); }

    Resolution resolve(const wire::IpAddress& next_hop, bool connected_only) const;

    size_t links() const { return links_.size(); }
    size_t addresses() const { return addrs_.size(); }
    size_t routes() const { return routes_.size(); }

private:
    struct Link {
        std::string name;
        bool up = false;
    };
    struct Addr {
        int ifindex = 0;
        wire::Prefix net;  // the connected network
    };
    struct Route {
        std::optional<wire::IpAddress> gateway;
        int ifindex = 0;
    };
    void dump_all();
    void handle(const nlmsghdr* nlh);
    void changed();
    std::optional<Resolution> connected(const wire::IpAddress& a) const;

    boost::asio::io_context& io_;
    NetlinkSocket nl_;
    uint32_t table_ = 254;
    uint8_t own_protocol_ = 0;
    std::unordered_map<int, Link> links_;
    std::vector<Addr> addrs_;
    std::map<wire::Prefix, Route> routes_;
    std::function<void()> on_change_;
    bool change_posted_ = false;
    bool dumping_ = false;
    uint32_t seq_ = 1;
    std::shared_ptr<bool> alive_;
};

}  // namespace moat::fib
