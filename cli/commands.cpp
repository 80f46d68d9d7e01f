// Node lookup over the command tables (see commands.hpp).
#include "cli/commands.hpp"

#include "cli/config_table.hpp"

namespace moat::cli {

const std::vector<Syntax>& node_syntax(Node n) {
    switch (n) {
    case Node::exec: return detail::exec_syntax();
    case Node::config:
    case Node::router_bgp:
    case Node::route_map: return config::grammar(n, config::Where::file).syntax;
    }
    return detail::exec_syntax();
}

std::vector<Completion> complete(Node n, std::string_view line) {
    return complete(node_syntax(n), line);
}

}  // namespace moat::cli
