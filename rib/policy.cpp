// Routing policy, compiled and evaluated; see policy.hpp.
#include "rib/policy.hpp"

#include <algorithm>

namespace moat::rib {

namespace {

bool bit(const wire::Prefix& p, unsigned i) { return (p.addr[i / 8] >> (7 - i % 8)) & 1; }

}  // namespace

// ---- prefix-list ---------------------------------------------------------------

PrefixListIndex::PrefixListIndex(const policy::PrefixList& list) : v6_(list.v6) {
    nodes_.emplace_back();
    // Entries are sorted by seq; each is linked at the end of its node's list
    // so a node's entries stay in seq order.
    for (const auto& e : list.entries) {
        uint32_t n = 0;
        for (unsigned i = 0; i < e.prefix.len; ++i) {
            const unsigned b = bit(e.prefix, i);
            if (nodes_[n].child[b] == 0) {
                nodes_[n].child[b] = static_cast<uint32_t>(nodes_.size());
                nodes_.emplace_back();
            }
            n = nodes_[n].child[b];
        }
        Entry x;
        x.seq = e.seq;
        x.permit = e.permit;
        const uint8_t max = e.prefix.max_len();
        x.min_len = e.ge ? *e.ge : e.prefix.len;
        x.max_len = e.le ? *e.le : (e.ge ? max : e.prefix.len);
        const auto id = static_cast<uint32_t>(entries_.size());
        entries_.push_back(x);
        uint32_t* link = &nodes_[n].entries;
        while (*link != none) link = &entries_[*link].next;
        *link = id;
    }
}

bool PrefixListIndex::permits(const wire::Prefix& p) const {
    if (p.v6 != v6_) return false;
    const Entry* best = nullptr;
    uint32_t n = 0;
    for (unsigned depth = 0;; ++depth) {
        for (uint32_t e = nodes_[n].entries; e != none; e = entries_[e].next) {
            const Entry& x = entries_[e];
            if (p.len < x.min_len || p.len > x.max_len) continue;
            if (!best || x.seq < best->seq) best = &x;
            break;  // later entries of this node have higher seqs
        }
        if (depth == p.len) break;
        const uint32_t next = nodes_[n].child[bit(p, depth)];
        if (next == 0) break;
        n = next;
    }
    return best && best->permit;
}

// ---- AS path and community lists -------------------------------------------------

AsPathMatcher::AsPathMatcher(const policy::AsPathList& list) {
    for (const auto& e : list.entries) {
        // The loader checked the expression; a failure here matches nothing.
        try {
            entries_.emplace_back(e.permit, std::regex(policy::as_path_regex_to_ecmascript(e.regex),
                                                       std::regex::ECMAScript | std::regex::nosubs |
                                                           std::regex::optimize));
        } catch (const std::regex_error&) {
        }
    }
}

bool AsPathMatcher::permits(const std::string& path) const {
    if (has_last_ && path == last_path_) return last_result_;
    bool result = false;
    for (const auto& [permit, re] : entries_)
        if (std::regex_search(path, re)) {
            result = permit;
            break;
        }
    last_path_ = path;
    last_result_ = result;
    has_last_ = true;
    return result;
}

CommunityMatcher::CommunityMatcher(const policy::CommunityList& list) {
    for (const auto& e : list.entries) {
        auto v = e.communities;
        std::sort(v.begin(), v.end());
        entries_.emplace_back(e.permit, std::move(v));
    }
}

bool CommunityMatcher::permits(const std::vector<uint32_t>& communities) const {
    for (const auto& [permit, needed] : entries_) {
        bool all = std::all_of(needed.begin(), needed.end(), [&](uint32_t c) {
            return std::find(communities.begin(), communities.end(), c) != communities.end();
        });
        if (all) return permit;
    }
    return false;
}

bool CommunityMatcher::deletes(uint32_t c) const {
    for (const auto& [permit, needed] : entries_)
        if (std::all_of(needed.begin(), needed.end(), [c](uint32_t x) { return x == c; })) return permit;
    return false;
}

LargeCommunityMatcher::LargeCommunityMatcher(const policy::LargeCommunityList& list) {
    for (const auto& e : list.entries) entries_.emplace_back(e.permit, e.communities);
}

bool LargeCommunityMatcher::permits(const std::vector<wire::LargeCommunity>& communities) const {
    for (const auto& [permit, needed] : entries_) {
        bool all = std::all_of(needed.begin(), needed.end(), [&](const wire::LargeCommunity& c) {
            return std::find(communities.begin(), communities.end(), c) != communities.end();
        });
        if (all) return permit;
    }
    return false;
}

// ---- route-map -------------------------------------------------------------------

namespace {

bool rpki_is(RpkiState s, policy::RpkiMatch m) {
    switch (m) {
    case policy::RpkiMatch::valid: return s == RpkiState::valid;
    case policy::RpkiMatch::invalid: return s == RpkiState::invalid;
    case policy::RpkiMatch::not_found: return s == RpkiState::not_found;
    }
    return false;
}

// Whether every match clause of the entry holds for the route (with the
// attributes as changed so far).
bool matches(const CompiledRouteMap::Entry& e, const PolicyRoute& r, const RouteAttrs& a) {
    const policy::RouteMapEntry& c = *e.config;
    if (e.undefined) return false;
    if (c.match_peer && (!r.peer || *r.peer != *c.match_peer)) return false;
    if (c.match_rpki && !rpki_is(r.rpki, *c.match_rpki)) return false;
    if (e.pl4 && (!r.prefix || !e.pl4->permits(*r.prefix))) return false;
    if (e.pl6 && (!r.prefix || !e.pl6->permits(*r.prefix))) return false;
    if (e.community && !e.community->permits(a.path.communities)) return false;
    if (e.large && !e.large->permits(a.path.large_communities)) return false;
    if (e.as_path) {
        if (r.as_path_text && &a == r.attrs) return e.as_path->permits(*r.as_path_text);
        static const wire::AsPath empty;
        if (!e.as_path->permits((a.path.as_path ? *a.path.as_path : empty).to_string())) return false;
    }
    return true;
}

void add_unique(std::vector<uint32_t>& v, uint32_t c) {
    if (std::find(v.begin(), v.end(), c) == v.end()) v.push_back(c);
}

void apply_sets(const CompiledRouteMap::Entry& e, RouteAttrs& a) {
    const policy::RouteMapEntry& c = *e.config;
    wire::PathAttributes& p = a.path;
    if (c.set_local_pref) p.local_pref = *c.set_local_pref;
    if (c.set_metric) p.med = *c.set_metric;
    if (c.set_community_none) p.communities.clear();
    if (c.set_community) {
        if (!c.set_community_additive) p.communities.clear();
        for (uint32_t x : *c.set_community) add_unique(p.communities, x);
    }
    if (e.delete_list)
        std::erase_if(p.communities, [&](uint32_t x) { return e.delete_list->deletes(x); });
    if (c.set_large_community) {
        if (!c.set_large_community_additive) p.large_communities.clear();
        for (const auto& x : *c.set_large_community)
            if (std::find(p.large_communities.begin(), p.large_communities.end(), x) == p.large_communities.end())
                p.large_communities.push_back(x);
    }
    if (!c.set_as_path_prepend.empty()) {
        if (!p.as_path) p.as_path.emplace();
        auto& segs = p.as_path->segments;
        if (segs.empty() || segs.front().type != wire::SegmentType::as_sequence ||
            segs.front().asns.size() + c.set_as_path_prepend.size() > 255)
            segs.insert(segs.begin(), wire::AsSegment{wire::SegmentType::as_sequence, {}});
        auto& asns = segs.front().asns;
        asns.insert(asns.begin(), c.set_as_path_prepend.begin(), c.set_as_path_prepend.end());
    }
    if (c.set_next_hop_v4) {
        // An IPv4 route's NEXT_HOP; an IPv4 next hop in MP_REACH otherwise.
        if (a.mp_next_hop && a.mp_next_hop->v6)
            ;  // an IPv6 route keeps its IPv6 next hop
        else
            p.next_hop = c.set_next_hop_v4->v4_value();
    }
    if (c.set_next_hop_v6 && a.mp_next_hop && a.mp_next_hop->v6) {
        a.mp_next_hop = *c.set_next_hop_v6;
        a.mp_link_local.reset();
    }
}

}  // namespace

namespace {

// An entry that matches every route, changes nothing and ends the map.
bool passes_everything(const policy::RouteMapEntry& e) {
    const bool matches_all = e.match_prefix_list_v4.empty() && e.match_prefix_list_v6.empty() &&
                             e.match_as_path.empty() && e.match_community.empty() &&
                             e.match_large_community.empty() && !e.match_rpki && !e.match_peer;
    const bool sets_nothing = !e.set_local_pref && !e.set_metric && !e.set_community_none && !e.set_community &&
                              e.set_comm_list_delete.empty() && !e.set_large_community &&
                              e.set_as_path_prepend.empty() && !e.set_next_hop_v4 && !e.set_next_hop_v6;
    return e.permit && matches_all && sets_nothing && !e.on_match_next && !e.continue_seq;
}

}  // namespace

PolicyVerdict CompiledRouteMap::evaluate(const PolicyRoute& r, std::optional<RouteAttrs>& out) const {
    PolicyVerdict v;
    bool accepted = false;
    size_t i = 0;
    while (i < entries.size()) {
        const Entry& e = entries[i];
        const RouteAttrs& current = out ? *out : *r.attrs;
        if (!matches(e, r, current)) {
            ++i;
            continue;
        }
        v.seq = e.config->seq;
        if (!e.config->permit) {
            v.permit = false;
            return v;
        }
        if (!out) out = *r.attrs;
        apply_sets(e, *out);
        accepted = true;
        if (e.config->on_match_next) {
            ++i;
        } else if (e.config->continue_seq) {
            i = e.continue_to;
        } else {
            break;
        }
    }
    v.permit = accepted;
    if (out && *out == *r.attrs) out.reset();
    return v;
}

std::string CompiledRouteMap::describe(const PolicyVerdict& v) const {
    if (v.seq == 0) return "route-map " + name + ": no entry matched";
    return "route-map " + name + " seq " + std::to_string(v.seq);
}

Policy::Policy(const policy::PolicyConfig& config, const std::vector<NeighborPolicy>& neighbors,
               bool ebgp_requires_policy)
    : config_(config), ebgp_requires_policy_(ebgp_requires_policy) {
    for (const auto& l : config_.prefix_lists)
        (l.v6 ? pl6_ : pl4_)[l.name] = std::make_unique<PrefixListIndex>(l);
    for (const auto& l : config_.as_path_lists) as_path_[l.name] = std::make_unique<AsPathMatcher>(l);
    for (const auto& l : config_.community_lists) community_[l.name] = std::make_unique<CommunityMatcher>(l);
    for (const auto& l : config_.large_community_lists)
        large_[l.name] = std::make_unique<LargeCommunityMatcher>(l);
    for (const auto& m : config_.route_maps) {
        auto cm = std::make_unique<CompiledRouteMap>();
        cm->name = m.name;
        for (const auto& e : m.entries) {
            CompiledRouteMap::Entry x;
            x.config = &e;
            auto find = [&x](const auto& table, const std::string& name) -> decltype(table.begin()->second.get()) {
                if (name.empty()) return nullptr;
                auto it = table.find(name);
                if (it == table.end()) {
                    x.undefined = true;
                    return nullptr;
                }
                return it->second.get();
            };
            x.pl4 = find(pl4_, e.match_prefix_list_v4);
            x.pl6 = find(pl6_, e.match_prefix_list_v6);
            x.as_path = find(as_path_, e.match_as_path);
            x.community = find(community_, e.match_community);
            x.large = find(large_, e.match_large_community);
            if (!e.set_comm_list_delete.empty()) {
                auto it = community_.find(e.set_comm_list_delete);
                if (it != community_.end()) x.delete_list = it->second.get();
            }
            if (x.pl4 || x.pl6 || e.match_rpki) cm->needs_prefix = true;
            cm->entries.push_back(x);
        }
        cm->passes_all = !cm->entries.empty() && passes_everything(*cm->entries.front().config);
        for (size_t i = 0; i < cm->entries.size(); ++i) {
            auto& x = cm->entries[i];
            x.continue_to = cm->entries.size();
            if (!x.config->continue_seq) continue;
            const uint32_t target = *x.config->continue_seq;
            if (target == 0) {
                x.continue_to = i + 1;
                continue;
            }
            for (size_t j = i + 1; j < cm->entries.size(); ++j)
                if (cm->entries[j].config->seq >= target) {
                    x.continue_to = j;
                    break;
                }
        }
        maps_[m.name] = std::move(cm);
    }
    for (const auto& n : neighbors) {
        if (n.in.empty()) continue;
        In in{n.in, route_map(n.in)};
        if (in.map && in.map->needs_prefix) import_needs_prefix_ = true;
        import_[n.address] = std::move(in);
    }
}

const CompiledRouteMap* Policy::route_map(const std::string& name) const {
    auto it = maps_.find(name);
    return it == maps_.end() ? nullptr : it->second.get();
}

const CompiledRouteMap* Policy::import_map(const wire::IpAddress& neighbor) const {
    auto it = import_.find(neighbor);
    return it == import_.end() ? nullptr : it->second.map;
}

bool Policy::has_import_map(const wire::IpAddress& neighbor) const { return import_.count(neighbor) > 0; }

// ---- the import step -------------------------------------------------------------

Reason RouteMapImport::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    current_ = nullptr;
    cached_set_ = nullptr;
    current_peer_ = ctx.peer_id;
    if (!policy_) return Reason::none;
    if (!policy_->has_import_map(ctx.peer.address)) {
        // RFC 8212 8.1: no import policy on an eBGP session: nothing accepted.
        if (!ctx.ibgp && policy_->ebgp_requires_policy()) {
            if (ctx.detail) *ctx.detail = "no import route-map (RFC 8212; `no bgp ebgp-requires-policy` to accept)";
            return Reason::no_policy;
        }
        return Reason::none;
    }
    const CompiledRouteMap* map = policy_->import_map(ctx.peer.address);
    if (!map) {  // names an undefined route-map: deny, as FRR does
        if (ctx.detail) *ctx.detail = "route-map is not defined";
        return Reason::policy;
    }
    if (map->passes_all) return Reason::none;
    if (map->needs_prefix) {
        current_ = map;  // evaluated per prefix
        return Reason::none;
    }
    PolicyRoute r;
    r.peer = &ctx.peer.address;
    r.attrs = &edit.get();
    std::optional<RouteAttrs> out;
    const PolicyVerdict v = map->evaluate(r, out);
    if (!v.permit) {
        if (ctx.detail) *ctx.detail = map->describe(v);
        return Reason::policy;
    }
    if (out) edit.modify() = std::move(*out);
    return Reason::none;
}

Reason RouteMapImport::check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) {
    if (!current_ || current_peer_ != ctx.peer_id) return Reason::none;
    PolicyRoute r;
    r.prefix = &route.prefix;
    r.rpki = route.rpki;
    r.peer = &ctx.peer.address;
    if (edit.modified()) {
        r.attrs = &edit.value();  // an earlier step changed this route's attributes
    } else {
        if (cached_set_ != &edit.set()) {
            cached_ = edit.set().value();
            cached_path_ = cached_.path.as_path ? cached_.path.as_path->to_string() : std::string();
            cached_set_ = &edit.set();
        }
        r.attrs = &cached_;
        r.as_path_text = &cached_path_;
    }
    std::optional<RouteAttrs> out;
    const PolicyVerdict v = current_->evaluate(r, out);
    if (!v.permit) {
        if (ctx.detail) *ctx.detail = current_->describe(v);
        return Reason::policy;
    }
    if (out) edit.modify() = std::move(*out);
    return Reason::none;
}

}  // namespace moat::rib
