// A deterministic synthetic full routing table for benchmarks.
//
// generate_table() draws unique IPv4 and IPv6 prefixes with the prefix-length
// mix of today's Internet table, groups them by path attribute set (one set
// per ~4 prefixes, as in a real feed), and gives each set an AS_PATH of
// realistic length (mean ~4.5 with prepending), 4-octet origins, communities
// and large communities on a share of the sets. Everything derives from the
// seed, so two runs with the same parameters produce the same bytes.
//
// feeder_id perturbs the paths (transit hops and their number), so several
// feeders announcing the same prefixes (overlap) yield different best paths.
// Without overlap each feeder gets its own slice of one prefix stream, so the
// feeders' sets are disjoint.
//
// The encoders pack the table into UPDATE messages of at most 4096 bytes,
// prefixes of one attribute set together, the way a real speaker sends a
// table: classic NLRI for IPv4, MP_REACH_NLRI (RFC 4760) for IPv6.
#pragma once

#include "bgpd/wire/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moat::bench {

struct TableParams {
    size_t v4 = 0;               // IPv4 prefixes to generate
    size_t v6 = 0;               // IPv6 prefixes to generate
    uint64_t seed = 1;
    uint32_t feeder_id = 0;      // perturbs paths; selects the slice without overlap
    bool overlap = false;        // every feeder announces the same prefixes
    uint32_t local_as = 65001;   // the feeder's AS: first AS of every path
    uint32_t next_hop_v4 = 0;    // host order
    wire::IpAddress next_hop_v6; // global IPv6 next hop for MP_REACH
};

// Prefixes that share one attribute set.
struct RouteGroup {
    wire::PathAttributes attrs;  // NEXT_HOP set for IPv4 groups, unset for IPv6
    std::vector<wire::Prefix> prefixes;
};

struct Table {
    std::vector<RouteGroup> v4;
    std::vector<RouteGroup> v6;
    wire::IpAddress next_hop_v6;

    size_t count_v4() const;
    size_t count_v6() const;
};

Table generate_table(const TableParams& p);

// Whole UPDATE messages (headers included), back to back.
struct Stream {
    wire::Buffer bytes;
    size_t messages = 0;
};

// Announces every prefix of the table, IPv4 first, then IPv6.
Stream encode_announcements(const Table& t, const wire::SessionContext& ctx);
// End-of-RIB markers (RFC 4724) for IPv4 and IPv6 unicast.
Stream encode_end_of_rib(const wire::SessionContext& ctx);
// Withdraws every prefix of the table, packed as densely as the messages allow.
Stream encode_withdrawals(const Table& t);

// Offsets of message boundaries so that each chunk [b[i], b[i+1]) holds whole
// messages and is at most chunk_size long (unless one message is longer).
std::vector<size_t> chunk_boundaries(const wire::Buffer& stream, size_t chunk_size);

// The share of prefixes per length, for reports and tests: out[len] = count.
std::vector<size_t> length_histogram(const std::vector<RouteGroup>& groups, bool v6);

// Mean decision length (RFC 4271 9.1.2.2 a) of the AS paths, weighted by prefix.
double mean_path_length(const std::vector<RouteGroup>& groups);

}  // namespace moat::bench
