// What the CLI may read and ask of the speaker. The CLI server (cli/) sees the
// daemon only through this interface: read-only views plus a few operator
// actions. Everything runs on the event loop's thread.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/peer_view.hpp"
#include "bgpd/session_types.hpp"
#include "fib/fib.hpp"
#include "rib/views.hpp"
#include "rtr/view.hpp"
#include "rtr/vrp.hpp"

#include <memory>
#include <string>
#include <vector>

namespace moat::bgp {

// The read models of the layers below, by the names the CLI uses.
using rib::RejectedInfo;
using rib::RejectedQuery;
using rib::RejectedList;
using rib::PeerLockView;
using rib::RouteInfo;
using rib::RouteTable;
using rib::RouteQuery;
using rib::RouteWalk;
using rib::MemoryView;
using rtr::RpkiView;

class Control {
public:
    virtual ~Control() = default;
    virtual std::vector<PeerView> peer_views() const = 0;
    virtual const Config& running_config() const = 0;
    // Operator actions; return an error text, empty on success.
    virtual std::string neighbor_shutdown(const wire::IpAddress& a, bool down, std::string message) = 0;
    virtual std::string neighbor_clear(const wire::IpAddress& a) = 0;
    // Soft reset (the session stays): `in` re-runs the import chain over the
    // neighbor's Adj-RIB-In, `out` resends its Adj-RIB-Out.
    virtual std::string neighbor_soft_reset(const wire::IpAddress& a, bool in, bool out) {
        (void)a, (void)in, (void)out;
        return "soft reset is not supported";
    }
    // Route tables and memory for the show commands. On error: null and `error` set.
    virtual std::unique_ptr<RouteWalk> routes(const RouteQuery& q, std::string& error) {
        (void)q;
        error = "no routing table";
        return nullptr;
    }
    virtual MemoryView memory() const { return {}; }
    // The rejected-route store (show bgp rejected). On error: `error` set.
    virtual RejectedList rejected(const RejectedQuery& q, std::string& error) {
        (void)q;
        error = "no routing table";
        return {};
    }
    virtual PeerLockView peer_lock() const { return {}; }

    // RPKI origin validation: the state of the sources and the VRP set in
    // force (null when the daemon has none).
    virtual RpkiView rpki_view() const { return {}; }
    virtual const rtr::VrpIndex* rpki_index() const { return nullptr; }

    // Next-hop tracking (show bgp nexthop): each next hop, how it is checked
    // (connected only: single-hop eBGP) and how it resolves in the kernel.
    struct NextHopView {
        wire::IpAddress address;
        bool connected_only = false;
        fib::Resolution resolution;
    };
    virtual std::vector<NextHopView> next_hops() const { return {}; }

    // The kernel FIB: its state and counters, and its routes (show fib).
    virtual fib::FibCounters fib_counters() const { return {}; }
    virtual std::vector<fib::FibRoute> fib_routes(std::optional<wire::Afi> afi, const std::optional<wire::Prefix>& under,
                                                  size_t limit) const {
        (void)afi, (void)under, (void)limit;
        return {};
    }

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
