// Value types of the BGP-4 wire: addresses, prefixes, AFI/SAFI and path attributes.
//
// Everything here is a plain value (copyable, comparable, no I/O). The codec
// (codec.hpp) turns bytes into these types and back; the RIB interns attribute
// sets built from them. RFCs: 4271 (BGP-4), 4760 (MP-BGP), 6793 (4-octet AS),
// 1997 (communities), 4360 (extended communities), 8092 (large communities),
// 4456 (route reflection), 9234 (OTC), 7911 (ADD-PATH path identifiers).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moat::wire {

enum class Afi : uint16_t { ipv4 = 1, ipv6 = 2 };
enum class Safi : uint8_t { unicast = 1 };

struct AfiSafi {
    Afi afi = Afi::ipv4;
    Safi safi = Safi::unicast;
    auto operator<=>(const AfiSafi&) const = default;
};

std::string_view to_string(Afi afi);

// An IPv4 or IPv6 address. IPv4 lives in bytes[0..3], the rest is zero.
struct IpAddress {
    std::array<uint8_t, 16> bytes{};
    bool v6 = false;

    static IpAddress v4(uint32_t host_order);
    static std::optional<IpAddress> parse(std::string_view text);
    uint32_t v4_value() const;  // host order; only meaningful when !v6
    bool is_v4() const { return !v6; }
    bool is_link_local_v6() const { return v6 && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80; }
    Afi afi() const { return v6 ? Afi::ipv6 : Afi::ipv4; }
    std::string to_string() const;
    auto operator<=>(const IpAddress&) const = default;
};

// An IP prefix: address bits beyond len are always zero (the decoder and
// parse() mask them), so two equal prefixes compare equal byte for byte.
struct Prefix {
    std::array<uint8_t, 16> addr{};
    uint8_t len = 0;
    bool v6 = false;

    static std::optional<Prefix> parse(std::string_view text);  // "192.0.2.0/24", "2001:db8::/32"
    static Prefix make(const IpAddress& a, uint8_t len);        // masks the host bits
    Afi afi() const { return v6 ? Afi::ipv6 : Afi::ipv4; }
    uint8_t max_len() const { return v6 ? 128 : 32; }
    IpAddress address() const;
    std::string to_string() const;
    auto operator<=>(const Prefix&) const = default;
};

// One NLRI entry; path_id is 0 unless ADD-PATH (RFC 7911) is in use for its AFI.
struct Nlri {
    uint32_t path_id = 0;
    Prefix prefix;
    auto operator<=>(const Nlri&) const = default;
};

enum class Origin : uint8_t { igp = 0, egp = 1, incomplete = 2 };

enum class SegmentType : uint8_t {
    as_set = 1,
    as_sequence = 2,
    confed_sequence = 3,  // RFC 5065
    confed_set = 4,
};

struct AsSegment {
    SegmentType type = SegmentType::as_sequence;
    std::vector<uint32_t> asns;
    auto operator<=>(const AsSegment&) const = default;
};

struct AsPath {
    std::vector<AsSegment> segments;

    // Path length for the decision process (RFC 4271 9.1.2.2 a): an AS_SET
    // counts one, confederation segments count zero.
    uint32_t decision_length() const;
    bool contains(uint32_t asn) const;
    std::optional<uint32_t> first_as() const;   // leftmost AS of the first AS_SEQUENCE
    std::optional<uint32_t> origin_as() const;  // rightmost AS of the last AS_SEQUENCE
    std::string to_string() const;              // "64500 64501 {64502,64503} (65001)"
    auto operator<=>(const AsPath&) const = default;
};

struct Aggregator {
    uint32_t asn = 0;
    uint32_t address = 0;  // IPv4, host order
    auto operator<=>(const Aggregator&) const = default;
};

// Well-known communities (RFC 1997, RFC 8326).
inline constexpr uint32_t community_no_export = 0xFFFFFF01;
inline constexpr uint32_t community_no_advertise = 0xFFFFFF02;
inline constexpr uint32_t community_no_export_subconfed = 0xFFFFFF03;
inline constexpr uint32_t community_graceful_shutdown = 0xFFFF0000;

struct ExtCommunity {
    std::array<uint8_t, 8> value{};
    auto operator<=>(const ExtCommunity&) const = default;
};

struct LargeCommunity {
    uint32_t global = 0, local1 = 0, local2 = 0;
    auto operator<=>(const LargeCommunity&) const = default;
};

// An attribute the codec does not interpret. Optional transitive ones are
// passed on with the Partial bit set (RFC 4271 5); others are dropped.
struct UnknownAttribute {
    uint8_t flags = 0;
    uint8_t type = 0;
    std::vector<uint8_t> value;
    auto operator<=>(const UnknownAttribute&) const = default;
};

// Attribute type codes (IANA "BGP Path Attributes").
namespace attr {
inline constexpr uint8_t origin = 1;
inline constexpr uint8_t as_path = 2;
inline constexpr uint8_t next_hop = 3;
inline constexpr uint8_t med = 4;
inline constexpr uint8_t local_pref = 5;
inline constexpr uint8_t atomic_aggregate = 6;
inline constexpr uint8_t aggregator = 7;
inline constexpr uint8_t communities = 8;
inline constexpr uint8_t originator_id = 9;
inline constexpr uint8_t cluster_list = 10;
inline constexpr uint8_t mp_reach_nlri = 14;
inline constexpr uint8_t mp_unreach_nlri = 15;
inline constexpr uint8_t ext_communities = 16;
inline constexpr uint8_t as4_path = 17;
inline constexpr uint8_t as4_aggregator = 18;
inline constexpr uint8_t large_communities = 32;
inline constexpr uint8_t otc = 35;

inline constexpr uint8_t flag_optional = 0x80;
inline constexpr uint8_t flag_transitive = 0x40;
inline constexpr uint8_t flag_partial = 0x20;
inline constexpr uint8_t flag_extended_length = 0x10;
}  // namespace attr

// The path attributes of one UPDATE, with AS4_PATH / AS4_AGGREGATOR already
// merged into as_path / aggregator (RFC 6793 4.2.3). MP_REACH / MP_UNREACH are
// not here: they carry NLRI and live in Update.
struct PathAttributes {
    std::optional<Origin> origin;
    std::optional<AsPath> as_path;
    std::optional<uint32_t> next_hop;  // IPv4 NEXT_HOP, host order
    std::optional<uint32_t> med;
    std::optional<uint32_t> local_pref;
    bool atomic_aggregate = false;
    std::optional<Aggregator> aggregator;
    std::vector<uint32_t> communities;
    std::optional<uint32_t> originator_id;
    std::vector<uint32_t> cluster_list;
    std::vector<ExtCommunity> ext_communities;
    std::vector<LargeCommunity> large_communities;
    std::optional<uint32_t> otc;  // RFC 9234 Only to Customer
    std::vector<UnknownAttribute> unknown;

    bool has_community(uint32_t c) const;
    auto operator<=>(const PathAttributes&) const = default;
};

std::string community_to_string(uint32_t c);  // "64500:100", or "no-export" etc.

}  // namespace moat::wire
