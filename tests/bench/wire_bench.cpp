// Codec throughput on a synthetic full table: 1,000,000 IPv4 prefixes with a
// realistic length mix (mostly /24) and 200,000 IPv6 prefixes (mostly /48),
// grouped into attribute sets of a few hundred prefixes each and packed into
// 4096-octet UPDATEs. Prints decode and encode rates in prefixes per second,
// best of several runs; decode both into a fresh Update per message and into
// one reused Update (UpdateDecoder, as a session does).
#include "bgpd/wire/codec.hpp"

#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

using namespace moat::wire;

namespace {

struct Table {
    std::vector<Update> updates;
    Buffer stream;  // all UPDATEs back to back, as read from a socket
    size_t v4 = 0, v6 = 0;
};

uint8_t v4_length(std::mt19937& rng) {
    unsigned r = rng() % 1000;
    if (r < 600) return 24;
    if (r < 680) return 23;
    if (r < 780) return 22;
    if (r < 840) return 21;
    if (r < 890) return 20;
    if (r < 930) return 19;
    if (r < 960) return 18;
    if (r < 980) return 17;
    return 16;
}

uint8_t v6_length(std::mt19937& rng) {
    unsigned r = rng() % 1000;
    if (r < 550) return 48;
    if (r < 700) return 44;
    if (r < 850) return 40;
    if (r < 930) return 36;
    return 32;
}

PathAttributes attribute_set(std::mt19937& rng) {
    PathAttributes a;
    a.origin = rng() % 10 ? Origin::igp : Origin::incomplete;
    AsSegment s{SegmentType::as_sequence, {}};
    for (unsigned i = 0, n = 2 + rng() % 5; i < n; ++i) s.asns.push_back(1 + rng() % 400000);
    a.as_path = AsPath{{s}};
    a.next_hop = 0xc6120014;
    if (rng() % 2) a.med = rng() % 1000;
    for (unsigned i = 0, n = rng() % 6; i < n; ++i) a.communities.push_back(static_cast<uint32_t>(rng()));
    if (rng() % 4 == 0) a.large_communities.push_back({64500, static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng())});
    return a;
}

Table build(const SessionContext& ctx) {
    std::mt19937 rng(2024);
    Table t;
    auto pack = [&](bool v6, size_t total) {
        size_t made = 0;
        while (made < total) {
            PathAttributes attrs = attribute_set(rng);
            Buffer enc;
            if (!encode_attributes(attrs, ctx, enc)) std::abort();
            size_t group = std::min<size_t>(total - made, 100 + rng() % 500);
            size_t mp_overhead = v6 ? 3 + 5 + 16 + 1 + 1 : 0;  // MP_REACH header, AFI/SAFI, NH, reserved
            size_t room = max_message_size - header_size - 4 - enc.size() - mp_overhead;
            Update u;
            size_t used = 0;
            auto flush = [&] {
                if ((v6 ? u.mp_reach->nlri.size() : u.nlri.size()) == 0) return;
                t.updates.push_back(std::move(u));
                u = Update{};
                used = 0;
            };
            for (size_t i = 0; i < group; ++i) {
                Prefix p;
                p.v6 = v6;
                p.len = v6 ? v6_length(rng) : v4_length(rng);
                uint32_t r1 = rng(), r2 = rng();
                if (v6) {
                    p.addr[0] = 0x20;
                    p.addr[1] = static_cast<uint8_t>(r1);
                    p.addr[2] = static_cast<uint8_t>(r1 >> 8);
                    p.addr[3] = static_cast<uint8_t>(r1 >> 16);
                    p.addr[4] = static_cast<uint8_t>(r2);
                    p.addr[5] = static_cast<uint8_t>(r2 >> 8);
                } else {
                    for (int k = 0; k < 4; ++k) p.addr[k] = static_cast<uint8_t>(r1 >> (8 * k));
                    if (p.addr[0] == 0 || p.addr[0] >= 224) p.addr[0] = 100;
                }
                p = Prefix::make(p.address(), p.len);
                size_t need = 1 + (p.len + 7u) / 8;
                if (used + need > room) flush();
                if (u.attrs == PathAttributes{}) {
                    u.attrs = attrs;
                    if (v6) {
                        u.mp_reach = MpReach{{Afi::ipv6, Safi::unicast}, *IpAddress::parse("2001:db8::1"), {}, {}};
                    }
                }
                (v6 ? u.mp_reach->nlri : u.nlri).push_back({0, p});
                used += need;
            }
            flush();
            made += group;
        }
    };
    pack(false, 1'000'000);
    pack(true, 200'000);
    for (const auto& u : t.updates) {
        encode(u, ctx, t.stream);
        t.v4 += u.nlri.size();
        t.v6 += u.mp_reach ? u.mp_reach->nlri.size() : 0;
    }
    return t;
}

template <typename F>
double best_seconds(int runs, F f) {
    double best = 1e9;
    for (int i = 0; i < runs; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        f();
        std::chrono::duration<double> d = std::chrono::steady_clock::now() - t0;
        best = std::min(best, d.count());
    }
    return best;
}

}  // namespace

int main() {
    SessionContext ctx;
    ctx.four_octet_as = true;
    Table t = build(ctx);
    std::printf("table: %zu UPDATEs, %zu IPv4 + %zu IPv6 prefixes, %.1f MB on the wire\n", t.updates.size(), t.v4,
                t.v6, static_cast<double>(t.stream.size()) / 1e6);

    size_t decoded = 0;
    auto decode_all = [&] {
        decoded = 0;
        Bytes rest(t.stream);
        while (!rest.empty()) {
            Frame f = frame(rest, ctx);
            if (f.status != Frame::complete) std::abort();
            auto r = decode(rest.first(f.length), ctx);
            if (!ok(r)) std::abort();
            const auto& u = std::get<Update>(std::get<Message>(r));
            decoded += u.nlri.size() + (u.mp_reach ? u.mp_reach->nlri.size() : 0);
            rest = rest.subspan(f.length);
        }
    };
    double dsec = best_seconds(7, decode_all);
    if (decoded != t.v4 + t.v6) std::abort();

    // The same stream into one reused Update, as a session decodes.
    UpdateDecoder reused;
    auto decode_reused = [&] {
        decoded = 0;
        Bytes rest(t.stream);
        while (!rest.empty()) {
            Frame f = frame(rest, ctx);
            if (f.status != Frame::complete) std::abort();
            if (reused.decode(rest.first(f.length).subspan(header_size), ctx)) std::abort();
            const Update& u = reused.update();
            decoded += u.nlri.size() + (u.mp_reach ? u.mp_reach->nlri.size() : 0);
            rest = rest.subspan(f.length);
        }
    };
    double rsec = best_seconds(7, decode_reused);
    if (decoded != t.v4 + t.v6) std::abort();

    Buffer out;
    out.reserve(t.stream.size());
    auto encode_all = [&] {
        out.clear();
        for (const auto& u : t.updates) encode(u, ctx, out);
    };
    double esec = best_seconds(7, encode_all);
    if (out != t.stream) std::abort();

    // IPv4 only, the common full-table case.
    std::vector<Buffer> v4msgs;
    size_t v4count = 0;
    for (const auto& u : t.updates)
        if (!u.mp_reach) {
            v4msgs.emplace_back();
            encode(u, ctx, v4msgs.back());
            v4count += u.nlri.size();
        }
    double d4 = best_seconds(7, [&] {
        for (const auto& m : v4msgs) {
            auto r = decode_update(Bytes(m).subspan(header_size), ctx);
            if (!ok(r)) std::abort();
        }
    });

    double total = static_cast<double>(t.v4 + t.v6);
    std::printf("decode (frame + decode, IPv4 + IPv6): %.1f M prefixes/s (%.1f ms for the table)\n",
                total / dsec / 1e6, dsec * 1e3);
    std::printf("decode into a reused Update:          %.1f M prefixes/s (%.1f ms for the table)\n",
                total / rsec / 1e6, rsec * 1e3);
    std::printf("decode_update, IPv4 only:             %.1f M prefixes/s\n", static_cast<double>(v4count) / d4 / 1e6);
    std::printf("encode (IPv4 + IPv6):                 %.1f M prefixes/s (%.1f ms for the table)\n",
                total / esec / 1e6, esec * 1e3);
    return 0;
}
