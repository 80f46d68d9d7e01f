// Why a route was rejected on import, and why a best path won. Both are
// recorded with the route so the CLI can show rejected routes and the
// best-path reason without re-running anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace moat::rib {

enum class Reason : uint8_t {
    none = 0,
    malformed,          // RFC 7606 treat-as-withdraw, kept for display
    max_prefix,         // over the neighbor's maximum-prefix limit
    peer_lock,          // path through a locked AS from the wrong neighbor
    role_leak,          // RFC 9234 route leak (OTC / role)
    rpki_invalid,       // RFC 6811 origin validation state Invalid
    policy,             // operator import policy
    martian,            // bogon / reserved prefix or next hop
    as_loop,            // our AS in AS_PATH (RFC 4271 9.1.2)
    as_path_too_long,   // AS_PATH longer than the configured limit
    too_specific,       // longer than the per-family maximum length
    no_policy,          // eBGP without import policy (RFC 8212)
    cluster_loop,       // our ORIGINATOR_ID or CLUSTER_ID came back (RFC 4456 8)
    rpki_pending,       // held until the first complete VRP set (RPKI safe start)
    bogon_asn,          // private, reserved or documentation ASN in an eBGP AS_PATH
    first_as,           // eBGP AS_PATH does not start with the neighbor's AS (RFC 4271 6.3)
    empty_as_path,      // empty AS_PATH from an eBGP neighbor: a claim to be our own route
};

// Room for every Reason in per-reason counter arrays.
inline constexpr size_t reason_slots = 32;

std::string_view to_string(Reason r);
// The Reason of a display name ("peer-lock"), for CLI filters.
std::optional<Reason> reason_from_string(std::string_view s);

// RFC 6811 origin validation state of a route, stored with it. `unchecked`:
// no validation ran (no VRP source, validation off for the neighbor, or a
// locally originated route).
enum class RpkiState : uint8_t { unchecked = 0, valid, invalid, not_found };

std::string_view to_string(RpkiState s);

// The decision step that separated the best route from its closest rival.
enum class BestReason : uint8_t {
    none = 0,            // no usable route
    only_route,          // a single usable candidate
    local_pref,          // RFC 4271 9.1.1: higher degree of preference (LOCAL_PREF)
    local_origin,        // locally originated over learnt
    as_path_length,      // RFC 4271 9.1.2.2 a
    origin,              // RFC 4271 9.1.2.2 b
    med,                 // RFC 4271 9.1.2.2 c
    ebgp_over_ibgp,      // RFC 4271 9.1.2.2 d
    router_id,           // RFC 4271 9.1.2.2 f, ORIGINATOR_ID per RFC 4456 9
    cluster_list_length, // RFC 4456 9
    peer_address,        // RFC 4271 9.1.2.2 g
};

std::string_view to_string(BestReason r);

}  // namespace moat::rib
