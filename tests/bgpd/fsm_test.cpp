// The RFC 4271 8.2.2 table, walked without sockets: every (state, event)
// pair under a few contexts, checked against the transitions the RFC names
// and against invariants that hold for the whole table.
#include "bgpd/fsm.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace moat;
using namespace moat::bgp;
using fsm::Action;
using fsm::Event;
using K = Action::Kind;

namespace {

const State all_states[] = {State::idle,      State::connect,      State::active,
                            State::open_sent, State::open_confirm, State::established};

bool has(const fsm::Transition& t, K k) {
    return std::any_of(t.actions.begin(), t.actions.end(), [k](const Action& a) { return a.kind == k; });
}

const Action* find(const fsm::Transition& t, K k) {
    for (const auto& a : t.actions)
        if (a.kind == k) return &a;
    return nullptr;
}

fsm::Context ctx(uint16_t hold = 90) {
    fsm::Context c;
    c.hold_time = hold;
    return c;
}

bool is_start(Event e) {
    auto n = static_cast<int>(e);
    return n == 1 || (n >= 3 && n <= 7);
}

std::vector<fsm::Context> contexts() {
    std::vector<fsm::Context> r;
    for (bool passive : {false, true})
        for (bool delay : {false, true})
            for (bool running : {false, true})
                for (uint16_t hold : {uint16_t(0), uint16_t(90)}) {
                    if (running && !delay) continue;
                    fsm::Context c;
                    c.passive = passive;
                    c.delay_open = delay;
                    c.delay_open_running = running;
                    c.hold_time = hold;
                    c.notification = wire::Notification{wire::err::cease, wire::err::admin_shutdown, {}};
                    r.push_back(c);
                }
    return r;
}

}  // namespace

TEST_CASE("Idle: start events open or listen, everything else is ignored", "[fsm]") {
    auto t = fsm::step(State::idle, Event::ManualStart, ctx());
    CHECK(t.next == State::connect);
    CHECK(has(t, K::initiate_connection));
    CHECK(has(t, K::start_connect_retry_timer));

    t = fsm::step(State::idle, Event::AutomaticStart, ctx());
    CHECK(t.next == State::connect);

    t = fsm::step(State::idle, Event::ManualStart_with_PassiveTcpEstablishment, ctx());
    CHECK(t.next == State::active);
    CHECK_FALSE(has(t, K::initiate_connection));

    auto passive = ctx();
    passive.passive = true;
    t = fsm::step(State::idle, Event::ManualStart, passive);
    CHECK(t.next == State::active);
    CHECK_FALSE(has(t, K::start_connect_retry_timer));

    t = fsm::step(State::idle, Event::IdleHoldTimer_Expires, ctx());
    CHECK(t.next == State::connect);
    CHECK(has(t, K::initiate_connection));

    // ManualStop in Idle cancels the automatic restart.
    t = fsm::step(State::idle, Event::ManualStop, ctx());
    CHECK(t.next == State::idle);
    CHECK(has(t, K::stop_idle_hold_timer));
    CHECK_FALSE(has(t, K::send_notification));

    for (int n = fsm::first_event; n <= fsm::last_event; ++n) {
        auto e = static_cast<Event>(n);
        if (is_start(e) || e == Event::IdleHoldTimer_Expires || e == Event::ManualStop) continue;
        INFO(fsm::to_string(e));
        auto r = fsm::step(State::idle, e, ctx());
        CHECK(r.next == State::idle);
        CHECK(r.actions.empty());
    }
}

TEST_CASE("Connect and Active: connection set-up, DelayOpen, failures", "[fsm]") {
    for (State s : {State::connect, State::active}) {
        INFO(to_string(s));
        auto t = fsm::step(s, Event::Tcp_CR_Acked, ctx());
        CHECK(t.next == State::open_sent);
        CHECK(has(t, K::send_open));
        CHECK(has(t, K::start_hold_timer_large));
        CHECK(has(t, K::stop_connect_retry_timer));

        t = fsm::step(s, Event::TcpConnectionConfirmed, ctx());
        CHECK(t.next == State::open_sent);

        auto delay = ctx();
        delay.delay_open = true;
        t = fsm::step(s, Event::TcpConnectionConfirmed, delay);
        CHECK(t.next == s);
        CHECK(has(t, K::start_delay_open_timer));
        CHECK_FALSE(has(t, K::send_open));

        delay.delay_open_running = true;
        t = fsm::step(s, Event::DelayOpenTimer_Expires, delay);
        CHECK(t.next == State::open_sent);
        CHECK(has(t, K::send_open));

        t = fsm::step(s, Event::BGPOpen_with_DelayOpenTimer_running, delay);
        CHECK(t.next == State::open_confirm);
        CHECK(has(t, K::send_open));
        CHECK(has(t, K::send_keepalive));
        CHECK(has(t, K::start_hold_timer));
        CHECK(has(t, K::start_keepalive_timer));
        // send_open comes before send_keepalive.
        auto open_at = std::find_if(t.actions.begin(), t.actions.end(), [](auto& a) { return a.kind == K::send_open; });
        auto ka_at = std::find_if(t.actions.begin(), t.actions.end(), [](auto& a) { return a.kind == K::send_keepalive; });
        CHECK(open_at < ka_at);

        t = fsm::step(s, Event::ManualStop, ctx());
        CHECK(t.next == State::idle);
        CHECK(has(t, K::drop_connection));
        CHECK_FALSE(has(t, K::start_idle_hold_timer));

        auto err = ctx();
        err.notification = wire::Notification{wire::err::open, wire::err::bad_peer_as, {}};
        t = fsm::step(s, Event::BGPOpenMsgErr, err);
        CHECK(t.next == State::idle);
        REQUIRE(find(t, K::send_notification));
        CHECK(find(t, K::send_notification)->notification == err.notification);
        CHECK(has(t, K::start_idle_hold_timer));

        // An UPDATE before any OPEN: back to Idle, the connection dropped.
        t = fsm::step(s, Event::UpdateMsg, ctx());
        CHECK(t.next == State::idle);
        CHECK(has(t, K::drop_connection));
    }

    auto t = fsm::step(State::connect, Event::ConnectRetryTimer_Expires, ctx());
    CHECK(t.next == State::connect);
    CHECK(has(t, K::drop_connection));
    CHECK(has(t, K::initiate_connection));

    t = fsm::step(State::active, Event::ConnectRetryTimer_Expires, ctx());
    CHECK(t.next == State::connect);
    CHECK(has(t, K::initiate_connection));

    auto passive = ctx();
    passive.passive = true;
    t = fsm::step(State::active, Event::ConnectRetryTimer_Expires, passive);
    CHECK(t.next == State::active);
    CHECK_FALSE(has(t, K::initiate_connection));

    t = fsm::step(State::connect, Event::TcpConnectionFails, ctx());
    CHECK(t.next == State::idle);
    CHECK(has(t, K::start_idle_hold_timer));

    auto running = ctx();
    running.delay_open = running.delay_open_running = true;
    t = fsm::step(State::connect, Event::TcpConnectionFails, running);
    CHECK(t.next == State::active);

    t = fsm::step(State::active, Event::TcpConnectionFails, passive);
    CHECK(t.next == State::active);
}

TEST_CASE("OpenSent, OpenConfirm, Established: the way up", "[fsm]") {
    auto t = fsm::step(State::open_sent, Event::BGPOpen, ctx(90));
    CHECK(t.next == State::open_confirm);
    CHECK(has(t, K::send_keepalive));
    CHECK(has(t, K::start_hold_timer));
    CHECK(has(t, K::start_keepalive_timer));

    // Hold time 0: neither keepalive nor hold timer (RFC 4271 4.4).
    t = fsm::step(State::open_sent, Event::BGPOpen, ctx(0));
    CHECK(t.next == State::open_confirm);
    CHECK_FALSE(has(t, K::start_hold_timer));
    CHECK_FALSE(has(t, K::start_keepalive_timer));

    t = fsm::step(State::open_confirm, Event::KeepAliveMsg, ctx());
    CHECK(t.next == State::established);
    CHECK(has(t, K::established));
    CHECK(has(t, K::start_hold_timer));

    t = fsm::step(State::open_confirm, Event::KeepaliveTimer_Expires, ctx());
    CHECK(t.next == State::open_confirm);
    CHECK(has(t, K::send_keepalive));

    t = fsm::step(State::established, Event::KeepaliveTimer_Expires, ctx());
    CHECK(t.next == State::established);
    CHECK(has(t, K::send_keepalive));
    CHECK(has(t, K::start_keepalive_timer));

    t = fsm::step(State::established, Event::UpdateMsg, ctx());
    CHECK(t.next == State::established);
    CHECK(has(t, K::process_update));
    CHECK(has(t, K::start_hold_timer));

    t = fsm::step(State::established, Event::KeepAliveMsg, ctx(0));
    CHECK(t.next == State::established);
    CHECK_FALSE(has(t, K::start_hold_timer));
}

TEST_CASE("OpenSent, OpenConfirm, Established: the ways down", "[fsm]") {
    for (State s : {State::open_sent, State::open_confirm, State::established}) {
        INFO(to_string(s));
        auto t = fsm::step(s, Event::HoldTimer_Expires, ctx());
        CHECK(t.next == State::idle);
        REQUIRE(find(t, K::send_notification));
        CHECK(find(t, K::send_notification)->notification.code == wire::err::hold_timer);

        auto stop = ctx();
        stop.notification = wire::Notification::shutdown(wire::err::admin_shutdown, "maintenance");
        t = fsm::step(s, Event::ManualStop, stop);
        CHECK(t.next == State::idle);
        REQUIRE(find(t, K::send_notification));
        CHECK(find(t, K::send_notification)->notification == stop.notification);
        CHECK_FALSE(has(t, K::start_idle_hold_timer));
        // The NOTIFICATION is queued before the connection is dropped.
        CHECK(std::find_if(t.actions.begin(), t.actions.end(), [](auto& a) { return a.kind == K::send_notification; }) <
              std::find_if(t.actions.begin(), t.actions.end(), [](auto& a) { return a.kind == K::drop_connection; }));

        t = fsm::step(s, Event::AutomaticStop, stop);
        CHECK(t.next == State::idle);
        CHECK(has(t, K::send_notification));
        CHECK(has(t, K::start_idle_hold_timer));

        t = fsm::step(s, Event::NotifMsg, ctx());
        CHECK(t.next == State::idle);
        CHECK_FALSE(has(t, K::send_notification));

        // A message that does not belong in the state: FSM Error, RFC 6608 subcode.
        t = fsm::step(s, Event::ConnectRetryTimer_Expires, ctx());
        CHECK(t.next == State::idle);
        REQUIRE(find(t, K::send_notification));
        CHECK(find(t, K::send_notification)->notification.code == wire::err::fsm);
        CHECK(find(t, K::send_notification)->notification.subcode == fsm::fsm_error_subcode(s));
    }
    CHECK(fsm::step(State::open_sent, Event::TcpConnectionFails, ctx()).next == State::active);
    CHECK(fsm::step(State::open_confirm, Event::TcpConnectionFails, ctx()).next == State::idle);
    CHECK(fsm::step(State::established, Event::TcpConnectionFails, ctx()).next == State::idle);

    auto t = fsm::step(State::open_confirm, Event::OpenCollisionDump, ctx());
    CHECK(t.next == State::idle);
    REQUIRE(find(t, K::send_notification));
    CHECK(find(t, K::send_notification)->notification ==
          wire::Notification{wire::err::cease, wire::err::connection_collision, {}});

    auto upd = ctx();
    upd.notification = wire::Notification{wire::err::update, wire::err::malformed_as_path, {}};
    t = fsm::step(State::established, Event::UpdateMsgErr, upd);
    CHECK(t.next == State::idle);
    CHECK(find(t, K::send_notification)->notification == upd.notification);

    // UPDATE and KEEPALIVE before the session is up are FSM errors in OpenSent.
    t = fsm::step(State::open_sent, Event::KeepAliveMsg, ctx());
    CHECK(t.next == State::idle);
    CHECK(find(t, K::send_notification)->notification.subcode == 1);
}

TEST_CASE("the whole table keeps its invariants", "[fsm]") {
    size_t visited = 0;
    for (State s : all_states) {
        for (int n = fsm::first_event; n <= fsm::last_event; ++n) {
            auto e = static_cast<Event>(n);
            for (const auto& c : contexts()) {
                INFO(to_string(s) << " " << fsm::to_string(e) << " passive=" << c.passive << " delay="
                                  << c.delay_open << " running=" << c.delay_open_running << " hold=" << c.hold_time);
                auto t = fsm::step(s, e, c);
                ++visited;
                CHECK(t.actions.size() < fsm::max_actions);  // the inline list has room to spare
                CHECK(static_cast<int>(t.next) <= static_cast<int>(State::established));
                // Start events never disturb a running FSM.
                if (is_start(e) && s != State::idle) {
                    CHECK(t.next == s);
                    CHECK(t.actions.empty());
                }
                // Only OpenConfirm + KEEPALIVE reaches Established, and it says so.
                if (t.next == State::established && s != State::established) {
                    CHECK(s == State::open_confirm);
                    CHECK(e == Event::KeepAliveMsg);
                    CHECK(has(t, K::established));
                }
                CHECK(has(t, K::established) == (t.next == State::established && s != State::established));
                // Leaving a running state for Idle drops the connection and releases.
                if (s != State::idle && t.next == State::idle) {
                    CHECK(has(t, K::drop_connection));
                    CHECK(has(t, K::release_resources));
                    CHECK(has(t, K::stop_hold_timer));
                    CHECK(has(t, K::start_idle_hold_timer) == (e != Event::ManualStop));
                }
                // A zero hold time never starts the hold or keepalive timer.
                if (c.hold_time == 0) {
                    CHECK_FALSE(has(t, K::start_hold_timer));
                    CHECK_FALSE(has(t, K::start_keepalive_timer));
                }
                // Once OPENs are exchanged, going down sends a NOTIFICATION unless
                // the peer sent one or the connection is gone.
                if ((s == State::open_sent || s == State::open_confirm || s == State::established) &&
                    t.next == State::idle && e != Event::NotifMsg && e != Event::NotifMsgVerErr &&
                    e != Event::TcpConnectionFails) {
                    CHECK(has(t, K::send_notification));
                }
                // Before our OPEN went out a NOTIFICATION is sent only for an error
                // found in what the peer sent, or a stop during DelayOpen.
                if ((s == State::connect || s == State::active || s == State::idle) && has(t, K::send_notification)) {
                    bool err = e == Event::BGPHeaderErr || e == Event::BGPOpenMsgErr;
                    bool delayed_stop = e == Event::ManualStop && c.delay_open_running;
                    CHECK((err || delayed_stop));
                }
                // Nothing is sent on a connection that the same step initiates.
                if (has(t, K::initiate_connection)) {
                    CHECK_FALSE(has(t, K::send_open));
                    CHECK(t.next == State::connect);
                }
                // Every transition into OpenSent sends our OPEN.
                if (t.next == State::open_sent && s != State::open_sent) CHECK(has(t, K::send_open));
            }
        }
    }
    CHECK(visited == 6 * 28 * contexts().size());
}

TEST_CASE("event and state names are the RFC's", "[fsm]") {
    CHECK(fsm::to_string(Event::ManualStart_with_PassiveTcpEstablishment) == "ManualStart_with_PassiveTcpEstablishment");
    CHECK(fsm::to_string(Event::BGPOpen_with_DelayOpenTimer_running) == "BGPOpen_with_DelayOpenTimer_running");
    CHECK(fsm::to_string(Event::UpdateMsgErr) == "UpdateMsgErr");
    CHECK(to_string(State::open_confirm) == "OpenConfirm");
    for (int n = fsm::first_event; n <= fsm::last_event; ++n) CHECK(fsm::to_string(static_cast<Event>(n)) != "?");
}
