// moat-vrpgen: deterministic VRPs for the synthetic table of moat-feeder
// (tablegen), for the ROV benchmark (tests/bench/fulltable.py --rov).
//
// For the table moat-feeder generates with the same --v4/--v6/--seed/--as
// (feeder 0), a share of the prefixes gets a VRP with the route's own origin
// AS (Valid) and about 1% a VRP naming another AS (Invalid). VRPs carry
// maxLength = prefix length; a more-specific route that a VRP of a covering
// prefix would make Invalid unintentionally gets its own matching VRP, so the
// Invalid share stays what was asked. The actual state of every route is then
// computed with moat's VrpIndex and reported.
//
// --change N writes a second set where N/2 Valid routes' VRPs name another AS
// and N/2 Invalid routes' VRPs name the right one, and reports how many
// routes change state.
//
// Output: --out JSON (rpki-client format), --bird FILE (BIRD 2 static ROA
// protocols for roa4/roa6 tables r4/r6), --out2 / --bird2 for the changed
// set; a JSON line of counts on stdout.
#include "rtr/vrp.hpp"
#include "tests/tools/tablegen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace moat;

namespace {

uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct Route {
    wire::Prefix prefix;
    uint32_t origin = 0;
};

bool write_json(const std::string& path, const std::vector<rtr::Vrp>& vrps) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    std::fputs("{\"metadata\":{\"buildtime\":\"2026-11-26T10:00:00Z\",\"generated\":1795860000},\"roas\":[\n", f);
    for (size_t i = 0; i < vrps.size(); ++i)
        std::fprintf(f, "%s{\"prefix\":\"%s\",\"maxLength\":%u,\"asn\":\"AS%u\"}\n", i ? "," : "",
                     vrps[i].prefix.to_string().c_str(), vrps[i].max_length, vrps[i].asn);
    std::fputs("]}\n", f);
    return std::fclose(f) == 0;
}

bool write_bird(const std::string& path, const std::vector<rtr::Vrp>& vrps) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    std::fputs("roa4 table r4;\nroa6 table r6;\n", f);
    for (bool v6 : {false, true}) {
        std::fprintf(f, "protocol static roas%d {\n  roa%d { table r%d; };\n", v6 ? 6 : 4, v6 ? 6 : 4, v6 ? 6 : 4);
        for (const auto& v : vrps)
            if (v.prefix.v6 == v6)
                std::fprintf(f, "  route %s max %u as %u;\n", v.prefix.to_string().c_str(), v.max_length, v.asn);
        std::fputs("}\n", f);
    }
    return std::fclose(f) == 0;
}

struct Counts {
    size_t valid[2]{}, invalid[2]{}, not_found[2]{};
};

Counts classify(const std::vector<Route>& routes, const rtr::VrpIndex& index, std::vector<rtr::Validity>* out) {
    Counts c;
    if (out) out->resize(routes.size());
    for (size_t i = 0; i < routes.size(); ++i) {
        auto v = index.validate(routes[i].prefix, routes[i].origin);
        int f = routes[i].prefix.v6 ? 1 : 0;
        if (v == rtr::Validity::valid) ++c.valid[f];
        else if (v == rtr::Validity::invalid) ++c.invalid[f];
        else ++c.not_found[f];
        if (out) (*out)[i] = v;
    }
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    bench::TableParams p;
    p.local_as = 4200001001;
    std::string out, bird, out2, bird2;
    size_t change = 0;
    unsigned valid_permille = 275, invalid_permille = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        const char* v = argv[i + 1];
        if (a == "--v4") p.v4 = std::stoull(v);
        else if (a == "--v6") p.v6 = std::stoull(v);
        else if (a == "--seed") p.seed = std::stoull(v);
        else if (a == "--as") p.local_as = static_cast<uint32_t>(std::stoul(v));
        else if (a == "--out") out = v;
        else if (a == "--bird") bird = v;
        else if (a == "--out2") out2 = v;
        else if (a == "--bird2") bird2 = v;
        else if (a == "--change") change = std::stoull(v);
        else if (a == "--valid-permille") valid_permille = static_cast<unsigned>(std::stoul(v));
        else if (a == "--invalid-permille") invalid_permille = static_cast<unsigned>(std::stoul(v));
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 64;
        }
    }
    if (out.empty()) {
        std::fputs("usage: moat-vrpgen --v4 N --v6 N --seed S --as FEEDER_AS --out FILE.json [--bird FILE]\n"
                   "                   [--change N --out2 FILE.json --bird2 FILE]\n", stderr);
        return 64;
    }
    // moat-feeder's defaults: next hops do not change prefixes or origins.
    p.next_hop_v4 = 0xc6120101;
    p.next_hop_v6 = *wire::IpAddress::parse("2001:2:0:1::1");
    const bench::Table table = bench::generate_table(p);

    std::vector<Route> routes;
    for (const auto* groups : {&table.v4, &table.v6})
        for (const auto& g : *groups) {
            const uint32_t origin = g.attrs.as_path ? g.attrs.as_path->origin_as().value_or(0) : 0;
            for (const auto& pr : g.prefixes) routes.push_back(Route{pr, origin});
        }

    // Intended state per route: 0 none, 1 valid, 2 invalid.
    std::vector<uint8_t> intent(routes.size());
    std::vector<rtr::Vrp> vrps;
    auto other_as = [](uint32_t origin) { return origin == 64999 ? 64998u : 64999u; };
    for (size_t i = 0; i < routes.size(); ++i) {
        const uint64_t h = mix(p.seed * 1000003 + i) % 1000;
        const auto& r = routes[i];
        if (h < valid_permille) {
            intent[i] = 1;
            vrps.push_back(rtr::Vrp{r.prefix, r.prefix.len, r.origin});
        } else if (h < valid_permille + invalid_permille) {
            intent[i] = 2;
            vrps.push_back(rtr::Vrp{r.prefix, r.prefix.len, other_as(r.origin)});
        }
    }
    // Routes made Invalid by a covering VRP without being meant to: their own VRP.
    {
        rtr::VrpIndex index(vrps);
        for (size_t i = 0; i < routes.size(); ++i) {
            if (intent[i] == 2) continue;
            if (index.validate(routes[i].prefix, routes[i].origin) == rtr::Validity::invalid)
                vrps.push_back(rtr::Vrp{routes[i].prefix, routes[i].prefix.len, routes[i].origin});
        }
    }
    rtr::VrpIndex index(vrps);
    std::vector<rtr::Validity> before;
    const Counts c = classify(routes, index, &before);
    if (!write_json(out, vrps) || (!bird.empty() && !write_bird(bird, vrps))) {
        std::perror("write");
        return 1;
    }
    std::string line = fmt::format(
        "{{\"routes_v4\":{},\"routes_v6\":{},\"vrps\":{},\"vrps_v4\":{},\"vrps_v6\":{},\"valid_v4\":{},\"valid_v6\":{},"
        "\"invalid_v4\":{},\"invalid_v6\":{},\"not_found_v4\":{},\"not_found_v6\":{}",
        table.count_v4(), table.count_v6(), index.size(), index.size(wire::Afi::ipv4), index.size(wire::Afi::ipv6),
        c.valid[0], c.valid[1], c.invalid[0], c.invalid[1], c.not_found[0], c.not_found[1]);

    if (change > 0 && !out2.empty()) {
        // N/2 Valid routes' exact VRPs name another AS; N/2 intended-Invalid
        // routes' VRPs name the right one. Picked by hash order, deterministic.
        std::vector<rtr::Vrp> changed = vrps;
        size_t to_invalid = 0, to_valid = 0;
        std::vector<size_t> order(routes.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](size_t a, size_t b) { return mix(p.seed + 7 * a) < mix(p.seed + 7 * b); });
        std::vector<rtr::Vrp> remove, add;
        for (size_t i : order) {
            const auto& r = routes[i];
            if (intent[i] == 1 && to_invalid < change / 2) {
                remove.push_back(rtr::Vrp{r.prefix, r.prefix.len, r.origin});
                add.push_back(rtr::Vrp{r.prefix, r.prefix.len, other_as(r.origin)});
                ++to_invalid;
            } else if (intent[i] == 2 && to_valid < change - change / 2) {
                remove.push_back(rtr::Vrp{r.prefix, r.prefix.len, other_as(r.origin)});
                add.push_back(rtr::Vrp{r.prefix, r.prefix.len, r.origin});
                ++to_valid;
            }
        }
        std::sort(remove.begin(), remove.end());
        std::erase_if(changed, [&](const rtr::Vrp& v) { return std::binary_search(remove.begin(), remove.end(), v); });
        changed.insert(changed.end(), add.begin(), add.end());
        rtr::VrpIndex index2(changed);
        std::vector<rtr::Validity> after;
        classify(routes, index2, &after);
        size_t became_invalid[2]{}, became_valid[2]{};
        for (size_t i = 0; i < routes.size(); ++i) {
            const int f = routes[i].prefix.v6 ? 1 : 0;
            if (before[i] != rtr::Validity::invalid && after[i] == rtr::Validity::invalid) ++became_invalid[f];
            if (before[i] == rtr::Validity::invalid && after[i] != rtr::Validity::invalid) ++became_valid[f];
        }
        const auto d = rtr::diff(index, index2);
        if (!write_json(out2, changed) || (!bird2.empty() && !write_bird(bird2, changed))) {
            std::perror("write");
            return 1;
        }
        line += fmt::format(",\"changed_vrps\":{},\"became_invalid_v4\":{},\"became_invalid_v6\":{},"
                            "\"became_valid_v4\":{},\"became_valid_v6\":{}",
                            d.size(), became_invalid[0], became_invalid[1], became_valid[0], became_valid[1]);
    }
    std::printf("%s}\n", line.c_str());
    return 0;
}
