// The synthetic table: deterministic, unique, realistic in shape, and its
// UPDATE stream decodes back to exactly the table.
#include <catch2/catch.hpp>

#include "tests/tools/tablegen.hpp"
#include "tests/tools/update_scan.hpp"

#include <algorithm>
#include <random>
#include <set>

using namespace moat;
using namespace moat::bench;

namespace {

TableParams params(uint32_t feeder = 0, bool overlap = false) {
    TableParams p;
    p.v4 = 20000;
    p.v6 = 5000;
    p.seed = 7;
    p.feeder_id = feeder;
    p.overlap = overlap;
    p.local_as = 4200001001;
    p.next_hop_v4 = 0xc6120101;  // 198.18.1.1
    p.next_hop_v6 = *wire::IpAddress::parse("2001:2:0:1::1");
    return p;
}

wire::SessionContext ctx4() {
    wire::SessionContext c;
    c.four_octet_as = true;
    return c;
}

std::set<wire::Prefix> prefixes(const std::vector<RouteGroup>& groups) {
    std::set<wire::Prefix> s;
    for (const auto& g : groups) s.insert(g.prefixes.begin(), g.prefixes.end());
    return s;
}

double share(const std::vector<size_t>& h, size_t lo, size_t hi) {
    size_t total = 0, in = 0;
    for (size_t i = 0; i < h.size(); ++i) {
        total += h[i];
        if (i >= lo && i <= hi) in += h[i];
    }
    return static_cast<double>(in) / static_cast<double>(total);
}

struct Decoded {
    std::vector<wire::Prefix> announced, withdrawn;
    std::vector<wire::AfiSafi> end_of_rib;
    size_t messages = 0;
    size_t largest = 0;
};

Decoded decode_stream(const wire::Buffer& b) {
    Decoded d;
    auto ctx = ctx4();
    size_t pos = 0;
    while (pos < b.size()) {
        wire::Bytes rest(b.data() + pos, b.size() - pos);
        auto f = wire::frame(rest, ctx);
        REQUIRE(f.status == wire::Frame::complete);
        auto m = wire::decode(rest.first(f.length), ctx);
        REQUIRE(wire::ok(m));
        const auto& u = std::get<wire::Update>(std::get<wire::Message>(m));
        REQUIRE_FALSE(u.treat_as_withdraw_attr);
        if (auto eor = u.end_of_rib()) d.end_of_rib.push_back(*eor);
        for (const auto& n : u.nlri) d.announced.push_back(n.prefix);
        if (u.mp_reach)
            for (const auto& n : u.mp_reach->nlri) d.announced.push_back(n.prefix);
        for (const auto& n : u.withdrawn) d.withdrawn.push_back(n.prefix);
        if (u.mp_unreach)
            for (const auto& n : u.mp_unreach->withdrawn) d.withdrawn.push_back(n.prefix);
        if (!u.nlri.empty()) CHECK(u.attrs.next_hop == 0xc6120101u);
        if (u.mp_reach && !u.mp_reach->nlri.empty()) CHECK(u.mp_reach->next_hop.to_string() == "2001:2:0:1::1");
        d.largest = std::max(d.largest, f.length);
        ++d.messages;
        pos += f.length;
    }
    return d;
}

}  // namespace

TEST_CASE("the same parameters give the same table byte for byte") {
    auto a = encode_announcements(generate_table(params()), ctx4());
    auto b = encode_announcements(generate_table(params()), ctx4());
    CHECK(a.bytes == b.bytes);
    auto other = params();
    other.seed = 8;
    CHECK(encode_announcements(generate_table(other), ctx4()).bytes != a.bytes);
}

TEST_CASE("prefixes are unique - exactly as many as asked - outside reserved space") {
    Table t = generate_table(params());
    CHECK(t.count_v4() == 20000);
    CHECK(t.count_v6() == 5000);
    auto v4 = prefixes(t.v4);
    auto v6 = prefixes(t.v6);
    CHECK(v4.size() == 20000);
    CHECK(v6.size() == 5000);
    for (const auto& p : v4) {
        REQUIRE_FALSE(p.v6);
        REQUIRE(p.addr[0] != 10);
        REQUIRE(p.addr[0] != 127);
        REQUIRE(p.addr[0] < 224);
        REQUIRE_FALSE((p.addr[0] == 198 && (p.addr[1] & 0xfe) == 18));  // next-hop range
        REQUIRE(p == wire::Prefix::make(p.address(), p.len));              // host bits clear
    }
    for (const auto& p : v6) {
        REQUIRE(p.v6);
        REQUIRE((p.addr[0] & 0xe0) == 0x20);  // 2000::/3
        REQUIRE_FALSE((p.addr[0] == 0x20 && p.addr[1] == 0x01 && p.addr[2] == 0x0d && p.addr[3] == 0xb8));
        REQUIRE(p == wire::Prefix::make(p.address(), p.len));
    }
}

TEST_CASE("prefix lengths follow the Internet table") {
    Table t = generate_table(params());
    auto h4 = length_histogram(t.v4, false);
    CHECK(share(h4, 24, 24) == Approx(0.62).margin(0.04));
    CHECK(share(h4, 22, 23) == Approx(0.22).margin(0.03));
    CHECK(share(h4, 16, 21) == Approx(0.148).margin(0.03));
    CHECK(share(h4, 25, 32) < 0.01);
    auto h6 = length_histogram(t.v6, true);
    CHECK(share(h6, 48, 48) == Approx(0.45).margin(0.04));
    CHECK(share(h6, 32, 32) == Approx(0.15).margin(0.03));
    CHECK(share(h6, 29, 47) > 0.4);
}

TEST_CASE("paths and attribute sets look like a real feed") {
    Table t = generate_table(params());
    double mean = mean_path_length(t.v4);
    CHECK(mean > 4.0);
    CHECK(mean < 5.0);
    double per_set = static_cast<double>(t.count_v4()) / static_cast<double>(t.v4.size());
    CHECK(per_set >= 3.0);
    CHECK(per_set <= 5.0);
    size_t four_octet_origin = 0, with_communities = 0, with_large = 0, prepended = 0;
    for (const auto& g : t.v4) {
        const auto& asns = g.attrs.as_path->segments.at(0).asns;
        REQUIRE(asns.front() == 4200001001u);
        if (*g.attrs.as_path->origin_as() > 0xffff) ++four_octet_origin;
        if (!g.attrs.communities.empty()) ++with_communities;
        if (!g.attrs.large_communities.empty()) ++with_large;
        if (asns.size() >= 2 && asns[asns.size() - 1] == asns[asns.size() - 2]) ++prepended;
    }
    auto frac = [&](size_t n) { return static_cast<double>(n) / static_cast<double>(t.v4.size()); };
    CHECK(frac(four_octet_origin) == Approx(0.35).margin(0.06));
    CHECK(frac(with_communities) == Approx(0.55).margin(0.05));
    CHECK(frac(with_large) == Approx(0.12).margin(0.03));
    CHECK(frac(prepended) == Approx(0.15).margin(0.04));
}

TEST_CASE("feeders with overlap share prefixes but not paths - without overlap they are disjoint") {
    Table a = generate_table(params(0, true));
    Table b = generate_table(params(1, true));
    CHECK(prefixes(a.v4) == prefixes(b.v4));
    CHECK(prefixes(a.v6) == prefixes(b.v6));
    REQUIRE(a.v4.size() == b.v4.size());
    size_t shorter = 0, longer = 0;
    for (size_t i = 0; i < a.v4.size(); ++i) {
        REQUIRE(a.v4[i].prefixes == b.v4[i].prefixes);
        auto la = a.v4[i].attrs.as_path->decision_length();
        auto lb = b.v4[i].attrs.as_path->decision_length();
        shorter += lb < la;
        longer += lb > la;
    }
    // Both feeders win a good share of the decisions on path length.
    CHECK(shorter > a.v4.size() / 5);
    CHECK(longer > a.v4.size() / 5);

    Table c = generate_table(params(1, false));
    auto pa = prefixes(a.v4), pc = prefixes(c.v4);
    std::vector<wire::Prefix> common;
    std::set_intersection(pa.begin(), pa.end(), pc.begin(), pc.end(), std::back_inserter(common));
    CHECK(common.empty());
    CHECK(pc.size() == 20000);
}

TEST_CASE("the UPDATE stream decodes back to the table, packed into 4096-byte messages") {
    Table t = generate_table(params());
    auto s = encode_announcements(t, ctx4());
    auto d = decode_stream(s.bytes);
    CHECK(d.messages == s.messages);
    CHECK(d.largest <= 4096);
    CHECK(d.largest > 3500);  // groups of many prefixes fill their messages
    auto want4 = prefixes(t.v4), want6 = prefixes(t.v6);
    std::set<wire::Prefix> got(d.announced.begin(), d.announced.end());
    CHECK(d.announced.size() == 25000);
    CHECK(got.size() == 25000);
    for (const auto& p : want4) REQUIRE(got.count(p));
    for (const auto& p : want6) REQUIRE(got.count(p));
    // Fewer messages than attribute sets would be impossible; far fewer than prefixes.
    CHECK(s.messages >= t.v4.size() + t.v6.size());
    CHECK(s.messages < 25000 / 2);

    auto w = encode_withdrawals(t);
    auto dw = decode_stream(w.bytes);
    CHECK(dw.announced.empty());
    CHECK(dw.withdrawn.size() == 25000);
    CHECK(std::set<wire::Prefix>(dw.withdrawn.begin(), dw.withdrawn.end()).size() == 25000);
    CHECK(dw.largest <= 4096);
    CHECK(w.messages < 25000 / 500);  // densely packed

    auto eor = decode_stream(encode_end_of_rib(ctx4()).bytes);
    REQUIRE(eor.end_of_rib.size() == 2);
    CHECK(eor.end_of_rib[0].afi == wire::Afi::ipv4);
    CHECK(eor.end_of_rib[1].afi == wire::Afi::ipv6);
}

TEST_CASE("a 2-octet session gets AS4_PATH and still decodes to the same paths") {
    Table t = generate_table(params());
    wire::SessionContext two;
    auto s = encode_announcements(t, two);
    size_t pos = 0, checked = 0;
    while (pos < s.bytes.size() && checked < 200) {
        wire::Bytes rest(s.bytes.data() + pos, s.bytes.size() - pos);
        auto f = wire::frame(rest, two);
        REQUIRE(f.status == wire::Frame::complete);
        auto m = wire::decode(rest.first(f.length), two);
        REQUIRE(wire::ok(m));
        CHECK(std::get<wire::Update>(std::get<wire::Message>(m)).attrs.as_path->segments.at(0).asns.front() ==
              4200001001u);
        pos += f.length;
        ++checked;
    }
}

TEST_CASE("chunks hold whole messages and cover the stream") {
    Table t = generate_table(params());
    auto s = encode_announcements(t, ctx4());
    auto b = chunk_boundaries(s.bytes, 64 * 1024);
    REQUIRE(b.front() == 0);
    REQUIRE(b.back() == s.bytes.size());
    for (size_t i = 0; i + 1 < b.size(); ++i) {
        CHECK(b[i + 1] - b[i] <= 64 * 1024);
        CHECK(s.bytes[b[i]] == 0xff);  // a header starts every chunk
    }
    CHECK(b.size() > 2);
}

TEST_CASE("the receiver's UPDATE walk finds exactly what the codec decodes") {
    Table t = generate_table(params());
    auto ctx = ctx4();
    for (const auto& stream : {encode_announcements(t, ctx), encode_withdrawals(t), encode_end_of_rib(ctx)}) {
        size_t pos = 0;
        ScanResult scan;
        while (pos < stream.bytes.size()) {
            wire::Bytes rest(stream.bytes.data() + pos, stream.bytes.size() - pos);
            auto f = wire::frame(rest, ctx);
            REQUIRE(f.status == wire::Frame::complete);
            auto body = rest.first(f.length).subspan(wire::header_size);
            auto r = wire::decode_update(body, ctx);
            REQUIRE(wire::ok(r));
            const auto& u = std::get<wire::Update>(r);
            std::vector<PrefixKey> ann, wd;
            for (const auto& n : u.nlri) ann.push_back(PrefixKey::of(n.prefix));
            if (u.mp_reach)
                for (const auto& n : u.mp_reach->nlri) ann.push_back(PrefixKey::of(n.prefix));
            for (const auto& n : u.withdrawn) wd.push_back(PrefixKey::of(n.prefix));
            if (u.mp_unreach)
                for (const auto& n : u.mp_unreach->withdrawn) wd.push_back(PrefixKey::of(n.prefix));
            REQUIRE(scan_update(body, ctx, scan));
            REQUIRE(scan.announced == ann);
            REQUIRE(scan.withdrawn == wd);
            CHECK(scan.has_origin == ann.size() > 0);
            pos += f.length;
        }
    }
    // Broken framing is refused, not read past the end.
    const uint8_t overrun[] = {0x00, 0x05, 0x18, 0x0a, 0x00};
    ScanResult scan;
    CHECK_FALSE(scan_update(wire::Bytes(overrun, sizeof overrun), ctx, scan));
    const uint8_t too_long[] = {0x00, 0x00, 0x00, 0x00, 0x21, 0x0a, 0x00, 0x00, 0x00, 0x00};
    CHECK_FALSE(scan_update(wire::Bytes(too_long, sizeof too_long), ctx, scan));
}

TEST_CASE("PrefixSet agrees with std::set through inserts and erases") {
    Table t = generate_table(params());
    std::vector<PrefixKey> keys;
    for (const auto& g : t.v4)
        for (const auto& p : g.prefixes) keys.push_back(PrefixKey::of(p));
    for (const auto& g : t.v6)
        for (const auto& p : g.prefixes) keys.push_back(PrefixKey::of(p));
    PrefixSet set(100);  // grows on the way
    for (const auto& k : keys) REQUIRE(set.insert(k));
    for (const auto& k : keys) REQUIRE_FALSE(set.insert(k));
    CHECK(set.size() == keys.size());
    // Erase every other key, in a scattered order, then check membership of all.
    std::vector<size_t> even;
    for (size_t i = 0; i < keys.size(); i += 2) even.push_back(i);
    std::shuffle(even.begin(), even.end(), std::mt19937(42));
    for (size_t i : even) REQUIRE(set.erase(keys[i]));
    for (size_t i : even) REQUIRE_FALSE(set.erase(keys[i]));
    size_t present = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
        bool in = set.contains(keys[i]);
        present += in;
        if (i % 2 == 1) REQUIRE(in);
    }
    CHECK(present == set.size());
    CHECK(present == keys.size() / 2);
    for (const auto& k : keys) set.erase(k);
    CHECK(set.size() == 0);
    for (const auto& k : keys) REQUIRE_FALSE(set.contains(k));
}
