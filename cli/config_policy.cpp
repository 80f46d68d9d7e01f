// Routing policy in the config language: prefix-lists, AS path
// access-lists (Cisco/FRR regular expressions), community-lists (RFC 1997)
// and large-community-lists (RFC 8092) at the top level; `route-map NAME
// permit|deny SEQ`, which enters the route-map node of match and set
// clauses; `neighbor ADDR route-map NAME in|out` in router bgp. Names may be
// used before they are defined: every use is checked once the whole text is
// read. The `no` forms remove a list, a route-map or one of its entries, a
// clause, or a neighbor's route-map; configuration mode refuses to remove
// what is still used (docs/configuration.md, "Routing policy").
#include "cli/config_table.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

namespace moat::cli::config {

std::optional<uint32_t> parse_community(std::string_view s) {
    if (s == "no-export") return wire::community_no_export;
    if (s == "no-advertise") return wire::community_no_advertise;
    if (s == "no-export-subconfed" || s == "local-AS") return wire::community_no_export_subconfed;
    if (s == "graceful-shutdown") return wire::community_graceful_shutdown;
    if (s == "blackhole") return 0xFFFF029Au;
    auto colon = s.find(':');
    if (colon == std::string_view::npos) {
        auto v = parse_uint(s);
        if (!v || *v > 0xFFFFFFFFu) return std::nullopt;
        return static_cast<uint32_t>(*v);
    }
    auto hi = parse_uint(s.substr(0, colon)), lo = parse_uint(s.substr(colon + 1));
    if (!hi || !lo || *hi > 0xFFFF || *lo > 0xFFFF) return std::nullopt;
    return static_cast<uint32_t>(*hi << 16 | *lo);
}

std::optional<wire::LargeCommunity> parse_large_community(std::string_view s) {
    auto c1 = s.find(':');
    if (c1 == std::string_view::npos) return std::nullopt;
    auto c2 = s.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return std::nullopt;
    auto a = parse_uint(s.substr(0, c1)), b = parse_uint(s.substr(c1 + 1, c2 - c1 - 1)), c = parse_uint(s.substr(c2 + 1));
    if (!a || !b || !c || *a > 0xFFFFFFFFu || *b > 0xFFFFFFFFu || *c > 0xFFFFFFFFu) return std::nullopt;
    return wire::LargeCommunity{static_cast<uint32_t>(*a), static_cast<uint32_t>(*b), static_cast<uint32_t>(*c)};
}

std::string large_community_text(const wire::LargeCommunity& c) {
    return std::to_string(c.global) + ":" + std::to_string(c.local1) + ":" + std::to_string(c.local2);
}

namespace {

// Why std::regex refuses the AS path expression, or "" (rib/policy.cpp
// translates the expression the same way).
std::string as_path_regex_error(const std::string& cisco) {
    if (cisco.empty()) return "empty";
    try {
        std::regex re(bgp::as_path_regex_to_ecmascript(cisco), std::regex::ECMAScript | std::regex::nosubs);
    } catch (const std::regex_error& e) {
        return e.what();
    }
    return {};
}

// Undefined names are errors, found once the whole file is read so lists and
// route-maps may be defined after their use; they point at the reference.
void reference(Loader& l, unsigned column, Ref::Kind kind, const std::string& name) {
    l.refs.push_back(Ref{l.line, column, kind, name});
}

// The words after the one at `column` (the LINE... argument as words).
std::vector<Word> rest_from(const std::vector<Word>& w, unsigned column) {
    std::vector<Word> out;
    for (const auto& x : w)
        if (x.column >= column) out.push_back(x);
    return out;
}

Outcome check_name(const Value& v) {
    if (v.text.empty() || v.text.size() > 63) return LineError{v.column, "Name must be 1-63 characters"};
    return {};
}

// ip|ipv6 prefix-list NAME [seq N] permit|deny PREFIX [ge N] [le N]
Outcome prefix_list(Loader& l, const Args& a, const std::vector<Word>& w, bool v6, bool has_seq, bool permit) {
    if (auto e = check_name(a[0])) return e;
    const Value& rest = a[has_seq ? 2 : 1];
    auto words = rest_from(w, rest.column);
    auto p = parse_prefix(words[0].text);
    if (!p) return LineError{words[0].column, "Invalid prefix " + words[0].text};
    if (p->v6 != v6)
        return LineError{words[0].column, std::string(v6 ? "ipv6" : "ip") + " prefix-list takes " +
                                              (v6 ? "IPv6" : "IPv4") + " prefixes"};
    if (prefix_has_host_bits(*p))
        return LineError{words[0].column, "Prefix " + words[0].text + " has host bits set (did you mean " +
                                              format_prefix(prefix_masked(*p)) + "?)"};
    bgp::PrefixListEntry e;
    e.permit = permit;
    e.prefix = *p;
    for (size_t i = 1; i < words.size(); i += 2) {
        const std::string& k = words[i].text;
        if ((k != "ge" && k != "le") || (k == "ge" && (e.ge || e.le)) || (k == "le" && e.le))
            return LineError{words[i].column, "Expected " + std::string(e.ge || e.le ? "le N" : "ge N or le N") +
                                                  " at '" + k + "'"};
        if (i + 1 >= words.size()) return LineError{words[i].column, "Length expected after " + k};
        auto n = parse_uint(words[i + 1].text);
        if (!n || *n > p->max_len() || *n <= p->len)
            return LineError{words[i + 1].column, k + " must be " + std::to_string(p->len + 1) + "-" +
                                                      std::to_string(p->max_len()) + " (longer than the prefix)"};
        (k == "ge" ? e.ge : e.le) = static_cast<uint8_t>(*n);
    }
    if (e.ge && e.le && *e.ge > *e.le) return LineError{words.back().column, "le must not be less than ge"};
    auto& lists = l.cfg.policy.prefix_lists;
    auto it = std::find_if(lists.begin(), lists.end(), [&](const bgp::PrefixList& x) { return x.name == a[0].text && x.v6 == v6; });
    if (it == lists.end()) {
        lists.push_back(bgp::PrefixList{a[0].text, v6, {}});
        it = lists.end() - 1;
    }
    auto& entries = it->entries;
    if (has_seq) {
        if (a[1].number == 0 || a[1].number > 0xFFFFFFFFu) return LineError{a[1].column, "seq must be 1-4294967295"};
        e.seq = static_cast<uint32_t>(a[1].number);
    } else {
        e.seq = entries.empty() ? 5 : (entries.back().seq / 5 + 1) * 5;  // FRR: next multiple of 5
    }
    for (const auto& x : entries)
        if (x.seq == e.seq) return LineError{has_seq ? a[1].column : 0, "Duplicate seq " + std::to_string(e.seq)};
    entries.insert(std::upper_bound(entries.begin(), entries.end(), e,
                                    [](const auto& x, const auto& y) { return x.seq < y.seq; }),
                   e);
    return {};
}

Outcome cmd_pl4_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, false, true); }
Outcome cmd_pl4_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, false, false); }
Outcome cmd_pl4_seq_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, true, true); }
Outcome cmd_pl4_seq_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, false, true, false); }
Outcome cmd_pl6_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, false, true); }
Outcome cmd_pl6_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, false, false); }
Outcome cmd_pl6_seq_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, true, true); }
Outcome cmd_pl6_seq_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return prefix_list(l, a, w, true, true, false); }

// Cisco/FRR AS path regular expressions, checked here as std::regex will
// compile them (rib/policy.cpp does the same translation).
Outcome as_path_list(Loader& l, const Args& a, bool permit) {
    if (auto e = check_name(a[0])) return e;
    if (auto err = as_path_regex_error(a[1].text); !err.empty())
        return LineError{a[1].column, "Invalid regular expression: " + err};
    auto& lists = l.cfg.policy.as_path_lists;
    auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == lists.end()) {
        lists.push_back(bgp::AsPathList{a[0].text, {}});
        it = lists.end() - 1;
    }
    it->entries.push_back(bgp::AsPathEntry{permit, a[1].text});
    return {};
}
Outcome cmd_aspath_permit(Loader& l, const Args& a, const std::vector<Word>&) { return as_path_list(l, a, true); }
Outcome cmd_aspath_deny(Loader& l, const Args& a, const std::vector<Word>&) { return as_path_list(l, a, false); }

Outcome community_list(Loader& l, const Args& a, const std::vector<Word>& w, bool large, bool permit) {
    if (auto e = check_name(a[0])) return e;
    auto words = rest_from(w, a[1].column);
    if (large) {
        bgp::LargeCommunityEntry e{permit, {}};
        for (const auto& x : words) {
            auto c = parse_large_community(x.text);
            if (!c) return LineError{x.column, "Invalid large community " + x.text + " (expected A:B:C)"};
            e.communities.push_back(*c);
        }
        auto& lists = l.cfg.policy.large_community_lists;
        auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& x) { return x.name == a[0].text; });
        if (it == lists.end()) {
            lists.push_back(bgp::LargeCommunityList{a[0].text, {}});
            it = lists.end() - 1;
        }
        it->entries.push_back(std::move(e));
        return {};
    }
    bgp::CommunityEntry e{permit, {}};
    for (const auto& x : words) {
        auto c = parse_community(x.text);
        if (!c) return LineError{x.column, "Invalid community " + x.text + " (expected AA:NN or a well-known name)"};
        e.communities.push_back(*c);
    }
    auto& lists = l.cfg.policy.community_lists;
    auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == lists.end()) {
        lists.push_back(bgp::CommunityList{a[0].text, {}});
        it = lists.end() - 1;
    }
    it->entries.push_back(std::move(e));
    return {};
}
Outcome cmd_cl_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, false, true); }
Outcome cmd_cl_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, false, false); }
Outcome cmd_lcl_permit(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, true, true); }
Outcome cmd_lcl_deny(Loader& l, const Args& a, const std::vector<Word>& w) { return community_list(l, a, w, true, false); }

// route-map NAME permit|deny SEQ: opens (or re-opens) the entry; the lines
// after it, up to `!` or a top-level command, belong to it.
Outcome route_map(Loader& l, const Args& a, bool permit) {
    if (auto e = check_name(a[0])) return e;
    auto& maps = l.cfg.policy.route_maps;
    auto it = std::find_if(maps.begin(), maps.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == maps.end()) {
        maps.push_back(bgp::RouteMap{a[0].text, {}});
        it = maps.end() - 1;
    }
    auto& entries = it->entries;
    const auto seq = static_cast<uint32_t>(a[1].number);
    auto e = std::lower_bound(entries.begin(), entries.end(), seq, [](const auto& x, uint32_t s) { return x.seq < s; });
    if (e == entries.end() || e->seq != seq) {
        bgp::RouteMapEntry n;
        n.seq = seq;
        e = entries.insert(e, n);
    }
    e->permit = permit;
    l.node = Node::route_map;
    l.rm_name = a[0].text;
    l.rm_seq = seq;
    return {};
}
Outcome cmd_rm_permit(Loader& l, const Args& a, const std::vector<Word>&) { return route_map(l, a, true); }
Outcome cmd_rm_deny(Loader& l, const Args& a, const std::vector<Word>&) { return route_map(l, a, false); }

bgp::RouteMapEntry& rm_entry(Loader& l) {
    for (auto& m : l.cfg.policy.route_maps)
        if (m.name == l.rm_name)
            for (auto& e : m.entries)
                if (e.seq == l.rm_seq) return e;
    throw std::logic_error("route-map entry vanished");
}

Outcome cmd_rm_exit(Loader& l, const Args&, const std::vector<Word>&) {
    l.node = Node::config;
    l.rm_name.clear();
    return {};
}
Outcome cmd_rm_description(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).description = a[0].text;
    return {};
}
Outcome cmd_match_pl4(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::prefix_list_v4, a[0].text);
    rm_entry(l).match_prefix_list_v4 = a[0].text;
    return {};
}
Outcome cmd_match_pl6(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::prefix_list_v6, a[0].text);
    rm_entry(l).match_prefix_list_v6 = a[0].text;
    return {};
}
Outcome cmd_match_as_path(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::as_path, a[0].text);
    rm_entry(l).match_as_path = a[0].text;
    return {};
}
Outcome cmd_match_community(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::community, a[0].text);
    rm_entry(l).match_community = a[0].text;
    return {};
}
Outcome cmd_match_large_community(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::large_community, a[0].text);
    rm_entry(l).match_large_community = a[0].text;
    return {};
}
Outcome cmd_match_rpki_valid(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).match_rpki = bgp::RpkiMatch::valid;
    return {};
}
Outcome cmd_match_rpki_invalid(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).match_rpki = bgp::RpkiMatch::invalid;
    return {};
}
Outcome cmd_match_rpki_notfound(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).match_rpki = bgp::RpkiMatch::not_found;
    return {};
}
Outcome cmd_match_peer(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).match_peer = a[0].address;
    return {};
}
Outcome cmd_set_local_pref(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).set_local_pref = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome cmd_set_metric(Loader& l, const Args& a, const std::vector<Word>&) {
    rm_entry(l).set_metric = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome cmd_set_community(Loader& l, const Args& a, const std::vector<Word>& w) {
    auto words = rest_from(w, a[0].column);
    auto& e = rm_entry(l);
    if (words.size() == 1 && words[0].text == "none") {
        e.set_community_none = true;
        e.set_community.reset();
        e.set_community_additive = false;
        return {};
    }
    std::vector<uint32_t> v;
    bool additive = false;
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i].text == "additive" && i + 1 == words.size()) {
            additive = true;
            break;
        }
        auto c = parse_community(words[i].text);
        if (!c) return LineError{words[i].column, "Invalid community " + words[i].text + " (expected AA:NN, a well-known name, additive or none)"};
        v.push_back(*c);
    }
    if (v.empty()) return LineError{words[0].column, "At least one community expected"};
    e.set_community_none = false;
    e.set_community = std::move(v);
    e.set_community_additive = additive;
    return {};
}
Outcome cmd_set_comm_list_delete(Loader& l, const Args& a, const std::vector<Word>&) {
    reference(l, a[0].column, Ref::community, a[0].text);
    rm_entry(l).set_comm_list_delete = a[0].text;
    return {};
}
Outcome cmd_set_large_community(Loader& l, const Args& a, const std::vector<Word>& w) {
    auto words = rest_from(w, a[0].column);
    std::vector<wire::LargeCommunity> v;
    bool additive = false;
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i].text == "additive" && i + 1 == words.size()) {
            additive = true;
            break;
        }
        auto c = parse_large_community(words[i].text);
        if (!c) return LineError{words[i].column, "Invalid large community " + words[i].text + " (expected A:B:C or additive)"};
        v.push_back(*c);
    }
    if (v.empty()) return LineError{words[0].column, "At least one large community expected"};
    auto& e = rm_entry(l);
    e.set_large_community = std::move(v);
    e.set_large_community_additive = additive;
    return {};
}
Outcome cmd_set_prepend(Loader& l, const Args& a, const std::vector<Word>& w) {
    std::vector<uint32_t> v;
    for (const auto& x : rest_from(w, a[0].column)) {
        auto asn = parse_asn(x.text);
        if (!asn) return LineError{x.column, "Invalid AS number " + x.text};
        v.push_back(*asn);
    }
    if (v.size() > 10) return LineError{a[0].column, "At most 10 AS numbers may be prepended"};
    rm_entry(l).set_as_path_prepend = std::move(v);
    return {};
}
Outcome cmd_set_next_hop_v4(Loader& l, const Args& a, const std::vector<Word>&) {
    if (is_unspecified(a[0].address)) return LineError{a[0].column, "Invalid next hop " + a[0].text};
    rm_entry(l).set_next_hop_v4 = a[0].address;
    return {};
}
Outcome cmd_set_next_hop_v6(Loader& l, const Args& a, const std::vector<Word>&) {
    if (!a[0].address.v6 || is_unspecified(a[0].address))
        return LineError{a[0].column, "Invalid IPv6 next hop " + a[0].text};
    rm_entry(l).set_next_hop_v6 = a[0].address;
    return {};
}
Outcome cmd_on_match_next(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).on_match_next = true;
    return {};
}
Outcome cmd_continue(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).continue_seq = 0;
    return {};
}
Outcome cmd_continue_seq(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& e = rm_entry(l);
    if (a[0].number <= e.seq)
        return LineError{a[0].column, "continue must go forward (to a seq above " + std::to_string(e.seq) + ")"};
    e.continue_seq = static_cast<uint32_t>(a[0].number);
    return {};
}

// neighbor ADDR route-map NAME in|out
Outcome neighbor_route_map(Loader& l, const Args& a, bool in) {
    return with_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        if (auto e = check_name(a[1])) return e;
        reference(l, a[1].column, Ref::route_map, a[1].text);
        (in ? n.route_map_in : n.route_map_out) = a[1].text;
        return {};
    });
}
Outcome cmd_nb_route_map_in(Loader& l, const Args& a, const std::vector<Word>&) { return neighbor_route_map(l, a, true); }
Outcome cmd_nb_route_map_out(Loader& l, const Args& a, const std::vector<Word>&) { return neighbor_route_map(l, a, false); }

// ---- the `no` forms ------------------------------------------------------------

template <typename V>
Outcome erase_named(V& v, const Value& name, const char* what) {
    auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.name == name.text; });
    if (it == v.end()) return LineError{name.column, std::string(what) + " " + name.text + " is not defined"};
    v.erase(it);
    return {};
}

// no ip|ipv6 prefix-list NAME [seq N]: the list, or one entry (the last
// one takes the list with it).
Outcome no_prefix_list(Loader& l, const Args& a, bool v6) {
    auto& v = l.cfg.policy.prefix_lists;
    auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.name == a[0].text && x.v6 == v6; });
    if (it == v.end())
        return LineError{a[0].column, std::string(v6 ? "ipv6" : "ip") + " prefix-list " + a[0].text + " is not defined"};
    if (a.size() == 1) {
        v.erase(it);
        return {};
    }
    auto e = std::find_if(it->entries.begin(), it->entries.end(), [&](const auto& x) { return x.seq == a[1].number; });
    if (e == it->entries.end()) return LineError{a[0].column, "No entry seq " + a[1].text};
    it->entries.erase(e);
    if (it->entries.empty()) v.erase(it);
    return {};
}
Outcome no_pl4(Loader& l, const Args& a, const std::vector<Word>&) { return no_prefix_list(l, a, false); }
Outcome no_pl6(Loader& l, const Args& a, const std::vector<Word>&) { return no_prefix_list(l, a, true); }

Outcome no_as_path_list(Loader& l, const Args& a, const std::vector<Word>&) {
    return erase_named(l.cfg.policy.as_path_lists, a[0], "bgp as-path access-list");
}
Outcome no_community_list(Loader& l, const Args& a, const std::vector<Word>&) {
    return erase_named(l.cfg.policy.community_lists, a[0], "bgp community-list");
}
Outcome no_large_community_list(Loader& l, const Args& a, const std::vector<Word>&) {
    return erase_named(l.cfg.policy.large_community_lists, a[0], "bgp large-community-list");
}

// no route-map NAME [permit|deny SEQ]: the route-map, or one entry (the
// last one takes the route-map with it).
Outcome no_route_map(Loader& l, const Args& a, const std::vector<Word>&) {
    auto& v = l.cfg.policy.route_maps;
    if (a.size() == 1) return erase_named(v, a[0], "route-map");
    auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.name == a[0].text; });
    if (it == v.end()) return LineError{a[0].column, "route-map " + a[0].text + " is not defined"};
    auto e = std::find_if(it->entries.begin(), it->entries.end(), [&](const auto& x) { return x.seq == a[1].number; });
    if (e == it->entries.end()) return LineError{a[0].column, "route-map " + a[0].text + " has no entry " + a[1].text};
    it->entries.erase(e);
    if (it->entries.empty()) v.erase(it);
    return {};
}

// no neighbor ADDR route-map NAME in|out: NAME must be the one applied.
Outcome no_neighbor_route_map(Loader& l, const Args& a, bool in) {
    return with_configured_neighbor(l, a, [&](bgp::NeighborConfig& n) -> Outcome {
        std::string& name = in ? n.route_map_in : n.route_map_out;
        if (name != a[1].text) return LineError{a[1].column, "Route-map " + a[1].text + " is not applied there"};
        name.clear();
        return {};
    });
}
Outcome no_nb_route_map_in(Loader& l, const Args& a, const std::vector<Word>&) {
    return no_neighbor_route_map(l, a, true);
}
Outcome no_nb_route_map_out(Loader& l, const Args& a, const std::vector<Word>&) {
    return no_neighbor_route_map(l, a, false);
}

// A clause or action of the route-map node's entry, removed.
template <auto Field>
Outcome no_clause(Loader& l, const Args&, const std::vector<Word>&) {
    rm_entry(l).*Field = {};
    return {};
}
Outcome no_set_community(Loader& l, const Args&, const std::vector<Word>&) {
    auto& e = rm_entry(l);
    e.set_community.reset();
    e.set_community_none = false;
    e.set_community_additive = false;
    return {};
}
Outcome no_set_large_community(Loader& l, const Args&, const std::vector<Word>&) {
    auto& e = rm_entry(l);
    e.set_large_community.reset();
    e.set_large_community_additive = false;
    return {};
}

using E = bgp::RouteMapEntry;
constexpr const char* pl4 = "ip prefix-list WORD [seq <1-4294967295>]";
constexpr const char* pl4_help = "Remove an IPv4 prefix-list, or one entry of it";
constexpr const char* pl6 = "ipv6 prefix-list WORD [seq <1-4294967295>]";
constexpr const char* pl6_help = "Remove an IPv6 prefix-list, or one entry of it";
constexpr const char* cl = "bgp community-list [standard] WORD";
constexpr const char* lcl = "bgp large-community-list [standard] WORD";
constexpr const char* rm_help = "Remove a route-map, or one of its entries";

const Command top_commands[] = {
    {"ip prefix-list WORD permit LINE...", "Permit PREFIX [ge N] [le N] (IPv4 prefix-list)", cmd_pl4_permit, pl4,
     pl4_help, no_pl4},
    {"ip prefix-list WORD deny LINE...", "Deny PREFIX [ge N] [le N] (IPv4 prefix-list)", cmd_pl4_deny, pl4, pl4_help,
     no_pl4},
    {"ip prefix-list WORD seq <1-4294967295> permit LINE...", "Permit PREFIX [ge N] [le N] at this position",
     cmd_pl4_seq_permit, pl4, pl4_help, no_pl4},
    {"ip prefix-list WORD seq <1-4294967295> deny LINE...", "Deny PREFIX [ge N] [le N] at this position",
     cmd_pl4_seq_deny, pl4, pl4_help, no_pl4},
    {"ipv6 prefix-list WORD permit LINE...", "Permit PREFIX [ge N] [le N] (IPv6 prefix-list)", cmd_pl6_permit, pl6,
     pl6_help, no_pl6},
    {"ipv6 prefix-list WORD deny LINE...", "Deny PREFIX [ge N] [le N] (IPv6 prefix-list)", cmd_pl6_deny, pl6,
     pl6_help, no_pl6},
    {"ipv6 prefix-list WORD seq <1-4294967295> permit LINE...", "Permit PREFIX [ge N] [le N] at this position",
     cmd_pl6_seq_permit, pl6, pl6_help, no_pl6},
    {"ipv6 prefix-list WORD seq <1-4294967295> deny LINE...", "Deny PREFIX [ge N] [le N] at this position",
     cmd_pl6_seq_deny, pl6, pl6_help, no_pl6},
    {"bgp as-path access-list WORD permit LINE...", "Permit AS paths matching the regular expression",
     cmd_aspath_permit, "bgp as-path access-list WORD", "Remove an AS path access-list", no_as_path_list},
    {"bgp as-path access-list WORD deny LINE...", "Deny AS paths matching the regular expression", cmd_aspath_deny,
     "bgp as-path access-list WORD", "Remove an AS path access-list", no_as_path_list},
    {"bgp community-list WORD permit LINE...", "Permit routes carrying all these communities", cmd_cl_permit, cl,
     "Remove a community-list", no_community_list},
    {"bgp community-list WORD deny LINE...", "Deny routes carrying all these communities", cmd_cl_deny, cl,
     "Remove a community-list", no_community_list},
    {"bgp community-list standard WORD permit LINE...", "Permit routes carrying all these communities",
     cmd_cl_permit, cl, "Remove a community-list", no_community_list},
    {"bgp community-list standard WORD deny LINE...", "Deny routes carrying all these communities", cmd_cl_deny, cl,
     "Remove a community-list", no_community_list},
    {"bgp large-community-list WORD permit LINE...", "Permit routes carrying all these large communities",
     cmd_lcl_permit, lcl, "Remove a large-community-list", no_large_community_list},
    {"bgp large-community-list WORD deny LINE...", "Deny routes carrying all these large communities", cmd_lcl_deny,
     lcl, "Remove a large-community-list", no_large_community_list},
    {"bgp large-community-list standard WORD permit LINE...", "Permit routes carrying all these large communities",
     cmd_lcl_permit, lcl, "Remove a large-community-list", no_large_community_list},
    {"bgp large-community-list standard WORD deny LINE...", "Deny routes carrying all these large communities",
     cmd_lcl_deny, lcl, "Remove a large-community-list", no_large_community_list},
    {"route-map WORD permit <1-65535>", "Route-map entry that accepts (and changes) matching routes", cmd_rm_permit,
     "route-map WORD [permit <1-65535>]", rm_help, no_route_map},
    {"route-map WORD deny <1-65535>", "Route-map entry that rejects matching routes", cmd_rm_deny,
     "route-map WORD [deny <1-65535>]", rm_help, no_route_map},
};

const Command bgp_commands[] = {
    {"neighbor ADDR route-map WORD in", "Import policy: the route-map routes from the neighbor pass",
     cmd_nb_route_map_in, "neighbor ADDR route-map WORD in", "No import route-map", no_nb_route_map_in},
    {"neighbor ADDR route-map WORD out", "Export policy: the route-map routes to the neighbor pass",
     cmd_nb_route_map_out, "neighbor ADDR route-map WORD out", "No export route-map", no_nb_route_map_out},
};

constexpr const char* clause = "Remove the clause";
constexpr const char* action = "Remove the action";

const Command rm_commands[] = {
    {"exit", "Leave the route-map node", cmd_rm_exit},
    {"description LINE...", "Describe the entry", cmd_rm_description, "description", "Remove the description",
     no_clause<&E::description>},
    {"match ip address prefix-list WORD", "Match IPv4 routes whose prefix the prefix-list permits", cmd_match_pl4,
     "match ip address prefix-list", clause, no_clause<&E::match_prefix_list_v4>},
    {"match ipv6 address prefix-list WORD", "Match IPv6 routes whose prefix the prefix-list permits", cmd_match_pl6,
     "match ipv6 address prefix-list", clause, no_clause<&E::match_prefix_list_v6>},
    {"match as-path WORD", "Match routes whose AS path the as-path access-list permits", cmd_match_as_path,
     "match as-path", clause, no_clause<&E::match_as_path>},
    {"match community WORD", "Match routes the community-list permits", cmd_match_community, "match community", clause,
     no_clause<&E::match_community>},
    {"match large-community WORD", "Match routes the large-community-list permits", cmd_match_large_community,
     "match large-community", clause, no_clause<&E::match_large_community>},
    {"match rpki valid", "Match routes of RPKI origin validation state Valid", cmd_match_rpki_valid, "match rpki",
     clause, no_clause<&E::match_rpki>},
    {"match rpki invalid", "Match routes of RPKI origin validation state Invalid", cmd_match_rpki_invalid,
     "match rpki", clause, no_clause<&E::match_rpki>},
    {"match rpki notfound", "Match routes of RPKI origin validation state NotFound", cmd_match_rpki_notfound,
     "match rpki", clause, no_clause<&E::match_rpki>},
    {"match peer ADDR", "Match routes learnt from this neighbor", cmd_match_peer, "match peer", clause,
     no_clause<&E::match_peer>},
    {"set local-preference <0-4294967295>", "Set LOCAL_PREF", cmd_set_local_pref, "set local-preference", action,
     no_clause<&E::set_local_pref>},
    {"set metric <0-4294967295>", "Set MULTI_EXIT_DISC", cmd_set_metric, "set metric", action,
     no_clause<&E::set_metric>},
    {"set community LINE...", "Set communities: AA:NN... [additive], or none", cmd_set_community, "set community",
     action, no_set_community},
    {"set comm-list WORD delete", "Remove the communities the community-list permits", cmd_set_comm_list_delete,
     "set comm-list", action, no_clause<&E::set_comm_list_delete>},
    {"set large-community LINE...", "Set large communities: A:B:C... [additive]", cmd_set_large_community,
     "set large-community", action, no_set_large_community},
    {"set as-path prepend LINE...", "Prepend these AS numbers to the AS path", cmd_set_prepend, "set as-path prepend",
     action, no_clause<&E::set_as_path_prepend>},
    {"set ip next-hop A.B.C.D", "Set the IPv4 NEXT_HOP", cmd_set_next_hop_v4, "set ip next-hop", action,
     no_clause<&E::set_next_hop_v4>},
    {"set ipv6 next-hop ADDR", "Set the IPv6 next hop", cmd_set_next_hop_v6, "set ipv6 next-hop", action,
     no_clause<&E::set_next_hop_v6>},
    {"on-match next", "After a match, go on with the next entry", cmd_on_match_next, "on-match next",
     "Stop at the first matching entry", no_clause<&E::on_match_next>},
    {"continue", "After a match, go on with the next entry", cmd_continue, "continue",
     "Stop at the first matching entry", no_clause<&E::continue_seq>},
    {"continue <1-65535>", "After a match, go on with the entry of this seq", cmd_continue_seq, "continue",
     "Stop at the first matching entry", no_clause<&E::continue_seq>},
};
}  // namespace

Rows policy_rows() { return {top_commands, bgp_commands, rm_commands}; }

// The first reference to a name that is not defined, or nothing.
std::optional<std::pair<Ref, std::string>> unresolved(const Loader& l) {
    const bgp::PolicyConfig& p = l.cfg.policy;
    for (const Ref& r : l.refs) {
        switch (r.kind) {
        case Ref::prefix_list_v4:
            if (!p.prefix_list(r.name, false)) return std::pair{r, "ip prefix-list " + r.name + " is not defined"};
            break;
        case Ref::prefix_list_v6:
            if (!p.prefix_list(r.name, true)) return std::pair{r, "ipv6 prefix-list " + r.name + " is not defined"};
            break;
        case Ref::as_path:
            if (!p.find_named(p.as_path_lists, r.name))
                return std::pair{r, "bgp as-path access-list " + r.name + " is not defined"};
            break;
        case Ref::community:
            if (!p.find_named(p.community_lists, r.name))
                return std::pair{r, "bgp community-list " + r.name + " is not defined"};
            break;
        case Ref::large_community:
            if (!p.find_named(p.large_community_lists, r.name))
                return std::pair{r, "bgp large-community-list " + r.name + " is not defined"};
            break;
        case Ref::route_map:
            if (!p.route_map(r.name)) return std::pair{r, "route-map " + r.name + " is not defined"};
            break;
        }
    }
    return std::nullopt;
}


}  // namespace moat::cli::config
