// An RTR-over-TLS transport (RFC 8210 7) for rtrlib, on OpenSSL.
//
// rtrlib 0.8 ships TCP and SSH transports only; its struct tr_socket is a
// table of open/close/free/send/recv/ident functions, which this fills with
// a TLS client: TCP connect with a timeout, TLS 1.2+ handshake verifying the
// cache's certificate against a CA file (or the system store when none is
// given) and its name or IP address, then record I/O on a non-blocking
// socket with poll() timeouts as rtrlib expects (TR_WOULDBLOCK on timeout,
// TR_CLOSED on close_notify or EOF).
//
// Writes may raise SIGPIPE on a dead connection: the daemon ignores SIGPIPE.
#pragma once

#include <string>

struct tr_socket;

namespace moat::rtr {

struct TlsTransportConfig {
    std::string host;
    std::string port;
    std::string ca_file;      // PEM CA bundle; empty: the system default store
    std::string server_name;  // name/IP checked in the certificate; empty: host
    std::string bind_address; // optional local address
    unsigned connect_timeout_s = 30;
};

// Initialises tr (which rtrlib later frees through its free function).
// Returns 0 (TR_SUCCESS) or -1 (TR_ERROR).
int tls_transport_init(const TlsTransportConfig& config, tr_socket* tr);

}  // namespace moat::rtr
