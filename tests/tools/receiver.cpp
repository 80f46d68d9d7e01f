// moat-receiver: a BGP peer that measures when a table has arrived.
//
// It connects to (or accepts) the device under test, decodes every UPDATE,
// and keeps the set of prefixes currently announced per AFI. JSON lines on
// stdout, with CLOCK_MONOTONIC timestamps (mono_ms) and ms since Established
// (t_ms):
//   established   the session is up
//   complete      the sets reached --expect-v4 / --expect-v6
//   converged     complete, then no announcement for --settle seconds;
//                 last_announce_* is when the last one arrived
//   withdrawn     after complete, both sets are empty again (the last
//                 withdrawal's time)
// It exits 0 when done (--until converged|withdrawn), 2 on --timeout, 3 when
// the session fails.
#include "tests/tools/benchpeer.hpp"
#include "tests/tools/update_scan.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace moat;
using namespace moat::bench;

namespace {

struct Options {
    std::optional<Endpoint> connect, listen;
    std::string bind;
    uint32_t asn = 0;
    uint32_t router_id = 0;
    uint16_t hold = 180;
    uint64_t expect_v4 = 0, expect_v6 = 0;
    double settle = 2.0;
    double timeout = 600;
    double connect_timeout = 60;
    double progress = 0;
    unsigned sessions = 1;
    bool until_withdrawn = true;
    bool full_decode = false;
};

void usage() {
    std::fputs(
        "usage: moat-receiver (--connect HOST[:PORT] [--bind ADDR] | --listen ADDR[:PORT] [--sessions N])\n"
        "                     --as ASN --router-id A.B.C.D --expect-v4 N --expect-v6 N\n"
        "                     [--settle SECONDS] [--timeout SECONDS] [--until converged|withdrawn]\n"
        "                     [--hold SECONDS] [--progress SECONDS] [--connect-timeout SECONDS]\n"
        "                     [--full-decode]\n"
        "Counts prefixes with a fast UPDATE walk; --full-decode runs the codec on every UPDATE.\n",
        stderr);
}

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") return std::nullopt;
        if (a == "--full-decode") { o.full_decode = true; continue; }
        if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); return std::nullopt; }
        const char* v = argv[++i];
        bool good = true;
        if (a == "--connect") good = (o.connect = parse_endpoint(v)).has_value();
        else if (a == "--listen") good = (o.listen = parse_endpoint(v)).has_value();
        else if (a == "--bind") o.bind = v;
        else if (a == "--as") good = set_number(v, 1, 0xffffffff, o.asn);
        else if (a == "--router-id") good = (o.router_id = parse_ipv4(v).value_or(0)) != 0;
        else if (a == "--hold") good = set_number(v, 0, 65535, o.hold) && o.hold != 1 && o.hold != 2;
        else if (a == "--expect-v4") good = set_number(v, 0, 50'000'000, o.expect_v4);
        else if (a == "--expect-v6") good = set_number(v, 0, 50'000'000, o.expect_v6);
        else if (a == "--settle") good = set_seconds(v, o.settle);
        else if (a == "--timeout") good = set_seconds(v, o.timeout);
        else if (a == "--connect-timeout") good = set_seconds(v, o.connect_timeout);
        else if (a == "--progress") good = set_seconds(v, o.progress);
        else if (a == "--sessions") good = set_number(v, 1, 256, o.sessions);
        else if (a == "--until") {
            good = std::strcmp(v, "converged") == 0 || std::strcmp(v, "withdrawn") == 0;
            o.until_withdrawn = std::strcmp(v, "withdrawn") == 0;
        } else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return std::nullopt;
        }
        if (!good) { std::fprintf(stderr, "bad value for %s: %s\n", a.c_str(), v); return std::nullopt; }
    }
    const char* problem = nullptr;
    if (o.connect.has_value() == o.listen.has_value()) problem = "give one of --connect and --listen";
    else if (!o.asn || !o.router_id) problem = "--as and --router-id are required";
    else if (!o.expect_v4 && !o.expect_v6) problem = "--expect-v4 or --expect-v6 must be above 0";
    else if (o.connect && o.sessions != 1) problem = "--sessions needs --listen";
    if (problem) {
        std::fprintf(stderr, "%s\n", problem);
        return std::nullopt;
    }
    return o;
}

// Counters shared by the session threads; the main thread reports them.
struct Totals {
    std::atomic<int64_t> present[2]{};
    std::atomic<uint64_t> announced[2]{};
    std::atomic<uint64_t> withdrawn[2]{};
    std::atomic<uint64_t> updates{0};
    std::atomic<double> established_ms{0};
    std::atomic<double> first_update_ms{0};
    std::atomic<double> last_announce_ms{0};
    std::atomic<double> last_update_ms{0};  // any UPDATE (announce or withdraw)
    std::atomic<double> complete_ms{0};
    std::atomic<double> empty_ms{0};
    std::atomic<bool> complete{false};
    std::atomic<unsigned> open_sessions{0};
    std::atomic<bool> stop{false};
    uint64_t expect[2]{};
};

// One session's Adj-RIB-In, reduced to which prefixes are present. Counts
// are kept locally and published once per UPDATE.
class Rib {
public:
    Rib(Totals& t, size_t reserve4, size_t reserve6) : t_(t), v4_(reserve4), v6_(reserve6) {}

    void announce(const PrefixKey& k) {
        int i = k.v6 ? 1 : 0;
        ++announced_[i];
        if ((k.v6 ? v6_ : v4_).insert(k)) ++present_[i];
    }

    void withdraw(const PrefixKey& k) {
        int i = k.v6 ? 1 : 0;
        ++withdrawn_[i];
        if ((k.v6 ? v6_ : v4_).erase(k)) --present_[i];
    }

    void publish() {
        for (int i = 0; i < 2; ++i) {
            if (present_[i]) t_.present[i] += present_[i];
            if (announced_[i]) t_.announced[i] += announced_[i];
            if (withdrawn_[i]) t_.withdrawn[i] += withdrawn_[i];
            present_[i] = 0;
            announced_[i] = withdrawn_[i] = 0;
        }
    }

    void drop_all() {
        publish();
        t_.present[0] -= static_cast<int64_t>(v4_.size());
        t_.present[1] -= static_cast<int64_t>(v6_.size());
        v4_.clear();
        v6_.clear();
    }

private:
    Totals& t_;
    PrefixSet v4_, v6_;
    int64_t present_[2]{};
    uint64_t announced_[2]{}, withdrawn_[2]{};
};

void note_progress(Totals& t, double now) {
    if (!t.complete && t.present[0] >= static_cast<int64_t>(t.expect[0]) &&
        t.present[1] >= static_cast<int64_t>(t.expect[1])) {
        t.complete_ms = now;
        t.complete = true;
    }
    if (t.complete && t.empty_ms == 0 && t.present[0] == 0 && t.present[1] == 0) t.empty_ms = now;
}

// Reads and counts UPDATEs until the session ends or stop is set.
void run_session(std::unique_ptr<Connection> conn, std::unique_ptr<Rib> rib_owner, uint16_t hold, Totals& t,
                 unsigned id, bool full_decode) {
    ScanResult scan;
    Keepaliver keepalive(*conn, hold);
    Rib& rib = *rib_owner;
    std::string reason = "connection closed";
    while (!t.stop) {
        auto m = conn->next(200);
        if (!m) {
            if (conn->timed_out()) continue;
            break;
        }
        auto type = static_cast<wire::MessageType>((*m)[18]);
        if (type == wire::MessageType::notification) {
            auto d = wire::decode(*m, conn->ctx);
            reason = wire::ok(d) ? std::get<wire::Notification>(std::get<wire::Message>(d)).describe()
                                 : std::string("malformed NOTIFICATION");
            break;
        }
        if (type != wire::MessageType::update) continue;
        double now = mono_ms();
        if (t.updates++ == 0) t.first_update_ms = now;
        t.last_update_ms = now;
        bool reach = false;
        if (full_decode) {
            // Every attribute decoded and checked by the codec, RFC 7606 included.
            auto r = wire::decode_update(m->subspan(wire::header_size), conn->ctx);
            if (!wire::ok(r)) {
                reason = std::string("undecodable UPDATE: ") + std::get<wire::DecodeError>(r).reason;
                break;
            }
            const auto& u = std::get<wire::Update>(r);
            for (const auto& n : u.withdrawn) rib.withdraw(PrefixKey::of(n.prefix));
            if (u.mp_unreach)
                for (const auto& n : u.mp_unreach->withdrawn) rib.withdraw(PrefixKey::of(n.prefix));
            reach = !u.nlri.empty() || (u.mp_reach && !u.mp_reach->nlri.empty());
            bool as_withdraw = u.treat_as_withdraw_attr.has_value();
            auto reachable = [&](const wire::Nlri& n) {
                if (as_withdraw) rib.withdraw(PrefixKey::of(n.prefix));
                else rib.announce(PrefixKey::of(n.prefix));
            };
            for (const auto& n : u.nlri) reachable(n);
            if (u.mp_reach)
                for (const auto& n : u.mp_reach->nlri) reachable(n);
            reach = reach && !as_withdraw;
        } else {
            if (!scan_update(m->subspan(wire::header_size), conn->ctx, scan)) {
                reason = "UPDATE with broken framing";
                break;
            }
            for (const auto& k : scan.withdrawn) rib.withdraw(k);
            for (const auto& k : scan.announced) rib.announce(k);
            reach = !scan.announced.empty();
            if (reach && !(scan.has_origin && scan.has_as_path)) {
                reason = "UPDATE without ORIGIN or AS_PATH";
                break;
            }
        }
        rib.publish();
        if (reach) t.last_announce_ms = now;
        note_progress(t, now);
    }
    bool stopping = t.stop;
    rib.drop_all();
    --t.open_sessions;
    if (!stopping)
        emit(fmt::format("{{\"event\":\"session_closed\",\"session\":{},\"reason\":\"{}\",\"mono_ms\":{:.3f}}}", id,
                         json_escape(reason), mono_ms()));
}

std::string counts(const Totals& t) {
    return fmt::format("\"v4\":{},\"v6\":{},\"announced_v4\":{},\"announced_v6\":{},\"withdrawn_v4\":{},"
                       "\"withdrawn_v6\":{},\"updates\":{},\"last_update_mono_ms\":{:.3f}",
                       t.present[0].load(), t.present[1].load(), t.announced[0].load(), t.announced[1].load(),
                       t.withdrawn[0].load(), t.withdrawn[1].load(), t.updates.load(), t.last_update_ms.load());
}

}  // namespace

int main(int argc, char** argv) {
    auto opts = parse(argc, argv);
    if (!opts) {
        usage();
        return 64;
    }
    const Options& o = *opts;
    Totals t;
    t.expect[0] = o.expect_v4;
    t.expect[1] = o.expect_v6;
    const double start = mono_ms();
    const double deadline = start + o.timeout * 1e3;
    SessionParams sp{o.asn, o.router_id, o.hold};

    auto fail = [&](const std::string& why) {
        emit(fmt::format("{{\"event\":\"error\",\"reason\":\"{}\"}}", json_escape(why)));
        return 3;
    };

    std::vector<std::thread> threads;
    auto open_session = [&](int fd, unsigned id) -> bool {
        auto conn = std::make_unique<Connection>(fd);
        // Sized (and its memory touched) before the session comes up, so no
        // allocation delays the first UPDATE.
        auto rib = std::make_unique<Rib>(t, t.expect[0] / o.sessions + 16, t.expect[1] / o.sessions + 16);
        wire::Open peer;
        uint16_t hold = 0;
        std::string error;
        if (!establish(*conn, sp, peer, hold, error)) {
            fail(error);
            return false;
        }
        double now = mono_ms();
        if (t.established_ms == 0) t.established_ms = now;
        emit(fmt::format("{{\"event\":\"established\",\"session\":{},\"mono_ms\":{:.3f},\"peer_as\":{},\"hold\":{}}}",
                         id, now, peer.asn(), hold));
        ++t.open_sessions;
        threads.emplace_back(run_session, std::move(conn), std::move(rib), hold, std::ref(t), id, o.full_decode);
        return true;
    };

    std::string error;
    int rc = 0;
    if (o.connect) {
        int fd = connect_to(*o.connect, o.bind, o.connect_timeout, error);
        if (fd < 0) return fail(error);
        if (!open_session(fd, 0)) return 3;
    } else {
        int lfd = listen_on(*o.listen, error);
        if (lfd < 0) return fail(error);
        emit(fmt::format("{{\"event\":\"listening\",\"address\":\"{}\",\"port\":{}}}", o.listen->host, o.listen->port));
        for (unsigned i = 0; i < o.sessions; ++i) {
            int fd = accept_one(lfd, std::max(0.0, (deadline - mono_ms()) / 1e3));
            if (fd < 0) {
                rc = fail("no connection before the timeout");
                break;
            }
            if (!open_session(fd, i)) {
                rc = 3;
                break;
            }
        }
        close(lfd);
    }

    bool said_complete = false, said_converged = false, said_withdrawn = false;
    double next_progress = o.progress > 0 ? mono_ms() + o.progress * 1e3 : 0;
    const double est = t.established_ms;
    while (rc == 0) {
        double now = mono_ms();
        if (!said_complete && t.complete) {
            said_complete = true;
            double c = t.complete_ms;
            emit(fmt::format("{{\"event\":\"complete\",\"t_ms\":{:.3f},\"mono_ms\":{:.3f},"
                             "\"first_update_mono_ms\":{:.3f},{}}}",
                             c - est, c, t.first_update_ms.load(), counts(t)));
        }
        if (said_complete && !said_converged && (now - t.last_announce_ms >= o.settle * 1e3 || t.empty_ms > 0)) {
            said_converged = true;
            double l = t.last_announce_ms;
            emit(fmt::format("{{\"event\":\"converged\",\"last_announce_t_ms\":{:.3f},\"last_announce_mono_ms\":{:.3f},"
                             "\"first_update_mono_ms\":{:.3f},{}}}",
                             l - est, l, t.first_update_ms.load(), counts(t)));
            if (!o.until_withdrawn) break;
        }
        if (said_converged && !said_withdrawn && t.empty_ms > 0) {
            said_withdrawn = true;
            double e = t.empty_ms;
            emit(fmt::format("{{\"event\":\"withdrawn\",\"t_ms\":{:.3f},\"mono_ms\":{:.3f},{}}}", e - est, e,
                             counts(t)));
            break;
        }
        if (t.open_sessions == 0) {
            rc = 3;
            break;
        }
        if (now >= deadline) {
            emit(fmt::format("{{\"event\":\"timeout\",\"t_ms\":{:.3f},{}}}", now - est, counts(t)));
            rc = 2;
            break;
        }
        if (next_progress > 0 && now >= next_progress) {
            emit(fmt::format("{{\"event\":\"progress\",\"t_ms\":{:.3f},{}}}", now - est, counts(t)));
            next_progress += o.progress * 1e3;
        }
        usleep(2000);
    }
    t.stop = true;
    for (auto& th : threads) th.join();
    return rc;
}
