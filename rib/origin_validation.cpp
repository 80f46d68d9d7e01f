// See origin_validation.hpp.
#include "rib/origin_validation.hpp"

#include <string>

namespace moat::rib {

RpkiPolicy OriginValidation::policy(const wire::IpAddress& neighbor, bool ibgp) const {
    auto it = policies_.find(neighbor);
    if (it != policies_.end()) return it->second;
    return RpkiPolicy{true, !ibgp};
}

void OriginValidation::set_policies(std::map<wire::IpAddress, RpkiPolicy> policies, bool prefer_valid) {
    policies_ = std::move(policies);
    prefer_valid_ = prefer_valid;
    ++generation_;
}

uint32_t route_origin_as(const AttrSet& attrs, uint32_t local_as, bool internal) {
    if (auto o = attrs.origin_as_opt()) return *o;
    return internal && attrs.as_path_length == 0 ? local_as : 0;
}

const RpkiPolicy& OriginValidationStep::policy(const ImportContext& ctx) {
    if (ctx.peer_id != cached_peer_ || cached_generation_ != state_.generation() ||
        !(ctx.peer.address == cached_address_)) {
        cached_ = state_.policy(ctx.peer.address, ctx.ibgp);
        cached_peer_ = ctx.peer_id;
        cached_address_ = ctx.peer.address;
        cached_generation_ = state_.generation();
    }
    return cached_;
}

Reason OriginValidationStep::check_prefix(const ImportContext& ctx, PrefixRoute& route, PrefixEdit& edit) {
    if (!state_.enabled()) return Reason::none;
    const RpkiPolicy& pol = policy(ctx);
    if (!pol.validate) return Reason::none;
    if (!state_.ready()) return pol.reject_invalid ? Reason::rpki_pending : Reason::none;
    const uint32_t origin = route_origin_as(edit.set(), ctx.config.local_as, ctx.ibgp);
    const rtr::Validity v = state_.vrps().validate(route.prefix, origin);
    switch (v) {
    case rtr::Validity::valid: route.rpki = RpkiState::valid; break;
    case rtr::Validity::invalid: route.rpki = RpkiState::invalid; break;
    case rtr::Validity::not_found: route.rpki = RpkiState::not_found; break;
    }
    if (v == rtr::Validity::invalid && pol.reject_invalid) {
        if (ctx.detail) {
            const auto e = state_.vrps().explain(route.prefix, origin);
            std::string s = "origin AS" + std::to_string(origin) + ", covering VRPs:";
            for (const auto& x : e.covering) s += " " + x.to_string();
            *ctx.detail = std::move(s);
        }
        return Reason::rpki_invalid;
    }
    if (state_.prefer_valid() && v != rtr::Validity::not_found) {
        if (v == rtr::Validity::valid) {
            const uint32_t lp = edit.set().local_pref_opt().value_or(100);
            edit.modify().path.local_pref = lp > UINT32_MAX - 10 ? UINT32_MAX : lp + 10;
        } else {
            edit.modify().path.local_pref = 0;
        }
    }
    return Reason::none;
}

}  // namespace moat::rib
