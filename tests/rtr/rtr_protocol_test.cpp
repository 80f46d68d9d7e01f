// The RTR session (router side) against hand-built cache PDUs: full and
// incremental syncs, Serial Notify, Cache Reset, version downgrade, session
// changes, Error Reports both ways, malformed PDUs and PDUs cut by reads.
#include "rtr/rtr_protocol.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

using namespace moat;
using namespace moat::rtr;

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}
Bytes hdr(uint8_t version, uint8_t type, uint16_t field, uint32_t len) {
    Bytes b{version, type};
    put16(b, field);
    put32(b, len);
    return b;
}
Bytes cache_response(uint16_t session, uint8_t v = 1) { return hdr(v, 3, session, 8); }
Bytes v4(bool announce, std::array<uint8_t, 4> addr, uint8_t len, uint8_t max, uint32_t asn, uint8_t v = 1) {
    Bytes b = hdr(v, 4, 0, 20);
    b.insert(b.end(), {static_cast<uint8_t>(announce ? 1 : 0), len, max, 0});
    b.insert(b.end(), addr.begin(), addr.end());
    put32(b, asn);
    return b;
}
Bytes v6(bool announce, uint16_t first_word, uint8_t len, uint8_t max, uint32_t asn) {
    Bytes b = hdr(1, 6, 0, 32);
    b.insert(b.end(), {static_cast<uint8_t>(announce ? 1 : 0), len, max, 0});
    put16(b, first_word);
    b.insert(b.end(), 14, 0);
    put32(b, asn);
    return b;
}
Bytes eod(uint16_t session, uint32_t serial, uint8_t v = 1, uint32_t refresh = 900, uint32_t retry = 60,
          uint32_t expire = 3600) {
    Bytes b = hdr(v, 7, session, v == 0 ? 12 : 24);
    put32(b, serial);
    if (v >= 1) {
        put32(b, refresh);
        put32(b, retry);
        put32(b, expire);
    }
    return b;
}
Bytes notify(uint16_t session, uint32_t serial) {
    Bytes b = hdr(1, 0, session, 12);
    put32(b, serial);
    return b;
}
Bytes error_report(uint8_t v, uint16_t code, std::string_view text) {
    Bytes b = hdr(v, 10, code, static_cast<uint32_t>(16 + text.size()));
    put32(b, 0);
    put32(b, static_cast<uint32_t>(text.size()));
    b.insert(b.end(), text.begin(), text.end());
    return b;
}
Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
Vrp vrp(const char* prefix, uint8_t max, uint32_t asn) { return Vrp{*wire::Prefix::parse(prefix), max, asn}; }

RtrSession::Output feed(RtrSession& s, const Bytes& b) {
    RtrSession::Output out;
    s.receive(b, out);
    return out;
}

// A session after one full sync: session 7, serial 100.
RtrSession synced() {
    RtrSession s;
    RtrSession::Output out;
    s.connected(out);
    auto r = feed(s, cat({cache_response(7), v4(true, {192, 0, 2, 0}, 24, 24, 64500), eod(7, 100)}));
    REQUIRE(r.full);
    return s;
}

}  // namespace

TEST_CASE("RTR: a first connection asks for everything and gets the cache's whole set at End of Data") {
    RtrSession s;
    RtrSession::Output out;
    s.connected(out);
    CHECK(out.send == rtr_reset_query(1));
    CHECK(s.busy());

    // Records before End of Data are held back.
    auto r = feed(s, cat({cache_response(7), v4(true, {192, 0, 2, 0}, 24, 24, 64500),
                          v4(true, {198, 51, 100, 77}, 22, 24, 64501), v6(true, 0x2001, 32, 48, 64502)}));
    CHECK_FALSE(r.full);
    CHECK_FALSE(r.synced);
    CHECK(s.pending_records() == 3);
    r = feed(s, eod(7, 100));
    REQUIRE(r.full);
    REQUIRE(r.full->size() == 3);
    CHECK((*r.full)[0] == vrp("192.0.2.0/24", 24, 64500));
    CHECK((*r.full)[1] == vrp("198.51.100.0/22", 24, 64501));  // host bits cleared
    CHECK((*r.full)[2] == vrp("2001::/32", 48, 64502));
    CHECK(r.synced);
    CHECK(r.send.empty());
    CHECK_FALSE(s.busy());
    CHECK(s.session_id() == 7);
    CHECK(s.serial() == 100);
    REQUIRE(s.cache_intervals());
    CHECK(s.cache_intervals()->refresh == 900);
    CHECK(s.cache_intervals()->retry == 60);
    CHECK(s.cache_intervals()->expire == 3600);
}

TEST_CASE("RTR: refresh asks for the changes since the serial, and they come as changes") {
    RtrSession s = synced();
    RtrSession::Output out;
    s.refresh(out);
    CHECK(out.send == rtr_serial_query(1, 7, 100));
    // A second refresh while the query is out sends nothing.
    RtrSession::Output again;
    s.refresh(again);
    CHECK(again.send.empty());
    auto r = feed(s, cat({cache_response(7), v4(false, {192, 0, 2, 0}, 24, 24, 64500),
                          v4(true, {203, 0, 113, 0}, 24, 24, 64503), eod(7, 101)}));
    CHECK_FALSE(r.full);
    REQUIRE(r.changes.size() == 2);
    CHECK(r.changes[0].vrp == vrp("192.0.2.0/24", 24, 64500));
    CHECK_FALSE(r.changes[0].add);
    CHECK(r.changes[1].vrp == vrp("203.0.113.0/24", 24, 64503));
    CHECK(r.changes[1].add);
    CHECK(s.serial() == 101);

    // A new connection continues the session.
    s.disconnected();
    RtrSession::Output reconnect;
    s.connected(reconnect);
    CHECK(reconnect.send == rtr_serial_query(1, 7, 101));
}

TEST_CASE("RTR: Serial Notify starts a query when idle, and after the running one otherwise") {
    RtrSession s = synced();
    auto r = feed(s, notify(7, 100));  // nothing new
    CHECK(r.send.empty());
    r = feed(s, notify(9, 105));  // another session's notify: ignored
    CHECK(r.send.empty());
    r = feed(s, notify(7, 101));
    CHECK(r.send == rtr_serial_query(1, 7, 100));
    // Another notify during the answer: a new query right after its End of Data.
    r = feed(s, cat({cache_response(7), notify(7, 102), v4(true, {10, 0, 0, 0}, 8, 8, 64510), eod(7, 101)}));
    CHECK(r.changes.size() == 1);
    CHECK(r.send == rtr_serial_query(1, 7, 101));
}

TEST_CASE("RTR: Cache Reset is answered with a Reset Query, and the answer replaces the set") {
    RtrSession s = synced();
    RtrSession::Output out;
    s.refresh(out);
    auto r = feed(s, hdr(1, 8, 0, 8));
    CHECK(r.send == rtr_reset_query(1));
    CHECK_FALSE(r.close);
    r = feed(s, cat({cache_response(8), v4(true, {10, 0, 0, 0}, 8, 8, 64510), eod(8, 1)}));
    REQUIRE(r.full);
    CHECK(r.full->size() == 1);
    CHECK(s.session_id() == 8);
}

TEST_CASE("RTR: a version 0 cache is spoken to in version 0 on the next connection") {
    RtrSession s;
    RtrSession::Output out;
    s.connected(out);
    auto r = feed(s, error_report(0, 4, "only version 0"));
    CHECK(r.close);
    CHECK(r.reconnect_now);
    CHECK(s.version() == 0);
    CHECK(r.error.find("version 0") != std::string::npos);
    RtrSession::Output again;
    s.connected(again);
    CHECK(again.send == rtr_reset_query(0));
    r = feed(s, cat({cache_response(3, 0), v4(true, {192, 0, 2, 0}, 24, 24, 64500, 0), eod(3, 5, 0)}));
    REQUIRE(r.full);
    CHECK(r.full->size() == 1);
    CHECK_FALSE(s.cache_intervals());  // version 0 carries none
}

TEST_CASE("RTR: a refused Serial Query or a new session ID starts over with a Reset Query") {
    SECTION("Error Report to a Serial Query") {
        RtrSession s = synced();
        s.disconnected();
        RtrSession::Output out;
        s.connected(out);
        auto r = feed(s, error_report(1, 0, "Session ID mismatch"));
        CHECK(r.close);
        CHECK(r.reconnect_now);
        CHECK(r.send.empty());  // an Error Report is never answered with one
        CHECK(r.error == "the cache sent an Error Report: Corrupt Data: Session ID mismatch");
        RtrSession::Output again;
        s.connected(again);
        CHECK(again.send == rtr_reset_query(1));
        // A refused Reset Query waits for the retry interval.
        r = feed(s, error_report(1, 1, "broken"));
        CHECK(r.close);
        CHECK_FALSE(r.reconnect_now);
    }
    SECTION("Cache Response with another session ID") {
        RtrSession s = synced();
        RtrSession::Output out;
        s.refresh(out);
        auto r = feed(s, cache_response(8));
        CHECK(r.close);
        CHECK(r.reconnect_now);
        CHECK_FALSE(s.session_id());
    }
    SECTION("No Data Available") {
        RtrSession s;
        RtrSession::Output out;
        s.connected(out);
        auto r = feed(s, error_report(1, 2, ""));
        CHECK(r.close);
        CHECK(r.no_data);
        CHECK_FALSE(r.reconnect_now);
    }
}

TEST_CASE("RTR: malformed PDUs end the session with an Error Report naming the fault") {
    auto expect_report = [](const RtrSession::Output& r, RtrErrorCode code) {
        CHECK(r.close);
        REQUIRE(r.send.size() >= 8);
        CHECK(r.send[1] == 10);
        CHECK(r.send[2] * 256 + r.send[3] == static_cast<int>(code));
    };
    RtrSession::Output out;
    SECTION("prefix length above max length") {
        RtrSession s;
        s.connected(out);
        auto r = feed(s, cat({cache_response(7), v4(true, {192, 0, 2, 0}, 24, 16, 64500)}));
        expect_report(r, RtrErrorCode::corrupt_data);
        CHECK(r.error == "IPv4 record with prefix length 24 and max length 16 (Corrupt Data)");
    }
    SECTION("a record with no Cache Response") {
        RtrSession s;
        s.connected(out);
        expect_report(feed(s, v4(true, {192, 0, 2, 0}, 24, 24, 64500)), RtrErrorCode::corrupt_data);
    }
    SECTION("a length below the header") {
        RtrSession s;
        s.connected(out);
        expect_report(feed(s, hdr(1, 3, 7, 4)), RtrErrorCode::corrupt_data);
    }
    SECTION("a fixed-size PDU of the wrong size") {
        RtrSession s;
        s.connected(out);
        Bytes bad = cache_response(7);
        bad[7] = 12;
        bad.insert(bad.end(), 4, 0);
        expect_report(feed(s, bad), RtrErrorCode::corrupt_data);
    }
    SECTION("an unknown PDU type") {
        RtrSession s;
        s.connected(out);
        expect_report(feed(s, hdr(1, 99, 0, 8)), RtrErrorCode::unsupported_pdu_type);
    }
}

TEST_CASE("RTR: a version change inside a session is refused") {
    RtrSession s = synced();
    RtrSession::Output out;
    s.refresh(out);
    Bytes old = cache_response(7, 0);
    auto r = feed(s, old);
    CHECK(r.close);
    REQUIRE(r.send.size() >= 4);
    CHECK(r.send[3] == static_cast<uint8_t>(RtrErrorCode::unexpected_version));
}

TEST_CASE("RTR: PDUs cut anywhere by the reads are put together") {
    RtrSession s;
    RtrSession::Output out;
    s.connected(out);
    Bytes all = cat({cache_response(7), v4(true, {192, 0, 2, 0}, 24, 24, 64500), v6(true, 0x2001, 32, 48, 64502),
                     eod(7, 100)});
    RtrSession::Output r;
    for (uint8_t b : all) s.receive(std::span<const uint8_t>(&b, 1), r);
    REQUIRE(r.full);
    CHECK(r.full->size() == 2);
    CHECK(s.serial() == 100);
}

TEST_CASE("RTR: mutated cache streams end in a close or a valid result, never in a broken session") {
    // A valid first answer, then serial answers, notifies and resets; bytes
    // flipped, cut and repeated at random. Whatever comes, every VRP handed
    // on is well formed, and a closed session starts again cleanly.
    const Bytes valid = cat({cache_response(7), v4(true, {192, 0, 2, 0}, 24, 24, 64500),
                             v6(true, 0x2001, 32, 48, 64502), eod(7, 100), notify(7, 101), cache_response(7),
                             v4(false, {192, 0, 2, 0}, 24, 24, 64500), eod(7, 101), hdr(1, 8, 0, 8)});
    std::mt19937 rng(20261202);
    size_t closes = 0, syncs = 0;
    for (int round = 0; round < 20000; ++round) {
        Bytes b = valid;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const size_t at = rng() % b.size();
            switch (rng() % 4) {
                case 0: b[at] = static_cast<uint8_t>(rng()); break;
                case 1: b.erase(b.begin() + static_cast<ptrdiff_t>(at)); break;
                case 2: b.insert(b.begin() + static_cast<ptrdiff_t>(at), static_cast<uint8_t>(rng())); break;
                case 3: b.resize(at + 1); break;
            }
            if (b.empty()) b.push_back(0);
        }
        RtrSession s;
        RtrSession::Output out;
        s.connected(out);
        // Fed in random pieces.
        RtrSession::Output r;
        for (size_t at = 0; at < b.size() && !r.close;) {
            const size_t n = std::min(b.size() - at, size_t{1} + rng() % 64);
            s.receive(std::span<const uint8_t>(b.data() + at, n), r);
            at += n;
        }
        if (r.full)
            for (const Vrp& v : *r.full) REQUIRE(v.well_formed());
        for (const auto& c : r.changes) REQUIRE(c.vrp.well_formed());
        syncs += r.synced;
        if (r.close) {
            ++closes;
            REQUIRE_FALSE(r.error.empty());
            REQUIRE_FALSE(s.busy());
            RtrSession::Output again;
            s.connected(again);
            REQUIRE(again.send.size() >= 8);
            REQUIRE((again.send[1] == 1 || again.send[1] == 2));
        }
    }
    CHECK(closes > 1000);  // the mutations do reach the checks
    CHECK(syncs > 1000);
}
