// UPDATE (RFC 4271 4.3): Withdrawn Routes, Path Attributes, NLRI, with
// ADD-PATH path identifiers (RFC 7911) and MP_REACH/MP_UNREACH (RFC 4760).
// RFC 7606 outcomes: framing and NLRI errors reset the session (5.3),
// attribute errors are decided by the attribute table (attributes.cpp), and a
// missing well-known mandatory attribute means treat-as-withdraw (3 d), only
// when the UPDATE carries reachability.
//
// Prefix decoding is the hot path of a full-table load: one counting pass
// validates the field and sizes the vector, a second pass fills it, so there
// is at most one allocation per field whatever the number of prefixes, and
// none when UpdateDecoder hands in the buffer of an earlier UPDATE.
#include "bgpd/wire/bytes.hpp"
#include "bgpd/wire/codec.hpp"

#include <cstdint>
#include <stdexcept>

namespace moat::wire {

using namespace detail;

namespace detail {

bool decode_prefixes(Bytes b, bool v6, bool add_path, std::vector<Nlri>& out) {
    const uint8_t* p = b.data();
    const uint8_t* const end = p + b.size();
    const unsigned max_len = v6 ? 128 : 32;
    const size_t skip = add_path ? 4 : 0;

    size_t count = 0;
    for (const uint8_t* q = p; q != end; ++count) {
        if (static_cast<size_t>(end - q) < skip + 1) return false;
        q += skip;
        unsigned len = *q;
        if (len > max_len) return false;
        size_t n = (len + 7) / 8;
        if (static_cast<size_t>(end - q - 1) < n) return false;
        q += 1 + n;
    }
    out.reserve(out.size() + count);

    while (p != end) {
        Nlri& x = out.emplace_back();
        if (add_path) {
            x.path_id = load_u32(p);
            p += 4;
        }
        unsigned len = *p++;
        size_t n = (len + 7) / 8;
        x.prefix.len = static_cast<uint8_t>(len);
        x.prefix.v6 = v6;
        std::memcpy(x.prefix.addr.data(), p, n);
        if (len % 8) x.prefix.addr[n - 1] &= static_cast<uint8_t>(0xff00u >> (len % 8));
        p += n;
    }
    return true;
}

}  // namespace detail

void encode_nlri(const Nlri& n, bool add_path, Buffer& out) {
    size_t bytes = (n.prefix.len + 7u) / 8;
    size_t at = out.size();
    out.resize(at + (add_path ? 4 : 0) + 1 + bytes);
    uint8_t* p = out.data() + at;
    if (add_path) {
        p[0] = static_cast<uint8_t>(n.path_id >> 24);
        p[1] = static_cast<uint8_t>(n.path_id >> 16);
        p[2] = static_cast<uint8_t>(n.path_id >> 8);
        p[3] = static_cast<uint8_t>(n.path_id);
        p += 4;
    }
    *p++ = n.prefix.len;
    std::memcpy(p, n.prefix.addr.data(), bytes);
}

namespace {

void encode_nlri_list(const std::vector<Nlri>& v, bool add_path, Buffer& out) {
    out.reserve(out.size() + v.size() * (add_path ? 9 : 5));
    for (const auto& n : v) encode_nlri(n, add_path, out);
}

bool add_path_tx(const SessionContext& ctx, Afi afi) {
    return afi == Afi::ipv4 ? ctx.add_path_tx_v4 : ctx.add_path_tx_v6;
}

// MP attributes always use the 2-octet length (they are usually long), and
// are written first, as RFC 7606 5.1 recommends.
size_t begin_mp(Buffer& out, uint8_t type) {
    put_u8(out, attr::flag_optional | attr::flag_extended_length);
    put_u8(out, type);
    size_t at = out.size();
    put_u16(out, 0);
    return at;
}

void put_address(Buffer& out, const IpAddress& a) { put_bytes(out, a.bytes.data(), a.v6 ? 16 : 4); }

}  // namespace

namespace detail {

std::optional<DecodeError> decode_update_into(Bytes body, const SessionContext& ctx, Update& u, UpdateSpares& spares) {
    Reader r(body);
    uint16_t wlen = 0, alen = 0;
    Bytes withdrawn, attrs;
    if (!r.u16(wlen) || !r.take(wlen, withdrawn))
        return reset(err::update, err::malformed_attribute_list, "Withdrawn Routes Length overruns the message");
    if (!r.u16(alen) || !r.take(alen, attrs))
        return reset(err::update, err::malformed_attribute_list, "Total Path Attribute Length overruns the message");
    Bytes nlri(r.pos(), r.left());

    if (!decode_prefixes(withdrawn, false, ctx.add_path_rx_v4, u.withdrawn))
        return reset(err::update, err::invalid_network_field, "malformed prefix in Withdrawn Routes");
    if (auto e = decode_attributes(attrs, ctx, u, spares, !withdrawn.empty() || !nlri.empty())) return e;
    if (!decode_prefixes(nlri, false, ctx.add_path_rx_v4, u.nlri))
        return reset(err::update, err::invalid_network_field, "malformed prefix in NLRI");

    // RFC 7606 3 d, RFC 4760 3: mandatory attributes when there is reachability.
    bool reach = !u.nlri.empty() || (u.mp_reach && !u.mp_reach->nlri.empty());
    if (reach && !u.treat_as_withdraw_attr) {
        uint8_t missing = 0;
        if (!u.attrs.origin) missing = attr::origin;
        else if (!u.attrs.as_path) missing = attr::as_path;
        else if (!u.nlri.empty() && !u.attrs.next_hop) missing = attr::next_hop;
        if (missing) {
            u.treat_as_withdraw_attr = missing;
            u.treat_as_withdraw_reason = "missing well-known mandatory attribute";
            for (const auto& d : u.discarded)
                if (d.type == missing) u.treat_as_withdraw_reason = d.reason;
        }
    }
    return std::nullopt;
}

}  // namespace detail

Result<Update> decode_update(Bytes body, const SessionContext& ctx) {
    Update u;
    UpdateSpares none;
    if (auto e = decode_update_into(body, ctx, u, none)) return std::move(*e);
    return u;
}

std::optional<DecodeError> UpdateDecoder::decode(Bytes body, const SessionContext& ctx) {
    recycle();
    return decode_update_into(body, ctx, u_, spares_);
}

// Back to a default Update, but with the buffers of the vectors UPDATEs
// usually carry: the top-level ones stay in place (cleared), the ones inside
// an optional go to spares_. Everything else is reset by the assignment of a
// fresh Update, so a field added to Update can never leak from one UPDATE
// into the next.
void UpdateDecoder::recycle() {
    if (u_.mp_reach) spares_.mp_reach_nlri = std::move(u_.mp_reach->nlri);
    if (u_.mp_unreach) spares_.mp_unreach_withdrawn = std::move(u_.mp_unreach->withdrawn);
    if (u_.attrs.as_path) spares_.as_path_segments = std::move(u_.attrs.as_path->segments);
    Update fresh;
    auto keep = [](auto& from, auto& to) {
        from.clear();
        to = std::move(from);
    };
    keep(u_.withdrawn, fresh.withdrawn);
    keep(u_.nlri, fresh.nlri);
    keep(u_.discarded, fresh.discarded);
    keep(u_.attrs.communities, fresh.attrs.communities);
    keep(u_.attrs.cluster_list, fresh.attrs.cluster_list);
    keep(u_.attrs.ext_communities, fresh.attrs.ext_communities);
    keep(u_.attrs.large_communities, fresh.attrs.large_communities);
    u_ = std::move(fresh);
}

// A whole UPDATE from a value: for small messages built by hand (the
// default route, tests). Packed UPDATEs of the RIB are built by the packer,
// which checks sizes; here a field that overflows its length is a bug.
void encode(const Update& m, const SessionContext& ctx, Buffer& out) {
    auto check = [](size_t n) {
        if (n > 0xffff) throw std::length_error("UPDATE field longer than its 16-bit length");
        return n;
    };
    size_t start = begin_message(out, MessageType::update);
    size_t wlen_at = out.size();
    put_u16(out, 0);
    encode_nlri_list(m.withdrawn, ctx.add_path_tx_v4, out);
    patch_u16(out, wlen_at, check(out.size() - wlen_at - 2));

    size_t alen_at = out.size();
    put_u16(out, 0);
    if (m.mp_unreach) {
        size_t at = begin_mp(out, attr::mp_unreach_nlri);
        put_u16(out, static_cast<uint16_t>(m.mp_unreach->afi_safi.afi));
        put_u8(out, static_cast<uint8_t>(m.mp_unreach->afi_safi.safi));
        encode_nlri_list(m.mp_unreach->withdrawn, add_path_tx(ctx, m.mp_unreach->afi_safi.afi), out);
        patch_u16(out, at, check(out.size() - at - 2));
    }
    if (m.mp_reach) {
        const auto& mp = *m.mp_reach;
        size_t at = begin_mp(out, attr::mp_reach_nlri);
        put_u16(out, static_cast<uint16_t>(mp.afi_safi.afi));
        put_u8(out, static_cast<uint8_t>(mp.afi_safi.safi));
        size_t nh_len = (mp.next_hop.v6 ? 16 : 4) + (mp.link_local_next_hop ? 16 : 0);
        put_u8(out, static_cast<uint8_t>(nh_len));
        put_address(out, mp.next_hop);
        if (mp.link_local_next_hop) put_bytes(out, mp.link_local_next_hop->bytes.data(), 16);
        put_u8(out, 0);  // reserved
        encode_nlri_list(mp.nlri, add_path_tx(ctx, mp.afi_safi.afi), out);
        patch_u16(out, at, check(out.size() - at - 2));
    }
    if (!encode_attributes(m.attrs, ctx, out)) check(SIZE_MAX);
    patch_u16(out, alen_at, check(out.size() - alen_at - 2));

    encode_nlri_list(m.nlri, ctx.add_path_tx_v4, out);
    check(out.size() - start);
    finish_message(out, start);
}

}  // namespace moat::wire
