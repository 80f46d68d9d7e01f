// Origin validation in the speaker, in-process on 127.0.0.x with a VRP file
// as the source: A (AS 65001) originates, M (AS 65000, validating) relays
// to C. Valid and NotFound routes reach C, Invalid ones are rejected with
// rpki-invalid; a VRP file change revalidates both ways without a session
// reset; safe start holds eBGP routes until the first complete set (or the
// timeout); per-neighbor policy, prefer-valid, the drop guard, and the
// origin AS rules (empty path, AS_SET).
#include "bgpd/log.hpp"
#include "bgpd/rpki.hpp"
#include "bgpd/speaker.hpp"
#include "tests/bgpd/test_support.hpp"

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace moat;
using namespace moat::bgp;
using namespace moat::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// Private addresses (10/8) between private ASNs: the eBGP default filters
// would reject them before origin validation.
Config config(const Node& self, const std::vector<Node>& others, std::vector<wire::Prefix> networks) {
    Config c = speaker_config(self, others, std::move(networks));
    c.bgp->reject_martians = false;
    c.bgp->reject_bogon_asns = false;
    return c;
}

// The route of `prefix` M holds from its one source, if any.
std::optional<rib::RouteView> route(const Speaker& s, const char* prefix) {
    auto v = s.routing()->rib().routes(pfx(prefix));
    if (v.empty()) return std::nullopt;
    return v.front();
}

bool has_best(const Speaker& s, const char* prefix) { return s.routing()->rib().best(pfx(prefix)).has_value(); }

struct TempFile {
    std::string path;
    explicit TempFile(const char* name)
        : path((std::filesystem::temp_directory_path() / (std::string(name) + "-" + std::to_string(::getpid()) + ".json"))
                   .string()) {
        std::remove(path.c_str());
    }
    ~TempFile() { std::remove(path.c_str()); }
    // Atomic replace, as rpki-client does.
    void write(const std::string& roas) const {
        std::string tmp = path + ".tmp";
        {
            std::ofstream f(tmp);
            f << R"({"metadata":{"buildtime":"2026-11-26T10:00:00Z"},"roas":[)" << roas << "]}\n";
        }
        std::filesystem::rename(tmp, path);
    }
};

std::string roa(const char* prefix, int max, uint32_t asn) {
    return std::string(R"({"prefix":")") + prefix + R"(","maxLength":)" + std::to_string(max) + R"(,"asn":"AS)" +
           std::to_string(asn) + "\"}";
}

}  // namespace

TEST_CASE("origin validation: Valid and NotFound pass, Invalid is rejected and not exported", "[routing][rpki]") {
    Quiet quiet;
    asio::io_context io;
    TempFile vrps("moat-rov");
    // 10.1/16 valid for 65001; 10.2/16 belongs to 65099 (Invalid); 10.3/16
    // uncovered (NotFound); 10.4.1/24 too long for its /16-16 VRP (Invalid).
    vrps.write(roa("10.1.0.0/16", 16, 65001) + "," + roa("10.2.0.0/16", 16, 65099) + "," +
               roa("10.4.0.0/16", 16, 65001));
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node m{"127.0.0.2", 65000, free_port("127.0.0.2")};
    Node c{"127.0.0.3", 65003, free_port("127.0.0.3")};
    Speaker sa(io, config(a, {m}, {pfx("10.1.0.0/16"), pfx("10.2.0.0/16"), pfx("10.3.0.0/16"), pfx("10.4.1.0/24")}),
               fast());
    Config mc = config(m, {a, c}, {});
    mc.rpki.files = {vrps.path};
    Speaker sm(io, mc, fast());
    Speaker sc(io, config(c, {m}, {}), fast());

    REQUIRE(run_until(io, [&] { return all_established(sm) && has_best(sc, "10.3.0.0/16") && has_best(sc, "10.1.0.0/16"); },
                      10s));
    REQUIRE(run_until(io, [&] { return route(sm, "10.4.1.0/24").has_value(); }, 5s));
    CHECK(route(sm, "10.1.0.0/16")->rpki() == rib::RpkiState::valid);
    CHECK(route(sm, "10.3.0.0/16")->rpki() == rib::RpkiState::not_found);
    auto inv = route(sm, "10.2.0.0/16");
    REQUIRE(inv);
    CHECK(inv->rpki() == rib::RpkiState::invalid);
    CHECK((inv->flags & rib::Route::rejected) != 0);
    CHECK(inv->reason == rib::Reason::rpki_invalid);
    CHECK(route(sm, "10.4.1.0/24")->reason == rib::Reason::rpki_invalid);
    CHECK_FALSE(has_best(sc, "10.2.0.0/16"));
    CHECK_FALSE(has_best(sc, "10.4.1.0/24"));
    const auto v = sm.rpki_view();
    CHECK(v.state == "in-sync");
    CHECK(v.v4_vrps == 3);

    // The ROA of 10.2/16 moves to 65001 and 10.1/16's goes to 65099: both
    // flip, without a session reset (established_transitions stays 1).
    vrps.write(roa("10.1.0.0/16", 16, 65099) + "," + roa("10.2.0.0/16", 16, 65001) + "," +
               roa("10.4.0.0/16", 24, 65001));
    REQUIRE(run_until(io, [&] { return has_best(sc, "10.2.0.0/16") && !has_best(sc, "10.1.0.0/16"); }, 8s));
    REQUIRE(run_until(io, [&] { return has_best(sc, "10.4.1.0/24"); }, 3s));
    CHECK(route(sm, "10.2.0.0/16")->rpki() == rib::RpkiState::valid);
    CHECK(route(sm, "10.1.0.0/16")->reason == rib::Reason::rpki_invalid);
    CHECK(has_best(sc, "10.3.0.0/16"));
    for (const auto& pv : sm.peer_views()) CHECK(pv.established_transitions == 1);
    CHECK(sm.rpki_view().revalidations >= 1);

    // A broken file keeps the set in force.
    {
        std::ofstream f(vrps.path);
        f << "{\"roas\": [";
    }
    run_until(io, [] { return false; }, 1500ms);
    CHECK(has_best(sc, "10.2.0.0/16"));
    CHECK_FALSE(has_best(sc, "10.1.0.0/16"));
}

TEST_CASE("safe start holds eBGP routes until the first complete VRP set", "[routing][rpki]") {
    Quiet quiet;
    asio::io_context io;
    TempFile vrps("moat-rov-safe");  // not there yet: the source is not in sync
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node m{"127.0.0.2", 65000, free_port("127.0.0.2")};
    Node c{"127.0.0.3", 65003, free_port("127.0.0.3")};
    Speaker sa(io, config(a, {m}, {pfx("10.1.0.0/16"), pfx("10.2.0.0/16")}), fast());
    Config mc = config(m, {a, c}, {});
    mc.rpki.files = {vrps.path};
    Speaker sm(io, mc, fast());
    Speaker sc(io, config(c, {m}, {}), fast());
    REQUIRE(run_until(io, [&] { return all_established(sm) && route(sm, "10.2.0.0/16").has_value(); }, 10s));
    run_until(io, [] { return false; }, 500ms);
    CHECK(route(sm, "10.2.0.0/16")->reason == rib::Reason::rpki_pending);
    CHECK_FALSE(has_best(sc, "10.1.0.0/16"));
    CHECK_FALSE(has_best(sc, "10.2.0.0/16"));
    CHECK(sm.rpki_view().state == "waiting");

    vrps.write(roa("10.2.0.0/16", 16, 65099));
    REQUIRE(run_until(io, [&] { return has_best(sc, "10.1.0.0/16"); }, 8s));
    CHECK(route(sm, "10.2.0.0/16")->reason == rib::Reason::rpki_invalid);
    CHECK(route(sm, "10.1.0.0/16")->rpki() == rib::RpkiState::not_found);
    run_until(io, [] { return false; }, 300ms);
    CHECK_FALSE(has_best(sc, "10.2.0.0/16"));
    CHECK(sm.rpki_view().state == "in-sync");
}

TEST_CASE("safe start gives up after its timeout, loudly, and validates what it has", "[routing][rpki]") {
    Quiet quiet;
    asio::io_context io;
    TempFile vrps("moat-rov-timeout");
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node m{"127.0.0.2", 65000, free_port("127.0.0.2")};
    Speaker sa(io, config(a, {m}, {pfx("10.1.0.0/16")}), fast());
    Config mc = config(m, {a}, {});
    mc.rpki.files = {vrps.path};
    mc.rpki.safe_start_timeout = 2;
    Speaker sm(io, mc, fast());
    REQUIRE(run_until(io, [&] { return route(sm, "10.1.0.0/16").has_value(); }, 10s));
    CHECK(route(sm, "10.1.0.0/16")->reason == rib::Reason::rpki_pending);
    REQUIRE(run_until(io, [&] { return has_best(sm, "10.1.0.0/16"); }, 5s));
    CHECK(route(sm, "10.1.0.0/16")->rpki() == rib::RpkiState::not_found);
    const auto v = sm.rpki_view();
    CHECK(v.timed_out);
    CHECK(v.state == "out-of-sync");
}

TEST_CASE("neighbor policy: invalid accept, validation off, prefer-valid; reload is a soft reset", "[routing][rpki]") {
    Quiet quiet;
    asio::io_context io;
    TempFile vrps("moat-rov-policy");
    vrps.write(roa("10.1.0.0/16", 16, 65001) + "," + roa("10.2.0.0/16", 16, 65099));
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node m{"127.0.0.2", 65000, free_port("127.0.0.2")};
    Speaker sa(io, config(a, {m}, {pfx("10.1.0.0/16"), pfx("10.2.0.0/16"), pfx("10.3.0.0/16")}), fast());
    Config mc = config(m, {a}, {});
    mc.rpki.files = {vrps.path};
    mc.bgp->neighbors[0].rpki_reject_invalid = false;
    mc.bgp->rpki_prefer_valid = true;
    Speaker sm(io, mc, fast());
    REQUIRE(run_until(io, [&] { return has_best(sm, "10.1.0.0/16") && has_best(sm, "10.2.0.0/16") &&
                                       has_best(sm, "10.3.0.0/16"); }, 10s));
    auto lp = [&](const char* p) { return route(sm, p)->attrs->local_pref_opt(); };
    CHECK(route(sm, "10.2.0.0/16")->rpki() == rib::RpkiState::invalid);
    CHECK(lp("10.1.0.0/16") == 110u);
    CHECK(lp("10.2.0.0/16") == 0u);
    CHECK_FALSE(lp("10.3.0.0/16").has_value());

    // Reload: reject again (the default), no prefer-valid: soft reset in.
    Config mc2 = mc;
    mc2.bgp->neighbors[0].rpki_reject_invalid.reset();
    mc2.bgp->rpki_prefer_valid = false;
    CHECK(sm.apply_config(mc2).empty());
    REQUIRE(run_until(io, [&] { return !has_best(sm, "10.2.0.0/16"); }, 5s));
    CHECK(route(sm, "10.2.0.0/16")->reason == rib::Reason::rpki_invalid);
    CHECK_FALSE(lp("10.1.0.0/16").has_value());

    // Validation off: unchecked, accepted.
    Config mc3 = mc2;
    mc3.bgp->neighbors[0].rpki_validation = false;
    CHECK(sm.apply_config(mc3).empty());
    REQUIRE(run_until(io, [&] { return has_best(sm, "10.2.0.0/16"); }, 5s));
    CHECK(route(sm, "10.2.0.0/16")->rpki() == rib::RpkiState::unchecked);
    for (const auto& pv : sm.peer_views()) CHECK(pv.established_transitions == 1);
}

TEST_CASE("drop guard keeps the set in force when a complete set shrinks too much", "[routing][rpki]") {
    Quiet quiet;
    asio::io_context io;
    TempFile vrps("moat-rov-guard");
    std::string many;
    for (int i = 0; i < 10; ++i)
        many += (i ? "," : "") + roa(("10." + std::to_string(10 + i) + ".0.0/16").c_str(), 16, 65099);
    vrps.write(roa("10.2.0.0/16", 16, 65099) + "," + many);
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node m{"127.0.0.2", 65000, free_port("127.0.0.2")};
    Speaker sa(io, config(a, {m}, {pfx("10.2.0.0/16")}), fast());
    Config mc = config(m, {a}, {});
    mc.rpki.files = {vrps.path};
    mc.rpki.drop_guard = 50;
    Speaker sm(io, mc, fast());
    REQUIRE(run_until(io, [&] { return route(sm, "10.2.0.0/16").has_value() &&
                                       route(sm, "10.2.0.0/16")->reason == rib::Reason::rpki_invalid; }, 10s));
    vrps.write(roa("10.9.0.0/16", 16, 65099));  // 11 -> 1: held
    REQUIRE(run_until(io, [&] { return sm.rpki_view().state == "drop-guard"; }, 5s));
    CHECK(sm.rpki_view().v4_vrps == 11);
    CHECK(sm.rpki_view().offered_v4 == 1);
    CHECK(route(sm, "10.2.0.0/16")->reason == rib::Reason::rpki_invalid);
    vrps.write(roa("10.3.0.0/16", 16, 65099) + "," + many);  // 11 -> 11, 10.2 uncovered: adopted
    REQUIRE(run_until(io, [&] { return has_best(sm, "10.2.0.0/16"); }, 5s));
    CHECK(sm.rpki_view().state == "in-sync");
    CHECK(route(sm, "10.2.0.0/16")->rpki() == rib::RpkiState::not_found);
}

TEST_CASE("route origin AS: rightmost of a final sequence, ours for an empty iBGP path, none for a set", "[rpki]") {
    rib::AttrStore store;
    auto set = [&](std::vector<wire::AsSegment> segs) {
        rib::RouteAttrs a;
        a.path.as_path = wire::AsPath{};
        a.path.as_path->segments = std::move(segs);
        return store.intern_ref(a);
    };
    CHECK(rib::route_origin_as(*set({{wire::SegmentType::as_sequence, {65001, 65002}}}), 65000, false) == 65002u);
    CHECK(rib::route_origin_as(*set({}), 65000, true) == 65000u);
    // From an external neighbor an empty path is nobody's: NONE, never our AS.
    CHECK(rib::route_origin_as(*set({}), 65000, false) == 0u);
    CHECK(rib::route_origin_as(*set({{wire::SegmentType::as_sequence, {65001}}, {wire::SegmentType::as_set, {7, 8}}}),
                          65000, true) == 0u);
}
