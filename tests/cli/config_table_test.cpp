// The configuration table (cli/config_table.hpp): the `no` forms come from
// its rows and nowhere else; every row with an unset handler round-trips in
// configuration mode (set, then `no`, gives back the configuration before
// the set), found by iterating over the table so a new row is covered; the
// `no` forms the file accepts; clear errors for a `no` form that does not
// exist.
#include "cli/config_loader.hpp"
#include "cli/config_table.hpp"
#include "cli/configure.hpp"

#include "config_test_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace moat;
using namespace moat::cli;
using moat::cli::test::load_ok;
using config::Where;

namespace {

std::string pattern_of(const Syntax& s) {
    std::string p;
    for (const auto& t : s.tokens) p += (p.empty() ? "" : " ") + t.text;
    return p;
}

std::set<std::string> patterns(Node node, Where mode) {
    std::set<std::string> out;
    for (const auto& s : config::grammar(node, mode).syntax) out.insert(pattern_of(s));
    return out;
}

std::vector<Word> words_of(std::string_view line) {
    auto t = tokenize(line);
    REQUIRE(t.index() == 0);
    return std::get<0>(t);
}

const Node config_nodes[] = {Node::config, Node::router_bgp, Node::route_map};

// What the examples below need: an iBGP (.2) and an eBGP (.3) neighbor, a
// list of every kind and a route-map entry to edit.
const std::string fixture = R"(ip prefix-list PL4 seq 5 permit 10.0.0.0/8
ipv6 prefix-list PL6 seq 5 permit 2001:db8::/32
bgp as-path access-list AP permit ^64500_
bgp community-list CL permit 64500:1
bgp large-community-list LCL permit 64500:1:1
route-map RM permit 10
!
router bgp 65000
 neighbor 192.0.2.2 remote-as 65000
 neighbor 192.0.2.3 remote-as 64500
!
)";

void enter_node(ConfigSession& s, Node node) {
    if (node == Node::router_bgp && s.node() != Node::router_bgp) REQUIRE(s.enter("router bgp 65000").ok);
    if (node == Node::route_map && s.node() != Node::route_map) REQUIRE(s.enter("route-map RM permit 10").ok);
}

// Set forms of the rows that have an unset handler, as the running config
// prints them, on the fixture. A row with a `no` form and no example here
// fails the round-trip test.
const std::map<std::string, std::vector<std::string>> examples = {
    // top level
    {"hostname WORD", {"hostname r9"}},
    {"control socket group WORD", {"control socket group root"}},  // gid 0 exists everywhere
    {"router bgp ASN", {"router bgp 65000"}},
    {"fib", {"fib"}},
    {"fib table <1-2147483647>", {"fib table 100"}},
    {"fib protocol <1-255>", {"fib protocol 200"}},
    {"fib metric <0-2147483647>", {"fib metric 30"}},
    {"fib ipv4", {"fib ipv4"}},
    {"fib ipv6", {"fib ipv6"}},
    {"fib stale-time <0-3600>", {"fib stale-time 5"}},
    {"ip prefix-list WORD permit LINE...", {"ip prefix-list NEW permit 10.0.0.0/8 le 24"}},
    {"ip prefix-list WORD deny LINE...", {"ip prefix-list NEW deny 10.0.0.0/8"}},
    {"ip prefix-list WORD seq <1-4294967295> permit LINE...", {"ip prefix-list NEW seq 7 permit 10.0.0.0/8"}},
    {"ip prefix-list WORD seq <1-4294967295> deny LINE...", {"ip prefix-list NEW seq 7 deny 10.0.0.0/8"}},
    {"ipv6 prefix-list WORD permit LINE...", {"ipv6 prefix-list NEW permit 2001:db8::/32 ge 48"}},
    {"ipv6 prefix-list WORD deny LINE...", {"ipv6 prefix-list NEW deny 2001:db8::/32"}},
    {"ipv6 prefix-list WORD seq <1-4294967295> permit LINE...", {"ipv6 prefix-list NEW seq 7 permit 2001:db8::/32"}},
    {"ipv6 prefix-list WORD seq <1-4294967295> deny LINE...", {"ipv6 prefix-list NEW seq 7 deny 2001:db8::/32"}},
    {"bgp as-path access-list WORD permit LINE...", {"bgp as-path access-list NEW permit ^64500_"}},
    {"bgp as-path access-list WORD deny LINE...", {"bgp as-path access-list NEW deny _64666_"}},
    {"bgp community-list WORD permit LINE...", {"bgp community-list NEW permit 64500:1 no-export"}},
    {"bgp community-list WORD deny LINE...", {"bgp community-list NEW deny 64500:2"}},
    {"bgp community-list standard WORD permit LINE...", {"bgp community-list standard NEW permit 64500:1"}},
    {"bgp community-list standard WORD deny LINE...", {"bgp community-list standard NEW deny 64500:2"}},
    {"bgp large-community-list WORD permit LINE...", {"bgp large-community-list NEW permit 64500:1:1"}},
    {"bgp large-community-list WORD deny LINE...", {"bgp large-community-list NEW deny 64500:1:2"}},
    {"bgp large-community-list standard WORD permit LINE...", {"bgp large-community-list standard NEW permit 1:2:3"}},
    {"bgp large-community-list standard WORD deny LINE...", {"bgp large-community-list standard NEW deny 1:2:3"}},
    {"route-map WORD permit <1-65535>", {"route-map NEW permit 10"}},
    {"route-map WORD deny <1-65535>", {"route-map NEW deny 20"}},
    // router bgp
    {"bgp router-id A.B.C.D", {"bgp router-id 192.0.2.1"}},
    {"bgp listen address ADDR", {"bgp listen address 192.0.2.1", "bgp listen address 2001:db8::1"}},
    {"bgp listen port <1-65535>", {"bgp listen port 1179"}},
    {"bgp listen", {"bgp listen"}},
    {"network PREFIX", {"network 198.51.100.0/24"}},
    {"neighbor ADDR remote-as ASN", {"neighbor 192.0.2.9 remote-as 64509", "neighbor 2001:db8::9 remote-as 1.10"}},
    {"neighbor ADDR description LINE...", {"neighbor 192.0.2.2 description \"A b\""}},
    {"neighbor ADDR passive", {"neighbor 192.0.2.2 passive"}},
    {"neighbor ADDR update-source ADDR", {"neighbor 192.0.2.2 update-source 192.0.2.1"}},
    {"neighbor ADDR next-hop-address ADDR",
     {"neighbor 192.0.2.2 next-hop-address 2001:db8::1", "neighbor 192.0.2.2 next-hop-address 192.0.2.1"}},
    {"neighbor ADDR disable-connected-check", {"neighbor 192.0.2.2 disable-connected-check"}},
    {"maximum-paths <1-64>", {"maximum-paths 4"}},
    {"maximum-paths ibgp <1-64>", {"maximum-paths ibgp 8"}},
    {"bgp bestpath as-path multipath-relax", {"bgp bestpath as-path multipath-relax"}},
    {"neighbor ADDR next-hop-self", {"neighbor 192.0.2.2 next-hop-self"}},
    {"neighbor ADDR route-reflector-client", {"neighbor 192.0.2.2 route-reflector-client"}},
    {"neighbor ADDR default-originate", {"neighbor 192.0.2.3 default-originate"}},
    {"neighbor ADDR local-role provider", {"neighbor 192.0.2.3 local-role provider"}},
    {"neighbor ADDR local-role provider strict", {"neighbor 192.0.2.3 local-role provider strict"}},
    {"neighbor ADDR local-role customer", {"neighbor 192.0.2.3 local-role customer"}},
    {"neighbor ADDR local-role customer strict", {"neighbor 192.0.2.3 local-role customer strict"}},
    {"neighbor ADDR local-role peer", {"neighbor 192.0.2.3 local-role peer"}},
    {"neighbor ADDR local-role peer strict", {"neighbor 192.0.2.3 local-role peer strict"}},
    {"neighbor ADDR local-role rs", {"neighbor 192.0.2.3 local-role rs"}},
    {"neighbor ADDR local-role rs strict", {"neighbor 192.0.2.3 local-role rs strict"}},
    {"neighbor ADDR local-role rs-client", {"neighbor 192.0.2.3 local-role rs-client"}},
    {"neighbor ADDR local-role rs-client strict", {"neighbor 192.0.2.3 local-role rs-client strict"}},
    {"bgp always-compare-med", {"bgp always-compare-med"}},
    {"bgp ebgp-requires-policy", {"bgp ebgp-requires-policy"}},
    {"bgp cluster-id A.B.C.D", {"bgp cluster-id 192.0.2.100"}},
    {"neighbor ADDR port <1-65535>", {"neighbor 192.0.2.2 port 1179"}},
    {"neighbor ADDR timers <0-65535> <0-65535>", {"neighbor 192.0.2.2 timers 10 30"}},
    {"neighbor ADDR timers connect <1-65535>", {"neighbor 192.0.2.2 timers connect 5"}},
    {"neighbor ADDR timers delay-open <1-240>", {"neighbor 192.0.2.2 timers delay-open 7"}},
    {"neighbor ADDR shutdown", {"neighbor 192.0.2.2 shutdown"}},
    {"neighbor ADDR shutdown LINE...", {"neighbor 192.0.2.2 shutdown \"maint window\""}},
    {"neighbor ADDR password WORD", {"neighbor 192.0.2.2 password s3cret"}},
    {"neighbor ADDR ttl-security hops <1-254>", {"neighbor 192.0.2.2 ttl-security hops 2"}},
    {"neighbor ADDR ebgp-multihop <1-255>", {"neighbor 192.0.2.3 ebgp-multihop 3"}},
    {"neighbor ADDR address-family ipv4 unicast", {"neighbor 192.0.2.3 address-family ipv4 unicast"}},
    {"neighbor ADDR address-family ipv6 unicast", {"neighbor 192.0.2.3 address-family ipv6 unicast"}},
    {"bgp reject martians", {"bgp reject martians"}},
    {"bgp reject too-specific", {"bgp reject too-specific"}},
    {"bgp reject bogon-asns", {"bgp reject bogon-asns"}},
    {"bgp maxas-limit <1-2000>", {"bgp maxas-limit 50"}},
    {"bgp rejected-routes limit <0-10000000>", {"bgp rejected-routes limit 7"}},
    {"bgp peer-lock protected-as LINE...", {"bgp peer-lock protected-as 174 3356"}},
    {"bgp peer-lock preset tier1", {"bgp peer-lock preset tier1"}},
    {"neighbor ADDR peer-lock allow LINE...", {"neighbor 192.0.2.3 peer-lock allow 174 3356"}},
    {"neighbor ADDR peer-lock strict", {"neighbor 192.0.2.3 peer-lock strict"}},
    {"neighbor ADDR allow default-route", {"neighbor 192.0.2.3 allow default-route"}},
    {"neighbor ADDR enforce-first-as", {"neighbor 192.0.2.3 enforce-first-as"}},
    {"neighbor ADDR maximum-prefix LINE...",
     {"neighbor 192.0.2.3 maximum-prefix 100 90 restart 5", "neighbor 192.0.2.3 maximum-prefix ipv6 20 warning-only",
      "neighbor 192.0.2.3 maximum-prefix ipv4 30 receive"}},
    {"neighbor ADDR route-map WORD in", {"neighbor 192.0.2.3 route-map RM in"}},
    {"neighbor ADDR route-map WORD out", {"neighbor 192.0.2.3 route-map RM out"}},
    // route-map node (RM permit 10)
    {"description LINE...", {"description \"to the transit\""}},
    {"match ip address prefix-list WORD", {"match ip address prefix-list PL4"}},
    {"match ipv6 address prefix-list WORD", {"match ipv6 address prefix-list PL6"}},
    {"match as-path WORD", {"match as-path AP"}},
    {"match community WORD", {"match community CL"}},
    {"match large-community WORD", {"match large-community LCL"}},
    {"match rpki valid", {"match rpki valid"}},
    {"match rpki invalid", {"match rpki invalid"}},
    {"match rpki notfound", {"match rpki notfound"}},
    {"match peer ADDR", {"match peer 192.0.2.2"}},
    {"set local-preference <0-4294967295>", {"set local-preference 200"}},
    {"set metric <0-4294967295>", {"set metric 0"}},
    {"set community LINE...", {"set community 64500:1 additive", "set community none"}},
    {"set comm-list WORD delete", {"set comm-list CL delete"}},
    {"set large-community LINE...", {"set large-community 64500:1:1 additive"}},
    {"set as-path prepend LINE...", {"set as-path prepend 65000 65000"}},
    {"set ip next-hop A.B.C.D", {"set ip next-hop 192.0.2.254"}},
    {"set ipv6 next-hop ADDR", {"set ipv6 next-hop 2001:db8::254"}},
    {"on-match next", {"on-match next"}},
    {"continue", {"continue"}},
    {"continue <1-65535>", {"continue 20"}},
};

// The `no` lines made of "no" and the first words of the example that are
// one of the row's `no` forms, longest first.
std::vector<std::string> no_lines(Node node, const config::Command& c, const std::string& example) {
    const auto words = words_of(example);
    const auto forms = config::expand(c.no);
    std::vector<std::string> out;
    for (size_t k = words.size(); k >= 1; --k) {
        std::string line = "no";
        for (size_t i = 0; i < k; ++i) line += " " + quote_if_needed(words[i].text);
        auto d = config::dispatch(node, Where::terminal, words_of(line));
        auto* m = std::get_if<config::Dispatched>(&d);
        if (!m || !m->form.unset) continue;
        const std::string p = pattern_of(config::grammar(m->node, Where::terminal).syntax[m->match.index]);
        if (std::find(forms.begin(), forms.end(), p.substr(3)) != forms.end()) out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("expand: optional words with alternatives, shortest first", "[cli][config]") {
    using V = std::vector<std::string>;
    CHECK(config::expand("hostname") == V{"hostname"});
    CHECK(config::expand("neighbor ADDR local-role [WORD [strict]]") ==
          V{"neighbor ADDR local-role", "neighbor ADDR local-role WORD", "neighbor ADDR local-role WORD strict"});
    CHECK(config::expand("m [ipv4 [LINE...]|ipv6 [LINE...]|LINE...]") ==
          V{"m", "m ipv4", "m ipv6", "m LINE...", "m ipv4 LINE...", "m ipv6 LINE..."});
    CHECK(config::expand("a [b] c") == V{"a c", "a b c"});
    CHECK_THROWS(config::expand("a [b"));
    CHECK_THROWS(config::expand("a b]"));
}

TEST_CASE("config table: the `no` forms come from the rows' unset handlers", "[cli][config]") {
    for (Node node : config_nodes) {
        for (Where mode : {Where::file, Where::terminal}) {
            const auto& g = config::grammar(node, mode);
            REQUIRE(g.syntax.size() == g.forms.size());
            for (size_t i = 0; i < g.syntax.size(); ++i) {
                const std::string p = pattern_of(g.syntax[i]);
                const config::Form& f = g.forms[i];
                INFO(p);
                REQUIRE(f.command);
                CHECK(p.starts_with("no ") == f.unset);
                if (!f.unset) continue;
                REQUIRE(f.command->unset);
                CHECK(config::in(f.command->no_in, mode));
                auto e = config::expand(f.command->no);
                CHECK(std::find(e.begin(), e.end(), p.substr(3)) != e.end());
            }
        }
        // Every expansion of every row's `no` form is a command of the node.
        const auto terminal = patterns(node, Where::terminal);
        for (const config::Command* c : config::commands(node)) {
            CHECK(!c->no == !c->unset);
            if (!c->no) continue;
            for (const std::string& e : config::expand(c->no)) {
                INFO(e);
                CHECK(terminal.count("no " + e) == 1);
            }
        }
    }
}

TEST_CASE("config table: every `no` form of configuration mode is still there", "[cli][config]") {
    // The `no` forms configuration mode has always accepted (docs/cli.md,
    // docs/configuration.md), node by node.
    const std::map<Node, std::vector<std::string>> known = {
        {Node::config,
         {"no hostname", "no router bgp", "no control socket group", "no ip prefix-list WORD",
          "no ip prefix-list WORD seq <1-4294967295>", "no ipv6 prefix-list WORD",
          "no ipv6 prefix-list WORD seq <1-4294967295>", "no bgp as-path access-list WORD",
          "no bgp community-list WORD", "no bgp large-community-list WORD", "no route-map WORD",
          "no route-map WORD permit <1-65535>", "no route-map WORD deny <1-65535>", "no fib", "no fib table",
          "no fib protocol", "no fib metric", "no fib ipv4", "no fib ipv6", "no fib stale-time", "exit", "end"}},
        {Node::router_bgp,
         {"exit", "end", "bgp listen", "no bgp listen", "no bgp router-id", "no bgp listen address ADDR",
          "no bgp listen port", "no network PREFIX", "no neighbor ADDR", "no neighbor ADDR description",
          "no neighbor ADDR passive", "no neighbor ADDR shutdown", "no neighbor ADDR update-source",
          "no neighbor ADDR port", "no neighbor ADDR timers", "no neighbor ADDR timers connect",
          "no neighbor ADDR timers delay-open", "no neighbor ADDR password", "no neighbor ADDR ttl-security",
          "no neighbor ADDR ttl-security hops", "no neighbor ADDR ebgp-multihop",
          "no neighbor ADDR next-hop-address ADDR", "no neighbor ADDR remote-as", "no neighbor ADDR next-hop-self", "no neighbor ADDR disable-connected-check", "no maximum-paths", "no maximum-paths ibgp",
          "no bgp bestpath as-path multipath-relax",
          "no neighbor ADDR route-reflector-client", "no neighbor ADDR default-originate",
          "no bgp always-compare-med", "no bgp cluster-id", "no neighbor ADDR local-role",
          "no bgp router-id A.B.C.D", "no bgp listen port <1-65535>", "no bgp cluster-id A.B.C.D",
          "no neighbor ADDR remote-as ASN", "no neighbor ADDR description LINE...",
          "no neighbor ADDR shutdown LINE...", "no neighbor ADDR update-source ADDR",
          "no neighbor ADDR port <1-65535>", "no neighbor ADDR timers <0-65535> <0-65535>",
          "no neighbor ADDR timers connect <1-65535>", "no neighbor ADDR timers delay-open <1-240>",
          "no neighbor ADDR password WORD", "no neighbor ADDR ttl-security hops <1-254>",
          "no neighbor ADDR ebgp-multihop <1-255>", "no neighbor ADDR local-role WORD",
          "no neighbor ADDR local-role WORD strict", "no neighbor ADDR maximum-prefix",
          "no neighbor ADDR maximum-prefix ipv4", "no neighbor ADDR maximum-prefix ipv6",
          "no neighbor ADDR maximum-prefix LINE...", "no neighbor ADDR peer-lock strict",
          "no neighbor ADDR peer-lock allow", "no neighbor ADDR peer-lock allow LINE...",
          "no neighbor ADDR allow default-route", "no bgp peer-lock protected-as",
          "no bgp peer-lock protected-as LINE...", "no bgp peer-lock preset tier1", "no bgp rejected-routes limit",
          "no bgp rejected-routes limit <0-10000000>", "no neighbor ADDR route-map WORD in",
          "no neighbor ADDR route-map WORD out", "no bgp ebgp-requires-policy", "no bgp reject martians",
          "no bgp reject too-specific", "no bgp reject bogon-asns", "no bgp maxas-limit",
          "no neighbor ADDR address-family ipv4 unicast", "no neighbor ADDR address-family ipv6 unicast",
          "no neighbor ADDR enforce-first-as"}},
        {Node::route_map,
         {"exit", "end", "no description", "no match ip address prefix-list", "no match ipv6 address prefix-list",
          "no match as-path", "no match community", "no match large-community", "no match rpki", "no match peer",
          "no set local-preference", "no set metric", "no set community", "no set comm-list",
          "no set large-community", "no set as-path prepend", "no set ip next-hop", "no set ipv6 next-hop",
          "no on-match next", "no continue"}},
    };
    for (const auto& [node, list] : known) {
        const auto terminal = patterns(node, Where::terminal);
        for (const auto& p : list) {
            INFO(p);
            CHECK(terminal.count(p) == 1);
        }
    }
    // The file's own `no` forms, and only those: the file leaves a setting
    // out rather than undoing it.
    std::set<std::string> file_no;
    for (Node node : config_nodes)
        for (const auto& p : patterns(node, Where::file))
            if (p.starts_with("no ")) file_no.insert(p);
    CHECK(file_no == std::set<std::string>{"no bgp listen", "no bgp ebgp-requires-policy", "no bgp reject martians",
                                           "no bgp reject too-specific", "no bgp reject bogon-asns",
                                           "no bgp maxas-limit", "no neighbor ADDR address-family ipv4 unicast",
                                           "no neighbor ADDR address-family ipv6 unicast",
                                           "no neighbor ADDR enforce-first-as", "no fib ipv4", "no fib ipv6"});
    // Configuration mode's way out is not a file command.
    CHECK(patterns(Node::config, Where::file).count("end") == 0);
    CHECK(patterns(Node::router_bgp, Where::file).count("bgp listen") == 0);
}

TEST_CASE("config table: every row with an unset handler round-trips", "[cli][config][configure]") {
    const bgp::Config start = load_ok(fixture);
    int rows = 0, lines = 0;
    for (Node node : config_nodes) {
        for (const config::Command* c : config::commands(node)) {
            if (!c->unset) continue;
            INFO("row: " << c->pattern);
            ++rows;
            auto ex = examples.find(c->pattern);
            if (ex == examples.end()) {
                FAIL_CHECK("no round-trip example for a row with a `no` form");
                continue;
            }
            bool first = true;
            for (const std::string& example : ex->second) {
                INFO("example: " << example);
                // The example is this row's set form.
                auto d = config::dispatch(node, Where::terminal, words_of(example));
                REQUIRE(d.index() == 0);
                CHECK(std::get<0>(d).form.command == c);
                CHECK_FALSE(std::get<0>(d).form.unset);

                const auto no = no_lines(node, *c, example);
                REQUIRE_FALSE(no.empty());
                std::vector<std::string> to_try{no.front()};  // with as much of the value as the form takes
                if (first && no.back() != no.front()) to_try.push_back(no.back());  // the bare form
                first = false;

                // The setting absent (some are on by default), then set.
                ConfigSession s(start);
                enter_node(s, node);
                (void)s.enter(no.front());
                enter_node(s, node);
                const bgp::Config before = s.candidate();
                auto r = s.enter(example);
                INFO(r.error);
                REQUIRE(r.ok);
                CHECK(s.candidate() != before);  // the set form changes something

                for (const std::string& line : to_try) {
                    INFO("no: " << line);
                    ++lines;
                    ConfigSession t = s;
                    auto u = t.enter(line);
                    CHECK(u.error == "");
                    CHECK(t.candidate() == before);
                    CHECK(render_config(t.candidate()) == render_config(before));
                }

                // A `no` form that is a file line does the same in the file.
                if (config::in(c->no_in, Where::file) && config::in(c->set_in, Where::file) &&
                    node == Node::router_bgp) {
                    std::string body = fixture.substr(0, fixture.size() - 2);  // in router bgp
                    auto with = load_ok(body + " " + example + "\n " + no.front() + "\n");
                    auto without = load_ok(body + " " + no.front() + "\n");
                    CHECK(with == without);
                    CHECK(load_ok(body + " " + example + "\n") != without);
                }
            }
        }
    }
    CHECK(rows > 80);
    CHECK(lines > rows);
}

TEST_CASE("configuration mode: an unknown `no` form is refused clearly", "[cli][config][configure]") {
    const bgp::Config start = load_ok(fixture);
    ConfigSession s(start);
    auto r = s.enter("no frobnicate");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "% Unknown command at 'frobnicate'");
    CHECK(r.column == 4);
    // A command that has no `no` form says so.
    r = s.enter("no rpki file /var/lib/vrps.json");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "% 'rpki file WORD' has no 'no' form");
    CHECK(r.column == 1);
    // A command whose `no` form takes other words names it.
    r = s.enter("no ip prefix-list PL4 permit 10.0.0.0/8");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "% Unknown command at 'permit' (the 'no' form is 'no ip prefix-list WORD [seq <1-4294967295>]')");
    CHECK(r.column == 23);
    REQUIRE(s.enter("router bgp 65000").ok);
    r = s.enter("no neighbor 192.0.2.3 rpki validation off");
    CHECK(r.error == "% 'neighbor ADDR rpki validation off' has no 'no' form");
    r = s.enter("no neighbor 192.0.2.3 bogus");
    CHECK(r.error == "% Unknown command at 'bogus'");
    CHECK(r.column == 23);
    r = s.enter("no neighbor 192.0.2.3 local-role transit");
    CHECK(r.error == "% Unknown role 'transit' (provider, customer, peer, rs, rs-client)");
    CHECK(r.column == 34);
    r = s.enter("no hostname r1");  // a top-level command from router bgp
    CHECK(r.error == "% Unknown command at 'r1' (the 'no' form is 'no hostname')");
    REQUIRE(s.enter("exit").ok);
    CHECK(s.node() == Node::config);
    r = s.enter("no neighbor 192.0.2.3 passive");
    CHECK(r.error == "% 'no' is only valid inside 'router bgp'");
    r = s.enter("no match as-path");
    CHECK(r.error == "% 'no' is only valid inside 'route-map NAME permit|deny SEQ'");
    CHECK(s.candidate() == start);
}

TEST_CASE("the config file: a `no` form of configuration mode is refused with why", "[cli][config]") {
    struct Row {
        const char* text;
        unsigned line, column;
        const char* message;
    };
    const Row rows[] = {
        {"hostname r1\nno hostname\n", 2, 1,
         "'no hostname' is only valid in configuration mode (the file leaves the setting out)"},
        {"router bgp 65000\n neighbor 192.0.2.2 remote-as 1\n no neighbor 192.0.2.2 passive\n", 3, 2,
         "'no neighbor ADDR passive' is only valid in configuration mode (the file leaves the setting out)"},
        {"router bgp 65000\n bgp router-id 192.0.2.1\n no bgp router-id 192.0.2.1\n", 3, 2,
         "'no bgp router-id [A.B.C.D]' is only valid in configuration mode (the file leaves the setting out)"},
        {"rpki file x.json\nno rpki file x.json\n", 2, 1, "'rpki file WORD' has no 'no' form"},
        {"router bgp 65000\n no bgp maxas-limit 5\n", 2, 21,
         "Unknown command at '5' (the 'no' form is 'no bgp maxas-limit')"},
    };
    for (const Row& r : rows) {
        INFO(r.text);
        auto res = load_config_text(r.text, "f.conf");
        REQUIRE(res.index() == 1);
        const ConfigError& e = std::get<1>(res);
        CHECK(e.line == r.line);
        CHECK(e.column == r.column);
        CHECK(e.message == r.message);
    }
}

TEST_CASE("configuration mode: a neighbor's AS changed in place must fit its other settings",
          "[cli][config][configure]") {
    const bgp::Config start =
        load_ok("router bgp 65000\n neighbor 192.0.2.2 remote-as 65000\n neighbor 192.0.2.2 route-reflector-client\n");
    ConfigSession s(start);
    REQUIRE(s.enter("router bgp 65000").ok);
    auto r = s.enter("neighbor 192.0.2.2 remote-as 64999");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "% refused: A route-reflector client must be an internal (iBGP) neighbor");
    CHECK(s.candidate() == start);
    REQUIRE(s.enter("no neighbor 192.0.2.2 route-reflector-client").ok);
    CHECK(s.enter("neighbor 192.0.2.2 remote-as 64999").ok);
    CHECK(s.candidate().bgp->neighbors.at(0).remote_as == 64999u);
}
