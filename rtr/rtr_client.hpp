// RTR caches (RFC 6810 version 0, RFC 8210 version 1): Moat's own protocol
// engine (rtr_protocol.hpp) over rtrlib's transports (TCP and SSH) and
// Moat's TLS transport (tls_transport.hpp).
//
// Why not rtrlib's client: rtrlib keeps every VRP in a table of its own
// (about 96 bytes a VRP, 76 MiB for 833k) that its protocol code needs, and
// hands records on one callback at a time. Here a sync's records go straight
// into one batch that the RoaSet merges into its index, the only copy: the
// answer to a Reset Query as the cache's whole set, the answer to a Serial
// Query as changes. The session keeps only the session ID, the serial and
// the negotiated version.
//
// One thread a cache runs the blocking transport; everything it learns goes
// through a mutex-protected queue, and the notifier wakes the owner, whose
// poll() drains it. The threads are woken for a stop by a signal (the real-time
// signal SIGRTMIN, with a handler that does nothing), so stopping does not
// wait for a read's timeout.
//
// Caches are grouped by preference (lower is preferred; equal preferences
// form one group that must all be in sync). The preferred group runs; when
// one of its caches fails (cannot connect, loses the connection, reports an
// error) the next group starts as well; when the preferred group is in sync
// again, the less preferred groups close and their VRPs leave the set. A
// cache that has not synced for the expire interval drops its VRPs.
#pragma once

#include "rtr/roa_source.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moat::rtr {

struct CacheConfig {
    enum class Transport : uint8_t { tcp, ssh, tls };
    Transport transport = Transport::tcp;
    std::string host;
    uint16_t port = 323;
    uint8_t preference = 1;    // lower is preferred
    std::string bind_address;  // optional local address
    unsigned connect_timeout_s = 10;
    // ssh
    std::string ssh_user;
    std::string ssh_key;        // client private key file
    std::string ssh_host_key;   // known host key file; empty: not checked
    // tls
    std::string tls_ca;           // CA file; empty: system store
    std::string tls_server_name;  // empty: host
};

std::string_view to_string(CacheConfig::Transport t);  // "tcp", "ssh", "tls"

struct RtrConfig {
    std::vector<CacheConfig> caches;
    // Configured intervals replace the cache's End-of-Data values. Unset:
    // the cache's values (version 1), else RFC 8210's defaults. Ranges:
    // refresh 1..86400, retry 1..7200, expire 600..172800.
    std::optional<unsigned> refresh_s, retry_s, expire_s;
    // A query's answer that stalls this long (no byte) ends the connection.
    std::chrono::seconds answer_timeout{30};
};

class RtrClient final : public VrpSource {
public:
    RtrClient(RtrConfig config, Notifier notify);
    ~RtrClient() override;  // stops the cache threads
    RtrClient(const RtrClient&) = delete;
    RtrClient& operator=(const RtrClient&) = delete;

    // Sets up the transports and starts the cache threads. False with a
    // message if the configuration is refused (no cache, intervals out of
    // range, a transport that cannot be set up).
    bool start(std::string& error);
    void stop();

    const RtrConfig& config() const;

    // VrpSource
    Poll poll(Clock::time_point now, Update& out) override;
    unsigned slots() const override;
    bool in_sync() const override;
    std::vector<SourceStatus> status() const override;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace moat::rtr
