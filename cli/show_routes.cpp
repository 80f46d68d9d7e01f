// See show_routes.hpp.
#include "cli/show_routes.hpp"

#include "cli/json.hpp"

#include <fmt/format.h>

#include <chrono>

namespace moat::cli {

namespace {

std::string origin_text(const std::optional<wire::Origin>& o) {
    if (!o) return "?";
    switch (*o) {
    case wire::Origin::igp: return "i";
    case wire::Origin::egp: return "e";
    case wire::Origin::incomplete: return "?";
    }
    return "?";
}

std::string origin_json(wire::Origin o) {
    switch (o) {
    case wire::Origin::igp: return "igp";
    case wire::Origin::egp: return "egp";
    case wire::Origin::incomplete: return "incomplete";
    }
    return "incomplete";
}

// The RPKI state as the JSON output names it.
const char* rpki_json(rib::RpkiState s) {
    switch (s) {
    case rib::RpkiState::valid: return "valid";
    case rib::RpkiState::invalid: return "invalid";
    case rib::RpkiState::not_found: return "not-found";
    case rib::RpkiState::unchecked: return "unchecked";
    }
    return "unchecked";
}

std::string v4(uint32_t a) { return wire::IpAddress::v4(a).to_string(); }

std::string_view table_title(bgp::RouteTable t) {
    switch (t) {
    case bgp::RouteTable::loc_rib: return "routes";
    case bgp::RouteTable::received: return "routes received from";
    case bgp::RouteTable::accepted: return "routes accepted from";
    case bgp::RouteTable::advertised: return "routes advertised to";
    }
    return "routes";
}

class RouteOutput final : public Output {
public:
    RouteOutput(std::vector<std::unique_ptr<bgp::RouteWalk>> walks, std::vector<bgp::RouteQuery> queries, bool json)
        : walks_(std::move(walks)), queries_(std::move(queries)), json_(json) {}

    // A slice ends at about `budget` bytes, or after about max_work of
    // walking when the walk finds little to show (a sparse longer-prefixes),
    // so the event loop gets back to the sessions between slices either way.
    static constexpr auto max_work = std::chrono::milliseconds(5);

    bool next(std::string& out, size_t budget) override {
        const size_t start = out.size();
        const auto t0 = std::chrono::steady_clock::now();
        if (json_ && !opened_) {
            out += "{\"routes\":[";
            opened_ = true;
        }
        while (current_ < walks_.size() && out.size() - start < budget) {
            const bgp::RouteQuery& q = queries_[current_];
            if (!json_ && !header_) {
                out += fmt::format("{} unicast {}{}\n", q.afi == wire::Afi::ipv4 ? "IPv4" : "IPv6",
                                   table_title(q.table),
                                   q.table == bgp::RouteTable::loc_rib ? "" : " " + q.neighbor.to_string());
                out += "Status codes: * valid, > best, r rejected, x next hop unusable; "
                       "RPKI: V valid, I invalid, N not found\n";
                out += fmt::format("    {:<24} {:<20} {:>7} {:>7}  {:<16} {}\n", "Network", "Next Hop", "LocPrf",
                                   "MED", "Peer", "Path");
                header_ = true;
            }
            batch_.clear();
            bool more = walks_[current_]->next(batch_, 64);
            for (const auto& r : batch_) {
                ++shown_;
                if (json_) {
                    if (!first_) out += ',';
                    first_ = false;
                    out += route_json(r);
                } else {
                    out += route_text_line(r, q.table == bgp::RouteTable::advertised);
                }
            }
            if (!more) {
                if (!json_) out += fmt::format("{} route(s)\n", shown_);
                if (!json_ && current_ + 1 < walks_.size()) out += '\n';
                shown_ = 0;
                header_ = false;
                ++current_;
            } else if (std::chrono::steady_clock::now() - t0 > max_work) {
                return true;  // an empty slice is fine: the server writes nothing and comes back
            }
        }
        if (current_ < walks_.size()) return true;
        if (json_) out += "]}\n";
        return false;
    }

private:
    std::vector<std::unique_ptr<bgp::RouteWalk>> walks_;
    std::vector<bgp::RouteQuery> queries_;
    bool json_;
    size_t current_ = 0;
    bool opened_ = false, header_ = false, first_ = true;
    size_t shown_ = 0;
    std::vector<bgp::RouteInfo> batch_;
};

ExecResult fail(std::string s) { return ExecResult{false, "% " + std::move(s), nullptr}; }
ExecResult text(std::string s) { return ExecResult{true, {}, std::make_unique<TextOutput>(std::move(s))}; }

ExecResult run(bgp::Control& c, std::vector<bgp::RouteQuery> qs, bool json) {
    std::vector<std::unique_ptr<bgp::RouteWalk>> walks;
    for (const auto& q : qs) {
        std::string error;
        auto w = c.routes(q, error);
        if (!w) return fail(error);
        walks.push_back(std::move(w));
    }
    return ExecResult{true, {}, route_output(std::move(walks), std::move(qs), json)};
}

ExecResult loc_rib(bgp::Control& c, wire::Afi afi, const wire::Prefix* p, bool longer, bool json) {
    bgp::RouteQuery q;
    q.afi = afi;
    if (p) q.prefix = *p;
    q.longer = longer;
    return run(c, {q}, json);
}

ExecResult neighbor_table(bgp::Control& c, const wire::IpAddress& a, bgp::RouteTable t, bool json) {
    std::vector<bgp::RouteQuery> qs;
    for (auto afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        bgp::RouteQuery q;
        q.table = t;
        q.afi = afi;
        q.neighbor = a;
        qs.push_back(q);
    }
    return run(c, std::move(qs), json);
}

}  // namespace

std::unique_ptr<Output> route_output(std::vector<std::unique_ptr<bgp::RouteWalk>> walks,
                                     std::vector<bgp::RouteQuery> queries, bool json) {
    return std::make_unique<RouteOutput>(std::move(walks), std::move(queries), json);
}

std::string route_text_line(const bgp::RouteInfo& r, bool advertised) {
    std::string status;
    status += r.rejected ? 'r' : (r.unusable ? 'x' : '*');
    status += r.best && !advertised ? '>' : ' ';
    switch (r.rpki) {
    case rib::RpkiState::valid: status += 'V'; break;
    case rib::RpkiState::invalid: status += 'I'; break;
    case rib::RpkiState::not_found: status += 'N'; break;
    case rib::RpkiState::unchecked: status += ' '; break;
    }
    const auto& a = r.attrs;
    std::string path = a.as_path ? a.as_path->to_string() : "";
    if (!path.empty()) path += ' ';
    path += origin_text(a.origin);
    std::string line = fmt::format("{} {:<24} {:<20} {:>7} {:>7}  {:<16} {}", status, r.prefix.to_string(),
                                   r.next_hop ? r.next_hop->to_string() : "-",
                                   a.local_pref ? std::to_string(*a.local_pref) : "-",
                                   a.med ? std::to_string(*a.med) : "-", r.peer ? r.peer->to_string() : "local", path);
    if (!r.reason.empty()) line += fmt::format("  ({}{})", r.rejected ? "rejected: " : "best: ", r.reason);
    return line + "\n";
}

std::string route_json(const bgp::RouteInfo& r) {
    JsonWriter j;
    const auto& a = r.attrs;
    j.begin_object();
    j.field("prefix", r.prefix.to_string());
    j.key("peer");
    if (r.peer)
        j.value(r.peer->to_string());
    else
        j.null();
    j.field("peer_as", r.peer_asn);
    j.field("peer_router_id", v4(r.peer_router_id));
    j.field("best", r.best).field("rejected", r.rejected).field("unusable", r.unusable);
    j.field("reason", r.reason);
    j.field("rpki", rpki_json(r.rpki));
    j.key("next_hop");
    if (r.next_hop)
        j.value(r.next_hop->to_string());
    else
        j.null();
    if (r.link_local) j.field("link_local_next_hop", r.link_local->to_string());
    j.key("origin");
    if (a.origin)
        j.value(origin_json(*a.origin));
    else
        j.null();
    j.field("as_path", a.as_path ? a.as_path->to_string() : std::string());
    j.key("local_pref");
    if (a.local_pref)
        j.value(*a.local_pref);
    else
        j.null();
    j.key("med");
    if (a.med)
        j.value(*a.med);
    else
        j.null();
    j.key("communities").begin_array();
    for (uint32_t c : a.communities) j.value(wire::community_to_string(c));
    j.end_array();
    j.key("large_communities").begin_array();
    for (const auto& l : a.large_communities)
        j.value(fmt::format("{}:{}:{}", l.global, l.local1, l.local2));
    j.end_array();
    j.field("atomic_aggregate", a.atomic_aggregate);
    if (a.originator_id) j.field("originator_id", v4(*a.originator_id));
    j.key("cluster_list").begin_array();
    for (uint32_t c : a.cluster_list) j.value(v4(c));
    j.end_array();
    j.key("otc");  // RFC 9234 Only to Customer
    if (a.otc)
        j.value(*a.otc);
    else
        j.null();
    j.end_object();
    return j.str();
}

std::string show_memory_text(const bgp::MemoryView& m) {
    return fmt::format(
        "Prefixes: {} IPv4, {} IPv6\nRoutes (paths, all peers): {}\nAttribute sets: {}\nUpdate groups: {}\n"
        "RIB memory: {} bytes ({:.1f} MiB)\nProcess resident: {} bytes ({:.1f} MiB)\n",
        m.prefixes_v4, m.prefixes_v6, m.routes, m.attr_sets, m.update_groups, m.rib_bytes,
        static_cast<double>(m.rib_bytes) / 1048576.0,
        m.rss_bytes, static_cast<double>(m.rss_bytes) / 1048576.0);
}

std::string show_memory_json(const bgp::MemoryView& m) {
    JsonWriter j;
    j.begin_object();
    j.field("prefixes_ipv4", uint64_t{m.prefixes_v4}).field("prefixes_ipv6", uint64_t{m.prefixes_v6});
    j.field("routes", uint64_t{m.routes}).field("attribute_sets", uint64_t{m.attr_sets});
    j.field("update_groups", uint64_t{m.update_groups});
    j.field("rib_bytes", uint64_t{m.rib_bytes}).field("rss_bytes", uint64_t{m.rss_bytes});
    j.end_object();
    return j.str() + "\n";
}

namespace routes {

ExecResult loc_rib_v4(bgp::Control& c, const Args&, Time) { return loc_rib(c, wire::Afi::ipv4, nullptr, false, false); }
ExecResult loc_rib_v4_json(bgp::Control& c, const Args&, Time) { return loc_rib(c, wire::Afi::ipv4, nullptr, false, true); }
ExecResult loc_rib_v6(bgp::Control& c, const Args&, Time) { return loc_rib(c, wire::Afi::ipv6, nullptr, false, false); }
ExecResult loc_rib_v6_json(bgp::Control& c, const Args&, Time) { return loc_rib(c, wire::Afi::ipv6, nullptr, false, true); }
ExecResult prefix_v4(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv4, &a[0].prefix, false, false); }
ExecResult prefix_v4_json(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv4, &a[0].prefix, false, true); }
ExecResult prefix_v6(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv6, &a[0].prefix, false, false); }
ExecResult prefix_v6_json(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv6, &a[0].prefix, false, true); }
ExecResult longer_v4(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv4, &a[0].prefix, true, false); }
ExecResult longer_v4_json(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv4, &a[0].prefix, true, true); }
ExecResult longer_v6(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv6, &a[0].prefix, true, false); }
ExecResult longer_v6_json(bgp::Control& c, const Args& a, Time) { return loc_rib(c, wire::Afi::ipv6, &a[0].prefix, true, true); }
ExecResult received(bgp::Control& c, const Args& a, Time) { return neighbor_table(c, a[0].address, bgp::RouteTable::received, false); }
ExecResult received_json(bgp::Control& c, const Args& a, Time) { return neighbor_table(c, a[0].address, bgp::RouteTable::received, true); }
ExecResult accepted(bgp::Control& c, const Args& a, Time) { return neighbor_table(c, a[0].address, bgp::RouteTable::accepted, false); }
ExecResult accepted_json(bgp::Control& c, const Args& a, Time) { return neighbor_table(c, a[0].address, bgp::RouteTable::accepted, true); }
ExecResult advertised(bgp::Control& c, const Args& a, Time) { return neighbor_table(c, a[0].address, bgp::RouteTable::advertised, false); }
ExecResult advertised_json(bgp::Control& c, const Args& a, Time) { return neighbor_table(c, a[0].address, bgp::RouteTable::advertised, true); }
ExecResult memory(bgp::Control& c, const Args&, Time) { return text(show_memory_text(c.memory())); }
ExecResult memory_json(bgp::Control& c, const Args&, Time) { return text(show_memory_json(c.memory())); }

namespace {
ExecResult soft_reset(bgp::Control& c, const Args& a, bool in, bool out) {
    std::string e = c.neighbor_soft_reset(a[0].address, in, out);
    if (!e.empty()) return fail(e);
    return text("");
}
}  // namespace

ExecResult soft(bgp::Control& c, const Args& a, Time) { return soft_reset(c, a, true, true); }
ExecResult soft_in(bgp::Control& c, const Args& a, Time) { return soft_reset(c, a, true, false); }
ExecResult soft_out(bgp::Control& c, const Args& a, Time) { return soft_reset(c, a, false, true); }

}  // namespace routes

}  // namespace moat::cli
