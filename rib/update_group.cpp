// See update_group.hpp.
#include "rib/update_group.hpp"

#include <algorithm>

namespace moat::rib {

namespace {

bool same_context(const wire::SessionContext& a, const wire::SessionContext& b) {
    return a.four_octet_as == b.four_octet_as && a.extended_message == b.extended_message &&
           a.add_path_rx_v4 == b.add_path_rx_v4 && a.add_path_rx_v6 == b.add_path_rx_v6 &&
           a.add_path_tx_v4 == b.add_path_tx_v4 && a.add_path_tx_v6 == b.add_path_tx_v6 && a.ibgp == b.ibgp &&
           a.extended_next_hop_v4 == b.extended_next_hop_v4;
}

}  // namespace

bool same_group(const GroupConfig& a, const GroupConfig& b) {
    return a.ebgp == b.ebgp && a.rr_clients == b.rr_clients && a.next_hop_self == b.next_hop_self &&
           a.local_v4 == b.local_v4 && a.local_v6 == b.local_v6 && a.local_v6_link_local == b.local_v6_link_local &&
           a.ipv4 == b.ipv4 && a.ipv6 == b.ipv6 && a.role == b.role && same_context(a.ctx, b.ctx) &&
           a.out_map == b.out_map && a.export_none == b.export_none;
}

std::pair<size_t, bool> UpdateGroups::group_for(const GroupConfig& config, bool default_originate) {
    size_t free = groups_.size();
    for (size_t i = 0; i < groups_.size(); ++i) {
        if (!groups_[i].live) {
            free = std::min(free, i);
            continue;
        }
        if (groups_[i].default_originate == default_originate && same_group(rib_.group_config(groups_[i].id), config))
            return {i, false};
    }
    Group g;
    g.id = rib_.add_group(config);
    g.default_originate = default_originate;
    g.live = true;
    if (free == groups_.size())
        groups_.push_back(std::move(g));
    else
        groups_[free] = std::move(g);
    return {free, true};
}

void UpdateGroups::attach(PeerId member, Member& m, size_t group, const GroupConfig& config) {
    Group& g = groups_[group];
    m.group = group;
    m.seq = g.base + g.log.size();  // reads the log from now on
    m.unsendable_base = rib_.unsendable(g.id);
    m.config = config;
    rib_.join_group(g.id, member);
    g.members.push_back(member);
}

void UpdateGroups::enter(PeerId member, Member& m, const GroupConfig& config, bool default_originate) {
    const auto [gi, created] = group_for(config, default_originate);
    attach(member, m, gi, config);
    if (created) {
        // A new group has its whole Adj-RIB-Out staged: packing sends it.
        m.initial_from_log = true;
    } else {
        Dump d;
        d.initial = true;
        m.dumps.push_back(d);
    }
}

void UpdateGroups::join(PeerId member, const GroupConfig& config, bool default_originate) {
    if (members_.count(member)) leave(member);
    Member& m = members_[member];
    enter(member, m, config, default_originate);
}

std::vector<PeerId> UpdateGroups::leave(PeerId member) {
    auto it = members_.find(member);
    if (it == members_.end()) return {};
    const size_t gi = it->second.group;
    members_.erase(it);
    Group& g = groups_[gi];
    g.members.erase(std::remove(g.members.begin(), g.members.end(), member), g.members.end());
    rib_.leave_group(g.id, member);
    trim(gi);
    drop_if_empty(gi);
    std::vector<PeerId> woken;
    woken.swap(woken_);
    return woken;
}

void UpdateGroups::drop_if_empty(size_t group) {
    Group& g = groups_[group];
    if (!g.live || !g.members.empty()) return;
    // Nobody reads its log or Adj-RIB-Out any more: both go, with the
    // attribute sets and destinations they held.
    rib_.remove_group(g.id);
    g = Group{};
}

const GroupConfig& UpdateGroups::config_of(PeerId member) const { return members_.at(member).config; }

void UpdateGroups::wrap(std::vector<OutMessage>& in, std::vector<std::shared_ptr<const wire::Buffer>>& out) {
    for (auto& o : in) out.push_back(std::make_shared<const wire::Buffer>(std::move(o.bytes)));
    in.clear();
}

bool UpdateGroups::change_export(PeerId member, const GroupConfig& config,
                                 std::vector<std::shared_ptr<const wire::Buffer>>& out) {
    Member& m = members_.at(member);
    if (same_group(config, m.config)) {
        // Same group, new route-map content: the differences only.
        rib_.restage(groups_[m.group].id);
        return false;
    }
    // What the old group's log still holds for it goes out first, so that
    // the withdrawals below are computed against what it was sent.
    const size_t old = m.group;
    {
        const Group& og = groups_[old];
        for (; m.seq < og.base + og.log.size(); ++m.seq) {
            const Entry& e = og.log[m.seq - og.base];
            if (for_member(e, member)) out.push_back(e.bytes);
        }
    }
    const bool dflt = groups_[old].default_originate;
    // A member still getting its initial table gets it from the new group,
    // and End-of-RIB (and the default route) after it, as before the move.
    const bool initial_pending =
        m.initial_from_log || std::any_of(m.dumps.begin(), m.dumps.end(), [](const Dump& d) { return d.initial; });
    groups_[old].members.erase(std::remove(groups_[old].members.begin(), groups_[old].members.end(), member),
                               groups_[old].members.end());
    rib_.leave_group(groups_[old].id, member);
    const auto [gi, created] = group_for(config, dflt);
    scratch_.clear();
    rib_.withdraw_difference(groups_[old].id, groups_[gi].id, member, scratch_);
    wrap(scratch_, out);
    trim(old);
    drop_if_empty(old);
    attach(member, m, gi, config);
    // The old group's dumps are void: what the new group sends replaces them.
    // A route refresh under way still ends with its EoRR: its family is sent
    // again from the new group, then the EoRR (RFC 7313 allows repeats
    // between BoRR and EoRR).
    std::vector<wire::AfiSafi> refreshes;
    for (const Dump& d : m.dumps)
        if (d.refresh_end) refreshes.push_back(d.family);
    m.dumps.clear();
    m.initial_from_log = false;
    if (!created) {
        // An existing group: its whole Adj-RIB-Out, as after a route refresh.
        Dump d;
        d.initial = initial_pending;
        m.dumps.push_back(d);
    } else {
        m.initial_from_log = initial_pending;  // a new group staged everything: its log brings it
    }
    for (const auto& family : refreshes) resend(member, family, true);
    return true;
}

void UpdateGroups::resend(PeerId member, wire::AfiSafi family, bool refresh_end) {
    auto it = members_.find(member);
    if (it == members_.end()) return;
    Dump d;
    d.cursor.afi = family.afi;
    d.cursor.one_family = true;
    d.family = family;
    d.refresh_end = refresh_end;
    it->second.dumps.push_back(d);
}

bool UpdateGroups::next(PeerId member, Step& step) {
    step.updates.clear();
    step.event = Event::none;
    step.packed = false;
    auto it = members_.find(member);
    if (it == members_.end()) return false;
    Member& m = it->second;
    Group& g = groups_[m.group];
    // 1. What the group packed, in order.
    while (m.seq < g.base + g.log.size()) {
        const Entry& e = g.log[m.seq - g.base];
        ++m.seq;
        if (!for_member(e, member)) continue;
        step.updates.push_back(e.bytes);
        return true;
    }
    // 2. Dumps to this member alone, one slice at a time.
    if (!m.dumps.empty()) {
        Dump& d = m.dumps.front();
        scratch_.clear();
        rib_.dump_slice(g.id, member, d.cursor, limits_.dump_routes, scratch_);
        wrap(scratch_, step.updates);
        if (!d.cursor.done) return true;
        const Dump done = d;
        m.dumps.pop_front();
        if (done.initial) {
            if (g.default_originate) {
                rib_.default_route(g.id, member, scratch_);
                wrap(scratch_, step.updates);
            }
            step.event = Event::initial_done;
        } else if (done.refresh_end) {
            step.event = Event::refresh_done;
            step.family = done.family;
        }
        return true;
    }
    // 3. More from the RIB, unless the slowest member is too far behind.
    if (rib_.has_pending(g.id)) {
        if (g.log_bytes >= limits_.log_bytes) {
            m.waiting = true;
            return false;
        }
        scratch_.clear();
        rib_.pack(g.id, scratch_, limits_.pack_routes);
        for (auto& o : scratch_) {
            g.log_bytes += o.bytes.size();
            g.log.push_back(Entry{std::make_shared<const wire::Buffer>(std::move(o.bytes)), o.only, o.except});
        }
        scratch_.clear();
        step.packed = true;
        return true;
    }
    // 4. A new group's first member: its table came through the log.
    if (m.initial_from_log) {
        m.initial_from_log = false;
        if (g.default_originate) {
            scratch_.clear();
            rib_.default_route(g.id, member, scratch_);
            wrap(scratch_, step.updates);
        }
        step.event = Event::initial_done;
        return true;
    }
    return false;
}

void UpdateGroups::trim(size_t group) {
    Group& g = groups_[group];
    uint64_t low = g.base + g.log.size();
    for (PeerId p : g.members) low = std::min(low, members_.at(p).seq);
    bool freed = false;
    while (g.base < low) {
        g.log_bytes -= g.log.front().bytes->size();
        g.log.pop_front();
        ++g.base;
        freed = true;
    }
    if (!freed) return;
    // Members that stopped because the log was full may go on.
    for (PeerId p : g.members) {
        Member& m = members_.at(p);
        if (!m.waiting) continue;
        m.waiting = false;
        woken_.push_back(p);
    }
}

std::vector<PeerId> UpdateGroups::release(PeerId member) {
    auto it = members_.find(member);
    if (it != members_.end()) trim(it->second.group);
    std::vector<PeerId> woken;
    woken.swap(woken_);
    return woken;
}

std::vector<PeerId> UpdateGroups::group_mates(PeerId member) const {
    auto it = members_.find(member);
    if (it == members_.end()) return {};
    std::vector<PeerId> out;
    for (PeerId p : groups_[it->second.group].members)
        if (p != member) out.push_back(p);
    return out;
}

std::vector<PeerId> UpdateGroups::pending_members() const {
    std::vector<PeerId> out;
    for (const Group& g : groups_)
        if (g.live && rib_.has_pending(g.id)) out.insert(out.end(), g.members.begin(), g.members.end());
    return out;
}

GroupId UpdateGroups::group_id(PeerId member) const { return groups_[members_.at(member).group].id; }

size_t UpdateGroups::advertised(PeerId member, wire::Afi afi) const {
    auto it = members_.find(member);
    if (it == members_.end()) return 0;
    return rib_.advertised(groups_[it->second.group].id, member, afi);
}

size_t UpdateGroups::unsendable(PeerId member) const {
    auto it = members_.find(member);
    if (it == members_.end()) return 0;
    return rib_.unsendable(groups_[it->second.group].id) - it->second.unsendable_base;
}

size_t UpdateGroups::size() const {
    return static_cast<size_t>(std::count_if(groups_.begin(), groups_.end(), [](const Group& g) { return g.live; }));
}

}  // namespace moat::rib
