// RFC 4271 8.2.2, one function per state. Each case names the events it
// handles; everything else falls into the RFC's "any other event" branch.
#include "bgpd/fsm.hpp"

namespace moat::bgp {

std::string_view to_string(State s) {
    switch (s) {
    case State::idle: return "Idle";
    case State::connect: return "Connect";
    case State::active: return "Active";
    case State::open_sent: return "OpenSent";
    case State::open_confirm: return "OpenConfirm";
    case State::established: return "Established";
    }
    return "?";
}

namespace fsm {
namespace {

using K = Action::Kind;

struct Builder {
    Transition t;
    explicit Builder(State s) : t{s, {}} {}
    Builder& operator()(K k) {
        t.actions.push_back(Action{k, {}});
        return *this;
    }
    Builder& notify(wire::Notification n) {
        t.actions.push_back(Action{K::send_notification, std::move(n)});
        return *this;
    }
    Builder& notify(uint8_t code, uint8_t subcode) { return notify(wire::Notification{code, subcode, {}}); }
    Transition to(State s) {
        t.next = s;
        return std::move(t);
    }
};

// The common way down: ConnectRetryTimer to zero, resources released, the
// connection dropped, ConnectRetryCounter incremented, then the damped
// automatic restart.
Transition down(Builder b, bool count = true) {
    b(K::stop_connect_retry_timer)(K::stop_delay_open_timer)(K::stop_hold_timer)(K::stop_keepalive_timer)
        (K::release_resources)(K::drop_connection);
    if (count) b(K::increment_connect_retry_counter);
    b(K::start_idle_hold_timer);
    return b.to(State::idle);
}

// ManualStop: down without an automatic restart.
Transition manual_stop(Builder b) {
    b(K::stop_connect_retry_timer)(K::stop_delay_open_timer)(K::stop_hold_timer)(K::stop_keepalive_timer)
        (K::stop_idle_hold_timer)(K::release_resources)(K::drop_connection)(K::reset_connect_retry_counter);
    return b.to(State::idle);
}

// Timers after both OPENs: keepalive and hold with the negotiated value.
Builder& negotiated_timers(Builder& b, const Context& c) {
    if (c.hold_time != 0) {
        b(K::start_keepalive_timer)(K::start_hold_timer);
    } else {
        b(K::stop_keepalive_timer)(K::stop_hold_timer);
    }
    return b;
}

bool is_start(Event e) {
    switch (e) {
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStart_with_PassiveTcpEstablishment:
    case Event::AutomaticStart_with_PassiveTcpEstablishment:
    case Event::AutomaticStart_with_DampPeerOscillations:
    case Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment:
        return true;
    default:
        return false;
    }
}

bool is_passive_start(Event e) {
    return e == Event::ManualStart_with_PassiveTcpEstablishment ||
           e == Event::AutomaticStart_with_PassiveTcpEstablishment ||
           e == Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment;
}

Transition idle(Event e, const Context& c) {
    Builder b(State::idle);
    // IdleHoldTimer_Expires is the damped automatic restart (8.1.1 option).
    if (is_start(e) || e == Event::IdleHoldTimer_Expires) {
        b(K::stop_idle_hold_timer);
        if (c.passive || is_passive_start(e)) return b.to(State::active);  // listen only
        b(K::reset_connect_retry_counter)(K::start_connect_retry_timer)(K::initiate_connection);
        return b.to(State::connect);
    }
    // ManualStop also cancels a pending automatic restart; every other event
    // is ignored in Idle.
    if (e == Event::ManualStop) b(K::stop_idle_hold_timer)(K::reset_connect_retry_counter);
    return b.to(State::idle);
}

Transition connect(Event e, const Context& c) {
    Builder b(State::connect);
    switch (e) {
    case Event::ManualStop:
        return manual_stop(b);
    case Event::ConnectRetryTimer_Expires:
        b(K::drop_connection)(K::start_connect_retry_timer)(K::stop_delay_open_timer)(K::initiate_connection);
        return b.to(State::connect);
    case Event::DelayOpenTimer_Expires:
        b(K::send_open)(K::start_hold_timer_large);
        return b.to(State::open_sent);
    case Event::TcpConnection_Valid:
    case Event::Tcp_CR_Invalid:
        return b.to(State::connect);
    case Event::Tcp_CR_Acked:
    case Event::TcpConnectionConfirmed:
        b(K::stop_connect_retry_timer);
        if (c.delay_open) {
            b(K::start_delay_open_timer);
            return b.to(State::connect);
        }
        b(K::send_open)(K::start_hold_timer_large);
        return b.to(State::open_sent);
    case Event::TcpConnectionFails:
        if (c.delay_open_running) {
            b(K::start_connect_retry_timer)(K::stop_delay_open_timer)(K::drop_connection);
            return b.to(State::active);
        }
        return down(b, false);
    case Event::BGPOpen_with_DelayOpenTimer_running:
        b(K::stop_connect_retry_timer)(K::stop_delay_open_timer)(K::send_open)(K::send_keepalive);
        negotiated_timers(b, c);
        return b.to(State::open_confirm);
    case Event::BGPHeaderErr:
    case Event::BGPOpenMsgErr:
        b.notify(c.notification);
        return down(b);
    case Event::NotifMsgVerErr:
        return down(b, !c.delay_open_running);
    default:
        if (is_start(e)) return b.to(State::connect);
        return down(b);
    }
}

Transition active(Event e, const Context& c) {
    Builder b(State::active);
    switch (e) {
    case Event::ManualStop:
        if (c.delay_open_running) b.notify(c.notification);
        return manual_stop(b);
    case Event::ConnectRetryTimer_Expires:
        if (c.passive) return b.to(State::active);
        b(K::start_connect_retry_timer)(K::initiate_connection);
        return b.to(State::connect);
    case Event::DelayOpenTimer_Expires:
        b(K::stop_connect_retry_timer)(K::send_open)(K::start_hold_timer_large);
        return b.to(State::open_sent);
    case Event::TcpConnection_Valid:
    case Event::Tcp_CR_Invalid:
        return b.to(State::active);
    case Event::Tcp_CR_Acked:
    case Event::TcpConnectionConfirmed:
        b(K::stop_connect_retry_timer);
        if (c.delay_open) {
            b(K::start_delay_open_timer);
            return b.to(State::active);
        }
        b(K::send_open)(K::start_hold_timer_large);
        return b.to(State::open_sent);
    case Event::TcpConnectionFails:
        b(K::stop_delay_open_timer)(K::drop_connection);
        if (c.passive) return b.to(State::active);  // keep listening
        return down(b);
    case Event::BGPOpen_with_DelayOpenTimer_running:
        b(K::stop_connect_retry_timer)(K::stop_delay_open_timer)(K::send_open)(K::send_keepalive);
        negotiated_timers(b, c);
        return b.to(State::open_confirm);
    case Event::BGPHeaderErr:
    case Event::BGPOpenMsgErr:
        b.notify(c.notification);
        return down(b);
    case Event::NotifMsgVerErr:
        return down(b, !c.delay_open_running);
    default:
        if (is_start(e)) return b.to(State::active);
        return down(b);
    }
}

// OpenSent, OpenConfirm and Established share their error handling.
Transition connected(State s, Event e, const Context& c) {
    Builder b(s);
    switch (e) {
    case Event::ManualStop:
        b.notify(c.notification);
        return manual_stop(b);
    case Event::AutomaticStop:
        b.notify(c.notification);
        return down(b);
    case Event::HoldTimer_Expires:
        b.notify(wire::err::hold_timer, 0);
        return down(b);
    case Event::TcpConnection_Valid:
    case Event::Tcp_CR_Invalid:
    case Event::Tcp_CR_Acked:
    case Event::TcpConnectionConfirmed:
        // A second connection is a separate FSM; collision handling is the Peer's.
        return b.to(s);
    case Event::BGPHeaderErr:
    case Event::BGPOpenMsgErr:
        b.notify(c.notification);
        return down(b);
    case Event::OpenCollisionDump:
        if (s == State::established) break;  // CollisionDetectEstablishedState is off
        b.notify(wire::err::cease, wire::err::connection_collision);
        return down(b);
    case Event::NotifMsgVerErr:
        return down(b, false);
    case Event::NotifMsg:
    case Event::TcpConnectionFails:
        if (s == State::open_sent && e == Event::TcpConnectionFails) {
            // RFC 4271: close, restart the ConnectRetry timer, listen (Active).
            b(K::stop_hold_timer)(K::release_resources)(K::drop_connection);
            if (!c.passive) b(K::start_connect_retry_timer);
            return b.to(State::active);
        }
        return down(b);
    default:
        break;
    }

    switch (s) {
    case State::open_sent:
        if (e == Event::BGPOpen) {
            b(K::stop_delay_open_timer)(K::stop_connect_retry_timer)(K::send_keepalive);
            negotiated_timers(b, c);
            return b.to(State::open_confirm);
        }
        break;
    case State::open_confirm:
        if (e == Event::KeepaliveTimer_Expires) {
            b(K::send_keepalive);
            if (c.hold_time != 0) b(K::start_keepalive_timer);
            return b.to(s);
        }
        if (e == Event::KeepAliveMsg) {
            if (c.hold_time != 0) b(K::start_hold_timer);
            b(K::established);
            return b.to(State::established);
        }
        break;
    case State::established:
        if (e == Event::KeepaliveTimer_Expires) {
            b(K::send_keepalive);
            if (c.hold_time != 0) b(K::start_keepalive_timer);
            return b.to(s);
        }
        if (e == Event::KeepAliveMsg) {
            if (c.hold_time != 0) b(K::start_hold_timer);
            return b.to(s);
        }
        if (e == Event::UpdateMsg) {
            b(K::process_update);
            if (c.hold_time != 0) b(K::start_hold_timer);
            return b.to(s);
        }
        if (e == Event::UpdateMsgErr) {
            b.notify(c.notification);
            return down(b);
        }
        break;
    default:
        break;
    }
    if (is_start(e)) return b.to(s);  // start events are ignored once running
    // Any other event: FSM Error with the state-specific subcode (RFC 6608).
    b.notify(wire::err::fsm, fsm_error_subcode(s));
    return down(b);
}

}  // namespace

uint8_t fsm_error_subcode(State s) {
    switch (s) {
    case State::open_sent: return 1;
    case State::open_confirm: return 2;
    case State::established: return 3;
    default: return 0;
    }
}

Transition step(State s, Event e, const Context& c) {
    switch (s) {
    case State::idle: return idle(e, c);
    case State::connect: return connect(e, c);
    case State::active: return active(e, c);
    case State::open_sent:
    case State::open_confirm:
    case State::established: return connected(s, e, c);
    }
    return Transition{s, {}};
}

std::string_view to_string(Event e) {
    switch (e) {
    case Event::ManualStart: return "ManualStart";
    case Event::ManualStop: return "ManualStop";
    case Event::AutomaticStart: return "AutomaticStart";
    case Event::ManualStart_with_PassiveTcpEstablishment: return "ManualStart_with_PassiveTcpEstablishment";
    case Event::AutomaticStart_with_PassiveTcpEstablishment: return "AutomaticStart_with_PassiveTcpEstablishment";
    case Event::AutomaticStart_with_DampPeerOscillations: return "AutomaticStart_with_DampPeerOscillations";
    case Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment:
        return "AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment";
    case Event::AutomaticStop: return "AutomaticStop";
    case Event::ConnectRetryTimer_Expires: return "ConnectRetryTimer_Expires";
    case Event::HoldTimer_Expires: return "HoldTimer_Expires";
    case Event::KeepaliveTimer_Expires: return "KeepaliveTimer_Expires";
    case Event::DelayOpenTimer_Expires: return "DelayOpenTimer_Expires";
    case Event::IdleHoldTimer_Expires: return "IdleHoldTimer_Expires";
    case Event::TcpConnection_Valid: return "TcpConnection_Valid";
    case Event::Tcp_CR_Invalid: return "Tcp_CR_Invalid";
    case Event::Tcp_CR_Acked: return "Tcp_CR_Acked";
    case Event::TcpConnectionConfirmed: return "TcpConnectionConfirmed";
    case Event::TcpConnectionFails: return "TcpConnectionFails";
    case Event::BGPOpen: return "BGPOpen";
    case Event::BGPOpen_with_DelayOpenTimer_running: return "BGPOpen_with_DelayOpenTimer_running";
    case Event::BGPHeaderErr: return "BGPHeaderErr";
    case Event::BGPOpenMsgErr: return "BGPOpenMsgErr";
    case Event::OpenCollisionDump: return "OpenCollisionDump";
    case Event::NotifMsgVerErr: return "NotifMsgVerErr";
    case Event::NotifMsg: return "NotifMsg";
    case Event::KeepAliveMsg: return "KeepAliveMsg";
    case Event::UpdateMsg: return "UpdateMsg";
    case Event::UpdateMsgErr: return "UpdateMsgErr";
    }
    return "?";
}

std::string_view to_string(Action::Kind k) {
    switch (k) {
    case K::initiate_connection: return "initiate_connection";
    case K::drop_connection: return "drop_connection";
    case K::release_resources: return "release_resources";
    case K::send_open: return "send_open";
    case K::send_keepalive: return "send_keepalive";
    case K::send_notification: return "send_notification";
    case K::start_connect_retry_timer: return "start_connect_retry_timer";
    case K::stop_connect_retry_timer: return "stop_connect_retry_timer";
    case K::start_hold_timer_large: return "start_hold_timer_large";
    case K::start_hold_timer: return "start_hold_timer";
    case K::stop_hold_timer: return "stop_hold_timer";
    case K::start_keepalive_timer: return "start_keepalive_timer";
    case K::stop_keepalive_timer: return "stop_keepalive_timer";
    case K::start_delay_open_timer: return "start_delay_open_timer";
    case K::stop_delay_open_timer: return "stop_delay_open_timer";
    case K::start_idle_hold_timer: return "start_idle_hold_timer";
    case K::stop_idle_hold_timer: return "stop_idle_hold_timer";
    case K::reset_connect_retry_counter: return "reset_connect_retry_counter";
    case K::increment_connect_retry_counter: return "increment_connect_retry_counter";
    case K::established: return "established";
    case K::process_update: return "process_update";
    }
    return "?";
}

}  // namespace fsm
}  // namespace moat::bgp
