// The BGP decision process (RFC 4271 9.1), as pure functions.
//
// compare() ranks two candidates and names the step that decided; select_best()
// picks the best of a destination's candidates and names the step that
// eliminated its last rival. Both read only their arguments.
//
// Moat's order, first difference wins:
//   0. unusable routes (own AS in path, unresolvable next hop) never win
//   1. highest LOCAL_PREF (RFC 4271 9.1.1; absent = default, 100)
//   2. locally originated over learnt (common practice, not in the RFC)
//   3. shortest AS_PATH: AS_SET counts 1, confederation segments 0 (9.1.2.2 a)
//   4. lowest ORIGIN: IGP < EGP < INCOMPLETE (9.1.2.2 b)
//   5. lowest MED, only between routes from the same neighbor AS (leftmost AS
//      of the path) unless always_compare_med; absent MED = 0 (9.1.2.2 c)
//   6. eBGP over iBGP (9.1.2.2 d)
//      (9.1.2.2 e, IGP cost to the next hop, does not apply: Moat runs no IGP)
//   7. lowest BGP Identifier of the advertising peer, ORIGINATOR_ID in its
//      place when present (9.1.2.2 f, RFC 4456 9)
//   8. shortest CLUSTER_LIST (RFC 4456 9)
//   9. lowest peer address (9.1.2.2 g)
//
// Because step 5 does not compare every pair, pairwise "better than" is not
// transitive. select_best() therefore follows the RFC's elimination form: at
// each step it removes every candidate that some remaining candidate beats at
// that step. The result does not depend on the order of the candidates.
#pragma once

#include "bgpd/wire/types.hpp"
#include "rib/attr_store.hpp"
#include "rib/reason.hpp"

#include <cstddef>
#include <span>

namespace moat::rib {

struct Candidate {
    const AttrSet* attrs = nullptr;
    bool usable = true;   // false: own AS loop or next hop unresolvable
    bool local = false;   // originated by this router
    bool ibgp = false;    // learnt from an internal peer
    uint32_t peer_router_id = 0;
    wire::IpAddress peer_address;
};

struct DecisionOptions {
    bool always_compare_med = false;
    uint32_t default_local_pref = 100;
};

struct Comparison {
    bool a_wins = true;
    BestReason reason = BestReason::none;  // none: a and b tie on every step
};

Comparison compare(const Candidate& a, const Candidate& b, const DecisionOptions& opts);

// Multipath (maximum-paths): `other` may be installed beside `best` when it
// is usable and ties with it on every step before the router-ID tie-break
// (LOCAL_PREF, local origin, AS_PATH length, ORIGIN, MED, eBGP/iBGP) and,
// unless `relax` (bgp bestpath as-path multipath-relax), comes from the same
// neighbor AS.
bool multipath_equal(const Candidate& best, const Candidate& other, const DecisionOptions& opts, bool relax);

struct Selection {
    static constexpr size_t npos = static_cast<size_t>(-1);
    size_t best = npos;
    BestReason reason = BestReason::none;
};

Selection select_best(std::span<const Candidate> candidates, const DecisionOptions& opts);

// Position of a step in the decision order (0: LOCAL_PREF), -1 for
// only_route and none. The steps before MED (LOCAL_PREF, locally originated,
// AS_PATH length, ORIGIN) are total orders.
int step_rank(BestReason r);
inline bool before_med(BestReason r) { return step_rank(r) >= 0 && step_rank(r) < step_rank(BestReason::med); }

}  // namespace moat::rib
