// Config and show commands of the route-leak defenses: maximum-prefix
// parsing and its errors, what a reload does with them, and the renderers of
// show bgp rejected / peer-lock. (Round trip: golden/defenses.conf.)
#include "bgpd/reconfigure.hpp"
#include "cli/config_loader.hpp"
#include "cli/configure.hpp"
#include "cli/show.hpp"
#include "cli/show_defenses.hpp"

#include "json_parse.hpp"

#include <catch2/catch.hpp>

using namespace moat;
using namespace moat::cli;

namespace {
std::variant<bgp::Config, ConfigError> load(const std::string& body) {
    return load_config_text("router bgp 701\n neighbor 10.0.0.2 remote-as 396531\n" + body, "t.conf");
}
}  // namespace

TEST_CASE("maximum-prefix and peer-lock config values and errors", "[cli][config][defenses]") {
    auto r = load(" neighbor 10.0.0.2 maximum-prefix 50 restart 2 receive\n");
    REQUIRE(r.index() == 0);
    const auto& n = std::get<0>(r).bgp->neighbors[0];
    REQUIRE(n.max_prefix_v4);
    CHECK(n.max_prefix_v4->limit == 50);
    CHECK(n.max_prefix_v4->threshold == 75);
    CHECK(n.max_prefix_v4->restart_minutes == 2);
    CHECK(n.max_prefix_v4->count_received);
    CHECK_FALSE(n.max_prefix_v6);

    struct Bad {
        const char* line;
        unsigned column;
        const char* message;
    };
    for (const Bad& b : {
             Bad{" neighbor 10.0.0.2 maximum-prefix 0\n", 35, "Expected the prefix limit"},
             Bad{" neighbor 10.0.0.2 maximum-prefix 10 101\n", 38, "percentage"},
             Bad{" neighbor 10.0.0.2 maximum-prefix 10 restart\n", 45, "restart time in minutes"},
             Bad{" neighbor 10.0.0.2 maximum-prefix 10 warning-only restart 5\n", 51, "Unexpected 'restart'"},
             Bad{" neighbor 10.0.0.2 maximum-prefix ipv6\n", 39, "Expected the prefix limit"},
             Bad{" bgp peer-lock protected-as 3356 x\n", 34, "Invalid AS number 'x'"},
             Bad{" neighbor 10.0.0.9 peer-lock strict\n", 11, "is not configured"},
             Bad{" bgp maxas-limit 0\n", 18, ""},
         }) {
        auto e = load(b.line);
        INFO(b.line);
        REQUIRE(e.index() == 1);
        CHECK(std::get<1>(e).line == 3);
        CHECK(std::get<1>(e).column == b.column);
        CHECK(std::get<1>(e).message.find(b.message) != std::string::npos);
    }
}

TEST_CASE("a reload applies defense changes in place, no reset", "[cli][reconfigure][defenses]") {
    auto a = std::get<0>(load(""));
    auto b = a;
    b.bgp->neighbors[0].max_prefix_v4 = bgp::MaxPrefixConfig{100, 75, false, 5, false};
    b.bgp->neighbors[0].peer_lock_strict = true;
    auto plan = bgp::plan_reconfigure(a, b);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].kind == bgp::ReconfigureAction::Kind::update_neighbor);
    auto c = a;
    c.bgp->reject_martians = false;
    c.bgp->peer_lock_protected = {3356};
    plan = bgp::plan_reconfigure(a, c);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].kind == bgp::ReconfigureAction::Kind::import_filters);
}

TEST_CASE("show bgp rejected and peer-lock renderers", "[cli][show][defenses]") {
    bgp::RejectedList l;
    l.held = 3;
    l.records = 2;
    l.limit = 100;
    bgp::RejectedInfo r;
    r.prefix = *wire::Prefix::parse("104.20.0.0/21");
    r.peer = *wire::IpAddress::parse("10.0.0.2");
    r.peer_asn = 396531;
    r.reason = "peer-lock";
    r.detail = "AS3356";
    wire::PathAttributes pa;
    pa.as_path = wire::AsPath{{wire::AsSegment{wire::SegmentType::as_sequence, {396531, 33154, 3356, 13335}}}};
    r.attrs = pa;
    l.routes.push_back(r);
    r.prefix = *wire::Prefix::parse("104.20.8.0/21");
    r.reason = "malformed";
    r.detail = "attribute 2: bad";
    r.attrs.reset();
    l.routes.push_back(r);
    std::string t = show_rejected_text(l);
    INFO(t);
    CHECK(t.starts_with("Rejected routes: 3 held in Adj-RIB-In; 2 records (limit 100, 0 evicted)\n"));
    CHECK(t.find("104.20.0.0/21      10.0.0.2        peer-lock") != std::string::npos);
    CHECK(t.find("AS3356; 396531 33154 3356 13335\n") != std::string::npos);
    auto doc = jtest::parse(show_rejected_json(l));
    CHECK(doc["held"].number() == 3);
    REQUIRE(doc["routes"].arr().size() == 2);
    CHECK(doc["routes"][0]["as_path"].str() == "396531 33154 3356 13335");
    CHECK(doc["routes"][1]["reason"].str() == "malformed");
    CHECK(doc["routes"][1]["as_path"].is_null());

    bgp::PeerLockView v;
    v.protected_asns = {3356};
    v.neighbors.push_back({*wire::IpAddress::parse("10.0.0.2"), 396531, true, {}, 7, {{3356, 9}}, {{3356, 7}}});
    t = show_peer_lock_text(v);
    CHECK(t.find("Neighbor 10.0.0.2 (AS 396531) strict: 7 route(s) rejected now\n"
                 "  AS3356: 7 route(s) rejected now, 9 on receipt\n") != std::string::npos);
    doc = jtest::parse(show_peer_lock_json(v));
    CHECK(doc["neighbors"][0]["rejected_by_asn"]["3356"].number() == 9);
}

TEST_CASE("configuration mode: no forms of the defenses", "[cli][configure][defenses]") {
    auto r = load(" neighbor 10.0.0.2 maximum-prefix 50\n neighbor 10.0.0.2 maximum-prefix ipv6 5\n"
                  " neighbor 10.0.0.2 peer-lock strict\n neighbor 10.0.0.2 peer-lock allow 174\n"
                  " neighbor 10.0.0.2 allow default-route\n bgp peer-lock protected-as 174 3356\n"
                  " bgp peer-lock preset tier1\n bgp rejected-routes limit 7\n");
    REQUIRE(r.index() == 0);
    ConfigSession s(std::get<0>(r));
    REQUIRE(s.enter("router bgp 701").ok);
    for (const char* no : {"no neighbor 10.0.0.2 maximum-prefix ipv6", "no neighbor 10.0.0.2 peer-lock strict",
                           "no neighbor 10.0.0.2 peer-lock allow 174", "no neighbor 10.0.0.2 allow default-route",
                           "no bgp peer-lock protected-as 174", "no bgp peer-lock preset tier1",
                           "no bgp rejected-routes limit"}) {
        INFO(no);
        CHECK(s.enter(no).ok);
    }
    CHECK_FALSE(s.enter("no bgp peer-lock protected-as 1299").ok);
    const auto& b = *s.candidate().bgp;
    const auto& n = b.neighbors[0];
    CHECK(n.max_prefix_v4);
    CHECK_FALSE(n.max_prefix_v6);
    CHECK_FALSE(n.peer_lock_strict);
    CHECK(n.peer_lock_allow.empty());
    CHECK_FALSE(n.allow_default_route);
    CHECK(b.peer_lock_protected == std::vector<uint32_t>{3356});
    CHECK_FALSE(b.peer_lock_tier1);
    CHECK(b.rejected_limit == 100000);
    CHECK(s.enter("no neighbor 10.0.0.2 maximum-prefix").ok);
    CHECK_FALSE(s.candidate().bgp->neighbors[0].max_prefix_v4);
    // enforce-first-as: on by default, off for a transparent route server, and back.
    CHECK(s.candidate().bgp->neighbors[0].enforce_first_as);
    CHECK(s.enter("no neighbor 10.0.0.2 enforce-first-as").ok);
    CHECK_FALSE(s.candidate().bgp->neighbors[0].enforce_first_as);
    CHECK(s.enter("neighbor 10.0.0.2 enforce-first-as").ok);
    CHECK(s.candidate().bgp->neighbors[0].enforce_first_as);
}
