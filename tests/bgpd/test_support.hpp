// Helpers shared by the in-process speaker tests: parsing shorthands, a free
// port on a loopback address, running the loop until a condition holds, quiet
// logs (MOAT_TEST_LOG=debug shows the sessions' logs), and the configuration
// and timing of speakers that peer with each other on 127.0.0.x.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/log.hpp"
#include "bgpd/speaker.hpp"
#include "bgpd/wire/types.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <utility>
#include <vector>

namespace moat::test {

inline wire::IpAddress ip(const char* s) { return *wire::IpAddress::parse(s); }
inline wire::Prefix pfx(const char* s) { return *wire::Prefix::parse(s); }

// A port that was free a moment ago on this address.
inline uint16_t free_port(const char* address) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address(address), 0});
    return a.local_endpoint().port();
}

inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
        if (done()) return true;
    }
    return false;
}

struct Quiet {
    Quiet() : before(bgp::log::level()) {
        const char* e = std::getenv("MOAT_TEST_LOG");
        bgp::log::set_level(e ? bgp::log::parse_level(e).value_or(bgp::log::Level::warning)
                              : bgp::log::Level::warning);
    }
    ~Quiet() { bgp::log::set_level(before); }
    bgp::log::Level before;
};

// An in-process speaker: the address it listens on and peers from, its AS,
// and its port.
struct Node {
    const char* address;
    uint32_t asn;
    uint16_t port;
};

// The speaker at `self`, peering with every node of `others` and originating
// `networks`. Its router ID is its (IPv4) address; eBGP does not require a
// policy (the tests are about sessions and routes, not policy); of two nodes
// the lower address connects, retries after 1 s and offers hold time 30 s.
// `tweak` then adjusts each neighbor. The eBGP default filters stay on.
inline bgp::Config speaker_config(const Node& self, const std::vector<Node>& others,
                                  std::vector<wire::Prefix> networks,
                                  const std::function<void(bgp::NeighborConfig&)>& tweak = {}) {
    bgp::BgpConfig b;
    b.asn = self.asn;
    b.ebgp_requires_policy = false;
    b.router_id = ip(self.address).v4_value();
    b.listen_addresses = {bgp::ListenAddress{ip(self.address)}};
    b.listen_port = self.port;
    b.networks = std::move(networks);
    for (const Node& o : others) {
        bgp::NeighborConfig n;
        n.address = ip(o.address);
        n.remote_as = o.asn;
        n.update_source = ip(self.address);
        n.port = o.port;
        n.passive = ip(self.address) > ip(o.address);
        n.connect_retry_time = 1;
        n.hold_time = 30;
        if (tweak) tweak(n);
        b.neighbors.push_back(n);
    }
    bgp::Config c;
    c.bgp = std::move(b);
    return c;
}

// Turns off the eBGP default filters for tests that route documentation
// prefixes (and longer than /24) between private ASNs, which they would reject.
inline void allow_documentation_routes(bgp::BgpConfig& b) {
    b.reject_martians = false;
    b.reject_too_specific = false;
    b.reject_bogon_asns = false;
}

// Reconnects and session teardown fast enough for tests.
inline bgp::SpeakerOptions fast() {
    bgp::SpeakerOptions o;
    o.backoff.initial = std::chrono::milliseconds(200);
    o.backoff.max = std::chrono::seconds(1);
    o.session.drain_timeout = std::chrono::milliseconds(500);
    return o;
}

inline bool all_established(const bgp::Speaker& s) {
    for (const auto& v : s.peer_views())
        if (v.state != bgp::State::established) return false;
    return true;
}

}  // namespace moat::test
