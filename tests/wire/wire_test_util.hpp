// Helpers for the codec tests: hex in and out, and small builders for UPDATE
// bodies and attributes written the way the RFC diagrams read.
#pragma once

#include "bgpd/wire/codec.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace moat::wire::test {

inline std::vector<uint8_t> hex(std::string_view s) {
    std::vector<uint8_t> out;
    int hi = -1;
    for (char c : s) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;  // spaces and separators are for the reader
        if (hi < 0) hi = v;
        else out.push_back(static_cast<uint8_t>(hi << 4 | v)), hi = -1;
    }
    return out;
}

inline std::string to_hex(const std::vector<uint8_t>& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (uint8_t x : b) s += d[x >> 4], s += d[x & 15];
    return s;
}

inline std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// One attribute: flags, type, value (the Extended Length form when needed).
inline std::vector<uint8_t> attr(uint8_t flags, uint8_t type, const std::vector<uint8_t>& v) {
    std::vector<uint8_t> out{flags, type};
    if (v.size() > 255 || (flags & 0x10)) {
        out[0] |= 0x10;
        out.push_back(static_cast<uint8_t>(v.size() >> 8));
    }
    out.push_back(static_cast<uint8_t>(v.size()));
    out.insert(out.end(), v.begin(), v.end());
    return out;
}

// An UPDATE body: withdrawn, attributes, NLRI (lengths computed).
inline std::vector<uint8_t> update_body(const std::vector<uint8_t>& withdrawn, const std::vector<uint8_t>& attrs,
                                        const std::vector<uint8_t>& nlri) {
    std::vector<uint8_t> out;
    out.push_back(static_cast<uint8_t>(withdrawn.size() >> 8));
    out.push_back(static_cast<uint8_t>(withdrawn.size()));
    out.insert(out.end(), withdrawn.begin(), withdrawn.end());
    out.push_back(static_cast<uint8_t>(attrs.size() >> 8));
    out.push_back(static_cast<uint8_t>(attrs.size()));
    out.insert(out.end(), attrs.begin(), attrs.end());
    out.insert(out.end(), nlri.begin(), nlri.end());
    return out;
}

// A whole message: marker, length, type, body.
inline std::vector<uint8_t> message(uint8_t type, const std::vector<uint8_t>& body) {
    std::vector<uint8_t> out(16, 0xff);
    size_t len = body.size() + header_size;
    out.push_back(static_cast<uint8_t>(len >> 8));
    out.push_back(static_cast<uint8_t>(len));
    out.push_back(type);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

inline Prefix pfx(std::string_view s) { return *Prefix::parse(s); }
inline Nlri nl(std::string_view s, uint32_t path_id = 0) { return Nlri{path_id, pfx(s)}; }
inline uint32_t ip4(std::string_view s) { return IpAddress::parse(s)->v4_value(); }

inline AsPath seq(std::vector<uint32_t> a) { return AsPath{{AsSegment{SegmentType::as_sequence, std::move(a)}}}; }

inline SessionContext ctx4() {
    SessionContext c;
    c.four_octet_as = true;
    return c;
}
inline SessionContext ctx2() { return SessionContext{}; }
inline SessionContext ctx4_ibgp() {
    SessionContext c = ctx4();
    c.ibgp = true;
    return c;
}
inline SessionContext ctx2_ibgp() {
    SessionContext c = ctx2();
    c.ibgp = true;
    return c;
}
// Moat's own encodings (stored attribute sets): the receive-only rules are off.
inline SessionContext ctx4_trusted() {
    SessionContext c = ctx4_ibgp();
    c.trusted = true;
    return c;
}

}  // namespace moat::wire::test
