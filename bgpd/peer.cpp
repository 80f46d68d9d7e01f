// See peer.hpp.
#include "bgpd/peer.hpp"

#include "bgpd/log.hpp"

namespace moat::bgp {

using namespace std::chrono;

namespace {
void add(MessageCounters& to, const MessageCounters& c) {
    to.open += c.open;
    to.update += c.update;
    to.notification += c.notification;
    to.keepalive += c.keepalive;
    to.route_refresh += c.route_refresh;
}

void keep_newer(std::optional<NotificationRecord>& to, const std::optional<NotificationRecord>& n) {
    if (n && (!to || n->when >= to->when)) to = n;
}
}  // namespace

Peer::Peer(boost::asio::io_context& io, NeighborConfig cfg, LocalSettings local, RouteSource& routes,
           BackoffTiming backoff, SessionTiming timing)
    : io_(io), cfg_(std::move(cfg)), local_(local), routes_(routes), backoff_(backoff), timing_(timing),
      idle_hold_next_(backoff.initial), limit_timer_(io), limit_request_(io) {
    main_ = make_session();
}

Peer::~Peer() {
    if (routing_) routes_.down(*this);  // the routing table forgets us before we go
    if (other_) other_->abandon(std::nullopt);
    main_->abandon(std::nullopt);
}

std::shared_ptr<Session> Peer::make_session() {
    return std::make_shared<Session>(io_, cfg_, local_, *this, timing_);
}

void Peer::start() {
    if (cfg_.shutdown) {
        log::log_peer(cfg_.address, log::Level::info, "administratively down");
        return;
    }
    main_->start();
}

void Peer::accept(boost::asio::ip::tcp::socket socket) {
    auto refuse = [&](std::string_view why) {
        log::log_peer(cfg_.address, log::Level::info, "connection refused: {}", why);
        boost::system::error_code ignored;
        socket.close(ignored);
    };
    if (cfg_.shutdown) return refuse("administratively down");
    if (limit_down_) return refuse("held down by maximum-prefix");
    switch (main_->state()) {
    case State::idle:
        // While a flapping peer is held back, its connections wait too.
        if (main_->idle_hold_running() && idle_hold_next_ > backoff_.initial * 2)
            return refuse("idle hold back-off");
        main_->accept(std::move(socket));
        return;
    case State::active:
        if (!main_->connected()) {  // no connection waiting in DelayOpen
            main_->accept(std::move(socket));
            return;
        }
        [[fallthrough]];
    case State::connect:
    case State::open_sent:
    case State::open_confirm:
        if (other_) return refuse("a second connection is already being set up");
        other_ = make_session();
        other_->accept(std::move(socket));
        return;
    case State::established:
        // CollisionDetectEstablishedState is off: the new connection goes.
        return refuse("session already established");
    }
}

void Peer::shutdown(bool down, std::string message) {
    if (!down) {
        if (!cfg_.shutdown) return;
        cfg_.shutdown = false;
        cfg_.shutdown_message.clear();
        log::log_peer(cfg_.address, log::Level::notice, "administrative shutdown lifted");
        idle_hold_next_ = backoff_.initial;
        main_->start();
        return;
    }
    cfg_.shutdown = true;
    cfg_.shutdown_message = message;
    log::log_peer(cfg_.address, log::Level::notice, "administrative shutdown{}",
                  message.empty() ? std::string() : ": \"" + message + "\"");
    auto cease = wire::Notification::shutdown(wire::err::admin_shutdown, message);
    if (other_) {
        keep_newer(last_sent_, other_->last_notification_sent());
        other_->abandon(cease);
        add(sent_before_, other_->sent());
        add(received_before_, other_->received());
        other_.reset();
    }
    main_->stop(cease);
}

void Peer::clear() {
    log::log_peer(cfg_.address, log::Level::notice, "cleared by the operator");
    auto cease = wire::Notification::shutdown(wire::err::admin_reset, "");
    if (other_) {
        other_->abandon(cease);
        add(sent_before_, other_->sent());
        add(received_before_, other_->received());
        other_.reset();
    }
    main_->stop(cease);
    idle_hold_next_ = backoff_.initial;
    limit_down_ = false;
    limit_restart_at_.reset();
    limit_timer_.cancel();
    if (!cfg_.shutdown) main_->start();
}

void Peer::request_prefix_limit_stop(wire::AfiSafi family, uint32_t limit, std::optional<uint16_t> restart) {
    limit_request_.expires_after(std::chrono::seconds(0));
    limit_request_.async_wait([this, family, limit, restart](const boost::system::error_code& ec) {
        if (!ec) prefix_limit_exceeded(family, limit, restart);
    });
}

void Peer::prefix_limit_exceeded(wire::AfiSafi family, uint32_t limit, std::optional<uint16_t> restart) {
    if (limit_down_) return;
    limit_down_ = true;
    auto cease = wire::Notification::max_prefix(family, limit);
    if (other_) {
        other_->abandon(cease);
        add(sent_before_, other_->sent());
        add(received_before_, other_->received());
        other_.reset();
    }
    main_->stop(cease);
    last_error_ = "maximum-prefix limit " + std::to_string(limit) + " exceeded (" + std::string(wire::to_string(family.afi)) + ")";
    if (!restart) {
        limit_restart_at_.reset();
        return;
    }
    const auto wait = backoff_.minute * *restart;
    limit_restart_at_ = steady_clock::now() + wait;
    limit_timer_.expires_after(wait);
    limit_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !limit_down_) return;  // cancelled: cleared, or the peer is going away
        log::log_peer(cfg_.address, log::Level::notice, "maximum-prefix restart time over: starting again");
        limit_down_ = false;
        limit_restart_at_.reset();
        idle_hold_next_ = backoff_.initial;
        if (!cfg_.shutdown) main_->start();
    });
}

void Peer::stop_for_exit(const std::string& message) {
    auto cease = wire::Notification::shutdown(wire::err::admin_shutdown, message);
    if (other_) other_->abandon(cease);
    main_->stop(cease);
    main_->abandon(std::nullopt);
}

void Peer::promote_other() {
    auto old = main_;
    main_ = other_;
    other_.reset();
    add(sent_before_, old->sent());
    add(received_before_, old->received());
    keep_newer(last_sent_, old->last_notification_sent());
    keep_newer(last_received_, old->last_notification_received());
    old->abandon(std::nullopt);
}

bool Peer::on_open(Session& s, const wire::Open& theirs) {
    Session* o = &s == main_.get() ? other_.get() : main_.get();
    if (!o) return false;
    if (o->state() == State::established) {
        log::log_peer(cfg_.address, log::Level::info, "collision with the established session: new connection closed");
        return true;
    }
    if (o->state() != State::open_confirm) return false;
    // RFC 4271 6.8: keep the connection opened by the higher BGP Identifier
    // (equal identifiers, RFC 6286 2.3: by the larger AS).
    bool peer_wins = theirs.bgp_id != local_.router_id ? theirs.bgp_id > local_.router_id
                                                       : theirs.asn() > local_.asn;
    Session* keep = s.inbound() == peer_wins ? &s : o;
    log::log_peer(cfg_.address, log::Level::info, "connection collision: keeping the connection opened by {}",
                  peer_wins ? "the peer" : "us");
    if (keep == &s) {
        o->collision_dump();
        return false;
    }
    return true;
}

void Peer::on_established(Session& s) {
    if (&s == other_.get()) {
        // The peer's connection won while ours was still being set up.
        auto old = main_;
        main_ = other_;
        other_.reset();
        bool connected = old->state() == State::open_sent || old->state() == State::open_confirm;
        add(sent_before_, old->sent());
        add(received_before_, old->received());
        old->abandon(connected ? std::optional(wire::Notification{wire::err::cease, wire::err::connection_collision, {}})
                               : std::nullopt);
    }
    established_at_ = steady_clock::now();
    idle_hold_until_.reset();
    ++established_transitions_;
    const auto& n = *s.negotiated();
    log::log_peer(cfg_.address, log::Level::notice,
                  "established: hold {} s, keepalive {} s, ipv4 {}, ipv6 {}, 4-octet AS {}, extended message {}",
                  n.hold_time, n.keepalive_time, n.ipv4_unicast, n.ipv6_unicast, n.four_octet_as,
                  n.extended_message);
    routing_ = true;
    routes_.established(*this, s);
}

void Peer::on_update(Session& s, wire::Update& u) {
    if (routing_ && &s == main_.get()) routes_.received(*this, u);
}

void Peer::on_drained(Session& s) {
    if (routing_ && &s == main_.get()) routes_.writable(*this, s);
}

void Peer::on_route_refresh(Session& s, const wire::RouteRefresh& r) {
    if (r.subtype != wire::RouteRefresh::normal) return;  // BoRR / EoRR from the peer
    if (routing_ && &s == main_.get()) routes_.refresh(*this, s, r.afi_safi);
}

void Peer::on_released(Session& s, bool was_established) {
    if (!was_established || &s != main_.get() || !routing_) return;
    routing_ = false;
    routes_.down(*this);
}

std::optional<milliseconds> Peer::idle_hold(Session& s, State from) {
    if (&s != main_.get() || cfg_.shutdown) return std::nullopt;
    if (other_) return std::nullopt;  // the other connection carries on; see on_state_change
    if (from == State::established && established_at_ && steady_clock::now() - *established_at_ >= backoff_.stable)
        idle_hold_next_ = backoff_.initial;
    auto d = idle_hold_next_;
    // A TCP connection that could not be set up is not a flap: no doubling.
    if (from != State::connect && from != State::active) idle_hold_next_ = std::min(idle_hold_next_ * 2, backoff_.max);
    idle_hold_until_ = steady_clock::now() + d;
    log::log_peer(cfg_.address, log::Level::info, "restart in {} s", duration_cast<duration<double>>(d).count());
    return d;
}

void Peer::on_state_change(Session& s, State, State to) {
    if (to != State::idle) return;
    if (!s.last_error().empty()) last_error_ = s.last_error();
    keep_newer(last_sent_, s.last_notification_sent());
    keep_newer(last_received_, s.last_notification_received());
    if (&s == other_.get()) {
        auto gone = other_;
        other_.reset();
        add(sent_before_, gone->sent());
        add(received_before_, gone->received());
        gone->abandon(std::nullopt);
        return;
    }
    if (&s == main_.get() && other_ && other_->state() != State::idle) {
        promote_other();
        return;
    }
    if (&s == main_.get() && cfg_.shutdown) idle_hold_until_.reset();
}

PeerView Peer::view() const {
    PeerView v;
    const Session& s = *main_;
    v.config = cfg_;
    v.state = s.state();
    v.state_since = s.state_since();
    if (s.connected()) v.local_address = s.local_address();
    if (s.peer_open()) {
        v.remote_router_id = s.peer_open()->bgp_id;
        v.received_caps = s.peer_open()->caps;
    }
    if (s.sent_open()) v.sent_caps = s.sent_open()->caps;
    if (const auto& n = s.negotiated()) {
        v.hold_time = n->hold_time;
        v.keepalive_time = n->keepalive_time;
        v.four_octet_as = n->four_octet_as;
        v.ipv4_unicast = n->ipv4_unicast;
        v.ipv6_unicast = n->ipv6_unicast;
        v.route_refresh = n->route_refresh;
        v.enhanced_route_refresh = n->enhanced_route_refresh;
        v.extended_message = n->extended_message;
    }
    v.sent = sent_before_;
    add(v.sent, s.sent());
    v.received = received_before_;
    add(v.received, s.received());
    if (other_) {
        add(v.sent, other_->sent());
        add(v.received, other_->received());
    }
    v.established_transitions = established_transitions_;
    v.last_error = s.state() == State::established ? std::string() : (s.last_error().empty() ? last_error_ : s.last_error());
    v.last_notification_sent = last_sent_;
    keep_newer(v.last_notification_sent, s.last_notification_sent());
    v.last_notification_received = last_received_;
    keep_newer(v.last_notification_received, s.last_notification_received());
    routes_.fill(*this, v);
    v.prefix_limit_down = limit_down_;
    v.prefix_limit_restart_at = limit_restart_at_;
    if (limit_down_ && v.last_error.empty()) v.last_error = last_error_;
    if (s.idle_hold_running()) v.idle_hold_until = idle_hold_until_;
    return v;
}

}  // namespace moat::bgp
