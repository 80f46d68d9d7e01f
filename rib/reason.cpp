// Display names for rejection and best-path reasons, as the CLI prints them.
#include "rib/reason.hpp"

namespace moat::rib {

std::string_view to_string(Reason r) {
    switch (r) {
        case Reason::none: return "none";
        case Reason::malformed: return "malformed";
        case Reason::max_prefix: return "max-prefix";
        case Reason::peer_lock: return "peer-lock";
        case Reason::role_leak: return "role-leak";
        case Reason::rpki_invalid: return "rpki-invalid";
        case Reason::policy: return "policy";
        case Reason::martian: return "martian";
        case Reason::as_loop: return "as-loop";
        case Reason::as_path_too_long: return "as-path-too-long";
        case Reason::too_specific: return "too-specific";
        case Reason::no_policy: return "no-policy";
        case Reason::cluster_loop: return "cluster-loop";
        case Reason::rpki_pending: return "rpki-pending";
        case Reason::bogon_asn: return "bogon-asn";
        case Reason::first_as: return "first-as";
        case Reason::empty_as_path: return "empty-as-path";
    }
    return "unknown";
}

std::optional<Reason> reason_from_string(std::string_view s) {
    for (size_t i = 1; i < reason_slots; ++i) {
        auto r = static_cast<Reason>(i);
        std::string_view name = to_string(r);
        if (name == "unknown") break;
        if (name == s) return r;
    }
    return std::nullopt;
}

std::string_view to_string(RpkiState s) {
    switch (s) {
        case RpkiState::unchecked: return "unchecked";
        case RpkiState::valid: return "valid";
        case RpkiState::invalid: return "invalid";
        case RpkiState::not_found: return "not-found";
    }
    return "unknown";
}

std::string_view to_string(BestReason r) {
    switch (r) {
        case BestReason::none: return "none";
        case BestReason::only_route: return "only-route";
        case BestReason::local_pref: return "local-pref";
        case BestReason::local_origin: return "local-origin";
        case BestReason::as_path_length: return "as-path-length";
        case BestReason::origin: return "origin";
        case BestReason::med: return "med";
        case BestReason::ebgp_over_ibgp: return "ebgp-over-ibgp";
        case BestReason::router_id: return "router-id";
        case BestReason::cluster_list_length: return "cluster-list-length";
        case BestReason::peer_address: return "peer-address";
    }
    return "unknown";
}

}  // namespace moat::rib
