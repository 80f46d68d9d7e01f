// One BGP session: one TCP connection and the RFC 4271 FSM that runs it.
//
// The Session owns its socket, the ConnectRetry, Hold, Keepalive, DelayOpen
// and IdleHold timers (each a deadline), a read buffer cut into messages by
// wire::frame and decoded by wire::decode, and a write queue with exactly one
// async_write in flight. It feeds events to fsm::step and carries out the
// actions it returns; what a session cannot decide alone (connection
// collisions, back-off, what to announce, what to do with routes) it asks its
// owner, the Peer. A dropped connection hands its unsent bytes (say a
// NOTIFICATION) to a small drain that flushes and closes it, so the FSM can
// move on at once. operation_aborted means we were stopped.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/session_types.hpp"
#include "bgpd/fsm.hpp"
#include "bgpd/negotiate.hpp"
#include "bgpd/wire/codec.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace moat::bgp {

class Session;
class Connection;  // socket + write queue; outlives the session to flush on close

// What a session asks of its owner. Called on the event loop thread, possibly
// from inside Session::handle(); the owner may stop or drop the session.
class SessionOwner {
public:
    virtual ~SessionOwner() = default;
    // A valid OPEN arrived; true means this connection loses a collision (RFC 4271 6.8).
    virtual bool on_open(Session& s, const wire::Open& theirs) = 0;
    virtual void on_established(Session& s) = 0;
    // u is the session's reused UPDATE: valid during the call only; the
    // owner may lend parts of it (the RIB borrows the attributes).
    virtual void on_update(Session& s, wire::Update& u) = 0;
    virtual void on_route_refresh(Session& s, const wire::RouteRefresh& r) = 0;
    // The FSM released the session's resources (routes from it are gone).
    virtual void on_released(Session& s, bool was_established) = 0;
    // The FSM went to Idle and wants an automatic restart: how long to wait, or
    // nothing to stay down.
    virtual std::optional<std::chrono::milliseconds> idle_hold(Session& s, State from) = 0;
    virtual void on_state_change(Session& s, State from, State to) = 0;
    // Established and the write queue just became empty: room to send more.
    virtual void on_drained(Session&) {}
};

// TCP connections of this process still open (connecting, in use or being
// flushed before close). moatd waits for this to reach 0 when stopping.
size_t open_connections();

struct SessionTiming {
    std::chrono::milliseconds large_hold{std::chrono::minutes(4)};  // waiting for the OPEN
    std::chrono::milliseconds drain_timeout{std::chrono::seconds(2)};
};

class Session : public std::enable_shared_from_this<Session> {
public:
    using tcp = boost::asio::ip::tcp;

    Session(boost::asio::io_context& io, const NeighborConfig& cfg, LocalSettings local, SessionOwner& owner,
            SessionTiming timing = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // ManualStart (or its passive form for a passive neighbor).
    void start();
    // Adopts a connection the peer opened (TcpConnectionConfirmed). From Idle
    // the FSM is started passively first.
    void accept(tcp::socket socket);
    // ManualStop with the given Cease; stays in Idle until start().
    void stop(wire::Notification cease);
    // AutomaticStop with the given Cease; restarts after the idle hold time.
    void automatic_stop(wire::Notification cease);
    // This connection lost a collision (Cease / Connection Collision Resolution).
    void collision_dump();
    // Leaves the FSM without further events: sends `notification` if the
    // connection is up, flushes and closes, cancels the timers and forgets the
    // owner. The object may be dropped afterwards.
    void abandon(std::optional<wire::Notification> notification);

    // Sends an encoded message (Established only). The bytes are shared, not copied.
    void send(std::shared_ptr<const wire::Buffer> message, wire::MessageType type);
    void send(const wire::Message& m);
    // Bytes handed to send() not yet written to the socket.
    size_t queued_bytes() const;

    State state() const { return state_; }
    bool inbound() const { return inbound_; }  // the connection was opened by the peer
    bool connected() const { return conn_ != nullptr && !connecting_; }
    const NeighborConfig& config() const { return cfg_; }
    const std::optional<Negotiated>& negotiated() const { return negotiated_; }
    const std::optional<wire::Open>& sent_open() const { return sent_open_; }
    const std::optional<wire::Open>& peer_open() const { return peer_open_; }
    const std::optional<wire::IpAddress>& local_address() const { return local_address_; }
    const wire::SessionContext& context() const { return ctx_; }
    const std::string& last_error() const { return last_error_; }
    std::chrono::system_clock::time_point state_since() const { return state_since_; }
    const MessageCounters& sent() const { return sent_; }
    const MessageCounters& received() const { return received_; }
    const std::optional<NotificationRecord>& last_notification_sent() const { return notif_sent_; }
    const std::optional<NotificationRecord>& last_notification_received() const { return notif_received_; }
    bool idle_hold_running() const { return idle_hold_.running; }

    // Feeds one event to the FSM (public for the owner's timers and tests).
    void handle(fsm::Event e, wire::Notification notification = {});

private:
    // A restart that only moves the deadline later (the hold timer on every
    // message received) just records it; the pending wait, when it fires
    // early, waits again for the rest. One wait per hold time instead of a
    // cancel and a new wait per UPDATE.
    struct Timer {
        explicit Timer(boost::asio::io_context& io) : t(io) {}
        boost::asio::steady_timer t;
        uint64_t generation = 0;
        bool running = false;
        std::chrono::steady_clock::time_point deadline{};
    };

    void run(const fsm::Action& a);
    void start_timer(Timer& t, std::chrono::milliseconds d, fsm::Event e);
    // The time timers start from: the moment of the read while its messages
    // are handled (a read of 64 KiB restarts the hold timer for each of its
    // UPDATEs), else the clock.
    std::chrono::steady_clock::time_point timer_now() const;
    void wait_timer(Timer& t, fsm::Event e);
    void stop_timer(Timer& t);
    void stop_all_timers();

    void initiate_connection();
    void install(tcp::socket socket);  // a connected socket becomes the session's
    void install_connected();          // options and state for a new connection
    void drop_connection();
    void do_read();
    void on_read(const boost::system::error_code& ec, size_t n, uint64_t epoch);
    void process(const wire::Message& m, wire::MessageType type);
    void process_update(wire::Update& u);
    void process_open(const wire::Open& o);
    void decode_failed(wire::MessageType type, const wire::DecodeError& e);
    void queue(std::shared_ptr<const wire::Buffer> bytes);
    void count(MessageCounters& c, wire::MessageType t);
    void connection_failed(const std::string& why);

    boost::asio::io_context& io_;
    NeighborConfig cfg_;
    LocalSettings local_;
    SessionOwner* owner_;
    SessionTiming timing_;

    State state_ = State::idle;
    State state_before_ = State::idle;  // of the transition being carried out
    bool established_once_ = false;     // reached Established since the last release
    uint32_t connect_retry_counter_ = 0;
    std::chrono::system_clock::time_point state_since_ = std::chrono::system_clock::now();
    std::string last_error_;

    std::shared_ptr<Connection> conn_;
    bool connecting_ = false;
    bool inbound_ = false;
    uint64_t epoch_ = 0;  // bumped on every connection change; stale handlers compare it
    std::optional<wire::IpAddress> local_address_;

    std::vector<uint8_t> in_;  // bytes received, not yet a whole message
    std::optional<std::chrono::steady_clock::time_point> read_time_;  // set while on_read handles a read
    std::array<uint8_t, 65536> chunk_{};  // one read: a batch of UPDATEs for one decision pass

    Timer connect_retry_, hold_, keepalive_, delay_open_, idle_hold_;

    std::optional<wire::Open> sent_open_, peer_open_;
    std::optional<Negotiated> negotiated_;
    wire::SessionContext ctx_;
    wire::UpdateDecoder updates_;  // every UPDATE is decoded into its reused Update
    wire::Update* current_update_ = nullptr;

    MessageCounters sent_, received_;
    std::optional<NotificationRecord> notif_sent_, notif_received_;
};

}  // namespace moat::bgp
