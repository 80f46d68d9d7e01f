// The RIB's read models, built from the RIB for the show commands (see
// views.hpp): route tables as resumable walks, the rejected routes, memory.
#include "rib/views.hpp"

#include <cstdio>
#include <unistd.h>

namespace moat::rib {

namespace {

// A walk over the Loc-RIB or one neighbor's tables, by destination index:
// indices are stable while the table changes between slices, and a freed
// one is skipped. It ends when the routing table or the neighbor's session
// goes away (the `source` callback says so before each call). One prefix (without longer-prefixes) is looked up, not
// searched for; otherwise a call looks at a bounded number of destinations,
// so a sparse result (longer-prefixes of a small block) never holds the
// event loop for a scan of the whole table.
class RibWalk final : public RouteWalk {
public:
    RibWalk(const Rib& rib, const RouteQuery& q, WalkSource source)
        : rib_(rib), q_(q), source_(std::move(source)) {}

    bool next(std::vector<RouteInfo>& out, size_t max_prefixes) override {
        if (done_) return false;
        PeerId id = no_peer;
        GroupId group = 0;
        if (!source_(id, group)) return false;
        const Rib& rib = rib_;
        if (q_.prefix && !q_.longer && !positioned_) {
            positioned_ = true;
            const uint32_t d = rib.dest_index(*q_.prefix);
            if (d == no_index) {
                done_ = true;
                return false;
            }
            index_ = d;
            end_ = d + 1;
        }
        const uint32_t bound = std::min(end_, rib.dest_bound(q_.afi));
        // At most max_prefixes shown and a bounded number scanned per call.
        size_t scanned = 0;
        for (size_t n = 0; n < max_prefixes && index_ < bound && scanned < max_scan; ++index_, ++scanned) {
            wire::Prefix p;
            BestReason reason;
            if (!rib.dest_at(q_.afi, index_, p, reason, routes_)) continue;
            if (!selected(p)) continue;
            ++n;
            if (q_.table == RouteTable::advertised) {
                const AttrSet* attrs = nullptr;
                PeerId source = no_peer;
                if (!rib.out_at(group, id, q_.afi, index_, attrs, source)) continue;
                RouteInfo ri = info(p, rib.exported(group, source, *attrs, q_.afi));
                ri.best = true;
                out.push_back(std::move(ri));
                continue;
            }
            for (const RouteView& v : routes_) {
                if (id != no_peer && v.peer != id) continue;
                if (q_.rpki && v.rpki() != *q_.rpki) continue;
                const bool rejected = (v.flags & Route::rejected) != 0;
                if (q_.table == RouteTable::accepted && rejected) continue;
                const AttrSet* a = q_.table == RouteTable::received ? v.received : v.attrs;
                RouteInfo ri = info(p, a->value());
                if (v.peer != local_peer) {
                    const PeerInfo& pi = rib.peer(v.peer);
                    ri.peer = pi.address;
                    ri.peer_asn = pi.asn;
                    ri.peer_router_id = pi.router_id;
                }
                ri.best = (v.flags & Route::best) != 0;
                ri.rpki = v.rpki();
                ri.rejected = rejected;
                ri.unusable = (v.flags & Route::unusable) != 0;
                if (rejected)
                    ri.reason = std::string(to_string(v.reason));
                else if (ri.best)
                    ri.reason = std::string(to_string(reason));
                out.push_back(std::move(ri));
            }
        }
        if (index_ >= bound) done_ = true;
        return !done_;
    }

private:
    bool selected(const wire::Prefix& p) const {
        if (!q_.prefix) return true;
        const wire::Prefix& outer = *q_.prefix;
        if (outer.v6 != p.v6 || p.len < outer.len || (!q_.longer && p.len != outer.len)) return false;
        return wire::Prefix::make(p.address(), outer.len) == outer;
    }

    static RouteInfo info(const wire::Prefix& p, RouteAttrs a) {
        RouteInfo ri;
        ri.prefix = p;
        if (a.mp_next_hop)
            ri.next_hop = a.mp_next_hop;
        else if (a.path.next_hop)
            ri.next_hop = wire::IpAddress::v4(*a.path.next_hop);
        ri.link_local = a.mp_link_local;
        ri.attrs = std::move(a.path);
        return ri;
    }

    const Rib& rib_;
    RouteQuery q_;
    WalkSource source_;
    static constexpr size_t max_scan = 4096;  // destinations looked at per call
    uint32_t index_ = 0;
    uint32_t end_ = UINT32_MAX;  // one past the last index to look at
    bool positioned_ = false;    // the one prefix was looked up
    bool done_ = false;
    std::vector<RouteView> routes_;
};

}  // namespace

std::unique_ptr<RouteWalk> route_walk(const Rib& rib, const RouteQuery& q, WalkSource source) {
    return std::make_unique<RibWalk>(rib, q, std::move(source));
}

RejectedList rejected_list(const Rib& rib, const RejectedQuery& q, std::span<const std::pair<wire::IpAddress, PeerId>> peers,
                           std::string& error) {
    RejectedList out;
    std::optional<Reason> reason;
    if (q.reason) {
        reason = reason_from_string(*q.reason);
        if (!reason) {
            error = "unknown reason '" + *q.reason + "' (" ;
            for (size_t r = 1; r < reason_slots; ++r) {
                auto name = to_string(static_cast<Reason>(r));
                if (name == "unknown") break;
                error += (r > 1 ? ", " : "") + std::string(name);
            }
            error += ")";
            return out;
        }
    }
    const RejectedStore& store = rib.rejected();
    out.records = store.size();
    out.limit = store.limit();
    out.evicted = store.evicted();
    std::optional<PeerId> only;
    if (q.neighbor) {
        only = no_peer;
        for (const auto& [address, id] : peers)
            if (address == *q.neighbor) only = id;
    }
    for (const auto& [address, id] : peers) {
        if (only && id != *only) continue;
        const auto& c = rib.peer_counts(id);
        if (!reason) {
            out.held += c.rejected_v4 + c.rejected_v6;
        } else if (*reason != Reason::malformed) {
            out.held += c.by_reason_v4[static_cast<size_t>(*reason)] + c.by_reason_v6[static_cast<size_t>(*reason)];
        }
    }
    store.for_each([&](const RejectedRecord& r) {
        if (only && r.peer != *only) return;
        if (reason && r.reason != *reason) return;
        if (q.prefix && r.prefix != *q.prefix) return;
        RejectedInfo ri;
        ri.prefix = r.prefix;
        const PeerInfo& pi = rib.peer(r.peer);
        ri.peer = pi.address;
        ri.peer_asn = pi.asn;
        ri.reason = std::string(to_string(r.reason));
        ri.detail = r.detail;
        ri.when = r.when;
        if (r.reason != Reason::malformed)
            for (const RouteView& v : rib.routes(r.prefix))
                if (v.peer == r.peer) ri.attrs = v.received->value().path;
        out.routes.push_back(std::move(ri));
    });
    return out;
}

MemoryView memory_view(const Rib& rib, size_t update_groups) {
    MemoryView m;
    const auto c = rib.counters();
    m.prefixes_v4 = c.v4_prefixes;
    m.prefixes_v6 = c.v6_prefixes;
    m.routes = c.routes;
    m.attr_sets = c.attr_sets;
    m.update_groups = update_groups;
    m.rib_bytes = rib.memory_bytes();
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        unsigned long size = 0, resident = 0;
        if (std::fscanf(f, "%lu %lu", &size, &resident) == 2)
            m.rss_bytes = resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
        std::fclose(f);
    }
    return m;
}

}  // namespace moat::rib
