// rtr_bench: the VRP index at full-table size (about 550,000 VRPs: 470k IPv4,
// 80k IPv6, shaped like today's RPKI), measuring index build, validation
// lookups on a mix of covered and uncovered routes, snapshot diff, and
// parsing the same set as a VRP JSON file. Times are CPU times.
#include "rtr/vrp.hpp"
#include "rtr/vrp_file.hpp"

#include <chrono>
#include <ctime>
#include <fmt/format.h>
#include <random>
#include <string>
#include <vector>

using namespace moat;
using namespace moat::rtr;

namespace {

// CPU time of this process: the machine may be shared, wall time would
// count other processes' turns.
struct CpuClock {
    using time_point = double;
    static double now() {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    }
};

double seconds_since(double t) { return CpuClock::now() - t; }

wire::Prefix random_v4(std::mt19937& rng, unsigned len) {
    uint32_t a = static_cast<uint32_t>(rng());
    a = (a & 0x00ffffff) | (static_cast<uint32_t>(1 + rng() % 222) << 24);
    return wire::Prefix::make(wire::IpAddress::v4(a), static_cast<uint8_t>(len));
}

wire::Prefix random_v6(std::mt19937& rng, unsigned len) {
    wire::IpAddress a;
    a.v6 = true;
    a.bytes[0] = 0x20;
    a.bytes[1] = static_cast<uint8_t>(rng() % 16);
    for (size_t i = 2; i < 8; ++i) a.bytes[i] = static_cast<uint8_t>(rng());
    return wire::Prefix::make(a, static_cast<uint8_t>(len));
}

}  // namespace

int main() {
    std::mt19937 rng(550000);
    std::vector<Vrp> vrps;
    vrps.reserve(550000);
    // Length mix of the public VRP set: mostly /24, few short prefixes.
    auto v4_len = [&rng] {
        unsigned r = static_cast<unsigned>(rng() % 1000);
        if (r < 600) return 24u;
        if (r < 750) return 22u + static_cast<unsigned>(rng() % 2);
        if (r < 950) return 16u + static_cast<unsigned>(rng() % 6);
        if (r < 998) return 12u + static_cast<unsigned>(rng() % 4);
        return 8u + static_cast<unsigned>(rng() % 4);
    };
    for (int i = 0; i < 470000; ++i) {
        unsigned len = v4_len();
        auto p = random_v4(rng, len);
        auto max_len = static_cast<uint8_t>(rng() % 3 == 0 ? std::min<unsigned>(24u, len + static_cast<unsigned>(rng() % 8)) : len);
        vrps.push_back(Vrp{p, max_len, 1 + static_cast<uint32_t>(rng() % 70000)});
    }
    const unsigned v6_lens[] = {48, 48, 48, 44, 40, 36, 32, 32, 29, 28};
    for (int i = 0; i < 80000; ++i) {
        unsigned len = v6_lens[rng() % std::size(v6_lens)];
        vrps.push_back(Vrp{random_v6(rng, len), static_cast<uint8_t>(std::min<unsigned>(48u, len + static_cast<unsigned>(rng() % 4))),
                           1 + static_cast<uint32_t>(rng() % 70000)});
    }

    auto t = CpuClock::now();
    VrpIndex idx(vrps);
    double build = seconds_since(t);
    fmt::print("index build from unsorted input: {} VRPs ({} v4, {} v6) in {:.1f} ms\n", idx.size(), idx.size(wire::Afi::ipv4),
               idx.size(wire::Afi::ipv6), build * 1e3);

    // Routes: half are VRP prefixes or their more-specifics (covered), half random.
    std::vector<std::pair<wire::Prefix, uint32_t>> routes;
    routes.reserve(2000000);
    for (int i = 0; i < 2000000; ++i) {
        if (i % 2 == 0) {
            const Vrp& v = vrps[rng() % vrps.size()];
            unsigned extra = rng() % 3;
            auto p = wire::Prefix::make(v.prefix.address(), static_cast<uint8_t>(std::min<unsigned>(v.prefix.len + extra, v.prefix.max_len())));
            routes.emplace_back(p, rng() % 4 == 0 ? v.asn + 1 : v.asn);
        } else if (i % 10 == 1) {
            routes.emplace_back(random_v6(rng, 48), 1 + static_cast<uint32_t>(rng() % 70000));
        } else {
            routes.emplace_back(random_v4(rng, 24), 1 + static_cast<uint32_t>(rng() % 70000));
        }
    }
    size_t counts[3] = {0, 0, 0};
    t = CpuClock::now();
    for (const auto& [p, asn] : routes) ++counts[static_cast<int>(idx.validate(p, asn))];
    double look = seconds_since(t);
    fmt::print("validate: {} lookups in {:.1f} ms = {:.2f} M lookups/s (not-found {}, valid {}, invalid {})\n",
               routes.size(), look * 1e3, routes.size() / look / 1e6, counts[0], counts[1], counts[2]);

    t = CpuClock::now();
    size_t covering = 0;
    for (size_t i = 0; i < 200000; ++i) covering += idx.explain(routes[i].first, routes[i].second).covering.size();
    double expl = seconds_since(t);
    fmt::print("explain: 200000 in {:.1f} ms = {:.2f} M/s ({} covering VRPs)\n", expl * 1e3, 0.2 / expl, covering);

    // A typical RTR delta: 1,000 VRPs replaced.
    std::vector<Vrp> next(vrps.begin() + 1000, vrps.end());
    for (int i = 0; i < 1000; ++i) next.push_back(Vrp{random_v4(rng, 24), 24, 64500});
    // Sources keep their sets sorted (RoaSet merges them), so rebuilds get sorted input.
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    t = CpuClock::now();
    VrpIndex idx2(next);
    VrpDiff d = diff(idx, idx2);
    double snap = seconds_since(t);
    fmt::print("snapshot rebuild (sorted input) + diff: {} added, {} removed in {:.1f} ms\n", d.added.size(), d.removed.size(),
               snap * 1e3);
    // The same change as one batch merged into the snapshot (what the daemon does).
    std::vector<VrpChange> batch;
    for (const auto& v : d.added) batch.push_back(VrpChange{v, 0, true});
    for (const auto& v : d.removed) batch.push_back(VrpChange{v, 0, false});
    t = CpuClock::now();
    VrpDiff d2;
    VrpIndex idx3 = idx.apply(batch, &d2);
    double merged = seconds_since(t);
    fmt::print("batch merge: {} added, {} removed in {:.1f} ms; index {:.1f} MiB ({:.1f} bytes/VRP)\n", d2.added.size(),
               d2.removed.size(), merged * 1e3, static_cast<double>(idx3.memory_bytes()) / (1 << 20),
               static_cast<double>(idx3.memory_bytes()) / static_cast<double>(idx3.size()));

    std::string json = "{\"metadata\":{\"generated\":1795000000},\"roas\":[";
    for (size_t i = 0; i < vrps.size(); ++i)
        json += fmt::format("{}{{\"prefix\":\"{}\",\"maxLength\":{},\"asn\":\"AS{}\",\"ta\":\"ripe\"}}", i ? "," : "",
                            vrps[i].prefix.to_string(), vrps[i].max_length, vrps[i].asn);
    json += "]}";
    t = CpuClock::now();
    auto r = parse_vrp_json(json);
    double parse = seconds_since(t);
    fmt::print("JSON parse: {:.1f} MB, {} ROAs in {:.1f} ms{}\n", json.size() / 1e6, r.ok() ? r.file->vrps.size() : 0,
               parse * 1e3, r.ok() ? "" : " ERROR " + r.error.to_string());
    return r.ok() ? 0 : 1;
}
