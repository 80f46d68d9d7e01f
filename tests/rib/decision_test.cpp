// The decision process, table-driven: each row is an ordered list of
// candidates, the expected winner and the step that decided. Every row is also
// run in every order of its candidates: the result must not depend on it.
#include "rib/decision.hpp"
#include "rib_test_util.hpp"

#include <algorithm>
#include <numeric>

using namespace moat;
using namespace moat::rib;

namespace {

struct Spec {
    std::optional<uint32_t> local_pref{};
    std::vector<uint32_t> path{64500};
    wire::Origin origin = wire::Origin::igp;
    std::optional<uint32_t> med{};
    bool ibgp = false;
    bool local = false;
    bool usable = true;
    uint32_t router_id = 0x0A000001;
    std::optional<uint32_t> originator{};
    size_t cluster_len = 0;
    const char* address = "192.0.2.1";
    bool as_set = false;  // path's last AS in an AS_SET of two
};

struct Row {
    const char* name;
    std::vector<Spec> routes;
    size_t winner;
    BestReason reason;
    bool always_compare_med = false;
};

const AttrSet* make(AttrStore& store, const Spec& s) {
    RouteAttrs ra;
    auto& p = ra.path;
    p.origin = s.origin;
    p.as_path.emplace();
    if (!s.path.empty()) p.as_path->segments.push_back(wire::AsSegment{wire::SegmentType::as_sequence, s.path});
    if (s.as_set) p.as_path->segments.push_back(wire::AsSegment{wire::SegmentType::as_set, {65001, 65002}});
    p.next_hop = 0xC0000201;
    p.local_pref = s.local_pref;
    p.med = s.med;
    p.originator_id = s.originator;
    p.cluster_list.assign(s.cluster_len, 0x01010101);
    return store.intern(ra);
}

std::vector<Row> rows() {
    std::vector<Row> t;
    t.push_back({"single route", {Spec{}}, 0, BestReason::only_route});
    t.push_back({"higher local-pref wins over shorter path",
                 {Spec{.local_pref = 100, .path = {1}}, Spec{.local_pref = 200, .path = {1, 2, 3}}},
                 1, BestReason::local_pref});
    t.push_back({"absent local-pref is 100",
                 {Spec{.local_pref = 99}, Spec{.address = "192.0.2.9"}}, 1, BestReason::local_pref});
    t.push_back({"locally originated",
                 {Spec{.path = {}}, Spec{.path = {}, .local = true, .address = "0.0.0.0"}},
                 1, BestReason::local_origin});
    t.push_back({"shorter AS_PATH",
                 {Spec{.path = {1, 2}}, Spec{.path = {3}, .address = "192.0.2.9"}}, 1, BestReason::as_path_length});
    t.push_back({"AS_SET counts one",
                 {Spec{.path = {1}, .as_set = true}, Spec{.path = {1, 2, 3}, .address = "192.0.2.0"}},
                 0, BestReason::as_path_length});
    t.push_back({"lower ORIGIN",
                 {Spec{.origin = wire::Origin::incomplete, .address = "192.0.2.0"}, Spec{.origin = wire::Origin::egp}},
                 1, BestReason::origin});
    t.push_back({"lower MED, same neighbor AS",
                 {Spec{.med = 20, .address = "192.0.2.0"}, Spec{.med = 10}}, 1, BestReason::med});
    t.push_back({"absent MED is 0",
                 {Spec{.med = 5, .address = "192.0.2.0"}, Spec{}}, 1, BestReason::med});
    t.push_back({"MED ignored across neighbor ASes",
                 {Spec{.path = {1}, .med = 5, .address = "192.0.2.9"}, Spec{.path = {2}, .med = 50}},
                 1, BestReason::peer_address});
    t.push_back({"always-compare-med",
                 {Spec{.path = {1}, .med = 5, .address = "192.0.2.9"}, Spec{.path = {2}, .med = 50}},
                 0, BestReason::med, true});
    t.push_back({"eBGP over iBGP",
                 {Spec{.ibgp = true, .address = "192.0.2.0"}, Spec{}}, 1, BestReason::ebgp_over_ibgp});
    t.push_back({"lower router id",
                 {Spec{.router_id = 9, .address = "192.0.2.0"}, Spec{.router_id = 3}}, 1, BestReason::router_id});
    t.push_back({"ORIGINATOR_ID stands for the router id",
                 {Spec{.ibgp = true, .router_id = 1, .originator = 7, .address = "192.0.2.0"},
                  Spec{.ibgp = true, .router_id = 5}},
                 1, BestReason::router_id});
    t.push_back({"shorter CLUSTER_LIST",
                 {Spec{.ibgp = true, .originator = 7, .cluster_len = 2, .address = "192.0.2.0"},
                  Spec{.ibgp = true, .originator = 7, .cluster_len = 1}},
                 1, BestReason::cluster_list_length});
    t.push_back({"lower peer address",
                 {Spec{.address = "192.0.2.7"}, Spec{.address = "192.0.2.3"}}, 1, BestReason::peer_address});
    t.push_back({"unusable never wins",
                 {Spec{.local_pref = 500, .usable = false}, Spec{.path = {1, 2, 3, 4}}}, 1, BestReason::only_route});
    t.push_back({"nothing usable", {Spec{.usable = false}}, Selection::npos, BestReason::none});
    t.push_back({"reason is the step that removed the last rival",
                 {Spec{.local_pref = 50, .address = "192.0.2.1"},
                  Spec{.path = {1, 2}, .address = "192.0.2.2"},
                  Spec{.path = {7}, .address = "192.0.2.3"},
                  Spec{.path = {8}, .address = "192.0.2.4"}},
                 2, BestReason::peer_address});
    t.push_back({"three-way, decided at origin",
                 {Spec{.local_pref = 50, .address = "192.0.2.1"},
                  Spec{.path = {7}, .origin = wire::Origin::egp, .address = "192.0.2.3"},
                  Spec{.path = {8}, .address = "192.0.2.4"}},
                 2, BestReason::origin});
    // RFC 4271 9.1.2.2 c: MED only within a neighbor AS. A (AS1, MED 10) beats
    // B (AS1, MED 20); C (AS2, MED 0) survives MED; A vs C goes to eBGP/iBGP.
    t.push_back({"MED groups per neighbor AS, then eBGP over iBGP",
                 {Spec{.path = {1}, .med = 10, .ibgp = true, .address = "192.0.2.1"},
                  Spec{.path = {1}, .med = 20, .address = "192.0.2.2"},
                  Spec{.path = {2}, .med = 0, .ibgp = true, .address = "192.0.2.3"}},
                 0, BestReason::peer_address});
    return t;
}

}  // namespace

TEST_CASE("decision: table of ordered candidate lists", "[rib][decision]") {
    for (const Row& row : rows()) {
        INFO(row.name);
        AttrStore store;
        std::vector<Candidate> cands;
        for (const Spec& s : row.routes)
            cands.push_back(Candidate{make(store, s), s.usable, s.local, s.ibgp, s.router_id, test::ip(s.address)});
        DecisionOptions opts;
        opts.always_compare_med = row.always_compare_med;

        Selection sel = select_best(cands, opts);
        CHECK(sel.best == row.winner);
        CHECK(to_string(sel.reason) == to_string(row.reason));

        // Every order of the same candidates picks the same route.
        std::vector<size_t> order(cands.size());
        std::iota(order.begin(), order.end(), 0);
        do {
            std::vector<Candidate> perm;
            for (size_t i : order) perm.push_back(cands[i]);
            Selection p = select_best(perm, opts);
            size_t winner = p.best == Selection::npos ? Selection::npos : order[p.best];
            CHECK(winner == row.winner);
            CHECK(p.reason == row.reason);
        } while (std::next_permutation(order.begin(), order.end()));

        // With two usable candidates, the pairwise comparator agrees.
        if (cands.size() == 2 && cands[0].usable && cands[1].usable) {
            Comparison c = compare(cands[0], cands[1], opts);
            CHECK((c.a_wins ? 0u : 1u) == row.winner);
            CHECK(c.reason == row.reason);
        }
        for (const Candidate& c : cands) store.release(c.attrs);
        CHECK(store.size() == 0);
    }
}
