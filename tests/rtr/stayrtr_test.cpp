// Integration tests against a real StayRTR (Debian's stayrtr) on 127.0.0.x:
// first sync, a VRP change at run time as a delta, TCP, TLS and SSH
// transports, and failover between two caches by preference.
#include "rtr/roa_source.hpp"
#include "rtr/rtr_client.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace moat;
using namespace moat::rtr;
using namespace std::chrono_literals;

namespace {

wire::Prefix P(const char* text) { return *wire::Prefix::parse(text); }

// Ports: 13000 + a per-process offset, so parallel test processes do not collide.
uint16_t port(int n) { return static_cast<uint16_t>(13000 + (getpid() % 400) * 10 + n); }

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/moat-rtr-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf " + path).c_str()); }
};

struct Roa {
    const char* prefix;
    int max_length;
    uint32_t asn;
};

// Temp file + rename, as StayRTR expects before a HUP.
void write_vrps(const std::string& path, const std::vector<Roa>& roas) {
    std::string text = "{\"metadata\":{\"buildtime\":\"2026-11-26T00:00:00Z\",\"generated\":1795000000},\"roas\":[";
    for (size_t i = 0; i < roas.size(); ++i)
        text += fmt::format("{}{{\"prefix\":\"{}\",\"maxLength\":{},\"asn\":\"AS{}\"}}", i ? "," : "", roas[i].prefix,
                            roas[i].max_length, roas[i].asn);
    text += "]}";
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
    }
    REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);
}

bool can_connect(const std::string& ip, uint16_t p) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(p);
    inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
    close(fd);
    return ok;
}

// One StayRTR process, ended by its PID.
class StayRtr {
public:
    StayRtr(std::string dir, std::string ip, uint16_t rtr_port, uint16_t metrics_port, std::string json,
            std::vector<std::string> extra = {})
        : dir_(std::move(dir)), ip_(std::move(ip)), port_(rtr_port), metrics_(metrics_port), json_(std::move(json)),
          extra_(std::move(extra)) {}
    ~StayRtr() { stop(); }

    void start(uint16_t wait_port = 0) {
        std::vector<std::string> args = {"stayrtr",
                                         "-bind", fmt::format("{}:{}", ip_, port_),
                                         "-metrics.addr", fmt::format("{}:{}", ip_, metrics_),
                                         "-cache", json_,
                                         "-checktime=false",
                                         "-refresh", "3600"};
        args.insert(args.end(), extra_.begin(), extra_.end());
        std::string log = fmt::format("{}/stayrtr-{}.log", dir_, port_);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            dup2(fd, 1);
            dup2(fd, 2);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execvp("stayrtr", argv.data());
            _exit(127);
        }
        uint16_t probe = wait_port ? wait_port : port_;
        for (int i = 0; i < 100 && !can_connect(ip_, probe); ++i) std::this_thread::sleep_for(50ms);
        REQUIRE(can_connect(ip_, probe));
    }
    void hup() const { REQUIRE(kill(pid_, SIGHUP) == 0); }
    void stop() {
        if (pid_ <= 0) return;
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    std::string dir_, ip_;
    uint16_t port_, metrics_;
    std::string json_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
};

// The owner's loop in miniature: poll when woken or when poll() asked.
struct Owner {
    std::atomic<int> wakes{0};
    RoaSet set{[this] { wakes.fetch_add(1); }};  // batches applied on its worker, as in the daemon
    std::vector<VrpDelta> deltas;
    Owner() {
        set.set_delta_handler([this](const VrpDelta& d) { deltas.push_back(d); });
    }
    Notifier notifier() {
        return [this] { wakes.fetch_add(1); };
    }
    template <typename Pred>
    bool run_until(Pred pred, std::chrono::milliseconds timeout) {
        auto end = Clock::now() + timeout;
        while (Clock::now() < end) {
            set.poll();
            if (pred()) return true;
            std::this_thread::sleep_for(20ms);
        }
        set.poll();
        return pred();
    }
};

RtrConfig short_intervals() {
    RtrConfig c;
    c.refresh_s = 30;
    c.retry_s = 1;
    c.expire_s = 600;
    return c;
}

CacheConfig cache(const std::string& host, uint16_t p, uint8_t preference = 1) {
    CacheConfig c;
    c.host = host;
    c.port = p;
    c.preference = preference;
    c.connect_timeout_s = 2;
    return c;
}

const SourceStatus* find_status(const std::vector<SourceStatus>& all, const std::string& where) {
    for (const auto& s : all)
        if (s.where == where) return &s;
    return nullptr;
}

}  // namespace

TEST_CASE("StayRTR over TCP: first sync, then a change at run time arrives as a delta") {
    TempDir dir;
    std::string json = dir.path + "/vrps.json";
    write_vrps(json, {{"104.20.0.0/20", 20, 13335}, {"192.0.2.0/24", 24, 64500}, {"2001:db8::/32", 48, 64500}});
    const std::string ip = "127.0.31.1";
    StayRtr cache_proc(dir.path, ip, port(0), port(1), json);
    cache_proc.start();

    Owner owner;
    RtrConfig cfg = short_intervals();
    cfg.caches.push_back(cache(ip, port(0)));
    auto src = std::make_unique<RtrClient>(cfg, owner.notifier());
    std::string err;
    REQUIRE(src->start(err));
    owner.set.add(std::move(src));

    // in_sync() may turn true just before the socket's and the group's state
    // callbacks are queued: wait for the status too.
    REQUIRE(owner.run_until([&] {
        auto s = owner.set.status();
        return owner.set.in_sync() && s[0].active && s[0].state == "established";
    }, 10s));
    CHECK(owner.wakes.load() > 0);
    auto sum = owner.set.summary();
    CHECK(sum.v4_vrps == 2);
    CHECK(sum.v6_vrps == 1);
    REQUIRE(!owner.deltas.empty());
    CHECK(owner.deltas.back().in_sync);
    CHECK(owner.set.validate(P("104.20.0.0/20"), 13335) == Validity::valid);
    CHECK(owner.set.validate(P("104.20.0.0/21"), 13335) == Validity::invalid);
    CHECK(owner.set.validate(P("2001:db8:1::/48"), 64500) == Validity::valid);
    auto st = owner.set.status();
    REQUIRE(st.size() == 1);
    CHECK(st[0].type == "tcp");
    CHECK(st[0].where == fmt::format("{}:{}", ip, port(0)));
    CHECK(st[0].state == "established");
    CHECK(st[0].active);
    REQUIRE(st[0].serial);
    uint32_t serial = *st[0].serial;
    CHECK(st[0].v4_vrps == 2);
    CHECK(st[0].v6_vrps == 1);

    size_t before = owner.deltas.size();
    write_vrps(json, {{"104.20.0.0/20", 24, 13335}, {"192.0.2.0/24", 24, 64500}, {"2001:db8::/32", 48, 64500}});
    cache_proc.hup();
    REQUIRE(owner.run_until([&] { return owner.deltas.size() > before; }, 10s));
    const VrpDelta& d = owner.deltas.back();
    REQUIRE(d.diff.added.size() == 1);
    REQUIRE(d.diff.removed.size() == 1);
    CHECK(d.diff.added[0] == Vrp{P("104.20.0.0/20"), 24, 13335});
    CHECK(d.diff.removed[0] == Vrp{P("104.20.0.0/20"), 20, 13335});
    CHECK(d.affected().covers(P("104.20.8.0/24")));
    CHECK_FALSE(d.sync_changed);
    CHECK(owner.set.validate(P("104.20.0.0/21"), 13335) == Validity::valid);
    REQUIRE(owner.run_until([&] {
        auto s = owner.set.status();
        return s[0].serial && *s[0].serial != serial;
    }, 5s));

    // The cache goes away: the connection's loss is shown, but its set stays
    // in force (and in sync) until it expires.
    cache_proc.stop();
    REQUIRE(owner.run_until([&] { return owner.set.status()[0].state == "down"; }, 10s));
    CHECK(owner.set.in_sync());
    CHECK_FALSE(owner.set.status()[0].active);
    CHECK(owner.set.validate(P("104.20.0.0/21"), 13335) == Validity::valid);
}

TEST_CASE("StayRTR over TLS, verified against the configured CA") {
    TempDir dir;
    const std::string ip = "127.0.31.2";
    std::string cert = dir.path + "/cache.pem", key = dir.path + "/cache.key";
    std::string other = dir.path + "/other.pem", other_key = dir.path + "/other.key";
    auto mkcert = [&](const std::string& c, const std::string& k) {
        std::string cmd = fmt::format(
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=moat-test-cache -addext "
            "subjectAltName=IP:{} -keyout {} -out {} >/dev/null 2>&1",
            ip, k, c);
        REQUIRE(std::system(cmd.c_str()) == 0);
    };
    mkcert(cert, key);
    mkcert(other, other_key);
    std::string json = dir.path + "/vrps.json";
    write_vrps(json, {{"192.0.2.0/24", 24, 64500}, {"2001:db8::/32", 48, 64500}});
    StayRtr cache_proc(dir.path, ip, port(2), port(3), json,
                       {"-tls.bind", fmt::format("{}:{}", ip, port(4)), "-tls.cert", cert, "-tls.key", key});
    cache_proc.start(port(4));

    SECTION("the right CA: in sync") {
        Owner owner;
        RtrConfig cfg = short_intervals();
        CacheConfig c = cache(ip, port(4));
        c.transport = CacheConfig::Transport::tls;
        c.tls_ca = cert;
        cfg.caches.push_back(c);
        auto src = std::make_unique<RtrClient>(cfg, owner.notifier());
        std::string err;
        REQUIRE(src->start(err));
        owner.set.add(std::move(src));
        REQUIRE(owner.run_until([&] { return owner.set.in_sync() && owner.set.status()[0].state == "established"; }, 10s));
        CHECK(owner.set.summary().v4_vrps == 1);
        CHECK(owner.set.summary().v6_vrps == 1);
        CHECK(owner.set.validate(P("192.0.2.0/24"), 64500) == Validity::valid);
        CHECK(owner.set.status()[0].type == "tls");
        CHECK(owner.set.status()[0].state == "established");
    }
    SECTION("another CA: the handshake fails and nothing is learnt") {
        Owner owner;
        RtrConfig cfg = short_intervals();
        CacheConfig c = cache(ip, port(4));
        c.transport = CacheConfig::Transport::tls;
        c.tls_ca = other;
        cfg.caches.push_back(c);
        auto src = std::make_unique<RtrClient>(cfg, owner.notifier());
        std::string err;
        REQUIRE(src->start(err));
        owner.set.add(std::move(src));
        REQUIRE(owner.run_until([&] { return owner.set.status()[0].state == "down"; }, 10s));
        CHECK_FALSE(owner.set.in_sync());
        CHECK(owner.set.summary().v4_vrps == 0);
        CHECK(owner.set.status()[0].last_error.find("transport error") != std::string::npos);
    }
}

TEST_CASE("Two caches by preference: failover when the preferred one dies, and back") {
    TempDir dir;
    const std::string ip_a = "127.0.31.3", ip_b = "127.0.31.4";
    std::string json_a = dir.path + "/a.json", json_b = dir.path + "/b.json";
    // Both carry the common VRP; each has one of its own to show who delivers.
    write_vrps(json_a, {{"192.0.2.0/24", 24, 64500}, {"198.51.100.0/24", 24, 64501}});
    write_vrps(json_b, {{"192.0.2.0/24", 24, 64500}, {"203.0.113.0/24", 24, 64502}});
    StayRtr a(dir.path, ip_a, port(5), port(6), json_a);
    StayRtr b(dir.path, ip_b, port(7), port(8), json_b);
    a.start();
    b.start();

    std::string where_a = fmt::format("{}:{}", ip_a, port(5)), where_b = fmt::format("{}:{}", ip_b, port(7));
    Owner owner;
    RtrConfig cfg = short_intervals();
    cfg.caches.push_back(cache(ip_b, port(7), 2));
    cfg.caches.push_back(cache(ip_a, port(5), 1));
    auto src = std::make_unique<RtrClient>(cfg, owner.notifier());
    std::string err;
    REQUIRE(src->start(err));
    owner.set.add(std::move(src));

    // The preferred cache A alone is used. (rtrlib reports the group status
    // just after the socket's, so wait for both.)
    REQUIRE(owner.run_until([&] {
        auto s = owner.set.status();
        return owner.set.in_sync() && find_status(s, where_a)->active;
    }, 10s));
    CHECK(owner.set.validate(P("198.51.100.0/24"), 64501) == Validity::valid);
    CHECK(owner.set.validate(P("203.0.113.0/24"), 64502) == Validity::not_found);
    auto st = owner.set.status();
    REQUIRE(find_status(st, where_a));
    CHECK(find_status(st, where_a)->active);
    CHECK(find_status(st, where_a)->preference == 1);
    CHECK_FALSE(find_status(st, where_b)->active);
    CHECK(find_status(st, where_b)->state == "standby");

    // A dies: B takes over; A's set is kept until it expires.
    a.stop();
    REQUIRE(owner.run_until([&] { return owner.set.validate(P("203.0.113.0/24"), 64502) == Validity::valid; }, 15s));
    CHECK(owner.set.validate(P("198.51.100.0/24"), 64501) == Validity::valid);
    CHECK(owner.set.in_sync());
    REQUIRE(owner.run_until([&] { return find_status(owner.set.status(), where_b)->active; }, 5s));
    st = owner.set.status();
    CHECK(find_status(st, where_b)->active);
    CHECK(find_status(st, where_b)->state == "established");
    CHECK_FALSE(find_status(st, where_a)->active);
    CHECK_FALSE(find_status(st, where_a)->last_error.empty());

    // A returns: it is preferred again and B is closed (its VRPs leave). A
    // restarted StayRTR has a new session ID (after a second), so the Serial
    // Query is refused and a Reset Query must follow.
    std::this_thread::sleep_for(1100ms);
    a.start();
    REQUIRE(owner.run_until([&] { return owner.set.validate(P("203.0.113.0/24"), 64502) == Validity::not_found; }, 20s));
    CHECK(owner.set.validate(P("198.51.100.0/24"), 64501) == Validity::valid);
    CHECK(owner.set.validate(P("192.0.2.0/24"), 64500) == Validity::valid);
    REQUIRE(owner.run_until([&] {
        auto s = owner.set.status();
        return find_status(s, where_a)->active && !find_status(s, where_b)->active;
    }, 5s));
}

TEST_CASE("StayRTR over SSH (rtrlib's transport), host key checked") {
    TempDir dir;
    const std::string ip = "127.0.31.5";
    std::string host_key = dir.path + "/host", client_key = dir.path + "/client";
    REQUIRE(std::system(fmt::format("ssh-keygen -q -t ed25519 -N '' -f {} && ssh-keygen -q -t ed25519 -N '' -f {}",
                                    host_key, client_key)
                            .c_str()) == 0);
    // known_hosts line for a non-standard port: "[ip]:port key-type key".
    std::string known = dir.path + "/known_hosts";
    REQUIRE(std::system(fmt::format("printf '[{}]:{} ' > {} && cut -d' ' -f1,2 {}.pub >> {}", ip, port(10), known,
                                    host_key, known)
                            .c_str()) == 0);
    std::string json = dir.path + "/vrps.json";
    write_vrps(json, {{"192.0.2.0/24", 24, 64500}});
    StayRtr cache_proc(dir.path, ip, port(9), port(11), json,
                       {"-ssh.bind", fmt::format("{}:{}", ip, port(10)), "-ssh.key", host_key, "-ssh.method.key",
                        "-ssh.auth.user", "rpki", "-ssh.auth.key.file", client_key + ".pub"});
    cache_proc.start(port(10));

    Owner owner;
    RtrConfig cfg = short_intervals();
    CacheConfig c = cache(ip, port(10));
    c.transport = CacheConfig::Transport::ssh;
    c.ssh_user = "rpki";
    c.ssh_key = client_key;
    c.ssh_host_key = known;
    cfg.caches.push_back(c);
    auto src = std::make_unique<RtrClient>(cfg, owner.notifier());
    std::string err;
    REQUIRE(src->start(err));
    owner.set.add(std::move(src));
    REQUIRE(owner.run_until([&] { return owner.set.in_sync(); }, 10s));
    CHECK(owner.set.validate(P("192.0.2.0/24"), 64500) == Validity::valid);
    CHECK(owner.set.status()[0].type == "ssh");
}

TEST_CASE("RtrClient refuses intervals outside RFC 8210's ranges and an empty cache list") {
    Owner owner;
    RtrConfig cfg = short_intervals();
    cfg.expire_s = 100;  // RFC 8210's minimum is 600
    cfg.caches.push_back(cache("127.0.31.6", port(12)));
    RtrClient src(cfg, owner.notifier());
    std::string err;
    CHECK_FALSE(src.start(err));
    CHECK(err.find("expire 100 s (600..172800)") != std::string::npos);
    CHECK_FALSE(src.in_sync());

    RtrClient none(RtrConfig{}, owner.notifier());
    CHECK_FALSE(none.start(err));
    CHECK(err == "no RTR cache configured");
}

TEST_CASE("An unreachable cache is reported down, and nothing is in sync") {
    Owner owner;
    RtrConfig cfg = short_intervals();
    cfg.caches.push_back(cache("127.0.31.7", port(13)));  // nobody listens
    auto src = std::make_unique<RtrClient>(cfg, owner.notifier());
    std::string err;
    REQUIRE(src->start(err));
    owner.set.add(std::move(src));
    REQUIRE(owner.run_until([&] { return owner.set.status()[0].state == "down"; }, 5s));
    CHECK_FALSE(owner.set.in_sync());
    CHECK(owner.set.validate(P("192.0.2.0/24"), 64500) == Validity::not_found);
    CHECK_FALSE(owner.set.status()[0].active);
}
