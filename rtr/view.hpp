// What `show rpki summary` and `show rpki cache-connection` read: the state
// of the VRP sources and of the set in force. Filled by the daemon's RPKI
// driver (bgpd/rpki.cpp).
#pragma once

#include "rtr/roa_source.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace moat::rtr {

struct RpkiView {
    bool enabled = false;
    bool ready = false;            // safe start over: validation in force
    bool timed_out = false;        // ready because the safe-start timeout fired
    bool in_sync = false;          // every source has a complete set now
    std::string state;             // "disabled", "waiting", "in-sync", "out-of-sync", "drop-guard"
    size_t v4_vrps = 0, v6_vrps = 0;                    // the set in force
    size_t offered_v4 = 0, offered_v6 = 0;              // the sources' union (differs while held)
    std::optional<std::chrono::system_clock::time_point> last_change;  // of the set in force
    std::optional<std::chrono::system_clock::time_point> started;
    unsigned safe_start_timeout = 0;
    std::optional<unsigned> drop_guard;
    std::string drop_guard_note;  // set while the guard holds the old set
    uint64_t revalidations = 0;   // VRP changes re-validated (walks finished)
    uint64_t routes_revalidated = 0;
    std::vector<rtr::SourceStatus> sources;
};

}  // namespace moat::rtr
