// rib_bench: RIB throughput and memory on synthetic full tables (not a test).
//
// Generates 1M IPv4 + 200k IPv6 prefixes with the shared table generator
// (tests/tools/tablegen: real length mix, ~1 attribute set per 4 prefixes),
// encodes them as a feeder would, then measures each stage separately:
//   decode      every UPDATE into one reused Update, as a session does
//   import      Rib::import of every decoded UPDATE
//   decision    Rib::run_decision (best path + staging into one eBGP group)
//   pack        Rib::pack into UPDATEs, in slices of 10k routes
// then repeats the import for a second and third feeder announcing the same
// prefixes with different paths (2-3 full tables), and finally drops the
// first feeder (peer down, decision, pack). Times are CPU seconds of the
// thread; memory is the RSS growth over the RIB's lifetime, per route held.
//
// With `roles` as a fourth argument the feeders are our providers (RFC 9234
// local role customer: the OTC import step adds OTC to every UPDATE) and the
// receiver's group is a customer (OTC passed on), to show what roles cost.
//
// Usage: rib_bench [v4_count] [v6_count] [feeders] [roles]
#include "rib/defenses.hpp"
#include "rib/rib.hpp"
#include "tests/tools/tablegen.hpp"

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <malloc.h>
#include <optional>
#include <string>

using namespace moat;


namespace {

size_t rss_bytes() {
    std::ifstream f("/proc/self/statm");
    size_t pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * 4096;
}

// Times are the thread's CPU time: the build machine is shared, and wall
// time there measures the neighbours as much as the RIB.
struct Clock {
    using time_point = double;
    static double now() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
};
double secs(double d) { return d; }

struct Feed {
    bench::Stream stream;
    size_t routes = 0;
};

Feed make_feed(size_t v4, size_t v6, uint32_t feeder, const wire::SessionContext& ctx) {
    bench::TableParams p;
    p.v4 = v4;
    p.v6 = v6;
    p.seed = 7;
    p.feeder_id = feeder;
    p.overlap = true;
    p.local_as = 64600 + feeder;
    p.next_hop_v4 = 0xC0000201 + feeder;
    p.next_hop_v6 = *wire::IpAddress::parse("2001:db8::" + std::to_string(feeder + 1));
    bench::Table t = bench::generate_table(p);
    Feed f;
    f.routes = t.count_v4() + t.count_v6();
    f.stream = bench::encode_announcements(t, ctx);
    return f;
}

struct ImportTimes {
    double decode = 0, import = 0;
    size_t messages = 0;
};

ImportTimes feed_into(rib::Rib& rib, rib::PeerId peer, const Feed& f, const wire::SessionContext& ctx) {
    ImportTimes t;
    size_t off = 0;
    const wire::Buffer& b = f.stream.bytes;
    wire::UpdateDecoder updates;  // one reused Update, as a session decodes
    while (off < b.size()) {
        wire::Bytes rest(b.data() + off, b.size() - off);
        wire::Frame fr = wire::frame(rest, ctx);
        if (fr.status != wire::Frame::complete) {
            std::fprintf(stderr, "framing failed at %zu\n", off);
            std::exit(1);
        }
        auto t0 = Clock::now();
        auto err = updates.decode(rest.first(fr.length).subspan(wire::header_size), ctx);
        auto t1 = Clock::now();
        if (err) {
            std::fprintf(stderr, "decode failed at %zu\n", off);
            std::exit(1);
        }
        rib.import(peer, updates.update());
        auto t2 = Clock::now();
        t.decode += secs(t1 - t0);
        t.import += secs(t2 - t1);
        ++t.messages;
        off += fr.length;
    }
    return t;
}

struct PackResult {
    double seconds = 0;
    size_t messages = 0, bytes = 0, routes = 0;
};

PackResult pack_all(rib::Rib& rib, rib::GroupId g) {
    PackResult r;
    std::vector<rib::OutMessage> out;
    auto t0 = Clock::now();
    while (rib.has_pending(g)) {
        r.routes += rib.pack(g, out, 10000);
        r.messages += out.size();
        for (const auto& m : out) r.bytes += m.bytes.size();
        out.clear();  // the speaker would hand these to the sockets
    }
    r.seconds = secs(Clock::now() - t0);
    return r;
}

void line(const char* stage, size_t n, double s) {
    std::printf("  %-28s %9zu routes %8.3f s %12.0f routes/s\n", stage, n, s, s > 0 ? n / s : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
    size_t v4 = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
    size_t v6 = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 200000;
    int feeders = argc > 3 ? std::atoi(argv[3]) : 3;
    const bool roles = argc > 4 && std::string(argv[4]) == "roles";
    const std::optional<wire::Role> feeder_role = roles ? std::optional(wire::Role::customer) : std::nullopt;
    if (roles) std::printf("roles: feeders are providers (OTC added on import), the receiver a customer\n");

    wire::SessionContext ctx;
    ctx.four_octet_as = true;

    std::printf("generating %d feed(s) of %zu IPv4 + %zu IPv6 prefixes...\n", feeders, v4, v6);
    std::vector<Feed> feeds;
    for (int i = 0; i < feeders; ++i) feeds.push_back(make_feed(v4, v6, static_cast<uint32_t>(i), ctx));

    malloc_trim(0);  // return the generator's freed memory, so RSS growth is the RIB's
    const size_t rss0 = rss_bytes();
    rib::RibConfig rc;
    rc.local_as = 65000;
    rc.router_id = 0x0A000001;
    rib::Rib rib(rc);
    // MOAT_BENCH_DEFENSES=1: with the eBGP leak filters (martians,
    // too-specific, AS_PATH length; not bogon ASNs, as the feeders' ASNs are
    // private), to measure their cost; =2: also peer-lock protecting the
    // tier1 preset (the synthetic paths cross tier1s: most routes rejected).
    if (const char* d = std::getenv("MOAT_BENCH_DEFENSES"); d && (*d == '1' || *d == '2')) {
        auto fs = std::make_shared<rib::FilterSettings>();
        fs->bogon_asns = false;
        if (*d == '2') fs->protected_asns = rib::tier1_asns();
        rib::add_defenses(rib.import_chain(), fs, std::make_shared<rib::PeerLockCounters>());
        std::printf("with the eBGP leak filters%s\n", *d == '2' ? " and peer-lock (tier1 preset)" : "");
    }

    rib::GroupConfig gc;
    gc.ebgp = true;
    gc.local_v4 = 0xC6336401;
    gc.local_v6 = wire::IpAddress::parse("2001:db8:ffff::1");
    gc.ctx = ctx;
    if (roles) gc.role = wire::Role::provider;
    rib::GroupId group = rib.add_group(gc);
    rib::PeerId receiver = rib.add_peer(rib::PeerInfo{*wire::IpAddress::parse("198.51.100.2"), 64999, 99, false});
    rib.join_group(group, receiver);

    std::vector<rib::PeerId> peers;
    for (int i = 0; i < feeders; ++i) {
        auto addr = wire::IpAddress::parse("192.0.2." + std::to_string(i + 1));
        peers.push_back(rib.add_peer(
            rib::PeerInfo{*addr, 64600u + static_cast<uint32_t>(i), 1u + static_cast<uint32_t>(i), false, feeder_role}));
    }

    for (int i = 0; i < feeders; ++i) {
        const Feed& f = feeds[static_cast<size_t>(i)];
        std::printf("feed %d: %zu routes in %zu UPDATEs\n", i + 1, f.routes, f.stream.messages);
        ImportTimes it = feed_into(rib, peers[static_cast<size_t>(i)], f, ctx);
        line("decode (wire, for scale)", f.routes, it.decode);
        line("import", f.routes, it.import);
        auto t0 = Clock::now();
        size_t changes = rib.run_decision();
        double d = secs(Clock::now() - t0);
        line("decision + staging", f.routes, d);
        std::printf("  %-28s %9zu\n", "best-path changes", changes);
        PackResult pr = pack_all(rib, group);
        line("pack (eBGP group)", pr.routes, pr.seconds);
        std::printf("  %-28s %9zu messages, %.1f MiB, %.1f prefixes/message\n", "packed", pr.messages,
                    pr.bytes / 1048576.0, pr.messages ? static_cast<double>(pr.routes) / pr.messages : 0.0);
        line("total import..pack", f.routes, it.import + d + pr.seconds);

        auto c = rib.counters();
        size_t rss = rss_bytes() - rss0;
        std::printf("  RIB now: %zu v4 + %zu v6 prefixes, %zu routes, %zu attribute sets\n", c.v4_prefixes,
                    c.v6_prefixes, c.routes, c.attr_sets);
        std::printf("  RSS growth %.1f MiB (%.0f bytes/route held); RIB's own count %.1f MiB\n", rss / 1048576.0,
                    static_cast<double>(rss) / c.routes, rib.memory_bytes() / 1048576.0);
        malloc_trim(0);
        size_t trimmed = rss_bytes() - rss0;
        std::printf("  RSS growth after malloc_trim %.1f MiB (%.0f bytes/route held)\n", trimmed / 1048576.0,
                    static_cast<double>(trimmed) / c.routes);
    }

    std::printf("feeder 1 goes down\n");
    auto t0 = Clock::now();
    size_t removed = rib.peer_down(peers[0]);
    double down = secs(Clock::now() - t0);
    line("peer down", removed, down);
    t0 = Clock::now();
    size_t changes = rib.run_decision();
    double d = secs(Clock::now() - t0);
    line("decision + staging", removed, d);
    std::printf("  %-28s %9zu\n", "best-path changes", changes);
    PackResult pr = pack_all(rib, group);
    line("pack (eBGP group)", pr.routes, pr.seconds);
    std::printf("  %-28s %9zu messages, %.1f MiB\n", "packed", pr.messages, pr.bytes / 1048576.0);
    return 0;
}
