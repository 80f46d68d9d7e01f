// Malformed input -> the action RFC 4271 6 / RFC 7606 require. One row per
// case: the whole message, the session context, and the expected outcome.
#include "wire_test_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace moat::wire;
using namespace moat::wire::test;

namespace {

enum class Expect { accepted, reset, withdraw, discard };

struct Row {
    const char* name;
    std::vector<uint8_t> bytes;
    SessionContext ctx;
    Expect expect;
    uint8_t code_or_attr = 0;  // reset: NOTIFICATION code; withdraw/discard: attribute type
    uint8_t subcode = 0;       // reset only
};

Row reset_row(const char* n, std::vector<uint8_t> b, SessionContext c, uint8_t code, uint8_t sub) {
    return {n, std::move(b), c, Expect::reset, code, sub};
}
Row withdraw_row(const char* n, std::vector<uint8_t> b, SessionContext c, uint8_t type) {
    return {n, std::move(b), c, Expect::withdraw, type, 0};
}
Row discard_row(const char* n, std::vector<uint8_t> b, SessionContext c, uint8_t type) {
    return {n, std::move(b), c, Expect::discard, type, 0};
}

const auto ORIGIN = hex("40 01 01 00");
const auto AS_PATH = hex("40 02 06 02 01 0000fde9");
const auto NEXT_HOP = hex("40 03 04 c0000201");
const auto NLRI = hex("18 c00002");

std::vector<uint8_t> upd(const std::vector<uint8_t>& extra, const std::vector<uint8_t>& nlri = NLRI) {
    return message(2, update_body({}, cat({ORIGIN, AS_PATH, NEXT_HOP, extra}), nlri));
}
std::vector<uint8_t> upd_attrs(const std::vector<uint8_t>& attrs, const std::vector<uint8_t>& nlri = NLRI) {
    return message(2, update_body({}, attrs, nlri));
}
std::vector<uint8_t> open_body(const char* h) { return message(1, hex(h)); }

// An AS_PATH attribute of `n` 2-octet ASes (AS 65001), in segments of 255.
std::vector<uint8_t> long_as_path(size_t n) {
    std::vector<uint8_t> v;
    for (size_t left = n; left > 0;) {
        const size_t k = std::min<size_t>(left, 255);
        v.push_back(2);
        v.push_back(static_cast<uint8_t>(k));
        for (size_t i = 0; i < k; ++i) {
            v.push_back(0xfd);
            v.push_back(0xe9);
        }
        left -= k;
    }
    const std::vector<uint8_t> head = {0x50, 0x02, static_cast<uint8_t>(v.size() >> 8), static_cast<uint8_t>(v.size())};
    return cat({head, v});
}

std::vector<Row> rows() {
    const auto c4 = ctx4(), c2 = ctx2(), ibgp = ctx4_ibgp();
    const uint8_t U = err::update;
    std::vector<Row> r = {
        {"well-formed UPDATE", upd({}), c4, Expect::accepted},
        {"withdraw-only UPDATE needs no attributes", message(2, update_body(hex("18 c00002"), {}, {})), c4,
         Expect::accepted},
        {"unknown optional non-transitive is dropped silently", upd(hex("80 63 01 00")), c4, Expect::accepted},

        // ORIGIN (RFC 7606 7.1)
        withdraw_row("ORIGIN length 2", upd_attrs(cat({hex("40 01 02 0000"), AS_PATH, NEXT_HOP})), c4, attr::origin),
        withdraw_row("ORIGIN value 3", upd_attrs(cat({hex("40 01 01 03"), AS_PATH, NEXT_HOP})), c4, attr::origin),
        withdraw_row("ORIGIN with the Optional flag", upd_attrs(cat({hex("c0 01 01 00"), AS_PATH, NEXT_HOP})), c4,
                     attr::origin),
        // AS_PATH (RFC 7606 7.2)
        withdraw_row("AS_PATH segment overruns", upd_attrs(cat({ORIGIN, hex("40 02 06 02 05 0000fdea"), NEXT_HOP})),
                     c4, attr::as_path),
        withdraw_row("AS_PATH zero-length segment", upd_attrs(cat({ORIGIN, hex("40 02 02 02 00"), NEXT_HOP})), c4,
                     attr::as_path),
        withdraw_row("AS_PATH unknown segment type", upd_attrs(cat({ORIGIN, hex("40 02 06 05 01 0000fdea"), NEXT_HOP})),
                     c4, attr::as_path),
        withdraw_row("AS_PATH one trailing octet", upd_attrs(cat({ORIGIN, hex("40 02 07 02 01 0000fdea 02"), NEXT_HOP})),
                     c4, attr::as_path),
        withdraw_row("AS_PATH 2-octet read with a 4-octet session", upd_attrs(cat({ORIGIN, hex("40 02 05 02 01 fde9 00"), NEXT_HOP})),
                     c4, attr::as_path),
        // What later RFCs forbid in a well-formed AS_PATH (RFC 7607, RFC 9774, RFC 5065 5)
        withdraw_row("AS_PATH with AS 0 (RFC 7607)",
                     upd_attrs(cat({ORIGIN, hex("40 02 0a 02 02 0000fde9 00000000"), NEXT_HOP})), c4, attr::as_path),
        withdraw_row("AS_PATH with AS 0 on a 2-octet session (RFC 7607)",
                     upd_attrs(cat({ORIGIN, hex("40 02 06 02 02 fde9 0000"), NEXT_HOP})), c2, attr::as_path),
        withdraw_row("AS_PATH with an AS_SET (RFC 9774)",
                     upd_attrs(cat({ORIGIN, hex("40 02 10 02 01 0000fdea 01 02 0000fde7 0000fde6"), NEXT_HOP})), c4,
                     attr::as_path),
        withdraw_row("AS_PATH with an AS_SET from an internal peer (RFC 9774)",
                     upd_attrs(cat({ORIGIN, hex("40 02 10 02 01 0000fdea 01 02 0000fde7 0000fde6"), NEXT_HOP})), ibgp,
                     attr::as_path),
        withdraw_row("AS_PATH with an AS_CONFED_SET (RFC 9774)",
                     upd_attrs(cat({ORIGIN, hex("40 02 0c 04 01 0000fe4c 02 01 0000fdea"), NEXT_HOP})), ibgp,
                     attr::as_path),
        withdraw_row("AS_PATH with an AS_CONFED_SEQUENCE from an external peer (RFC 5065 5)",
                     upd_attrs(cat({ORIGIN, hex("40 02 0c 03 01 0000fe4c 02 01 0000fdea"), NEXT_HOP})), c4,
                     attr::as_path),
        {"AS_PATH with an AS_CONFED_SEQUENCE from an internal peer is accepted",
         upd_attrs(cat({ORIGIN, hex("40 02 0c 03 01 0000fe4c 02 01 0000fdea"), NEXT_HOP})), ibgp, Expect::accepted},
        {"an empty AS_PATH is well formed (the import chain judges it)", upd_attrs(cat({ORIGIN, hex("40 02 00"), NEXT_HOP})),
         c4, Expect::accepted},
        withdraw_row("AS_PATH too long to store (over 61,439 octets in 4-octet form)",
                     upd_attrs(cat({ORIGIN, long_as_path(16000), NEXT_HOP})), [] {
                         auto c = ctx2();
                         c.extended_message = true;
                         return c;
                     }(), attr::as_path),
        // NEXT_HOP (RFC 7606 7.3)
        withdraw_row("NEXT_HOP length 5", upd_attrs(cat({ORIGIN, AS_PATH, hex("40 03 05 c000020100")})), c4,
                     attr::next_hop),
        withdraw_row("NEXT_HOP 0.0.0.0 with IPv4 NLRI", upd_attrs(cat({ORIGIN, AS_PATH, hex("40 03 04 00000000")})), c4,
                     attr::next_hop),
        discard_row("NEXT_HOP 224.0.0.1 with MP_REACH only is dropped",
                    upd_attrs(cat({ORIGIN, AS_PATH, hex("40 03 04 e0000001"),
                                   hex("80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8")}),
                              {}),
                    c4, attr::next_hop),
        // MED, LOCAL_PREF (RFC 7606 7.4, 7.5)
        withdraw_row("MED length 2", upd(hex("80 04 02 0001")), c4, attr::med),
        withdraw_row("MED with the Transitive flag", upd(hex("c0 04 04 00000001")), c4, attr::med),
        discard_row("LOCAL_PREF from an external peer", upd(hex("40 05 04 00000064")), c4, attr::local_pref),
        withdraw_row("LOCAL_PREF length 3 from an internal peer", upd(hex("40 05 03 000064")), ibgp,
                     attr::local_pref),
        // ATOMIC_AGGREGATE, AGGREGATOR (RFC 7606 7.6, 7.7)
        discard_row("ATOMIC_AGGREGATE length 1", upd(hex("40 06 01 01")), c4, attr::atomic_aggregate),
        discard_row("AGGREGATOR length 7 on a 4-octet session", upd(hex("c0 07 07 0000fde9 c00002")), c4,
                    attr::aggregator),
        discard_row("AGGREGATOR 4-octet form on a 2-octet session",
                    upd_attrs(cat({ORIGIN, hex("40 02 04 02 01 fde9"), NEXT_HOP, hex("c0 07 08 0000fde9 c0000201")})), c2,
                    attr::aggregator),
        discard_row("AGGREGATOR marked well-known", upd(hex("40 07 08 0000fde9 c0000201")), c4, attr::aggregator),
        discard_row("AGGREGATOR with AS 0 (RFC 7607)", upd(hex("c0 07 08 00000000 c0000201")), c4, attr::aggregator),
        // COMMUNITIES, EXT, LARGE (RFC 7606 7.8, 7.14, RFC 8092 6)
        withdraw_row("COMMUNITIES length 3", upd(hex("c0 08 03 000102")), c4, attr::communities),
        withdraw_row("COMMUNITIES length 0", upd(hex("c0 08 00")), c4, attr::communities),
        withdraw_row("EXTENDED_COMMUNITIES length 7", upd(hex("c0 10 07 00020000000000")), c4, attr::ext_communities),
        withdraw_row("LARGE_COMMUNITIES length 11", upd(hex("c0 20 0b 0000000100000002000000")), c4,
                     attr::large_communities),
        // ORIGINATOR_ID, CLUSTER_LIST (RFC 7606 7.9, 7.10)
        withdraw_row("ORIGINATOR_ID length 3", upd(hex("80 09 03 0a0000")), ibgp, attr::originator_id),
        withdraw_row("CLUSTER_LIST length 5", upd(hex("80 0a 05 0a00000101")), ibgp, attr::cluster_list),
        // OTC (RFC 9234 5: malformed -> treat-as-withdraw)
        withdraw_row("OTC length 3", upd(hex("c0 23 03 00fde9")), c4, attr::otc),
        withdraw_row("OTC length 5", upd(hex("c0 23 05 0000fde900")), c4, attr::otc),
        withdraw_row("OTC length 0", upd(hex("c0 23 00")), c4, attr::otc),
        withdraw_row("OTC marked non-transitive", upd(hex("80 23 04 0000fde9")), c4, attr::otc),
        withdraw_row("OTC marked well-known", upd(hex("40 23 04 0000fde9")), c4, attr::otc),
        withdraw_row("OTC length 3 in an IPv6 UPDATE",
                     upd_attrs(cat({ORIGIN, AS_PATH, hex("c0 23 03 00fde9"),
                                    hex("80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8")}),
                               {}),
                     c4, attr::otc),
        // AS4_* (RFC 6793 6)
        discard_row("AS4_PATH from a 4-octet peer", upd(hex("c0 11 06 02 01 0000fde9")), c4, attr::as4_path),
        discard_row("AS4_PATH malformed from a 2-octet peer",
                    upd_attrs(cat({ORIGIN, hex("40 02 04 02 01 fde9"), NEXT_HOP, hex("c0 11 05 02 01 0000fd")})), c2,
                    attr::as4_path),
        discard_row("AS4_PATH with a confederation segment",
                    upd_attrs(cat({ORIGIN, hex("40 02 04 02 01 5ba0"), NEXT_HOP, hex("c0 11 06 03 01 00061a80")})), c2,
                    attr::as4_path),
        discard_row("AS4_PATH with AS 0 (RFC 7607)",
                    upd_attrs(cat({ORIGIN, hex("40 02 04 02 01 5ba0"), NEXT_HOP, hex("c0 11 0a 02 02 00061a80 00000000")})),
                    c2, attr::as4_path),
        withdraw_row("AS4_PATH with an AS_SET (RFC 9774)",
                     upd_attrs(cat({ORIGIN, hex("40 02 06 02 02 5ba0 5ba0"), NEXT_HOP,
                                    hex("c0 11 10 02 01 00061a80 01 02 00061a81 00061a82")})),
                     c2, attr::as4_path),
        discard_row("AS4_AGGREGATOR with AS 0 (RFC 7607)",
                    upd_attrs(cat({ORIGIN, hex("40 02 04 02 01 fde9"), NEXT_HOP,
                                   hex("c0 07 06 5ba0 c0000201 c0 12 08 00000000 c0000201")})),
                    c2, attr::as4_aggregator),
        discard_row("AS4_AGGREGATOR length 6", upd_attrs(cat({ORIGIN, hex("40 02 04 02 01 fde9"), NEXT_HOP,
                                                              hex("c0 07 06 5ba0 c0000201 c0 12 06 0001 c0000201")})),
                    c2, attr::as4_aggregator),
        // duplicates (RFC 7606 3 g)
        discard_row("repeated ORIGIN keeps the first", upd(hex("40 01 01 02")), c4, attr::origin),
        reset_row("repeated MP_UNREACH_NLRI", upd(hex("80 0f 03 000201 80 0f 03 000201")), c4, U,
                  err::malformed_attribute_list),
        // MP_REACH / MP_UNREACH (RFC 7606 7.11, 5.3)
        reset_row("MP_REACH IPv6 next hop length 5",
                  upd_attrs(cat({ORIGIN, AS_PATH, hex("80 0e 0b 0002 01 05 2001db8000 00 00")}), {}), c4, U,
                  err::optional_attribute_error),
        reset_row("MP_REACH IPv6 prefix /129",
                  upd_attrs(cat({ORIGIN, AS_PATH, hex("80 0e 18 0002 01 10 20010db8000000000000000000000001 00 81 2001")}),
                            {}),
                  c4, U, err::optional_attribute_error),
        reset_row("MP_REACH shorter than its header", upd_attrs(cat({ORIGIN, AS_PATH, hex("80 0e 03 000201")}), {}), c4,
                  U, err::optional_attribute_error),
        reset_row("MP_UNREACH prefix overruns", upd_attrs(hex("80 0f 05 0002 01 40 20"), {}), c4, U,
                  err::optional_attribute_error),
        reset_row("MP_REACH with the Transitive flag",
                  upd_attrs(cat({ORIGIN, AS_PATH, hex("c0 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8")}),
                            {}),
                  c4, U, err::attribute_flags_error),
        withdraw_row("MP_REACH IPv4 NLRI with an IPv6 next hop, no extended next hop (RFC 8950)",
                     upd_attrs(cat({ORIGIN, AS_PATH, hex("80 0e 19 0001 01 10 20010db8000000000000000000000001 00 18 c00002")}),
                               {}),
                     c4, attr::mp_reach_nlri),
        {"MP_REACH IPv4 NLRI with an IPv6 next hop once extended next hop is negotiated",
         upd_attrs(cat({ORIGIN, AS_PATH, hex("80 0e 19 0001 01 10 20010db8000000000000000000000001 00 18 c00002")}), {}),
         [] {
             auto c = ctx4();
             c.extended_next_hop_v4 = true;
             return c;
         }(),
         Expect::accepted},
        discard_row("MP_REACH for an unsupported family is ignored",
                    upd_attrs(cat({ORIGIN, AS_PATH, hex("80 0e 09 0019 46 04 c0000201 00")}), {}), c4,
                    attr::mp_reach_nlri),
        // missing well-known mandatory (RFC 7606 3 d)
        withdraw_row("no ORIGIN", upd_attrs(cat({AS_PATH, NEXT_HOP})), c4, attr::origin),
        withdraw_row("no AS_PATH", upd_attrs(cat({ORIGIN, NEXT_HOP})), c4, attr::as_path),
        withdraw_row("no NEXT_HOP with IPv4 NLRI", upd_attrs(cat({ORIGIN, AS_PATH})), c4, attr::next_hop),
        withdraw_row("no attributes at all with NLRI", upd_attrs({}), c4, attr::origin),
        withdraw_row("MP_REACH without ORIGIN",
                     upd_attrs(cat({AS_PATH, hex("80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8")}),
                               {}),
                     c4, attr::origin),
        // UPDATEs with path attributes and no NLRI at all (RFC 7606 5.2)
        reset_row("attributes without NLRI and a withdraw-class error reset",
                  upd_attrs(cat({ORIGIN, AS_PATH, NEXT_HOP, hex("c0 08 03 000102")}), {}), c4, U,
                  err::attribute_length_error),
        reset_row("attributes without NLRI and an AS_PATH with AS 0 reset",
                  upd_attrs(cat({ORIGIN, hex("40 02 0a 02 02 0000fde9 00000000"), NEXT_HOP}), {}), c4, U,
                  err::malformed_as_path),
        discard_row("attributes without NLRI and a discard-class error only discard",
                    upd_attrs(cat({ORIGIN, AS_PATH, NEXT_HOP, hex("40 06 01 01")}), {}), c4, attr::atomic_aggregate),
        withdraw_row("a withdraw-class error with Withdrawn Routes is treat-as-withdraw",
                     message(2, update_body(hex("18 c00003"), cat({ORIGIN, AS_PATH, NEXT_HOP, hex("c0 08 03 000102")}), {})),
                     c4, attr::communities),
        // unknown well-known (RFC 4271 6.3)
        reset_row("unrecognized well-known attribute", upd(hex("40 63 01 00")), c4, U,
                  err::unrecognized_well_known_attribute),
        // framing of the UPDATE body (RFC 4271 6.3, RFC 7606 5.3)
        reset_row("NLRI prefix /33", upd({}, hex("21 c0000201 01")), c4, U, err::invalid_network_field),
        reset_row("NLRI prefix overruns the message", upd({}, hex("18 c000")), c4, U, err::invalid_network_field),
        reset_row("withdrawn prefix /40", message(2, update_body(hex("28 0a000000 00"), {}, {})), c4, U,
                  err::invalid_network_field),
        reset_row("Withdrawn Routes Length overruns", message(2, hex("0010 0a00")), c4, U,
                  err::malformed_attribute_list),
        reset_row("Total Path Attribute Length overruns", message(2, hex("0000 00ff 40010100")), c4, U,
                  err::malformed_attribute_list),
        withdraw_row("attribute overruns the Total Path Attribute Length (RFC 7606 4)",
                     message(2, hex("0000 0004 40010200 18c00002")), c4, attr::origin),
        withdraw_row("attribute header cut short (RFC 7606 4)", message(2, hex("0000 0006 40010100 4002 18c00002")), c4,
                     attr::as_path),
        reset_row("MP_REACH_NLRI overruns the Total Path Attribute Length",
                  message(2, hex("0000 0008 40010100 800e1000")), c4, U, err::malformed_attribute_list),
        reset_row("ADD-PATH NLRI without room for the path id", upd({}, hex("000000")), [] {
            auto c = ctx4();
            c.add_path_rx_v4 = true;
            return c;
        }(), U, err::invalid_network_field),

        // message header (RFC 4271 6.1)
        reset_row("marker not all ones", [] {
            auto m = message(4, {});
            m[3] = 0;
            return m;
        }(), c4, err::header, err::connection_not_synchronized),
        reset_row("length 18", hex("ffffffffffffffffffffffffffffffff 0012 04"), c4, err::header,
                  err::bad_message_length),
        reset_row("unknown type 9", message(9, {}), c4, err::header, err::bad_message_type),
        reset_row("KEEPALIVE of 20 octets", message(4, {0}), c4, err::header, err::bad_message_length),
        reset_row("OPEN of 28 octets", message(1, hex("04 fde9 005a c0000201")), c4, err::header,
                  err::bad_message_length),
        reset_row("UPDATE of 22 octets", message(2, hex("0000 00")), c4, err::header, err::bad_message_length),
        reset_row("NOTIFICATION of 20 octets", message(3, hex("06")), c4, err::header, err::bad_message_length),
        reset_row("UPDATE over 4096 without extended messages", message(2, update_body({}, {}, std::vector<uint8_t>(4100, 0))),
                  c4, err::header, err::bad_message_length),

        // OPEN (RFC 4271 6.2)
        reset_row("OPEN version 3", open_body("03 fde9 005a c0000201 00"), c4, err::open, err::unsupported_version),
        reset_row("OPEN hold time 1", open_body("04 fde9 0001 c0000201 00"), c4, err::open,
                  err::unacceptable_hold_time),
        reset_row("OPEN hold time 2", open_body("04 fde9 0002 c0000201 00"), c4, err::open,
                  err::unacceptable_hold_time),
        reset_row("OPEN BGP identifier 0", open_body("04 fde9 005a 00000000 00"), c4, err::open,
                  err::bad_bgp_identifier),
        reset_row("OPEN authentication parameter", open_body("04 fde9 005a c0000201 03 01 01 00"), c4, err::open,
                  err::unsupported_optional_parameter),
        reset_row("OPEN capability overruns its parameter", open_body("04 fde9 005a c0000201 04 02 02 41 04"), c4,
                  err::open, 0),
        reset_row("OPEN parameter length mismatch", open_body("04 fde9 005a c0000201 05 02 02 02 00"), c4, err::open,
                  0),
        reset_row("OPEN Multiprotocol capability of length 3", open_body("04 fde9 005a c0000201 05 02 03 01 03 000100"),
                  c4, err::open, 0),
        reset_row("OPEN Multiprotocol capability of length 5",
                  open_body("04 fde9 005a c0000201 07 02 05 01 05 0001000100"), c4, err::open, 0),
        reset_row("OPEN 4-octet AS capability of length 2", open_body("04 fde9 005a c0000201 04 02 02 41 02 fde9"), c4,
                  err::open, 0),

        // ROUTE-REFRESH (RFC 7313 5)
        reset_row("ROUTE-REFRESH of 22 octets", message(5, hex("000100")), c4, err::route_refresh,
                  err::invalid_message_length),
        reset_row("ROUTE-REFRESH of 24 octets", message(5, hex("0001000100")), c4, err::route_refresh,
                  err::invalid_message_length),
    };
    return r;
}

}  // namespace

TEST_CASE("malformed input gets the action RFC 4271 / RFC 7606 require") {
    for (const auto& row : rows()) {
        SECTION(row.name) {
            auto r = decode(row.bytes, row.ctx);
            if (row.expect == Expect::reset) {
                REQUIRE(!ok(r));
                const auto& e = std::get<DecodeError>(r);
                INFO(e.reason);
                CHECK(e.action == ErrorAction::session_reset);
                CHECK(int(e.code) == int(row.code_or_attr));
                CHECK(int(e.subcode) == int(row.subcode));
                continue;
            }
            if (!ok(r)) FAIL(std::get<DecodeError>(r).reason);
            const Update& u = std::get<Update>(std::get<Message>(r));
            switch (row.expect) {
            case Expect::accepted:
                CHECK(!u.treat_as_withdraw_attr);
                CHECK(u.discarded.empty());
                break;
            case Expect::withdraw:
                REQUIRE(u.treat_as_withdraw_attr);
                CHECK(int(*u.treat_as_withdraw_attr) == int(row.code_or_attr));
                CHECK(u.treat_as_withdraw_reason != nullptr);
                break;
            case Expect::discard:
                CHECK(!u.treat_as_withdraw_attr);
                REQUIRE(u.discarded.size() == 1);
                CHECK(int(u.discarded[0].type) == int(row.code_or_attr));
                break;
            case Expect::reset: break;
            }
        }
    }
}

TEST_CASE("attribute discard leaves the rest of the UPDATE intact") {
    auto r = decode(upd(hex("c0 07 07 0000fde9 c00002  c0 08 04 fde80001")), ctx4());
    REQUIRE(ok(r));
    const Update& u = std::get<Update>(std::get<Message>(r));
    CHECK(!u.attrs.aggregator);
    CHECK(u.attrs.communities == std::vector<uint32_t>{0xfde80001});
    CHECK(u.nlri == std::vector<Nlri>{nl("192.0.2.0/24")});
    CHECK(u.attrs.origin == Origin::igp);
}

TEST_CASE("treat-as-withdraw keeps the NLRI and the rest of the attributes for the caller") {
    auto r = decode(upd(hex("c0 08 03 000102 80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8")),
                    ctx4());
    REQUIRE(ok(r));
    const Update& u = std::get<Update>(std::get<Message>(r));
    CHECK(u.treat_as_withdraw_attr == attr::communities);
    CHECK(u.nlri.size() == 1);
    REQUIRE(u.mp_reach);
    CHECK(u.mp_reach->nlri == std::vector<Nlri>{nl("2001:db8::/32")});
}

TEST_CASE("a repeated attribute keeps the first occurrence") {
    auto r = decode(upd(hex("40 01 01 02")), ctx4());
    REQUIRE(ok(r));
    CHECK(std::get<Update>(std::get<Message>(r)).attrs.origin == Origin::igp);
}

TEST_CASE("Bad Message Length carries the length as data") {
    auto r = decode(message(4, {0, 0}), ctx4());
    REQUIRE(!ok(r));
    CHECK(to_hex(std::get<DecodeError>(r).data) == "0015");
    auto o = decode(open_body("03 fde9 005a c0000201 00"), ctx4());
    REQUIRE(!ok(o));
    CHECK(to_hex(std::get<DecodeError>(o).data) == "0004");  // the highest version we speak
}
