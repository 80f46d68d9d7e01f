// Route show commands (docs/cli.md): `show bgp ipv4|ipv6 unicast [PREFIX
// [longer-prefixes]] [json]`, `show bgp neighbors ADDR
// received-routes|accepted-routes|advertised-routes [json]`, `show memory
// [json]`, and `clear bgp neighbor ADDR soft [in|out]`.
//
// A route table is rendered from a bgp::RouteWalk one slice at a time as the
// server pulls the Output, so a 1M-prefix table is never rendered in one go
// and never blocks the event loop for long.
#pragma once

#include "bgpd/control.hpp"
#include "cli/exec.hpp"
#include "cli/grammar.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace moat::cli {

// The Output of a route table: the walks in order (e.g. IPv4 then IPv6),
// each as a text table or as one JSON document {"routes":[...]}.
std::unique_ptr<Output> route_output(std::vector<std::unique_ptr<bgp::RouteWalk>> walks,
                                     std::vector<bgp::RouteQuery> queries, bool json);

// One route as a text line and as a JSON object (for tests too).
std::string route_text_line(const bgp::RouteInfo& r, bool advertised);
std::string route_json(const bgp::RouteInfo& r);

std::string show_memory_text(const bgp::MemoryView& m);
std::string show_memory_json(const bgp::MemoryView& m);

namespace routes {
using Time = std::chrono::system_clock::time_point;
// Handlers for the exec table (exec.cpp).
ExecResult loc_rib_v4(bgp::Control& c, const Args& a, Time);
ExecResult loc_rib_v4_json(bgp::Control& c, const Args& a, Time);
ExecResult loc_rib_v6(bgp::Control& c, const Args& a, Time);
ExecResult loc_rib_v6_json(bgp::Control& c, const Args& a, Time);
ExecResult prefix_v4(bgp::Control& c, const Args& a, Time);
ExecResult prefix_v4_json(bgp::Control& c, const Args& a, Time);
ExecResult prefix_v6(bgp::Control& c, const Args& a, Time);
ExecResult prefix_v6_json(bgp::Control& c, const Args& a, Time);
ExecResult longer_v4(bgp::Control& c, const Args& a, Time);
ExecResult longer_v4_json(bgp::Control& c, const Args& a, Time);
ExecResult longer_v6(bgp::Control& c, const Args& a, Time);
ExecResult longer_v6_json(bgp::Control& c, const Args& a, Time);
ExecResult received(bgp::Control& c, const Args& a, Time);
ExecResult received_json(bgp::Control& c, const Args& a, Time);
ExecResult accepted(bgp::Control& c, const Args& a, Time);
ExecResult accepted_json(bgp::Control& c, const Args& a, Time);
ExecResult advertised(bgp::Control& c, const Args& a, Time);
ExecResult advertised_json(bgp::Control& c, const Args& a, Time);
ExecResult memory(bgp::Control& c, const Args& a, Time);
ExecResult memory_json(bgp::Control& c, const Args& a, Time);
ExecResult soft(bgp::Control& c, const Args& a, Time);
ExecResult soft_in(bgp::Control& c, const Args& a, Time);
ExecResult soft_out(bgp::Control& c, const Args& a, Time);
}  // namespace routes

}  // namespace moat::cli
