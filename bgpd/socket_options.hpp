// Socket-level protections and conversions for BGP transport:
// TCP-MD5 (RFC 2385) through the kernel's TCP_MD5SIG option, GTSM (RFC 5082)
// through IP_MINTTL / IPV6_MINHOPCOUNT, and the TTL rule for eBGP:
// single-hop eBGP sends with TTL 1 unless ebgp-multihop gives another value
// (what FRR and BIRD do); iBGP keeps the system default.
#pragma once

#include "bgpd/config.hpp"

#include <boost/asio/ip/address.hpp>

#include <string>

namespace moat::bgp {

boost::asio::ip::address to_asio(const wire::IpAddress& a);
// IPv4-mapped IPv6 addresses come back as IPv4.
wire::IpAddress from_asio(const boost::asio::ip::address& a);

// Each returns an error text, empty on success.
// An empty key removes the key for that peer.
std::string set_tcp_md5(int fd, const wire::IpAddress& peer, const std::string& key);
// A listener that accepts GTSM neighbors sends with TTL 255 (the SYN-ACK);
// the minimum TTL is set per accepted connection.
std::string set_gtsm_listener(int fd, bool v6);
// TTL / hop limit and GTSM for a connected (or connecting) socket.
std::string apply_ttl_policy(int fd, bool v6, const NeighborConfig& n, bool ebgp);

}  // namespace moat::bgp
