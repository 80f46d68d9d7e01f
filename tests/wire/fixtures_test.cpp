// One (bytes, value) fixture per message type and per path attribute; each
// drives both the encoder (value -> bytes) and the decoder (bytes -> value).
#include "wire_test_util.hpp"

#include <catch2/catch.hpp>

using namespace moat::wire;
using namespace moat::wire::test;

namespace {

struct AttrFixture {
    const char* name;
    std::vector<uint8_t> bytes;  // the attribute section
    SessionContext ctx;
    PathAttributes value;
};

PathAttributes with(auto f) {
    PathAttributes a;
    f(a);
    return a;
}

std::vector<AttrFixture> attr_fixtures() {
    return {
        {"ORIGIN", hex("40 01 01 02"), ctx4(), with([](auto& a) { a.origin = Origin::incomplete; })},
        {"AS_PATH 4-octet, sequence and set", hex("40 02 14 02 02 0000fde8 0000fde9 01 02 0000fdea 0000fdeb"), ctx4_trusted(),
         with([](auto& a) {
             a.as_path = AsPath{{{SegmentType::as_sequence, {65000, 65001}}, {SegmentType::as_set, {65002, 65003}}}};
         })},
        {"AS_PATH 2-octet", hex("40 02 06 02 02 fde8 fde9"), ctx2(),
         with([](auto& a) { a.as_path = seq({65000, 65001}); })},
        {"AS_PATH confederation segments", hex("40 02 0c 03 01 0000fde8 04 01 0000fde9"), ctx4_trusted(),
         with([](auto& a) {
             a.as_path = AsPath{{{SegmentType::confed_sequence, {65000}}, {SegmentType::confed_set, {65001}}}};
         })},
        {"AS_PATH empty (iBGP origination)", hex("40 02 00"), ctx4(), with([](auto& a) { a.as_path = AsPath{}; })},
        {"NEXT_HOP", hex("40 03 04 c0000201"), ctx4(), with([](auto& a) { a.next_hop = ip4("192.0.2.1"); })},
        {"MULTI_EXIT_DISC", hex("80 04 04 00000064"), ctx4(), with([](auto& a) { a.med = 100; })},
        {"LOCAL_PREF", hex("40 05 04 000000c8"), ctx4_ibgp(), with([](auto& a) { a.local_pref = 200; })},
        {"ATOMIC_AGGREGATE", hex("40 06 00"), ctx4(), with([](auto& a) { a.atomic_aggregate = true; })},
        {"AGGREGATOR 4-octet", hex("c0 07 08 0000fde8 c0000209"), ctx4(),
         with([](auto& a) { a.aggregator = Aggregator{65000, ip4("192.0.2.9")}; })},
        {"AGGREGATOR 2-octet", hex("c0 07 06 fde8 c0000209"), ctx2(),
         with([](auto& a) { a.aggregator = Aggregator{65000, ip4("192.0.2.9")}; })},
        {"COMMUNITIES", hex("c0 08 08 fde80001 ffffff01"), ctx4(),
         with([](auto& a) { a.communities = {0xfde80001, community_no_export}; })},
        {"ORIGINATOR_ID", hex("80 09 04 0a000001"), ctx4(), with([](auto& a) { a.originator_id = ip4("10.0.0.1"); })},
        {"CLUSTER_LIST", hex("80 0a 08 0a000002 0a000003"), ctx4(),
         with([](auto& a) { a.cluster_list = {ip4("10.0.0.2"), ip4("10.0.0.3")}; })},
        {"EXTENDED_COMMUNITIES", hex("c0 10 08 0002fde800000064"), ctx4(),
         with([](auto& a) { a.ext_communities = {ExtCommunity{{0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 0x64}}}; })},
        {"AS4_PATH and AS4_AGGREGATOR towards a 2-octet peer",
         hex("40 02 06 02 02 fde8 5ba0  c0 07 06 5ba0 c0000209  c0 11 0a 02 02 0000fde8 00061a80"
             "  c0 12 08 00061a80 c0000209"),
         ctx2(), with([](auto& a) {
             a.as_path = seq({65000, 400000});
             a.aggregator = Aggregator{400000, ip4("192.0.2.9")};
         })},
        {"LARGE_COMMUNITIES", hex("c0 20 0c 0000fde8 00000001 00000002"), ctx4(),
         with([](auto& a) { a.large_communities = {LargeCommunity{65000, 1, 2}}; })},
        {"OTC", hex("c0 23 04 0000fde8"), ctx4(), with([](auto& a) { a.otc = 65000; })},
        {"unknown optional transitive, passed on as Partial", hex("e0 63 02 0102"), ctx4(),
         with([](auto& a) { a.unknown = {UnknownAttribute{0xe0, 99, {1, 2}}}; })},
        {"all of them, in type-code order",
         hex("40 01 01 00  40 02 06 02 01 0000fde9  40 03 04 c0000201  80 04 04 00000000  40 06 00"
             "  c0 08 04 ffffff02  c0 20 0c 00000001 00000002 00000003  c0 23 04 0000fde9"
             "  e0 63 01 ff"),
         ctx4(), with([](auto& a) {
             a.origin = Origin::igp;
             a.as_path = seq({65001});
             a.next_hop = ip4("192.0.2.1");
             a.med = 0;
             a.atomic_aggregate = true;
             a.communities = {community_no_advertise};
             a.large_communities = {LargeCommunity{1, 2, 3}};
             a.otc = 65001;
             a.unknown = {UnknownAttribute{0xe0, 99, {0xff}}};
         })},
    };
}

struct MessageFixture {
    const char* name;
    std::vector<uint8_t> bytes;  // the whole message
    SessionContext ctx;
    Message value;
};

Update ipv4_update() {
    Update u;
    u.withdrawn = {nl("10.0.0.0/8")};
    u.attrs.origin = Origin::igp;
    u.attrs.as_path = seq({65001});
    u.attrs.next_hop = ip4("192.0.2.1");
    u.nlri = {nl("192.0.2.0/24"), nl("198.51.100.128/25")};
    return u;
}

Update ipv6_update() {
    Update u;
    MpReach mp;
    mp.afi_safi = {Afi::ipv6, Safi::unicast};
    mp.next_hop = *IpAddress::parse("2001:db8::1");
    mp.link_local_next_hop = *IpAddress::parse("fe80::1");
    mp.nlri = {nl("2001:db8::/32")};
    u.mp_reach = mp;
    u.attrs.origin = Origin::igp;
    u.attrs.as_path = seq({65001});
    return u;
}

Update addpath_update() {
    Update u;
    u.withdrawn = {nl("10.0.0.0/8", 7)};
    u.attrs.origin = Origin::igp;
    u.attrs.as_path = seq({65001});
    u.attrs.next_hop = ip4("192.0.2.1");
    u.nlri = {nl("192.0.2.0/24", 1), nl("192.0.2.0/24", 2)};
    return u;
}

Open full_open() {
    Open o;
    o.my_as = 65001;
    o.hold_time = 90;
    o.bgp_id = ip4("192.0.2.1");
    o.caps.multiprotocol = {{Afi::ipv4, Safi::unicast}, {Afi::ipv6, Safi::unicast}};
    o.caps.route_refresh = true;
    o.caps.enhanced_route_refresh = true;
    o.caps.extended_message = true;
    o.caps.four_octet_as = 65001;
    o.caps.graceful_restart = GracefulRestart{true, false, 120, {{{Afi::ipv4, Safi::unicast}, true}}};
    o.caps.add_path = {AddPath{{Afi::ipv4, Safi::unicast}, AddPath::both}};
    o.caps.role = Role::customer;
    o.caps.unknown = {UnknownCapability{128, {}}};
    return o;
}

const char* marker = "ffffffffffffffffffffffffffffffff";

std::vector<MessageFixture> message_fixtures() {
    SessionContext ap = ctx4();
    ap.add_path_rx_v4 = ap.add_path_tx_v4 = true;
    return {
        {"KEEPALIVE", hex(std::string(marker) + "0013 04"), ctx4(), Keepalive{}},
        {"NOTIFICATION with a shutdown communication",
         hex(std::string(marker) + "0019 03 06 02 03 627965"), ctx4(), Notification::shutdown(2, "bye")},
        {"NOTIFICATION max-prefix", hex(std::string(marker) + "001c 03 06 01 0002 01 000003e8"), ctx4(),
         Notification::max_prefix({Afi::ipv6, Safi::unicast}, 1000)},
        {"ROUTE-REFRESH", hex(std::string(marker) + "0017 05 0001 00 01"), ctx4(),
         RouteRefresh{{Afi::ipv4, Safi::unicast}, RouteRefresh::normal}},
        {"ROUTE-REFRESH BoRR (RFC 7313)", hex(std::string(marker) + "0017 05 0002 01 01"), ctx4(),
         RouteRefresh{{Afi::ipv6, Safi::unicast}, RouteRefresh::borr}},
        {"OPEN with every capability",
         hex(std::string(marker) + "004a 01 04 fde9 005a c0000201 2d 02 2b"
                                   " 01 04 0001 00 01  01 04 0002 00 01  02 00  46 00  06 00  41 04 0000fde9"
                                   " 40 06 8078 0001 01 80  45 04 0001 01 03  09 01 03  80 00"),
         ctx4(), full_open()},
        {"OPEN without capabilities", hex(std::string(marker) + "001d 01 04 fde9 00b4 0a000001 00"), ctx4(),
         Open{4, 65001, 180, ip4("10.0.0.1"), {}}},
        {"UPDATE IPv4", hex(std::string(marker) + "0036 02 0002 080a 0014 40010100 4002060201 0000fde9"
                                                  " 400304c0000201 18c00002 19c6336480"),
         ctx4(), ipv4_update()},
        {"UPDATE IPv6 with a link-local next hop",
         hex(std::string(marker) + "0052 02 0000 003b 90 0e 002a 0002 01 20 20010db8000000000000000000000001"
                                   " fe800000000000000000000000000001 00 20 20010db8"
                                   " 40010100 4002060201 0000fde9"),
         ctx4(), ipv6_update()},
        {"UPDATE with ADD-PATH identifiers",
         hex(std::string(marker) + "0041 02 0006 00000007 080a 0014 40010100 4002060201 0000fde9"
                                   " 400304c0000201 00000001 18c00002 00000002 18c00002"),
         ap, addpath_update()},
        {"UPDATE End-of-RIB IPv4", hex(std::string(marker) + "0017 02 0000 0000"), ctx4(), Update{}},
        {"UPDATE End-of-RIB IPv6", hex(std::string(marker) + "001e 02 0000 0007 90 0f 0003 0002 01"), ctx4(),
         [] {
             Update u;
             u.mp_unreach = MpUnreach{{Afi::ipv6, Safi::unicast}, {}};
             return u;
         }()},
    };
}

}  // namespace

TEST_CASE("attribute fixtures encode to their bytes and decode to their value") {
    for (const auto& f : attr_fixtures()) {
        SECTION(f.name) {
            Buffer out;
            REQUIRE(encode_attributes(f.value, f.ctx, out));
            CHECK(to_hex(out) == to_hex(f.bytes));

            auto r = decode_update(update_body({}, f.bytes, {}), f.ctx);
            REQUIRE(ok(r));
            const Update& u = std::get<Update>(r);
            CHECK(u.attrs == f.value);
            CHECK(u.discarded.empty());
            CHECK(!u.treat_as_withdraw_attr);
        }
    }
}

TEST_CASE("message fixtures encode to their bytes and decode to their value") {
    for (const auto& f : message_fixtures()) {
        SECTION(f.name) {
            Buffer out;
            encode(f.value, f.ctx, out);
            CHECK(to_hex(out) == to_hex(f.bytes));

            Frame fr = frame(f.bytes, f.ctx);
            REQUIRE(fr.status == Frame::complete);
            CHECK(fr.length == f.bytes.size());
            auto r = decode(f.bytes, f.ctx);
            if (!ok(r)) FAIL_CHECK(std::get<DecodeError>(r).reason);
            REQUIRE(ok(r));
            CHECK(std::get<Message>(r) == f.value);
        }
    }
}

TEST_CASE("End-of-RIB markers are recognised") {
    auto fx = message_fixtures();
    auto eor = [&](const char* name) {
        for (const auto& f : fx)
            if (std::string(f.name) == name) return std::get<Update>(f.value).end_of_rib();
        return std::optional<AfiSafi>{};
    };
    CHECK(eor("UPDATE End-of-RIB IPv4") == AfiSafi{Afi::ipv4, Safi::unicast});
    CHECK(eor("UPDATE End-of-RIB IPv6") == AfiSafi{Afi::ipv6, Safi::unicast});
    CHECK(!eor("UPDATE IPv4"));
    CHECK(!eor("UPDATE IPv6 with a link-local next hop"));
}

TEST_CASE("OPEN with RFC 9072 extended optional parameters decodes") {
    // 255, 255, extended length 0x000e, one capabilities parameter of 0x000b octets.
    auto body = hex("04 fde9 005a c0000201 ff ff 000f 02 000c 01 04 0002 00 01 41 04 0000fde9 ");
    auto r = decode_open(body);
    REQUIRE(ok(r));
    const Open& o = std::get<Open>(r);
    CHECK(o.caps.multiprotocol == std::vector<AfiSafi>{{Afi::ipv6, Safi::unicast}});
    CHECK(o.caps.four_octet_as == 65001u);
    CHECK(o.asn() == 65001u);
}

TEST_CASE("OPEN whose capabilities exceed 255 octets uses RFC 9072 and round-trips") {
    Open o = full_open();
    for (uint8_t i = 0; i < 40; ++i) o.caps.unknown.push_back({static_cast<uint8_t>(200 + i % 50), {i, i, i, i, i}});
    Buffer out;
    encode(o, out);
    CHECK(out[28] == 255);
    CHECK(out[29] == 255);
    auto r = decode(out, ctx4());
    REQUIRE(ok(r));
    CHECK(std::get<Open>(std::get<Message>(r)) == o);
}

TEST_CASE("NOTIFICATION names, shutdown communication and max-prefix data") {
    CHECK(Notification{6, 2, {}}.describe() == "Cease / Administrative Shutdown");
    CHECK(Notification{3, 11, {}}.describe() == "UPDATE Message Error / Malformed AS_PATH");
    CHECK(Notification{1, 1, {}}.describe() == "Message Header Error / Connection Not Synchronized");
    CHECK(Notification{2, 11, {}}.describe() == "OPEN Message Error / Role Mismatch");
    CHECK(Notification{4, 0, {}}.describe() == "Hold Timer Expired");
    CHECK(Notification{5, 3, {}}.describe() == "Finite State Machine Error / Receive Unexpected Message in Established State");
    CHECK(Notification{7, 1, {}}.describe() == "ROUTE-REFRESH Message Error / Invalid Message Length");
    CHECK(Notification{6, 8, {}}.describe() == "Cease / Out of Resources");
    CHECK(Notification{6, 42, {}}.describe() == "Cease / subcode 42");
    CHECK(Notification{3, 0, {}}.describe() == "UPDATE Message Error / Unspecific");

    auto n = Notification::shutdown(err::admin_reset, "maintenance \xc3\xa9t\xc3\xa9");
    CHECK(n.shutdown_message() == "maintenance \xc3\xa9t\xc3\xa9");
    CHECK(Notification{6, 2, {3, 'a', 'b'}}.shutdown_message() == std::nullopt);      // length overruns
    CHECK(Notification{6, 2, {2, 0xc3, 0x28}}.shutdown_message() == std::nullopt);    // not UTF-8
    CHECK(Notification{6, 3, {1, 'a'}}.shutdown_message() == std::nullopt);           // not Cease 2/4

    std::string longtext(300, 'x');
    longtext[254] = '\xc3';  // a 2-byte sequence straddling the 255-byte limit
    longtext[255] = '\xa9';
    auto t = Notification::shutdown(err::admin_shutdown, longtext);
    CHECK(t.data[0] == 254);
    CHECK(t.shutdown_message()->size() == 254);
    CHECK(Notification::shutdown(2, std::string(300, 'y')).data.size() == 256);

    auto mp = Notification::max_prefix({Afi::ipv4, Safi::unicast}, 70000);
    CHECK(to_hex(mp.data) == "00010100011170");
    CHECK(mp.describe() == "Cease / Maximum Number of Prefixes Reached");
}

TEST_CASE("to_notification carries code, subcode and data") {
    auto r = decode(message(2, update_body({}, hex("40 63 01 00"), {})), ctx4());
    REQUIRE(!ok(r));
    auto n = to_notification(std::get<DecodeError>(r));
    CHECK(n.code == err::update);
    CHECK(n.subcode == err::unrecognized_well_known_attribute);
    CHECK(to_hex(n.data) == "40630100");
}

TEST_CASE("frame() waits for a whole message and reports its length") {
    auto m = message(4, {});
    std::vector<uint8_t> stream = m;
    stream.insert(stream.end(), m.begin(), m.begin() + 10);  // half of the next one
    CHECK(frame(Bytes(stream.data(), 10), ctx4()).status == Frame::need_more);
    auto f = frame(stream, ctx4());
    CHECK(f.status == Frame::complete);
    CHECK(f.length == 19);
    CHECK(f.type == MessageType::keepalive);
    auto big = message(2, update_body({}, {}, std::vector<uint8_t>(5000, 0)));
    CHECK(frame(Bytes(big.data(), 19), ctx4()).status == Frame::error);
    SessionContext ext = ctx4();
    ext.extended_message = true;
    CHECK(frame(Bytes(big.data(), 19), ext).status == Frame::need_more);
}
