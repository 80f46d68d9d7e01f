// The router bgp node's route-leak defenses: the eBGP import filters
// (martians, too-specific prefixes, bogon ASNs, AS_PATH length), peer-lock,
// first-AS enforcement (RFC 4271 6.3), maximum-prefix (RFC 4486) and the
// rejected-route records. The filters that are on by default have their
// `no` form in the file too; the others' `no` forms are configuration mode's.
#include "cli/config_table.hpp"

#include <algorithm>

namespace moat::cli::config {

namespace {

using N = bgp::NeighborConfig;
using B = bgp::BgpConfig;

Outcome cmd_maxas_limit(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.bgp->maxas_limit = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome no_maxas_limit(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->maxas_limit = 0;
    return {};
}

Outcome cmd_rejected_limit(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.bgp->rejected_limit = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome no_rejected_limit(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp->rejected_limit = bgp::BgpConfig{}.rejected_limit;
    return {};
}

// ASNs of a LINE... argument ("174 3356"), appended to v without duplicates.
Outcome asn_list(const Value& arg, std::vector<uint32_t>& v) {
    auto tok = tokenize(arg.text);
    if (tok.index() == 1) return LineError{arg.column, std::get<1>(tok).message};
    const auto& words = std::get<0>(tok);
    if (words.empty()) return LineError{arg.column, "Expected one or more AS numbers"};
    for (const Word& w : words) {
        auto asn = parse_asn(w.text);
        if (!asn) return LineError{arg.column + w.column - 1, "Invalid AS number '" + w.text + "'"};
        if (std::find(v.begin(), v.end(), *asn) == v.end()) v.push_back(*asn);
    }
    return {};
}

Outcome cmd_peer_lock_protected(Loader& l, const Args& a, const std::vector<Word>&) {
    return asn_list(a[0], l.cfg.bgp->peer_lock_protected);
}
// Bare: no protected ASN; with ASNs: these, each of which must be protected.
Outcome no_peer_lock_protected(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& v = l.cfg.bgp->peer_lock_protected;
    if (a.empty()) {
        v.clear();
        return {};
    }
    size_t i = 0;
    const std::string& text = a[0].text;
    while (i < text.size()) {
        size_t j = text.find(' ', i);
        if (j == std::string::npos) j = text.size();
        if (j > i) {
            std::string w = text.substr(i, j - i);
            auto asn = parse_asn(w);
            auto it = asn ? std::find(v.begin(), v.end(), *asn) : v.end();
            if (it == v.end()) return LineError{a[0].column, "AS " + w + " is not protected"};
            v.erase(it);
        }
        i = j + 1;
    }
    return {};
}

Outcome cmd_peer_lock_allow(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome { return asn_list(a[1], n.peer_lock_allow); });
}
Outcome no_peer_lock_allow(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_configured_neighbor(l, a, [](bgp::NeighborConfig& n) -> Outcome {
        n.peer_lock_allow.clear();
        return {};
    });
}

// [ipv4 | ipv6] N [THRESHOLD] [warning-only | restart MINUTES] [receive | accept]
Outcome cmd_maximum_prefix(Loader& l, const Args& a, const std::vector<Word>&) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        auto tok = tokenize(a[1].text);
        if (tok.index() == 1) return LineError{a[1].column, std::get<1>(tok).message};
        const auto& w = std::get<0>(tok);
        auto col = [&](size_t i) -> unsigned {
            return static_cast<unsigned>(a[1].column + (i < w.size() ? w[i].column : a[1].text.size() + 1) - 1);
        };
        size_t i = 0;
        bool v6 = false;
        if (i < w.size() && (w[i].text == "ipv4" || w[i].text == "ipv6")) v6 = w[i++].text == "ipv6";
        bgp::MaxPrefixConfig m;
        auto number = [&](uint64_t lo, uint64_t hi) -> std::optional<uint64_t> {
            if (i >= w.size()) return std::nullopt;
            auto v = parse_uint(w[i].text);
            if (!v || *v < lo || *v > hi) return std::nullopt;
            ++i;
            return v;
        };
        auto limit = number(1, 4294967295u);
        if (!limit) return LineError{col(i), "Expected the prefix limit <1-4294967295>"};
        m.limit = static_cast<uint32_t>(*limit);
        if (i < w.size() && parse_uint(w[i].text)) {
            auto t = number(1, 100);
            if (!t) return LineError{col(i), "Threshold must be a percentage <1-100>"};
            m.threshold = static_cast<uint8_t>(*t);
        }
        if (i < w.size() && w[i].text == "warning-only") {
            m.warning_only = true;
            ++i;
        } else if (i < w.size() && w[i].text == "restart") {
            ++i;
            auto r = number(1, 65535);
            if (!r) return LineError{col(i), "Expected the restart time in minutes <1-65535>"};
            m.restart_minutes = static_cast<uint16_t>(*r);
        }
        if (i < w.size() && (w[i].text == "receive" || w[i].text == "accept")) m.count_received = w[i++].text == "receive";
        if (i < w.size())
            return LineError{col(i), "Unexpected '" + w[i].text +
                                         "' (maximum-prefix [ipv4|ipv6] N [THRESHOLD] [warning-only | restart "
                                         "MINUTES] [receive | accept])"};
        (v6 ? n.max_prefix_v6 : n.max_prefix_v4) = m;
        return {};
    });
}
// The word after maximum-prefix names the family (none: IPv4), whether it
// is a keyword of the `no` form or the start of its LINE... (the limit and
// options as the running config prints them, not compared).
Outcome no_maximum_prefix(Loader& l, const Args& a, const std::vector<Word>& w) {
    return with_configured_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        bool v6 = w.size() > 4 && w[4].text.starts_with("ipv6");
        (v6 ? n.max_prefix_v6 : n.max_prefix_v4).reset();
        return {};
    });
}

const Command bgp_commands[] = {
    {"bgp reject martians", "eBGP: reject special-purpose prefixes and the default route (default)",
     bgp_flag<&B::reject_martians, true>, "bgp reject martians",
     "eBGP: accept special-purpose prefixes and the default route", bgp_flag<&B::reject_martians, false>, Where::both,
     Where::both},
    {"bgp reject too-specific", "eBGP: reject IPv4 longer than /24 and IPv6 longer than /48 (default)",
     bgp_flag<&B::reject_too_specific, true>, "bgp reject too-specific", "eBGP: accept prefixes of any length",
     bgp_flag<&B::reject_too_specific, false>, Where::both, Where::both},
    {"bgp reject bogon-asns", "eBGP: reject paths with private, reserved or documentation ASNs (default)",
     bgp_flag<&B::reject_bogon_asns, true>, "bgp reject bogon-asns", "eBGP: accept paths with private or reserved ASNs",
     bgp_flag<&B::reject_bogon_asns, false>, Where::both, Where::both},
    {"bgp maxas-limit <1-2000>", "eBGP: reject paths with more ASNs than this (default 100)", cmd_maxas_limit,
     "bgp maxas-limit", "eBGP: no AS_PATH length limit", no_maxas_limit, Where::both, Where::both},
    {"bgp rejected-routes limit <0-10000000>", "Rejected-route records kept (default 100000)", cmd_rejected_limit,
     "bgp rejected-routes limit [<0-10000000>]", "Rejected-route records back to 100000", no_rejected_limit},
    {"bgp peer-lock protected-as LINE...", "Peer-lock: ASNs only heard from directly (list of ASNs)",
     cmd_peer_lock_protected, "bgp peer-lock protected-as [LINE...]",
     "Peer-lock: no protected ASN, or stop protecting these ASNs", no_peer_lock_protected},
    {"bgp peer-lock preset tier1", "Peer-lock: protect the built-in list of transit-free networks",
     bgp_flag<&B::peer_lock_tier1, true>, "bgp peer-lock preset tier1", "Peer-lock: no built-in list",
     bgp_flag<&B::peer_lock_tier1, false>},
    {"neighbor ADDR peer-lock allow LINE...", "Peer-lock: protected ASNs this neighbor may carry", cmd_peer_lock_allow,
     "neighbor ADDR peer-lock allow [LINE...]", "Peer-lock: no exceptions for the neighbor", no_peer_lock_allow},
    {"neighbor ADDR peer-lock strict", "Peer-lock: no protected ASN at all from this neighbor (customers)",
     cmd_neighbor_flag<&N::peer_lock_strict, true>, "neighbor ADDR peer-lock strict",
     "Peer-lock: the neighbor may carry its own AS again", unset_neighbor_flag<&N::peer_lock_strict, false>},
    {"neighbor ADDR allow default-route", "eBGP: accept the default route from this neighbor",
     cmd_neighbor_flag<&N::allow_default_route, true>, "neighbor ADDR allow default-route",
     "Reject the default route from the neighbor again", unset_neighbor_flag<&N::allow_default_route, false>},
    {"neighbor ADDR enforce-first-as",
     "eBGP: reject routes whose AS_PATH does not start with the neighbor's AS (default)",
     cmd_neighbor_flag<&N::enforce_first_as, true>, "neighbor ADDR enforce-first-as",
     "eBGP: accept routes whose AS_PATH starts with another AS (a transparent route server)",
     cmd_neighbor_flag<&N::enforce_first_as, false>, Where::both, Where::both},
    {"neighbor ADDR maximum-prefix LINE...",
     "[ipv4|ipv6] N [THRESHOLD] [warning-only | restart MINUTES] [receive | accept]: limit the neighbor's routes",
     cmd_maximum_prefix, "neighbor ADDR maximum-prefix [ipv4 [LINE...]|ipv6 [LINE...]|LINE...]",
     "No maximum-prefix limit for the family given (IPv4 without one)", no_maximum_prefix},
};

}  // namespace

Rows defense_rows() { return {{}, bgp_commands, {}}; }

}  // namespace moat::cli::config
