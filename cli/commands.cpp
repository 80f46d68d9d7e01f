// Node lookup over the command tables (see commands.hpp).
#include "cli/commands.hpp"

namespace moat::cli {

const std::vector<Syntax>& node_syntax(Node n) {
    switch (n) {
    case Node::exec: return detail::exec_syntax();
    case Node::config: return detail::config_syntax(false);
    case Node::router_bgp: return detail::config_syntax(true);
    case Node::route_map: return detail::route_map_syntax();
    }
    return detail::exec_syntax();
}

std::vector<Completion> complete(Node n, std::string_view line) {
    return complete(node_syntax(n), line);
}

}  // namespace moat::cli
