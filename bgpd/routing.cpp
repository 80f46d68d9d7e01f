// See routing.hpp.
#include "bgpd/routing.hpp"

#include "bgpd/control.hpp"

#include "bgpd/log.hpp"
#include "bgpd/originate.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <unistd.h>

namespace moat::bgp {

namespace {

constexpr wire::AfiSafi v4u{wire::Afi::ipv4, wire::Safi::unicast};
constexpr wire::AfiSafi v6u{wire::Afi::ipv6, wire::Safi::unicast};

rib::RibConfig rib_config(const BgpConfig& c, uint32_t router_id) {
    rib::RibConfig r;
    r.local_as = c.asn;
    r.router_id = router_id;
    r.cluster_id = c.cluster_id;
    r.route_reflector = std::any_of(c.neighbors.begin(), c.neighbors.end(),
                                    [](const NeighborConfig& n) { return n.route_reflector_client; });
    r.decision.always_compare_med = c.always_compare_med;
    return r;
}

rib::PrefixLimit prefix_limit(const std::optional<MaxPrefixConfig>& m) {
    if (!m) return {};
    return rib::PrefixLimit{m->limit, m->count_received, m->warning_only, m->threshold};
}

}  // namespace

rib::PeerInfo neighbor_info(const NeighborConfig& cfg) {
    rib::PeerInfo info;
    info.address = cfg.address;
    info.asn = cfg.remote_as;
    info.rr_client = cfg.route_reflector_client;
    info.local_role = cfg.local_role;
    info.limit_v4 = prefix_limit(cfg.max_prefix_v4);
    info.limit_v6 = prefix_limit(cfg.max_prefix_v6);
    info.allow_default = cfg.allow_default_route;
    info.enforce_first_as = cfg.enforce_first_as;
    info.peer_lock_strict = cfg.peer_lock_strict;
    info.peer_lock_allow = cfg.peer_lock_allow;
    return info;
}

Routing::Routing(boost::asio::io_context& io, const BgpConfig& config, uint32_t router_id,
                 const PolicyConfig& policy)
    : io_(io), rib_(rib_config(config, router_id)), local_as_(config.asn), decision_timer_(io) {
    // The route-leak defenses (rib/defenses.hpp), RPKI origin validation,
    // then operator policy last in the import chain, after every check (so
    // `match rpki` sees the validation state).
    set_filters(config);
    rib::add_defenses(rib_.import_chain(), filters_, lock_counters_);
    rib_.import_chain().append(std::make_unique<rib::OriginValidationStep>(rib_.origin_validation()));
    auto step = std::make_unique<rib::RouteMapImport>(nullptr);
    policy_step_ = step.get();
    rib_.import_chain().append(std::move(step));
    set_policy(policy, config);
    // Locally originated networks: routes of the local pseudo-peer; the
    // export rules give them our AS (eBGP), LOCAL_PREF (iBGP) and next hop.
    for (const auto& p : config.networks) rib_.originate(p, rib::RouteAttrs{});
    rib_.run_decision();
}

Routing::~Routing() { *alive_ = false; }

void Routing::originate(const wire::Prefix& p) {
    rib_.originate(p, rib::RouteAttrs{});
    schedule_decision();
}

void Routing::withdraw(const wire::Prefix& p) {
    rib_.withdraw_local(p);
    schedule_decision();
}

void Routing::set_policy(const PolicyConfig& policy, const BgpConfig& config) {
    ebgp_requires_policy_ = config.ebgp_requires_policy;
    std::vector<rib::NeighborPolicy> neighbors;
    for (const auto& n : config.neighbors) neighbors.push_back(rib::NeighborPolicy{n.address, n.route_map_in, n.route_map_out});
    auto compiled = std::make_shared<const rib::Policy>(policy, neighbors, ebgp_requires_policy_);
    policy_step_->set_policy(compiled);
    rib_.import_chain().refresh();
    rib_.set_policy(std::move(compiled));
}

rib::GroupConfig Routing::with_policy(const NeighborConfig& cfg, rib::GroupConfig gc) const {
    gc.out_map = cfg.route_map_out;
    gc.export_none = gc.ebgp && cfg.route_map_out.empty() && ebgp_requires_policy_;
    return gc;
}

void Routing::export_changed(Peer& p) {
    auto it = members_.find(&p);
    if (it == members_.end()) return;
    Member& m = it->second;
    Session* s = p.established_session();
    if (!s) return;
    const rib::GroupConfig gc = with_policy(p.config(), groups_.config_of(m.id));
    std::vector<std::shared_ptr<const wire::Buffer>> first;
    if (!groups_.change_export(m.id, gc, first)) {
        // Same group, new route-map content: the group staged the differences.
        auto mates = groups_.group_mates(m.id);
        mates.push_back(m.id);
        kick(mates, nullptr);
        return;
    }
    for (auto& b : first) s->send(std::move(b), wire::MessageType::update);
    log::log_peer(p.config().address, log::Level::info, "export policy changed: moved to another update group");
    pump(p);
}

rib::PeerId Routing::peer_id(const Peer& p) const {
    auto it = members_.find(&p);
    return it == members_.end() ? rib::no_peer : it->second.id;
}

void Routing::established(Peer& p, Session& s) {
    if (members_.count(&p)) down(p);
    // Back while its old routes are still being withdrawn: they go at once,
    // so that what it is sent now never holds its own old routes.
    if (auto it = draining_.find(&p); it != draining_.end()) {
        const auto drain = it->second;
        finish_drain(&p, *drain);
    }
    const NeighborConfig& cfg = p.config();
    const Negotiated& n = *s.negotiated();
    rib::PeerInfo info = neighbor_info(cfg);
    info.router_id = s.peer_open() ? s.peer_open()->bgp_id : 0;

    rib::GroupConfig gc;
    gc.ebgp = cfg.remote_as != local_as_;
    gc.rr_clients = cfg.route_reflector_client;
    gc.next_hop_self = cfg.next_hop_self;
    if (auto nh = choose_next_hop(cfg, s.local_address(), wire::Afi::ipv4)) gc.local_v4 = nh->v4_value();
    gc.local_v6 = choose_next_hop(cfg, s.local_address(), wire::Afi::ipv6);
    gc.ctx = s.context();
    gc.ipv4 = n.ipv4_unicast;
    gc.ipv6 = n.ipv6_unicast;
    gc.role = gc.ebgp ? cfg.local_role : std::nullopt;  // RFC 9234: the OTC egress rules
    gc = with_policy(cfg, gc);
    const auto held = rib_.counters();
    for (auto [afi, on, have, routes] :
         {std::tuple{wire::Afi::ipv4, n.ipv4_unicast, gc.local_v4 != 0, held.v4_prefixes},
          std::tuple{wire::Afi::ipv6, n.ipv6_unicast, gc.local_v6.has_value(), held.v6_prefixes}}) {
        if (!on || have || !gc.ebgp || routes == 0) continue;
        log::log_peer(cfg.address, log::Level::warning,
                      "no {} next hop on this session: {} routes not announced (configure one)",
                      wire::to_string(afi), wire::to_string(afi));
    }

    Member m;
    m.id = rib_.add_peer(info);
    m.v4 = n.ipv4_unicast;
    m.v6 = n.ipv6_unicast;
    groups_.join(m.id, gc, cfg.default_originate);
    peers_[m.id] = &p;
    members_[&p] = std::move(m);
    pump(p);
}

void Routing::received(Peer& p, wire::Update& u) {
    auto it = members_.find(&p);
    if (it == members_.end()) return;
    if (u.treat_as_withdraw_attr)
        log::log_peer(p.config().address, log::Level::warning, "UPDATE treated as withdraw: {}",
                      u.treat_as_withdraw_reason ? u.treat_as_withdraw_reason : "attribute error");
    else if (!u.discarded.empty())
        log::log_peer(p.config().address, log::Level::info, "UPDATE: {} malformed attribute(s) discarded, first {} ({})",
                      u.discarded.size(), u.discarded.front().type, u.discarded.front().reason);
    rib_.import(it->second.id, u);
    if (rib_.dirty_count() > 0) schedule_decision();
    check_limits(p, it->second);
}

void Routing::set_filters(const BgpConfig& c) {
    rib::FilterSettings& f = *filters_;
    f.martians = c.reject_martians;
    f.too_specific = c.reject_too_specific;
    f.bogon_asns = c.reject_bogon_asns;
    f.max_as_path = c.maxas_limit;
    f.protected_asns = c.peer_lock_protected;
    if (c.peer_lock_tier1)
        f.protected_asns.insert(f.protected_asns.end(), rib::tier1_asns().begin(), rib::tier1_asns().end());
    std::sort(f.protected_asns.begin(), f.protected_asns.end());
    f.protected_asns.erase(std::unique(f.protected_asns.begin(), f.protected_asns.end()), f.protected_asns.end());
    rib_.set_rejected_limit(c.rejected_limit);
}

void Routing::update_peer(Peer& p) {
    auto it = members_.find(&p);
    if (it == members_.end()) return;
    rib::PeerInfo info = neighbor_info(p.config());
    info.router_id = rib_.peer(it->second.id).router_id;
    rib_.set_peer_info(it->second.id, info);
    it->second.over_limit[0] = it->second.over_limit[1] = false;
    it->second.over_threshold[0] = it->second.over_threshold[1] = false;
    soft_reset(p, true, false);
}

// Maximum-prefix (RFC 4486) after an import: the RIB decided, where it
// counted the routes (rib/limits.hpp), whether the neighbor went over a hard
// limit; then the session ends with Cease 1 and the neighbor stays down for
// its restart time or until cleared. The end is asked of the Peer, which
// carries it out once this call chain is over (it may be inside the
// session's read). A warning-only limit and the threshold are logged once
// per crossing.
void Routing::check_limits(Peer& p, Member& m) {
    if (m.limit_hit) return;
    const NeighborConfig& cfg = p.config();
    for (int i = 0; i < 2; ++i) {
        const wire::AfiSafi f = i == 0 ? v4u : v6u;
        const rib::LimitStatus st = rib_.limit_status(m.id, f.afi);
        if (!st.limited) continue;
        const auto& mp = i == 0 ? cfg.max_prefix_v4 : cfg.max_prefix_v6;
        const uint32_t limit = mp ? mp->limit : 0;
        const char* what = mp && mp->count_received ? "received" : "accepted";
        if (st.exceeded) {
            m.limit_hit = true;
            log::log_peer(cfg.address, log::Level::warning,
                          "maximum-prefix: more than {} {} {} routes: session ended (Cease / Maximum Number of "
                          "Prefixes Reached), {}",
                          limit, what, wire::to_string(f.afi),
                          mp && mp->restart_minutes
                              ? "restart in " + std::to_string(*mp->restart_minutes) + " minute(s)"
                              : std::string("down until 'clear bgp neighbor'"));
            p.request_prefix_limit_stop(f, limit, mp ? mp->restart_minutes : std::nullopt);
            return;
        }
        if (st.over && !m.over_limit[i])
            log::log_peer(cfg.address, log::Level::warning,
                          "maximum-prefix: {} {} {} routes, over the limit of {} (warning-only: kept)", st.count, what,
                          wire::to_string(f.afi), limit);
        m.over_limit[i] = st.over;
        if (st.over_threshold && !m.over_threshold[i])
            log::log_peer(cfg.address, log::Level::warning, "maximum-prefix: {} {} {} routes, {}% of the limit of {}",
                          st.count, what, wire::to_string(f.afi), limit ? st.count * 100 / limit : 0, limit);
        m.over_threshold[i] = st.over_threshold;
    }
}

void Routing::schedule_decision() {
    if (decision_posted_) return;
    decision_posted_ = true;
    auto run = [this, alive = alive_] {
        if (!*alive) return;
        decision_posted_ = false;
        last_decision_ = std::chrono::steady_clock::now();
        last_decision_dests_ = rib_.dirty_count();
        decide();
    };
    const auto due = last_decision_ + limits_.decision_interval;
    if (last_decision_dests_ < limits_.burst_dests || std::chrono::steady_clock::now() >= due) {
        boost::asio::post(io_, run);
        return;
    }
    decision_timer_.expires_at(due);
    decision_timer_.async_wait([run](const boost::system::error_code& ec) {
        if (!ec) run();
    });
}

void Routing::decide() {
    if (rib_.dirty_count() == 0) return;
    if (fib_ && fib_->running())
        rib_.run_decision(fib_.get());  // each change straight to the FIB
    else
        rib_.run_decision();
    kick(groups_.pending_members(), nullptr);
}

std::string Routing::set_fib(const fib::FibConfig& config) {
    if (fib_ && fib_->config() == config) return {};
    const bool had = fib_ != nullptr;
    fib_.reset();  // removes the old settings' routes
    next_hops_.clear();
    rib_.set_next_hop_check({});
    std::string error;
    if (config.enabled) {
        fib_ = std::make_unique<fib::Fib>(io_, rib_);
        fib_->set_multipath(multipath_);
        if (!fib_->start(config, error)) {
            log::log(log::Level::error, "FIB: not started: {}", error);
            fib_.reset();
        } else {
            log::log(log::Level::notice, "FIB: routes go to table {} with protocol {} and metric {}",
                     config.target.table, config.target.protocol, config.target.metric);
            fib_->on_kernel_change([this] { next_hops_changed(); });
            rib_.set_next_hop_check(
                [this](rib::PeerId peer, const rib::RouteAttrs& a) { return next_hop_ok(peer, a); });
        }
    }
    // Next hops are checked only with the FIB on: what was judged under the
    // other rule is judged again.
    if (had || fib_) reimport_all();
    return error;
}

void Routing::set_multipath(const fib::Multipath& m) {
    multipath_ = m;
    if (fib_) fib_->set_multipath(m);
}

bool Routing::next_hop_ok(rib::PeerId peer, const rib::RouteAttrs& a) {
    if (!fib_) return true;
    std::optional<wire::IpAddress> nh = a.mp_next_hop;
    if (!nh && a.path.next_hop) nh = wire::IpAddress::v4(*a.path.next_hop);
    if (!nh) return true;
    // Single-hop eBGP: the next hop must be on a connected network (FRR's
    // and BIRD's rule), unless the neighbor is multihop or says otherwise.
    bool connected_only = false;
    if (auto it = peers_.find(peer); it != peers_.end() && !rib_.is_ibgp(peer)) {
        const NeighborConfig& c = it->second->config();
        connected_only = !c.ebgp_multihop && !c.disable_connected_check;
    }
    const auto key = std::make_pair(*nh, connected_only);
    auto it = next_hops_.find(key);
    if (it == next_hops_.end()) it = next_hops_.emplace(key, fib_->resolve(*nh, connected_only)).first;
    return it->second.resolved;
}

void Routing::next_hops_changed() {
    if (!fib_) return;
    size_t now_up = 0, now_down = 0;
    for (auto& [key, res] : next_hops_) {
        fib::Resolution r = fib_->resolve(key.first, key.second);
        if (r.resolved != res.resolved) ++(r.resolved ? now_up : now_down);
        res = std::move(r);
    }
    if (!now_up && !now_down) return;
    log::log(log::Level::notice, "next hops: {} now reachable, {} no longer: their paths are judged again", now_up,
             now_down);
    reimport_all();
}

std::vector<Routing::NextHop> Routing::next_hops() const {
    std::vector<NextHop> out;
    for (const auto& [key, res] : next_hops_) out.push_back(NextHop{key.first, key.second, res});
    return out;
}

void Routing::kick(const std::vector<rib::PeerId>& members, const Peer* except) {
    // Members with an empty write queue get no drain event: pump them now.
    for (rib::PeerId id : members) {
        auto it = peers_.find(id);
        if (it == peers_.end() || it->second == except) continue;
        Peer* p = it->second;
        const Session* s = p->established_session();
        if (s && s->queued_bytes() == 0) pump(*p);
    }
}

void Routing::writable(Peer& p, Session&) { pump(p); }

void Routing::pump(Peer& p) {
    auto it = members_.find(&p);
    if (it == members_.end()) return;
    Session* s = p.established_session();
    if (!s) return;
    Member& m = it->second;
    bool packed = false;
    rib::UpdateGroups::Step step;
    while (s->queued_bytes() < limits_.write_high_water && s->state() == State::established) {
        if (!groups_.next(m.id, step)) break;
        for (auto& b : step.updates) s->send(std::move(b), wire::MessageType::update);
        packed = packed || step.packed;
        if (step.event == rib::UpdateGroups::Event::initial_done) finish_initial(p, *s, m);
        if (step.event == rib::UpdateGroups::Event::refresh_done)
            s->send(wire::Message(wire::RouteRefresh{step.family, wire::RouteRefresh::eorr}));
    }
    // Members that stopped because the log was full may go on.
    for (rib::PeerId w : groups_.release(m.id)) {
        boost::asio::post(io_, [this, w, alive = alive_] {
            if (!*alive) return;
            if (auto q = peers_.find(w); q != peers_.end()) pump(*q->second);
        });
    }
    if (!m.unsendable_logged && groups_.unsendable(m.id) > 0) {
        m.unsendable_logged = true;
        log::log_peer(p.config().address, log::Level::warning,
                      "routes not sent: their attributes do not fit a message; withdrawn instead (count in "
                      "'show bgp neighbors')");
    }
    if (packed) {
        auto mates = groups_.group_mates(m.id);
        if (!mates.empty())
            boost::asio::post(io_, [this, mates = std::move(mates), self = &p, alive = alive_] {
                if (*alive) kick(mates, self);
            });
    }
}

void Routing::finish_initial(Peer& p, Session& s, const Member& m) {
    if (m.v4) s.send(wire::Message(end_of_rib(v4u)));
    if (m.v6) s.send(wire::Message(end_of_rib(v6u)));
    log::log_peer(p.config().address, log::Level::info, "initial table sent: {} IPv4, {} IPv6 prefixes",
                  groups_.advertised(m.id, wire::Afi::ipv4), groups_.advertised(m.id, wire::Afi::ipv6));
}

void Routing::refresh(Peer& p, Session& s, wire::AfiSafi family) {
    auto it = members_.find(&p);
    if (it == members_.end()) return;
    Member& m = it->second;
    if ((family == v4u && !m.v4) || (family == v6u && !m.v6) || (family != v4u && family != v6u)) return;
    // RFC 7313: with enhanced route refresh the re-sent table is bracketed.
    const bool enhanced = s.negotiated()->enhanced_route_refresh;
    if (enhanced) s.send(wire::Message(wire::RouteRefresh{family, wire::RouteRefresh::borr}));
    groups_.resend(m.id, family, enhanced);
    pump(p);
}

std::string Routing::soft_reset(Peer& p, bool in, bool out) {
    auto it = members_.find(&p);
    if (it == members_.end()) return "neighbor " + p.config().address.to_string() + " is not established";
    Member& m = it->second;
    if (out) {
        for (auto f : {v4u, v6u}) {
            if ((f == v4u && !m.v4) || (f == v6u && !m.v6)) continue;
            groups_.resend(m.id, f, false);
        }
    }
    if (in && !m.reimporting) {
        m.reimporting = true;
        m.reimport = rib::Cursor{};
        reimport_step(&p);
    }
    if (out) pump(p);
    return {};
}

void Routing::revalidate(std::vector<wire::Prefix> changed, std::function<void(size_t)> done) {
    struct Walk {
        Walk(std::span<const wire::Prefix> changed, std::function<void(size_t)> f) : walk(changed), done(std::move(f)) {}
        rib::CoveredWalk walk;
        size_t routes = 0;
        std::function<void(size_t)> done;
    };
    auto w = std::make_shared<Walk>(changed, std::move(done));
    auto step = std::make_shared<std::function<void()>>();
    *step = [this, w, weak = std::weak_ptr<std::function<void()>>(step), alive = alive_] {
        if (!*alive) return;
        w->routes += rib_.reimport_covered_slice(w->walk, limits_.revalidate_work);
        schedule_decision();
        if (w->walk.done()) {
            if (w->done) w->done(w->routes);
            return;
        }
        if (auto next = weak.lock()) boost::asio::post(io_, [next] { (*next)(); });
    };
    boost::asio::post(io_, [step] { (*step)(); });
}

void Routing::reimport_all() {
    for (auto& [peer, m] : members_) {
        m.reimport = rib::Cursor{};
        if (m.reimporting) continue;  // the running walk goes on from the start
        m.reimporting = true;
        Peer* p = const_cast<Peer*>(peer);
        boost::asio::post(io_, [this, p, alive = alive_] {
            if (*alive) reimport_step(p);
        });
    }
}

void Routing::reimport_step(Peer* p) {
    auto it = members_.find(p);
    if (it == members_.end()) return;
    Member& m = it->second;
    rib_.reimport_slice(m.id, m.reimport, limits_.reimport_routes);
    schedule_decision();
    check_limits(*p, m);
    if (m.reimport.done) {
        m.reimporting = false;
        return;
    }
    boost::asio::post(io_, [this, p, alive = alive_] {
        if (*alive) reimport_step(p);
    });
}

void Routing::down(Peer& p) {
    auto it = members_.find(&p);
    if (it == members_.end()) return;
    Member m = std::move(it->second);
    members_.erase(it);
    peers_.erase(m.id);
    for (rib::PeerId w : groups_.leave(m.id)) {
        boost::asio::post(io_, [this, w, alive = alive_] {
            if (!*alive) return;
            if (auto q = peers_.find(w); q != peers_.end()) pump(*q->second);
        });
    }
    const auto& c = rib_.peer_counts(m.id);
    if (c.received_v4 + c.received_v6 > 0)
        log::log_peer(p.config().address, log::Level::info, "session down: withdrawing {} IPv4, {} IPv6 routes",
                      c.received_v4, c.received_v6);
    // The routes go in bounded slices, each followed by a decision pass; the
    // RIB peer id stays taken until the last one, so it is not reused while
    // staged exports may still name it.
    auto drain = std::make_shared<Drain>();
    drain->id = m.id;
    draining_[&p] = drain;
    down_step(&p, drain);
}

void Routing::down_step(const Peer* p, std::shared_ptr<Drain> drain) {
    if (drain->done) return;  // finished early: the neighbor came back
    rib_.peer_down_slice(drain->id, drain->cursor, limits_.down_dests);
    if (drain->cursor.done) {
        finish_drain(p, *drain);
        return;
    }
    schedule_decision();
    boost::asio::post(io_, [this, p, drain, alive = alive_] {
        if (*alive) down_step(p, drain);
    });
}

void Routing::finish_drain(const Peer* p, Drain& drain) {
    if (!drain.cursor.done) rib_.peer_down_slice(drain.id, drain.cursor, SIZE_MAX);
    rib_.remove_peer(drain.id);  // nothing left to unlink
    drain.done = true;
    auto it = draining_.find(p);
    if (it != draining_.end() && it->second.get() == &drain) draining_.erase(it);
    decide();
}

void Routing::fill(const Peer& p, PeerView& v) const {
    auto it = members_.find(&p);
    if (it == members_.end()) return;
    const Member& m = it->second;
    const auto& c = rib_.peer_counts(m.id);
    v.prefixes_received_v4 = c.received_v4;
    v.prefixes_received_v6 = c.received_v6;
    v.prefixes_accepted_v4 = c.received_v4 - c.rejected_v4;
    v.prefixes_accepted_v6 = c.received_v6 - c.rejected_v6;
    for (size_t r = 1; r < rib::reason_slots; ++r) {
        if (c.by_reason_v4[r] == 0 && c.by_reason_v6[r] == 0) continue;
        v.rejected_by_reason[std::string(rib::to_string(static_cast<rib::Reason>(r)))] = {c.by_reason_v4[r],
                                                                                         c.by_reason_v6[r]};
    }
    const auto& cfg = p.config();
    v.limit_count_v4 = cfg.max_prefix_v4 && cfg.max_prefix_v4->count_received ? c.received_v4 : v.prefixes_accepted_v4;
    v.limit_count_v6 = cfg.max_prefix_v6 && cfg.max_prefix_v6->count_received ? c.received_v6 : v.prefixes_accepted_v6;
    v.prefixes_advertised_v4 = groups_.advertised(m.id, wire::Afi::ipv4);
    v.prefixes_advertised_v6 = groups_.advertised(m.id, wire::Afi::ipv6);
    v.prefixes_unsendable = groups_.unsendable(m.id);
}

std::unique_ptr<RouteWalk> Routing::walk(const RouteQuery& q, Peer* peer, std::string& error) {
    if (q.table != RouteTable::loc_rib) {
        if (!peer) {
            error = "no such neighbor: " + q.neighbor.to_string();
            return nullptr;
        }
        if (!members_.count(peer)) {
            error = "neighbor " + q.neighbor.to_string() + " is not established";
            return nullptr;
        }
    }
    if (q.prefix && q.prefix->v6 != (q.afi == wire::Afi::ipv6)) {
        error = "prefix " + q.prefix->to_string() + " is not of the address family";
        return nullptr;
    }
    if (q.table == RouteTable::loc_rib)
        return rib::route_walk(rib_, q, [alive = alive_](rib::PeerId&, rib::GroupId&) { return *alive; });
    // The walk ends when the routing table or the neighbor's session goes.
    const rib::PeerId id = members_.at(peer).id;
    return rib::route_walk(rib_, q, [this, peer, id, alive = alive_](rib::PeerId& p, rib::GroupId& g) {
        if (!*alive) return false;
        auto it = members_.find(peer);
        if (it == members_.end() || it->second.id != id) return false;
        p = id;
        g = groups_.group_id(id);
        return true;
    });
}

RejectedList Routing::rejected(const RejectedQuery& q, std::string& error) const {
    std::vector<std::pair<wire::IpAddress, rib::PeerId>> peers;
    for (const auto& [peer, m] : members_) peers.emplace_back(peer->config().address, m.id);
    return rib::rejected_list(rib_, q, peers, error);
}

PeerLockView Routing::peer_lock(const BgpConfig& c) const {
    PeerLockView v;
    v.protected_asns = filters_->protected_asns;
    v.tier1 = c.peer_lock_tier1;
    for (const NeighborConfig& n : c.neighbors) {
        PeerLockView::Neighbor nv;
        nv.address = n.address;
        nv.asn = n.remote_as;
        nv.strict = n.peer_lock_strict;
        nv.allow = n.peer_lock_allow;
        for (const auto& [peer, m] : members_)
            if (peer->config().address == n.address) {
                const auto& cnt = rib_.peer_counts(m.id);
                const auto i = static_cast<size_t>(rib::Reason::peer_lock);
                nv.rejected_now = cnt.by_reason_v4[i] + cnt.by_reason_v6[i];
            }
        for (const auto& [key, count] : *lock_counters_)
            if (key.first == n.address) nv.by_asn.emplace_back(key.second, count);
        std::map<uint32_t, uint64_t> now;
        rib_.rejected().for_each([&](const rib::RejectedRecord& r) {
            if (r.reason != rib::Reason::peer_lock || rib_.peer(r.peer).address != n.address) return;
            if (r.detail.starts_with("AS")) now[static_cast<uint32_t>(std::strtoul(r.detail.c_str() + 2, nullptr, 10))]++;
        });
        nv.now_by_asn.assign(now.begin(), now.end());
        v.neighbors.push_back(std::move(nv));
    }
    return v;
}

MemoryView Routing::memory() const { return rib::memory_view(rib_, groups_.size()); }

}  // namespace moat::bgp
