// One configured neighbor: its sessions, its back-off and what it is told.
//
// A Peer has a main Session and, while a connection collision is being
// resolved (RFC 4271 6.8), a second one for the connection the peer opened.
// When both have the peer's OPEN, the connection opened by the speaker with
// the higher BGP Identifier stays; the other gets Cease / Connection Collision
// Resolution. Passive neighbors only accept. After a session goes down the
// automatic restart waits an IdleHold time that doubles on each flap (5 s up
// to 120 s by default) and falls back once a session stayed Established for
// a stable period. `neighbor shutdown` sends Cease / Administrative Shutdown
// with the RFC 9003 message and keeps the neighbor down until it is undone.
//
// The seam to the routing table is RouteSource (the speaker's Routing): the
// peer hands it the Established session, received UPDATEs, ROUTE-REFRESH
// requests, write-queue drains and the end of the session.
#pragma once

#include "bgpd/peer_view.hpp"
#include "bgpd/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace moat::bgp {

class Peer;

// The routing table as a peer sees it. Implemented by bgp::Routing.
class RouteSource {
public:
    virtual ~RouteSource() = default;
    virtual void established(Peer& p, Session& s) = 0;
    virtual void received(Peer& p, wire::Update& u) = 0;
    virtual void refresh(Peer& p, Session& s, wire::AfiSafi family) = 0;
    virtual void writable(Peer& p, Session& s) = 0;  // the write queue drained
    virtual void down(Peer& p) = 0;                  // the Established session ended
    virtual void fill(const Peer& p, PeerView& v) const = 0;  // prefix counters
};

struct BackoffTiming {
    std::chrono::milliseconds initial{std::chrono::seconds(5)};
    std::chrono::milliseconds max{std::chrono::seconds(120)};
    std::chrono::milliseconds stable{std::chrono::seconds(60)};  // Established this long resets it
    std::chrono::milliseconds minute{std::chrono::minutes(1)};   // unit of maximum-prefix restart (tests shorten it)
};

class Peer final : public SessionOwner {
public:
    Peer(boost::asio::io_context& io, NeighborConfig cfg, LocalSettings local, RouteSource& routes,
         BackoffTiming backoff = {}, SessionTiming timing = {});
    ~Peer() override;
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;

    void start();  // unless administratively down
    // A connection from this neighbor's address was accepted.
    void accept(boost::asio::ip::tcp::socket socket);
    // Administrative shutdown (down = true) or its undoing.
    void shutdown(bool down, std::string message);
    // Cease / Administrative Reset, then a fresh start (also ends a
    // maximum-prefix hold).
    void clear();
    // RFC 4486: Cease / Maximum Number of Prefixes Reached (AFI, SAFI, limit);
    // the neighbor stays down for `restart` minutes, or until clear().
    void prefix_limit_exceeded(wire::AfiSafi family, uint32_t limit, std::optional<uint16_t> restart);
    // The same, carried out from the event loop once the caller's call chain
    // is over (the routing table decides it while the session is reading).
    // Nothing happens if the Peer is gone by then.
    void request_prefix_limit_stop(wire::AfiSafi family, uint32_t limit, std::optional<uint16_t> restart);
    // Cease / Administrative Shutdown with `message` on every connection, and
    // no more events: the daemon is stopping.
    void stop_for_exit(const std::string& message);

    // Reconfiguration (bgpd/reconfigure.cpp). The neighbor goes away:
    // `cease` on every connection, no more events.
    void stop_for_removal(const wire::Notification& cease);
    // Takes over settings that need no new session (description, next hop:
    // used for the routes sent from now on).
    void update_in_place(const NeighborConfig& cfg);

    PeerView view() const;
    const NeighborConfig& config() const { return cfg_; }
    State state() const { return main_->state(); }
    const Session& session() const { return *main_; }
    // The session routes go over, when Established.
    Session* established_session() const {
        return main_->state() == State::established ? main_.get() : nullptr;
    }

private:
    bool on_open(Session& s, const wire::Open& theirs) override;
    void on_established(Session& s) override;
    void on_update(Session& s, wire::Update& u) override;
    void on_route_refresh(Session& s, const wire::RouteRefresh& r) override;
    void on_released(Session& s, bool was_established) override;
    std::optional<std::chrono::milliseconds> idle_hold(Session& s, State from) override;
    void on_state_change(Session& s, State from, State to) override;
    void on_drained(Session& s) override;

    std::shared_ptr<Session> make_session();
    void promote_other();

    boost::asio::io_context& io_;
    NeighborConfig cfg_;
    LocalSettings local_;
    RouteSource& routes_;
    BackoffTiming backoff_;
    SessionTiming timing_;

    std::shared_ptr<Session> main_;
    std::shared_ptr<Session> other_;  // the peer's connection during a collision

    std::chrono::milliseconds idle_hold_next_;
    std::optional<std::chrono::steady_clock::time_point> idle_hold_until_;
    std::optional<std::chrono::steady_clock::time_point> established_at_;
    uint32_t established_transitions_ = 0;
    std::string last_error_;
    std::optional<NotificationRecord> last_sent_, last_received_;
    MessageCounters sent_before_, received_before_;  // of sessions no longer in use
    bool routing_ = false;  // the routing table has the Established session
    bool limit_down_ = false;  // held down by maximum-prefix
    std::optional<std::chrono::steady_clock::time_point> limit_restart_at_;
    boost::asio::steady_timer limit_timer_;
    boost::asio::steady_timer limit_request_;  // request_prefix_limit_stop(), cancelled with the Peer
};

}  // namespace moat::bgp
