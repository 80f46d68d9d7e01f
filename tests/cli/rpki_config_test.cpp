// The `rpki ...` config commands: values of the model, defaults, errors, and
// the reload plan for RPKI changes (sources restarted, soft reset in).
#include "bgpd/reconfigure.hpp"
#include "cli/config_loader.hpp"
#include "cli/grammar.hpp"

#include "config_test_util.hpp"

#include <catch2/catch.hpp>

using namespace moat;
using namespace moat::cli;
using test::load_ok;

TEST_CASE("rpki commands fill RpkiConfig", "[cli][config][rpki]") {
    auto cfg = std::get<0>(load_config_file(std::string(MOAT_CLI_GOLDEN_DIR) + "/rpki.conf"));
    const auto& r = cfg.rpki;
    REQUIRE(r.caches.size() == 6);
    CHECK(r.caches[0].host == "127.0.0.1");
    CHECK(r.caches[0].port == 3323);
    CHECK(r.caches[0].preference == 1);
    CHECK(r.caches[0].transport == bgp::RpkiCache::Transport::tcp);
    CHECK(r.caches[1].preference == 2);
    CHECK(r.caches[2].transport == bgp::RpkiCache::Transport::ssh);
    CHECK(r.caches[2].ssh_user == "rpki");
    CHECK(r.caches[2].ssh_key == "/etc/moat/rtr_key");
    CHECK(r.caches[2].ssh_host_key == "/etc/moat/known_hosts");
    CHECK(r.caches[2].preference == 3);
    CHECK(r.caches[3].ssh_key == "/etc/moat/rtr key");
    CHECK(r.caches[3].ssh_host_key.empty());
    CHECK(r.caches[4].transport == bgp::RpkiCache::Transport::tls);
    CHECK(r.caches[4].tls_ca == "/etc/moat/rtr-ca.pem");
    CHECK(r.caches[5].tls_ca.empty());
    CHECK(r.caches[5].preference == 5);
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0] == "/var/lib/rpki-client/json");
    CHECK(r.refresh == 300u);
    CHECK(r.retry == 60u);
    CHECK(r.expire == 7200u);
    CHECK(r.safe_start_timeout == 20u);
    CHECK(r.drop_guard == 50u);
    CHECK(r.enabled());
    REQUIRE(cfg.bgp);
    CHECK(cfg.bgp->rpki_prefer_valid);
    REQUIRE(cfg.bgp->neighbors.size() == 3);
    CHECK(cfg.bgp->neighbors[0].rpki_reject_invalid == false);
    CHECK(cfg.bgp->neighbors[1].rpki_reject_invalid == true);
    CHECK_FALSE(cfg.bgp->neighbors[2].rpki_reject_invalid.has_value());
    CHECK_FALSE(cfg.bgp->neighbors[2].rpki_validation);
    CHECK(cfg.bgp->neighbors[0].rpki_validation);
}

TEST_CASE("rpki defaults: no source, validation on, 60 s safe start", "[cli][config][rpki]") {
    auto cfg = load_ok("router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n");
    CHECK_FALSE(cfg.rpki.enabled());
    CHECK(cfg.rpki.safe_start_timeout == 60u);
    CHECK_FALSE(cfg.rpki.drop_guard.has_value());
    CHECK_FALSE(cfg.bgp->rpki_prefer_valid);
    CHECK_FALSE(cfg.bgp->neighbors[0].rpki_reject_invalid.has_value());
    CHECK(cfg.bgp->neighbors[0].rpki_validation);
}

TEST_CASE("broken rpki commands are refused with line and column", "[cli][config][rpki]") {
    struct Broken {
        const char* text;
        unsigned line, column;
        const char* message;
    };
    const Broken broken[] = {
        {"rpki cache 127.0.0.1 0\n", 1, 22, "Value out of range (1-65535)"},
        {"rpki cache 127.0.0.1 3323\nrpki cache 127.0.0.1 3323 preference 2\n", 2, 12, "Duplicate RPKI cache"},
        {"rpki cache 127.0.0.1 3323 preference 0\n", 1, 38, "Value out of range (1-255)"},
        {"rpki cache 127.0.0.1 3323 ssh user\n", 1, 35, "Incomplete command"},
        {"rpki cache 127.0.0.1 3323 tls ca\n", 1, 33, "Incomplete command"},
        {"rpki file a.json\nrpki file a.json\n", 2, 11, "Duplicate VRP file"},
        {"rpki timers refresh 600 retry 60 expire 600\n", 1, 41, "Expire interval must be longer"},
        {"rpki timers refresh 60 retry 60 expire 599\n", 1, 40, "Value out of range (600-172800)"},
        {"rpki drop-guard 100\n", 1, 17, "Value out of range (1-99)"},
        {"rpki safe-start timeout 3601\n", 1, 25, "Value out of range (0-3600)"},
        {"router bgp 65000\n neighbor 192.0.2.1 rpki invalid reject\n", 2, 11, "must come first"},
        {"router bgp 65000\n neighbor 192.0.2.1 remote-as 1\n neighbor 192.0.2.1 rpki invalid drop\n", 3, 34,
         "Unknown command at 'drop'"},
    };
    // Sixteen sources fit; the seventeenth is refused (the VRP set keeps a
    // 16-bit mask of the sources that hold each VRP).
    std::string many;
    for (int i = 0; i < 10; ++i) many += "rpki cache 127.0.0." + std::to_string(i + 1) + " 3323\n";
    for (int i = 0; i < 6; ++i) many += "rpki file f" + std::to_string(i) + ".json\n";
    CHECK(load_config_text(many, "many.conf").index() == 0);
    const std::string too_many = many + "rpki file one-more.json\n";
    const std::string too_many_caches = many + "rpki cache 127.0.0.99 3323\n";
    for (const std::string* text : {&too_many, &too_many_caches}) {
        auto r = load_config_text(*text, "many.conf");
        REQUIRE(r.index() == 1);
        CHECK(std::get<1>(r).line == 17);
        CHECK_THAT(std::get<1>(r).message, Catch::Matchers::Contains("At most 16 RPKI caches and VRP files"));
    }
    for (const Broken& b : broken) {
        INFO(b.text);
        auto r = load_config_text(b.text, "broken.conf");
        REQUIRE(r.index() == 1);
        const auto& e = std::get<1>(r);
        CHECK(e.line == b.line);
        CHECK(e.column == b.column);
        CHECK_THAT(e.message, Catch::Matchers::Contains(b.message));
    }
}

TEST_CASE("reload plan: rpki changes restart sources or soft-reset, never sessions", "[cli][reconfigure][rpki]") {
    using K = bgp::ReconfigureAction::Kind;
    const char* base = "rpki file /tmp/a.json\nrouter bgp 65000\n neighbor 192.0.2.1 remote-as 1\n";
    auto a = load_ok(base);
    SECTION("a new cache restarts the sources only") {
        auto b = load_ok(std::string("rpki cache 127.0.0.1 3323\n") + base);
        auto p = bgp::plan_reconfigure(a, b);
        REQUIRE(p.size() == 1);
        CHECK(p[0].kind == K::rpki_sources);
        CHECK(p[0].detail == "caches");
    }
    SECTION("a neighbor's rpki policy is a soft reset in") {
        auto b = load_ok(std::string(base) + " neighbor 192.0.2.1 rpki invalid accept\n");
        auto p = bgp::plan_reconfigure(a, b);
        REQUIRE(p.size() == 1);
        CHECK(p[0].kind == K::soft_in_neighbor);
        CHECK(bgp::to_string(p[0].kind) == "soft-in-neighbor");
        auto c = load_ok(std::string(base) + " neighbor 192.0.2.1 rpki validation off\n");
        p = bgp::plan_reconfigure(a, c);
        REQUIRE(p.size() == 1);
        CHECK(p[0].kind == K::soft_in_neighbor);
    }
    SECTION("prefer-valid re-imports every neighbor") {
        auto b = load_ok(std::string(base) + " bgp rpki prefer-valid\n");
        auto p = bgp::plan_reconfigure(a, b);
        REQUIRE(p.size() == 1);
        CHECK(p[0].kind == K::reimport_all);
    }
    SECTION("drop-guard and timers are source settings") {
        auto b = load_ok(std::string("rpki drop-guard 20\nrpki timers refresh 10 retry 5 expire 600\n") + base);
        auto p = bgp::plan_reconfigure(a, b);
        REQUIRE(p.size() == 1);
        CHECK(p[0].kind == K::rpki_sources);
        CHECK(p[0].detail == "timers, drop-guard");
    }
}

#include "cli/show_rpki.hpp"

TEST_CASE("show rpki validity and prefix-table render the index", "[cli][rpki]") {
    auto vrp = [](const char* p, int max, uint32_t asn) {
        return rtr::Vrp{*wire::Prefix::parse(p), static_cast<uint8_t>(max), asn};
    };
    rtr::VrpIndex index({vrp("198.51.100.0/24", 24, 65001), vrp("198.51.100.0/22", 24, 65002),
                         vrp("2001:db8::/32", 48, 0)});
    auto p = [](const char* s) { return *wire::Prefix::parse(s); };
    const std::string t = show_rpki_validity_text(index, p("198.51.100.0/24"), 65002);
    CHECK_THAT(t, Catch::Matchers::StartsWith("198.51.100.0/24 origin AS65002: valid\n"));
    CHECK_THAT(t, Catch::Matchers::Contains("other origin AS"));
    CHECK_THAT(t, Catch::Matchers::Contains("matches"));
    CHECK_THAT(show_rpki_validity_text(index, p("198.51.100.0/25"), 65001),
               Catch::Matchers::Contains("invalid") && Catch::Matchers::Contains("longer than maxLength"));
    CHECK_THAT(show_rpki_validity_text(index, p("192.0.2.0/24"), 65001),
               Catch::Matchers::Contains("not-found") && Catch::Matchers::Contains("No VRP covers"));
    CHECK(show_rpki_validity_json(index, p("2001:db8:1::/48"), 0) ==
          "{\"prefix\":\"2001:db8:1::/48\",\"origin_as\":0,\"state\":\"invalid\",\"covering\":[{\"prefix\":"
          "\"2001:db8::/32\",\"max_length\":48,\"asn\":0,\"matches\":false}]}\n");
    const std::string all = show_rpki_table_text(index, std::nullopt);
    CHECK_THAT(all, Catch::Matchers::EndsWith("3 VRP(s)\n"));
    CHECK(show_rpki_table_json(index, p("198.51.100.0/24")) ==
          "{\"vrps\":[{\"prefix\":\"198.51.100.0/24\",\"max_length\":24,\"asn\":65001}]}\n");
}

TEST_CASE("show rpki summary says when RPKI is off, waiting or guarded", "[cli][rpki]") {
    bgp::RpkiView v;
    const auto now = std::chrono::system_clock::now();
    CHECK_THAT(show_rpki_summary_text(v, now), Catch::Matchers::Contains("not configured"));
    v.enabled = true;
    v.state = "waiting";
    v.safe_start_timeout = 30;
    CHECK_THAT(show_rpki_summary_text(v, now), Catch::Matchers::Contains("held until the first complete VRP set"));
    v.ready = true;
    v.state = "drop-guard";
    v.v4_vrps = 100;
    v.offered_v4 = 10;
    v.drop_guard_note = "holding 100 VRPs; sources offer 10 (drop of more than 50%)";
    const auto t = show_rpki_summary_text(v, now);
    CHECK_THAT(t, Catch::Matchers::Contains("RPKI state: drop-guard"));
    CHECK_THAT(t, Catch::Matchers::Contains("VRPs offered by the sources: 10 IPv4"));
    CHECK_THAT(show_rpki_summary_json(v, now), Catch::Matchers::Contains("\"state\":\"drop-guard\""));
}
