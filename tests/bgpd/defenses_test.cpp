// Route-leak defenses between in-process speakers on 127.0.0.x: maximum-prefix
// ends the session with Cease 6/1 (AFI, SAFI, limit), withdraws the routes,
// restarts after its time (one "minute" is 1 s here) or stays down until
// cleared, and a raised limit lets the routes in; the eBGP filters reject
// with their reason and the rejected-route store answers through Control.
#include "bgpd/speaker.hpp"
#include "tests/bgpd/test_support.hpp"

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

using namespace moat;
using namespace moat::bgp;
using namespace std::chrono_literals;
using namespace moat::test;

namespace {

// The eBGP default filters stay on: some of these tests are about them.
Config config(const Node& self, const Node& other, std::vector<wire::Prefix> networks,
              std::optional<MaxPrefixConfig> limit = {}) {
    return speaker_config(self, {other}, std::move(networks), [&](NeighborConfig& n) { n.max_prefix_v4 = limit; });
}

// One maximum-prefix restart "minute" is 1 s.
SpeakerOptions fast_minute() {
    SpeakerOptions o = fast();
    o.backoff.minute = 1s;
    return o;
}

PeerView view(const Speaker& s) { return s.peer_views().at(0); }

}  // namespace

TEST_CASE("maximum-prefix: Cease 6/1, routes withdrawn, restart, clear and a raised limit", "[routing][defenses]") {
    Quiet quiet;
    boost::asio::io_context io;
    Node cust{"127.0.0.1", 396531, free_port("127.0.0.1")};
    Node edge{"127.0.0.2", 701, free_port("127.0.0.2")};
    const std::vector<wire::Prefix> nets{pfx("104.20.0.0/21"), pfx("104.20.8.0/21"), pfx("8.8.8.0/24")};
    Speaker sc(io, config(cust, edge, nets), fast_minute());
    MaxPrefixConfig limit{2, 75, false, 1, false};  // restart after 1 "minute"
    Speaker se(io, config(edge, cust, {}, limit), fast_minute());

    REQUIRE(run_until(io, [&] { return view(se).prefix_limit_down; }, 10s));
    PeerView v = view(se);
    CHECK(v.state == State::idle);
    REQUIRE(v.last_notification_sent);
    CHECK(v.last_notification_sent->message.code == wire::err::cease);
    CHECK(v.last_notification_sent->message.subcode == wire::err::max_prefixes);
    // AFI 1, SAFI 1, limit 2 (RFC 4486).
    CHECK(v.last_notification_sent->message.data == std::vector<uint8_t>{0, 1, 1, 0, 0, 0, 2});
    CHECK(v.prefix_limit_restart_at.has_value());
    // The customer saw the same NOTIFICATION; nothing of it is left at the edge.
    REQUIRE(run_until(io, [&] { return view(sc).last_notification_received.has_value(); }, 5s));
    CHECK(view(sc).last_notification_received->message.subcode == wire::err::max_prefixes);
    REQUIRE(run_until(io, [&] { return se.routing()->rib().counters().routes == 0; }, 5s));
    CHECK_FALSE(se.routing()->rib().best(pfx("104.20.0.0/21")));

    // Restart after the "minute" (not before), up again, and over the limit again.
    const uint32_t first = view(se).established_transitions;
    const auto down_at = std::chrono::steady_clock::now();
    REQUIRE(run_until(io, [&] { return view(se).established_transitions > first; }, 10s));
    CHECK(std::chrono::steady_clock::now() - down_at >= 800ms);
    REQUIRE(run_until(io, [&] { return view(se).prefix_limit_down; }, 10s));

    // Down until cleared: no restart time.
    Config cfg = se.running_config();
    cfg.bgp->neighbors[0].max_prefix_v4->restart_minutes.reset();
    REQUIRE(se.apply_config(cfg).empty());
    se.neighbor_clear(ip(cust.address));
    REQUIRE(run_until(io, [&] { return view(se).established_transitions >= 3 && view(se).prefix_limit_down; }, 10s));
    CHECK_FALSE(view(se).prefix_limit_restart_at);
    const uint32_t transitions = view(se).established_transitions;
    run_until(io, [] { return false; }, 2500ms);
    CHECK(view(se).state == State::idle);
    CHECK(view(se).established_transitions == transitions);

    // A raised limit and a clear: every route in, the session stays.
    cfg.bgp->neighbors[0].max_prefix_v4->limit = 3;
    REQUIRE(se.apply_config(cfg).empty());
    se.neighbor_clear(ip(cust.address));
    REQUIRE(run_until(io, [&] { return view(se).state == State::established && view(se).prefixes_accepted_v4 == 3; }, 10s));
    run_until(io, [] { return false; }, 500ms);
    CHECK(view(se).state == State::established);
    CHECK_FALSE(view(se).prefix_limit_down);
    CHECK(view(se).limit_count_v4 == 3);
}

TEST_CASE("warning-only keeps the session and every route", "[routing][defenses]") {
    Quiet quiet;
    boost::asio::io_context io;
    Node cust{"127.0.0.1", 396531, free_port("127.0.0.1")};
    Node edge{"127.0.0.2", 701, free_port("127.0.0.2")};
    Speaker sc(io, config(cust, edge, {pfx("104.20.0.0/21"), pfx("104.20.8.0/21"), pfx("8.8.8.0/24")}), fast_minute());
    Speaker se(io, config(edge, cust, {}, MaxPrefixConfig{1, 75, true, std::nullopt, false}), fast_minute());
    REQUIRE(run_until(io, [&] { return view(se).prefixes_accepted_v4 == 3; }, 10s));
    run_until(io, [] { return false; }, 500ms);
    CHECK(view(se).state == State::established);
    CHECK(view(se).limit_count_v4 == 3);
}

TEST_CASE("eBGP filters reject with their reason; show bgp rejected data through Control", "[routing][defenses]") {
    Quiet quiet;
    boost::asio::io_context io;
    Node cust{"127.0.0.1", 396531, free_port("127.0.0.1")};
    Node edge{"127.0.0.2", 701, free_port("127.0.0.2")};
    Speaker sc(io, config(cust, edge, {pfx("10.1.0.0/16"), pfx("8.8.8.0/25"), pfx("8.8.4.0/24")}), fast_minute());
    Speaker se(io, config(edge, cust, {}), fast_minute());
    REQUIRE(run_until(io, [&] { return view(se).prefixes_received_v4 == 3; }, 10s));
    PeerView v = view(se);
    CHECK(v.prefixes_accepted_v4 == 1);
    CHECK(v.rejected_by_reason["martian"].first == 1);
    CHECK(v.rejected_by_reason["too-specific"].first == 1);

    std::string error;
    RejectedList all = se.rejected(RejectedQuery{}, error);
    CHECK(error.empty());
    CHECK(all.held == 2);
    REQUIRE(all.routes.size() == 2);
    RejectedQuery q;
    q.reason = "martian";
    RejectedList m = se.rejected(q, error);
    REQUIRE(m.routes.size() == 1);
    CHECK(m.routes[0].prefix == pfx("10.1.0.0/16"));
    CHECK(m.routes[0].detail == "in 10.0.0.0/8");
    CHECK(m.routes[0].peer == ip(cust.address));
    REQUIRE(m.routes[0].attrs);
    CHECK(m.routes[0].attrs->as_path->to_string() == "396531");
    q.reason = "nonsense";
    se.rejected(q, error);
    CHECK(error.find("unknown reason") != std::string::npos);

    // Filters off on reload: accepted without asking the peer, records gone.
    Config cfg = se.running_config();
    cfg.bgp->reject_martians = false;
    cfg.bgp->reject_too_specific = false;
    const auto updates = view(se).received.update;
    REQUIRE(se.apply_config(cfg).empty());
    REQUIRE(run_until(io, [&] { return view(se).prefixes_accepted_v4 == 3; }, 5s));
    CHECK(se.rejected(RejectedQuery{}, error).routes.empty());
    CHECK(view(se).received.update == updates);
    CHECK(view(se).established_transitions == 1);
}

TEST_CASE("a receive limit counts routes another step rejected, and still ends the session", "[routing][defenses]") {
    // The customer's routes are all martians (documentation space): rejected
    // by the eBGP filters, yet received, and `receive` counts what is received.
    Quiet quiet;
    boost::asio::io_context io;
    Node cust{"127.0.0.1", 396531, free_port("127.0.0.1")};
    Node edge{"127.0.0.2", 701, free_port("127.0.0.2")};
    const std::vector<wire::Prefix> nets{pfx("192.0.2.0/24"), pfx("198.51.100.0/24"), pfx("203.0.113.0/24")};
    Speaker sc(io, config(cust, edge, nets), fast_minute());
    Speaker se(io, config(edge, cust, {}, MaxPrefixConfig{2, 75, false, std::nullopt, true}), fast_minute());
    REQUIRE(run_until(io, [&] { return view(se).prefix_limit_down; }, 10s));
    const PeerView v = view(se);
    REQUIRE(v.last_notification_sent);
    CHECK(v.last_notification_sent->message.subcode == wire::err::max_prefixes);
    CHECK(v.state == State::idle);
}
