// The reload plan (bgp::plan_reconfigure) over config texts, configuration
// mode (ConfigSession) and the session requests of the control socket.
#include "bgpd/reconfigure.hpp"
#include "cli/config_loader.hpp"
#include "cli/configure.hpp"

#include <catch2/catch.hpp>

using namespace moat;
using moat::bgp::ReconfigureAction;
using Kind = ReconfigureAction::Kind;

namespace {

bgp::Config load(const std::string& text) {
    auto r = cli::load_config_text(text);
    if (auto* e = std::get_if<cli::ConfigError>(&r)) FAIL(e->to_string());
    return std::get<bgp::Config>(r);
}

const std::string base = R"(hostname r1
router bgp 65000
 bgp router-id 192.0.2.1
 network 198.51.100.0/24
 neighbor 192.0.2.2 remote-as 64500
 neighbor 192.0.2.2 description "A"
 neighbor 192.0.2.3 remote-as 64501
!
)";

std::string edit(std::string s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

// "kind address" per action, for compact expectations.
std::vector<std::string> plan(const std::string& to) {
    std::vector<std::string> out;
    for (const auto& a : bgp::plan_reconfigure(load(base), load(to))) {
        std::string s(bgp::to_string(a.kind));
        if (a.kind != Kind::restart_all && a.kind != Kind::listeners && a.kind != Kind::networks &&
            a.kind != Kind::hostname)
            s += " " + a.neighbor.to_string();
        out.push_back(s);
    }
    return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("reload plan: which change does what", "[cli][reconfigure]") {
    struct Row {
        std::string from, to;
        V expected;
    };
    const Row rows[] = {
        {"", "", {}},
        {"description \"A\"", "description \"B\"", {"update-neighbor 192.0.2.2"}},
        {" neighbor 192.0.2.3 remote-as 64501\n", " neighbor 192.0.2.3 remote-as 64501\n neighbor 192.0.2.4 remote-as 1\n",
         {"add-neighbor 192.0.2.4"}},
        {" neighbor 192.0.2.3 remote-as 64501\n", "", {"remove-neighbor 192.0.2.3"}},
        {"remote-as 64501", "remote-as 64502", {"reset-neighbor 192.0.2.3"}},
        {" neighbor 192.0.2.3 remote-as 64501\n", " neighbor 192.0.2.3 remote-as 64501\n neighbor 192.0.2.3 timers 10 30\n",
         {"reset-neighbor 192.0.2.3"}},
        {" neighbor 192.0.2.3 remote-as 64501\n", " neighbor 192.0.2.3 remote-as 64501\n neighbor 192.0.2.3 password s3cret\n",
         {"reset-neighbor 192.0.2.3"}},
        {" neighbor 192.0.2.3 remote-as 64501\n", " neighbor 192.0.2.3 remote-as 64501\n neighbor 192.0.2.3 shutdown\n",
         {"shutdown-neighbor 192.0.2.3"}},
        {" neighbor 192.0.2.3 remote-as 64501\n",
         " neighbor 192.0.2.3 remote-as 64501\n neighbor 192.0.2.3 next-hop-address 2001:db8::1\n",
         {"update-neighbor 192.0.2.3"}},
        {" network 198.51.100.0/24\n", " network 203.0.113.0/24\n", {"networks"}},
        {"bgp router-id 192.0.2.1", "bgp router-id 192.0.2.9", {"restart-all"}},
        {"router bgp 65000", "router bgp 65001", {"restart-all"}},
        {" bgp router-id 192.0.2.1\n", " bgp router-id 192.0.2.1\n bgp listen port 1179\n", {"listeners"}},
        {"hostname r1", "hostname r2", {"hostname"}},
        // several at once: removals first, then in the order of the new file
        {" neighbor 192.0.2.2 description \"A\"\n neighbor 192.0.2.3 remote-as 64501\n",
         " neighbor 192.0.2.2 description \"B\"\n neighbor 192.0.2.5 remote-as 1\n",
         {"remove-neighbor 192.0.2.3", "update-neighbor 192.0.2.2", "add-neighbor 192.0.2.5"}},
    };
    for (const auto& r : rows) {
        INFO(r.from << " -> " << r.to);
        CHECK(plan(r.from.empty() ? base : edit(base, r.from, r.to)) == r.expected);
    }
}

TEST_CASE("reload plan: shutdown undone starts, details name the change", "[cli][reconfigure]") {
    auto down = load(edit(base, " neighbor 192.0.2.3 remote-as 64501\n",
                          " neighbor 192.0.2.3 remote-as 64501\n neighbor 192.0.2.3 shutdown\n"));
    auto a = bgp::plan_reconfigure(down, load(base));
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Kind::start_neighbor);
    a = bgp::plan_reconfigure(load(base), load(edit(base, "remote-as 64501", "remote-as 64502")));
    REQUIRE(a.size() == 1);
    CHECK(a[0].detail == "remote-as 64501 -> 64502");
    a = bgp::plan_reconfigure(load(base), load(edit(base, " network 198.51.100.0/24\n", " network 203.0.113.0/24\n")));
    REQUIRE(a.size() == 1);
    CHECK(a[0].detail == "+203.0.113.0/24 -198.51.100.0/24");
}

TEST_CASE("configuration mode edits a candidate, checked word by word", "[cli][reconfigure]") {
    cli::ConfigSession s(load(base));
    using Node = cli::ConfigSession::Node;
    CHECK(s.node() == Node::config);
    CHECK(s.enter("router bgp 65000").ok);
    CHECK(s.node() == Node::router_bgp);

    auto r = s.enter("neighbor 192.0.2.9 remote-as 65009");
    CHECK(r.ok);
    r = s.enter("neighbor 192.0.2.9 timers 5 4");
    CHECK_FALSE(r.ok);
    CHECK(r.column == 27);  // the keepalive time
    CHECK(r.error == "% Keepalive time (5) must be less than the hold time (4)");
    r = s.enter("neighbor 192.0.2.9 bogus");
    CHECK_FALSE(r.ok);
    CHECK(r.column == 20);
    CHECK(s.enter("nei 192.0.2.9 desc new one").ok);  // abbreviations
    CHECK(s.enter("neighbor 192.0.2.2 remote-as 64999").ok);  // changes the AS of a neighbor that exists
    CHECK(s.enter("no neighbor 192.0.2.2 description").ok);
    CHECK(s.enter("no neighbor 192.0.2.3").ok);
    CHECK(s.enter("no network 198.51.100.0/24").ok);
    r = s.enter("no network 203.0.113.0/24");
    CHECK_FALSE(r.ok);
    CHECK(r.column == 12);
    r = s.enter("no neighbor 192.0.2.77 passive");
    CHECK(r.error == "% Neighbor 192.0.2.77 is not configured");

    const auto& b = *s.candidate().bgp;
    REQUIRE(b.neighbors.size() == 2);
    CHECK(b.neighbors[0].remote_as == 64999);
    CHECK(b.neighbors[0].description.empty());
    CHECK(b.neighbors[1].address.to_string() == "192.0.2.9");
    CHECK(b.neighbors[1].description == "new one");
    CHECK(b.networks.empty());

    CHECK(s.enter("exit").ok);
    CHECK(s.node() == Node::config);
    CHECK(s.enter("hostname r9").ok);
    CHECK(s.candidate().hostname == "r9");
    r = s.enter("neighbor 192.0.2.4 remote-as 1");
    CHECK(r.error == "% 'neighbor' is only valid inside 'router bgp'");
    r = s.enter("end");
    CHECK((r.ok && r.leave));
}

TEST_CASE("configuration mode completes in its node", "[cli][reconfigure]") {
    cli::ConfigSession s(load(base));
    auto words = [&](std::string_view line) {
        std::vector<std::string> w;
        for (const auto& c : s.complete(line)) w.push_back(c.word);
        return w;
    };
    CHECK(words("rou") == std::vector<std::string>{"router"});
    REQUIRE(s.enter("router bgp 65000").ok);
    auto w = words("no neighbor 192.0.2.2 ");
    CHECK(std::find(w.begin(), w.end(), "description") != w.end());
    CHECK(std::find(w.begin(), w.end(), "<cr>") != w.end());
    CHECK(words("ex") == std::vector<std::string>{"exit"});
}
