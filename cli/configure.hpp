// Configuration mode (`configure terminal`): commands of the config,
// router_bgp and route_map nodes applied one by one to a candidate copy of
// the running configuration. Each command is checked as it is entered, by
// the same handlers as the config file; the candidate is applied
// (bgp::Control::apply_config) when the session ends.
//
// The commands are those of the config file plus, from the same table
// (cli/config_table.hpp), the `no` form of every command that can be undone:
// a line of `show running-config` is undone by typing `no` before it, bare
// or with its value (the value is not compared with the configured one),
// e.g. `no neighbor ADDR timers`, `no bgp cluster-id A.B.C.D`,
// `no neighbor ADDR` (the whole neighbor), `no router bgp`, `bgp listen`.
// `exit` leaves a node (and configuration mode from the top), `end` leaves
// configuration mode. `neighbor ADDR remote-as ASN` on a neighbor that exists
// changes its AS. Routing policy: `route-map NAME permit|deny SEQ` enters the
// route_map node (config-route-map); the `no` forms of lists, route-maps,
// their clauses and `neighbor ADDR route-map NAME in|out` are refused while
// something still refers to what they remove.
#pragma once

#include "bgpd/config.hpp"
#include "cli/commands.hpp"
#include "cli/grammar.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace moat::cli {

class ConfigSession {
public:
    using Node = cli::Node;  // config, router_bgp or route_map
    struct Result {
        bool ok = true;
        unsigned column = 0;  // of the offending word, when !ok
        std::string error;    // "% ..." when !ok
        bool leave = false;   // `end`, or `exit` from the config node: apply and leave
    };

    explicit ConfigSession(bgp::Config running);

    Result enter(std::string_view line);
    std::vector<Completion> complete(std::string_view line) const;

    Node node() const { return node_; }
    const bgp::Config& candidate() const { return candidate_; }

private:
    bgp::Config candidate_;
    Node node_ = Node::config;
    std::string rm_header_;  // "route-map NAME permit|deny SEQ" of the route_map node
};

}  // namespace moat::cli
