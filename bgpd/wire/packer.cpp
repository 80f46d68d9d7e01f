// UPDATE packing; see packer.hpp.
//
// UPDATE layout (RFC 4271 4.3):
//   header (16 x 0xFF, length:2, type 2) | withdrawn length:2 | withdrawn |
//   path attribute length:2 | path attributes | NLRI
// MP_REACH_NLRI value (RFC 4760 3): AFI:2 SAFI:1 NH length:1 NH reserved:1 NLRI
// MP_UNREACH_NLRI value (RFC 4760 4): AFI:2 SAFI:1 withdrawn
#include "bgpd/wire/packer.hpp"

#include "bgpd/wire/bytes.hpp"

namespace moat::wire {

using namespace detail;

namespace {

constexpr size_t fixed_overhead = header_size + 2 + 2;  // header, two length fields
constexpr size_t mp_attr_header = 4;                    // flags, type, length:2

size_t nlri_size(const Nlri& n, bool add_path) { return 1 + (size_t{n.prefix.len} + 7) / 8 + (add_path ? 4 : 0); }

void put_mp_header(Buffer& b, uint8_t type, size_t value_len) {
    put_u8(b, attr::flag_optional | attr::flag_extended_length);
    put_u8(b, type);
    put_u16(b, static_cast<uint16_t>(value_len));
}

void put_afi_safi(Buffer& b, Afi afi) {
    put_u16(b, static_cast<uint16_t>(afi));
    put_u8(b, static_cast<uint8_t>(Safi::unicast));
}

}  // namespace

size_t UpdatePacker::take(std::span<const Nlri> prefixes, size_t i, size_t room, bool ap) {
    nlri_bytes_.clear();
    while (i < prefixes.size() && nlri_bytes_.size() + nlri_size(prefixes[i], ap) <= room)
        encode_nlri(prefixes[i++], ap, nlri_bytes_);
    return i;
}

void UpdatePacker::withdraw(Afi afi, std::span<const Nlri> prefixes, std::vector<Buffer>& out) {
    const bool ap = add_path(afi);
    const size_t room = ctx_.max_size() - fixed_overhead - (afi == Afi::ipv6 ? mp_attr_header + 3 : 0);
    for (size_t i = 0; i < prefixes.size();) {
        i = take(prefixes, i, room, ap);
        Buffer& m = out.emplace_back();
        const size_t start = begin_message(m, MessageType::update);
        if (afi == Afi::ipv4) {
            put_u16(m, static_cast<uint16_t>(nlri_bytes_.size()));
            put_bytes(m, nlri_bytes_.data(), nlri_bytes_.size());
            put_u16(m, 0);
        } else {
            put_u16(m, 0);
            put_u16(m, static_cast<uint16_t>(mp_attr_header + 3 + nlri_bytes_.size()));
            put_mp_header(m, attr::mp_unreach_nlri, 3 + nlri_bytes_.size());
            put_afi_safi(m, afi);
            put_bytes(m, nlri_bytes_.data(), nlri_bytes_.size());
        }
        finish_message(m, start);
    }
}

size_t UpdatePacker::announce(Afi afi, const Announcement& a, std::span<const Nlri> prefixes,
                              std::vector<Buffer>& out) {
    if (prefixes.empty()) return 0;
    const bool ap = add_path(afi);
    attr_bytes_.clear();
    if (!encode_attributes(a.attrs, ctx_, attr_bytes_)) return prefixes.size();

    size_t mp_fixed = 0;  // MP_REACH bytes besides its NLRI
    size_t nh_len = 0;
    if (afi == Afi::ipv6) {
        if (!a.mp_next_hop) return prefixes.size();
        nh_len = a.mp_link_local ? 32 : 16;
        mp_fixed = mp_attr_header + 3 + 1 + nh_len + 1;
    }
    const size_t used = fixed_overhead + attr_bytes_.size() + mp_fixed;
    if (used + nlri_size(prefixes[0], ap) > ctx_.max_size()) return prefixes.size();
    const size_t room = ctx_.max_size() - used;

    for (size_t i = 0; i < prefixes.size();) {
        i = take(prefixes, i, room, ap);
        Buffer& m = out.emplace_back();
        const size_t start = begin_message(m, MessageType::update);
        put_u16(m, 0);  // no withdrawn routes
        if (afi == Afi::ipv4) {
            put_u16(m, static_cast<uint16_t>(attr_bytes_.size()));
            put_bytes(m, attr_bytes_.data(), attr_bytes_.size());
            put_bytes(m, nlri_bytes_.data(), nlri_bytes_.size());
        } else {
            const size_t mp_value = 3 + 1 + nh_len + 1 + nlri_bytes_.size();
            put_u16(m, static_cast<uint16_t>(mp_attr_header + mp_value + attr_bytes_.size()));
            put_mp_header(m, attr::mp_reach_nlri, mp_value);
            put_afi_safi(m, afi);
            put_u8(m, static_cast<uint8_t>(nh_len));
            put_bytes(m, a.mp_next_hop->bytes.data(), 16);
            if (a.mp_link_local) put_bytes(m, a.mp_link_local->bytes.data(), 16);
            put_u8(m, 0);  // reserved
            put_bytes(m, nlri_bytes_.data(), nlri_bytes_.size());
            put_bytes(m, attr_bytes_.data(), attr_bytes_.size());
        }
        finish_message(m, start);
    }
    return 0;
}

}  // namespace moat::wire
