// The routing policy of the configuration, as plain values (FRR/Cisco
// vocabulary): prefix-lists, AS path and community lists, route-maps. The
// grammar that fills it is in cli/config_loader.cpp; rib/policy.hpp compiles
// it into the form the import chain and the export side evaluate. Header
// only, on the wire types alone. It lives in rib/, the lowest layer that
// reads it; bgp:: names it too (bgpd/config.hpp), as part of the daemon's
// configuration.
#pragma once

#include "bgpd/wire/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moat::policy {

// `ip prefix-list NAME seq N permit|deny PREFIX [ge N] [le N]`: a prefix
// matches an entry when it lies within PREFIX and its length is in
// [ge, le]; without ge/le only PREFIX itself (with only ge: up to the
// family's maximum; with only le: from PREFIX's length). First entry by
// seq decides; no entry: deny.
struct PrefixListEntry {
    uint32_t seq = 0;
    bool permit = true;
    wire::Prefix prefix;
    std::optional<uint8_t> ge, le;
    bool operator==(const PrefixListEntry&) const = default;
};

struct PrefixList {
    std::string name;
    bool v6 = false;                       // `ipv6 prefix-list`
    std::vector<PrefixListEntry> entries;  // sorted by seq
    bool operator==(const PrefixList&) const = default;
};

// `bgp as-path access-list NAME permit|deny REGEX`: the regular expression
// is searched in the AS path as text ("64500 64501 {64502,64503}"); `_`
// stands for a delimiter (blank, comma, brace, start or end). First entry
// that matches decides; none: deny.
struct AsPathEntry {
    bool permit = true;
    std::string regex;
    bool operator==(const AsPathEntry&) const = default;
};

struct AsPathList {
    std::string name;
    std::vector<AsPathEntry> entries;
    bool operator==(const AsPathList&) const = default;
};

// `bgp community-list NAME permit|deny C...` (and large-community-list):
// an entry matches a route that carries every community of the entry.
struct CommunityEntry {
    bool permit = true;
    std::vector<uint32_t> communities;
    bool operator==(const CommunityEntry&) const = default;
};

struct CommunityList {
    std::string name;
    std::vector<CommunityEntry> entries;
    bool operator==(const CommunityList&) const = default;
};

struct LargeCommunityEntry {
    bool permit = true;
    std::vector<wire::LargeCommunity> communities;
    bool operator==(const LargeCommunityEntry&) const = default;
};

struct LargeCommunityList {
    std::string name;
    std::vector<LargeCommunityEntry> entries;
    bool operator==(const LargeCommunityList&) const = default;
};

enum class RpkiMatch : uint8_t { valid, invalid, not_found };

// One `route-map NAME permit|deny SEQ` entry. Every match clause given must
// hold (AND); no clause: the entry matches every route. A matching permit
// entry applies its sets and accepts (or goes on with on-match next /
// continue); a matching deny entry rejects. No entry matches: deny.
struct RouteMapEntry {
    uint32_t seq = 0;
    bool permit = true;
    std::string description;
    // match
    std::string match_prefix_list_v4;  // match ip address prefix-list NAME
    std::string match_prefix_list_v6;  // match ipv6 address prefix-list NAME
    std::string match_as_path;
    std::string match_community;
    std::string match_large_community;
    std::optional<RpkiMatch> match_rpki;
    std::optional<wire::IpAddress> match_peer;
    // set
    std::optional<uint32_t> set_local_pref;
    std::optional<uint32_t> set_metric;
    bool set_community_none = false;  // set community none: remove all
    std::optional<std::vector<uint32_t>> set_community;
    bool set_community_additive = false;
    std::string set_comm_list_delete;  // set comm-list NAME delete
    std::optional<std::vector<wire::LargeCommunity>> set_large_community;
    bool set_large_community_additive = false;
    std::vector<uint32_t> set_as_path_prepend;
    std::optional<wire::IpAddress> set_next_hop_v4;
    std::optional<wire::IpAddress> set_next_hop_v6;
    // flow after a permit match: on-match next (the next entry), continue
    // [SEQ] (the entry with that seq, default the next one)
    bool on_match_next = false;
    std::optional<uint32_t> continue_seq;  // 0: the next entry
    bool operator==(const RouteMapEntry&) const = default;
};

struct RouteMap {
    std::string name;
    std::vector<RouteMapEntry> entries;  // sorted by seq
    bool operator==(const RouteMap&) const = default;
};

struct PolicyConfig {
    std::vector<PrefixList> prefix_lists;  // v4 and v6 share one name space per family
    std::vector<AsPathList> as_path_lists;
    std::vector<CommunityList> community_lists;
    std::vector<LargeCommunityList> large_community_lists;
    std::vector<RouteMap> route_maps;

    template <typename T>
    static const T* find_named(const std::vector<T>& v, const std::string& name) {
        for (const auto& x : v)
            if (x.name == name) return &x;
        return nullptr;
    }
    const PrefixList* prefix_list(const std::string& name, bool v6) const {
        for (const auto& x : prefix_lists)
            if (x.name == name && x.v6 == v6) return &x;
        return nullptr;
    }
    const RouteMap* route_map(const std::string& name) const { return find_named(route_maps, name); }
    bool empty() const {
        return prefix_lists.empty() && as_path_lists.empty() && community_lists.empty() &&
               large_community_lists.empty() && route_maps.empty();
    }
    bool operator==(const PolicyConfig&) const = default;
};

// A Cisco/FRR AS path regular expression as an ECMAScript one (std::regex):
// `_` becomes "a delimiter or the start or end of the path". The rest of
// the syntax (^ $ . * + ? [] () |) is the same.
inline std::string as_path_regex_to_ecmascript(std::string_view cisco) {
    std::string out;
    bool in_class = false;
    for (size_t i = 0; i < cisco.size(); ++i) {
        char c = cisco[i];
        if (c == '\\' && i + 1 < cisco.size()) {
            out += c;
            out += cisco[++i];
            continue;
        }
        if (c == '[') in_class = true;
        if (c == ']') in_class = false;
        if (c == '_' && !in_class)
            out += "(?:^|$|[ ,{}()\\[\\]])";
        else
            out += c;
    }
    return out;
}

}  // namespace moat::policy
