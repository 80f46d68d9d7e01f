// The config language: golden files (load -> render == .out, and the render
// loads back to an equal Config), values of the loaded model, and a table of
// broken configs with the expected line:column and message.
#include "cli/config_loader.hpp"
#include "cli/grammar.hpp"

#include "config_test_util.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace moat;
using namespace moat::cli;
using test::load_ok;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("golden configs render as expected and load back equal", "[cli][config]") {
    std::filesystem::path dir = MOAT_CLI_GOLDEN_DIR;
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".conf") continue;
        ++n;
        auto out_path = entry.path();
        out_path.replace_extension(".out");
        INFO(entry.path().filename().string());
        REQUIRE(std::filesystem::exists(out_path));

        auto r = load_config_file(entry.path().string());
        if (r.index() == 1) FAIL(std::get<1>(r).to_string());
        const bgp::Config& cfg = std::get<0>(r);
        std::string rendered = render_config(cfg);
        CHECK(rendered == slurp(out_path));

        auto again = load_config_text(rendered, "render");
        if (again.index() == 1) FAIL(std::get<1>(again).to_string());
        CHECK(std::get<0>(again) == cfg);
        CHECK(render_config(std::get<0>(again)) == rendered);
    }
    CHECK(n >= 5);
}

TEST_CASE("the loaded model carries the values", "[cli][config]") {
    auto cfg = std::get<0>(load_config_file(std::string(MOAT_CLI_GOLDEN_DIR) + "/full.conf"));
    CHECK(cfg.hostname == "edge-1");
    CHECK(cfg.control_socket == "/run/moat/edge-1.sock");
    REQUIRE(cfg.bgp);
    const auto& b = *cfg.bgp;
    CHECK(b.asn == 65546u);
    CHECK(b.router_id == 0xc0000201u);
    REQUIRE(b.listen_addresses.size() == 2);
    CHECK(format_address(b.listen_addresses[1].address) == "2001:db8::1");
    CHECK(b.listen_port == 1179);
    CHECK(b.listen);
    REQUIRE(b.networks.size() == 2);
    CHECK(format_prefix(b.networks[1]) == "2001:db8:100::/48");
    REQUIRE(b.neighbors.size() == 3);

    const auto& a = b.neighbors[0];
    CHECK(format_address(a.address) == "192.0.2.2");
    CHECK(a.remote_as == 64500u);
    CHECK(a.description == "Transit A (contract 17)");
    CHECK(a.password == "s3cr3t key");
    CHECK(a.keepalive_time == 10);
    CHECK(a.hold_time == 30);
    CHECK(a.ttl_security_hops == uint8_t{1});
    CHECK(a.ipv4_unicast);
    CHECK_FALSE(a.ipv6_unicast);

    const auto& t = b.neighbors[1];
    CHECK(t.remote_as == 4200000000u);
    CHECK(t.description == "Transit B \"gold\"");
    REQUIRE(t.update_source);
    CHECK(format_address(*t.update_source) == "2001:db8::1");
    CHECK(t.connect_retry_time == 5);
    CHECK(t.delay_open_time == uint16_t{10});
    CHECK(t.ebgp_multihop == uint8_t{2});
    CHECK_FALSE(t.ipv4_unicast);
    CHECK(t.ipv6_unicast);

    const auto& rs = b.neighbors[2];
    CHECK(rs.passive);
    CHECK(rs.port == 1790);
    CHECK(rs.hold_time == 0);
    CHECK(rs.shutdown);
    CHECK(rs.shutdown_message == "maintenance until 18:00, ticket #4711");
}

TEST_CASE("defaults are those of bgp::Config", "[cli][config]") {
    auto cfg = load_ok("router bgp 65000\n neighbor 192.0.2.9 remote-as 65001\n");
    CHECK(cfg.hostname == bgp::Config{}.hostname);
    REQUIRE(cfg.bgp);
    CHECK(cfg.bgp->neighbors.at(0).hold_time == 90);
    CHECK(cfg.bgp->neighbors.at(0).keepalive_time == 30);
    CHECK(cfg.bgp->listen_port == 179);
    CHECK_FALSE(cfg.bgp->router_id);
    CHECK(load_ok("").bgp == std::nullopt);
    CHECK(load_ok("\xef\xbb\xbfhostname bom\n").hostname == "bom");
    CHECK(load_ok("hostname crlf\r\n\r\n! x\r\n").hostname == "crlf");
}

TEST_CASE("'!' and a top-level command leave the router bgp node", "[cli][config]") {
    auto r = load_config_text("router bgp 65000\n!\nneighbor 192.0.2.1 remote-as 1\n", "t.conf");
    REQUIRE(r.index() == 1);
    CHECK(std::get<1>(r).line == 3);
    CHECK(std::get<1>(r).message == "'neighbor' is only valid inside 'router bgp'");
    // re-entering the same AS is fine
    auto cfg = load_ok("router bgp 65000\n neighbor 192.0.2.1 remote-as 1\nexit\nrouter bgp 65000\n"
                       " neighbor 192.0.2.1 passive\n");
    CHECK(cfg.bgp->neighbors.at(0).passive);
}

TEST_CASE("ConfigError formats as file:line:column", "[cli][config]") {
    ConfigError e{"moatd.conf", 12, 20, "Unknown command at 'x'"};
    CHECK(e.to_string() == "moatd.conf:12:20: error: Unknown command at 'x'");
    auto r = load_config_file("/nonexistent/moatd.conf");
    REQUIRE(r.index() == 1);
    CHECK(std::get<1>(r).to_string().starts_with("/nonexistent/moatd.conf: error: cannot open"));
}

namespace {

struct Broken {
    const char* text;
    unsigned line;
    unsigned column;
    const char* message;  // a fragment of the message
};

const Broken broken[] = {
    {"hostname\n", 1, 9, "Incomplete command"},
    {"frobnicate 1\n", 1, 1, "Unknown command at 'frobnicate'"},
    {"router bgp 0\n", 1, 12, "Invalid AS number"},
    {"router bgp 65000\nrouter bgp 65001\n", 2, 12, "already configured with AS 65000"},
    {"router bgp 65000\n bgp router-id 0.0.0.0\n", 2, 16, "must not be 0.0.0.0"},
    {"router bgp 65000\n neighbor 192.0.2.1 passive\n", 2, 11, "'neighbor 192.0.2.1 remote-as ASN' must come first"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 remote-as 2\n", 3, 11,
     "Duplicate neighbor 192.0.2.1 (first configured on line 2)"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 timers 30 2\n", 3, 31,
     "Hold time must be 0 or 3-65535"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 timers 90 90\n", 3, 28,
     "Keepalive time (90) must be less than the hold time (90)"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 timers 0 90\n", 3, 28,
     "Keepalive time must not be 0"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 timers 10 70000\n", 3, 31,
     "Value out of range (0-65535) at '70000'"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 ttl-security hops 1\n"
     " neighbor 192.0.2.1 ebgp-multihop 2\n",
     4, 21, "ttl-security and ebgp-multihop cannot both be set"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 ebgp-multihop 2\n"
     " neighbor 192.0.2.1 ttl-security hops 1\n",
     4, 21, "ttl-security and ebgp-multihop cannot both be set"},
    {"router bgp 65000\n network 192.0.2.1/24\n", 2, 10, "has host bits set (did you mean 192.0.2.0/24?)"},
    {"router bgp 65000\n network 2001:db8::1/32\n", 2, 10, "did you mean 2001:db8::/32?"},
    {"router bgp 65000\n network 192.0.2.0/24\n network 192.0.2.0/24\n", 3, 10, "Duplicate network"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 port 0\n", 3, 26,
     "Value out of range (1-65535) at '0'"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 update-source 2001:db8::1\n", 3, 35,
     "Update source is IPv6 but the neighbor is IPv4"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n no neighbor 192.0.2.1 address-family ipv4 unicast\n"
     " no neighbor 192.0.2.1 address-family ipv6 unicast\n",
     4, 39, "at least one address family"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 ttl-security hops 255\n", 3, 39,
     "Value out of range (1-254)"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 timers delay-open 300\n", 3, 39,
     "Value out of range (1-240)"},
    {"router bgp 65000\n neighbor 0.0.0.0 remote-as 1\n", 2, 11, "Invalid neighbor address"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 local-role customer\n", 3, 21,
     "for external (eBGP) neighbors only"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 local-role transit\n", 3, 32,
     "'transit'"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 local-role peer lax\n", 3, 37, "'lax'"},
    {"router bgp 65000\n neighbor 192.0.2.1 local-role peer\n", 2, 11, "must come first"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 descr \"open quote\n", 3, 27,
     "Unterminated quoted string"},
    {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 t 10 30\n", 3, 21,
     "Ambiguous command at 't' (timers, ttl-security)"},
    {"router bgp 65000\n bgp listen address 192.0.2.1\n bgp listen address 192.0.2.1\n", 3, 21,
     "Duplicate listen address"},
    {"hostname bad/name\n", 1, 10, "Invalid hostname"},
    {"# comment\n\n  ! another\nrouter bgp 65000\n  neighbor 192.0.2.1 remote-as 65001 extra\n", 5, 38,
     "Unknown command at 'extra'"},
    {"router bgp 65000\n bgp listen port 65536\n", 2, 18, "Value out of range (1-65535) at '65536'"},
};

}  // namespace

TEST_CASE("broken configs are refused at the right line and column", "[cli][config]") {
    for (const Broken& b : broken) {
        INFO(b.text);
        auto r = load_config_text(b.text, "broken.conf");
        REQUIRE(r.index() == 1);
        const ConfigError& e = std::get<1>(r);
        INFO(e.to_string());
        CHECK(e.file == "broken.conf");
        CHECK(e.line == b.line);
        CHECK(e.column == b.column);
        CHECK(e.message.find(b.message) != std::string::npos);
    }
}

TEST_CASE("a long shutdown message is refused (RFC 9003: 255 bytes)", "[cli][config]") {
    std::string text = "router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 shutdown " +
                       std::string(256, 'x') + "\n";
    auto r = load_config_text(text);
    REQUIRE(r.index() == 1);
    CHECK(std::get<1>(r).line == 3);
    CHECK(std::get<1>(r).column == 30);
    text = "router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 shutdown " + std::string(255, 'x');
    CHECK(load_config_text(text).index() == 0);
}

TEST_CASE("render quotes what needs quoting and loads back", "[cli][config]") {
    bgp::Config c;
    c.hostname = "r1";
    c.bgp.emplace();
    c.bgp->asn = 4200000001u;
    bgp::NeighborConfig n;
    n.address = *parse_address("2001:db8::7");
    n.remote_as = 65001;
    n.description = "  spaced \\ \"quoted\" #not-a-comment ";
    n.password = "pa ss";
    n.shutdown = true;
    n.shutdown_message = "!bang";
    c.bgp->neighbors.push_back(n);
    std::string text = render_config(c);
    auto back = load_config_text(text);
    if (back.index() == 1) FAIL(std::get<1>(back).to_string() + "\n" + text);
    CHECK(std::get<0>(back) == c);
}

TEST_CASE("control socket group: a group that exists, printed back; a missing one refused", "[cli][config]") {
    // "root" (gid 0) exists on every system the tests run on.
    auto cfg = load_ok("control socket /tmp/m.sock\ncontrol socket group root\n");
    CHECK(cfg.control_socket_group == "root");
    CHECK(render_config(cfg) == "control socket /tmp/m.sock\ncontrol socket group root\n!\n");
    CHECK(load_ok(render_config(cfg)) == cfg);
    CHECK(load_ok("control socket group 0\n").control_socket_group == "0");  // a gid works too
    CHECK(load_ok("hostname r1\n").control_socket_group.empty());

    auto r = load_config_text("hostname r1\ncontrol socket group no-such-group-moat\n", "g.conf");
    REQUIRE(r.index() == 1);
    CHECK(std::get<1>(r).to_string() == "g.conf:2:22: error: Group 'no-such-group-moat' does not exist");
    r = load_config_text("control socket group 4294967\n", "g.conf");  // an unused gid
    REQUIRE(r.index() == 1);
    CHECK(std::get<1>(r).column == 22);
}

TEST_CASE("local-role sets the RFC 9234 role and strict mode of a neighbor", "[cli][config]") {
    auto cfg = std::get<0>(load_config_file(std::string(MOAT_CLI_GOLDEN_DIR) + "/roles.conf"));
    const auto& b = *cfg.bgp;
    auto role = [&](const char* a) { return b.find_neighbor(*parse_address(a)); };
    CHECK(role("192.0.2.1")->local_role == wire::Role::customer);
    CHECK(!role("192.0.2.1")->role_strict);
    CHECK(role("192.0.2.2")->local_role == wire::Role::provider);
    CHECK(role("192.0.2.2")->role_strict);
    CHECK(role("192.0.2.3")->local_role == wire::Role::peer);
    CHECK(role("192.0.2.3")->role_strict);
    CHECK(role("192.0.2.4")->local_role == wire::Role::rs);
    CHECK(role("2001:db8::5")->local_role == wire::Role::rs_client);
    CHECK(role("2001:db8::6")->local_role == wire::Role::provider);
    CHECK(!role("2001:db8::6")->role_strict);  // the last line wins
    CHECK(!role("192.0.2.7")->local_role);
}
