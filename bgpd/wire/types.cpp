// Wire value types: parsing and printing of addresses and prefixes, AS_PATH
// helpers (RFC 4271 9.1.2.2, RFC 6811 origin), community names (RFC 1997,
// RFC 8326).
#include "bgpd/wire/types.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace moat::wire {

std::string_view to_string(Afi afi) {
    switch (afi) {
    case Afi::ipv4: return "ipv4";
    case Afi::ipv6: return "ipv6";
    }
    return "afi?";
}

IpAddress IpAddress::v4(uint32_t host_order) {
    IpAddress a;
    a.bytes[0] = static_cast<uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<uint8_t>(host_order);
    return a;
}

uint32_t IpAddress::v4_value() const {
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > 63) return std::nullopt;
    char buf[64];
    std::copy(text.begin(), text.end(), buf);
    buf[text.size()] = '\0';
    IpAddress a;
    if (text.find(':') != std::string_view::npos) {
        if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
        a.v6 = true;
        return a;
    }
    if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
    return a;
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf)) return "?";
    return buf;
}

Prefix Prefix::make(const IpAddress& a, uint8_t len) {
    Prefix p;
    p.v6 = a.v6;
    p.len = std::min<uint8_t>(len, p.max_len());
    size_t full = p.len / 8;
    std::copy_n(a.bytes.begin(), full, p.addr.begin());
    if (p.len % 8) p.addr[full] = static_cast<uint8_t>(a.bytes[full] & (0xff00u >> (p.len % 8)));
    return p;
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr) return std::nullopt;
    auto lenpart = text.substr(slash + 1);
    unsigned len = 0;
    auto [ptr, ec] = std::from_chars(lenpart.data(), lenpart.data() + lenpart.size(), len);
    if (ec != std::errc() || ptr != lenpart.data() + lenpart.size() || lenpart.empty()) return std::nullopt;
    if (len > (addr->v6 ? 128u : 32u)) return std::nullopt;
    return make(*addr, static_cast<uint8_t>(len));
}

IpAddress Prefix::address() const {
    IpAddress a;
    a.bytes = addr;
    a.v6 = v6;
    return a;
}

std::string Prefix::to_string() const { return fmt::format("{}/{}", address().to_string(), len); }

uint32_t AsPath::decision_length() const {
    uint32_t n = 0;
    for (const auto& s : segments) {
        if (s.type == SegmentType::as_sequence) n += static_cast<uint32_t>(s.asns.size());
        else if (s.type == SegmentType::as_set) n += 1;
    }
    return n;
}

bool AsPath::contains(uint32_t asn) const {
    for (const auto& s : segments)
        if (std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end()) return true;
    return false;
}

std::optional<uint32_t> AsPath::first_as() const {
    for (const auto& s : segments)
        if (s.type == SegmentType::as_sequence && !s.asns.empty()) return s.asns.front();
    return std::nullopt;
}

// RFC 6811 2: the origin is the rightmost AS of the final segment when that
// segment is an AS_SEQUENCE (confederation segments are skipped); a path
// ending in an AS_SET has no origin AS.
std::optional<uint32_t> AsPath::origin_as() const {
    for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
        if (it->type == SegmentType::confed_sequence || it->type == SegmentType::confed_set) continue;
        if (it->type == SegmentType::as_sequence && !it->asns.empty()) return it->asns.back();
        return std::nullopt;
    }
    return std::nullopt;
}

std::string AsPath::to_string() const {
    std::string out;
    for (const auto& s : segments) {
        if (!out.empty()) out += ' ';
        const char* open = "";
        const char* close = "";
        char sep = ' ';
        switch (s.type) {
        case SegmentType::as_sequence: break;
        case SegmentType::as_set: open = "{", close = "}", sep = ','; break;
        case SegmentType::confed_sequence: open = "(", close = ")"; break;
        case SegmentType::confed_set: open = "[", close = "]", sep = ','; break;
        }
        out += open;
        for (size_t i = 0; i < s.asns.size(); ++i) {
            if (i) out += sep;
            out += fmt::format("{}", s.asns[i]);
        }
        out += close;
    }
    return out;
}

bool PathAttributes::has_community(uint32_t c) const {
    return std::find(communities.begin(), communities.end(), c) != communities.end();
}

std::string community_to_string(uint32_t c) {
    switch (c) {
    case community_no_export: return "no-export";
    case community_no_advertise: return "no-advertise";
    case community_no_export_subconfed: return "no-export-subconfed";
    case community_graceful_shutdown: return "graceful-shutdown";
    case 0xFFFF029A: return "blackhole";  // RFC 7999
    default: return fmt::format("{}:{}", c >> 16, c & 0xffff);
    }
}

}  // namespace moat::wire
