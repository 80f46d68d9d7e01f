// `show fib [ipv4|ipv6] [PREFIX] [json]`: the FIB's state and counters, and
// its routes with what the kernel answered for each. The renderers are pure
// functions of the counters and the routes.
#pragma once

#include "bgpd/control.hpp"
#include "cli/exec.hpp"
#include "cli/grammar.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace moat::cli {

// Routes listed at most (a full table is narrowed with a family or a prefix).
inline constexpr size_t fib_show_limit = 100000;

std::string show_fib_text(const fib::FibCounters& c, const fib::FibConfig& config,
                          const std::vector<fib::FibRoute>& routes);
std::string show_fib_json(const fib::FibCounters& c, const fib::FibConfig& config,
                          const std::vector<fib::FibRoute>& routes);

// `show bgp nexthop [json]`: every next hop the import asked about, how it
// is checked and how it resolves (with the FIB off there are none).
std::string show_nexthop_text(const std::vector<bgp::Control::NextHopView>& v, bool fib_on);
std::string show_nexthop_json(const std::vector<bgp::Control::NextHopView>& v, bool fib_on);

namespace fib_cmd {
using Time = std::chrono::system_clock::time_point;
ExecResult all(bgp::Control& c, const Args& a, Time now);
ExecResult all_json(bgp::Control& c, const Args& a, Time now);
ExecResult v4(bgp::Control& c, const Args& a, Time now);
ExecResult v4_json(bgp::Control& c, const Args& a, Time now);
ExecResult v6(bgp::Control& c, const Args& a, Time now);
ExecResult v6_json(bgp::Control& c, const Args& a, Time now);
ExecResult prefix(bgp::Control& c, const Args& a, Time now);
ExecResult prefix_json(bgp::Control& c, const Args& a, Time now);
ExecResult nexthop(bgp::Control& c, const Args& a, Time now);
ExecResult nexthop_json(bgp::Control& c, const Args& a, Time now);
}  // namespace fib_cmd

}  // namespace moat::cli
