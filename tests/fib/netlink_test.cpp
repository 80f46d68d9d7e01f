// rtnetlink route requests as the kernel reads them, read back by the dump
// parser; the next hop of interned attribute sets; the RIB's pins.
#include "fib/netlink.hpp"
#include "rib/rib.hpp"
#include "tests/rib/rib_test_util.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

using namespace moat;
using namespace moat::rib::test;

namespace {

const nlmsghdr* only_message(const std::vector<uint8_t>& buf) {
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data());
    REQUIRE(mnl_nlmsg_ok(nlh, static_cast<int>(buf.size())));
    REQUIRE(nlh->nlmsg_len == buf.size());
    return nlh;
}

}  // namespace

TEST_CASE("fib: a replace request carries prefix, gateway, table, protocol and metric, and asks for an ack") {
    std::vector<uint8_t> buf;
    fib::RouteTarget t;
    t.table = 1000;
    t.metric = 30;
    const auto gw = ip("198.19.1.2");
    fib::put_route(buf, fib::RouteOp::replace, pfx("203.0.113.0/24"), &gw, t, 77);
    const nlmsghdr* nlh = only_message(buf);
    CHECK(nlh->nlmsg_type == RTM_NEWROUTE);
    CHECK(nlh->nlmsg_seq == 77);
    CHECK((nlh->nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE)) ==
          (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE));
    auto r = fib::parse_route(nlh);
    REQUIRE(r);
    CHECK(r->prefix == pfx("203.0.113.0/24"));
    CHECK(r->table == 1000);  // above 255: only in RTA_TABLE
    CHECK(r->protocol == 196);
    CHECK(r->metric == 30);
    CHECK(r->type == RTN_UNICAST);
    REQUIRE(r->gateway);
    CHECK(*r->gateway == gw);

    // Several requests share one buffer (one sendmsg), each whole.
    const auto gw6 = ip("2001:db8::1");
    fib::put_route(buf, fib::RouteOp::replace, pfx("2001:db8:100::/48"), &gw6, t, 78);
    fib::put_route(buf, fib::RouteOp::remove, pfx("10.0.0.0/8"), nullptr, t, 79);
    std::vector<fib::KernelRoute> read;
    std::vector<uint16_t> types;
    int len = static_cast<int>(buf.size());
    for (auto* m = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
        types.push_back(m->nlmsg_type);
        auto k = fib::parse_route(m);
        REQUIRE(k);
        read.push_back(*k);
    }
    CHECK(len == 0);
    REQUIRE(read.size() == 3);
    CHECK(types == std::vector<uint16_t>{RTM_NEWROUTE, RTM_NEWROUTE, RTM_DELROUTE});
    CHECK(read[1].prefix == pfx("2001:db8:100::/48"));
    CHECK(*read[1].gateway == gw6);
    CHECK(read[2].prefix == pfx("10.0.0.0/8"));
    CHECK_FALSE(read[2].gateway);  // a removal names the route, not its next hop
}

TEST_CASE("fib: the dump parser refuses what is not a well-formed route") {
    std::vector<uint8_t> buf;
    fib::put_route_dump(buf, wire::Afi::ipv6, 5);
    const nlmsghdr* nlh = only_message(buf);
    CHECK(nlh->nlmsg_type == RTM_GETROUTE);
    CHECK((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
    CHECK_FALSE(fib::parse_route(nlh));  // a request, not a route

    std::vector<uint8_t> bad;
    const auto gw = ip("192.0.2.1");
    fib::put_route(bad, fib::RouteOp::replace, pfx("192.0.2.0/24"), &gw, {}, 1);
    auto* m = reinterpret_cast<nlmsghdr*>(bad.data());
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_get_payload(m));
    rtm->rtm_dst_len = 33;
    CHECK_FALSE(fib::parse_route(m));
    rtm->rtm_dst_len = 24;
    rtm->rtm_family = 99;
    CHECK_FALSE(fib::parse_route(m));
}

TEST_CASE("fib: the next hop of an interned set, without decoding it") {
    rib::Rib rib(config());
    const rib::PeerId src = rib.add_peer(rib::PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    rib.import(src, announce(attrs({64500}, 0xC6130102), {"10.0.0.0/8"}));  // NEXT_HOP 198.19.1.2
    rib.import(src, announce6(attrs({64500}), "2001:db8::7", {"2001:db8:100::/48"}));
    rib.run_decision();
    auto v4 = rib.best(pfx("10.0.0.0/8"));
    REQUIRE(v4);
    REQUIRE(v4->attrs->next_hop());
    CHECK(*v4->attrs->next_hop() == ip("198.19.1.2"));
    auto v6 = rib.best(pfx("2001:db8:100::/48"));
    REQUIRE(v6);
    CHECK(*v6->attrs->next_hop() == ip("2001:db8::7"));
}

TEST_CASE("fib: a pinned destination keeps its index until it is unpinned") {
    rib::Rib rib(config());
    const rib::PeerId src = rib.add_peer(rib::PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    rib.import(src, announce(attrs({64500}), {"10.0.0.0/8"}));
    rib.run_decision();
    const uint32_t d = rib.dest_index(pfx("10.0.0.0/8"));
    REQUIRE(d != rib::no_index);
    rib.pin(wire::Afi::ipv4, d);
    rib.import(src, withdraw({"10.0.0.0/8"}));
    rib.run_decision();
    CHECK(rib.dest_index(pfx("10.0.0.0/8")) == d);  // still there: the FIB holds it
    CHECK(rib.prefix_of(wire::Afi::ipv4, d) == pfx("10.0.0.0/8"));
    rib.unpin(wire::Afi::ipv4, d);
    CHECK(rib.dest_index(pfx("10.0.0.0/8")) == rib::no_index);
}

TEST_CASE("fib: a multipath request carries every gateway, and the parser reads them back") {
    std::vector<uint8_t> buf;
    const std::vector<wire::IpAddress> gws{ip("198.19.1.2"), ip("198.19.1.5"), ip("198.19.1.9")};
    fib::put_route(buf, fib::RouteOp::replace, pfx("203.0.113.0/24"), gws, {}, 9);
    const nlmsghdr* nlh = only_message(buf);
    auto r = fib::parse_route(nlh);
    REQUIRE(r);
    CHECK(r->multipath);
    CHECK_FALSE(r->gateway);
    CHECK(r->gateways == gws);
}

TEST_CASE("fib: the multipath set is the best path and the paths equal to it up to the router-ID step") {
    rib::Rib rib(config());
    const rib::PeerId a = rib.add_peer(rib::PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    const rib::PeerId b = rib.add_peer(rib::PeerInfo{ip("192.0.2.2"), 64500, 2, false});
    const rib::PeerId c = rib.add_peer(rib::PeerInfo{ip("192.0.2.3"), 64510, 3, false});
    const rib::PeerId d = rib.add_peer(rib::PeerInfo{ip("192.0.2.4"), 64500, 4, false});
    rib.import(a, announce(attrs({64500, 1}, 0xC0000201), {"10.0.0.0/8"}));
    rib.import(b, announce(attrs({64500, 2}, 0xC0000202), {"10.0.0.0/8"}));      // equal: same AS, same length
    rib.import(c, announce(attrs({64510, 3}, 0xC0000203), {"10.0.0.0/8"}));      // equal length, other neighbor AS
    rib.import(d, announce(attrs({64500, 4, 5}, 0xC0000204), {"10.0.0.0/8"}));   // longer AS_PATH: never
    std::vector<rib::BestChange> changes;
    rib.set_report_decided(true);
    rib.run_decision(&changes);
    const uint32_t dest = rib.dest_index(pfx("10.0.0.0/8"));
    std::vector<const rib::AttrSet*> set;
    auto hops = [&] {
        std::vector<wire::IpAddress> out;
        for (const auto* s : set) out.push_back(*s->next_hop());
        std::sort(out.begin(), out.end());
        return out;
    };
    rib.multipath(wire::Afi::ipv4, dest, 8, false, set);
    CHECK(hops() == std::vector<wire::IpAddress>{ip("192.0.2.1"), ip("192.0.2.2")});
    rib.multipath(wire::Afi::ipv4, dest, 8, true, set);  // multipath-relax: the other AS too
    CHECK(hops() == std::vector<wire::IpAddress>{ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.3")});
    rib.multipath(wire::Afi::ipv4, dest, 1, true, set);
    CHECK(set.size() == 1);

    // A second equal path that leaves the best alone is still reported.
    changes.clear();
    rib.import(b, withdraw({"10.0.0.0/8"}));
    rib.run_decision(&changes);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].same);
}
