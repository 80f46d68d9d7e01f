// RPKI origin validation in the daemon (RFC 6811, RFC 8481; docs/rpki.md).
//
// Rpki owns the VRP sources of `rpki cache` and `rpki file` (an rtr::RoaSet:
// their union), drives them from the event loop, and keeps the RIB's
// origin-validation state (rib/origin_validation.hpp) current: the VRP set
// in force (the "effective" set), safe start, the per-neighbor policy.
//
// Threads: rtrlib calls the notifier on its own threads; the notifier only
// posts to the loop, where RoaSet::poll() drains the queued records. Nothing
// here is touched from another thread.
//
// Life of a VRP change: a cache's sync ends (End of Data) or a file has been
// re-read; the RoaSet merges the batch into the next snapshot on its worker
// thread and delivers it with its difference; the new set is adopted unless
// the drop guard refuses it; the prefixes of the added/removed VRPs go to a
// re-validation walk at once (no waiting): Rib::reimport_covered_slice
// re-runs the import chain for the routes at or below them (RFC 8481 4) in
// slices on the loop, each followed by a decision pass that exports only the
// best paths that really changed. Changes that arrive during a walk are
// walked next, together. A restart of the sources (reload) keeps the old set
// in force until the new sources are in sync, then applies one diff.
//
// Safe start: until the first complete VRP set (every source in sync) or the
// `rpki safe-start timeout`, routes from neighbors that reject Invalid (eBGP
// by default) are held in Adj-RIB-In as rejected with reason rpki-pending:
// not in the Loc-RIB, never exported. When the set is complete (or the timer
// fires, logged as an error) every neighbor's routes are re-imported.
//
// Cache failure: the last set stays in force (rtrlib keeps it until the
// expire interval); after expiry its VRPs are withdrawn, routes become
// NotFound and the loss of sync is logged as an error and shown in
// `show rpki summary`. The drop guard refuses a complete set that is smaller
// than the one in force by more than the configured percentage.
#pragma once

#include "bgpd/config.hpp"
#include "rtr/view.hpp"
#include "rib/origin_validation.hpp"
#include "rtr/roa_source.hpp"
#include "rtr/vrp.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moat::bgp {

class Routing;

class Rpki {
public:
    Rpki(boost::asio::io_context& io, const Config& config);
    ~Rpki();
    Rpki(const Rpki&) = delete;
    Rpki& operator=(const Rpki&) = delete;

    // Keeps the routing table's origin-validation state current and has it
    // re-validate on VRP changes; null detaches (before the table goes).
    void attach(Routing* routing);

    // Neighbor policies and `bgp rpki prefer-valid` from a new configuration.
    void set_policy(const Config& config);
    // Stops the sources and starts those of `rpki` (reload with changed
    // sources); the set in force stays until the new sources are in sync.
    void restart_sources(const RpkiConfig& rpki);

    bool enabled() const { return config_.enabled(); }
    bool ready() const { return ready_; }
    const rtr::VrpIndex& index() const { return effective_; }
    rtr::RpkiView view() const;

private:
    void start_sources();
    void poll();
    void arm(rtr::Clock::time_point when);
    void on_delta(const rtr::VrpDelta& delta);
    // `known`: the difference to the set in force, when the caller has it.
    void adopt(const rtr::VrpIndex& next, const rtr::VrpDiff* known);
    void revalidate();
    void become_ready(bool timed_out);
    void push();  // the state the import step sees, to the RIB

    boost::asio::io_context& io_;
    RpkiConfig config_;
    std::unique_ptr<rtr::RoaSet> roas_;
    std::shared_ptr<bool> alive_;  // of the current sources: notifier posts check it
    boost::asio::steady_timer poll_timer_;
    rtr::Clock::time_point poll_at_ = rtr::Clock::time_point::max();
    boost::asio::steady_timer safe_start_timer_;
    rtr::VrpIndex effective_;
    bool ready_ = false;
    bool timed_out_ = false;
    bool restarting_ = false;  // new sources not yet in sync: keep the set in force
    bool was_in_sync_ = false;
    bool in_step_ = false;       // the set in force is the one the sources offered before their last batch
    bool revalidating_ = false;  // a re-validation walk runs
    // The state of each VRP source as last logged ("tcp 127.0.0.1:3323" -> "established").
    std::map<std::string, std::string> logged_states_;
    void log_source_states();
    std::string drop_guard_note_;
    std::optional<std::chrono::system_clock::time_point> last_change_, started_;
    std::vector<wire::Prefix> pending_;  // VRP prefixes changed since the walk that runs began
    uint64_t revalidations_ = 0, routes_revalidated_ = 0;
    Routing* routing_ = nullptr;
    std::map<wire::IpAddress, rib::RpkiPolicy> policies_;
    bool prefer_valid_ = false;
    std::shared_ptr<bool> life_ = std::make_shared<bool>(true);
};

}  // namespace moat::bgp
