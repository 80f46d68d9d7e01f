// Blocking sockets and the BGP session opening for the benchmark tools.
#include "tests/tools/benchpeer.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace moat::bench {
namespace {

// sockaddr_storage for an IPv4 or IPv6 literal.
bool make_addr(const std::string& host, uint16_t port, sockaddr_storage& ss, socklen_t& len) {
    std::memset(&ss, 0, sizeof ss);
    sockaddr_in v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        std::memcpy(&ss, &v4, sizeof v4);
        len = sizeof v4;
        return true;
    }
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        std::memcpy(&ss, &v6, sizeof v6);
        len = sizeof v6;
        return true;
    }
    return false;
}

sockaddr* as_sa(sockaddr_storage& ss) {
    void* p = &ss;
    return static_cast<sockaddr*>(p);
}

void tune(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
}

}  // namespace

double mono_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

std::optional<Endpoint> parse_endpoint(const std::string& text) {
    Endpoint e;
    std::string port;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string::npos) return std::nullopt;
        e.host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') return std::nullopt;
            port = text.substr(close + 2);
        }
    } else if (auto c = text.rfind(':'); c != std::string::npos && text.find(':') == c) {
        e.host = text.substr(0, c);
        port = text.substr(c + 1);
    } else {
        e.host = text;
    }
    if (!port.empty()) {
        char* end = nullptr;
        unsigned long v = std::strtoul(port.c_str(), &end, 10);
        if (*end || v == 0 || v > 65535) return std::nullopt;
        e.port = static_cast<uint16_t>(v);
    }
    sockaddr_storage ss;
    socklen_t len;
    if (!make_addr(e.host, e.port, ss, len)) return std::nullopt;
    return e;
}

std::optional<uint32_t> parse_ipv4(const std::string& text) {
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

std::optional<uint64_t> parse_number(const char* text, uint64_t lo, uint64_t hi) {
    if (!*text || *text == '-') return std::nullopt;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (*end || errno || v < lo || v > hi) return std::nullopt;
    return v;
}

std::optional<double> parse_seconds(const char* text) {
    char* end = nullptr;
    double v = std::strtod(text, &end);
    if (!*text || *end || !(v >= 0)) return std::nullopt;
    return v;
}

int connect_to(const Endpoint& to, const std::string& bind_addr, double timeout_s, std::string& error) {
    sockaddr_storage dst, src;
    socklen_t dlen = 0, slen = 0;
    if (!make_addr(to.host, to.port, dst, dlen)) {
        error = "bad address " + to.host;
        return -1;
    }
    if (!bind_addr.empty() && !make_addr(bind_addr, 0, src, slen)) {
        error = "bad bind address " + bind_addr;
        return -1;
    }
    double deadline = mono_ms() + timeout_s * 1e3;
    for (;;) {
        int fd = socket(dst.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error = std::strerror(errno);
            return -1;
        }
        tune(fd);
        if (slen && bind(fd, as_sa(src), slen) != 0) {
            error = "bind " + bind_addr + ": " + std::strerror(errno);
            close(fd);
            return -1;
        }
        if (connect(fd, as_sa(dst), dlen) == 0) return fd;
        error = "connect " + to.host + ": " + std::strerror(errno);
        close(fd);
        if (mono_ms() >= deadline) return -1;
        usleep(200 * 1000);
    }
}

int listen_on(const Endpoint& at, std::string& error) {
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!make_addr(at.host, at.port, ss, len)) {
        error = "bad address " + at.host;
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::strerror(errno);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    tune(fd);
    if (bind(fd, as_sa(ss), len) != 0 || listen(fd, 64) != 0) {
        error = "listen " + at.host + ": " + std::strerror(errno);
        close(fd);
        return -1;
    }
    return fd;
}

int accept_one(int listen_fd, double timeout_s) {
    pollfd p{listen_fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(timeout_s * 1e3));
    if (r <= 0) return -1;
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) tune(fd);
    return fd;
}

Connection::Connection(int fd) : fd_(fd), rbuf_(1 << 20) {}

Connection::~Connection() {
    if (fd_ >= 0) close(fd_);
}

bool Connection::send(const uint8_t* data, size_t size) {
    std::lock_guard lock(write_mu_);
    while (size) {
        ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

void Connection::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::optional<wire::Bytes> Connection::next(int timeout_ms) {
    timed_out_ = false;
    for (;;) {
        wire::Bytes have(rbuf_.data() + rpos_, rend_ - rpos_);
        wire::Frame f = wire::frame(have, ctx);
        if (f.status == wire::Frame::error) return std::nullopt;
        if (f.status == wire::Frame::complete) {
            rpos_ += f.length;
            return have.first(f.length);
        }
        // Need more: compact, then read as much as the buffer takes.
        if (rpos_ > 0 && rpos_ == rend_) rpos_ = rend_ = 0;
        if (rbuf_.size() - rend_ < wire::max_extended_message_size) {
            std::memmove(rbuf_.data(), rbuf_.data() + rpos_, rend_ - rpos_);
            rend_ -= rpos_;
            rpos_ = 0;
        }
        if (timeout_ms >= 0) {
            pollfd p{fd_, POLLIN, 0};
            int r = poll(&p, 1, timeout_ms);
            if (r == 0) {
                timed_out_ = true;
                return std::nullopt;
            }
            if (r < 0 && errno != EINTR) return std::nullopt;
            if (r < 0) continue;
        }
        ssize_t n = ::recv(fd_, rbuf_.data() + rend_, rbuf_.size() - rend_, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        rend_ += static_cast<size_t>(n);
        bytes_in += static_cast<uint64_t>(n);
    }
}

bool establish(Connection& conn, const SessionParams& p, wire::Open& peer_open, uint16_t& hold, std::string& error) {
    wire::Open open;
    open.my_as = p.asn > 0xffff ? wire::as_trans : static_cast<uint16_t>(p.asn);
    open.hold_time = p.hold_time;
    open.bgp_id = p.router_id;
    open.caps.multiprotocol = {{wire::Afi::ipv4, wire::Safi::unicast}, {wire::Afi::ipv6, wire::Safi::unicast}};
    open.caps.route_refresh = true;
    open.caps.four_octet_as = p.asn;
    wire::Buffer out;
    wire::encode(open, out);
    if (!conn.send(out)) {
        error = "cannot send OPEN";
        return false;
    }
    bool got_open = false;
    for (;;) {
        auto msg = conn.next(30000);
        if (!msg) {
            error = conn.timed_out() ? "no answer to OPEN within 30 s" : "connection closed during OPEN exchange";
            return false;
        }
        auto decoded = wire::decode(*msg, conn.ctx);
        if (!wire::ok(decoded)) {
            error = std::string("bad message from peer: ") + std::get<wire::DecodeError>(decoded).reason;
            return false;
        }
        auto& m = std::get<wire::Message>(decoded);
        if (auto* o = std::get_if<wire::Open>(&m)) {
            peer_open = *o;
            got_open = true;
            conn.ctx.four_octet_as = o->caps.four_octet_as.has_value();
            hold = std::min(p.hold_time, o->hold_time);
            out.clear();
            wire::encode(wire::Keepalive{}, out);
            if (!conn.send(out)) {
                error = "cannot send KEEPALIVE";
                return false;
            }
        } else if (std::holds_alternative<wire::Keepalive>(m) && got_open) {
            return true;
        } else if (auto* n = std::get_if<wire::Notification>(&m)) {
            error = "NOTIFICATION from peer: " + n->describe();
            return false;
        }
    }
}

Keepaliver::Keepaliver(Connection& conn, uint16_t hold) : conn_(conn) {
    if (hold == 0) return;
    auto every = std::chrono::milliseconds(hold * 1000 / 3);
    thread_ = std::thread([this, every] {
        wire::Buffer ka;
        wire::encode(wire::Keepalive{}, ka);
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, every, [this] { return stop_; })) conn_.send(ka);
    });
}

Keepaliver::~Keepaliver() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void emit(const std::string& json) {
    std::fputs(json.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (u < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

}  // namespace moat::bench
