// The decision process; see decision.hpp for the order and the RFC sections.
#include "rib/decision.hpp"

#include <array>
#include <vector>

namespace moat::rib {

namespace {

constexpr std::array steps{
    BestReason::local_pref,   BestReason::local_origin,      BestReason::as_path_length,
    BestReason::origin,       BestReason::med,               BestReason::ebgp_over_ibgp,
    BestReason::router_id,    BestReason::cluster_list_length, BestReason::peer_address,
};

// -1 when a is better at this step, 1 when b is, 0 when the step does not
// separate them.
template <typename T>
int lower_wins(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_step(BestReason step, const Candidate& a, const Candidate& b, const DecisionOptions& o) {
    const AttrSet& x = *a.attrs;
    const AttrSet& y = *b.attrs;
    switch (step) {
        case BestReason::local_pref:  // RFC 4271 9.1.1: higher preference first
            return lower_wins(y.is(AttrSet::has_local_pref) ? y.local_pref : o.default_local_pref,
                              x.is(AttrSet::has_local_pref) ? x.local_pref : o.default_local_pref);
        case BestReason::local_origin:
            return lower_wins(a.local ? 0 : 1, b.local ? 0 : 1);
        case BestReason::as_path_length:  // RFC 4271 9.1.2.2 a
            return lower_wins(x.as_path_length, y.as_path_length);
        case BestReason::origin:  // RFC 4271 9.1.2.2 b
            return lower_wins(static_cast<int>(x.origin), static_cast<int>(y.origin));
        case BestReason::med:  // RFC 4271 9.1.2.2 c; an absent MED is 0
            if (!o.always_compare_med && x.neighbor_as != y.neighbor_as) return 0;
            return lower_wins(x.med, y.med);
        case BestReason::ebgp_over_ibgp:  // RFC 4271 9.1.2.2 d
            return lower_wins(a.ibgp ? 1 : 0, b.ibgp ? 1 : 0);
        case BestReason::router_id:  // RFC 4271 9.1.2.2 f, RFC 4456 9
            return lower_wins(x.is(AttrSet::has_originator) ? x.originator_id : a.peer_router_id,
                              y.is(AttrSet::has_originator) ? y.originator_id : b.peer_router_id);
        case BestReason::cluster_list_length:  // RFC 4456 9
            return lower_wins(x.cluster_list_length, y.cluster_list_length);
        case BestReason::peer_address:  // RFC 4271 9.1.2.2 g
            return lower_wins(a.peer_address, b.peer_address);
        case BestReason::none:
        case BestReason::only_route:
            break;
    }
    return 0;
}

// Keeps, in alive[0, n), the candidates whose key is the lowest; returns
// how many. Two passes over a handful of candidates, the key inlined.
template <typename KeyOf>
size_t keep_lowest(std::span<const Candidate> c, size_t* alive, size_t n, KeyOf key) {
    auto best = key(c[alive[0]]);
    for (size_t i = 1; i < n; ++i) {
        auto k = key(c[alive[i]]);
        if (k < best) best = k;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i)
        if (key(c[alive[i]]) == best) alive[kept++] = alive[i];
    return kept;
}

// One step of the elimination for the steps that are a total order (all but
// MED between different neighbor ASes): the same outcome as compare_step()
// against every rival, in linear time.
size_t keep_best(BestReason step, std::span<const Candidate> c, size_t* alive, size_t n, const DecisionOptions& o) {
    switch (step) {
        case BestReason::local_pref:  // higher wins: compare the complement
            return keep_lowest(c, alive, n, [&](const Candidate& x) {
                return ~(x.attrs->is(AttrSet::has_local_pref) ? x.attrs->local_pref : o.default_local_pref);
            });
        case BestReason::local_origin:
            return keep_lowest(c, alive, n, [](const Candidate& x) { return x.local ? 0 : 1; });
        case BestReason::as_path_length:
            return keep_lowest(c, alive, n, [](const Candidate& x) { return x.attrs->as_path_length; });
        case BestReason::origin:
            return keep_lowest(c, alive, n, [](const Candidate& x) { return static_cast<int>(x.attrs->origin); });
        case BestReason::med:  // only with always-compare-med
            return keep_lowest(c, alive, n, [](const Candidate& x) { return x.attrs->med; });
        case BestReason::ebgp_over_ibgp:
            return keep_lowest(c, alive, n, [](const Candidate& x) { return x.ibgp ? 1 : 0; });
        case BestReason::router_id:
            return keep_lowest(c, alive, n, [](const Candidate& x) {
                return x.attrs->is(AttrSet::has_originator) ? x.attrs->originator_id : x.peer_router_id;
            });
        case BestReason::cluster_list_length:
            return keep_lowest(c, alive, n, [](const Candidate& x) { return x.attrs->cluster_list_length; });
        case BestReason::peer_address:
            return keep_lowest(c, alive, n, [](const Candidate& x) { return x.peer_address; });
        case BestReason::none:
        case BestReason::only_route:
            break;
    }
    return n;
}

}  // namespace

int step_rank(BestReason r) {
    for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i] == r) return static_cast<int>(i);
    return -1;
}

Comparison compare(const Candidate& a, const Candidate& b, const DecisionOptions& opts) {
    if (a.usable != b.usable) return {a.usable, BestReason::none};
    for (BestReason step : steps) {
        int c = compare_step(step, a, b, opts);
        if (c != 0) return {c < 0, step};
    }
    return {true, BestReason::none};
}

bool multipath_equal(const Candidate& best, const Candidate& other, const DecisionOptions& opts, bool relax) {
    if (!other.usable || other.local || best.local) return false;
    for (BestReason step : {BestReason::local_pref, BestReason::local_origin, BestReason::as_path_length,
                            BestReason::origin, BestReason::med, BestReason::ebgp_over_ibgp})
        if (compare_step(step, best, other, opts) != 0) return false;
    return relax || best.attrs->neighbor_as == other.attrs->neighbor_as;
}

Selection select_best(std::span<const Candidate> candidates, const DecisionOptions& opts) {
    // Indices of the candidates still in the running; a destination rarely
    // has more than a handful, so the common case stays on the stack.
    std::array<size_t, 32> small{};
    std::vector<size_t> large;
    size_t* alive = small.data();
    if (candidates.size() > small.size()) {
        large.resize(candidates.size());
        alive = large.data();
    }
    size_t n = 0;
    for (size_t i = 0; i < candidates.size(); ++i)
        if (candidates[i].usable) alive[n++] = i;
    if (n == 0) return {};
    if (n == 1) return {alive[0], BestReason::only_route};
    if (n == 2) {
        Comparison c = compare(candidates[alive[0]], candidates[alive[1]], opts);
        return {c.a_wins ? alive[0] : alive[1], c.reason};
    }

    constexpr size_t beaten_bit = size_t{1} << (sizeof(size_t) * 8 - 1);
    BestReason reason = BestReason::none;
    for (BestReason step : steps) {
        if (step != BestReason::med || opts.always_compare_med) {
            // A total order at this step: the candidates that no rival beats
            // are those that tie with the best one.
            const size_t kept = keep_best(step, candidates, alive, n, opts);
            if (kept < n) reason = step;
            n = kept;
            if (n == 1) break;
            continue;
        }
        // MED compares only routes from the same neighbor AS: not a total
        // order, so each candidate is checked against every rival.
        // Keep r unless some other remaining candidate beats it at this step.
        // Decide for all first, then compact: every rival counts at this step.
        for (size_t i = 0; i < n; ++i) {
            const Candidate& r = candidates[alive[i]];
            bool beaten = false;
            for (size_t j = 0; j < n && !beaten; ++j)
                beaten = j != i && compare_step(step, candidates[alive[j] & ~beaten_bit], r, opts) < 0;
            if (beaten) alive[i] |= beaten_bit;
        }
        size_t kept = 0;
        for (size_t i = 0; i < n; ++i)
            if (!(alive[i] & beaten_bit)) alive[kept++] = alive[i];
        if (kept < n) reason = step;
        n = kept;
        if (n == 1) break;
    }
    return {alive[0], reason};
}

}  // namespace moat::rib
