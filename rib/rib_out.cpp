// The export side of the RIB: update groups, their Adj-RIB-Out, staging of
// best-path changes, packing into UPDATEs and resumable dumps. See rib.hpp.
//
// An update group is a set of peers that share export policy and session
// parameters. Its Adj-RIB-Out holds, per destination, the Loc-RIB attribute
// set and source peer of what the members were sent (10 bytes), and a
// pending bit. Export attributes (prepend, NEXT_HOP self...) are computed
// at pack time, once per attribute set and source, and are not stored: equal
// Loc-RIB attributes from one source always export equally.
//
// A route is never sent back to its source: when the source is a member, the
// announcement goes to every member but it (OutMessage::except; nothing is
// encoded when it is the only member), and if that member had been sent
// another route for the prefix it gets a withdrawal of its own
// (OutMessage::only). Membership changes need no restaging: a joining member
// gets dump_slice(), which skips the routes it is the source of.
#include "rib/rib.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <utility>

namespace moat::rib {

GroupId Rib::add_group(const GroupConfig& config) {
    Group g;
    g.config = config;
    g.live = true;
    if (policy_ && !config.out_map.empty()) g.out_map = policy_->route_map(config.out_map);
    GroupId id = 0;
    while (id < groups_.size() && groups_[id].live) ++id;
    if (id == groups_.size()) groups_.push_back(std::move(g));
    else groups_[id] = std::move(g);
    // Stage the current Loc-RIB so the group starts in step with it.
    for (uint32_t d = 0; d < v4_.table.index_bound(); ++d)
        if (v4_.table[d].live && v4_.table[d].best != no_index) stage<V4Key>(groups_[id], d);
    for (uint32_t d = 0; d < v6_.table.index_bound(); ++d)
        if (v6_.table[d].live && v6_.table[d].best != no_index) stage<V6Key>(groups_[id], d);
    return id;
}

void Rib::remove_group(GroupId group) {
    Group& g = groups_[group];
    if (!g.live) return;
    g.live = false;
    g.members.clear();
    auto release = [&](OutFamily& of, auto free_dest) {
        std::vector<uint32_t> held;
        for (uint32_t d = 0; d < of.size(); ++d) {
            if (!of.attrs[d] && !of.pending_bit[d]) continue;
            if (of.attrs[d]) store_.release(of.attrs[d]);
            held.push_back(d);
        }
        of = OutFamily{};
        for (uint32_t d : held) free_dest(d);  // destinations kept only for this group
    };
    release(g.v4, [&](uint32_t d) { try_free<V4Key>(d); });
    release(g.v6, [&](uint32_t d) { try_free<V6Key>(d); });
    g = Group{};
}

bool Rib::is_member(const Group& g, PeerId p) const {
    return std::find(g.members.begin(), g.members.end(), p) != g.members.end();
}

void Rib::join_group(GroupId group, PeerId peer) {
    Group& g = groups_[group];
    if (!is_member(g, peer)) g.members.push_back(peer);
}

void Rib::leave_group(GroupId group, PeerId peer) {
    Group& g = groups_[group];
    auto it = std::find(g.members.begin(), g.members.end(), peer);
    if (it != g.members.end()) g.members.erase(it);
}

template <typename Key>
void Rib::stage(Group& g, uint32_t d) {
    auto& f = family<Key>();
    OutFamily& of = out_family(g, Key::afi);
    of.ensure(std::max<size_t>(f.table.index_bound(), d + 1));
    const auto& dest = f.table[d];
    const AttrSet* attrs = nullptr;
    PeerId source = no_peer;
    AttrRef changed;  // the export route-map's result, when it changed the attributes
    if (dest.best != no_index && !g.config.export_none) {
        const Route& r = pool_[dest.best];
        const AttrSet* best = store_.at(r.attrs);
        if (export_allowed(config_, g.config, source_of(r.peer), *best, Key::afi)) {
            attrs = best;
            source = r.peer;
            if (!g.config.out_map.empty() && !(g.out_map && g.out_map->passes_all)) {
                // The route-map sees the Loc-RIB route; what it changes is
                // interned so the group's UPDATEs stay packed by set.
                const wire::Prefix prefix = dest.key.to_prefix();
                const RouteAttrs value = best->value();
                PolicyRoute pr;
                pr.prefix = &prefix;
                pr.rpki = r.rpki();
                pr.peer = r.peer == local_peer ? nullptr : &peers_[r.peer].info.address;
                pr.attrs = &value;
                std::optional<RouteAttrs> out;
                if (!g.out_map || !g.out_map->evaluate(pr, out).permit) {
                    attrs = nullptr;
                    source = no_peer;
                } else if (out) {
                    changed = store_.intern_ref(*out);
                    attrs = changed.get();
                }
            }
        }
    }
    if (of.attrs[d] == attrs && of.source[d] == source) return;
    // The new source is a member that was sent something else for this
    // prefix: it will not get the new route, so it must lose the old one.
    if (of.attrs[d] && attrs && source != of.source[d] && is_member(g, source))
        of.member_withdraws.emplace_back(source, wire::Nlri{0, dest.key.to_prefix()});
    if (of.attrs[d]) {
        --of.announced;
        --of.by_source[of.source[d]];
    }
    if (attrs) {
        ++of.announced;
        if (of.by_source.size() <= source) of.by_source.resize(size_t{source} + 1, 0);
        ++of.by_source[source];
    }
    if (attrs) store_.acquire(attrs);
    if (of.attrs[d]) store_.release(of.attrs[d]);
    of.attrs[d] = attrs;
    of.source[d] = source;
    if (!of.pending_bit[d]) {
        of.pending_bit[d] = true;
        of.pending.push_back(d);
    }
}

bool Rib::has_pending(GroupId group) const {
    const Group& g = groups_[group];
    for (const OutFamily* of : {&g.v4, &g.v6})
        if (of->cursor < of->pending.size() || !of->member_withdraws.empty()) return true;
    return false;
}

size_t Rib::advertised(GroupId group, PeerId member, wire::Afi afi) const {
    const Group& g = groups_[group];
    const OutFamily& of = afi == wire::Afi::ipv4 ? g.v4 : g.v6;
    size_t own = member < of.by_source.size() ? of.by_source[member] : 0;
    return of.announced - own;
}

bool Rib::out_at(GroupId group, PeerId member, wire::Afi afi, uint32_t d, const AttrSet*& attrs,
                 PeerId& source) const {
    const Group& g = groups_[group];
    const OutFamily& of = afi == wire::Afi::ipv4 ? g.v4 : g.v6;
    if (d >= of.size() || !of.attrs[d] || of.source[d] == member) return false;
    attrs = of.attrs[d];
    source = of.source[d];
    return true;
}

RouteAttrs Rib::exported(GroupId group, PeerId source, const AttrSet& attrs, wire::Afi afi) const {
    const Group& g = groups_[group];
    return export_attrs(config_, g.config, source_of(source), attrs, afi);
}

void Rib::emit(std::vector<wire::Buffer>& bufs, std::vector<OutMessage>& out, PeerId only, PeerId except) {
    for (wire::Buffer& b : bufs) out.push_back(OutMessage{std::move(b), only, except});
    bufs.clear();
}

void Rib::group_by_set(const OutFamily& of, std::span<uint32_t> dests) {
    // A counting sort on (Adj-RIB-Out set, source): groups numbered in order
    // of first appearance through a small hash table, then one scatter. Linear
    // and without touching the sets themselves; a comparison sort of the same
    // keys was a tenth of a full table's convergence. Withdrawals (no set)
    // are group 0, so they go first.
    const size_t n = dests.size();
    if (n < 2) return;
    size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    auto& slots = group_slots_;
    slots.assign(cap, GroupSlot{});
    auto& counts = group_counts_;
    counts.assign(1, 0);
    auto& group_of = group_of_;
    group_of.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const uint32_t d = dests[i];
        const AttrSet* set = of.attrs[d];
        uint32_t g = 0;
        if (set) {
            const PeerId source = of.source[d];
            const uint64_t h = mix64(reinterpret_cast<uintptr_t>(set) ^ (uint64_t{source} << 48));
            size_t s = h & (cap - 1);
            while (slots[s].set && !(slots[s].set == set && slots[s].source == source)) s = (s + 1) & (cap - 1);
            if (!slots[s].set) {
                slots[s] = GroupSlot{set, source, static_cast<uint32_t>(counts.size())};
                counts.push_back(0);
            }
            g = slots[s].group;
        }
        group_of[i] = g;
        ++counts[g];
    }
    uint32_t at = 0;
    for (uint32_t& c : counts) at += std::exchange(c, at);  // counts become start offsets
    auto& out = group_out_;
    out.resize(n);
    for (size_t i = 0; i < n; ++i) out[counts[group_of[i]]++] = dests[i];
    std::copy(out.begin(), out.end(), dests.begin());
}

template <typename Key>
void Rib::announce_or_withdraw(Group& g, wire::UpdatePacker& packer, const AttrSet& attrs, PeerId source,
                               std::span<const uint32_t> dests, bool forget) {
    const RouteAttrs x = export_attrs(config_, g.config, source_of(source), attrs, Key::afi);
    const size_t failed =
        packer.announce(Key::afi, wire::Announcement{x.path, x.mp_next_hop, x.mp_link_local}, nlri_scratch_, buf_scratch_);
    if (failed == 0) return;
    // The set cannot be sent: the members may hold an older route for these
    // prefixes, which would go stale, so they are withdrawn instead.
    packer.withdraw(Key::afi, nlri_scratch_, buf_scratch_);
    unsendable_ += failed;
    g.unsendable += failed;
    if (!forget) return;  // a dump: the pass that packed the set forgets it
    OutFamily& of = out_family(g, Key::afi);
    for (uint32_t d : dests) {
        if (!of.attrs[d]) continue;
        --of.announced;
        --of.by_source[of.source[d]];
        store_.release(of.attrs[d]);
        of.attrs[d] = nullptr;
        of.source[d] = no_peer;
    }
}

template <typename Key>
size_t Rib::pack_family(Group& g, std::vector<OutMessage>& out, size_t budget) {
    auto& f = family<Key>();
    OutFamily& of = out_family(g, Key::afi);
    wire::UpdatePacker packer(g.config.ctx);
    size_t consumed = 0;

    if (!of.member_withdraws.empty()) {
        auto& mw = of.member_withdraws;
        std::sort(mw.begin(), mw.end());
        for (size_t i = 0; i < mw.size();) {
            size_t j = i;
            nlri_scratch_.clear();
            while (j < mw.size() && mw[j].first == mw[i].first) nlri_scratch_.push_back(mw[j++].second);
            packer.withdraw(Key::afi, nlri_scratch_, buf_scratch_);
            emit(buf_scratch_, out, mw[i].first, no_peer);
            consumed += j - i;
            i = j;
        }
        mw.clear();
    }

    auto key_of = [&](uint32_t d) { return std::make_tuple(of.attrs[d], of.source[d]); };
    while (consumed < budget && of.cursor < of.pending.size()) {
        if (of.cursor == of.sorted_end) {
            // Group the staged prefixes by attribute set (withdrawals, the
            // null set, first); later stages are sorted when reached.
            // A window of at most group_window destinations in staging
            // order at a time: a set's prefixes are staged together (one
            // UPDATE in, one decision pass), so little packing is lost.
            const size_t n = std::min(of.pending.size() - of.cursor, group_window);
            group_by_set(of, std::span(of.pending).subspan(of.cursor, n));
            of.sorted_end = of.cursor + n;
        }
        const size_t run_start = of.cursor;
        const auto key = key_of(of.pending[run_start]);
        nlri_scratch_.clear();
        while (of.cursor < of.sorted_end && consumed < budget) {
            uint32_t d = of.pending[of.cursor];
            if (key_of(d) != key) break;
            nlri_scratch_.push_back(wire::Nlri{0, f.table[d].key.to_prefix()});
            of.pending_bit[d] = false;
            ++of.cursor;
            ++consumed;
        }
        const auto [attrs, source] = key;
        if (attrs == nullptr) {
            packer.withdraw(Key::afi, nlri_scratch_, buf_scratch_);
            emit(buf_scratch_, out, no_peer, no_peer);
            for (size_t i = run_start; i < of.cursor; ++i) try_free<Key>(of.pending[i]);
        } else if (PeerId except = is_member(g, source) ? source : no_peer;
                   !(except != no_peer && g.members.size() == 1)) {
            announce_or_withdraw<Key>(g, packer, *attrs, source,
                                      std::span(of.pending).subspan(run_start, of.cursor - run_start), true);
            emit(buf_scratch_, out, no_peer, except);
        }
    }
    if (of.cursor == of.pending.size()) {
        of.pending.clear();
        if (of.pending.capacity() > 65536) of.pending.shrink_to_fit();
        of.cursor = of.sorted_end = 0;
    }
    return consumed;
}

size_t Rib::pack(GroupId group, std::vector<OutMessage>& out, size_t max_routes) {
    Group& g = groups_[group];
    size_t n = pack_family<V4Key>(g, out, max_routes);
    if (n < max_routes) n += pack_family<V6Key>(g, out, max_routes - n);
    return n;
}

template <typename Key>
void Rib::dump_family(Group& g, PeerId target, Cursor& c, size_t& budget, std::vector<OutMessage>& out) {
    auto& f = family<Key>();
    OutFamily& of = out_family(g, Key::afi);
    wire::UpdatePacker packer(g.config.ctx);
    // Take a slice of announced entries, group it by attribute set, pack it.
    // Entries staged but not packed yet are left out: packing sends them to
    // every member, this one included, so a member that joins while the
    // group's log is still filling gets each route once.
    std::vector<uint32_t> slice;
    const uint32_t end = static_cast<uint32_t>(std::min<size_t>(of.size(), f.table.index_bound()));
    for (; c.index < end && slice.size() < budget; ++c.index)
        if (of.attrs[c.index] && of.source[c.index] != target && !of.pending_bit[c.index]) slice.push_back(c.index);
    budget -= slice.size();
    auto key_of = [&](uint32_t d) { return std::make_tuple(of.attrs[d], of.source[d]); };
    group_by_set(of, slice);
    for (size_t i = 0; i < slice.size();) {
        const auto key = key_of(slice[i]);
        nlri_scratch_.clear();
        size_t j = i;
        for (; j < slice.size() && key_of(slice[j]) == key; ++j)
            nlri_scratch_.push_back(wire::Nlri{0, f.table[slice[j]].key.to_prefix()});
        const auto [attrs, source] = key;
        announce_or_withdraw<Key>(g, packer, *attrs, source, std::span(slice).subspan(i, j - i), false);
        emit(buf_scratch_, out, target, no_peer);
        i = j;
    }
    if (c.index >= end) c.index = f.table.index_bound();
}

void Rib::dump_slice(GroupId group, PeerId target, Cursor& cursor, size_t max_routes,
                     std::vector<OutMessage>& out) {
    Group& g = groups_[group];
    size_t budget = max_routes;
    if (cursor.done) return;
    if (cursor.afi == wire::Afi::ipv4) {
        dump_family<V4Key>(g, target, cursor, budget, out);
        if (cursor.index < v4_.table.index_bound()) return;
        if (cursor.one_family) {
            cursor.done = true;
            return;
        }
        cursor = Cursor{wire::Afi::ipv6, 0, false, false};
    }
    dump_family<V6Key>(g, target, cursor, budget, out);
    if (cursor.index >= v6_.table.index_bound()) cursor.done = true;
}

void Rib::default_route(GroupId group, PeerId target, std::vector<OutMessage>& out) {
    Group& g = groups_[group];
    RouteAttrs origin;
    origin.path.origin = wire::Origin::igp;
    origin.path.as_path.emplace();
    const AttrRef set = store_.intern_ref(origin);
    wire::UpdatePacker packer(g.config.ctx);
    for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        if (!export_allowed(config_, g.config, RouteSource{}, *set, afi)) continue;
        const RouteAttrs x = export_attrs(config_, g.config, RouteSource{}, *set, afi);
        wire::Prefix any;
        any.v6 = afi == wire::Afi::ipv6;
        const wire::Nlri nlri{0, any};
        packer.announce(afi, wire::Announcement{x.path, x.mp_next_hop, x.mp_link_local}, std::span(&nlri, 1),
                        buf_scratch_);
        emit(buf_scratch_, out, target, no_peer);
    }
}

void Rib::set_policy(std::shared_ptr<const Policy> policy) {
    policy_ = std::move(policy);
    for (Group& g : groups_)
        g.out_map = policy_ && !g.config.out_map.empty() ? policy_->route_map(g.config.out_map) : nullptr;
}

void Rib::restage(GroupId group) {
    Group& g = groups_[group];
    for (uint32_t d = 0; d < v4_.table.index_bound(); ++d)
        if (v4_.table[d].live) stage<V4Key>(g, d);
    for (uint32_t d = 0; d < v6_.table.index_bound(); ++d)
        if (v6_.table[d].live) stage<V6Key>(g, d);
}

void Rib::withdraw_difference(GroupId from, GroupId to, PeerId member, std::vector<OutMessage>& out) {
    const Group& a = groups_[from];
    const Group& b = groups_[to];
    for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        const OutFamily& fa = afi == wire::Afi::ipv4 ? a.v4 : a.v6;
        const OutFamily& fb = afi == wire::Afi::ipv4 ? b.v4 : b.v6;
        nlri_scratch_.clear();
        for (uint32_t d = 0; d < fa.size(); ++d) {
            if (!fa.attrs[d] || fa.source[d] == member) continue;  // the member was not sent it
            if (d < fb.size() && fb.attrs[d] && fb.source[d] != member) continue;  // `to` sends it again
            nlri_scratch_.push_back(wire::Nlri{0, prefix_of(afi, d)});
        }
        if (nlri_scratch_.empty()) continue;
        wire::UpdatePacker packer(b.config.ctx);
        packer.withdraw(afi, nlri_scratch_, buf_scratch_);
        emit(buf_scratch_, out, member, no_peer);
    }
}

template void Rib::stage<V4Key>(Group&, uint32_t);
template void Rib::stage<V6Key>(Group&, uint32_t);

}  // namespace moat::rib
