// BGP messages as values: OPEN with capabilities, UPDATE, NOTIFICATION,
// KEEPALIVE and ROUTE-REFRESH. RFCs: 4271, 5492 (capabilities), 4760, 6793,
// 2918, 7313, 4724, 7911, 8654, 9234, 4486, 8203/9003, 9072.
#pragma once

#include "bgpd/wire/types.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace moat::wire {

inline constexpr size_t header_size = 19;
inline constexpr size_t max_message_size = 4096;           // RFC 4271
inline constexpr size_t max_extended_message_size = 65535;  // RFC 8654
inline constexpr uint16_t as_trans = 23456;                 // RFC 6793

enum class MessageType : uint8_t {
    open = 1,
    update = 2,
    notification = 3,
    keepalive = 4,
    route_refresh = 5,
};

// Capability codes (IANA "Capability Codes").
namespace cap {
inline constexpr uint8_t multiprotocol = 1;
inline constexpr uint8_t route_refresh = 2;
inline constexpr uint8_t extended_message = 6;
inline constexpr uint8_t role = 9;
inline constexpr uint8_t graceful_restart = 64;
inline constexpr uint8_t four_octet_as = 65;
inline constexpr uint8_t add_path = 69;
inline constexpr uint8_t enhanced_route_refresh = 70;
}  // namespace cap

// RFC 9234 role values.
enum class Role : uint8_t { provider = 0, rs = 1, rs_client = 2, customer = 3, peer = 4 };
std::string_view to_string(Role r);
// "provider", "rs", "rs-client", "customer", "peer".
std::optional<Role> parse_role(std::string_view s);
// RFC 9234 4.2, Table 2: the role the neighbor must announce when ours is r.
Role expected_remote_role(Role r);

struct GracefulRestart {
    struct Family {
        AfiSafi afi_safi;
        bool forwarding_preserved = false;
        auto operator<=>(const Family&) const = default;
    };
    bool restart_state = false;  // R bit
    bool notification = false;   // N bit (RFC 8538)
    uint16_t restart_time = 0;   // seconds, 12 bits
    std::vector<Family> families;
    auto operator<=>(const GracefulRestart&) const = default;
};

struct AddPath {
    enum Mode : uint8_t { receive = 1, send = 2, both = 3 };
    AfiSafi afi_safi;
    uint8_t mode = receive;
    auto operator<=>(const AddPath&) const = default;
};

struct UnknownCapability {
    uint8_t code = 0;
    std::vector<uint8_t> value;
    auto operator<=>(const UnknownCapability&) const = default;
};

struct Capabilities {
    std::vector<AfiSafi> multiprotocol;
    bool route_refresh = false;
    bool enhanced_route_refresh = false;
    bool extended_message = false;
    std::optional<uint32_t> four_octet_as;
    std::optional<GracefulRestart> graceful_restart;
    std::vector<AddPath> add_path;
    std::optional<Role> role;
    std::vector<UnknownCapability> unknown;  // kept, so they can be shown

    bool has_multiprotocol(AfiSafi f) const;
    // RFC 9234 4.2: a Role capability that is malformed, has an unknown value
    // or repeats with a different value (kept in `unknown` by the decoder).
    bool role_conflict() const;
    auto operator<=>(const Capabilities&) const = default;
};

struct Open {
    uint8_t version = 4;
    uint16_t my_as = 0;  // the 2-octet field; AS_TRANS when the real AS is above 65535
    uint16_t hold_time = 0;
    uint32_t bgp_id = 0;  // host order
    Capabilities caps;

    // The speaker's AS: the 4-octet capability's value when present, else my_as.
    uint32_t asn() const { return caps.four_octet_as.value_or(my_as); }
    auto operator<=>(const Open&) const = default;
};

// MP_REACH_NLRI (RFC 4760). For IPv6 the next hop is a global address plus,
// optionally, a link-local one (32-byte next hop field).
struct MpReach {
    AfiSafi afi_safi;
    IpAddress next_hop;
    std::optional<IpAddress> link_local_next_hop;
    std::vector<Nlri> nlri;
    auto operator<=>(const MpReach&) const = default;
};

struct MpUnreach {
    AfiSafi afi_safi;
    std::vector<Nlri> withdrawn;
    auto operator<=>(const MpUnreach&) const = default;
};

// An attribute dropped under RFC 7606 "attribute discard": the route stays,
// the attribute is gone. Kept so the speaker can log and count it.
struct DiscardedAttribute {
    uint8_t type = 0;
    const char* reason = "";
    bool operator==(const DiscardedAttribute& o) const { return type == o.type; }
};

struct Update {
    std::vector<Nlri> withdrawn;  // IPv4 unicast, from the Withdrawn Routes field
    PathAttributes attrs;
    std::vector<Nlri> nlri;  // IPv4 unicast, from the NLRI field
    std::optional<MpReach> mp_reach;
    std::optional<MpUnreach> mp_unreach;

    // RFC 7606 outcomes that do not reset the session.
    std::vector<DiscardedAttribute> discarded;
    // Set when an attribute error requires "treat-as-withdraw": every NLRI of
    // this UPDATE (nlri and mp_reach) must be handled as withdrawn.
    std::optional<uint8_t> treat_as_withdraw_attr;
    const char* treat_as_withdraw_reason = nullptr;

    // End-of-RIB marker (RFC 4724 2): an empty UPDATE for IPv4 unicast, or
    // one whose only attribute is an empty MP_UNREACH for another family.
    std::optional<AfiSafi> end_of_rib() const;
    bool operator==(const Update& o) const;
};

// NOTIFICATION error codes and subcodes (RFC 4271 4.5, 6; RFC 4486; RFC 7313; RFC 9234).
namespace err {
inline constexpr uint8_t header = 1;
inline constexpr uint8_t open = 2;
inline constexpr uint8_t update = 3;
inline constexpr uint8_t hold_timer = 4;
inline constexpr uint8_t fsm = 5;
inline constexpr uint8_t cease = 6;
inline constexpr uint8_t route_refresh = 7;

// header
inline constexpr uint8_t connection_not_synchronized = 1;
inline constexpr uint8_t bad_message_length = 2;
inline constexpr uint8_t bad_message_type = 3;
// open
inline constexpr uint8_t unsupported_version = 1;
inline constexpr uint8_t bad_peer_as = 2;
inline constexpr uint8_t bad_bgp_identifier = 3;
inline constexpr uint8_t unsupported_optional_parameter = 4;
inline constexpr uint8_t unacceptable_hold_time = 6;
inline constexpr uint8_t unsupported_capability = 7;
inline constexpr uint8_t role_mismatch = 11;
// update
inline constexpr uint8_t malformed_attribute_list = 1;
inline constexpr uint8_t unrecognized_well_known_attribute = 2;
inline constexpr uint8_t missing_well_known_attribute = 3;
inline constexpr uint8_t attribute_flags_error = 4;
inline constexpr uint8_t attribute_length_error = 5;
inline constexpr uint8_t invalid_origin_attribute = 6;
inline constexpr uint8_t invalid_next_hop_attribute = 8;
inline constexpr uint8_t optional_attribute_error = 9;
inline constexpr uint8_t invalid_network_field = 10;
inline constexpr uint8_t malformed_as_path = 11;
// cease (RFC 4486, RFC 9003)
inline constexpr uint8_t max_prefixes = 1;
inline constexpr uint8_t admin_shutdown = 2;
inline constexpr uint8_t peer_deconfigured = 3;
inline constexpr uint8_t admin_reset = 4;
inline constexpr uint8_t connection_rejected = 5;
inline constexpr uint8_t other_config_change = 6;
inline constexpr uint8_t connection_collision = 7;
inline constexpr uint8_t out_of_resources = 8;
// route refresh (RFC 7313)
inline constexpr uint8_t invalid_message_length = 1;
}  // namespace err

struct Notification {
    uint8_t code = 0;
    uint8_t subcode = 0;
    std::vector<uint8_t> data;

    // "Cease / Administrative Shutdown" and so on.
    std::string describe() const;
    // RFC 8203/9003: the UTF-8 message of a Cease 2 or 4, when well formed.
    std::optional<std::string> shutdown_message() const;
    static Notification shutdown(uint8_t subcode, std::string_view message);  // truncated to 255 bytes
    // RFC 4486: Cease 1 with AFI, SAFI and the limit.
    static Notification max_prefix(AfiSafi f, uint32_t limit);
    auto operator<=>(const Notification&) const = default;
};

struct Keepalive {
    auto operator<=>(const Keepalive&) const = default;
};

// ROUTE-REFRESH (RFC 2918) and its BoRR/EoRR subtypes (RFC 7313).
struct RouteRefresh {
    enum Subtype : uint8_t { normal = 0, borr = 1, eorr = 2 };
    AfiSafi afi_safi;
    uint8_t subtype = normal;
    auto operator<=>(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

}  // namespace moat::wire
