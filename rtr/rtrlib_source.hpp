// RTR caches (RFC 6810/8210 versions 0 and 1) through rtrlib 0.8.
//
// One RtrlibSource is one rtr_mgr: caches are grouped by preference (lower
// is preferred; caches with equal preference form one group that must all be
// in sync). rtrlib runs the preferred group, falls over to the next group
// when it fails, and back when the preferred group is in sync again.
// Transports: TCP and SSH (rtrlib's own) and TLS (tls_transport.hpp).
//
// Threads: rtrlib calls back on one thread per cache. The callbacks only copy
// the record or state change into a mutex-protected queue (in arrival order)
// and call the notifier given at construction (once per batch). The owner
// then calls poll() (normally through RoaSet::poll) which drains the queue.
// A cache's records are handed on as one batch when the cache's socket
// changes state: rtrlib stores every record of a sync and then moves the
// socket from SYNC to ESTABLISHED, so that change marks End of Data (a failed
// sync ends in an error state after rtrlib's undo records, an expiry purge
// before the next connect's state change: those batches net out right too).
// No waiting: the delta goes on the moment the sync has ended. Records with
// no state change after them, outside a sync, are handed on after
// `max_delay` as a guard.
// Remove callbacks fired by our own shutdown (rtr_mgr_stop/free) are ignored.
// Each cache is one source number of the RoaSet: the VRPs live only there
// (and in rtrlib's own table, which its protocol code needs).
//
// Cache failure: the last set is kept until the expire interval has passed
// without a successful sync; rtrlib then purges that cache's records (they
// arrive as removes, routes go NotFound) and status() says "expired".
// rtrlib does not use MSG_NOSIGNAL: the daemon must ignore SIGPIPE.
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
    // Configured intervals replace the cache's End-of-Data values
    // (RTR_INTERVAL_MODE_IGNORE_ANY). Unset: RFC 8210 defaults, overridden
    // by the cache. rtrlib's ranges: refresh 1..86400, retry 1..7200,
    // expire 600..172800.
    std::optional<unsigned> refresh_s, retry_s, expire_s;
    std::chrono::milliseconds max_delay{2000};
};

class RtrlibSource final : public VrpSource {
public:
    RtrlibSource(RtrConfig config, Notifier notify);
    ~RtrlibSource() override;  // stops rtrlib
    RtrlibSource(const RtrlibSource&) = delete;
    RtrlibSource& operator=(const RtrlibSource&) = delete;

    // Sets up the transports and starts the preferred group. False with a
    // message if the configuration is refused (bad intervals, duplicate
    // preference in rtrlib's eyes, transport setup).
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
    std::unique_ptr<Impl> impl_;
};

}  // namespace moat::rtr
