// The BGP speaker: the listeners, the peers, and the routing table (RIB)
// they feed; what the CLI sees through bgp::Control.
//
// Listeners: each configured listen address (default 0.0.0.0 and :: with
// IPV6_V6ONLY) on the configured port. A connection from an address that is
// no configured neighbor is closed at once. TCP-MD5 keys of neighbors with a
// password are set on every listener of the neighbor's family, keyed by the
// neighbor's address.
#pragma once

#include "bgpd/control.hpp"
#include "bgpd/peer.hpp"
#include "bgpd/routing.hpp"
#include "bgpd/rpki.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <map>
#include <memory>
#include <vector>

namespace moat::bgp {

struct SpeakerOptions {
    BackoffTiming backoff;
    SessionTiming session;
    bool start_peers = true;  // false: peers wait for start_peers()
};

class Speaker final : public Control {
public:
    // Opens the listeners (throws std::runtime_error when none can be opened
    // and listening is on) and starts every neighbor that is not shut down.
    Speaker(boost::asio::io_context& io, Config config, SpeakerOptions options = {});
    ~Speaker() override;
    Speaker(const Speaker&) = delete;
    Speaker& operator=(const Speaker&) = delete;

    // Cease / Administrative Shutdown with `message` to every peer, listeners
    // closed. Pending NOTIFICATIONs are flushed by the io_context afterwards.
    void stop(const std::string& message);

    // Starts every neighbor that is not shut down (once).
    void start_peers();
    const Peer* peer(const wire::IpAddress& a) const { return find(a); }

    uint32_t router_id() const { return local_.router_id; }
    // The bound listening ports, in listener order (useful with port 0).
    std::vector<uint16_t> listen_ports() const;

    // Control
    std::vector<PeerView> peer_views() const override;
    const Config& running_config() const override;
    std::string neighbor_shutdown(const wire::IpAddress& a, bool down, std::string message) override;
    std::string neighbor_clear(const wire::IpAddress& a) override;
    // Applies the difference to `c` (bgpd/reconfigure.cpp); logs each change.
    std::string apply_config(const Config& c) override;
    std::string config_path() const override { return config_path_; }
    void set_config_path(std::string path) { config_path_ = std::move(path); }
    std::string neighbor_soft_reset(const wire::IpAddress& a, bool in, bool out) override;
    std::unique_ptr<RouteWalk> routes(const RouteQuery& q, std::string& error) override;
    MemoryView memory() const override;
    RpkiView rpki_view() const override { return rpki_->view(); }
    const rtr::VrpIndex* rpki_index() const override { return &rpki_->index(); }
    fib::FibCounters fib_counters() const override;
    std::vector<NextHopView> next_hops() const override;
    std::vector<fib::FibRoute> fib_routes(std::optional<wire::Afi> afi, const std::optional<wire::Prefix>& under,
                                          size_t limit) const override;
    RejectedList rejected(const RejectedQuery& q, std::string& error) override;
    PeerLockView peer_lock() const override;

    // The routing table (null without router bgp).
    Routing* routing() { return routing_.get(); }
    const Routing* routing() const { return routing_.get(); }

private:
    void open_listener(const wire::IpAddress& address, uint16_t port);
    void do_accept(size_t index);
    Peer* find(const wire::IpAddress& a) const;

    boost::asio::io_context& io_;
    Config config_;
    SpeakerOptions options_;
    LocalSettings local_;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    std::unique_ptr<Rpki> rpki_;        // outlives the routing table (its import step)
    std::unique_ptr<Routing> routing_;  // outlives the peers
    std::map<wire::IpAddress, std::unique_ptr<Peer>> peers_;
    bool stopped_ = false;
    bool peers_started_ = false;
    std::string config_path_;  // moatd -f, for write and reload
};

// The router ID when none is configured: the highest IPv4 listen address,
// else the highest non-loopback IPv4 address of the host, else 127.0.0.1.
uint32_t default_router_id(const BgpConfig& c);

}  // namespace moat::bgp
