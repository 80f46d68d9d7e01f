// See session.hpp. The FSM decides, this file does: sockets, timers, framing.
#include "bgpd/session.hpp"

#include "bgpd/log.hpp"
#include "bgpd/socket_options.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <functional>

namespace moat::bgp {

namespace asio = boost::asio;
using boost::system::error_code;
using fsm::Action;
using fsm::Event;

namespace {
size_t connections_open = 0;
}  // namespace

size_t open_connections() { return connections_open; }

// The socket and its write queue: exactly one async_write in flight. After
// close_after_flush() it finishes what is queued (a NOTIFICATION, typically)
// and closes, or closes at the deadline, on its own.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    explicit Connection(asio::io_context& io) : socket(io), deadline_(io) { ++connections_open; }
    ~Connection() { close_now(); --connections_open; }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void send(std::shared_ptr<const wire::Buffer> b) {
        if (closed_) return;
        queued_ += b->size();
        out_.push_back(std::move(b));
        if (!writing_) do_write();
    }

    void close_after_flush(std::chrono::milliseconds timeout) {
        on_error = nullptr;
        on_drained = nullptr;
        closing_ = true;
        if (!writing_) {
            close_now();
            return;
        }
        deadline_.expires_after(timeout);
        deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
            if (!ec) self->close_now();
        });
    }

    void close_now() {
        if (closed_) return;
        closed_ = true;
        error_code ignored;
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        deadline_.cancel();
        out_.clear();
        queued_ = 0;
    }

    size_t queued() const { return queued_; }

    asio::ip::tcp::socket socket;
    std::function<void(const error_code&)> on_error;  // write failures while in use
    std::function<void()> on_drained;                 // the write queue became empty

private:
    void do_write() {
        // Everything queued (up to 64 messages) in one gather write: one
        // system call for a run of UPDATEs instead of one each.
        writing_ = true;
        auto batch = std::make_shared<std::vector<std::shared_ptr<const wire::Buffer>>>();
        std::vector<asio::const_buffer> bufs;
        for (size_t i = 0; i < out_.size() && i < 64; ++i) {
            batch->push_back(out_[i]);
            bufs.push_back(asio::buffer(*out_[i]));
        }
        asio::async_write(socket, bufs, [self = shared_from_this(), batch](const error_code& ec, size_t) {
            self->on_write(ec, batch->size());
        });
    }

    void on_write(const error_code& ec, size_t count) {
        writing_ = false;
        if (closed_) return;
        if (ec) {
            auto cb = on_error;
            close_now();
            if (cb && ec != asio::error::operation_aborted) cb(ec);
            return;
        }
        for (size_t i = 0; i < count; ++i) {
            queued_ -= out_.front()->size();
            out_.pop_front();
        }
        if (!out_.empty()) {
            do_write();
        } else if (closing_) {
            close_now();
        } else if (on_drained) {
            auto cb = on_drained;  // may queue more, or drop the connection
            cb();
        }
    }

    asio::steady_timer deadline_;
    std::deque<std::shared_ptr<const wire::Buffer>> out_;
    size_t queued_ = 0;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

Session::Session(asio::io_context& io, const NeighborConfig& cfg, LocalSettings local, SessionOwner& owner,
                 SessionTiming timing)
    : io_(io), cfg_(cfg), local_(local), owner_(&owner), timing_(timing), connect_retry_(io), hold_(io),
      keepalive_(io), delay_open_(io), idle_hold_(io) {}

Session::~Session() {
    if (conn_) conn_->close_now();
}

void Session::start() {
    handle(cfg_.passive ? Event::ManualStart_with_PassiveTcpEstablishment : Event::ManualStart);
}

void Session::accept(tcp::socket socket) {
    if (state_ == State::idle) handle(Event::ManualStart_with_PassiveTcpEstablishment);
    if (state_ != State::connect && state_ != State::active) {
        error_code ignored;
        socket.close(ignored);
        return;
    }
    // An incoming connection replaces an outgoing attempt still in progress.
    if (conn_) drop_connection();
    inbound_ = true;
    install(std::move(socket));
    handle(Event::TcpConnectionConfirmed);
}

void Session::stop(wire::Notification cease) {
    last_error_.clear();  // the reason is the stop, not an earlier failure
    handle(Event::ManualStop, std::move(cease));
}

void Session::automatic_stop(wire::Notification cease) {
    last_error_.clear();
    handle(Event::AutomaticStop, std::move(cease));
}

void Session::collision_dump() {
    last_error_ = "connection collision";
    handle(Event::OpenCollisionDump);
}

void Session::abandon(std::optional<wire::Notification> n) {
    if (n && conn_ && !connecting_) {
        wire::Buffer b;
        wire::encode(*n, b);
        count(sent_, wire::MessageType::notification);
        notif_sent_ = NotificationRecord{*n, std::chrono::system_clock::now()};
        conn_->send(std::make_shared<const wire::Buffer>(std::move(b)));
    }
    stop_all_timers();
    drop_connection();
    owner_ = nullptr;
}

void Session::handle(Event e, wire::Notification notification) {
    if (!owner_) return;
    fsm::Context c;
    c.passive = cfg_.passive;
    c.delay_open = cfg_.delay_open_time.has_value() && *cfg_.delay_open_time > 0;
    c.delay_open_running = delay_open_.running;
    c.hold_time = negotiated_ ? negotiated_->hold_time : 0;
    c.notification = std::move(notification);

    auto t = fsm::step(state_, e, c);
    State from = state_;
    state_before_ = from;
    log::log_peer(cfg_.address, log::Level::debug, "{} in {} -> {}", fsm::to_string(e), to_string(from),
                  to_string(t.next));
    if (t.next != from) {
        state_ = t.next;
        state_since_ = std::chrono::system_clock::now();
        if (from == State::idle) last_error_.clear();  // a new attempt
        if (t.next == State::idle && last_error_.empty()) {
            for (const auto& a : t.actions)
                if (a.kind == Action::send_notification && conn_ && !connecting_)
                    last_error_ = "sent NOTIFICATION " + a.notification.describe();
        }
        // Every state change is logged once, with its reason.
        auto level = (t.next == State::established || from == State::established) ? log::Level::notice
                                                                                    : log::Level::info;
        if ((t.next == State::idle || e == Event::TcpConnectionFails) && !last_error_.empty())
            log::log_peer(cfg_.address, level, "{} -> {} ({}: {})", to_string(from), to_string(t.next),
                          fsm::to_string(e), last_error_);
        else
            log::log_peer(cfg_.address, level, "{} -> {} ({})", to_string(from), to_string(t.next),
                          fsm::to_string(e));
    }
    for (const auto& a : t.actions) {
        if (!owner_) return;
        run(a);
    }
    if (t.next != from && owner_) owner_->on_state_change(*this, from, t.next);
}

void Session::run(const Action& a) {
    using K = Action::Kind;
    using std::chrono::seconds;
    switch (a.kind) {
    case K::initiate_connection:
        initiate_connection();
        break;
    case K::drop_connection:
        drop_connection();
        break;
    case K::release_resources: {
        bool was_established = established_once_;
        established_once_ = false;
        negotiated_.reset();
        peer_open_.reset();
        sent_open_.reset();
        ctx_ = wire::SessionContext{};
        if (owner_) owner_->on_released(*this, was_established);
        break;
    }
    case K::send_open: {
        sent_open_ = make_open(local_, cfg_);
        wire::Buffer b;
        wire::encode(*sent_open_, b);
        count(sent_, wire::MessageType::open);
        queue(std::make_shared<const wire::Buffer>(std::move(b)));
        break;
    }
    case K::send_keepalive: {
        static const auto bytes = [] {
            wire::Buffer b;
            wire::encode(wire::Keepalive{}, b);
            return std::make_shared<const wire::Buffer>(std::move(b));
        }();
        count(sent_, wire::MessageType::keepalive);
        queue(bytes);
        break;
    }
    case K::send_notification: {
        if (!conn_ || connecting_) break;
        wire::Buffer b;
        wire::encode(a.notification, b);
        count(sent_, wire::MessageType::notification);
        notif_sent_ = NotificationRecord{a.notification, std::chrono::system_clock::now()};
        log::log_peer(cfg_.address, log::Level::warning, "sent NOTIFICATION {}", a.notification.describe());
        queue(std::make_shared<const wire::Buffer>(std::move(b)));
        break;
    }
    case K::start_connect_retry_timer:
        start_timer(connect_retry_, seconds(std::max<uint16_t>(1, cfg_.connect_retry_time)),
                    Event::ConnectRetryTimer_Expires);
        break;
    case K::stop_connect_retry_timer:
        stop_timer(connect_retry_);
        break;
    case K::start_hold_timer_large:
        start_timer(hold_, timing_.large_hold, Event::HoldTimer_Expires);
        break;
    case K::start_hold_timer:
        if (negotiated_ && negotiated_->hold_time != 0)
            start_timer(hold_, seconds(negotiated_->hold_time), Event::HoldTimer_Expires);
        break;
    case K::stop_hold_timer:
        stop_timer(hold_);
        break;
    case K::start_keepalive_timer:
        if (negotiated_ && negotiated_->keepalive_time != 0)
            start_timer(keepalive_, seconds(negotiated_->keepalive_time), Event::KeepaliveTimer_Expires);
        break;
    case K::stop_keepalive_timer:
        stop_timer(keepalive_);
        break;
    case K::start_delay_open_timer:
        start_timer(delay_open_, seconds(cfg_.delay_open_time.value_or(0)), Event::DelayOpenTimer_Expires);
        break;
    case K::stop_delay_open_timer:
        stop_timer(delay_open_);
        break;
    case K::start_idle_hold_timer: {
        auto d = owner_ ? owner_->idle_hold(*this, state_before_) : std::nullopt;
        if (d) start_timer(idle_hold_, *d, Event::IdleHoldTimer_Expires);
        break;
    }
    case K::stop_idle_hold_timer:
        stop_timer(idle_hold_);
        break;
    case K::reset_connect_retry_counter:
        connect_retry_counter_ = 0;
        break;
    case K::increment_connect_retry_counter:
        ++connect_retry_counter_;
        break;
    case K::established:
        established_once_ = true;
        last_error_.clear();
        if (owner_) owner_->on_established(*this);
        break;
    case K::process_update:
        if (current_update_ && owner_) owner_->on_update(*this, *current_update_);
        break;
    }
}

std::chrono::steady_clock::time_point Session::timer_now() const {
    return read_time_ ? *read_time_ : std::chrono::steady_clock::now();
}

void Session::start_timer(Timer& t, std::chrono::milliseconds d, Event e) {
    const auto deadline = timer_now() + d;
    if (t.running && t.t.expiry() <= deadline) {
        t.deadline = deadline;  // the pending wait goes on to it
        return;
    }
    ++t.generation;
    t.running = true;
    t.deadline = deadline;
    t.t.expires_at(deadline);
    wait_timer(t, e);
}

void Session::wait_timer(Timer& t, Event e) {
    t.t.async_wait([self = shared_from_this(), &t, gen = t.generation, e](const error_code& ec) {
        if (ec == asio::error::operation_aborted || t.generation != gen || !t.running) return;
        if (std::chrono::steady_clock::now() < t.deadline) {  // restarted meanwhile
            t.t.expires_at(t.deadline);
            self->wait_timer(t, e);
            return;
        }
        t.running = false;
        self->handle(e);
    });
}

void Session::stop_timer(Timer& t) {
    if (!t.running) return;
    ++t.generation;
    t.running = false;
    t.t.cancel();
}

void Session::stop_all_timers() {
    for (Timer* t : {&connect_retry_, &hold_, &keepalive_, &delay_open_, &idle_hold_}) stop_timer(*t);
}

void Session::initiate_connection() {
    drop_connection();
    inbound_ = false;
    auto conn = std::make_shared<Connection>(io_);
    conn_ = conn;
    connecting_ = true;
    uint64_t epoch = ++epoch_;

    tcp::endpoint remote(to_asio(cfg_.address), cfg_.port);
    error_code ec;
    conn->socket.open(remote.protocol(), ec);
    if (ec) {
        connection_failed("socket: " + ec.message());
        return;
    }
    int fd = conn->socket.native_handle();
    if (!cfg_.password.empty()) {
        if (auto e = set_tcp_md5(fd, cfg_.address, cfg_.password); !e.empty())
            log::log_peer(cfg_.address, log::Level::error, "{}", e);
    }
    if (auto e = apply_ttl_policy(fd, cfg_.address.v6, cfg_, cfg_.remote_as != local_.asn); !e.empty())
        log::log_peer(cfg_.address, log::Level::warning, "{}", e);
    if (cfg_.update_source) {
        conn->socket.bind(tcp::endpoint(to_asio(*cfg_.update_source), 0), ec);
        if (ec) {
            connection_failed("bind to " + cfg_.update_source->to_string() + ": " + ec.message());
            return;
        }
    }
    conn->socket.async_connect(remote, [self = shared_from_this(), epoch](const error_code& e) {
        if (e == asio::error::operation_aborted || epoch != self->epoch_ || !self->owner_) return;
        self->connecting_ = false;
        if (e) {
            self->connection_failed("connect: " + e.message());
            return;
        }
        self->install_connected();
        self->handle(Event::Tcp_CR_Acked);
        if (epoch == self->epoch_ && self->conn_) self->do_read();
    });
}

void Session::connection_failed(const std::string& why) {
    // Reported from a completion handler, never synchronously inside an action.
    uint64_t epoch = epoch_;
    asio::post(io_, [self = shared_from_this(), why, epoch] {
        if (epoch != self->epoch_ || !self->owner_) return;
        self->last_error_ = why;
        self->handle(Event::TcpConnectionFails);
    });
}

void Session::install(tcp::socket socket) {
    auto conn = std::make_shared<Connection>(io_);
    conn->socket = std::move(socket);
    conn_ = conn;
    connecting_ = false;
    ++epoch_;
    install_connected();
    do_read();
}

void Session::install_connected() {
    error_code ec;
    auto local = conn_->socket.local_endpoint(ec);
    if (!ec) local_address_ = from_asio(local.address());
    if (inbound_) {
        if (auto e = apply_ttl_policy(conn_->socket.native_handle(), local.address().is_v6(), cfg_,
                                      cfg_.remote_as != local_.asn);
            !e.empty())
            log::log_peer(cfg_.address, log::Level::warning, "{}", e);
    }
    conn_->socket.set_option(tcp::no_delay(true), ec);
    in_.clear();
    uint64_t epoch = epoch_;
    std::weak_ptr<Session> weak = shared_from_this();
    conn_->on_drained = [weak, epoch] {
        auto self = weak.lock();
        if (!self || epoch != self->epoch_ || !self->owner_ || self->state_ != State::established) return;
        self->owner_->on_drained(*self);
    };
    conn_->on_error = [weak, epoch](const error_code& e) {
        auto self = weak.lock();
        if (!self || epoch != self->epoch_ || !self->owner_) return;
        self->connection_failed("write: " + e.message());
    };
}

void Session::drop_connection() {
    if (!conn_) return;
    ++epoch_;
    conn_->close_after_flush(timing_.drain_timeout);
    conn_.reset();
    connecting_ = false;
    in_.clear();
}

void Session::do_read() {
    auto conn = conn_;
    conn->socket.async_read_some(asio::buffer(chunk_),
                                 [self = shared_from_this(), conn, epoch = epoch_](const error_code& ec, size_t n) {
                                     self->on_read(ec, n, epoch);
                                 });
}

void Session::on_read(const error_code& ec, size_t n, uint64_t epoch) {
    if (ec == asio::error::operation_aborted || epoch != epoch_ || !owner_) return;
    if (ec) {
        last_error_ = ec == asio::error::eof ? "connection closed by the peer" : "read: " + ec.message();
        handle(Event::TcpConnectionFails);
        return;
    }
    in_.insert(in_.end(), chunk_.begin(), chunk_.begin() + static_cast<std::ptrdiff_t>(n));
    size_t used = 0;
    read_time_ = std::chrono::steady_clock::now();
    struct ClearReadTime {
        std::optional<std::chrono::steady_clock::time_point>& t;
        ~ClearReadTime() { t.reset(); }
    } clear_read_time{read_time_};
    while (epoch == epoch_ && owner_) {
        wire::Bytes rest(in_.data() + used, in_.size() - used);
        wire::DecodeError err;
        auto f = wire::frame(rest, ctx_, &err);
        if (f.status == wire::Frame::need_more) break;
        if (f.status == wire::Frame::error) {
            last_error_ = std::string("bad message header: ") + err.reason;
            handle(Event::BGPHeaderErr, wire::to_notification(err));
            return;
        }
        auto bytes = rest.first(f.length);
        used += f.length;
        if (f.type == wire::MessageType::update) {
            // frame() has checked the header: the body goes to the reused Update.
            if (auto e = updates_.decode(bytes.subspan(wire::header_size), ctx_)) decode_failed(f.type, *e);
            else process_update(updates_.update());
            continue;
        }
        auto r = wire::decode(bytes, ctx_);
        if (!wire::ok(r)) {
            decode_failed(f.type, std::get<wire::DecodeError>(r));
        } else {
            process(std::get<wire::Message>(r), f.type);
        }
    }
    if (epoch != epoch_ || !owner_) return;
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(used));
    do_read();
}

void Session::decode_failed(wire::MessageType type, const wire::DecodeError& e) {
    last_error_ = std::string("malformed message: ") + e.reason;
    auto n = wire::to_notification(e);
    if (e.code == wire::err::header) {
        handle(Event::BGPHeaderErr, std::move(n));
        return;
    }
    switch (type) {
    case wire::MessageType::open:
        count(received_, type);
        handle(Event::BGPOpenMsgErr, std::move(n));
        break;
    case wire::MessageType::notification:
        // Never answer a NOTIFICATION with one (RFC 4271 6.4).
        count(received_, type);
        last_error_ = "received a malformed NOTIFICATION";
        handle(Event::NotifMsg);
        break;
    case wire::MessageType::update:
    case wire::MessageType::route_refresh:
        count(received_, type);
        handle(Event::UpdateMsgErr, std::move(n));
        break;
    case wire::MessageType::keepalive:
        handle(Event::BGPHeaderErr, std::move(n));
        break;
    }
}

void Session::process_update(wire::Update& u) {
    count(received_, wire::MessageType::update);
    current_update_ = &u;
    handle(Event::UpdateMsg);
    current_update_ = nullptr;
}

// Every message but UPDATE (process_update).
void Session::process(const wire::Message& m, wire::MessageType type) {
    count(received_, type);
    if (auto* o = std::get_if<wire::Open>(&m)) {
        process_open(*o);
    } else if (auto* n = std::get_if<wire::Notification>(&m)) {
        notif_received_ = NotificationRecord{*n, std::chrono::system_clock::now()};
        last_error_ = "received NOTIFICATION " + n->describe();
        if (auto msg = n->shutdown_message(); msg && !msg->empty()) last_error_ += ": \"" + *msg + "\"";
        log::log_peer(cfg_.address, log::Level::warning, "{}", last_error_);
        bool version = n->code == wire::err::open && n->subcode == wire::err::unsupported_version;
        handle(version ? Event::NotifMsgVerErr : Event::NotifMsg);
    } else if (std::holds_alternative<wire::Keepalive>(m)) {
        handle(Event::KeepAliveMsg);
    } else if (auto* r = std::get_if<wire::RouteRefresh>(&m)) {
        // RFC 2918 4: ignored unless the capability was negotiated.
        if (state_ == State::established && negotiated_ && negotiated_->route_refresh && owner_)
            owner_->on_route_refresh(*this, *r);
    }
}

void Session::process_open(const wire::Open& o) {
    bool expecting = state_ == State::open_sent ||
                     ((state_ == State::connect || state_ == State::active) && delay_open_.running);
    if (!expecting) {
        handle(Event::BGPOpen);  // the FSM calls it an error in this state
        return;
    }
    wire::Open ours = sent_open_ ? *sent_open_ : make_open(local_, cfg_);
    auto r = negotiate(local_, cfg_, ours, o);
    if (auto* n = std::get_if<wire::Notification>(&r)) {
        last_error_ = "unacceptable OPEN: " + n->describe();
        if (n->subcode == wire::err::bad_peer_as)
            last_error_ += fmt::format(" (AS {}, expected {})", o.asn(), cfg_.remote_as);
        handle(Event::BGPOpenMsgErr, *n);
        return;
    }
    peer_open_ = o;
    negotiated_ = std::get<Negotiated>(r);
    ctx_ = negotiated_->context;
    if (owner_ && owner_->on_open(*this, o)) {
        collision_dump();
        return;
    }
    handle(delay_open_.running ? Event::BGPOpen_with_DelayOpenTimer_running : Event::BGPOpen);
}

void Session::queue(std::shared_ptr<const wire::Buffer> bytes) {
    if (!conn_ || connecting_) return;
    conn_->send(std::move(bytes));
}

size_t Session::queued_bytes() const { return conn_ && !connecting_ ? conn_->queued() : 0; }

void Session::send(std::shared_ptr<const wire::Buffer> message, wire::MessageType type) {
    if (state_ != State::established) return;
    count(sent_, type);
    queue(std::move(message));
}

void Session::send(const wire::Message& m) {
    wire::Buffer b;
    wire::encode(m, ctx_, b);
    auto type = static_cast<wire::MessageType>(m.index() + 1);
    send(std::make_shared<const wire::Buffer>(std::move(b)), type);
}

void Session::count(MessageCounters& c, wire::MessageType t) {
    switch (t) {
    case wire::MessageType::open: ++c.open; break;
    case wire::MessageType::update: ++c.update; break;
    case wire::MessageType::notification: ++c.notification; break;
    case wire::MessageType::keepalive: ++c.keepalive; break;
    case wire::MessageType::route_refresh: ++c.route_refresh; break;
    }
}

}  // namespace moat::bgp
