// rtrlib glue: per-cache socket holders, the callback queue and the owner's
// drain and batch-per-sync step.
#include "rtr/rtrlib_source.hpp"

#include "rtr/rtrlib_alloc.hpp"
#include "rtr/tls_transport.hpp"

#include <rtrlib/rtrlib.h>

#include <algorithm>
#include <atomic>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <type_traits>

namespace moat::rtr {

std::string_view to_string(CacheConfig::Transport t) {
    switch (t) {
        case CacheConfig::Transport::tcp: return "tcp";
        case CacheConfig::Transport::ssh: return "ssh";
        case CacheConfig::Transport::tls: return "tls";
    }
    return "tcp";
}

namespace {

// RFC 8210 defaults, used when the configuration leaves an interval unset.
constexpr unsigned default_refresh = 3600, default_retry = 600, default_expire = 7200;

// The pfx callback has no user pointer but carries the record's rtr_socket:
// the socket is the first member of a standard-layout holder that knows its
// owner and index.
struct SocketHolder {
    rtr_socket sock;
    tr_socket tr;
    RtrlibSource::Impl* owner;
    size_t index;
    rtr_socket_state last_state;  // touched on the socket's thread only
};
static_assert(std::is_standard_layout_v<SocketHolder>);

Vrp to_vrp(const pfx_record& r) {
    Vrp v;
    v.asn = r.asn;
    v.max_length = r.max_len;
    v.prefix.len = r.min_len;
    if (r.prefix.ver == LRTR_IPV4) {
        uint32_t a = r.prefix.u.addr4.addr;  // host order
        for (int i = 0; i < 4; ++i) v.prefix.addr[static_cast<size_t>(i)] = static_cast<uint8_t>(a >> (24 - 8 * i));
    } else {
        v.prefix.v6 = true;
        for (int w = 0; w < 4; ++w) {
            uint32_t a = r.prefix.u.addr6.addr[w];  // host order, most significant word first
            for (int i = 0; i < 4; ++i)
                v.prefix.addr[static_cast<size_t>(w * 4 + i)] = static_cast<uint8_t>(a >> (24 - 8 * i));
        }
    }
    return v;
}

std::string_view socket_state_name(rtr_socket_state s) {
    switch (s) {
        case RTR_CONNECTING: return "connecting";
        case RTR_ESTABLISHED: return "established";
        case RTR_RESET:
        case RTR_SYNC: return "syncing";
        case RTR_FAST_RECONNECT: return "reconnecting";
        case RTR_ERROR_NO_DATA_AVAIL: return "error";
        case RTR_ERROR_NO_INCR_UPDATE_AVAIL: return "syncing";
        case RTR_ERROR_FATAL: return "error";
        case RTR_ERROR_TRANSPORT: return "down";
        case RTR_SHUTDOWN:
        case RTR_CLOSED: return "standby";
    }
    return "unknown";
}

std::string_view socket_error_text(rtr_socket_state s) {
    switch (s) {
        case RTR_ERROR_NO_DATA_AVAIL: return "cache has no data available";
        case RTR_ERROR_FATAL: return "fatal RTR protocol error";
        case RTR_ERROR_TRANSPORT: return "transport error (connect, read or write failed)";
        default: return {};
    }
}

}  // namespace

struct RtrlibSource::Impl {
    // A socket's own state change (socket set), or its group's status (group set).
    struct StateEvent {
        size_t records_before;  // records queued before it (set under the lock)
        size_t socket;
        bool is_group;
        rtr_socket_state state;
        rtr_mgr_status group_status;
        uint32_t serial;
        uint32_t session_id;
        unsigned expire_s;
        bool synced;  // last_update != 0
    };
    struct CacheState {
        std::string state = "standby";
        std::string last_error;
        std::optional<uint32_t> serial, session_id;
        bool group_active = false;
        std::optional<Clock::time_point> last_sync;  // steady, for expiry
        unsigned expire_s = 0;                       // in force (configured or from the cache)
        std::optional<std::chrono::system_clock::time_point> last_update;
        std::vector<VrpChange> pending;  // records of a sync not yet ended
        Clock::time_point first_pending{};
        bool syncing = false;  // the socket is in RESET or SYNC: its records wait for the end
    };

    RtrConfig config;
    Notifier notify;

    // rtrlib objects (owner thread only)
    std::vector<std::unique_ptr<SocketHolder>> holders;
    std::vector<std::vector<rtr_socket*>> group_sockets;
    std::vector<rtr_mgr_group> groups;
    rtr_mgr_config* mgr = nullptr;
    std::atomic<bool> stopping{false};

    // Shared with rtrlib threads.
    std::mutex mutex;
    std::vector<VrpChange> queue;  // VrpChange::source is the cache index
    std::vector<StateEvent> events;
    bool wake_pending = false;

    // Owner thread.
    std::vector<CacheState> caches;
    bool in_sync = false;

    void wake() {
        if (notify) notify();
    }

    void on_record(size_t socket, const pfx_record& r, bool added) {
        if (stopping.load(std::memory_order_acquire)) return;
        bool w;
        {
            std::lock_guard lock(mutex);
            queue.push_back(VrpChange{to_vrp(r), static_cast<uint8_t>(socket), added});
            w = !wake_pending;
            wake_pending = true;
        }
        if (w) wake();
    }

    void on_state(StateEvent e) {
        if (stopping.load(std::memory_order_acquire)) return;
        {
            std::lock_guard lock(mutex);
            e.records_before = queue.size();
            events.push_back(e);
            wake_pending = true;
        }
        wake();  // state changes are rare: always wake
    }

    static void pfx_callback(pfx_table*, const pfx_record record, const bool added) {
        if (!record.socket) return;
        const auto* h = reinterpret_cast<const SocketHolder*>(record.socket);
        h->owner->on_record(h->index, record, added);
    }

    // rtr_mgr reports group status changes only (not, for instance, the
    // end of each later sync): it tells which group is in use.
    static void status_callback(const rtr_mgr_group* group, rtr_mgr_status status, const rtr_socket*, void* data) {
        auto* self = static_cast<Impl*>(data);
        if (!group) return;
        for (unsigned i = 0; i < group->sockets_len; ++i) {
            const auto* h = reinterpret_cast<const SocketHolder*>(group->sockets[i]);
            self->on_state(StateEvent{0, h->index, true, RTR_CLOSED, status, 0, 0, 0, false});
        }
    }

    // Interposed in front of rtr_mgr's own socket state callback: sees every
    // state change of the socket, on the socket's own thread, right after the
    // serial of a finished sync is stored, so reading the socket is safe here.
    static void socket_state_callback(const rtr_socket* sock, const rtr_socket_state state, void* config,
                                      void* group) {
        // The holder (and the socket in it) is ours and not const.
        auto* h = const_cast<SocketHolder*>(reinterpret_cast<const SocketHolder*>(sock));
        Impl* self = h->owner;
        if (state == RTR_SHUTDOWN) {
            // Comes from rtr_stop() on another thread while the socket's own
            // thread may still run: touch nothing of the socket.
            self->on_state(StateEvent{0, h->index, false, state, RTR_MGR_CLOSED, 0, 0, 0, false});
            if (self->mgr_state_fp) self->mgr_state_fp(sock, state, config, group);
            return;
        }
        // rtrlib 0.8 answers a failed Serial Query (e.g. "Session ID
        // mismatch" from a cache that restarted with a new session) with
        // ERROR_FATAL and then retries the same Serial Query forever, until
        // the expire interval purges the set. RFC 8210 5.10/8 wants a Reset
        // Query: ask for one on the next connect. Safe here: this runs on the
        // socket's own thread, which is the only one reading these fields.
        if (state == RTR_ERROR_FATAL && h->last_state == RTR_SYNC) {
            h->sock.request_session_id = true;
            h->sock.serial_number = 0;
        }
        h->last_state = state;
        self->on_state(StateEvent{0, h->index, false, state, RTR_MGR_CLOSED, sock->serial_number, sock->session_id,
                                  sock->expire_interval, sock->last_update != 0});
        if (self->mgr_state_fp) self->mgr_state_fp(sock, state, config, group);
    }
    rtr_connection_state_fp mgr_state_fp = nullptr;

    bool start(std::string& error);
    void stop();
    void flush(size_t socket, VrpSource::Update& out);
};

bool RtrlibSource::Impl::start(std::string& error) {
    if (mgr) return true;
    if (config.caches.empty()) {
        error = "no RTR cache configured";
        return false;
    }
    // Order caches by preference; equal preferences share a group.
    std::vector<size_t> order(config.caches.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return config.caches[a].preference < config.caches[b].preference; });
    holders.clear();
    holders.resize(config.caches.size());
    caches.assign(config.caches.size(), CacheState{});
    for (size_t i = 0; i < config.caches.size(); ++i) {
        const CacheConfig& c = config.caches[i];
        auto h = std::make_unique<SocketHolder>();
        h->sock = rtr_socket{};
        h->tr = tr_socket{};
        h->owner = this;
        h->index = i;
        h->last_state = RTR_CLOSED;
        std::string port = std::to_string(c.port);
        int rc = TR_ERROR;
        switch (c.transport) {
            case CacheConfig::Transport::tcp: {
                tr_tcp_config tcp{};
                tcp.host = const_cast<char*>(c.host.c_str());
                tcp.port = port.data();
                tcp.bindaddr = c.bind_address.empty() ? nullptr : const_cast<char*>(c.bind_address.c_str());
                tcp.connect_timeout = c.connect_timeout_s;
                rc = tr_tcp_init(&tcp, &h->tr);
                break;
            }
            case CacheConfig::Transport::ssh: {
                tr_ssh_config ssh{};
                ssh.host = const_cast<char*>(c.host.c_str());
                ssh.port = c.port;
                ssh.bindaddr = c.bind_address.empty() ? nullptr : const_cast<char*>(c.bind_address.c_str());
                ssh.username = const_cast<char*>(c.ssh_user.c_str());
                ssh.server_hostkey_path = c.ssh_host_key.empty() ? nullptr : const_cast<char*>(c.ssh_host_key.c_str());
                ssh.client_privkey_path = const_cast<char*>(c.ssh_key.c_str());
                ssh.connect_timeout = c.connect_timeout_s;
                rc = tr_ssh_init(&ssh, &h->tr);
                break;
            }
            case CacheConfig::Transport::tls: {
                TlsTransportConfig tls;
                tls.host = c.host;
                tls.port = port;
                tls.ca_file = c.tls_ca;
                tls.server_name = c.tls_server_name;
                tls.bind_address = c.bind_address;
                tls.connect_timeout_s = c.connect_timeout_s;
                rc = tls_transport_init(tls, &h->tr);
                break;
            }
        }
        if (rc != TR_SUCCESS) {
            error = fmt::format("cannot set up the {} transport to {}:{}", to_string(c.transport), c.host, c.port);
            for (auto& done : holders)
                if (done && done->tr.free_fp) done->tr.free_fp(&done->tr);
            holders.clear();
            return false;
        }
        h->sock.tr_socket = &h->tr;
        holders[i] = std::move(h);
    }
    group_sockets.clear();
    groups.clear();
    for (size_t k = 0; k < order.size();) {
        uint8_t pref = config.caches[order[k]].preference;
        std::vector<rtr_socket*> socks;
        for (; k < order.size() && config.caches[order[k]].preference == pref; ++k)
            socks.push_back(&holders[order[k]]->sock);
        group_sockets.push_back(std::move(socks));
        rtr_mgr_group grp{};
        grp.preference = pref;
        groups.push_back(grp);
    }
    for (size_t g = 0; g < groups.size(); ++g) {  // group_sockets no longer grows: pointers stay valid
        groups[g].sockets = group_sockets[g].data();
        groups[g].sockets_len = static_cast<unsigned>(group_sockets[g].size());
    }
    unsigned refresh = config.refresh_s.value_or(default_refresh);
    unsigned retry = config.retry_s.value_or(default_retry);
    unsigned expire = config.expire_s.value_or(default_expire);
    if (refresh < 1 || refresh > 86400 || retry < 1 || retry > 7200 || expire < 600 || expire > 172800) {
        error = fmt::format("RTR intervals out of range: refresh {} s (1..86400), retry {} s (1..7200), "
                            "expire {} s (600..172800)",
                            refresh, retry, expire);
        for (auto& h : holders)
            if (h && h->tr.free_fp) h->tr.free_fp(&h->tr);
        holders.clear();
        return false;
    }
    stopping.store(false);
    int rc = rtr_mgr_init(&mgr, groups.data(), static_cast<unsigned>(groups.size()), refresh, expire, retry,
                          &Impl::pfx_callback, nullptr, &Impl::status_callback, this);
    if (rc != RTR_SUCCESS || !mgr) {
        error = fmt::format("rtrlib refused the cache configuration (refresh {} s, retry {} s, expire {} s: "
                            "ranges 1..86400, 1..7200, 600..172800)",
                            refresh, retry, expire);
        for (auto& h : holders)
            if (h && h->tr.free_fp) h->tr.free_fp(&h->tr);
        holders.clear();
        mgr = nullptr;
        return false;
    }
    if (config.refresh_s || config.retry_s || config.expire_s)
        for (auto& h : holders) rtr_set_interval_mode(&h->sock, RTR_INTERVAL_MODE_IGNORE_ANY);
    mgr_state_fp = holders[0]->sock.connection_state_fp;
    for (auto& h : holders) h->sock.connection_state_fp = &Impl::socket_state_callback;
    for (size_t i = 0; i < caches.size(); ++i) caches[i].state = "standby";
    if (rtr_mgr_start(mgr) != RTR_SUCCESS) {
        error = "rtrlib could not start its socket threads";
        stop();
        return false;
    }
    return true;
}

void RtrlibSource::Impl::stop() {
    if (!mgr) return;
    stopping.store(true, std::memory_order_release);
    rtr_mgr_stop(mgr);
    rtr_mgr_free(mgr);  // frees the transports too
    mgr = nullptr;
    {
        std::lock_guard lock(mutex);
        queue.clear();
        events.clear();
        wake_pending = false;
    }
    for (auto& c : caches) {
        c.state = "stopped";
        c.group_active = false;
        c.pending = {};
    }
}

// Hands a cache's records on as one batch: the sync that produced them has ended.
void RtrlibSource::Impl::flush(size_t socket, VrpSource::Update& out) {
    auto& c = caches[socket];
    if (c.pending.empty()) return;
    if (out.changes.empty())
        out.changes = std::move(c.pending);
    else
        out.changes.insert(out.changes.end(), c.pending.begin(), c.pending.end());
    c.pending = {};
    c.last_update = std::chrono::system_clock::now();
}

RtrlibSource::RtrlibSource(RtrConfig config, Notifier notify) : impl_(std::make_unique<Impl>()) {
    use_compact_rtrlib_allocator();  // before rtrlib allocates anything of ours
    impl_->config = std::move(config);
    impl_->notify = std::move(notify);
    impl_->caches.assign(impl_->config.caches.size(), Impl::CacheState{});
}

RtrlibSource::~RtrlibSource() { impl_->stop(); }

bool RtrlibSource::start(std::string& error) { return impl_->start(error); }

void RtrlibSource::stop() { impl_->stop(); }

const RtrConfig& RtrlibSource::config() const { return impl_->config; }

unsigned RtrlibSource::slots() const { return static_cast<unsigned>(impl_->config.caches.size()); }

bool RtrlibSource::in_sync() const { return impl_->in_sync; }

VrpSource::Poll RtrlibSource::poll(Clock::time_point now, Update& out) {
    Impl& m = *impl_;
    Poll p;
    if (!m.mgr) {  // stopped: the last set stays until the source is removed, but it is not in sync
        m.in_sync = false;
        return p;
    }
    // Checked before draining: every record of a complete set was queued
    // before rtrlib marked the set complete.
    bool mgr_sync = rtr_mgr_conf_in_sync(m.mgr);
    std::vector<VrpChange> records;
    std::vector<Impl::StateEvent> events;
    {
        std::lock_guard lock(m.mutex);
        records.swap(m.queue);
        events.swap(m.events);
        m.wake_pending = false;
    }
    // Records and state changes in arrival order: each record joins its
    // cache's pending batch; a state change of a cache ends its batch.
    size_t next_record = 0;
    auto take_records = [&](size_t upto) {
        for (; next_record < upto && next_record < records.size(); ++next_record) {
            const VrpChange& r = records[next_record];
            if (r.source >= m.caches.size()) continue;
            auto& c = m.caches[r.source];
            if (c.pending.empty()) c.first_pending = now;
            c.pending.push_back(r);
        }
    };
    auto now_sys = std::chrono::system_clock::now();
    for (const auto& e : events) {
        take_records(e.records_before);
        if (e.socket >= m.caches.size()) continue;
        auto& c = m.caches[e.socket];
        if (e.is_group) {
            c.group_active = e.group_status == RTR_MGR_ESTABLISHED;
            if (e.group_status == RTR_MGR_CLOSED) c.state = "standby";
            continue;
        }
        m.flush(e.socket, out);
        c.syncing = e.state == RTR_RESET || e.state == RTR_SYNC;
        // rtrlib goes straight from an error to "connecting" and then sleeps
        // the retry interval: keep showing the failure until it recovers.
        bool failed = c.state == "down" || c.state == "error";
        if (!(failed && e.state == RTR_CONNECTING)) c.state = std::string(socket_state_name(e.state));
        if (e.expire_s) c.expire_s = e.expire_s;
        if (e.synced) {
            c.serial = e.serial;
            c.session_id = e.session_id;
        }
        if (e.state == RTR_ESTABLISHED && e.synced) {
            c.last_sync = now;
            if (!c.last_update) c.last_update = now_sys;
        }
        auto err = socket_error_text(e.state);
        if (!err.empty())
            c.last_error = fmt::format("{:%Y-%m-%d %H:%M:%S} UTC {}", fmt::gmtime(std::chrono::system_clock::to_time_t(now_sys)), err);
    }
    take_records(records.size());
    // The guard: records with no state change after them for max_delay,
    // unless a sync is running (a first sync of 800k VRPs takes seconds: it
    // must arrive whole).
    bool pending = false;
    for (size_t s = 0; s < m.caches.size(); ++s) {
        auto& c = m.caches[s];
        if (c.pending.empty()) continue;
        if (!c.syncing && now >= c.first_pending + m.config.max_delay) {
            m.flush(s, out);
        } else {
            pending = true;
            p.next = std::min(p.next, c.first_pending + m.config.max_delay);
        }
    }
    // Entering sync needs every batch handed on; staying in sync only needs rtrlib's word.
    bool sync = mgr_sync && (m.in_sync || !pending);
    m.in_sync = sync;
    return p;
}

std::vector<SourceStatus> RtrlibSource::status() const {
    const Impl& m = *impl_;
    std::vector<SourceStatus> out;
    auto now = Clock::now();
    for (size_t i = 0; i < m.config.caches.size(); ++i) {
        const CacheConfig& c = m.config.caches[i];
        const auto& st = m.caches[i];
        unsigned expire = st.expire_s ? st.expire_s : m.config.expire_s.value_or(default_expire);
        SourceStatus s;
        s.type = std::string(to_string(c.transport));
        s.where = c.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", c.host, c.port)
                                                        : fmt::format("{}:{}", c.host, c.port);
        s.state = st.state;
        s.preference = c.preference;
        s.active = st.group_active;
        s.serial = st.serial;
        s.session_id = st.session_id;
        s.last_update = st.last_update;
        s.last_error = st.last_error;
        bool up = st.state == "established" || st.state == "syncing";
        if (!up && st.last_sync && now - *st.last_sync > std::chrono::seconds(expire)) {
            s.state = "expired";
            s.last_error = fmt::format("no successful sync for more than the expire interval ({} s): "
                                       "its VRPs are withdrawn",
                                       expire);
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace moat::rtr
