// Maximum-prefix (RFC 4486), decided once, where a route is counted: the RIB
// asks check_limit() for every route it stores from a neighbor, and the
// answer both marks the route and tells the speaker to end the session.
//
// A limit counts either what the neighbor sent (`receive`, as BIRD's receive
// limit: every route held in its Adj-RIB-In, whatever later import steps say
// of it) or what the import chain accepted (`accept`). Going over a hard
// limit rejects the route that would go over (reason max-prefix), so the
// Loc-RIB never holds more than the limit, and sets the verdict `exceeded`:
// the speaker then sends Cease / Maximum Number of Prefixes Reached. A
// warning-only limit never rejects nor ends anything; the speaker logs it.
#pragma once

#include "rib/peer.hpp"

#include <cstddef>

namespace moat::rib {

struct LimitCheck {
    bool reject = false;    // store this route rejected, reason max-prefix
    bool exceeded = false;  // the neighbor went over its limit: end the session
};

// received / accepted: the neighbor's routes of the family held now, before
// this one is stored. known: it already had a route for this prefix (a
// replacement), was_accepted: that route had been accepted. rejected: the
// import chain rejected this route.
inline LimitCheck check_limit(const PrefixLimit& lim, size_t received, size_t accepted, bool known,
                              bool was_accepted, bool rejected) {
    if (lim.max == 0 || lim.warning_only) return {};
    if (lim.count_received) {
        if (known || received < lim.max) return {};
        return {!rejected, true};
    }
    if (rejected || was_accepted || accepted < lim.max) return {};
    return {true, true};
}

}  // namespace moat::rib
