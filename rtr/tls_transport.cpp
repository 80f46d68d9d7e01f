// TLS transport for rtrlib. Runs on the rtrlib socket thread that owns it;
// rtrlib calls open/close/send/recv from that one thread, free after join.
#include "rtr/tls_transport.hpp"

#include <rtrlib/rtrlib.h>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

namespace moat::rtr {

namespace {

struct TlsSocket {
    TlsTransportConfig config;
    std::string ident;
    int fd = -1;
    SSL_CTX* ctx = nullptr;
    SSL* ssl = nullptr;
};

using Deadline = std::chrono::steady_clock::time_point;

Deadline deadline_after(time_t seconds) { return std::chrono::steady_clock::now() + std::chrono::seconds(seconds); }

int ms_left(Deadline d) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - std::chrono::steady_clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for fd to become readable/writable; 1 ready, 0 timeout, -1 error, -3 interrupted.
int wait_fd(int fd, short events, int timeout_ms) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0) return errno == EINTR ? TR_INTR : -1;
    return r;
}

void close_tls(void* sock) {
    auto* s = static_cast<TlsSocket*>(sock);
    if (s->ssl) {
        SSL_shutdown(s->ssl);  // best effort close_notify; the socket is non-blocking
        SSL_free(s->ssl);
        s->ssl = nullptr;
    }
    if (s->ctx) {
        SSL_CTX_free(s->ctx);
        s->ctx = nullptr;
    }
    if (s->fd >= 0) {
        ::close(s->fd);
        s->fd = -1;
    }
}

bool tcp_connect(TlsSocket* s, Deadline deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(s->config.host.c_str(), s->config.port.c_str(), &hints, &res) != 0 || !res) return false;
    bool ok = false;
    for (addrinfo* a = res; a && !ok; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (!s->config.bind_address.empty()) {
            addrinfo bh{};
            bh.ai_family = a->ai_family;
            bh.ai_socktype = SOCK_STREAM;
            bh.ai_flags = AI_PASSIVE;
            addrinfo* b = nullptr;
            bool bound = getaddrinfo(s->config.bind_address.c_str(), nullptr, &bh, &b) == 0 && b &&
                         ::bind(fd, b->ai_addr, b->ai_addrlen) == 0;
            if (b) freeaddrinfo(b);
            if (!bound) {
                ::close(fd);
                continue;
            }
        }
        int r = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (r != 0 && errno == EINPROGRESS) {
            if (wait_fd(fd, POLLOUT, ms_left(deadline)) == 1) {
                int err = 0;
                socklen_t len = sizeof(err);
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                r = err == 0 ? 0 : -1;
            }
        }
        if (r == 0) {
            s->fd = fd;
            ok = true;
        } else {
            ::close(fd);
        }
    }
    freeaddrinfo(res);
    return ok;
}

bool is_ip_literal(const std::string& name) {
    in6_addr a6{};
    in_addr a4{};
    return inet_pton(AF_INET, name.c_str(), &a4) == 1 || inet_pton(AF_INET6, name.c_str(), &a6) == 1;
}

// Drives an SSL operation on the non-blocking socket until it completes,
// fails or the deadline passes. Returns op's result (> 0) or a TR_ code.
template <typename Op>
int drive(TlsSocket* s, Deadline deadline, bool zero_wait, Op op) {
    for (;;) {
        ERR_clear_error();
        int r = op();
        if (r > 0) return r;
        int e = SSL_get_error(s->ssl, r);
        short events = 0;
        if (e == SSL_ERROR_WANT_READ) events = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE) events = POLLOUT;
        else if (e == SSL_ERROR_ZERO_RETURN) return TR_CLOSED;
        else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return r == 0 || errno == 0 ? TR_CLOSED : TR_ERROR;
        else return TR_ERROR;
        if (zero_wait) return TR_WOULDBLOCK;
        int w = wait_fd(s->fd, events, ms_left(deadline));
        if (w == 0) return TR_WOULDBLOCK;
        if (w < 0) return w == TR_INTR ? TR_INTR : TR_ERROR;
    }
}

int open_tls(void* sock) {
    auto* s = static_cast<TlsSocket*>(sock);
    close_tls(s);
    Deadline deadline = deadline_after(s->config.connect_timeout_s);
    if (!tcp_connect(s, deadline)) return TR_ERROR;

    s->ctx = SSL_CTX_new(TLS_client_method());
    if (!s->ctx) {
        close_tls(s);
        return TR_ERROR;
    }
    SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, nullptr);
    bool loaded = s->config.ca_file.empty() ? SSL_CTX_set_default_verify_paths(s->ctx) == 1
                                            : SSL_CTX_load_verify_locations(s->ctx, s->config.ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
        close_tls(s);
        return TR_ERROR;
    }
    s->ssl = SSL_new(s->ctx);
    if (!s->ssl || SSL_set_fd(s->ssl, s->fd) != 1) {
        close_tls(s);
        return TR_ERROR;
    }
    const std::string& name = s->config.server_name.empty() ? s->config.host : s->config.server_name;
    X509_VERIFY_PARAM* param = SSL_get0_param(s->ssl);
    if (is_ip_literal(name)) {
        X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
        SSL_ctrl(s->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
    int r = drive(s, deadline, false, [s] { return SSL_connect(s->ssl); });
    if (r <= 0 || SSL_get_verify_result(s->ssl) != X509_V_OK) {
        close_tls(s);
        return TR_ERROR;
    }
    return TR_SUCCESS;
}

void free_tls(tr_socket* tr) {
    auto* s = static_cast<TlsSocket*>(tr->socket);
    if (!s) return;
    close_tls(s);
    delete s;
    tr->socket = nullptr;
}

int recv_tls(const void* sock, void* pdu, const size_t len, const time_t timeout) {
    auto* s = static_cast<TlsSocket*>(const_cast<void*>(sock));
    if (!s->ssl) return TR_ERROR;
    int n = static_cast<int>(len > INT32_MAX ? INT32_MAX : len);
    return drive(s, deadline_after(timeout), timeout == 0, [s, pdu, n] { return SSL_read(s->ssl, pdu, n); });
}

int send_tls(const void* sock, const void* pdu, const size_t len, const time_t timeout) {
    auto* s = static_cast<TlsSocket*>(const_cast<void*>(sock));
    if (!s->ssl) return TR_ERROR;
    int n = static_cast<int>(len > INT32_MAX ? INT32_MAX : len);
    // A write that returned WANT_* must be retried with the same arguments: drive() does.
    return drive(s, deadline_after(timeout == 0 ? 1 : timeout), false,
                 [s, pdu, n] { return SSL_write(s->ssl, pdu, n); });
}

const char* ident_tls(void* sock) { return static_cast<TlsSocket*>(sock)->ident.c_str(); }

}  // namespace

int tls_transport_init(const TlsTransportConfig& config, tr_socket* tr) {
    auto* s = new TlsSocket;
    s->config = config;
    s->ident = fmt::format("tls:{}:{}", config.host, config.port);
    tr->socket = s;
    tr->open_fp = &open_tls;
    tr->close_fp = &close_tls;
    tr->free_fp = &free_tls;
    tr->send_fp = &send_tls;
    tr->recv_fp = &recv_tls;
    tr->ident_fp = &ident_tls;
    return TR_SUCCESS;
}

}  // namespace moat::rtr
