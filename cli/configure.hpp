// Configuration mode (`configure terminal`): commands of the config and
// router_bgp nodes applied one by one to a candidate copy of the running
// configuration. Each command is checked as it is entered, by the same
// handlers as the config file; the `no` forms below exist only here. The
// candidate is applied (bgp::Control::apply_config) when the session ends.
//
// Config-mode-only commands:
//   config:      exit (leave configuration mode), end, no hostname, no router bgp
//   router_bgp:  exit (back to config), end, bgp listen, no bgp router-id,
//                no bgp listen address ADDR, no bgp listen port, no network PREFIX,
//                no neighbor ADDR [description|passive|shutdown|update-source|
//                port|timers|timers connect|timers delay-open|password|
//                ttl-security|ebgp-multihop|next-hop-address ADDR|
//                next-hop-self|route-reflector-client|default-originate],
//                no bgp always-compare-med, no bgp cluster-id; each may also
//                be given the value its running-config line shows.
// `neighbor ADDR remote-as ASN` on a neighbor that exists changes its AS.
// Routing policy: `route-map NAME permit|deny SEQ` enters the route_map node
// (config-route-map); the `no` forms of lists, route-maps, their clauses and
// `neighbor ADDR route-map NAME in|out` are refused while something still
// refers to what they remove.
#pragma once

#include "bgpd/config.hpp"
#include "cli/grammar.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace moat::cli {

class ConfigSession {
public:
    enum class Node { config, router_bgp, route_map };
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
