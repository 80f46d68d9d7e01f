// What the two OPENs of a session agree on (RFC 4271 4.2, 6.2; RFC 5492
// capabilities; RFC 4760 multiprotocol; RFC 6793 4-octet AS; RFC 2918/7313
// route refresh; RFC 8654 extended message). Pure functions, no I/O.
#pragma once

#include "bgpd/config.hpp"
#include "bgpd/wire/codec.hpp"

#include <variant>

namespace moat::bgp {

// Our side of a session.
struct LocalSettings {
    uint32_t asn = 0;
    uint32_t router_id = 0;  // host order
};

// The OPEN we send to a neighbor: MP for each configured family, 4-octet AS,
// route refresh, enhanced route refresh, extended message and, with a local
// role, the BGP Role capability (RFC 9234). An AS above
// 65535 goes in the 2-octet field as AS_TRANS.
wire::Open make_open(const LocalSettings& local, const NeighborConfig& n);

struct Negotiated {
    uint16_t hold_time = 0;       // min of both; 0 = no keepalives, no hold timer
    uint16_t keepalive_time = 0;  // min(configured, hold / 3)
    bool ipv4_unicast = false;
    bool ipv6_unicast = false;
    bool four_octet_as = false;
    bool route_refresh = false;
    bool enhanced_route_refresh = false;
    bool extended_message = false;
    std::optional<wire::Role> remote_role;  // the neighbor's BGP Role capability (RFC 9234)
    wire::SessionContext context;  // for decoding and encoding from now on
};

// Checks the peer's OPEN against the configuration and our OPEN; on success
// the result uses only what both sides announced. On failure, the OPEN
// Message Error to send: Bad Peer AS, Bad BGP Identifier, Unacceptable Hold
// Time, Role Mismatch (RFC 9234 4.2: the roles do not pair, the neighbor's
// Role capability repeats with another value, or `local-role ... strict`
// and it sent none), or Unsupported Capability when no address family is
// left in common (its data names the families we announced).
std::variant<Negotiated, wire::Notification> negotiate(const LocalSettings& local, const NeighborConfig& n,
                                                       const wire::Open& ours, const wire::Open& theirs);

// The families the peer can carry: its MP capabilities, or IPv4 unicast when
// it announced none (RFC 4760 8).
std::vector<wire::AfiSafi> peer_families(const wire::Capabilities& c);

}  // namespace moat::bgp
