// Renderers of the route-leak defense views: `show bgp rejected` (and a
// neighbor's rejected-routes) and `show bgp peer-lock`, text and JSON. Pure
// functions of bgp::RejectedList / bgp::PeerLockView; fields in docs/cli.md.
#pragma once

#include "bgpd/control.hpp"

#include <string>

namespace moat::cli {

std::string show_rejected_text(const bgp::RejectedList& l);
std::string show_rejected_json(const bgp::RejectedList& l);
std::string show_peer_lock_text(const bgp::PeerLockView& v);
std::string show_peer_lock_json(const bgp::PeerLockView& v);

}  // namespace moat::cli
