// The RIB: Adj-RIB-In, Loc-RIB and per-update-group Adj-RIB-Out for IPv4 and
// IPv6 unicast, driven by the speaker on its event loop.
//
// The speaker calls, in this order of a read batch:
//   import(peer, update)   for every decoded UPDATE: interns the attributes
//                          once, runs the import chain, stores the routes
//                          (accepted or rejected with a Reason) and marks
//                          their prefixes dirty. Nothing is exported yet.
//   run_decision()         once per batch: recomputes the best route of the
//                          dirty prefixes only, counts (and on request lists)
//                          the best-path changes and stages each change into
//                          every update group's Adj-RIB-Out.
//   pack(group, ...)       when a member's socket can take more: encodes
//                          staged changes into UPDATEs, grouped by attribute
//                          set, bounded by a route budget.
// Long walks are resumable: dump_slice() (initial table to a new member, or
// soft reset out) and reimport_slice() (soft reset in, after a policy
// change) each do a bounded slice and keep their position in a cursor.
//
// Storage (docs/rib.md): per family a PrefixTable of destinations; the routes
// of a destination are a linked list in one shared pool of 16-byte Route
// records; attributes are interned AttrSets, referred to by 32-bit id.
// Adj-RIB-In is the set of Route records of a peer (both the received and
// the post-policy attribute set are kept); rejected routes stay in the list,
// flagged. Adj-RIB-Out is 10 bytes and a bit per destination per update group.
#pragma once

#include "bgpd/wire/codec.hpp"
#include "bgpd/wire/packer.hpp"
#include "rib/attr_store.hpp"
#include "rib/decision.hpp"
#include "rib/export.hpp"
#include "rib/import_chain.hpp"
#include "rib/limits.hpp"
#include "rib/origin_validation.hpp"
#include "rib/peer.hpp"
#include "rib/policy.hpp"
#include "rib/prefix_key.hpp"
#include "rib/prefix_table.hpp"
#include "rib/reason.hpp"
#include "rib/rejected.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace moat::rib {

// 16 bytes: attribute sets are referred to by their AttrStore id.
struct Route {
    uint32_t attrs = 0;                 // after import: what the decision reads
    uint32_t received = 0;              // as received, before import (Adj-RIB-In)
    uint32_t next = no_index;           // next route of the same destination
    PeerId peer = no_peer;
    uint8_t flags = 0;
    Reason reason = Reason::none;       // why it was rejected

    static constexpr uint8_t rejected = 1;     // failed the import chain
    static constexpr uint8_t unusable = 2;     // next hop unresolvable
    static constexpr uint8_t stale = 4;        // kept across a restart (RFC 4724)
    static constexpr uint8_t best = 8;
    static constexpr uint8_t recorded = 0x40;  // the RejectedStore has a record of it
    static constexpr uint8_t fresh = 0x80;     // added since the last decision of its destination
    static constexpr uint8_t rpki_shift = 4;   // bits 4-5: RpkiState
    static constexpr uint8_t rpki_mask = 0x30;
    bool is(uint8_t f) const { return (flags & f) != 0; }
    RpkiState rpki() const { return rpki_of(flags); }
    static RpkiState rpki_of(uint8_t flags) { return static_cast<RpkiState>((flags & rpki_mask) >> rpki_shift); }
    static uint8_t rpki_flags(RpkiState s) { return static_cast<uint8_t>(static_cast<uint8_t>(s) << rpki_shift); }
};

template <typename Key>
struct Dest {
    Key key;
    uint32_t routes = no_index;  // head of the route list
    uint32_t best = no_index;    // index of the best route in the pool
    bool live : 1 = false;
    bool dirty : 1 = false;
    bool best_lost : 1 = false;  // the best route was removed since the last decision
    // Since the last decision something else happened than routes added
    // (a route replaced or removed, a re-evaluation asked for): the decision
    // must look at every route. Without it, only the added (fresh) routes,
    // which head the list, are compared with the current best.
    bool needs_full : 1 = false;
    BestReason reason = BestReason::none;
    // Bit (peer % 16) for each peer with a route in the list, so a peer's
    // first route for the prefix is added without walking the list (each
    // route a cache miss). Set when a route is added; a removal leaves the
    // bit until the next decision, which recomputes them: a stale bit only
    // costs a walk.
    uint16_t peer_bits = 0;
    static uint16_t peer_bit(PeerId p) { return static_cast<uint16_t>(1u << (p & 15u)); }
};
static_assert(sizeof(Dest<V4Key>) == 20, "a destination is 20 bytes (IPv4)");

// One best-path change produced by run_decision().
struct BestChange {
    wire::Afi afi = wire::Afi::ipv4;
    uint32_t dest = no_index;
    PeerId peer = no_peer;           // source of the new best; no_peer: none now (withdrawn)
    const AttrSet* attrs = nullptr;  // new best attributes, valid until the next import or peer_down
    BestReason reason = BestReason::none;
    bool same = false;  // the best path stayed (set_report_decided)
};

// Receives each best-path change of a decision pass as it is decided (the
// FIB): no list of a whole pass, which for a full table's burst would be
// tens of MiB.
class BestChangeSink {
public:
    virtual void best_changed(const BestChange& change) = 0;

protected:
    ~BestChangeSink() = default;
};

struct ImportStats {
    size_t announced = 0;  // accepted announcements
    size_t rejected = 0;   // announcements stored as rejected
    size_t withdrawn = 0;  // routes removed
};

// Read-only view of one route, for queries and tests.
struct RouteView {
    PeerId peer = no_peer;
    const AttrSet* attrs = nullptr;
    const AttrSet* received = nullptr;
    uint8_t flags = 0;
    Reason reason = Reason::none;
    RpkiState rpki() const { return Route::rpki_of(flags); }
};

struct OutMessage {
    wire::Buffer bytes;
    PeerId only = no_peer;    // send only to this member
    PeerId except = no_peer;  // send to every member but this one
};

using GroupId = uint32_t;

// Position of a resumable walk; value-initialise to start.
struct Cursor {
    wire::Afi afi = wire::Afi::ipv4;
    uint32_t index = 0;
    bool done = false;
    bool one_family = false;  // dump_slice: stop at the end of `afi` (route refresh)
};

// Adj-RIB-In of one peer, per family: routes held and how many the import
// chain rejected (accepted = received - rejected).
struct PeerRouteCounts {
    size_t received_v4 = 0, received_v6 = 0;
    size_t rejected_v4 = 0, rejected_v6 = 0;
    // Per Reason (index: the enum value): routes held rejected for it, exact
    // whatever the RejectedStore's limit; for `malformed` (routes RFC 7606
    // withdrew, not held), how many arrived since the peer came up.
    std::array<uint32_t, reason_slots> by_reason_v4{}, by_reason_v6{};
};

struct RibCounters {
    size_t v4_prefixes = 0, v6_prefixes = 0;
    size_t routes = 0;
    size_t attr_sets = 0;
    size_t unsendable = 0;  // routes whose attributes did not fit a message (withdrawn instead)
};

// A re-validation walk in progress (Rib::reimport_covered_slice).
class CoveredWalk {
public:
    explicit CoveredWalk(std::span<const wire::Prefix> changed);
    ~CoveredWalk();
    CoveredWalk(const CoveredWalk&) = delete;
    CoveredWalk& operator=(const CoveredWalk&) = delete;
    bool done() const;

private:
    friend class Rib;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class Rib {
public:
    explicit Rib(RibConfig config);
    ~Rib();
    Rib(const Rib&) = delete;
    Rib& operator=(const Rib&) = delete;

    const RibConfig& config() const { return config_; }
    ImportChain& import_chain() { return chain_; }
    // What the origin-validation step validates against (the driver keeps it current).
    OriginValidation& origin_validation() { return origin_validation_; }
    const OriginValidation& origin_validation() const { return origin_validation_; }
    AttrStore& attr_store() { return store_; }

    // Peers. The id stays valid until remove_peer().
    PeerId add_peer(const PeerInfo& info);
    // Withdraws its routes first; run run_decision() before add_peer() may
    // reuse the id, so no staged export still names the old peer.
    void remove_peer(PeerId peer);
    const PeerInfo& peer(PeerId id) const { return peers_[id].info; }
    bool is_ibgp(PeerId id) const { return id != local_peer && peers_[id].info.asn == config_.local_as; }
    const PeerRouteCounts& peer_counts(PeerId id) const { return peers_[id].counts; }
    // New neighbor settings (defenses, limits); a soft reset in applies them
    // to the routes already received. A maximum-prefix verdict is cleared.
    void set_peer_info(PeerId id, const PeerInfo& info) {
        peers_[id].info = info;
        peers_[id].limit_exceeded[0] = peers_[id].limit_exceeded[1] = false;
    }
    // The maximum-prefix verdict for one family (limits.hpp), decided where
    // routes are counted: `exceeded` since the peer was added or its
    // settings changed.
    LimitStatus limit_status(PeerId id, wire::Afi afi) const {
        const PeerState& ps = peers_[id];
        const bool v4 = afi == wire::Afi::ipv4;
        return rib::limit_status(v4 ? ps.info.limit_v4 : ps.info.limit_v6,
                                 v4 ? ps.counts.received_v4 : ps.counts.received_v6,
                                 v4 ? ps.counts.rejected_v4 : ps.counts.rejected_v6, ps.limit_exceeded[v4 ? 0 : 1]);
    }

    // Why each rejected route was rejected (detail, time); see rejected.hpp.
    const RejectedStore& rejected() const { return rejected_; }
    void set_rejected_limit(size_t n) { rejected_.set_limit(n); }

    // Adj-RIB-In.
    // A mutable UPDATE lends its attributes for the import (moved in and
    // back: no copy) and is unchanged on return; a const one is copied once.
    ImportStats import(PeerId peer, wire::Update& update);
    ImportStats import(PeerId peer, wire::Update&& update);
    ImportStats import(PeerId peer, const wire::Update& update);
    // Next-hop reachability, asked once per UPDATE and family; routes whose
    // next hop fails stay in the RIB but never win. Default: all reachable.
    void set_next_hop_check(std::function<bool(PeerId, const RouteAttrs&)> check) { nh_check_ = std::move(check); }
    // Locally originated routes (peer local_peer, no import chain).
    void originate(const wire::Prefix& prefix, RouteAttrs attrs);
    void withdraw_local(const wire::Prefix& prefix);
    // Session down: removes every route of the peer and marks its prefixes dirty.
    size_t peer_down(PeerId peer);
    // The same in bounded slices: at most max_dests destinations looked at
    // per call; cursor.done when the peer has no route left. Then
    // remove_peer() (quick: nothing left to unlink).
    size_t peer_down_slice(PeerId peer, Cursor& cursor, size_t max_dests);

    // Re-runs the import chain for the peer's received routes (soft reset in,
    // after a policy or VRP change), at most max_routes per call.
    void reimport_slice(PeerId peer, Cursor& cursor, size_t max_routes);
    // RFC 8481 4: after a VRP change, re-runs the import chain for the routes
    // (every peer) whose prefix is one of the changed VRP prefixes or more
    // specific. One resumable scan of each family's table, whatever the size
    // of the delta: each call does about `max_work` (a route re-run counts
    // 1, a prefix looked at 1/8) and returns the routes re-run;
    // walk.done() at the end.
    size_t reimport_covered_slice(CoveredWalk& walk, size_t max_work);
    // The same in one call.
    size_t reimport_covered(std::span<const wire::Prefix> changed);

    // Loc-RIB. Recomputes the dirty prefixes and stages the changes into every
    // group; returns how many best routes changed, and appends them to
    // `changes` when given (a full table is 1.2M changes: ask only if needed).
    size_t run_decision(BestChangeSink* sink);
    size_t run_decision(std::vector<BestChange>* changes = nullptr);  // collects the changes
    // With this on, run_decision() also reports every destination it decided
    // whose best path stayed (BestChange::same): a multipath consumer must
    // see a second equal path come or go.
    void set_report_decided(bool on) { report_decided_ = on; }
    // The best path's attributes first, then those of the other paths that
    // multipath_equal() admits (decision.hpp), at most `max` in all; empty
    // with no best path.
    void multipath(wire::Afi afi, uint32_t dest, size_t max, bool relax, std::vector<const AttrSet*>& out) const;
    size_t dirty_count() const { return v4_.dirty.size() + v6_.dirty.size(); }

    // Queries.
    std::vector<RouteView> routes(const wire::Prefix& prefix) const;
    std::optional<RouteView> best(const wire::Prefix& prefix) const;
    std::optional<BestReason> best_reason(const wire::Prefix& prefix) const;
    wire::Prefix prefix_of(wire::Afi afi, uint32_t dest) const;
    // Walking a family's destinations by index (resumable show commands):
    // indices below dest_bound(); a freed index is skipped (false).
    uint32_t dest_bound(wire::Afi afi) const;
    // The index of the prefix's destination (for dest_at), or no_index.
    uint32_t dest_index(const wire::Prefix& prefix) const;
    // A consumer outside the RIB (the FIB) that keeps state per destination
    // index pins the destinations it holds, so that an index is not freed and
    // reused for another prefix while it is held; unpinning frees it if
    // nothing else holds it.
    void pin(wire::Afi afi, uint32_t dest);
    void unpin(wire::Afi afi, uint32_t dest);
    bool dest_at(wire::Afi afi, uint32_t dest, wire::Prefix& prefix, BestReason& reason,
                 std::vector<RouteView>& routes) const;
    // What the group's Adj-RIB-Out holds for the destination for `member`:
    // the Loc-RIB set and its source, or nothing (false).
    bool out_at(GroupId group, PeerId member, wire::Afi afi, uint32_t dest, const AttrSet*& attrs,
                PeerId& source) const;
    // The export attributes of a Loc-RIB set from `source` for the group.
    RouteAttrs exported(GroupId group, PeerId source, const AttrSet& attrs, wire::Afi afi) const;
    RibCounters counters() const;
    size_t memory_bytes() const;  // tables, routes, Adj-RIB-Out and attribute sets

    // Update groups and Adj-RIB-Out.
    // A new group reuses the slot of a removed one.
    GroupId add_group(const GroupConfig& config);
    // The group is gone: its Adj-RIB-Out gives back its attribute sets and
    // destinations. Its id may be handed out again by add_group().
    void remove_group(GroupId group);
    // Routes the group could not send since it was added (their attributes
    // do not fit a message): withdrawn from its members instead.
    size_t unsendable(GroupId group) const { return groups_[group].unsendable; }
    void join_group(GroupId group, PeerId peer);   // then dump_slice() to it
    void leave_group(GroupId group, PeerId peer);
    bool has_pending(GroupId group) const;
    // Prefixes of the family in the group's Adj-RIB-Out that `member` is sent
    // (those whose source is the member itself are not).
    size_t advertised(GroupId group, PeerId member, wire::Afi afi) const;
    const GroupConfig& group_config(GroupId group) const { return groups_[group].config; }
    // Encodes staged changes, at most about max_routes prefixes per call
    // (a message in progress is finished). Returns the prefixes consumed.
    size_t pack(GroupId group, std::vector<OutMessage>& out, size_t max_routes);
    // Export policy: the compiled policy whose route-maps the groups'
    // out_map names refer to (a name it lacks exports nothing). Staging
    // changes nothing already staged: restage() re-runs a group's export
    // over the Loc-RIB (after its route-map changed) and stages the
    // differences, withdrawals included.
    void set_policy(std::shared_ptr<const Policy> policy);
    const std::shared_ptr<const Policy>& policy() const { return policy_; }
    void restage(GroupId group);
    // A member moving from one group to another (its export policy changed):
    // withdrawals, to `member` only, of what `from` sends it and `to` does
    // not.
    void withdraw_difference(GroupId from, GroupId to, PeerId member, std::vector<OutMessage>& out);

    // `neighbor X default-originate`: the default route of each family the
    // group has a next hop for, as originated here and exported by the
    // group's rules (our AS on eBGP, LOCAL_PREF on iBGP, OTC by role), to
    // `target` only.
    void default_route(GroupId group, PeerId target, std::vector<OutMessage>& out);

    // Encodes the group's whole Adj-RIB-Out for one member, at most
    // max_routes prefixes per call; cursor.done is set at the end.
    void dump_slice(GroupId group, PeerId target, Cursor& cursor, size_t max_routes,
                    std::vector<OutMessage>& out);

private:
    struct PeerState {
        PeerInfo info;
        bool live = false;
        size_t routes = 0;
        PeerRouteCounts counts;
        bool limit_exceeded[2] = {false, false};  // IPv4, IPv6: maximum-prefix verdict (limits.hpp)
    };
    template <typename Key>
    struct Family {
        PrefixTable<Key, Dest<Key>> table;
        std::vector<uint32_t> dirty;
        std::vector<bool> pinned;  // held by an outside consumer (pin()): never freed
    };
    // Adj-RIB-Out of one family, as parallel arrays indexed like the
    // family's table (10 bytes and a bit per destination): the Loc-RIB
    // attributes of what the group has (null: nothing), the peer they came
    // from (excluded if a member), and whether it changed since last packed.
    struct OutFamily {
        std::vector<const AttrSet*> attrs;
        std::vector<PeerId> source;
        std::vector<bool> pending_bit;
        std::vector<uint32_t> pending;  // destinations with pending_bit set, in staging order
        size_t cursor = 0;      // pending[0, cursor) is done
        size_t sorted_end = 0;  // pending[cursor, sorted_end) is sorted
        std::vector<std::pair<PeerId, wire::Nlri>> member_withdraws;
        size_t announced = 0;              // entries with attributes
        std::vector<uint32_t> by_source;   // of those, per source peer

        size_t size() const { return attrs.size(); }
        void ensure(size_t n) {
            if (attrs.size() >= n) return;
            attrs.resize(n, nullptr);
            source.resize(n, no_peer);
            pending_bit.resize(n, false);
        }
    };
    struct Group {
        GroupConfig config;
        const CompiledRouteMap* out_map = nullptr;  // resolved from config.out_map
        std::vector<PeerId> members;
        OutFamily v4, v6;
        bool live = false;
        size_t unsendable = 0;
    };

    template <typename Key>
    Family<Key>& family() {
        if constexpr (std::is_same_v<Key, V4Key>) return v4_; else return v6_;
    }
    template <typename Key>
    const Family<Key>& family() const {
        if constexpr (std::is_same_v<Key, V4Key>) return v4_; else return v6_;
    }
    OutFamily& out_family(Group& g, wire::Afi afi) { return afi == wire::Afi::ipv4 ? g.v4 : g.v6; }

    template <typename Key>
    void announce_one(const Key& key, PeerId peer, const AttrSet* attrs, const AttrSet* received,
                      uint8_t flags, Reason reason, std::string_view detail);
    template <typename Key>
    void forget_record(PeerId peer, const Key& key, const Route& rt);
    void record_malformed(PeerId peer, const wire::Update& u);
    template <typename Key>
    bool withdraw_one(const Key& key, PeerId peer);
    void withdraw_prefix(const wire::Prefix& p, PeerId peer, ImportStats& stats);
    // Asks the cache for the prefix's table slot (a miss per prefix on a full
    // table) some prefixes before it is looked up.
    void prefetch_dest(const wire::Prefix& p) const;
    void withdraw_all(std::span<const wire::Nlri> nlri, PeerId peer, ImportStats& stats);
    static constexpr size_t prefetch_ahead = 2;
    template <typename Update>  // wire::Update or const wire::Update
    ImportStats import_update(PeerId peer, Update& u);
    void import_family(PeerId peer, wire::Afi afi, const RouteAttrs& attrs,
                       std::span<const wire::Nlri> nlri, ImportStats& stats);
    template <typename Key>
    void mark_dirty(uint32_t dest);  // for a full decision
    template <typename Key>
    void mark_added(uint32_t dest);  // a fresh route was added, nothing else
    // The decision when only fresh routes came: true (best and reason kept
    // up to date) when each loses to the current best before the MED step.
    template <typename Key>
    bool decide_added(Dest<Key>& dest);
    template <typename Key>
    void count_route(PeerId peer, uint8_t flags, Reason reason, int delta);
    template <typename Key>
    bool decide(uint32_t dest, BestChangeSink* sink);
    template <typename Key>
    void stage(Group& g, uint32_t dest);
    template <typename Key>
    void try_free(uint32_t dest);
    template <typename Key>
    size_t pack_family(Group& g, std::vector<OutMessage>& out, size_t budget);
    template <typename Key>
    void dump_family(Group& g, PeerId target, Cursor& c, size_t& budget, std::vector<OutMessage>& out);
    template <typename Key>
    void reimport_family(PeerId peer, Cursor& c, size_t& budget);
    template <typename Key>
    void peer_down_family(PeerId peer, size_t& removed);
    template <typename Key>
    void peer_down_range(PeerId peer, uint32_t from, uint32_t to, size_t& removed);
    template <typename Key>
    void reimport_covered_family(const rtr::PrefixCover& cover, Cursor& cursor, size_t& work, size_t& routes);
    template <typename Key>
    void rerun_route(uint32_t dest, uint32_t route);
    // Runs the per-prefix steps for one route whose attribute steps gave
    // `accepted`, `flags` and `reason`, and stores the result (announce_one).
    // True when the route was accepted.
    template <typename Key>
    bool judge_and_store(const ImportContext& ctx, const Key& key, const AttrSet* accepted,
                         const AttrSet* received, uint8_t flags, Reason reason, std::string_view detail);

    uint32_t alloc_route();
    void free_route(uint32_t r);
    RouteSource source_of(PeerId peer) const;
    Candidate candidate(const Route& rt) const;
    bool is_member(const Group& g, PeerId p) const;
    // Reorders destinations so that those with the same Adj-RIB-Out (set,
    // source) are together, groups in order of first appearance and the
    // order kept within a group: withdrawals (no set) first, alike routes
    // together for packing.
    void group_by_set(const OutFamily& of, std::span<uint32_t> dests);
    void emit(std::vector<wire::Buffer>& bufs, std::vector<OutMessage>& out, PeerId only, PeerId except);
    // Announces nlri_scratch_ (all with the Adj-RIB-Out set `attrs` from
    // `source`) into buf_scratch_; when the set does not fit a message, the
    // prefixes are withdrawn instead, counted, and (`forget`) dropped from
    // the group's Adj-RIB-Out, so it says what the members really have.
    template <typename Key>
    void announce_or_withdraw(Group& g, wire::UpdatePacker& packer, const AttrSet& attrs, PeerId source,
                              std::span<const uint32_t> dests, bool forget);

    RibConfig config_;
    OriginValidation origin_validation_;  // before chain_: its step refers to it
    ImportChain chain_;
    std::shared_ptr<const Policy> policy_;
    AttrStore store_;
    std::vector<PeerState> peers_;
    std::vector<Route> pool_;
    std::vector<uint32_t> free_routes_;
    size_t route_count_ = 0;
    Family<V4Key> v4_;
    Family<V6Key> v6_;
    std::vector<Group> groups_;
    std::vector<Candidate> candidates_;   // scratch for decide()
    std::vector<uint32_t> candidate_ids_;
    std::vector<wire::Nlri> nlri_scratch_;
    struct GroupSlot {  // group_by_set's hash table
        const AttrSet* set = nullptr;
        PeerId source = no_peer;
        uint32_t group = 0;
    };
    std::vector<GroupSlot> group_slots_;
    std::vector<uint32_t> group_counts_, group_of_, group_out_;
    static constexpr size_t group_window = 16384;  // pack_family groups at most this many at once (~0.6 MiB of scratch)
    std::vector<wire::Buffer> buf_scratch_;
    size_t unsendable_ = 0;
    std::function<bool(PeerId, const RouteAttrs&)> nh_check_;
    bool report_decided_ = false;
    RejectedStore rejected_;
    std::string attr_detail_, prefix_detail_;  // scratch for ImportContext::detail
};

}  // namespace moat::rib
