// Text and JSON renderers of the show commands. Pure functions of the
// daemon's views (bgp::PeerView, bgp::Config) and the current time, so tests
// can call them without a daemon. The JSON field names are documented in
// docs/cli.md and are part of the interface.
#pragma once

#include "bgpd/control.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace moat::cli {

using Clock = std::chrono::system_clock;

std::string state_name(bgp::State s);       // "Established", "OpenSent"...
std::string state_json_name(bgp::State s);  // "established", "open_sent"...

// "00:01:23", "2d03h04m", "05w1d02h"; "never" for a zero time point.
std::string format_uptime(Clock::time_point since, Clock::time_point now);

// With the FIB on (`fib`), a line of its counters (routes in the kernel,
// queued, refused) and a "fib" object in the JSON.
std::string show_summary_text(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now,
                              const fib::FibCounters* fib = nullptr);
std::string show_summary_json(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now,
                              const fib::FibCounters* fib = nullptr);

std::string show_neighbors_text(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now);
std::string show_neighbors_json(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now);

std::string show_version_text();

}  // namespace moat::cli
