// The FIB's settings: which kernel table Moat's routes go to, how they are
// marked, which families. `fib` in the configuration turns it on.
#pragma once

#include <chrono>
#include <cstdint>

namespace moat::fib {

// Where Moat's routes go in the kernel, and how they are marked.
struct RouteTarget {
    uint32_t table = 254;    // RT_TABLE_MAIN
    uint8_t protocol = 196;  // Moat's own number: no other daemon's routes are taken for Moat's
    uint32_t metric = 20;    // RTA_PRIORITY
    bool operator==(const RouteTarget&) const = default;
};

// maximum-paths: how many equal best paths (rib/decision.hpp,
// multipath_equal) go into one kernel route, for eBGP and iBGP best paths.
struct Multipath {
    unsigned ebgp = 1, ibgp = 1;
    bool relax = false;  // bgp bestpath as-path multipath-relax: other neighbor ASes too
    bool on() const { return ebgp > 1 || ibgp > 1; }
    bool operator==(const Multipath&) const = default;
};

struct FibConfig {
    bool enabled = false;
    bool ipv4 = true, ipv6 = true;
    RouteTarget target;
    // After a start, routes of Moat's protocol number left in the table by an
    // earlier run that the RIB has not selected again by then are removed.
    std::chrono::seconds stale_time{60};
    bool operator==(const FibConfig&) const = default;
};

}  // namespace moat::fib
