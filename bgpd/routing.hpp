// The speaker's routing table: the RIB (rib/) driven by the sessions.
//
// Receiving: every UPDATE of an Established session goes into the peer's
// Adj-RIB-In (Rib::import: attributes interned once per UPDATE, import chain,
// RFC 7606 treat-as-withdraw). Prefixes are only marked dirty; one decision
// pass is posted per read batch (when none is pending), not per UPDATE.
//
// Sending: neighbors that share export policy and negotiated session
// parameters (eBGP or iBGP, route-reflector client, next-hop-self, our next
// hops, 4-octet AS, extended message, ADD-PATH, families, default-originate,
// RFC 9234 local role)
// form one update group: one Adj-RIB-Out and one set of encoded UPDATEs, kept
// in the group's log of shared buffers that every member reads at its own
// pace. Sending is pulled: when a member's write queue drains, it takes what
// the log has for it, then the next slice of its own dumps (initial table,
// route refresh), and only then asks the RIB to pack more, bounded by the
// route budget per pack and by the log size, so a slow member holds back
// packing instead of memory growing, and keepalives wait behind at most the
// write high-water mark. A route is never sent back to its source (the
// log's only/except marks).
//
// A new Established member of an existing group gets the group's
// Adj-RIB-Out by dump_slice() in bounded slices, then End-of-RIB per family;
// the first member of a new group gets it from the group's initial staging.
// A session that goes down has its routes removed, the decision re-run and
// the changes propagated. Locally originated networks are routes of the RIB's
// local pseudo-peer.
#pragma once

#include "bgpd/peer_view.hpp"
#include "bgpd/peer.hpp"
#include "rib/defenses.hpp"
#include "rib/rib.hpp"
#include "rib/views.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include <deque>
#include <map>
#include <span>
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
    void set_limits(const Limits& l) { limits_ = l; }

private:
    friend class RibWalk;
    struct Entry {
        std::shared_ptr<const wire::Buffer> bytes;
        rib::PeerId only = rib::no_peer;
        rib::PeerId except = rib::no_peer;
    };
    struct Group {
        rib::GroupId id = 0;
        bool default_originate = false;
        std::deque<Entry> log;
        uint64_t base = 0;  // sequence number of log.front()
        size_t log_bytes = 0;
        std::vector<Peer*> members;
        bool live = false;  // false: a free slot (the group was dropped when its last member left)
    };
    struct Job {  // a dump to one member
        rib::Cursor cursor;
        bool eor = false;   // initial table: default route and End-of-RIB after it
        bool eorr = false;  // route refresh: BoRR sent, EoRR after it (RFC 7313)
        wire::AfiSafi family{};
    };
    struct Member {
        rib::PeerId id = rib::no_peer;
        size_t group = 0;
        uint64_t seq = 0;
        bool v4 = false, v6 = false;
        bool initial_from_log = false;  // first member of a new group: EoR once the log is drained
        bool waiting = false;           // stopped because the group log was full
        std::deque<Job> jobs;
        rib::Cursor reimport;
        bool reimporting = false;
        rib::GroupConfig gc;  // what placed it in its group
        bool over_limit[2] = {false, false};  // maximum-prefix: logged as over (warning-only)
        bool over_threshold[2] = {false, false};
        bool limit_hit = false;               // the session is being ended for it
        size_t unsendable_base = 0;           // the group's unsendable count when it joined
        bool unsendable_logged = false;
    };

    // The group for these settings: an existing one, or a new one (true).
    std::pair<size_t, bool> group_for(const Peer& p, const Session& s, const rib::GroupConfig& gc);
    void drop_if_empty(size_t group);
    void schedule_decision();
    void decide();
    void pump(Peer& p);
    void kick(size_t group, const Peer* except);
    void trim(Group& g);
    void finish_initial(Peer& p, Session& s, Member& m, const Group& g);
    void send_default(Session& s, const Member& m, const Group& g);
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
    std::vector<Group> groups_;
    std::map<const Peer*, Member> members_;
    std::map<const Peer*, std::shared_ptr<Drain>> draining_;
    bool decision_posted_ = false;
    boost::asio::steady_timer decision_timer_;
    std::chrono::steady_clock::time_point last_decision_{};
    size_t last_decision_dests_ = 0;  // prefixes the last pass decided
    std::vector<rib::OutMessage> scratch_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::shared_ptr<rib::FilterSettings> filters_ = std::make_shared<rib::FilterSettings>();
    std::shared_ptr<rib::PeerLockCounters> lock_counters_ = std::make_shared<rib::PeerLockCounters>();
};

}  // namespace moat::bgp
