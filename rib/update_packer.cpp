// UPDATE packing; see update_packer.hpp.
//
// UPDATE layout (RFC 4271 4.3):
//   header (16 x 0xFF, length:2, type 2) | withdrawn length:2 | withdrawn |
//   path attribute length:2 | path attributes | NLRI
// MP_REACH_NLRI value (RFC 4760 3): AFI:2 SAFI:1 NH length:1 NH reserved:1 NLRI
// MP_UNREACH_NLRI value (RFC 4760 4): AFI:2 SAFI:1 withdrawn
// Moat always writes the MP attributes with the extended-length flag.
#include "rib/update_packer.hpp"

namespace moat::rib {

namespace {

constexpr size_t fixed_overhead = wire::header_size + 2 + 2;  // header, two length fields
constexpr size_t mp_attr_header = 4;                          // flags, type, length:2

size_t nlri_size(const wire::Nlri& n, bool add_path) {
    return 1 + (size_t{n.prefix.len} + 7) / 8 + (add_path ? 4 : 0);
}

void put16(wire::Buffer& b, size_t at, size_t v) {
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}

void append16(wire::Buffer& b, size_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

// Starts a message: header with the length left to finish().
void start(wire::Buffer& b) {
    b.clear();
    b.insert(b.end(), 16, 0xFF);
    append16(b, 0);
    b.push_back(static_cast<uint8_t>(wire::MessageType::update));
}

void finish(wire::Buffer& b) { put16(b, 16, b.size()); }

void append_mp_header(wire::Buffer& b, uint8_t type, size_t value_len) {
    b.push_back(wire::attr::flag_optional | wire::attr::flag_extended_length);
    b.push_back(type);
    append16(b, value_len);
}

void append_afi_safi(wire::Buffer& b, wire::Afi afi) {
    append16(b, static_cast<uint16_t>(afi));
    b.push_back(static_cast<uint8_t>(wire::Safi::unicast));
}

}  // namespace

void UpdatePacker::withdraw(wire::Afi afi, std::span<const wire::Nlri> prefixes,
                            std::vector<wire::Buffer>& out) {
    const bool ap = add_path(afi);
    const size_t room = ctx_.max_size() - fixed_overhead -
                        (afi == wire::Afi::ipv6 ? mp_attr_header + 3 : 0);
    size_t i = 0;
    while (i < prefixes.size()) {
        nlri_bytes_.clear();
        while (i < prefixes.size() && nlri_bytes_.size() + nlri_size(prefixes[i], ap) <= room)
            wire::encode_nlri(prefixes[i++], ap, nlri_bytes_);
        wire::Buffer& m = out.emplace_back();
        start(m);
        if (afi == wire::Afi::ipv4) {
            append16(m, nlri_bytes_.size());
            m.insert(m.end(), nlri_bytes_.begin(), nlri_bytes_.end());
            append16(m, 0);
        } else {
            append16(m, 0);
            append16(m, mp_attr_header + 3 + nlri_bytes_.size());
            append_mp_header(m, wire::attr::mp_unreach_nlri, 3 + nlri_bytes_.size());
            append_afi_safi(m, afi);
            m.insert(m.end(), nlri_bytes_.begin(), nlri_bytes_.end());
        }
        finish(m);
    }
}

size_t UpdatePacker::announce(wire::Afi afi, const RouteAttrs& attrs, std::span<const wire::Nlri> prefixes,
                              std::vector<wire::Buffer>& out) {
    const bool ap = add_path(afi);
    attr_bytes_.clear();
    if (!wire::encode_attributes(attrs.path, ctx_, attr_bytes_)) return prefixes.size();

    size_t mp_fixed = 0;  // MP_REACH bytes besides its NLRI
    size_t nh_len = 0;
    if (afi == wire::Afi::ipv6) {
        if (!attrs.mp_next_hop) return prefixes.size();
        nh_len = attrs.mp_link_local ? 32 : 16;
        mp_fixed = mp_attr_header + 3 + 1 + nh_len + 1;
    }
    const size_t used = fixed_overhead + attr_bytes_.size() + mp_fixed;
    if (prefixes.empty()) return 0;
    if (used + nlri_size(prefixes[0], ap) > ctx_.max_size()) return prefixes.size();
    const size_t room = ctx_.max_size() - used;

    size_t i = 0;
    while (i < prefixes.size()) {
        nlri_bytes_.clear();
        while (i < prefixes.size() && nlri_bytes_.size() + nlri_size(prefixes[i], ap) <= room)
            wire::encode_nlri(prefixes[i++], ap, nlri_bytes_);
        wire::Buffer& m = out.emplace_back();
        start(m);
        append16(m, 0);  // no withdrawn routes
        if (afi == wire::Afi::ipv4) {
            append16(m, attr_bytes_.size());
            m.insert(m.end(), attr_bytes_.begin(), attr_bytes_.end());
            m.insert(m.end(), nlri_bytes_.begin(), nlri_bytes_.end());
        } else {
            const size_t mp_value = 3 + 1 + nh_len + 1 + nlri_bytes_.size();
            append16(m, mp_attr_header + mp_value + attr_bytes_.size());
            append_mp_header(m, wire::attr::mp_reach_nlri, mp_value);
            append_afi_safi(m, afi);
            m.push_back(static_cast<uint8_t>(nh_len));
            m.insert(m.end(), attrs.mp_next_hop->bytes.begin(), attrs.mp_next_hop->bytes.end());
            if (attrs.mp_link_local)
                m.insert(m.end(), attrs.mp_link_local->bytes.begin(), attrs.mp_link_local->bytes.end());
            m.push_back(0);  // reserved
            m.insert(m.end(), nlri_bytes_.begin(), nlri_bytes_.end());
            m.insert(m.end(), attr_bytes_.begin(), attr_bytes_.end());
        }
        finish(m);
    }
    return 0;
}

}  // namespace moat::rib
