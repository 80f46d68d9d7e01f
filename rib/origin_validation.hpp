// RFC 6811 origin validation as a step of the import chain (RFC 8481: the
// step re-runs over Adj-RIB-In when the VRP set changes).
//
// OriginValidation is what the step validates against: the VRP set in force
// (an rtr::VrpIndex snapshot: rtr/ is the interface to the RPKI), whether
// the first complete set is in (until then routes from neighbors that reject
// Invalid are held as rpki-pending: safe start), and the per-neighbor policy.
// The RIB owns it; the daemon's RPKI driver (bgpd/rpki.cpp) keeps it current.
//
// The step sets each route's RpkiState; rejects Invalid (rpki-invalid, the
// covering VRPs in ctx.detail) where the neighbor's policy says so; with
// prefer-valid adjusts LOCAL_PREF (Valid +10, accepted Invalid 0). It runs
// after the route-leak defenses and before the operator's route-maps, so
// `match rpki` sees the state.
#pragma once

#include "bgpd/wire/types.hpp"
#include "rib/import_chain.hpp"
#include "rtr/vrp.hpp"

#include <cstdint>
#include <map>
#include <string_view>

namespace moat::rib {

struct RpkiPolicy {
    bool validate = true;        // `no neighbor X rpki validation`: false
    bool reject_invalid = true;  // default: eBGP yes, iBGP no
};

class OriginValidation {
public:
    bool enabled() const { return enabled_; }
    bool ready() const { return ready_; }
    bool prefer_valid() const { return prefer_valid_; }
    const rtr::VrpIndex& vrps() const { return vrps_; }
    RpkiPolicy policy(const wire::IpAddress& neighbor, bool ibgp) const;
    uint64_t generation() const { return generation_; }  // changes with the policies

    void set_state(bool enabled, bool ready) {
        enabled_ = enabled;
        ready_ = ready;
    }
    void set_vrps(const rtr::VrpIndex& vrps) { vrps_ = vrps; }
    void set_policies(std::map<wire::IpAddress, RpkiPolicy> policies, bool prefer_valid);

private:
    bool enabled_ = false;
    bool ready_ = true;
    bool prefer_valid_ = false;
    rtr::VrpIndex vrps_;
    std::map<wire::IpAddress, RpkiPolicy> policies_;
    uint64_t generation_ = 1;
};

class OriginValidationStep final : public ImportStep {
public:
    explicit OriginValidationStep(const OriginValidation& state) : state_(state) {}
    std::string_view name() const override { return "rpki-origin-validation"; }
    bool wants_prefixes() const override { return true; }
    Reason check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) override;

private:
    const RpkiPolicy& policy(const ImportContext& ctx);

    const OriginValidation& state_;
    PeerId cached_peer_ = no_peer;
    wire::IpAddress cached_address_;
    uint64_t cached_generation_ = 0;
    RpkiPolicy cached_;
};

// The origin AS RFC 6811 validates: the rightmost AS of a final
// AS_SEQUENCE; our own AS for an empty AS_PATH from inside our AS (a route
// originated here, learnt over iBGP: `internal`); 0 (NONE: matches no VRP)
// for an empty path from outside, and when the path ends in an AS_SET.
uint32_t route_origin_as(const AttrSet& attrs, uint32_t local_as, bool internal);

}  // namespace moat::rib
