// The command tree: which commands exist in which node. The same tables drive
// the config file loader (config_loader.cpp, rows in config_*.cpp), the
// control socket (exec.cpp) and moatctl's completion and `?` help.
//
// Nodes:
//   exec        commands sent over the control socket (show, clear, neighbor shutdown)
//   config      top level of the config file (hostname, control socket, router bgp)
//   router_bgp  inside `router bgp ASN` (bgp ..., network, neighbor ...)
//   route_map   inside `route-map NAME permit|deny SEQ` (match ..., set ...)
#pragma once

#include "cli/grammar.hpp"

#include <string_view>
#include <vector>

namespace moat::cli {

enum class Node { exec, config, router_bgp, route_map };

// A node's commands; for the configuration nodes, those of the config file
// (configuration mode adds its `no` forms: cli/configure.hpp).
const std::vector<Syntax>& node_syntax(Node n);

// Possible next words for `line` in node n, with their help (see grammar.hpp).
std::vector<Completion> complete(Node n, std::string_view line);

namespace detail {
const std::vector<Syntax>& exec_syntax();  // exec.cpp
}  // namespace detail

}  // namespace moat::cli
