// See show_defenses.hpp.
#include "cli/show_defenses.hpp"

#include "cli/grammar.hpp"
#include "cli/json.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>

namespace moat::cli {

namespace {

std::string iso(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string asns_text(const std::vector<uint32_t>& v) {
    std::string s;
    for (uint32_t a : v) s += (s.empty() ? "" : " ") + std::to_string(a);
    return s;
}

}  // namespace

std::string show_rejected_text(const bgp::RejectedList& l) {
    std::string out = fmt::format("Rejected routes: {} held in Adj-RIB-In; {} records (limit {}, {} evicted)\n",
                                  l.held, l.records, l.limit, l.evicted);
    if (l.routes.empty()) return out + "No matching rejected route\n";
    size_t pw = 18, nw = 15;
    for (const auto& r : l.routes) {
        pw = std::max(pw, format_prefix(r.prefix).size());
        nw = std::max(nw, format_address(r.peer).size());
    }
    out += fmt::format("{:<{}} {:<{}} {:<16} {:<20}  {}\n", "Prefix", pw, "Neighbor", nw, "Reason", "Since",
                       "Detail; AS path");
    for (const auto& r : l.routes) {
        std::string tail = r.detail;
        if (r.attrs && r.attrs->as_path) tail += "; " + r.attrs->as_path->to_string();
        out += fmt::format("{:<{}} {:<{}} {:<16} {:<20}  {}\n", format_prefix(r.prefix), pw, format_address(r.peer), nw,
                           r.reason, iso(r.when), tail);
    }
    out += fmt::format("{} route(s) listed\n", l.routes.size());
    return out;
}

std::string show_rejected_json(const bgp::RejectedList& l) {
    JsonWriter j;
    j.begin_object();
    j.field("held", l.held).field("records", l.records).field("limit", l.limit).field("evicted", l.evicted);
    j.key("routes").begin_array();
    for (const auto& r : l.routes) {
        j.begin_object();
        j.field("prefix", format_prefix(r.prefix));
        j.field("neighbor", format_address(r.peer));
        j.field("neighbor_as", r.peer_asn);
        j.field("reason", r.reason);
        j.field("detail", r.detail);
        j.field("time", iso(r.when));
        j.key("as_path");
        if (r.attrs && r.attrs->as_path)
            j.value(r.attrs->as_path->to_string());
        else
            j.null();
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

std::string show_peer_lock_text(const bgp::PeerLockView& v) {
    std::string out;
    if (v.protected_asns.empty())
        out += "Peer-lock: no protected ASN configured\n";
    else
        out += fmt::format("Peer-lock protected ASNs{}: {}\n", v.tier1 ? " (with preset tier1)" : "",
                           asns_text(v.protected_asns));
    for (const auto& n : v.neighbors) {
        out += fmt::format("Neighbor {} (AS {}){}: {} route(s) rejected now", format_address(n.address), n.asn,
                           n.strict ? " strict" : "", n.rejected_now);
        if (!n.allow.empty()) out += fmt::format(", may carry {}", asns_text(n.allow));
        out += "\n";
        std::map<uint32_t, std::pair<uint64_t, uint64_t>> rows;  // ASN -> {now, on receipt}
        for (const auto& [asn, count] : n.now_by_asn) rows[asn].first = count;
        for (const auto& [asn, count] : n.by_asn) rows[asn].second = count;
        for (const auto& [asn, c] : rows)
            out += fmt::format("  AS{}: {} route(s) rejected now, {} on receipt\n", asn, c.first, c.second);
    }
    return out;
}

std::string show_peer_lock_json(const bgp::PeerLockView& v) {
    JsonWriter j;
    j.begin_object();
    j.key("protected_asns").begin_array();
    for (uint32_t a : v.protected_asns) j.value(a);
    j.end_array();
    j.field("preset_tier1", v.tier1);
    j.key("neighbors").begin_array();
    for (const auto& n : v.neighbors) {
        j.begin_object();
        j.field("address", format_address(n.address));
        j.field("remote_as", n.asn);
        j.field("strict", n.strict);
        j.key("allow").begin_array();
        for (uint32_t a : n.allow) j.value(a);
        j.end_array();
        j.field("rejected_now", n.rejected_now);
        j.key("rejected_by_asn").begin_object();
        for (const auto& [asn, count] : n.by_asn) j.field(std::to_string(asn), count);
        j.end_object();
        j.key("rejected_now_by_asn").begin_object();
        for (const auto& [asn, count] : n.now_by_asn) j.field(std::to_string(asn), count);
        j.end_object();
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

}  // namespace moat::cli
