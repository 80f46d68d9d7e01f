// RTR caches: a thread a cache over its transport, the groups' failover and
// the owner's drain.
#include "rtr/rtr_client.hpp"

#include "rtr/rtr_protocol.hpp"
#include "rtr/tls_transport.hpp"

extern "C" {  // rtrlib's transport headers do not say it themselves
#include <rtrlib/transport/ssh/ssh_transport.h>
#include <rtrlib/transport/tcp/tcp_transport.h>
#include <rtrlib/transport/transport.h>
}

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <mutex>
#include <pthread.h>
#include <thread>

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

using SysClock = std::chrono::system_clock;

// The signal that interrupts a cache thread's blocking read for a stop.
int wake_signal() { return SIGRTMIN; }

void install_wake_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa{};
        sa.sa_handler = [](int) {};
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns EINTR
        sigaction(wake_signal(), &sa, nullptr);
    });
}

std::string stamped(std::string_view text) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC {}", fmt::gmtime(SysClock::to_time_t(SysClock::now())), text);
}

std::string where(const CacheConfig& c) {
    return c.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", c.host, c.port)
                                                 : fmt::format("{}:{}", c.host, c.port);
}

// Sets up `tr` for the cache's transport; false if the transport refused.
bool init_transport(const CacheConfig& c, tr_socket& tr) {
    std::string port = std::to_string(c.port);
    int rc = TR_ERROR;
    switch (c.transport) {
        case CacheConfig::Transport::tcp: {
            tr_tcp_config tcp{};
            tcp.host = const_cast<char*>(c.host.c_str());
            tcp.port = port.data();
            tcp.bindaddr = c.bind_address.empty() ? nullptr : const_cast<char*>(c.bind_address.c_str());
            tcp.connect_timeout = c.connect_timeout_s;
            rc = tr_tcp_init(&tcp, &tr);  // copies the strings
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
            rc = tr_ssh_init(&ssh, &tr);
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
            rc = tls_transport_init(tls, &tr);
            break;
        }
    }
    return rc == TR_SUCCESS;
}

}  // namespace

struct RtrClient::Impl {
    // What a finished sync hands on: a complete set, or changes.
    struct Batch {
        std::optional<std::vector<Vrp>> full;
        std::vector<VrpChange> changes;
    };
    struct Cache {
        CacheConfig config;
        size_t group = 0;
        tr_socket tr{};
        bool tr_ready = false;
        std::thread thread;
        std::atomic<bool> done{false};
        // Under Impl::mutex.
        std::string state = "standby";
        std::string last_error;
        std::optional<uint32_t> serial, session_id;
        uint8_t version = RtrSession::max_version;
        unsigned expire_s = 0;
        std::optional<Clock::time_point> last_sync;
        std::optional<SysClock::time_point> last_update;
        bool healthy = false;  // connected, and this connection's first sync has ended
        bool has_set = false;  // a complete set was handed on and has not been purged since
        bool failed = false;   // the last attempt failed, and no sync has ended since
        std::deque<Batch> batches;
    };

    RtrConfig config;
    Notifier notify;
    std::vector<std::unique_ptr<Cache>> caches;
    size_t groups = 0;
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::atomic<bool> stopping{false};  // written under the mutex
    bool running = false;
    bool in_sync = false;  // owner thread

    void wake() {
        if (notify) notify();
    }
    // Under the mutex. A group runs while every more preferred group has failed.
    bool wanted(size_t group) const {
        for (size_t g = 0; g < group; ++g) {
            bool failed = false;
            for (const auto& c : caches)
                if (c->group == g && c->failed) failed = true;
            if (!failed) return false;
        }
        return true;
    }
    // Every cache of the group holds a set (connected or not, until it expires).
    bool group_has_set(size_t group) const {
        for (const auto& c : caches)
            if (c->group == group && !c->has_set) return false;
        return true;
    }
    RtrIntervals intervals(const RtrSession& s) const {
        RtrIntervals i = s.cache_intervals().value_or(RtrIntervals{});
        if (config.refresh_s) i.refresh = *config.refresh_s;
        if (config.retry_s) i.retry = *config.retry_s;
        if (config.expire_s) i.expire = *config.expire_s;
        return i;
    }

    void run(Cache& c);
    bool start(std::string& error);
    void stop();
};

// One cache's thread: connect while its group is wanted, sync, keep the
// session, hand every finished sync on; standby otherwise.
void RtrClient::Impl::run(Cache& c) {
    RtrSession session;
    bool holds = false;  // VRPs of this cache are in the set (or on their way)
    std::optional<Clock::time_point> synced_at;
    std::vector<uint8_t> buf(64 * 1024);

    // Everything below that touches the shared fields does it through this,
    // then wakes the owner (and the other threads: failover may follow).
    auto publish = [&](auto&& change) {
        {
            std::lock_guard lock(mutex);
            change();
            c.serial = session.serial();
            c.session_id = session.session_id();
            c.version = session.version();
            c.expire_s = intervals(session).expire;
        }
        cv.notify_all();
        wake();
    };
    auto purge = [&](std::string_view why_state) {
        session.forget();
        publish([&] {
            if (holds) c.batches.push_back(Batch{std::vector<Vrp>{}, {}});
            c.has_set = false;
            c.state = std::string(why_state);
        });
        holds = false;
        synced_at.reset();
    };
    auto expired = [&](Clock::time_point now) {
        return holds && synced_at && now - *synced_at >= std::chrono::seconds(intervals(session).expire);
    };
    auto fail = [&](std::string_view state, std::string_view text) {
        publish([&] {
            c.healthy = false;
            c.failed = true;
            c.state = std::string(state);
            c.last_error = stamped(text);
        });
    };

    for (;;) {
        {
            std::unique_lock lock(mutex);
            if (!stopping && !wanted(c.group)) {
                lock.unlock();
                if (holds || session.session_id()) purge("standby");
                publish([&] { c.state = "standby"; c.failed = false; });
                lock.lock();
                cv.wait(lock, [&] { return stopping || wanted(c.group); });
            }
            if (stopping) return;
            // After a failure the failure stays shown until a sync succeeds.
            if (!c.failed) c.state = "connecting";
        }
        wake();
        RtrIntervals iv = intervals(session);
        if (c.tr.open_fp(c.tr.socket) != TR_SUCCESS) {
            fail("down", fmt::format("transport error: cannot connect to {} over {}", where(c.config),
                                     to_string(c.config.transport)));
        } else {
            RtrSession::Output out;
            session.connected(out);
            publish([&] {
                if (!c.failed) c.state = "syncing";
            });
            Clock::time_point refresh_at = Clock::time_point::max();
            Clock::time_point answer_by = Clock::now() + config.answer_timeout;
            bool reconnect_now = false;
            for (;;) {
                // Write what the session wants sent.
                bool write_ok = true;
                for (size_t at = 0; at < out.send.size();) {
                    int n = c.tr.send_fp(c.tr.socket, out.send.data() + at, out.send.size() - at, 5);
                    if (n == TR_INTR || n == TR_WOULDBLOCK) {
                        if (stopping) break;
                        continue;
                    }
                    if (n <= 0) {
                        write_ok = false;
                        break;
                    }
                    at += static_cast<size_t>(n);
                }
                const auto now = Clock::now();
                if (!out.send.empty()) answer_by = now + config.answer_timeout;
                // Hand on what ended.
                if (out.full || !out.changes.empty() || out.synced) {
                    iv = intervals(session);
                    synced_at = now;
                    refresh_at = now + std::chrono::seconds(iv.refresh);
                    publish([&] {
                        if (out.full) c.batches.push_back(Batch{std::move(out.full), {}});
                        if (!out.changes.empty()) c.batches.push_back(Batch{std::nullopt, std::move(out.changes)});
                        c.healthy = true;
                        c.has_set = true;
                        c.failed = false;
                        c.state = "established";
                        c.last_sync = now;
                        c.last_update = SysClock::now();
                    });
                    holds = true;
                }
                if (out.close) {
                    reconnect_now = out.reconnect_now;
                    if (reconnect_now)  // a new version or session: not a failure of the cache
                        publish([&] {
                            c.healthy = false;
                            c.state = "syncing";
                            c.last_error = stamped(out.error);
                        });
                    else
                        fail("error", out.error);
                    break;
                }
                if (!write_ok) {
                    fail("down", "transport error: cannot write to the cache");
                    break;
                }
                out = RtrSession::Output{};
                {
                    std::lock_guard lock(mutex);
                    if (stopping || !wanted(c.group)) break;
                }
                if (!session.busy() && now >= refresh_at) {
                    session.refresh(out);
                    continue;
                }
                if (session.busy() && now >= answer_by) {
                    fail("down", fmt::format("transport error: no answer from the cache for {} s",
                                             config.answer_timeout.count()));
                    break;
                }
                int n = c.tr.recv_fp(c.tr.socket, buf.data(), buf.size(), 1);
                if (n == TR_WOULDBLOCK || n == TR_INTR) continue;
                if (n <= 0) {
                    fail("down", n == TR_CLOSED || n == 0 ? "transport error: the cache closed the connection"
                                                          : "transport error: cannot read from the cache");
                    break;
                }
                answer_by = Clock::now() + config.answer_timeout;
                session.receive(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), out);
            }
            c.tr.close_fp(c.tr.socket);
            session.disconnected();
            publish([&] { c.healthy = false; });
            if (reconnect_now) continue;
        }
        // Wait the retry interval (or until the data expires, or a stop).
        {
            std::unique_lock lock(mutex);
            if (stopping) return;
            if (!wanted(c.group)) continue;  // standby at the top of the loop
        }
        auto until = Clock::now() + std::chrono::seconds(iv.retry);
        if (holds && synced_at) until = std::min(until, *synced_at + std::chrono::seconds(iv.expire));
        {
            std::unique_lock lock(mutex);
            cv.wait_until(lock, until, [&] { return stopping || !wanted(c.group); });
            if (stopping) return;
        }
        if (expired(Clock::now())) purge("expired");
    }
}

bool RtrClient::Impl::start(std::string& error) {
    if (running) return true;
    if (config.caches.empty()) {
        error = "no RTR cache configured";
        return false;
    }
    RtrIntervals check;
    check.refresh = config.refresh_s.value_or(check.refresh);
    check.retry = config.retry_s.value_or(check.retry);
    check.expire = config.expire_s.value_or(check.expire);
    if (!check.valid()) {
        error = fmt::format("RTR intervals out of range: refresh {} s (1..86400), retry {} s (1..7200), "
                            "expire {} s (600..172800)",
                            check.refresh, check.retry, check.expire);
        return false;
    }
    // Groups by preference, most preferred first.
    std::vector<uint8_t> prefs;
    for (const auto& c : caches) prefs.push_back(c->config.preference);
    std::sort(prefs.begin(), prefs.end());
    prefs.erase(std::unique(prefs.begin(), prefs.end()), prefs.end());
    groups = prefs.size();
    for (auto& c : caches) {
        c->group = static_cast<size_t>(std::find(prefs.begin(), prefs.end(), c->config.preference) - prefs.begin());
        if (!init_transport(c->config, c->tr)) {
            error = fmt::format("cannot set up the {} transport to {}", to_string(c->config.transport),
                                where(c->config));
            for (auto& d : caches)
                if (d->tr_ready) {
                    d->tr.free_fp(&d->tr);
                    d->tr_ready = false;
                }
            return false;
        }
        c->tr_ready = true;
    }
    install_wake_handler();
    stopping = false;
    running = true;
    for (auto& c : caches) {
        Cache* cache = c.get();
        cache->done = false;
        cache->thread = std::thread([this, cache] {
            run(*cache);
            cache->done = true;
        });
        pthread_setname_np(cache->thread.native_handle(), "moat-rtr");
    }
    return true;
}

void RtrClient::Impl::stop() {
    if (!running) return;
    {
        std::lock_guard lock(mutex);
        stopping = true;
    }
    cv.notify_all();
    for (auto& c : caches) {
        // The signal interrupts a blocking read; one sent just before the
        // thread blocks is lost, so repeat until it has left.
        while (!c->done.load()) {
            pthread_kill(c->thread.native_handle(), wake_signal());
            for (int i = 0; i < 20 && !c->done.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        c->thread.join();
        if (c->tr_ready) {
            c->tr.free_fp(&c->tr);
            c->tr_ready = false;
        }
    }
    running = false;
    std::lock_guard lock(mutex);
    for (auto& c : caches) {
        c->state = "stopped";
        c->healthy = false;
        c->batches.clear();
    }
}

RtrClient::RtrClient(RtrConfig config, Notifier notify) : impl_(std::make_shared<Impl>()) {
    impl_->config = std::move(config);
    impl_->notify = std::move(notify);
    for (const auto& c : impl_->config.caches) {
        auto cache = std::make_unique<Impl::Cache>();
        cache->config = c;
        impl_->caches.push_back(std::move(cache));
    }
}

RtrClient::~RtrClient() { impl_->stop(); }

bool RtrClient::start(std::string& error) { return impl_->start(error); }

void RtrClient::stop() { impl_->stop(); }

const RtrConfig& RtrClient::config() const { return impl_->config; }

unsigned RtrClient::slots() const { return static_cast<unsigned>(impl_->caches.size()); }

bool RtrClient::in_sync() const { return impl_->in_sync; }

VrpSource::Poll RtrClient::poll(Clock::time_point now, Update& out) {
    Impl& m = *impl_;
    Poll p;
    if (!m.running) {  // stopped: the last set stays until the source is removed, but it is not in sync
        m.in_sync = false;
        return p;
    }
    bool up = false, left = false;
    {
        std::lock_guard lock(m.mutex);
        // In sync while some group holds a complete set: a cache that lost
        // its connection keeps its set (and origin validation keeps acting on
        // it) until the set expires.
        for (size_t g = 0; g < m.groups; ++g)
            if (m.group_has_set(g)) up = true;
        for (size_t slot = 0; slot < m.caches.size(); ++slot) {
            auto& q = m.caches[slot]->batches;
            // In order; a complete set after changes waits for the next poll,
            // since the set applies complete sets before changes.
            bool changed = false;
            while (!q.empty()) {
                auto& b = q.front();
                if (b.full) {
                    if (changed) break;
                    out.replace.emplace_back(static_cast<uint8_t>(slot), std::move(*b.full));
                } else {
                    for (auto& ch : b.changes) ch.source = static_cast<uint8_t>(slot);
                    if (out.changes.empty())
                        out.changes = std::move(b.changes);
                    else
                        out.changes.insert(out.changes.end(), b.changes.begin(), b.changes.end());
                    changed = true;
                }
                q.pop_front();
            }
            if (!q.empty()) left = true;
        }
    }
    if (left) p.next = now;
    // Entering sync needs every batch handed on; staying in sync needs a group in sync.
    m.in_sync = up && (m.in_sync || !left);
    return p;
}

std::vector<SourceStatus> RtrClient::status() const {
    const Impl& m = *impl_;
    std::vector<SourceStatus> out;
    auto now = Clock::now();
    std::lock_guard lock(m.mutex);
    for (const auto& cp : m.caches) {
        const auto& c = *cp;
        SourceStatus s;
        s.type = std::string(to_string(c.config.transport));
        s.where = where(c.config);
        s.state = c.state;
        s.preference = c.config.preference;
        s.active = c.healthy && m.wanted(c.group);
        s.serial = c.serial;
        s.session_id = c.session_id;
        s.last_update = c.last_update;
        s.last_error = c.last_error;
        unsigned expire = c.expire_s ? c.expire_s : RtrIntervals{}.expire;
        if (!c.healthy && c.last_sync && now - *c.last_sync > std::chrono::seconds(expire) && c.state != "standby") {
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
