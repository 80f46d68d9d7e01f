// Blocking BGP plumbing shared by moat-feeder and moat-receiver.
//
// A benchmark tool is one session, so plain blocking sockets are the
// simplest fast design: big writes from one thread, a reader thread (or the
// main loop) that drains the socket, and a keepalive thread. Writes of whole
// messages are serialised by a mutex, so a KEEPALIVE never lands inside an
// UPDATE.
#pragma once

#include "bgpd/wire/codec.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace moat::bench {

// CLOCK_MONOTONIC in milliseconds: the same clock in every process on the
// host (and Python's time.monotonic()), so events of different tools compare.
double mono_ms();

struct Endpoint {
    std::string host;
    uint16_t port = 179;
};
// "127.0.0.1:179", "[::1]:179", "127.0.0.1" (port 179).
std::optional<Endpoint> parse_endpoint(const std::string& text);
std::optional<uint32_t> parse_ipv4(const std::string& text);  // host order

// Command-line values: a decimal integer in [lo, hi], or seconds (>= 0).
std::optional<uint64_t> parse_number(const char* text, uint64_t lo, uint64_t hi);
std::optional<double> parse_seconds(const char* text);

template <typename T>
bool set_number(const char* text, uint64_t lo, uint64_t hi, T& out) {
    auto n = parse_number(text, lo, hi);
    if (n) out = static_cast<T>(*n);
    return n.has_value();
}

inline bool set_seconds(const char* text, double& out) {
    auto s = parse_seconds(text);
    if (s) out = *s;
    return s.has_value();
}

// Connects from bind_addr (may be empty), retrying until timeout_s; -1 on failure.
int connect_to(const Endpoint& to, const std::string& bind_addr, double timeout_s, std::string& error);
int listen_on(const Endpoint& at, std::string& error);
// Waits for one connection; -1 on timeout or error.
int accept_one(int listen_fd, double timeout_s);

class Connection {
public:
    explicit Connection(int fd);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Writes all bytes (whole messages) under the write lock; false on error.
    bool send(const uint8_t* data, size_t size);
    bool send(const wire::Buffer& b) { return send(b.data(), b.size()); }
    // Next whole message, header included; nullopt on EOF, error, bad framing
    // or (when timeout_ms >= 0) when none arrived in time, see timed_out().
    std::optional<wire::Bytes> next(int timeout_ms = -1);
    bool timed_out() const { return timed_out_; }
    void shutdown_write();
    int fd() const { return fd_; }

    wire::SessionContext ctx;
    uint64_t bytes_in = 0;

private:
    int fd_;
    std::mutex write_mu_;
    wire::Buffer rbuf_;
    size_t rpos_ = 0, rend_ = 0;
    bool timed_out_ = false;
};

struct SessionParams {
    uint32_t asn = 0;
    uint32_t router_id = 0;  // host order
    uint16_t hold_time = 180;
};

// OPEN (4-octet AS, IPv4 + IPv6 unicast, route refresh) both ways, then
// KEEPALIVE both ways. Fills conn.ctx and the negotiated hold time. On
// failure returns false with a reason.
bool establish(Connection& conn, const SessionParams& p, wire::Open& peer_open, uint16_t& hold, std::string& error);

// Sends a KEEPALIVE every hold/3 seconds until stopped (nothing when hold is 0).
class Keepaliver {
public:
    Keepaliver(Connection& conn, uint16_t hold);
    ~Keepaliver();
    Keepaliver(const Keepaliver&) = delete;
    Keepaliver& operator=(const Keepaliver&) = delete;

private:
    Connection& conn_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

// Prints one JSON object as a line on stdout and flushes it.
void emit(const std::string& json);

// Escapes text for use inside a JSON string literal.
std::string json_escape(std::string_view text);

}  // namespace moat::bench
