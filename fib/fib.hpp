// The FIB: the Loc-RIB's best paths in a Linux routing table, over rtnetlink.
//
// After each decision pass the routing driver hands the best-path changes to
// Fib::changed(). The FIB keeps, per destination index of the RIB, the next
// hop it wants in the kernel and the one the kernel has acknowledged (8 bytes
// a destination; it pins the destinations it holds so that the RIB does not
// reuse their index). Changes of one destination coalesce while queued.
// Requests go out in batches (many routes in one sendmsg), each with
// NLM_F_ACK and its own sequence number; the acknowledgements are matched to
// the requests in flight, and refusals are counted by errno and kept per
// route for `show fib`. A slice of the queue is sent per turn of the event
// loop and the number of requests in flight is bounded; the batches are
// written by a thread of their own (the kernel installs a route inside
// sendmsg), so a kernel that refuses routes or a full table never holds the
// loop up.
//
// At start the FIB dumps its table and takes every route with its protocol
// number as left over from an earlier run: those the RIB selects again are
// replaced in place; the others are removed once `stale_time` has passed.
// On a stop the FIB removes its routes.
#pragma once

#include "bgpd/wire/types.hpp"
#include "fib/config.hpp"
#include "fib/kernel_view.hpp"
#include "fib/netlink.hpp"
#include "rib/rib.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace moat::fib {

struct FibCounters {
    bool enabled = false;
    std::string state;           // "off", "running", "error"
    std::string error;           // why the FIB could not start
    size_t routes_v4 = 0, routes_v6 = 0;  // in the kernel, acknowledged
    size_t queued = 0, in_flight = 0;
    uint64_t installs = 0, removals = 0;  // acknowledged requests
    uint64_t refused = 0;                 // requests the kernel refused
    uint64_t unsupported = 0;             // best paths with no next hop the kernel can take
    size_t stale_found = 0, stale_removed = 0;
    std::map<int, uint64_t> refused_by_errno;
};

struct FibRoute {
    wire::Prefix prefix;
    std::optional<wire::IpAddress> next_hop;   // the best path's BGP next hop (none: to be removed)
    std::optional<wire::IpAddress> wanted;     // the gateway it resolves to (none: unresolved or removed)
    std::vector<wire::IpAddress> gateways;     // all of them, for a multipath route
    std::optional<wire::IpAddress> installed;  // what the kernel acknowledged
    bool pending = false;                      // queued or in flight (not after a refusal)
    int error = 0;                             // the kernel's last refusal (errno), 0 if none
};

class Fib final : public rib::BestChangeSink {
public:
    Fib(boost::asio::io_context& io, rib::Rib& rib);
    ~Fib();
    Fib(const Fib&) = delete;
    Fib& operator=(const Fib&) = delete;

    // Opens the netlink socket, dumps the table for left-over routes, and
    // installs what the RIB selects now. False with a message if the socket
    // cannot be opened (no CAP_NET_ADMIN is only found out at the first request).
    bool start(const FibConfig& config, std::string& error);
    // Removes Moat's routes from the kernel (synchronously, in batches) and closes.
    void stop();
    bool running() const { return nl_.is_open(); }
    const FibConfig& config() const { return config_; }

    // Best-path changes, each as the decision pass makes it (the pass is
    // run with the FIB as its sink), or a list of them.
    void best_changed(const rib::BestChange& change) override;
    void changed(const std::vector<rib::BestChange>& changes);
    // maximum-paths: equal best paths installed as one multipath route. With
    // it on, the RIB reports every decided destination (a second equal path
    // may come or go while the best stays).
    void set_multipath(const Multipath& m);

    // How a BGP next hop is reached, from the kernel's view (kernel_view.hpp).
    Resolution resolve(const wire::IpAddress& next_hop, bool connected_only) const {
        return kernel_.resolve(next_hop, connected_only);
    }
    const KernelView& kernel() const { return kernel_; }
    // Called after the kernel's view changed (after the FIB followed it).
    void on_kernel_change(std::function<void()> f) { kernel_change_ = std::move(f); }

    FibCounters counters() const;
    // The FIB's routes (wanted or installed), optionally one family and the
    // prefixes at or below `under`, in index order; at most `limit`.
    std::vector<FibRoute> routes(std::optional<wire::Afi> afi, const std::optional<wire::Prefix>& under,
                                 size_t limit) const;

    struct Limits {
        size_t batch_bytes = 64 * 1024;  // one sendmsg
        size_t per_turn = 4096;          // requests sent per turn of the loop
        size_t max_in_flight = 16384;    // unacknowledged requests
    };
    void set_limits(const Limits& l) { limits_ = l; }

private:
    // Per family, indexed by the RIB's destination index.
    struct Family {
        std::vector<uint32_t> want;  // the best path's BGP next-hop id + 1 (0: none); top bit: queued
        std::vector<uint32_t> have;  // the gateway id + 1 the kernel acknowledged (0: none)
        std::deque<uint32_t> queue;  // destinations to bring to `want`
        size_t installed = 0;
    };
    struct InFlight {
        uint32_t seq;
        wire::Afi afi;
        uint32_t dest;
        uint32_t nh;  // what was asked (0: removal)
        bool stale = false;  // a left-over route's removal (dest unused)
    };
    static constexpr uint32_t queued_bit = 0x80000000u;

    Family& fam(wire::Afi afi) { return afi == wire::Afi::ipv4 ? v4_ : v6_; }
    const Family& fam(wire::Afi afi) const { return afi == wire::Afi::ipv4 ? v4_ : v6_; }
    bool family_on(wire::Afi afi) const { return afi == wire::Afi::ipv4 ? config_.ipv4 : config_.ipv6; }
    // Next-hop groups (one address, or the next hops of a multipath route),
    // interned: the same ids serve BGP next hops and the gateways they resolve to.
    uint32_t intern(std::vector<wire::IpAddress> group);
    uint32_t resolve_group(uint32_t id);  // the gateway group's id + 1, 0 if none resolves
    uint32_t gateway_of(uint32_t want) const { return want ? gw_of_[want - 1] : 0; }
    void kernel_changed();
    void want(wire::Afi afi, uint32_t dest, uint32_t nh);
    void load_current();
    void schedule();
    void flush();
    bool send(const std::vector<uint8_t>& buf);
    void handle(const struct nlmsghdr* nlh);
    void acks_lost();
    void write_failed(int err);

    // The kernel does a route's work inside sendmsg (several microseconds a
    // route: seconds for a full table): batches are written in order by a
    // thread of their own ("moat-fib"), so the loop goes on with BGP meanwhile.
    struct Writer;
    std::unique_ptr<Writer> writer_;
    void dump_stale();
    void sweep_stale();

    boost::asio::io_context& io_;
    rib::Rib& rib_;
    FibConfig config_;
    Limits limits_;
    NetlinkSocket nl_;
    boost::asio::steady_timer stale_timer_;
    Family v4_, v6_;
    std::vector<std::vector<wire::IpAddress>> groups_;  // next-hop groups by id, each sorted
    std::vector<uint32_t> gw_of_;  // per id: the gateway group's id + 1 it resolves to (0: unresolved)
    Multipath multipath_;
    std::vector<const rib::AttrSet*> mp_scratch_;
    std::vector<wire::IpAddress> group_scratch_;
    uint32_t last_group_ = UINT32_MAX;  // the id best_changed() interned last
    KernelView kernel_;
    std::function<void()> kernel_change_;
    std::unordered_map<std::string, uint32_t> group_ids_;
    std::deque<InFlight> in_flight_;
    std::unordered_map<uint64_t, int> errors_;  // (afi << 32 | dest) -> errno of the last refusal
    std::vector<wire::Prefix> stale_;           // left over from an earlier run, not yet selected again
    uint32_t seq_ = 1;
    uint32_t dump_seq_ = 0;
    bool dumping_ = false;
    bool flush_posted_ = false;
    std::shared_ptr<bool> alive_;
    FibCounters counters_;
};

}  // namespace moat::fib
