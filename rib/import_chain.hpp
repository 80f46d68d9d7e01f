// The import chain: the ordered checks a received route passes before it may
// become a Loc-RIB candidate. Each step accepts or rejects with a Reason; a
// rejected route stays in Adj-RIB-In, flagged with that reason, so the CLI can
// show it and a policy or VRP change can re-run the chain without asking the
// peer.
//
// Steps look at the attribute set once per UPDATE and family (check_attrs,
// which may also rewrite the set, e.g. GRACEFUL_SHUTDOWN) and, when they ask
// for it, at each prefix (check_prefix). Attribute checks therefore cost once
// per UPDATE, not once per prefix.
//
// A per-prefix step sees the route (prefix and origin validation state, which
// a step such as origin validation sets and later steps read) and may rewrite
// that route's attributes through PrefixEdit; the RIB interns the result, so
// routes of one UPDATE that end up alike still share one set. A rejecting
// step may put a short explanation into ctx.detail (the ASN, the VRPs, the
// route-map clause) for the rejected-route display.
#pragma once

#include "bgpd/wire/types.hpp"
#include "rib/attr_store.hpp"
#include "rib/peer.hpp"
#include "rib/reason.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moat::rib {

struct ImportContext {
    const RibConfig& config;
    const PeerInfo& peer;
    bool ibgp = false;
    wire::Afi afi = wire::Afi::ipv4;
    PeerId peer_id = no_peer;
    std::string* detail = nullptr;  // set by a rejecting step (may be null: then don't)
    // How many routes a check_attrs call decides for (the UPDATE's prefixes
    // of this family), for steps that count what they reject; 0 when the
    // chain re-runs over Adj-RIB-In (soft reset in, VRP change).
    size_t prefixes = 0;
};

// Copy-on-write view of the attributes under import.
class AttrEdit {
public:
    explicit AttrEdit(const RouteAttrs& received) : current_(&received) {}
    const RouteAttrs& get() const { return copy_ ? *copy_ : *current_; }
    RouteAttrs& modify() {
        if (!copy_) copy_ = *current_;
        return *copy_;
    }
    bool modified() const { return copy_.has_value(); }

private:
    const RouteAttrs* current_;
    std::optional<RouteAttrs> copy_;
};

// The route under the per-prefix steps.
struct PrefixRoute {
    const wire::Prefix& prefix;
    RpkiState rpki = RpkiState::unchecked;  // set by origin validation, read by policy
};

// Copy-on-write view of one route's attributes in the per-prefix steps:
// set() is the interned set the attribute steps produced (its summary
// fields are cheap to read), value() the attributes with this route's
// changes so far (decoded on first use), modify() changes them.
class PrefixEdit {
public:
    explicit PrefixEdit(const AttrSet& set) : set_(&set) {}
    const AttrSet& set() const { return *set_; }
    const RouteAttrs& value() {
        if (!copy_) copy_ = set_->value();
        return *copy_;
    }
    RouteAttrs& modify() {
        modified_ = true;
        if (!copy_) copy_ = set_->value();
        return *copy_;
    }
    bool modified() const { return modified_; }

private:
    const AttrSet* set_;
    std::optional<RouteAttrs> copy_;
    bool modified_ = false;
};

class ImportStep {
public:
    virtual ~ImportStep() = default;
    virtual std::string_view name() const = 0;
    virtual Reason check_attrs(const ImportContext&, AttrEdit&) { return Reason::none; }
    virtual bool wants_prefixes() const { return false; }
    virtual Reason check_prefix(const ImportContext&, PrefixRoute&, PrefixEdit&) { return Reason::none; }
};

class ImportChain {
public:
    // The chain every RIB starts with: ignore LOCAL_PREF from eBGP
    // (RFC 4271 5.1.5), first AS, as-loop, cluster-loop, OTC (RFC 9234, rib/otc.hpp),
    // GRACEFUL_SHUTDOWN (RFC 8326).
    static ImportChain standard();

    void append(std::unique_ptr<ImportStep> step);
    size_t size() const { return steps_.size(); }
    // Counts the steps that want prefixes again (after a step's wish changed,
    // e.g. a new policy).
    void refresh();
    const ImportStep& at(size_t i) const { return *steps_[i]; }

    // First rejection among the attribute checks, or Reason::none.
    Reason run_attrs(const ImportContext& ctx, AttrEdit& edit) const;
    bool has_prefix_steps() const { return prefix_steps_ > 0; }
    Reason run_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) const;

private:
    std::vector<std::unique_ptr<ImportStep>> steps_;
    size_t prefix_steps_ = 0;
};

// RFC 4271 5.1.5: LOCAL_PREF from an external peer is ignored (removed).
class IgnoreEbgpLocalPref final : public ImportStep {
public:
    std::string_view name() const override { return "ignore-ebgp-local-pref"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;
};

// An external neighbor prepends its own AS (RFC 4271 5.1.2), so its AS_PATH
// is never empty: an empty one claims the route as originated in our AS
// (and would pass origin validation as ours), so it is always rejected
// (empty-as-path). RFC 4271 6.3, RFC 7606 7.2: its leftmost AS is the
// neighbor's, unless the neighbor is a transparent route server and
// `no neighbor X enforce-first-as` says so (first-as).
class FirstAsStep final : public ImportStep {
public:
    std::string_view name() const override { return "first-as"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;
};

// RFC 4271 9.1.2: a route whose AS_PATH holds our AS is rejected (as-loop).
class AsLoopStep final : public ImportStep {
public:
    std::string_view name() const override { return "as-loop"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;
};

// RFC 4456 8: an iBGP route carrying our router id as ORIGINATOR_ID or our
// cluster id in CLUSTER_LIST is a reflection loop.
class ClusterLoopStep final : public ImportStep {
public:
    std::string_view name() const override { return "cluster-loop"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;
};

// RFC 8326 4.2: GRACEFUL_SHUTDOWN lowers LOCAL_PREF to 0 on receipt.
class GracefulShutdownStep final : public ImportStep {
public:
    std::string_view name() const override { return "graceful-shutdown"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;
};

}  // namespace moat::rib
