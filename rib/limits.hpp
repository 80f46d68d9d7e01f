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
// LimitStatus is the whole verdict for one family, as the speaker acts on it
// right after each UPDATE: what is counted, over the threshold, over a
// warning-only limit, exceeded (end the session).
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

struct LimitStatus {
    bool limited = false;         // a limit is configured for the family
    size_t count = 0;             // what the limit counts: received or accepted routes
    bool exceeded = false;        // a hard limit was gone over: end the session
    bool over = false;            // over a warning-only limit (routes kept)
    bool over_threshold = false;  // at or over threshold percent of the limit
};

inline LimitStatus limit_status(const PrefixLimit& lim, size_t received, size_t rejected, bool exceeded) {
    LimitStatus s;
    if (lim.max == 0) return s;
    s.limited = true;
    s.count = lim.count_received ? received : received - rejected;
    s.exceeded = exceeded;
    s.over = lim.warning_only && s.count > lim.max;
    s.over_threshold = s.count * 100 >= static_cast<size_t>(lim.max) * lim.threshold;
    return s;
}

}  // namespace moat::rib
