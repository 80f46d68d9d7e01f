// See rpki.hpp.
#include "bgpd/rpki.hpp"

#include "bgpd/control.hpp"
#include "bgpd/log.hpp"
#include "bgpd/routing.hpp"
#include "rtr/rtr_client.hpp"
#include "rtr/vrp_file.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace moat::bgp {

namespace asio = boost::asio;

namespace {

rtr::CacheConfig cache_config(const RpkiCache& c) {
    rtr::CacheConfig r;
    switch (c.transport) {
    case RpkiCache::Transport::tcp: r.transport = rtr::CacheConfig::Transport::tcp; break;
    case RpkiCache::Transport::ssh: r.transport = rtr::CacheConfig::Transport::ssh; break;
    case RpkiCache::Transport::tls: r.transport = rtr::CacheConfig::Transport::tls; break;
    }
    r.host = c.host;
    r.port = c.port;
    r.preference = c.preference;
    r.ssh_user = c.ssh_user;
    r.ssh_key = c.ssh_key;
    r.ssh_host_key = c.ssh_host_key;
    r.tls_ca = c.tls_ca;
    return r;
}

std::vector<wire::Prefix> prefixes_of(const rtr::VrpDiff& d) {
    std::vector<wire::Prefix> v;
    v.reserve(d.size());
    for (const auto& x : d.added) v.push_back(x.prefix);
    for (const auto& x : d.removed) v.push_back(x.prefix);
    return v;
}

}  // namespace

Rpki::Rpki(asio::io_context& io, const Config& config)
    : io_(io), config_(config.rpki), poll_timer_(io), safe_start_timer_(io) {
    set_policy(config);
    if (!config_.enabled()) {
        ready_ = true;
        return;
    }
    started_ = std::chrono::system_clock::now();
    start_sources();
    if (config_.safe_start_timeout == 0) {
        become_ready(true);
    } else {
        safe_start_timer_.expires_after(std::chrono::seconds(config_.safe_start_timeout));
        safe_start_timer_.async_wait([this, life = life_](const boost::system::error_code& ec) {
            if (ec || !*life || ready_) return;
            become_ready(true);
        });
    }
}

Rpki::~Rpki() {
    *life_ = false;
    if (alive_) *alive_ = false;
    roas_.reset();  // stops rtrlib (joins its threads) before the timers go
}

void Rpki::set_policy(const Config& config) {
    std::map<wire::IpAddress, rib::RpkiPolicy> p;
    bool prefer = false;
    if (config.bgp) {
        prefer = config.bgp->rpki_prefer_valid;
        for (const auto& n : config.bgp->neighbors) {
            rib::RpkiPolicy x;
            x.validate = n.rpki_validation;
            x.reject_invalid = n.rpki_reject_invalid.value_or(n.remote_as != config.bgp->asn);
            p[n.address] = x;
        }
    }
    policies_ = std::move(p);
    prefer_valid_ = prefer;
    if (routing_) routing_->rib().origin_validation().set_policies(policies_, prefer_valid_);
}

void Rpki::attach(Routing* routing) {
    routing_ = routing;
    if (!routing_) return;
    routing_->rib().origin_validation().set_policies(policies_, prefer_valid_);
    push();
}

void Rpki::push() {
    if (!routing_) return;
    auto& ov = routing_->rib().origin_validation();
    ov.set_state(config_.enabled(), ready_);
    ov.set_vrps(effective_);
}

void Rpki::start_sources() {
    if (alive_) *alive_ = false;
    alive_ = std::make_shared<bool>(true);
    in_step_ = false;
    // rtrlib and the worker call this on their threads: only post to the loop.
    auto notify = [&io = io_, alive = alive_, this] {
        asio::post(io, [alive, this] {
            if (*alive) poll();
        });
    };
    roas_.reset();  // joins the old set's worker before the new one starts
    roas_ = std::make_unique<rtr::RoaSet>(notify);
    roas_->set_delta_handler([this](const rtr::VrpDelta& d) { on_delta(d); });
    if (!config_.caches.empty()) {
        rtr::RtrConfig rc;
        for (const auto& c : config_.caches) rc.caches.push_back(cache_config(c));
        rc.refresh_s = config_.refresh;
        rc.retry_s = config_.retry;
        rc.expire_s = config_.expire;
        auto caches = std::make_unique<rtr::RtrClient>(rc, notify);
        std::string err;
        if (!caches->start(err))
            log::log(log::Level::error, "RPKI: caches not started: {}", err);
        else
            log::log(log::Level::notice, "RPKI: {} cache(s) started", config_.caches.size());
        roas_->add(std::move(caches));  // the config loader allows at most max_sources in all
    }
    for (const auto& f : config_.files) {
        if (!roas_->add(std::make_unique<rtr::VrpFileSource>(f, std::chrono::seconds(1))))
            log::log(log::Level::error, "RPKI: VRP file {} not read: more than {} VRP sources", f, rtr::max_sources);
        else
            log::log(log::Level::notice, "RPKI: VRP file {}", f);
    }
    poll_at_ = rtr::Clock::time_point::max();
    asio::post(io_, [alive = alive_, this] {
        if (*alive) poll();
    });
}

void Rpki::restart_sources(const RpkiConfig& rpki) {
    const bool was_enabled = config_.enabled();
    config_ = rpki;
    if (!config_.enabled()) {
        if (alive_) *alive_ = false;
        roas_.reset();
        poll_timer_.cancel();
        log::log(log::Level::notice, "RPKI: no VRP source configured: origin validation off");
        adopt(rtr::VrpIndex(), nullptr);
        restarting_ = false;
        if (!ready_) become_ready(false);
        return;
    }
    if (!was_enabled) started_ = std::chrono::system_clock::now();
    restarting_ = true;  // the set in force stays until the new sources are in sync
    start_sources();
    push();
}

void Rpki::arm(rtr::Clock::time_point when) {
    if (when == rtr::Clock::time_point::max() || when >= poll_at_) return;
    poll_at_ = when;
    poll_timer_.expires_at(when);
    poll_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive) return;
        poll_at_ = rtr::Clock::time_point::max();
        poll();
    });
}

void Rpki::poll() {
    if (!roas_) return;
    const auto next = roas_->poll();
    log_source_states();
    // A timer already armed for later than `next` is replaced; for earlier, kept.
    if (next < poll_at_) {
        poll_timer_.cancel();
        poll_at_ = rtr::Clock::time_point::max();
    }
    arm(next);
}

// Each state change of a VRP source is logged once, with the last error when
// it is a failure: a cache that cannot be reached must show in the log, not
// only in `show rpki cache-connection`.
void Rpki::log_source_states() {
    for (const rtr::SourceStatus& s : roas_->status()) {
        const std::string name = s.type + " " + s.where;
        std::string& last = logged_states_[name];
        if (last == s.state) continue;
        const bool failed = s.state == "error" || s.state == "down" || s.state == "expired";
        // last_error starts with its time ("2026-12-02 11:29:26 UTC "): the log line has its own.
        std::string_view why = s.last_error;
        if (const auto at = why.find(" UTC "); at != std::string_view::npos) why.remove_prefix(at + 5);
        if (failed)
            log::log(log::Level::error, "RPKI: {}: {} -> {}: {}", name, last.empty() ? "start" : last, s.state,
                     why.empty() ? std::string_view("no error given") : why);
        else
            log::log(log::Level::notice, "RPKI: {}: {} -> {}", name, last.empty() ? "start" : last, s.state);
        last = s.state;
    }
}

void Rpki::on_delta(const rtr::VrpDelta& delta) {
    const bool sync = roas_->in_sync();
    if (sync != was_in_sync_) {
        const auto s = roas_->summary();
        if (sync)
            log::log(log::Level::notice, "RPKI: VRP sources in sync: {} IPv4, {} IPv6 VRPs ({:.1f} MiB)", s.v4_vrps,
                     s.v6_vrps, static_cast<double>(roas_->index().memory_bytes()) / (1 << 20));
        else if (ready_)
            log::log(log::Level::error,
                     "RPKI: VRP sources out of sync (cache down or expired): {} IPv4, {} IPv6 VRPs left; "
                     "routes they no longer cover are NotFound (show rpki cache-connection)",
                     s.v4_vrps, s.v6_vrps);
        was_in_sync_ = sync;
    }
    if (!ready_) {
        if (!sync) return;  // safe start: wait for the complete set
        effective_ = roas_->index();
        in_step_ = true;
        last_change_ = std::chrono::system_clock::now();
        become_ready(false);
        return;
    }
    if (restarting_) {
        if (!sync) return;
        restarting_ = false;
        log::log(log::Level::notice, "RPKI: new VRP sources in sync: switching to their set");
    }
    adopt(roas_->index(), in_step_ ? &delta.diff : nullptr);
}

void Rpki::adopt(const rtr::VrpIndex& next, const rtr::VrpDiff* known) {
    if (config_.drop_guard && roas_ && roas_->in_sync() && effective_.size() > 0) {
        const size_t old_n = effective_.size(), new_n = next.size();
        if (new_n * 100 < old_n * (100 - *config_.drop_guard)) {
            std::string note = "holding " + std::to_string(old_n) + " VRPs; sources offer " + std::to_string(new_n) +
                               " (drop of more than " + std::to_string(*config_.drop_guard) + "%)";
            if (note != drop_guard_note_)
                log::log(log::Level::error, "RPKI: drop guard: {}", note);
            drop_guard_note_ = std::move(note);
            in_step_ = false;
            return;
        }
    }
    if (!drop_guard_note_.empty()) {
        log::log(log::Level::notice, "RPKI: drop guard released: {} VRPs", next.size());
        drop_guard_note_.clear();
    }
    // The sources' own difference when the set in force was theirs; otherwise
    // (drop guard, new sources) one full comparison.
    rtr::VrpDiff full;
    if (!known) full = rtr::diff(effective_, next);
    const rtr::VrpDiff& d = known ? *known : full;
    effective_ = next;
    in_step_ = true;
    push();
    if (d.empty()) return;
    last_change_ = std::chrono::system_clock::now();
    log::log(log::Level::notice, "RPKI: {} VRPs added, {} removed", d.added.size(), d.removed.size());
    auto p = prefixes_of(d);
    pending_.insert(pending_.end(), p.begin(), p.end());
    revalidate();
}

void Rpki::revalidate() {
    if (revalidating_ || pending_.empty()) return;
    std::sort(pending_.begin(), pending_.end());
    pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
    std::vector<wire::Prefix> prefixes;
    prefixes.swap(pending_);
    if (!routing_ || !ready_) return;
    revalidating_ = true;
    const auto t0 = std::chrono::steady_clock::now();
    const size_t changed = prefixes.size();
    routing_->revalidate(std::move(prefixes), [this, t0, changed, life = life_](size_t n) {
        if (!*life) return;
        revalidating_ = false;
        const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ++revalidations_;
        routes_revalidated_ += n;
        log::log(log::Level::notice, "RPKI: {} VRP prefixes changed: {} routes re-validated in {:.0f} ms", changed,
                 n, ms);
        revalidate();  // what changed meanwhile
    });
}

void Rpki::become_ready(bool timed_out) {
    ready_ = true;
    timed_out_ = timed_out;
    safe_start_timer_.cancel();
    if (timed_out && config_.enabled()) {
        if (roas_) {
            effective_ = roas_->index();
            in_step_ = true;
        }
        last_change_ = std::chrono::system_clock::now();
        log::log(log::Level::error,
                 "RPKI: no complete VRP set after {} s (safe-start timeout): proceeding with {} VRPs; "
                 "routes not covered are NotFound until the sources are in sync",
                 config_.safe_start_timeout, effective_.size());
    } else if (config_.enabled()) {
        log::log(log::Level::notice, "RPKI: first complete VRP set ({} VRPs): validating held routes",
                 effective_.size());
    }
    pending_.clear();
    push();
    if (routing_) routing_->reimport_all();
}

RpkiView Rpki::view() const {
    RpkiView v;
    v.enabled = config_.enabled();
    v.ready = ready_;
    v.timed_out = timed_out_;
    v.in_sync = roas_ && roas_->in_sync();
    v.v4_vrps = effective_.size(wire::Afi::ipv4);
    v.v6_vrps = effective_.size(wire::Afi::ipv6);
    if (roas_) {
        v.offered_v4 = roas_->index().size(wire::Afi::ipv4);
        v.offered_v6 = roas_->index().size(wire::Afi::ipv6);
        v.sources = roas_->status();
    }
    v.last_change = last_change_;
    v.started = started_;
    v.safe_start_timeout = config_.safe_start_timeout;
    v.drop_guard = config_.drop_guard;
    v.drop_guard_note = drop_guard_note_;
    v.revalidations = revalidations_;
    v.routes_revalidated = routes_revalidated_;
    if (!v.enabled)
        v.state = "disabled";
    else if (!ready_)
        v.state = "waiting";
    else if (!drop_guard_note_.empty())
        v.state = "drop-guard";
    else
        v.state = v.in_sync ? "in-sync" : "out-of-sync";
    return v;
}

}  // namespace moat::bgp
