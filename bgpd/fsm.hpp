// The BGP-4 finite state machine of RFC 4271 8 as a pure transition function:
// (state, event, context) -> (next state, actions). It owns no timers and no
// socket; a Session (session.hpp) feeds it events and carries out the actions
// in order. One FSM runs per TCP connection, so a connection collision (RFC
// 4271 6.8) is two FSMs that the Peer arbitrates; the FSM only sees the
// verdict as OpenCollisionDump.
//
// Deviations, all optional behaviour in RFC 4271 8.1.1:
// - SendNOTIFICATIONwithoutOPEN is on: an OPEN or header error found before
//   our OPEN went out is still answered with a NOTIFICATION.
// - A passive FSM (PassiveTcpEstablishment) never starts the ConnectRetry
//   timer, so it never initiates a connection.
// - Going to Idle on anything but ManualStop starts the IdleHold timer
//   (DampPeerOscillations); its expiry is the automatic restart, and a
//   ManualStop in Idle cancels it.
// - CollisionDetectEstablishedState is off.
#pragma once

#include "bgpd/session_types.hpp"
#include "bgpd/wire/message.hpp"

#include <boost/container/static_vector.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace moat::bgp::fsm {

// RFC 4271 8.1 event numbers.
enum class Event : uint8_t {
    ManualStart = 1,
    ManualStop = 2,
    AutomaticStart = 3,
    ManualStart_with_PassiveTcpEstablishment = 4,
    AutomaticStart_with_PassiveTcpEstablishment = 5,
    AutomaticStart_with_DampPeerOscillations = 6,
    AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment = 7,
    AutomaticStop = 8,
    ConnectRetryTimer_Expires = 9,
    HoldTimer_Expires = 10,
    KeepaliveTimer_Expires = 11,
    DelayOpenTimer_Expires = 12,
    IdleHoldTimer_Expires = 13,
    TcpConnection_Valid = 14,
    Tcp_CR_Invalid = 15,
    Tcp_CR_Acked = 16,
    TcpConnectionConfirmed = 17,
    TcpConnectionFails = 18,
    BGPOpen = 19,
    BGPOpen_with_DelayOpenTimer_running = 20,
    BGPHeaderErr = 21,
    BGPOpenMsgErr = 22,
    OpenCollisionDump = 23,
    NotifMsgVerErr = 24,
    NotifMsg = 25,
    KeepAliveMsg = 26,
    UpdateMsg = 27,
    UpdateMsgErr = 28,
};
inline constexpr uint8_t first_event = 1, last_event = 28;
std::string_view to_string(Event e);

struct Action {
    enum Kind : uint8_t {
        initiate_connection,    // open the TCP connection (after dropping any attempt)
        drop_connection,        // close the TCP connection, after flushing what is queued
        release_resources,      // forget negotiated state; routes from the peer are withdrawn
        send_open,
        send_keepalive,
        send_notification,      // `notification`
        start_connect_retry_timer,
        stop_connect_retry_timer,
        start_hold_timer_large,  // 4 minutes, while waiting for the OPEN (RFC 4271 8.2.2)
        start_hold_timer,        // the negotiated hold time (only emitted when non-zero)
        stop_hold_timer,
        start_keepalive_timer,   // the negotiated keepalive time (only emitted when non-zero)
        stop_keepalive_timer,
        start_delay_open_timer,
        stop_delay_open_timer,
        start_idle_hold_timer,   // automatic restart after a back-off
        stop_idle_hold_timer,
        reset_connect_retry_counter,
        increment_connect_retry_counter,
        established,             // the session is up: send the initial table
        process_update,          // hand the UPDATE that caused the event to the RIB
    };
    Kind kind;
    wire::Notification notification{};  // for send_notification

    bool operator==(const Action&) const = default;
};
std::string_view to_string(Action::Kind k);

// What the FSM needs to know besides the state. The FSM reads it, never keeps it.
struct Context {
    bool passive = false;               // PassiveTcpEstablishment
    bool delay_open = false;            // DelayOpen is configured
    bool delay_open_running = false;    // the DelayOpen timer is running now
    uint16_t hold_time = 0;             // negotiated; 0 = no hold and keepalive timers
    // The NOTIFICATION for BGPHeaderErr, BGPOpenMsgErr and UpdateMsgErr (built by
    // wire::to_notification) and for ManualStop / AutomaticStop (a Cease).
    wire::Notification notification{};
};

// The actions of one step, in order. Held inline: a step runs for every
// message received, and the longest list (a NOTIFICATION and the way down)
// has about ten entries; a longer one throws std::bad_alloc.
inline constexpr size_t max_actions = 16;
struct Transition {
    State next;
    boost::container::static_vector<Action, max_actions> actions;
};

Transition step(State s, Event e, const Context& ctx);

// The FSM Error subcode for an unexpected message in a state (RFC 6608).
uint8_t fsm_error_subcode(State s);

}  // namespace moat::bgp::fsm
