// The routing policy commands of the config language: the model they fill,
// the errors they give (with line and column), and configuration mode's
// route-map node.
#include "cli/config_loader.hpp"
#include "cli/configure.hpp"

#include "config_test_util.hpp"

#include <catch2/catch.hpp>

using namespace moat;
using namespace moat::cli;
using test::load_ok;

TEST_CASE("prefix-lists: seq, ge/le, automatic numbering, families", "[cli][policy]") {
    auto c = load_ok("ip prefix-list A permit 10.0.0.0/8 ge 16 le 24\n"
                     "ip prefix-list A seq 3 deny 10.1.0.0/16\n"
                     "ip prefix-list A deny 0.0.0.0/0 le 32\n"
                     "ipv6 prefix-list A permit 2001:db8::/32\n");
    REQUIRE(c.policy.prefix_lists.size() == 2);
    const auto* a = c.policy.prefix_list("A", false);
    REQUIRE(a);
    REQUIRE(a->entries.size() == 3);
    CHECK(a->entries[0].seq == 3);
    CHECK_FALSE(a->entries[0].permit);
    CHECK(a->entries[1].seq == 5);
    CHECK(a->entries[1].ge == 16);
    CHECK(a->entries[1].le == 24);
    CHECK(a->entries[2].seq == 10);
    CHECK_FALSE(a->entries[2].ge);
    CHECK(a->entries[2].le == 32);
    REQUIRE(c.policy.prefix_list("A", true));
    CHECK(c.policy.prefix_list("A", true)->entries[0].prefix == *wire::Prefix::parse("2001:db8::/32"));
}

TEST_CASE("route-map node: clauses, re-opening an entry, leaving the node", "[cli][policy]") {
    auto c = load_ok("route-map M permit 10\n"
                     " set local-preference 50\n"
                     "route-map M deny 5\n"
                     "route-map M permit 10\n"  // re-opened: clauses kept
                     " set metric 7\n"
                     " set as-path prepend 1.10 65000\n"
                     " set community 1:1 2:2\n"
                     " set large-community 1:2:3 additive\n"
                     "hostname x\n");
    const auto* m = c.policy.route_map("M");
    REQUIRE(m);
    REQUIRE(m->entries.size() == 2);
    CHECK(m->entries[0].seq == 5);
    CHECK_FALSE(m->entries[0].permit);
    const auto& e = m->entries[1];
    CHECK(e.set_local_pref == 50u);
    CHECK(e.set_metric == 7u);
    CHECK(e.set_as_path_prepend == std::vector<uint32_t>{65546, 65000});
    CHECK(e.set_community == std::vector<uint32_t>{0x10001, 0x20002});
    CHECK_FALSE(e.set_community_additive);
    REQUIRE(e.set_large_community);
    CHECK(e.set_large_community_additive);
    CHECK(c.hostname == "x");
}

TEST_CASE("policy errors point at the word", "[cli][policy]") {
    struct Case {
        const char* text;
        unsigned line, column;
        const char* message;
    };
    const Case cases[] = {
        {"ip prefix-list A permit 10.0.0.1/8\n", 1, 25, "host bits"},
        {"ip prefix-list A permit 2001:db8::/32\n", 1, 25, "takes IPv4 prefixes"},
        {"ip prefix-list A permit 10.0.0.0/8 le 8\n", 1, 39, "le must be 9-32"},
        {"ip prefix-list A permit 10.0.0.0/8 ge 24 le 16\n", 1, 45, "le must not be less than ge"},
        {"ip prefix-list A permit 10.0.0.0/8 foo 16\n", 1, 36, "Expected ge N or le N"},
        {"ip prefix-list A seq 5 permit 10.0.0.0/8\nip prefix-list A seq 5 deny 10.0.0.0/8\n", 2, 22,
         "Duplicate seq 5"},
        {"bgp as-path access-list P permit ^(64500\n", 1, 34, "Invalid regular expression"},
        {"bgp community-list C permit 65536:1\n", 1, 29, "Invalid community 65536:1"},
        {"bgp large-community-list C permit 1:2\n", 1, 35, "Invalid large community"},
        {"route-map M permit 10\n match ip address prefix-list NOPE\n", 2, 31,
         "ip prefix-list NOPE is not defined"},
        {"route-map M permit 10\n match as-path X\n", 2, 16, "bgp as-path access-list X is not defined"},
        {"route-map M permit 10\n set comm-list X delete\n", 2, 16, "bgp community-list X is not defined"},
        {"route-map M permit 10\n continue 5\n", 2, 11, "continue must go forward"},
        {"route-map M permit 10\n set community 1:1 bogus\n", 2, 20, "Invalid community bogus"},
        {"match as-path X\n", 1, 1, "only valid inside 'route-map"},
        {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 route-map IN in\n", 3, 31,
         "route-map IN is not defined"},
        {"route-map M permit 70000\n", 1, 20, "Value out of range"},
    };
    for (const Case& k : cases) {
        INFO(k.text);
        auto r = load_config_text(k.text, "p.conf");
        REQUIRE(r.index() == 1);
        const auto& e = std::get<1>(r);
        INFO(e.to_string());
        CHECK(e.line == k.line);
        CHECK(e.column == k.column);
        CHECK(e.message.find(k.message) != std::string::npos);
    }
}

TEST_CASE("configuration mode enters the route-map node and removes policy safely", "[cli][policy]") {
    ConfigSession s(load_ok("router bgp 65000\n neighbor 192.0.2.1 remote-as 65001\n"));
    CHECK(s.enter("ip prefix-list P permit 192.0.2.0/24 le 32").ok);
    CHECK(s.enter("route-map IN permit 10").ok);
    CHECK(s.node() == ConfigSession::Node::route_map);
    CHECK(s.enter("match ip address prefix-list P").ok);
    CHECK(s.enter("set local-preference 300").ok);
    auto bad = s.enter("match ip address prefix-list Q");
    CHECK_FALSE(bad.ok);
    CHECK(bad.error.find("not defined") != std::string::npos);
    CHECK(s.enter("exit").ok);
    CHECK(s.node() == ConfigSession::Node::config);
    CHECK(s.enter("router bgp 65000").ok);
    CHECK(s.enter("neighbor 192.0.2.1 route-map IN in").ok);
    CHECK(s.candidate().bgp->neighbors[0].route_map_in == "IN");
    // The prefix-list is in use: refused.
    CHECK(s.enter("route-map IN permit 10").ok);
    CHECK(s.node() == ConfigSession::Node::route_map);
    CHECK(s.enter("no set local-preference").ok);
    CHECK_FALSE(s.candidate().policy.route_map("IN")->entries[0].set_local_pref);
    auto r = s.enter("no ip prefix-list P");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("refused") != std::string::npos);
    CHECK(s.enter("route-map IN permit 10").ok);
    CHECK(s.enter("no match ip address prefix-list").ok);
    CHECK(s.enter("no ip prefix-list P").ok);
    CHECK(s.candidate().policy.prefix_lists.empty());
    CHECK(s.enter("router bgp 65000").ok);
    CHECK(s.enter("no neighbor 192.0.2.1 route-map IN in").ok);
    CHECK(s.enter("exit").ok);
    CHECK(s.enter("no route-map IN").ok);
    CHECK(s.candidate().policy.empty());
    // completion in the node
    CHECK(s.enter("route-map X deny 10").ok);
    auto comp = s.complete("match rp");
    REQUIRE(comp.size() == 1);
    CHECK(comp[0].word == "rpki");
}
