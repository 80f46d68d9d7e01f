// See socket_options.hpp.
#include "bgpd/socket_options.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace moat::bgp {

boost::asio::ip::address to_asio(const wire::IpAddress& a) {
    if (a.v6) return boost::asio::ip::address_v6(a.bytes);
    return boost::asio::ip::address_v4(a.v4_value());
}

wire::IpAddress from_asio(const boost::asio::ip::address& a) {
    if (a.is_v4()) return wire::IpAddress::v4(a.to_v4().to_uint());
    auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) return wire::IpAddress::v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_uint());
    wire::IpAddress r;
    r.v6 = true;
    r.bytes = v6.to_bytes();
    return r;
}

namespace {
std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string set_int(int fd, int level, int name, int value, const char* what) {
    if (setsockopt(fd, level, name, &value, sizeof value) != 0) return errno_text(what);
    return {};
}
}  // namespace

std::string set_tcp_md5(int fd, const wire::IpAddress& peer, const std::string& key) {
    struct tcp_md5sig sig;
    std::memset(&sig, 0, sizeof sig);
    if (key.size() > TCP_MD5SIG_MAXKEYLEN) return "TCP-MD5 password longer than 80 bytes";
    if (peer.v6) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        std::memcpy(&sa.sin6_addr, peer.bytes.data(), 16);
        std::memcpy(&sig.tcpm_addr, &sa, sizeof sa);
    } else {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(peer.v4_value());
        std::memcpy(&sig.tcpm_addr, &sa, sizeof sa);
    }
    sig.tcpm_keylen = static_cast<uint16_t>(key.size());
    std::memcpy(sig.tcpm_key, key.data(), key.size());
    if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) != 0) return errno_text("TCP_MD5SIG");
    return {};
}

std::string set_gtsm_listener(int fd, bool v6) {
    return v6 ? set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS")
              : set_int(fd, IPPROTO_IP, IP_TTL, 255, "IP_TTL");
}

std::string apply_ttl_policy(int fd, bool v6, const NeighborConfig& n, bool ebgp) {
    int ttl = 0;
    int min_ttl = 0;
    if (n.ttl_security_hops) {
        ttl = 255;
        min_ttl = 256 - *n.ttl_security_hops;
    } else if (n.ebgp_multihop) {
        ttl = *n.ebgp_multihop;
    } else if (ebgp) {
        ttl = 1;
    }
    std::string e;
    if (ttl != 0) {
        e = v6 ? set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS")
               : set_int(fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
        if (!e.empty()) return e;
    }
    if (min_ttl != 0) {
        e = v6 ? set_int(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, min_ttl, "IPV6_MINHOPCOUNT")
               : set_int(fd, IPPROTO_IP, IP_MINTTL, min_ttl, "IP_MINTTL");
    }
    return e;
}

}  // namespace moat::bgp
