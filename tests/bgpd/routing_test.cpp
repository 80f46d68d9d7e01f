// Route propagation between in-process speakers on 127.0.0.x (one
// io_context): the speaker <-> RIB glue of bgpd/routing.cpp. A originates,
// B relays to C; a withdrawal and a session going down propagate; of two
// paths the shorter AS_PATH wins and the other takes over when it goes;
// iBGP keeps the received next hop unless next-hop-self; route refresh and
// soft reset resend without a session reset; small limits force the pull
// model through many slices.
#include "bgpd/speaker.hpp"
#include "tests/bgpd/test_support.hpp"

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <vector>

using namespace moat;
using namespace moat::bgp;
using namespace std::chrono_literals;
namespace asio = boost::asio;

using namespace moat::test;

namespace {

// `self` peers with every node of `others`. The tests route documentation
// prefixes (and a /25) between private ASNs: the eBGP default filters would
// reject them.
Config config(const Node& self, const std::vector<Node>& others, std::vector<wire::Prefix> networks,
              const std::function<void(NeighborConfig&)>& tweak = {}) {
    Config c = speaker_config(self, others, std::move(networks), tweak);
    allow_documentation_routes(*c.bgp);
    return c;
}

PeerView view(const Speaker& s, const char* neighbor) {
    for (const auto& v : s.peer_views())
        if (v.config.address == ip(neighbor)) return v;
    FAIL("no neighbor " << neighbor);
    return {};
}

std::optional<rib::RouteView> best(const Speaker& s, const char* prefix) {
    return s.routing()->rib().best(pfx(prefix));
}

std::string path_of(const Speaker& s, const char* prefix) {
    auto b = best(s, prefix);
    if (!b) return "-";
    auto v = b->attrs->value();
    return v.path.as_path ? v.path.as_path->to_string() : "";
}

wire::IpAddress source_of(const Speaker& s, const rib::RouteView& r) { return s.routing()->rib().peer(r.peer).address; }

}  // namespace

TEST_CASE("A originates, B relays to C; withdrawal and session down propagate", "[routing]") {
    Quiet quiet;
    asio::io_context io;
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node b{"127.0.0.2", 65002, free_port("127.0.0.2")};
    Node c{"127.0.0.3", 65003, free_port("127.0.0.3")};
    Speaker sa(io, config(a, {b}, {pfx("198.51.100.0/24"), pfx("203.0.113.0/24")}), fast());
    Speaker sb(io, config(b, {a, c}, {}), fast());
    Speaker sc(io, config(c, {b}, {}), fast());
    Routing::Limits sliced;
    sliced.down_dests = 1;  // a session going down is unlinked one destination per slice
    sb.routing()->set_limits(sliced);

    REQUIRE(run_until(io, [&] {
        return all_established(sa) && all_established(sb) && all_established(sc) &&
               view(sc, "127.0.0.2").prefixes_received_v4 == 2;
    }, 10s));
    auto r = best(sc, "198.51.100.0/24");
    REQUIRE(r);
    CHECK(source_of(sc, *r) == ip("127.0.0.2"));
    CHECK(path_of(sc, "198.51.100.0/24") == "65002 65001");
    auto attrs = r->attrs->value();
    REQUIRE(attrs.path.next_hop);
    CHECK(*attrs.path.next_hop == ip("127.0.0.2").v4_value());  // eBGP: next hop self
    CHECK_FALSE(attrs.path.local_pref);
    CHECK(view(sb, "127.0.0.3").prefixes_advertised_v4 == 2);
    CHECK(view(sb, "127.0.0.1").prefixes_advertised_v4 == 0);  // never back to the source
    CHECK(view(sb, "127.0.0.1").prefixes_accepted_v4 == 2);
    // A hears nothing back: B does not return A's routes to A.
    CHECK(view(sa, "127.0.0.2").prefixes_received_v4 == 0);

    // A withdraws one network: C loses it.
    sa.routing()->withdraw(pfx("203.0.113.0/24"));
    REQUIRE(run_until(io, [&] { return view(sc, "127.0.0.2").prefixes_received_v4 == 1; }, 5s));
    CHECK_FALSE(best(sc, "203.0.113.0/24"));
    CHECK(best(sc, "198.51.100.0/24"));

    // A's session to B goes down: B withdraws A's routes from C.
    REQUIRE(sa.neighbor_shutdown(ip("127.0.0.2"), true, "maintenance").empty());
    REQUIRE(run_until(io, [&] { return view(sc, "127.0.0.2").prefixes_received_v4 == 0; }, 5s));
    CHECK_FALSE(best(sc, "198.51.100.0/24"));
    CHECK(view(sb, "127.0.0.3").prefixes_advertised_v4 == 0);
    CHECK(sb.routing()->rib().counters().routes == 0);

    // And back: the table comes again with the new session.
    REQUIRE(sa.neighbor_shutdown(ip("127.0.0.2"), false, "").empty());
    REQUIRE(run_until(io, [&] { return view(sc, "127.0.0.2").prefixes_received_v4 == 1; }, 10s));
    CHECK(path_of(sc, "198.51.100.0/24") == "65002 65001");
}

TEST_CASE("of two paths the shorter AS_PATH wins; the other takes over when it goes", "[routing]") {
    Quiet quiet;
    asio::io_context io;
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node b{"127.0.0.2", 65002, free_port("127.0.0.2")};
    Node c{"127.0.0.3", 65003, free_port("127.0.0.3")};
    Speaker sa(io, config(a, {b, c}, {pfx("198.51.100.0/24"), pfx("2001:db8:1::/48")}, [](NeighborConfig& n) {
                   n.next_hop_v6 = ip("2001:db8::1");
               }), fast());
    Speaker sb(io, config(b, {a, c}, {}, [](NeighborConfig& n) { n.next_hop_v6 = ip("2001:db8::2"); }), fast());
    Speaker sc(io, config(c, {a, b}, {}), fast());

    REQUIRE(run_until(io, [&] {
        return all_established(sa) && all_established(sb) && all_established(sc) &&
               view(sc, "127.0.0.1").prefixes_received_v4 == 1 && view(sc, "127.0.0.2").prefixes_received_v4 == 1 &&
               view(sc, "127.0.0.2").prefixes_received_v6 == 1 && sc.routing()->rib().dirty_count() == 0;
    }, 10s));
    auto r = best(sc, "198.51.100.0/24");
    REQUIRE(r);
    CHECK(source_of(sc, *r) == ip("127.0.0.1"));
    CHECK(sc.routing()->rib().best_reason(pfx("198.51.100.0/24")) == rib::BestReason::as_path_length);
    CHECK(sc.routing()->rib().routes(pfx("198.51.100.0/24")).size() == 2);
    // IPv6 over IPv4 sessions with the configured next hop.
    auto r6 = best(sc, "2001:db8:1::/48");
    REQUIRE(r6);
    auto v6 = r6->attrs->value();
    REQUIRE(v6.mp_next_hop);
    CHECK((*v6.mp_next_hop == ip("2001:db8::1") || *v6.mp_next_hop == ip("2001:db8::2")));

    REQUIRE(sc.neighbor_shutdown(ip("127.0.0.1"), true, "").empty());
    REQUIRE(run_until(io, [&] {
        auto x = best(sc, "198.51.100.0/24");
        return x && source_of(sc, *x) == ip("127.0.0.2");
    }, 5s));
    CHECK(path_of(sc, "198.51.100.0/24") == "65002 65001");
    CHECK(sc.routing()->rib().best_reason(pfx("198.51.100.0/24")) == rib::BestReason::only_route);
}

TEST_CASE("iBGP keeps the received next hop unless next-hop-self; refresh and soft reset", "[routing]") {
    Quiet quiet;
    asio::io_context io;
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node b{"127.0.0.2", 65002, free_port("127.0.0.2")};
    Node c{"127.0.0.3", 65002, free_port("127.0.0.3")};  // iBGP with B
    Node d{"127.0.0.4", 65002, free_port("127.0.0.4")};  // iBGP with B, next-hop-self
    Speaker sa(io, config(a, {b}, {pfx("198.51.100.0/24")}), fast());
    Speaker sb(io, config(b, {a, c, d}, {pfx("192.0.2.0/24")}, [](NeighborConfig& n) {
                   if (n.address == ip("127.0.0.4")) n.next_hop_self = true;
               }), fast());
    Speaker sc(io, config(c, {b}, {}), fast());
    Speaker sd(io, config(d, {b}, {}), fast());
    // Small limits: many packs and slices, the pull model under load.
    Routing::Limits tiny;
    tiny.write_high_water = 64;
    tiny.pack_routes = 1;
    tiny.dump_routes = 1;
    tiny.log_bytes = 64;
    sb.routing()->set_limits(tiny);

    REQUIRE(run_until(io, [&] {
        return all_established(sb) && view(sc, "127.0.0.2").prefixes_received_v4 == 2 &&
               view(sd, "127.0.0.2").prefixes_received_v4 == 2;
    }, 10s));
    auto rc = best(sc, "198.51.100.0/24");
    REQUIRE(rc);
    auto ac = rc->attrs->value();
    CHECK(*ac.path.next_hop == ip("127.0.0.1").v4_value());  // kept
    CHECK(ac.path.local_pref == 100u);
    CHECK(path_of(sc, "198.51.100.0/24") == "65001");          // no prepend over iBGP
    auto rd = best(sd, "198.51.100.0/24");
    REQUIRE(rd);
    CHECK(*rd->attrs->value().path.next_hop == ip("127.0.0.2").v4_value());  // next-hop-self
    // Our own network over iBGP: our address, empty AS_PATH.
    auto own = best(sc, "192.0.2.0/24");
    REQUIRE(own);
    CHECK(*own->attrs->value().path.next_hop == ip("127.0.0.2").v4_value());
    CHECK(path_of(sc, "192.0.2.0/24").empty());

    // Soft reset out and in keep the session and the routes.
    auto updates_before = view(sc, "127.0.0.2").received.update;
    REQUIRE(sb.neighbor_soft_reset(ip("127.0.0.3"), true, true).empty());
    REQUIRE(run_until(io, [&] { return view(sc, "127.0.0.2").received.update >= updates_before + 2; }, 5s));
    CHECK(view(sc, "127.0.0.2").prefixes_received_v4 == 2);
    CHECK(view(sb, "127.0.0.3").established_transitions == 1);
    CHECK(view(sb, "127.0.0.1").prefixes_accepted_v4 == 1);
    CHECK(sb.neighbor_soft_reset(ip("127.0.0.9"), true, true) != "");
}

TEST_CASE("route tables for the show commands are walked in slices", "[routing]") {
    Quiet quiet;
    asio::io_context io;
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node b{"127.0.0.2", 65002, free_port("127.0.0.2")};
    Speaker sa(io, config(a, {b}, {pfx("198.51.100.0/24"), pfx("198.51.100.128/25"), pfx("203.0.113.0/24")}), fast());
    Speaker sb(io, config(b, {a}, {pfx("192.0.2.0/24")}), fast());
    REQUIRE(run_until(io, [&] { return all_established(sb) && view(sb, "127.0.0.1").prefixes_received_v4 == 3; }, 10s));

    auto collect = [&](Speaker& s, RouteQuery q) {
        std::string error;
        auto w = s.routes(q, error);
        REQUIRE(w);
        std::vector<RouteInfo> all;
        int calls = 0;
        while (w->next(all, 1)) ++calls;
        CHECK(calls >= 3);  // one prefix per slice
        return all;
    };
    RouteQuery q;
    auto loc = collect(sb, q);
    REQUIRE(loc.size() == 4);
    size_t best = 0;
    for (const auto& r : loc) {
        if (!r.best) continue;
        ++best;
        if (r.prefix == pfx("192.0.2.0/24")) {
            CHECK_FALSE(r.peer);
            CHECK(r.reason == "only-route");
        } else {
            CHECK(r.peer == ip("127.0.0.1"));
            CHECK(r.peer_asn == 65001u);
            CHECK(r.attrs.as_path->to_string() == "65001");
        }
    }
    CHECK(best == 4);

    q.prefix = pfx("198.51.100.0/24");
    q.longer = true;
    std::string error;
    auto w = sb.routes(q, error);
    REQUIRE(w);
    std::vector<RouteInfo> longer;
    while (w->next(longer, 10)) {}
    CHECK(longer.size() == 2);

    // One prefix is looked up: the first call has it and ends the walk.
    q.longer = false;
    w = sb.routes(q, error);
    REQUIRE(w);
    std::vector<RouteInfo> one;
    CHECK_FALSE(w->next(one, 10));
    REQUIRE(one.size() == 1);
    CHECK(one[0].prefix == pfx("198.51.100.0/24"));
    q.prefix = pfx("198.51.100.0/23");  // not in the table
    w = sb.routes(q, error);
    one.clear();
    CHECK_FALSE(w->next(one, 10));
    CHECK(one.empty());
    RouteQuery adv_one;
    adv_one.table = RouteTable::advertised;
    adv_one.neighbor = ip("127.0.0.1");
    adv_one.prefix = pfx("192.0.2.0/24");
    w = sb.routes(adv_one, error);
    REQUIRE(w);
    CHECK_FALSE(w->next(one, 10));
    REQUIRE(one.size() == 1);
    CHECK(one[0].attrs.as_path->to_string() == "65002");

    RouteQuery adv;
    adv.table = RouteTable::advertised;
    adv.neighbor = ip("127.0.0.1");
    auto out = collect(sb, adv);
    REQUIRE(out.size() == 1);  // not A's own routes back
    CHECK(out[0].prefix == pfx("192.0.2.0/24"));
    CHECK(out[0].attrs.as_path->to_string() == "65002");  // as sent: prepended
    CHECK(out[0].next_hop == ip("127.0.0.2"));

    RouteQuery rec;
    rec.table = RouteTable::received;
    rec.neighbor = ip("127.0.0.1");
    CHECK(collect(sb, rec).size() == 3);
    rec.neighbor = ip("127.0.0.9");
    CHECK_FALSE(sb.routes(rec, error));
    CHECK_FALSE(error.empty());

    auto m = sb.memory();
    CHECK(m.prefixes_v4 == 4);
    CHECK(m.routes == 4);
    CHECK(m.attr_sets >= 2);
    CHECK(m.rib_bytes > 0);
    CHECK(m.rss_bytes > m.rib_bytes);
}

TEST_CASE("a neighbor back while its old routes are still withdrawn is never sent them", "[routing]") {
    // B withdraws A's routes one destination per slice after the session
    // ends; A comes straight back. What B sends the new session must hold
    // none of A's own routes (A would keep them, rejected as a loop).
    Quiet quiet;
    asio::io_context io;
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node b{"127.0.0.2", 65002, free_port("127.0.0.2")};
    std::vector<wire::Prefix> nets;
    for (uint32_t i = 0; i < 4000; ++i) nets.push_back(wire::Prefix::make(wire::IpAddress::v4(0x14000000 + (i << 8)), 24));
    SpeakerOptions quick = fast();
    quick.backoff.initial = std::chrono::milliseconds(1);
    Speaker sa(io, config(a, {b}, nets), quick);
    Speaker sb(io, config(b, {a}, {}), quick);
    Routing::Limits sliced;
    sliced.down_dests = 1;
    sb.routing()->set_limits(sliced);
    REQUIRE(run_until(io, [&] { return view(sb, "127.0.0.1").prefixes_received_v4 == nets.size(); }, 20s));
    const uint32_t up = view(sb, "127.0.0.1").established_transitions;
    const uint64_t updates_before = view(sa, "127.0.0.2").received.update;
    sa.neighbor_clear(ip(b.address));
    REQUIRE(run_until(io, [&] {
        return view(sb, "127.0.0.1").established_transitions > up &&
               view(sb, "127.0.0.1").prefixes_received_v4 == nets.size() && view(sa, "127.0.0.2").state == State::established;
    }, 20s));
    run_until(io, [] { return false; }, 300ms);
    // B sent the new session its End-of-RIB markers and nothing else: not
    // one of A's own routes came back (they would have been withdrawn again
    // as B's slices went on, so the final tables alone cannot tell).
    CHECK(view(sa, "127.0.0.2").received.update - updates_before <= 2);
    CHECK(view(sa, "127.0.0.2").prefixes_received_v4 == 0);
    CHECK(sa.routing()->rib().counters().routes == nets.size());
}

TEST_CASE("an update group goes with its last member; a neighbor back with other capabilities leaves none behind",
          "[routing]") {
    Quiet quiet;
    asio::io_context io;
    Node a{"127.0.0.1", 65001, free_port("127.0.0.1")};
    Node b{"127.0.0.2", 65002, free_port("127.0.0.2")};
    Node c{"127.0.0.3", 65003, free_port("127.0.0.3")};
    Speaker sa(io, config(a, {b}, {pfx("198.51.100.0/24")}), fast());
    // A gets a default route from B: a group of its own.
    Speaker sb(io, config(b, {a, c}, {}, [](NeighborConfig& n) { n.default_originate = n.address == ip("127.0.0.1"); }),
               fast());
    Speaker sc(io, config(c, {b}, {}), fast());
    auto groups = [&] { return sb.routing()->memory().update_groups; };
    REQUIRE(run_until(io, [&] { return all_established(sb) && all_established(sa) && all_established(sc); }, 10s));
    CHECK(groups() == 2);
    // The default route as B originates it: B's AS, B's address as next hop; C gets none.
    REQUIRE(run_until(io, [&] { return best(sa, "0.0.0.0/0").has_value(); }, 10s));
    CHECK(path_of(sa, "0.0.0.0/0") == "65002");
    CHECK(best(sa, "0.0.0.0/0")->attrs->value().path.next_hop == ip("127.0.0.2").v4_value());
    CHECK(!best(sc, "0.0.0.0/0"));

    // A comes back without IPv6: its group for B is another one; the old one goes.
    for (int round = 0; round < 2; ++round) {
        Config cfg = sa.running_config();
        cfg.bgp->neighbors[0].ipv6_unicast = round != 0;
        const uint32_t before = view(sb, "127.0.0.1").established_transitions;
        REQUIRE(sa.apply_config(cfg).empty());
        sa.neighbor_clear(ip(b.address));
        REQUIRE(run_until(io, [&] {
            return view(sb, "127.0.0.1").established_transitions > before && all_established(sb);
        }, 10s));
        CHECK(groups() == 2);
    }

    // A goes for good: its group with it.
    Config cfg = sa.running_config();
    cfg.bgp->neighbors[0].shutdown = true;
    REQUIRE(sa.apply_config(cfg).empty());
    REQUIRE(run_until(io, [&] { return view(sb, "127.0.0.1").state != State::established; }, 10s));
    CHECK(groups() == 1);
    CHECK(run_until(io, [&] { return !best(sc, "198.51.100.0/24"); }, 10s));
}
