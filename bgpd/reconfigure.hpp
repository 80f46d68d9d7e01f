// Reconfiguration without reset: what changes between two configurations,
// as a list of actions. Pure (no I/O), so it can be tested by tables; the
// speaker carries the actions out (Speaker::apply_config, reconfigure.cpp).
//
// Rules (docs/configuration.md, "Reload"):
//   - no BGP before or after, a changed ASN or router ID, or any other change
//     of global BGP settings: every session is reset (restart_all);
//   - a changed listen address set, port or `no bgp listen`: the listeners
//     are re-opened (listeners); sessions stay;
//   - a neighbor added: started; removed: Cease / Peer De-configured (3) and
//     deleted;
//   - a neighbor whose session settings changed (remote-as, port, timers,
//     password, TTL, address families, update source, passive, local-role
//     (RFC 9234: the role is a capability of the OPEN), ...): reset
//     with Cease / Other Configuration Change (6);
//   - a neighbor whose only changes are description, next hop or shutdown:
//     updated in place (shutdown -> Cease 2, no shutdown -> start; a new
//     next hop: its routes are sent again);
//   - networks added or removed: announced / withdrawn, no reset;
//   - RPKI sources or their settings changed (`rpki ...`): only the sources
//     are restarted (rpki_sources); the VRP set in force stays until the new
//     sources are in sync;
//   - a neighbor's `rpki invalid|validation` changed: soft reset in of that
//     neighbor (soft_in_neighbor), no session reset;
//   - `bgp rpki prefer-valid` changed: soft reset in of every neighbor
//     (reimport_all);
//   - routing policy (lists, route-maps, `neighbor ... route-map`): the new
//     policy is compiled (policy), then each neighbor whose import policy
//     changed (its in-map's name, or the map or a list it uses) re-runs its
//     Adj-RIB-In (import_policy, soft reset in), and each whose export policy
//     changed re-runs its Adj-RIB-Out (export_policy, soft reset out, moving
//     update group when the map's name changed). No session is reset.
//   - route-leak defenses (eBGP filters, peer-lock, rejected-route limit;
//     a neighbor's maximum-prefix, peer-lock and allow default-route):
//     applied in place and the import chain re-run over Adj-RIB-In.
#pragma once

#include "bgpd/config.hpp"

#include <string>
#include <vector>

namespace moat::bgp {

struct ReconfigureAction {
    enum class Kind {
        restart_all,      // everything is set up again
        listeners,        // re-open the listeners
        add_neighbor,
        remove_neighbor,  // Cease 3
        reset_neighbor,   // Cease 6, new settings
        update_neighbor,  // in place: description, next hop
        shutdown_neighbor,
        start_neighbor,   // no shutdown
        networks,         // announce additions, withdraw removals
        hostname,
        rpki_sources,      // restart the RPKI caches and files
        soft_in_neighbor,  // re-run the import chain over the neighbor's routes
        reimport_all,      // the same for every neighbor
        policy,           // compile the new routing policy
        import_policy,    // soft reset in
        export_policy,    // soft reset out
        import_filters,   // eBGP filters, peer-lock or the rejected-route cap: re-run import, no reset
        fib,              // the FIB restarted with its new settings (or stopped)
    };
    Kind kind = Kind::restart_all;
    wire::IpAddress neighbor;  // for the neighbor actions
    std::string detail;        // what changed, for the log ("remote-as 65002 -> 65003")
    bool operator==(const ReconfigureAction&) const = default;
};

std::string_view to_string(ReconfigureAction::Kind k);

// The actions that turn `from` into `to`, neighbors in the order of `to`
// (removals first). Empty when the configurations are equal.
std::vector<ReconfigureAction> plan_reconfigure(const Config& from, const Config& to);

}  // namespace moat::bgp
