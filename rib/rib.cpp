// Adj-RIB-In and Loc-RIB: import, withdrawal, peer down, soft reset in and the
// batched decision run. The export side is in rib_out.cpp. See rib.hpp.
#include "rib/rib.hpp"

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <utility>

namespace moat::rib {

Rib::Rib(RibConfig config) : config_(config), chain_(ImportChain::standard()) {
    PeerState self;
    self.info.asn = config_.local_as;
    self.info.router_id = config_.router_id;
    self.live = true;
    peers_.push_back(self);  // local_peer
}

Rib::~Rib() {
    // Routes and Adj-RIB-Out entries hold raw references; give them back so
    // the store frees every set before it goes.
    for (const Route& r : pool_) {
        if (r.attrs) store_.release(store_.at(r.attrs));
        if (r.received) store_.release(store_.at(r.received));
    }
    for (Group& g : groups_)
        for (OutFamily* of : {&g.v4, &g.v6})
            for (const AttrSet* a : of->attrs)
                if (a) store_.release(a);
}

PeerId Rib::add_peer(const PeerInfo& info) {
    for (size_t i = 1; i < peers_.size(); ++i) {
        if (!peers_[i].live) {
            peers_[i] = PeerState{info, true, 0, {}, {false, false}};
            return static_cast<PeerId>(i);
        }
    }
    peers_.push_back(PeerState{info, true, 0, {}, {false, false}});
    return static_cast<PeerId>(peers_.size() - 1);
}

void Rib::remove_peer(PeerId peer) {
    peer_down(peer);
    rejected_.erase_peer(peer);  // malformed records have no route
    for (Group& g : groups_) leave_group(static_cast<GroupId>(&g - groups_.data()), peer);
    peers_[peer].live = false;
}

uint32_t Rib::alloc_route() {
    ++route_count_;
    if (!free_routes_.empty()) {
        uint32_t r = free_routes_.back();
        free_routes_.pop_back();
        return r;
    }
    pool_.emplace_back();
    return static_cast<uint32_t>(pool_.size() - 1);
}

void Rib::free_route(uint32_t r) {
    Route& rt = pool_[r];
    if (rt.attrs) store_.release(store_.at(rt.attrs));
    if (rt.received) store_.release(store_.at(rt.received));
    rt = Route{};
    free_routes_.push_back(r);
    --route_count_;
}

Candidate Rib::candidate(const Route& rt) const {
    const PeerInfo& pi = peers_[rt.peer].info;
    return Candidate{store_.at(rt.attrs), !rt.is(Route::unusable), rt.peer == local_peer, is_ibgp(rt.peer),
                     pi.router_id, pi.address};
}

RouteSource Rib::source_of(PeerId peer) const {
    if (peer == local_peer) return RouteSource{};
    return RouteSource{&peers_[peer].info, is_ibgp(peer)};
}

template <typename Key>
void Rib::mark_dirty(uint32_t dest) {
    auto& f = family<Key>();
    f.table[dest].needs_full = true;
    mark_added<Key>(dest);
}

template <typename Key>
void Rib::mark_added(uint32_t dest) {
    auto& f = family<Key>();
    if (!f.table[dest].dirty) {
        f.table[dest].dirty = true;
        f.dirty.push_back(dest);
    }
}

template <typename Key>
void Rib::count_route(PeerId peer, uint8_t flags, Reason reason, int delta) {
    PeerRouteCounts& c = peers_[peer].counts;
    const bool v4 = Key::afi == wire::Afi::ipv4;
    const auto d = static_cast<size_t>(delta);  // wraps for -1: unsigned arithmetic
    (v4 ? c.received_v4 : c.received_v6) += d;
    if (flags & Route::rejected) {
        (v4 ? c.rejected_v4 : c.rejected_v6) += d;
        (v4 ? c.by_reason_v4 : c.by_reason_v6)[static_cast<size_t>(reason)] += static_cast<uint32_t>(delta);
    }
}

template <typename Key>
void Rib::forget_record(PeerId peer, const Key& key, const Route& rt) {
    if (rt.is(Route::recorded)) rejected_.erase(peer, key.to_prefix());
}

template <typename Key>
void Rib::announce_one(const Key& key, PeerId peer, const AttrSet* attrs, const AttrSet* received,
                       uint8_t flags, Reason reason, std::string_view detail) {
    auto& f = family<Key>();
    uint32_t d = f.table.insert(key).first;
    uint32_t r = no_index;
    if (f.table[d].peer_bits & Dest<Key>::peer_bit(peer)) {
        r = f.table[d].routes;
        while (r != no_index && pool_[r].peer != peer) r = pool_[r].next;
    }
    std::string limit_detail;
    if (peer != local_peer) {
        // Maximum-prefix: decided here, where the route is counted (limits.hpp).
        const bool v4 = Key::afi == wire::Afi::ipv4;
        PeerState& ps = peers_[peer];
        const PrefixLimit& lim = v4 ? ps.info.limit_v4 : ps.info.limit_v6;
        if (lim.max != 0) {
            const size_t held = v4 ? ps.counts.received_v4 : ps.counts.received_v6;
            const size_t accepted = held - (v4 ? ps.counts.rejected_v4 : ps.counts.rejected_v6);
            const LimitCheck lc = check_limit(lim, held, accepted, r != no_index,
                                              r != no_index && !pool_[r].is(Route::rejected), reason != Reason::none);
            if (lc.exceeded) ps.limit_exceeded[v4 ? 0 : 1] = true;
            if (lc.reject) {
                limit_detail = "limit " + std::to_string(lim.max) + (lim.count_received ? " received" : " accepted");
                flags |= Route::rejected;
                reason = Reason::max_prefix;
                detail = limit_detail;
            }
        }
    }
    bool had_record = false;
    if (r != no_index) {
        // Implicit withdraw (RFC 4271 3.1): the new route replaces the old.
        Route& rt = pool_[r];
        constexpr auto mask = static_cast<uint8_t>(~(Route::best | Route::recorded | Route::fresh));
        if (rt.attrs == attrs->id && rt.received == received->id && (rt.flags & mask) == flags &&
            rt.reason == reason)
            return;
        had_record = rt.is(Route::recorded);
        store_.acquire(attrs);
        store_.acquire(received);
        store_.release(store_.at(rt.attrs));
        store_.release(store_.at(rt.received));
        count_route<Key>(peer, rt.flags, rt.reason, -1);
        count_route<Key>(peer, flags, reason, 1);
        rt.attrs = attrs->id;
        rt.received = received->id;
        rt.flags = flags;  // drops the best flag: decide() sees a changed best
        rt.reason = reason;
    } else {
        r = alloc_route();
        Route& rt = pool_[r];
        store_.acquire(attrs);
        store_.acquire(received);
        rt = Route{attrs->id, received->id, f.table[d].routes, peer, static_cast<uint8_t>(flags | Route::fresh),
                   reason};
        f.table[d].routes = r;
        f.table[d].peer_bits |= Dest<Key>::peer_bit(peer);
        ++peers_[peer].routes;
        count_route<Key>(peer, flags, reason, 1);
        // A route RFC 7606 withdrew earlier is back, well formed this time.
        had_record = rejected_.malformed(peer) > 0;
    }
    // The store follows: a record for a rejected route, none for an accepted one.
    Route& rt = pool_[r];
    if (rt.is(Route::rejected)) {
        if (rejected_.record(peer, key.to_prefix(), reason, detail, std::chrono::system_clock::now()))
            rt.flags |= Route::recorded;
    } else if (had_record) {
        rejected_.erase(peer, key.to_prefix());
    }
    if (rt.is(Route::fresh))
        mark_added<Key>(d);
    else
        mark_dirty<Key>(d);
}

template <typename Key>
bool Rib::withdraw_one(const Key& key, PeerId peer) {
    auto& f = family<Key>();
    uint32_t d = f.table.find(key);
    if (d == no_index) return false;
    auto& dest = f.table[d];
    if (!(dest.peer_bits & Dest<Key>::peer_bit(peer))) return false;
    uint32_t* link = &dest.routes;
    while (*link != no_index && pool_[*link].peer != peer) link = &pool_[*link].next;
    if (*link == no_index) return false;
    uint32_t r = *link;
    *link = pool_[r].next;
    if (dest.best == r) {
        dest.best = no_index;
        dest.best_lost = true;
    }
    count_route<Key>(peer, pool_[r].flags, pool_[r].reason, -1);
    forget_record(peer, key, pool_[r]);
    free_route(r);
    --peers_[peer].routes;
    mark_dirty<Key>(d);
    return true;
}

void Rib::withdraw_all(std::span<const wire::Nlri> nlri, PeerId peer, ImportStats& stats) {
    for (size_t i = 0; i < std::min(nlri.size(), prefetch_ahead); ++i) prefetch_dest(nlri[i].prefix);
    for (size_t i = 0; i < nlri.size(); ++i) {
        if (i + prefetch_ahead < nlri.size()) prefetch_dest(nlri[i + prefetch_ahead].prefix);
        withdraw_prefix(nlri[i].prefix, peer, stats);
    }
}

void Rib::prefetch_dest(const wire::Prefix& p) const {
    if (p.v6)
        v6_.table.prefetch(V6Key::from(p));
    else
        v4_.table.prefetch(V4Key::from(p));
}

void Rib::withdraw_prefix(const wire::Prefix& p, PeerId peer, ImportStats& stats) {
    bool done = p.v6 ? withdraw_one(V6Key::from(p), peer) : withdraw_one(V4Key::from(p), peer);
    if (done) ++stats.withdrawn;
}

void Rib::import_family(PeerId peer, wire::Afi afi, const RouteAttrs& attrs, std::span<const wire::Nlri> nlri,
                        ImportStats& stats) {
    const bool ibgp = is_ibgp(peer);
    ImportContext ctx{config_, peers_[peer].info, ibgp, afi, peer, &attr_detail_, nlri.size()};
    attr_detail_.clear();
    // The first prefixes' table slots load while the attributes are checked
    // and interned; each later one while the one before it is stored.
    for (size_t i = 0; i < std::min(nlri.size(), prefetch_ahead); ++i) prefetch_dest(nlri[i].prefix);
    // One pass of the attribute checks, one encoding, hash and interning per
    // UPDATE and family; the prefixes below only link routes to the result.
    AttrEdit edit(attrs);
    Reason reason = peer == local_peer ? Reason::none : chain_.run_attrs(ctx, edit);
    const AttrSet* received = store_.intern(attrs);
    const AttrSet* accepted = edit.modified() ? store_.intern(edit.get()) : received;
    if (!edit.modified()) store_.acquire(accepted);
    uint8_t base_flags = 0;
    if (reason != Reason::none) base_flags |= Route::rejected;
    if (peer != local_peer && nh_check_ && !nh_check_(peer, edit.get())) base_flags |= Route::unusable;

    const bool prefix_steps = peer != local_peer && reason == Reason::none && chain_.has_prefix_steps();
    for (size_t i = 0; i < nlri.size(); ++i) {
        const wire::Nlri& n = nlri[i];
        if (i + prefetch_ahead < nlri.size()) prefetch_dest(nlri[i + prefetch_ahead].prefix);
        if (n.prefix.v6 != (afi == wire::Afi::ipv6)) continue;  // NLRI of another family
        if (prefix_steps) {
            const bool ok = afi == wire::Afi::ipv4
                                ? judge_and_store(ctx, V4Key::from(n.prefix), accepted, received, base_flags, reason,
                                                  attr_detail_)
                                : judge_and_store(ctx, V6Key::from(n.prefix), accepted, received, base_flags, reason,
                                                  attr_detail_);
            ++(ok ? stats.announced : stats.rejected);
            continue;
        }
        if (afi == wire::Afi::ipv4)
            announce_one(V4Key::from(n.prefix), peer, accepted, received, base_flags, reason, attr_detail_);
        else
            announce_one(V6Key::from(n.prefix), peer, accepted, received, base_flags, reason, attr_detail_);
        ++(reason == Reason::none ? stats.announced : stats.rejected);
    }
    store_.release(accepted);
    store_.release(received);
}

template <typename Key>
bool Rib::judge_and_store(const ImportContext& ctx, const Key& key, const AttrSet* accepted,
                          const AttrSet* received, uint8_t flags, Reason reason, std::string_view detail) {
    const wire::Prefix prefix = key.to_prefix();
    PrefixRoute route{prefix};
    PrefixEdit edit(*accepted);
    if (reason == Reason::none) {
        ImportContext pctx = ctx;
        prefix_detail_.clear();
        pctx.detail = &prefix_detail_;
        reason = chain_.run_prefix(pctx, route, edit);
        if (reason != Reason::none) {
            flags |= Route::rejected;
            detail = prefix_detail_;
        }
    }
    flags |= Route::rpki_flags(route.rpki);
    if (!edit.modified()) {
        announce_one(key, ctx.peer_id, accepted, received, flags, reason, detail);
        return reason == Reason::none;
    }
    // This route's own attributes: interned, so alike results share a set.
    const AttrSet* own = store_.intern(edit.value());
    flags &= static_cast<uint8_t>(~Route::unusable);
    if (ctx.peer_id != local_peer && nh_check_ && !nh_check_(ctx.peer_id, edit.value())) flags |= Route::unusable;
    announce_one(key, ctx.peer_id, own, received, flags, reason, detail);
    store_.release(own);
    return reason == Reason::none;
}

template <typename Update>
ImportStats Rib::import_update(PeerId peer, Update& u) {
    ImportStats stats;
    withdraw_all(u.withdrawn, peer, stats);
    if (u.mp_unreach) withdraw_all(u.mp_unreach->withdrawn, peer, stats);
    if (u.treat_as_withdraw_attr) {
        // RFC 7606 2: every NLRI of this UPDATE is withdrawn; the records
        // keep what came and why.
        for (const wire::Nlri& n : u.nlri) withdraw_prefix(n.prefix, peer, stats);
        if (u.mp_reach)
            for (const wire::Nlri& n : u.mp_reach->nlri) withdraw_prefix(n.prefix, peer, stats);
        record_malformed(peer, u);
        return stats;
    }
    const bool mp = u.mp_reach && !u.mp_reach->nlri.empty();
    if (!mp && u.nlri.empty()) return stats;

    // One RouteAttrs for both families: the IPv4 NLRI use the NEXT_HOP
    // attribute, the MP_REACH ones its next hop. A mutable UPDATE lends its
    // attributes and gets them back as they were, even on an exception.
    struct Loan {
        Update& u;
        RouteAttrs ra;
        std::optional<uint32_t> next_hop;
        explicit Loan(Update& from) : u(from) {
            if constexpr (std::is_const_v<Update>) ra.path = u.attrs;
            else ra.path = std::move(u.attrs);
            next_hop = ra.path.next_hop;
        }
        ~Loan() {
            if constexpr (!std::is_const_v<Update>) {
                u.attrs = std::move(ra.path);
                u.attrs.next_hop = next_hop;
            }
        }
        Loan(const Loan&) = delete;
        Loan& operator=(const Loan&) = delete;
    } loan(u);
    RouteAttrs& ra = loan.ra;
    if (mp) {
        const wire::MpReach& m = *u.mp_reach;
        if (m.next_hop.is_v4()) {
            ra.path.next_hop = m.next_hop.v4_value();
        } else {
            ra.mp_next_hop = m.next_hop;
            ra.mp_link_local = m.link_local_next_hop;
        }
        import_family(peer, m.afi_safi.afi, ra, m.nlri, stats);
    }
    if (!u.nlri.empty()) {
        ra.path.next_hop = loan.next_hop;
        ra.mp_next_hop.reset();
        ra.mp_link_local.reset();
        import_family(peer, wire::Afi::ipv4, ra, u.nlri, stats);
    }
    return stats;
}

void Rib::record_malformed(PeerId peer, const wire::Update& u) {
    std::string detail = "attribute " + std::to_string(*u.treat_as_withdraw_attr);
    if (u.treat_as_withdraw_reason) detail += std::string(": ") + u.treat_as_withdraw_reason;
    const auto now = std::chrono::system_clock::now();
    PeerRouteCounts& c = peers_[peer].counts;
    auto one = [&](const wire::Prefix& p) {
        (p.v6 ? c.by_reason_v6 : c.by_reason_v4)[static_cast<size_t>(Reason::malformed)] += 1;
        rejected_.record(peer, p, Reason::malformed, detail, now);
    };
    for (const wire::Nlri& n : u.nlri) one(n.prefix);
    if (u.mp_reach)
        for (const wire::Nlri& n : u.mp_reach->nlri) one(n.prefix);
}

ImportStats Rib::import(PeerId peer, wire::Update& update) { return import_update(peer, update); }
ImportStats Rib::import(PeerId peer, wire::Update&& update) { return import_update(peer, update); }
ImportStats Rib::import(PeerId peer, const wire::Update& update) { return import_update(peer, update); }

void Rib::originate(const wire::Prefix& prefix, RouteAttrs attrs) {
    if (!attrs.path.origin) attrs.path.origin = wire::Origin::igp;
    if (!attrs.path.as_path) attrs.path.as_path.emplace();
    ImportStats stats;
    wire::Nlri n{0, prefix};
    import_family(local_peer, prefix.afi(), std::move(attrs), std::span(&n, 1), stats);
}

void Rib::withdraw_local(const wire::Prefix& prefix) {
    ImportStats stats;
    withdraw_prefix(prefix, local_peer, stats);
}

template <typename Key>
void Rib::peer_down_range(PeerId peer, uint32_t from, uint32_t to, size_t& removed) {
    auto& f = family<Key>();
    for (uint32_t d = from; d < to && peers_[peer].routes > 0; ++d) {
        auto& dest = f.table[d];
        if (!dest.live || !(dest.peer_bits & Dest<Key>::peer_bit(peer))) continue;
        uint32_t* link = &dest.routes;
        while (*link != no_index && pool_[*link].peer != peer) link = &pool_[*link].next;
        if (*link == no_index) continue;
        uint32_t r = *link;
        *link = pool_[r].next;
        if (dest.best == r) {
            dest.best = no_index;
            dest.best_lost = true;
        }
        count_route<Key>(peer, pool_[r].flags, pool_[r].reason, -1);
        forget_record(peer, dest.key, pool_[r]);
        free_route(r);
        --peers_[peer].routes;
        ++removed;
        mark_dirty<Key>(d);
    }
}

template <typename Key>
void Rib::peer_down_family(PeerId peer, size_t& removed) {
    peer_down_range<Key>(peer, 0, static_cast<uint32_t>(family<Key>().table.index_bound()), removed);
}

size_t Rib::peer_down_slice(PeerId peer, Cursor& c, size_t max_dests) {
    size_t removed = 0;
    if (c.done) return 0;
    if (c.afi == wire::Afi::ipv4) {
        const auto bound = static_cast<uint32_t>(v4_.table.index_bound());
        const auto to = static_cast<uint32_t>(std::min<size_t>(bound, size_t{c.index} + max_dests));
        peer_down_range<V4Key>(peer, c.index, to, removed);
        c.index = peers_[peer].routes == 0 ? bound : to;
        if (c.index < bound) return removed;
        c = Cursor{wire::Afi::ipv6, 0, false, false};
        return removed;  // IPv6 in the next slice
    }
    const auto bound = static_cast<uint32_t>(v6_.table.index_bound());
    const auto to = static_cast<uint32_t>(std::min<size_t>(bound, size_t{c.index} + max_dests));
    peer_down_range<V6Key>(peer, c.index, to, removed);
    c.index = to;
    if (c.index >= bound || peers_[peer].routes == 0) c.done = true;
    return removed;
}

size_t Rib::peer_down(PeerId peer) {
    size_t removed = 0;
    peer_down_family<V4Key>(peer, removed);
    peer_down_family<V6Key>(peer, removed);
    return removed;
}

template <typename Key>
void Rib::reimport_family(PeerId peer, Cursor& c, size_t& budget) {
    auto& f = family<Key>();
    const bool ibgp = is_ibgp(peer);
    std::string last_detail;
    ImportContext ctx{config_, peers_[peer].info, ibgp, Key::afi, peer, &last_detail, 0};
    // Routes of one UPDATE share their received set: remember the last result.
    const AttrSet* last_received = nullptr;
    const AttrSet* last_accepted = nullptr;
    Reason last_reason = Reason::none;
    uint8_t last_flags = 0;
    for (; c.index < f.table.index_bound() && budget > 0; ++c.index, --budget) {
        const auto& dest = f.table[c.index];
        if (!dest.live || !(dest.peer_bits & Dest<Key>::peer_bit(peer))) continue;
        uint32_t r = dest.routes;
        while (r != no_index && pool_[r].peer != peer) r = pool_[r].next;
        if (r == no_index) continue;
        const AttrSet* received = store_.at(pool_[r].received);
        if (received != last_received) {
            if (last_accepted) store_.release(last_accepted);
            const RouteAttrs value = received->value();
            AttrEdit edit(value);
            last_detail.clear();
            last_reason = chain_.run_attrs(ctx, edit);
            last_accepted = edit.modified() ? store_.intern(edit.get()) : received;
            if (!edit.modified()) store_.acquire(last_accepted);
            last_flags = last_reason != Reason::none ? Route::rejected : 0;
            if (peer != local_peer && nh_check_ && !nh_check_(peer, edit.get())) last_flags |= Route::unusable;
            last_received = received;
        }
        if (chain_.has_prefix_steps())
            judge_and_store(ctx, dest.key, last_accepted, received, last_flags, last_reason, last_detail);
        else
            announce_one(dest.key, peer, last_accepted, received, last_flags, last_reason, last_detail);
    }
    if (last_accepted) store_.release(last_accepted);
}

void Rib::reimport_slice(PeerId peer, Cursor& cursor, size_t max_routes) {
    size_t budget = max_routes;
    if (cursor.done) return;
    if (cursor.afi == wire::Afi::ipv4) {
        reimport_family<V4Key>(peer, cursor, budget);
        if (cursor.index < v4_.table.index_bound()) return;
        cursor = Cursor{wire::Afi::ipv6, 0, false, false};
    }
    reimport_family<V6Key>(peer, cursor, budget);
    if (cursor.index >= v6_.table.index_bound()) cursor.done = true;
}

template <typename Key>
void Rib::rerun_route(uint32_t d, uint32_t r) {
    auto& f = family<Key>();
    const PeerId peer = pool_[r].peer;
    std::string detail;
    ImportContext ctx{config_, peers_[peer].info, is_ibgp(peer), Key::afi, peer, &detail, 0};
    const AttrSet* received = store_.at(pool_[r].received);
    const RouteAttrs value = received->value();
    AttrEdit edit(value);
    Reason reason = chain_.run_attrs(ctx, edit);
    const AttrSet* accepted = edit.modified() ? store_.intern(edit.get()) : received;
    if (!edit.modified()) store_.acquire(accepted);
    uint8_t flags = reason != Reason::none ? Route::rejected : 0;
    if (peer != local_peer && nh_check_ && !nh_check_(peer, edit.get())) flags |= Route::unusable;
    const Key key = f.table[d].key;
    if (chain_.has_prefix_steps())
        judge_and_store(ctx, key, accepted, received, flags, reason, detail);
    else
        announce_one(key, peer, accepted, received, flags, reason, detail);
    store_.release(accepted);
}

namespace {

// The changed VRP prefixes as rtr's prefix index: a route is covered when one
// of them is its prefix or a less specific one (one binary search in a /16
// bucket and a walk up the covering chain: tens of nanoseconds a prefix).
bool covered_by(const rtr::PrefixCover& c, const V4Key& k) { return c.covers_v4(k.addr, k.len); }
bool covered_by(const rtr::PrefixCover& c, const V6Key& k) { return c.covers_v6(k.hi, k.lo, k.len); }

}  // namespace

struct CoveredWalk::Impl {
    rtr::PrefixCover cover;
    Cursor cursor;
};

CoveredWalk::CoveredWalk(std::span<const wire::Prefix> changed) : impl_(new Impl{rtr::PrefixCover(changed), Cursor{}}) {}

CoveredWalk::~CoveredWalk() = default;

bool CoveredWalk::done() const { return impl_->cursor.done; }

template <typename Key>
void Rib::reimport_covered_family(const rtr::PrefixCover& cover, Cursor& cursor, size_t& work, size_t& routes) {
    auto& f = family<Key>();
    if (cover.empty(Key::afi)) {
        cursor.index = f.table.index_bound();
        return;
    }
    size_t scanned = 0;
    for (; cursor.index < f.table.index_bound(); ++cursor.index) {
        if (work == 0) return;
        const uint32_t d = cursor.index;
        if (++scanned % 8 == 0) --work;
        if (!f.table[d].live) continue;
        if (!covered_by(cover, f.table[d].key)) continue;
        for (uint32_t r = f.table[d].routes; r != no_index; r = pool_[r].next) {
            if (pool_[r].peer == local_peer) continue;
            rerun_route<Key>(d, r);
            ++routes;
            if (work > 0) --work;
        }
    }
}

size_t Rib::reimport_covered_slice(CoveredWalk& walk, size_t max_work) {
    auto& w = *walk.impl_;
    size_t work = std::max<size_t>(max_work, 1), routes = 0;
    if (w.cursor.done) return 0;
    if (w.cursor.afi == wire::Afi::ipv4) {
        reimport_covered_family<V4Key>(w.cover, w.cursor, work, routes);
        if (w.cursor.index < v4_.table.index_bound()) return routes;
        w.cursor = Cursor{wire::Afi::ipv6, 0, false, false};
    }
    reimport_covered_family<V6Key>(w.cover, w.cursor, work, routes);
    if (w.cursor.index >= v6_.table.index_bound()) w.cursor.done = true;
    return routes;
}

size_t Rib::reimport_covered(std::span<const wire::Prefix> changed) {
    CoveredWalk walk(changed);
    size_t n = 0;
    while (!walk.done()) n += reimport_covered_slice(walk, SIZE_MAX);
    return n;
}

template <typename Key>
bool Rib::decide_added(Dest<Key>& dest) {
    // Exact for the steps that are total orders: a route that loses to the
    // best at LOCAL_PREF, origination, AS_PATH length or ORIGIN ties it at
    // the steps before, so it leaves every earlier elimination as it was and
    // is out before MED, the one step where a rival can change who else
    // survives. The best stays; the reason becomes the later of its own and
    // the step that put the new route out (select_best's reason is the last
    // step that eliminated anything).
    if (dest.best == no_index || dest.best_lost) return false;
    const Route& b = pool_[dest.best];
    if (!b.is(Route::best) || b.is(Route::rejected) || b.is(Route::unusable)) return false;
    if (dest.reason != BestReason::only_route && step_rank(dest.reason) < 0) return false;
    const Candidate best = candidate(b);
    BestReason reason = dest.reason;
    uint32_t r = dest.routes;
    for (; r != no_index && pool_[r].is(Route::fresh); r = pool_[r].next) {
        const Route& x = pool_[r];
        if (x.is(Route::rejected) || x.is(Route::unusable)) continue;  // never in the running
        const Comparison c = compare(candidate(x), best, config_.decision);
        if (c.a_wins || !before_med(c.reason)) return false;
        if (step_rank(c.reason) > step_rank(reason)) reason = c.reason;
    }
    for (r = dest.routes; r != no_index && pool_[r].is(Route::fresh); r = pool_[r].next)
        pool_[r].flags &= static_cast<uint8_t>(~Route::fresh);
    dest.reason = reason;
    return true;
}

template <typename Key>
bool Rib::decide(uint32_t d, BestChangeSink* changes) {
    auto& f = family<Key>();
    auto& dest = f.table[d];
    dest.dirty = false;
    const bool full = dest.needs_full;
    dest.needs_full = false;
    if (!full && decide_added<Key>(dest)) {
        if (report_decided_ && changes && dest.best != no_index)
            changes->best_changed(BestChange{Key::afi, d, pool_[dest.best].peer, store_.at(pool_[dest.best].attrs),
                                             dest.reason, true});
        return false;
    }
    candidates_.clear();
    candidate_ids_.clear();
    uint16_t peer_bits = 0;
    for (uint32_t r = dest.routes; r != no_index; r = pool_[r].next) {
        Route& rt = pool_[r];
        rt.flags &= static_cast<uint8_t>(~Route::fresh);
        peer_bits |= Dest<Key>::peer_bit(rt.peer);
        if (rt.is(Route::rejected)) continue;
        candidates_.push_back(candidate(rt));
        candidate_ids_.push_back(r);
    }
    dest.peer_bits = peer_bits;
    Selection s = select_best(candidates_, config_.decision);
    uint32_t best = s.best == Selection::npos ? no_index : candidate_ids_[s.best];
    dest.reason = s.reason;
    bool changed = best != dest.best || dest.best_lost || (best != no_index && !pool_[best].is(Route::best));
    dest.best_lost = false;
    if (dest.best != no_index && dest.best != best) pool_[dest.best].flags &= static_cast<uint8_t>(~Route::best);
    dest.best = best;
    if (best != no_index) pool_[best].flags |= Route::best;
    if (changed) {
        if (changes)
            changes->best_changed(BestChange{Key::afi, d, best == no_index ? no_peer : pool_[best].peer,
                                             best == no_index ? nullptr : store_.at(pool_[best].attrs), s.reason});
        for (Group& g : groups_)
            if (g.live) stage<Key>(g, d);
    } else if (report_decided_ && changes && best != no_index) {
        changes->best_changed(BestChange{Key::afi, d, pool_[best].peer, store_.at(pool_[best].attrs), s.reason, true});
    }
    if (dest.routes == no_index) try_free<Key>(d);
    return changed;
}

namespace {
// After a full-table batch a work list is empty but still holds megabytes;
// give them back rather than keep the peak for ever.
void trim(std::vector<uint32_t>& v) {
    v.clear();
    if (v.capacity() > 65536) v.shrink_to_fit();
}
}  // namespace

size_t Rib::run_decision(std::vector<BestChange>* changes) {
    struct Collect final : BestChangeSink {
        std::vector<BestChange>* out;
        explicit Collect(std::vector<BestChange>* o) : out(o) {}
        void best_changed(const BestChange& c) override { out->push_back(c); }
    } collect(changes);
    return run_decision(changes ? &collect : nullptr);
}

size_t Rib::run_decision(BestChangeSink* changes) {
    size_t n = 0;
    // The dirty lists do not grow during the run: decide() only stages.
    for (uint32_t d : v4_.dirty) n += decide<V4Key>(d, changes) ? 1 : 0;
    trim(v4_.dirty);
    for (uint32_t d : v6_.dirty) n += decide<V6Key>(d, changes) ? 1 : 0;
    trim(v6_.dirty);
    return n;
}

template <typename Key>
void Rib::try_free(uint32_t d) {
    auto& f = family<Key>();
    const auto& dest = f.table[d];
    if (!dest.live || dest.routes != no_index || dest.dirty) return;
    if (d < f.pinned.size() && f.pinned[d]) return;
    for (Group& g : groups_) {
        OutFamily& of = out_family(g, Key::afi);
        if (d < of.size() && (of.attrs[d] || of.pending_bit[d])) return;
    }
    f.table.erase(d);
}

std::vector<RouteView> Rib::routes(const wire::Prefix& p) const {
    std::vector<RouteView> out;
    auto collect = [&](const auto& fam, const auto& key) {
        uint32_t d = fam.table.find(key);
        if (d == no_index) return;
        for (uint32_t r = fam.table[d].routes; r != no_index; r = pool_[r].next)
            out.push_back(RouteView{pool_[r].peer, store_.at(pool_[r].attrs), store_.at(pool_[r].received), pool_[r].flags,
                                    pool_[r].reason});
    };
    if (p.v6)
        collect(v6_, V6Key::from(p));
    else
        collect(v4_, V4Key::from(p));
    return out;
}

std::optional<RouteView> Rib::best(const wire::Prefix& p) const {
    for (const RouteView& v : routes(p))
        if (v.flags & Route::best) return v;
    return std::nullopt;
}

std::optional<BestReason> Rib::best_reason(const wire::Prefix& p) const {
    uint32_t d = p.v6 ? v6_.table.find(V6Key::from(p)) : v4_.table.find(V4Key::from(p));
    if (d == no_index) return std::nullopt;
    return p.v6 ? v6_.table[d].reason : v4_.table[d].reason;
}

void Rib::multipath(wire::Afi afi, uint32_t d, size_t max, bool relax, std::vector<const AttrSet*>& out) const {
    out.clear();
    auto collect = [&](const auto& fam) {
        if (d >= fam.table.index_bound()) return;
        const auto& dest = fam.table[d];
        if (!dest.live || dest.best == no_index) return;
        const Candidate best = candidate(pool_[dest.best]);
        out.push_back(best.attrs);
        for (uint32_t r = dest.routes; r != no_index && out.size() < max; r = pool_[r].next) {
            if (r == dest.best || pool_[r].is(Route::rejected)) continue;
            const Candidate c = candidate(pool_[r]);
            if (multipath_equal(best, c, config_.decision, relax)) out.push_back(c.attrs);
        }
    };
    if (afi == wire::Afi::ipv4)
        collect(v4_);
    else
        collect(v6_);
}

void Rib::pin(wire::Afi afi, uint32_t dest) {
    auto set = [dest](auto& f) {
        if (f.pinned.size() <= dest) f.pinned.resize(std::max<size_t>(dest + 1, f.pinned.size() * 2), false);
        f.pinned[dest] = true;
    };
    if (afi == wire::Afi::ipv4)
        set(v4_);
    else
        set(v6_);
}

void Rib::unpin(wire::Afi afi, uint32_t dest) {
    if (afi == wire::Afi::ipv4) {
        if (dest < v4_.pinned.size()) v4_.pinned[dest] = false;
        try_free<V4Key>(dest);
    } else {
        if (dest < v6_.pinned.size()) v6_.pinned[dest] = false;
        try_free<V6Key>(dest);
    }
}

wire::Prefix Rib::prefix_of(wire::Afi afi, uint32_t dest) const {
    return afi == wire::Afi::ipv4 ? v4_.table[dest].key.to_prefix() : v6_.table[dest].key.to_prefix();
}

uint32_t Rib::dest_bound(wire::Afi afi) const {
    return static_cast<uint32_t>(afi == wire::Afi::ipv4 ? v4_.table.index_bound() : v6_.table.index_bound());
}

uint32_t Rib::dest_index(const wire::Prefix& p) const {
    return p.v6 ? v6_.table.find(V6Key::from(p)) : v4_.table.find(V4Key::from(p));
}

bool Rib::dest_at(wire::Afi afi, uint32_t d, wire::Prefix& prefix, BestReason& reason,
                  std::vector<RouteView>& routes) const {
    auto get = [&](const auto& fam) {
        if (d >= fam.table.index_bound() || !fam.table[d].live || fam.table[d].routes == no_index) return false;
        const auto& dest = fam.table[d];
        prefix = dest.key.to_prefix();
        reason = dest.reason;
        routes.clear();
        for (uint32_t r = dest.routes; r != no_index; r = pool_[r].next)
            routes.push_back(RouteView{pool_[r].peer, store_.at(pool_[r].attrs), store_.at(pool_[r].received),
                                       pool_[r].flags, pool_[r].reason});
        return true;
    };
    return afi == wire::Afi::ipv4 ? get(v4_) : get(v6_);
}

RibCounters Rib::counters() const {
    return RibCounters{v4_.table.size(), v6_.table.size(), route_count_, store_.size(), unsendable_};
}

size_t Rib::memory_bytes() const {
    size_t n = v4_.table.memory_bytes() + v6_.table.memory_bytes();
    n += (v4_.dirty.capacity() + v6_.dirty.capacity()) * sizeof(uint32_t);
    n += pool_.capacity() * sizeof(Route) + free_routes_.capacity() * sizeof(uint32_t);
    for (const Group& g : groups_)
        for (const OutFamily* of : {&g.v4, &g.v6})
            n += of->attrs.capacity() * sizeof(const AttrSet*) + of->source.capacity() * sizeof(PeerId) +
                 of->pending_bit.capacity() / 8 + of->pending.capacity() * sizeof(uint32_t);
    return n + store_.memory_bytes() + rejected_.memory_bytes();
}

// Explicit instantiations used by rib_out.cpp.
template void Rib::try_free<V4Key>(uint32_t);
template void Rib::try_free<V6Key>(uint32_t);

}  // namespace moat::rib
