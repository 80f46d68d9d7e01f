// The FIB: best-path changes to batched rtnetlink requests, acknowledgements
// back to per-route state.
#include "fib/fib.hpp"

#include <boost/asio/post.hpp>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <pthread.h>
#include <thread>
#include <mutex>
#include <condition_variable>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace moat::fib {

namespace asio = boost::asio;

namespace {

uint64_t key(wire::Afi afi, uint32_t dest) { return uint64_t{afi == wire::Afi::ipv6} << 32 | dest; }

}  // namespace

struct Fib::Writer {
    NetlinkSocket& nl;
    std::function<void(int)> failed;  // called on the writer's thread: only posts
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::vector<uint8_t>> queue;
    bool stopping = false;
    std::thread thread;

    Writer(NetlinkSocket& n, std::function<void(int)> f) : nl(n), failed(std::move(f)) {
        thread = std::thread([this] { run(); });
        pthread_setname_np(thread.native_handle(), "moat-fib");
    }
    // What was handed over is written before the thread ends.
    ~Writer() {
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        cv.notify_all();
        thread.join();
    }
    void push(std::vector<uint8_t> batch) {
        {
            std::lock_guard lock(mutex);
            queue.push_back(std::move(batch));
        }
        cv.notify_one();
    }
    void run() {
        std::unique_lock lock(mutex);
        for (;;) {
            cv.wait(lock, [&] { return stopping || !queue.empty(); });
            if (queue.empty()) return;  // stopping, and all written
            std::vector<uint8_t> batch = std::move(queue.front());
            queue.pop_front();
            lock.unlock();
            const bool ok = nl.send(batch.data(), batch.size());
            const int err = errno;
            if (!ok) failed(err);
            lock.lock();
        }
    }
};

Fib::Fib(asio::io_context& io, rib::Rib& rib) : io_(io), rib_(rib), nl_(io), stale_timer_(io), kernel_(io) {}

Fib::~Fib() { stop(); }

bool Fib::start(const FibConfig& config, std::string& error) {
    stop();
    config_ = config;
    counters_ = FibCounters{};
    counters_.enabled = config.enabled;
    if (!config.enabled) {
        counters_.state = "off";
        return true;
    }
    // Room for the acknowledgements of every request in flight, and more.
    if (!nl_.open(0, 8 << 20, error)) {
        counters_.state = "error";
        counters_.error = error;
        return false;
    }
    int on = 1;
    setsockopt(nl_.fd(), SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));  // acks without the request copied back
    setsockopt(nl_.fd(), SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
    alive_ = std::make_shared<bool>(true);
    counters_.state = "running";
    rib_.set_report_decided(multipath_.on());
    std::string kerr;
    if (!kernel_.start(config.target.table, config.target.protocol, kerr)) counters_.error = kerr;
    kernel_.on_change([this] { kernel_changed(); });
    dump_stale();
    writer_ = std::make_unique<Writer>(nl_, [this, alive = alive_](int err) {
        asio::post(io_, [this, alive, err] {
            if (*alive) write_failed(err);
        });
    });
    nl_.start_reading([this](const nlmsghdr* m) { handle(m); }, [this] { acks_lost(); });
    load_current();
    return true;
}

void Fib::stop() {
    if (!nl_.is_open()) return;
    *alive_ = false;
    stale_timer_.cancel();
    kernel_.stop();
    writer_.reset();  // what was handed over is written first
    // Remove what Moat installed, and what an earlier run left. The kernel
    // handles each sendmsg before it returns; the acknowledgements are not
    // waited for (the socket closes).
    std::vector<uint8_t> buf;
    auto out = [&] {
        if (!buf.empty()) send(buf);
        buf.clear();
    };
    for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        Family& f = fam(afi);
        for (uint32_t d = 0; d < f.have.size(); ++d) {
            if (!f.have[d]) continue;
            put_route(buf, RouteOp::remove, rib_.prefix_of(afi, d), nullptr, config_.target, seq_++);
            if (buf.size() + max_route_request > limits_.batch_bytes) out();
        }
    }
    for (const InFlight& r : in_flight_) {  // installs not acknowledged yet
        if (r.stale || !r.nh || fam(r.afi).have[r.dest]) continue;
        put_route(buf, RouteOp::remove, rib_.prefix_of(r.afi, r.dest), nullptr, config_.target, seq_++);
        if (buf.size() + max_route_request > limits_.batch_bytes) out();
    }
    for (const auto& p : stale_) {
        put_route(buf, RouteOp::remove, p, nullptr, config_.target, seq_++);
        if (buf.size() + max_route_request > limits_.batch_bytes) out();
    }
    out();
    nl_.close();
    for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        Family& f = fam(afi);
        for (uint32_t d = 0; d < f.want.size(); ++d)
            if (f.want[d] || (d < f.have.size() && f.have[d])) rib_.unpin(afi, d);
        f = Family{};
    }
    in_flight_.clear();
    errors_.clear();
    stale_.clear();
    groups_.clear();
    group_ids_.clear();
    gw_of_.clear();
    last_group_ = UINT32_MAX;
    rib_.set_report_decided(false);
    dumping_ = false;
    flush_posted_ = false;
    counters_.state = "off";
}

uint32_t Fib::intern(std::vector<wire::IpAddress> group) {
    std::sort(group.begin(), group.end());
    group.erase(std::unique(group.begin(), group.end()), group.end());
    std::string k;
    for (const auto& a : group) {
        k.push_back(a.v6 ? '6' : '4');
        k.append(reinterpret_cast<const char*>(a.bytes.data()), a.v6 ? 16 : 4);
    }
    auto [it, fresh] = group_ids_.try_emplace(std::move(k), static_cast<uint32_t>(groups_.size()));
    if (!fresh) return it->second;
    const uint32_t id = it->second;
    groups_.push_back(std::move(group));
    gw_of_.push_back(0);
    gw_of_[id] = resolve_group(id);
    return id;
}

uint32_t Fib::resolve_group(uint32_t id) {
    std::vector<wire::IpAddress> gws;
    for (const auto& a : groups_[id]) {
        const Resolution r = kernel_.resolve(a, false);
        if (r.resolved) gws.push_back(r.gateway);
    }
    if (gws.empty()) return 0;
    std::sort(gws.begin(), gws.end());
    gws.erase(std::unique(gws.begin(), gws.end()), gws.end());
    if (gws == groups_[id]) return id + 1;  // connected next hops: their own gateways
    return intern(std::move(gws)) + 1;
}

void Fib::set_multipath(const Multipath& m) {
    if (m == multipath_) return;
    multipath_ = m;
    rib_.set_report_decided(m.on());
    if (nl_.is_open()) load_current();
}

void Fib::kernel_changed() {
    // Every known next hop resolved again; the destinations whose gateway
    // changed are queued (the comparison with what the kernel has is flush's).
    std::vector<uint32_t> before = gw_of_;
    for (uint32_t id = 0; id < before.size(); ++id) gw_of_[id] = resolve_group(id);
    bool any = false;
    for (uint32_t id = 0; id < before.size(); ++id) any = any || before[id] != gw_of_[id];
    if (any) {
        for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
            Family& f = fam(afi);
            for (uint32_t d = 0; d < f.want.size(); ++d) {
                const uint32_t w = f.want[d];
                if (!w || (w & queued_bit) || before[w - 1] == gw_of_[w - 1]) continue;
                f.want[d] |= queued_bit;
                f.queue.push_back(d);
            }
        }
        schedule();
    }
    if (kernel_change_) kernel_change_();
}

void Fib::changed(const std::vector<rib::BestChange>& changes) {
    for (const auto& c : changes) best_changed(c);
}

void Fib::best_changed(const rib::BestChange& c) {
    if (!nl_.is_open() || !family_on(c.afi)) return;
    uint32_t nh = 0;
    if (c.peer != rib::no_peer && c.peer != rib::local_peer && c.attrs) {
        if (multipath_.on())
            rib_.multipath(c.afi, c.dest, rib_.is_ibgp(c.peer) ? multipath_.ibgp : multipath_.ebgp, multipath_.relax,
                           mp_scratch_);
        else
            mp_scratch_.assign(1, c.attrs);
        // Reused scratch, and the last group's id: a burst of a full table
        // comes mostly from one next hop, so no allocation or hash a route.
        std::vector<wire::IpAddress>& group = group_scratch_;
        group.clear();
        for (const rib::AttrSet* a : mp_scratch_) {
            auto g = a->next_hop();
            if (g && g->afi() == c.afi && !g->is_link_local_v6()) group.push_back(*g);
        }
        if (group.size() > 1) {
            std::sort(group.begin(), group.end());
            group.erase(std::unique(group.begin(), group.end()), group.end());
        }
        if (!group.empty()) {
            if (last_group_ >= groups_.size() || groups_[last_group_] != group) last_group_ = intern(group);
            nh = last_group_ + 1;  // resolved to its gateways when sent
        } else if (!c.same) {
            ++counters_.unsupported;
        }
    }
    want(c.afi, c.dest, nh);
    schedule();
}

void Fib::want(wire::Afi afi, uint32_t dest, uint32_t nh) {
    Family& f = fam(afi);
    if (f.want.size() <= dest) {
        const size_t n = std::max<size_t>(dest + 1, f.want.size() * 3 / 2);
        f.want.resize(n, 0);
        f.have.resize(n, 0);
    }
    // A destination is held (pinned in the RIB) while it has a next hop
    // wanted, a route in the kernel, or a place in the queue.
    const uint32_t old = f.want[dest];
    const bool queued = old & queued_bit;
    const bool was_held = old || f.have[dest];
    f.want[dest] = nh | (old & queued_bit);
    const bool held = nh || queued || f.have[dest];
    if (!was_held && held) rib_.pin(afi, dest);
    if (queued) return;
    if (gateway_of(nh) == f.have[dest] && (held || !was_held)) return;
    // Queued; a destination no longer held is unpinned by flush(), not here:
    // this runs inside the RIB's decision pass, which must not see its
    // destination freed under it.
    f.want[dest] |= queued_bit;
    f.queue.push_back(dest);
}

void Fib::load_current() {
    // What the RIB selects already (a FIB turned on at run time).
    std::vector<rib::BestChange> now;
    for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        if (!family_on(afi)) continue;
        const uint32_t bound = rib_.dest_bound(afi);
        for (uint32_t d = 0; d < bound; ++d) {
            wire::Prefix p;
            rib::BestReason reason{};
            std::vector<rib::RouteView> routes;
            if (!rib_.dest_at(afi, d, p, reason, routes)) continue;
            auto best = rib_.best(p);
            if (!best) continue;
            now.push_back(rib::BestChange{afi, d, best->peer, best->attrs, reason});
        }
    }
    changed(now);
}

void Fib::schedule() {
    if (flush_posted_ || !nl_.is_open()) return;
    if (v4_.queue.empty() && v6_.queue.empty()) return;
    if (in_flight_.size() >= limits_.max_in_flight) return;  // the acks will call again
    flush_posted_ = true;
    asio::post(io_, [this, alive = alive_] {
        if (*alive) flush();
    });
}

bool Fib::send(const std::vector<uint8_t>& buf) {
    if (nl_.send(buf.data(), buf.size())) return true;
    ++counters_.refused_by_errno[errno];
    return false;
}

void Fib::flush() {
    flush_posted_ = false;
    if (!nl_.is_open()) return;
    // A batch holds what it holds: a flush of a few requests must not tie up
    // a full batch's room while it waits for the writer (thousands of small
    // batches can be queued while the kernel works through a burst).
    std::vector<uint8_t> buf;
    auto out = [&] {
        if (buf.empty()) return;
        if (buf.capacity() > buf.size() + buf.size() / 4) buf.shrink_to_fit();
        writer_->push(std::move(buf));
        buf = {};
    };
    size_t n = 0;
    while (n < limits_.per_turn && in_flight_.size() < limits_.max_in_flight) {
        const wire::Afi afi = !v4_.queue.empty() ? wire::Afi::ipv4 : wire::Afi::ipv6;
        Family& f = fam(afi);
        if (f.queue.empty()) break;
        const uint32_t d = f.queue.front();
        f.queue.pop_front();
        f.want[d] &= ~queued_bit;
        const uint32_t w = gateway_of(f.want[d]);  // the gateway to install (0: none, or unresolved)
        if (w == f.have[d]) {
            if (!w && !f.want[d]) rib_.unpin(afi, d);
            continue;
        }
        const wire::Prefix p = rib_.prefix_of(afi, d);
        const uint32_t seq = seq_++;
        if (w)
            put_route(buf, RouteOp::replace, p, groups_[w - 1], config_.target, seq);
        else
            put_route(buf, RouteOp::remove, p, nullptr, config_.target, seq);
        in_flight_.push_back(InFlight{seq, afi, d, w});
        ++n;
        if (buf.size() + max_route_request > limits_.batch_bytes) out();
    }
    out();
    schedule();
}

// A batch could not be written (the writer's sendmsg failed): its requests
// get no acknowledgement; as for lost ones, what is in flight is asked again.
void Fib::write_failed(int err) {
    ++counters_.refused_by_errno[err];
    acks_lost();
}

// Acknowledgements were lost (ENOBUFS): what was in flight is unknown; ask
// for it again (a replace or a removal can be repeated).
void Fib::acks_lost() {
    ++counters_.refused_by_errno[ENOBUFS];
    for (const InFlight& r : in_flight_) {
        if (r.stale) continue;
        Family& f = fam(r.afi);
        if (!(f.want[r.dest] & queued_bit)) {
            f.want[r.dest] |= queued_bit;
            f.queue.push_back(r.dest);
        }
    }
    in_flight_.clear();
    schedule();
}

void Fib::handle(const nlmsghdr* nlh) {
    if (dumping_ && nlh->nlmsg_seq == dump_seq_) {
        auto r = parse_route(nlh);
        if (r && r->protocol == config_.target.protocol && r->table == config_.target.table && family_on(r->prefix.afi()))
            stale_.push_back(r->prefix);
        return;
    }
    if (nlh->nlmsg_type != NLMSG_ERROR) return;  // not ours to read
    const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    const uint32_t seq = nlh->nlmsg_seq;
    // Acks come in the order of the requests; anything older than this one
    // was lost (it cannot be: the buffer is sized for the flight).
    while (!in_flight_.empty() && static_cast<int32_t>(in_flight_.front().seq - seq) < 0) in_flight_.pop_front();
    if (in_flight_.empty() || in_flight_.front().seq != seq) return;
    const InFlight r = in_flight_.front();
    in_flight_.pop_front();
    const int err = -e->error;
    if (r.stale) {
        if (!err || err == ESRCH) ++counters_.stale_removed;
        return;
    }
    Family& f = fam(r.afi);
    const uint64_t k = key(r.afi, r.dest);
    if (!err || (err == ESRCH && !r.nh)) {
        const uint32_t before = f.have[r.dest];
        f.have[r.dest] = r.nh;
        if (!before && r.nh) ++f.installed;
        if (before && !r.nh) --f.installed;
        if (err != ESRCH) ++(r.nh ? counters_.installs : counters_.removals);
        errors_.erase(k);
    } else {
        ++counters_.refused;
        ++counters_.refused_by_errno[err];
        errors_[k] = err;
        // A refused replace leaves what the kernel had; a refused removal too.
    }
    if (!f.have[r.dest] && !f.want[r.dest]) rib_.unpin(r.afi, r.dest);
    schedule();  // room in the flight
}

void Fib::dump_stale() {
    std::vector<uint8_t> buf;
    dump_seq_ = seq_++;
    dumping_ = true;
    // One dump at a time per socket (the kernel refuses a second while one
    // runs): each is read to its end before the next.
    for (wire::Afi afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        if (!family_on(afi)) continue;
        buf.clear();
        put_route_dump(buf, afi, dump_seq_);
        if (!send(buf)) continue;
        nl_.read_until(
            [this](const nlmsghdr* m) {
                if (m->nlmsg_seq == dump_seq_ && (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR))
                    return true;
                handle(m);
                return false;
            },
            2000);
    }
    dumping_ = false;
    counters_.stale_found = stale_.size();
    stale_timer_.expires_after(config_.stale_time);
    stale_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (!ec && *alive) sweep_stale();
    });
}

void Fib::sweep_stale() {
    std::vector<uint8_t> buf;
    for (const auto& p : stale_) {
        const uint32_t d = rib_.dest_index(p);
        const Family& f = fam(p.afi());
        if (d != rib::no_index && d < f.want.size() && (f.want[d] & ~queued_bit)) continue;  // selected again
        const uint32_t seq = seq_++;
        put_route(buf, RouteOp::remove, p, nullptr, config_.target, seq);
        in_flight_.push_back(InFlight{seq, p.afi(), 0, 0, true});
        if (buf.size() + max_route_request > limits_.batch_bytes) {
            writer_->push(std::move(buf));
            buf = {};
        }
    }
    if (!buf.empty()) writer_->push(std::move(buf));
    stale_.clear();
}

FibCounters Fib::counters() const {
    FibCounters c = counters_;
    c.enabled = config_.enabled;
    c.routes_v4 = v4_.installed;
    c.routes_v6 = v6_.installed;
    c.queued = v4_.queue.size() + v6_.queue.size();
    c.in_flight = in_flight_.size();
    return c;
}

std::vector<FibRoute> Fib::routes(std::optional<wire::Afi> afi, const std::optional<wire::Prefix>& under,
                                  size_t limit) const {
    std::vector<FibRoute> out;
    for (wire::Afi a : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        if (afi && *afi != a) continue;
        const Family& f = fam(a);
        for (uint32_t d = 0; d < f.want.size() && out.size() < limit; ++d) {
            const uint32_t nh = f.want[d] & ~queued_bit, w = gateway_of(nh), h = f.have[d];
            if (!nh && !h) continue;
            FibRoute r;
            r.prefix = rib_.prefix_of(a, d);
            if (under && (under->v6 != r.prefix.v6 || r.prefix.len < under->len ||
                          wire::Prefix::make(r.prefix.address(), under->len) != *under))
                continue;
            if (nh) r.next_hop = groups_[nh - 1].front();
            if (w) {
                r.wanted = groups_[w - 1].front();
                r.gateways = groups_[w - 1];
            }
            if (h) r.installed = groups_[h - 1].front();
            if (auto it = errors_.find(key(a, d)); it != errors_.end()) r.error = it->second;
            // Queued or in flight; a refused route waits for the next change instead.
            r.pending = (f.want[d] & queued_bit) || (w != h && !r.error);
            out.push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace moat::fib
