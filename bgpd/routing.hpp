// The speaker's routing table: the RIB (rib/) driven by the sessions.
//
// Receiving: every UPDATE of an Established session goes into the peer's
// Adj-RIB-In (Rib::import: attributes interned once per UPDATE, import chain,
// RFC 7606 treat-as-withdraw). Prefixes are only marked dirty; one decision
// pass is posted per read batch (when none is pending), not per UPDATE.
//
// Sending: the update groups (rib/update_group.hpp) own the groups, each
// member's place in its group's log of encoded UPDATEs and its dumps (the
// initial table, route refresh); this driver only pulls. When a member's
// write queue drains below the high-water mark it takes steps from
// UpdateGroups::next() and writes them, sends End-of-RIB (and RFC 7313 EoRR)
// on the steps' events, wakes the other members of its group after it packed
// new UPDATEs and the members that waited for room in the log after it read.
// So a slow member holds back packing instead of memory growing, and
// keepalives wait behind at most the write high-water mark.
//
// A session that goes down has its routes removed, the decision re-run and
// the changes propagated. Locally originated networks are routes of the RIB's
// local pseudo-peer.
#pragma once

#include "bgpd/peer_view.hpp"
#include "bgpd/peer.hpp"
#include "fib/fib.hpp"
#include "rib/defenses.hpp"
#include "rib/rib.hpp"
#include "rib/update_group.hpp"
#include "rib/views.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include <deque>
#include <map>
#include <span>
#include <unordered_map>
#include <memory>
#include <utility>
#include <vector>

namespace moat::bgp {

class Routing final : public RouteSource {
public:
    Routing(boost::asio::io_context& io, const BgpConfig& config, uint32_t router_id,
            const PolicyConfig& policy = {});
    ~Routing() override;
    Routing(const Routing&) = delete;
    Routing& operator=(const Routing&) = delete;

    // RouteSource
    void established(Peer& p, Session& s) override;
    void received(Peer& p, wire::Update& u) override;
    void refresh(Peer& p, Session& s, wire::AfiSafi family) override;
    void writable(Peer& p, Session& s) override;
    void down(Peer& p) override;
    void fill(const Peer& p, PeerView& v) const override;

    // Soft reset: in re-runs the import chain over the peer's Adj-RIB-In,
    // out resends its Adj-RIB-Out. Error text, empty on success.
    std::string soft_reset(Peer& p, bool in, bool out);

    // RFC 8481 4: after a VRP change, re-runs the import chain for the
    // routes at or below `changed`, in slices posted on the loop (each
    // followed by a decision pass, so what changed is exported as the walk
    // goes); calls `done` with the routes re-run when the walk has ended.
    // One walk at a time: the caller queues what changes meanwhile.
    void revalidate(std::vector<wire::Prefix> changed, std::function<void(size_t)> done);
    // Soft reset in for every Established neighbor (end of RPKI safe start,
    // a global import policy change).
    void reimport_all();
    // Routing policy (rib/policy.hpp): compiles `policy` and the neighbors'
    // route-maps of `config` and puts them in force for what is imported and
    // staged from now on. Routes already held follow only through
    // soft_reset(in) and export_changed().
    void set_policy(const PolicyConfig& policy, const BgpConfig& config);
    // The neighbor's export policy changed: when it now belongs to another
    // update group it moves there (what the new group does not send is
    // withdrawn, the rest sent again); otherwise its group's Adj-RIB-Out is
    // re-run through the route-map and the differences are sent.
    void export_changed(Peer& p);

    // Locally originated routes (`network`), added or removed at run time;
    // the decision and the export follow as for received routes.
    void originate(const wire::Prefix& p);
    void withdraw(const wire::Prefix& p);

    // Show commands: a resumable walk over a table (`peer` for the neighbor
    // tables), and the memory figures.
    std::unique_ptr<rib::RouteWalk> walk(const rib::RouteQuery& q, Peer* peer, std::string& error);
    rib::MemoryView memory() const;

    // Route-leak defenses: the eBGP filters and peer-lock from `c` (after a
    // reload; the caller re-runs import), a neighbor's own settings (its
    // routes are re-run at once), and the views of what they rejected.
    void set_filters(const BgpConfig& c);
    void update_peer(Peer& p);
    rib::RejectedList rejected(const rib::RejectedQuery& q, std::string& error) const;
    rib::PeerLockView peer_lock(const BgpConfig& c) const;

    rib::Rib& rib() { return rib_; }
    const rib::Rib& rib() const { return rib_; }

    // The kernel FIB (fib/fib.hpp): started, restarted with new settings or
    // stopped (its routes removed) as `config` says. Error text, empty on success.
    std::string set_fib(const fib::FibConfig& config);
    // maximum-paths (kept for a FIB started later too).
    void set_multipath(const fib::Multipath& m);
    const fib::Fib* fib() const { return fib_.get(); }

    // Next-hop tracking (with the FIB on): every next hop the import has
    // asked about, how it is checked (connected only: single-hop eBGP) and
    // how it resolves now.
    struct NextHop {
        wire::IpAddress address;
        bool connected_only = false;
        fib::Resolution resolution;
    };
    std::vector<NextHop> next_hops() const;
    // The RIB peer id of an Established neighbor, or rib::no_peer.
    rib::PeerId peer_id(const Peer& p) const;

    // Limits (tests make them small to exercise the slicing).
    struct Limits {
        size_t write_high_water = 256 * 1024;  // bytes queued on a socket before we stop
        size_t pack_routes = 4096;             // prefixes per pack() call
        size_t dump_routes = 4096;             // prefixes per dump slice
        size_t log_bytes = 4 * 1024 * 1024;    // encoded UPDATEs a group keeps for slow members
        size_t reimport_routes = 16384;        // routes per soft-reset-in slice
        size_t revalidate_work = 8192;         // routes re-run (or 8 prefixes scanned each) per re-validation slice
        size_t down_dests = 65536;             // destinations per session-down slice
        // During a burst (the last decision pass had at least burst_dests
        // prefixes to decide) passes run at most every decision_interval, so
        // the paths of a prefix that several peers send at about the same
        // time are decided together; small changes are decided at once.
        std::chrono::microseconds decision_interval{5000};
        size_t burst_dests = 1024;
    };
    void set_limits(const Limits& l) {
        limits_ = l;
        groups_.set_limits(rib::UpdateGroups::Limits{l.pack_routes, l.dump_routes, l.log_bytes});
    }

private:
    // What the driver keeps of an Established neighbor; its update group,
    // position and dumps are the UpdateGroups' (rib/update_group.hpp).
    struct Member {
        rib::PeerId id = rib::no_peer;
        bool v4 = false, v6 = false;
        rib::Cursor reimport;
        bool reimporting = false;
        bool over_limit[2] = {false, false};  // maximum-prefix: logged as over (warning-only)
        bool over_threshold[2] = {false, false};
        bool limit_hit = false;               // the session is being ended for it
        bool unsendable_logged = false;
    };

    void schedule_decision();
    void decide();
    void pump(Peer& p);
    void kick(const std::vector<rib::PeerId>& members, const Peer* except);
    void finish_initial(Peer& p, Session& s, const Member& m);
    void reimport_step(Peer* p);
    // A neighbor's routes withdrawn in slices after its session ended.
    struct Drain {
        rib::PeerId id = rib::no_peer;
        rib::Cursor cursor;
        bool done = false;
    };
    void down_step(const Peer* p, std::shared_ptr<Drain> drain);
    void finish_drain(const Peer* p, Drain& drain);
    rib::GroupConfig with_policy(const NeighborConfig& cfg, rib::GroupConfig gc) const;
    void check_limits(Peer& p, Member& m);

    boost::asio::io_context& io_;
    rib::Rib rib_;
    uint32_t local_as_;
    bool ebgp_requires_policy_ = false;
    rib::RouteMapImport* policy_step_ = nullptr;  // owned by the RIB's import chain
    Limits limits_;
    rib::UpdateGroups groups_{rib_};
    std::map<const Peer*, Member> members_;
    std::unordered_map<rib::PeerId, Peer*> peers_;  // Established members by RIB peer id
    std::map<const Peer*, std::shared_ptr<Drain>> draining_;
    bool decision_posted_ = false;
    boost::asio::steady_timer decision_timer_;
    std::chrono::steady_clock::time_point last_decision_{};
    size_t last_decision_dests_ = 0;  // prefixes the last pass decided
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::shared_ptr<rib::FilterSettings> filters_ = std::make_shared<rib::FilterSettings>();
    std::shared_ptr<rib::PeerLockCounters> lock_counters_ = std::make_shared<rib::PeerLockCounters>();
    bool next_hop_ok(rib::PeerId peer, const rib::RouteAttrs& attrs);
    void next_hops_changed();
    // Next hops by (address, connected only): resolved on first use, again
    // after each change of the kernel's view.
    std::map<std::pair<wire::IpAddress, bool>, fib::Resolution> next_hops_;
    fib::Multipath multipath_;
    std::unique_ptr<fib::Fib> fib_;               // after rib_: stopped (routes removed) before the RIB goes
};

}  // namespace moat::bgp
