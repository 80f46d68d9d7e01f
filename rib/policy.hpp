// Routing policy, compiled: the configuration's prefix-lists, AS path and
// community lists and route-maps (rib/policy_config.hpp) in the form the
// import chain and the export side evaluate, built once per (re)load.
//
//   - A prefix-list is a binary trie of its entries' prefixes: a lookup walks
//     the bits of the route's prefix once and sees exactly the entries whose
//     prefix covers it, so its cost does not grow with the list's length.
//   - An AS path list holds its regular expressions compiled once
//     (std::regex, Cisco `_` translated); the last path looked at and its
//     verdict are kept, as the routes of one UPDATE share one path.
//   - A route-map holds pointers to the lists it names. Evaluation: entries
//     in seq order; every match clause of an entry must hold; a deny entry
//     that matches rejects, a permit entry that matches applies its sets and
//     accepts, unless on-match next / continue send evaluation further (the
//     route is then accepted at the end if no later deny matches). No entry
//     matches: deny. A name the configuration does not define (the loader
//     refuses that) would match nothing.
//
// RouteMapImport is the import chain step: the neighbor's `route-map in`,
// once per UPDATE when the map looks at attributes only, per prefix when it
// needs the prefix or the RPKI state (match ip address prefix-list, match
// rpki). RFC 8212: an eBGP neighbor without an import route-map gets nothing
// imported (Reason::no_policy) while `bgp ebgp-requires-policy` is on.
#pragma once

#include "rib/policy_config.hpp"
#include "rib/import_chain.hpp"

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace moat::rib {

class PrefixListIndex {
public:
    explicit PrefixListIndex(const policy::PrefixList& list);
    // The first entry (by seq) covering p decides; none, or another family: deny.
    bool permits(const wire::Prefix& p) const;

private:
    static constexpr uint32_t none = 0xFFFFFFFF;
    struct Node {
        uint32_t child[2] = {0, 0};  // 0: no child (the root is never a child)
        uint32_t entries = none;     // first entry at this prefix, linked by next
    };
    struct Entry {
        uint32_t seq = 0;
        bool permit = true;
        uint8_t min_len = 0, max_len = 0;
        uint32_t next = none;
    };
    bool v6_ = false;
    std::vector<Node> nodes_;
    std::vector<Entry> entries_;
};

class AsPathMatcher {
public:
    explicit AsPathMatcher(const policy::AsPathList& list);
    bool permits(const std::string& path) const;  // first regex found in the path decides

private:
    std::vector<std::pair<bool, std::regex>> entries_;
    mutable std::string last_path_;
    mutable bool last_result_ = false;
    mutable bool has_last_ = false;
};

class CommunityMatcher {
public:
    explicit CommunityMatcher(const policy::CommunityList& list);
    // The first entry whose communities the route all carries decides.
    bool permits(const std::vector<uint32_t>& communities) const;
    // `set comm-list NAME delete`: whether community c alone is permitted.
    bool deletes(uint32_t c) const;

private:
    std::vector<std::pair<bool, std::vector<uint32_t>>> entries_;  // sorted communities
};

class LargeCommunityMatcher {
public:
    explicit LargeCommunityMatcher(const policy::LargeCommunityList& list);
    bool permits(const std::vector<wire::LargeCommunity>& communities) const;

private:
    std::vector<std::pair<bool, std::vector<wire::LargeCommunity>>> entries_;
};

// One route as a route-map sees it.
struct PolicyRoute {
    const wire::Prefix* prefix = nullptr;      // null: not known (per-UPDATE evaluation)
    RpkiState rpki = RpkiState::unchecked;
    const wire::IpAddress* peer = nullptr;     // neighbor it was learnt from; null: local
    const RouteAttrs* attrs = nullptr;
    const std::string* as_path_text = nullptr;  // attrs' AS path as text, when already known
};

struct PolicyVerdict {
    bool permit = false;
    uint32_t seq = 0;  // the entry that decided; 0: no entry matched
};

class CompiledRouteMap {
public:
    std::string name;
    bool needs_prefix = false;  // some entry matches on the prefix or the RPKI state
    // The first entry permits every route unchanged and ends the map (no
    // match, no set, no on-match or continue), as in `route-map ALL permit
    // 10`, written to satisfy RFC 8212: callers may skip the evaluation (and
    // the decoding of the route it would need).
    bool passes_all = false;

    // Evaluates the map; `out` receives the changed attributes (unset when
    // no set clause applied).
    PolicyVerdict evaluate(const PolicyRoute& route, std::optional<RouteAttrs>& out) const;
    // "route-map NAME seq N" or "route-map NAME: no entry matched".
    std::string describe(const PolicyVerdict& v) const;

    struct Entry {
        const policy::RouteMapEntry* config = nullptr;
        const PrefixListIndex* pl4 = nullptr;
        const PrefixListIndex* pl6 = nullptr;
        const AsPathMatcher* as_path = nullptr;
        const CommunityMatcher* community = nullptr;
        const LargeCommunityMatcher* large = nullptr;
        const CommunityMatcher* delete_list = nullptr;
        bool undefined = false;     // names a list that does not exist: matches nothing
        size_t continue_to = 0;     // index of the entry to go on with (entries.size(): end)
    };
    std::vector<Entry> entries;
};

struct NeighborPolicy {
    wire::IpAddress address;
    std::string in, out;  // route-map names; empty: none
};

// The whole compiled policy; immutable once built, shared by the import step
// and the RIB's export side, replaced as a whole on reload.
class Policy {
public:
    Policy(const policy::PolicyConfig& config, const std::vector<NeighborPolicy>& neighbors,
           bool ebgp_requires_policy);
    Policy(const Policy&) = delete;
    Policy& operator=(const Policy&) = delete;

    const CompiledRouteMap* route_map(const std::string& name) const;
    const CompiledRouteMap* import_map(const wire::IpAddress& neighbor) const;
    bool has_import_map(const wire::IpAddress& neighbor) const;
    bool ebgp_requires_policy() const { return ebgp_requires_policy_; }
    bool any_import_needs_prefix() const { return import_needs_prefix_; }

private:
    policy::PolicyConfig config_;  // owned copy: entries point into it
    std::map<std::string, std::unique_ptr<PrefixListIndex>> pl4_, pl6_;
    std::map<std::string, std::unique_ptr<AsPathMatcher>> as_path_;
    std::map<std::string, std::unique_ptr<CommunityMatcher>> community_;
    std::map<std::string, std::unique_ptr<LargeCommunityMatcher>> large_;
    std::map<std::string, std::unique_ptr<CompiledRouteMap>> maps_;
    struct In {
        std::string name;
        const CompiledRouteMap* map = nullptr;  // null: undefined name (deny)
    };
    std::map<wire::IpAddress, In> import_;
    bool ebgp_requires_policy_ = false;
    bool import_needs_prefix_ = false;
};

// The import chain step (name "route-map-in"). The policy is swapped on
// reload; the RIB then re-runs the affected neighbors' Adj-RIB-In.
class RouteMapImport final : public ImportStep {
public:
    explicit RouteMapImport(std::shared_ptr<const Policy> policy) : policy_(std::move(policy)) {}
    void set_policy(std::shared_ptr<const Policy> policy) { policy_ = std::move(policy); }
    const std::shared_ptr<const Policy>& policy() const { return policy_; }

    std::string_view name() const override { return "route-map-in"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;
    bool wants_prefixes() const override { return policy_ && policy_->any_import_needs_prefix(); }
    Reason check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) override;

private:
    std::shared_ptr<const Policy> policy_;
    // Set by check_attrs for the check_prefix calls of the same UPDATE.
    const CompiledRouteMap* current_ = nullptr;
    PeerId current_peer_ = no_peer;
    // The routes of one UPDATE share one attribute set: decoded once.
    const AttrSet* cached_set_ = nullptr;
    RouteAttrs cached_;
    std::string cached_path_;
};

}  // namespace moat::rib
