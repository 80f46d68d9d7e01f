// Path attributes (RFC 4271 4.3, 5): one table row per type code with the
// name, the expected Optional/Transitive flags, what RFC 7606 says to do when
// the attribute is malformed, a decoder and an encoder.
//
// Row contract:
//  - decode(value, state) fills state.u.attrs (or state.u.mp_*) only when the
//    value is well formed and returns Verdict::ok; otherwise it returns
//    Verdict::malformed (the row's on_error action applies, RFC 7606 7.x),
//    Verdict::discard (drop this attribute whatever the row says, e.g.
//    LOCAL_PREF from an external peer, RFC 7606 7.5) or Verdict::withdraw
//    (treat-as-withdraw whatever the row says: a well-formed value that a
//    later RFC forbids, e.g. AS_SET in AS4_PATH, RFC 9774). Flag conflicts are
//    checked before decode and are handled like a malformed value
//    (RFC 7606 3 c). A row may take a recycled buffer from state.spares
//    for what it builds (UpdateDecoder); the value is the same either way.
//  - encode(attrs, ctx, out) appends the whole attribute (header included)
//    when the attribute set carries it, nothing otherwise. Rows without an
//    encoder (MP_REACH/MP_UNREACH) are written by the UPDATE encoder.
//
// RFCs: 4271, 1997, 4360, 4456, 4760, 6793 (AS4_PATH, AS4_AGGREGATOR and the
// 4.2.3 merge), 7606, 8092, 9234.
#include "bgpd/wire/bytes.hpp"
#include "bgpd/wire/codec.hpp"

#include <algorithm>
#include <array>
#include <bitset>

namespace moat::wire {

using namespace detail;

namespace {

constexpr uint8_t well_known = attr::flag_transitive;
constexpr uint8_t opt_transitive = attr::flag_optional | attr::flag_transitive;
constexpr uint8_t opt_non_transitive = attr::flag_optional;

enum class OnError : uint8_t { withdraw, discard, reset };

struct Verdict {
    enum Kind : uint8_t { ok, malformed, discard, withdraw } kind = ok;
    const char* reason = "";
    uint8_t subcode = 0;  // NOTIFICATION subcode when the row resets; 0 = row default
};
constexpr Verdict good{};
constexpr Verdict bad(const char* why, uint8_t subcode = 0) { return {Verdict::malformed, why, subcode}; }
constexpr Verdict drop(const char* why) { return {Verdict::discard, why, 0}; }
constexpr Verdict withdraw(const char* why) { return {Verdict::withdraw, why, 0}; }

struct DecodeState {
    const SessionContext& ctx;
    Update& u;
    UpdateSpares& spares;
    std::optional<AsPath> as4_path;
    std::optional<Aggregator> as4_aggregator;
};

using DecodeFn = Verdict (*)(Bytes v, DecodeState& st);
// false: the attribute does not fit its 16-bit length (nothing is written).
using EncodeFn = bool (*)(const PathAttributes& a, const SessionContext& ctx, Buffer& out);

struct AttrRow {
    uint8_t type;
    const char* name;
    uint8_t flags;  // expected Optional and Transitive bits
    OnError on_error;
    uint8_t reset_subcode;  // NOTIFICATION subcode when on_error is reset
    DecodeFn decode;
    EncodeFn encode;
};

// ---------------------------------------------------------------- encoding helpers

// Starts an attribute with a 1-octet length; end_attr() fixes the length and
// switches to the 2-octet form (Extended Length) when the value needs it. A
// value longer than 65,535 octets cannot be written: end_attr() removes the
// attribute again and returns false (the caller reports the set unsendable).
size_t begin_attr(Buffer& out, uint8_t flags, uint8_t type) {
    size_t at = out.size();
    put_u8(out, static_cast<uint8_t>(flags & ~attr::flag_extended_length));
    put_u8(out, type);
    put_u8(out, 0);
    return at;
}
bool end_attr(Buffer& out, size_t at) {
    size_t len = out.size() - at - 3;
    if (len <= 255) {
        out[at + 2] = static_cast<uint8_t>(len);
        return true;
    }
    if (len > 0xffff) {
        out.resize(at);
        return false;
    }
    out[at] |= attr::flag_extended_length;
    out.insert(out.begin() + static_cast<ptrdiff_t>(at + 2), uint8_t{0});
    patch_u16(out, at + 2, len);
    return true;
}

void put_u32_attr(Buffer& out, uint8_t flags, uint8_t type, uint32_t v) {
    put_u8(out, flags);
    put_u8(out, type);
    put_u8(out, 4);
    put_u32(out, v);
}

bool has_wide_asn(const AsPath& p) {
    for (const auto& s : p.segments)
        for (uint32_t a : s.asns)
            if (a > 0xffff) return true;
    return false;
}

// Segments of more than 255 ASes are split (RFC 4271 4.3 b).
void put_segments(Buffer& out, const AsPath& p, bool four, bool skip_confed) {
    for (const auto& s : p.segments) {
        if (skip_confed && (s.type == SegmentType::confed_sequence || s.type == SegmentType::confed_set)) continue;
        for (size_t i = 0; i < s.asns.size() || i == 0; i += 255) {
            size_t n = std::min<size_t>(255, s.asns.size() - i);
            if (n == 0) break;
            put_u8(out, static_cast<uint8_t>(s.type));
            put_u8(out, static_cast<uint8_t>(n));
            for (size_t k = i; k < i + n; ++k) {
                uint32_t a = s.asns[k];
                if (four) put_u32(out, a);
                else put_u16(out, static_cast<uint16_t>(a > 0xffff ? as_trans : a));
            }
        }
    }
}

// ---------------------------------------------------------------- decoding helpers

// RFC 4271 4.3 b, RFC 7606 7.2: segments of a known type, non-empty, exactly
// filling the attribute. The segments replace whatever out held, reusing its
// segments' buffers (a recycled path: see UpdateSpares); on false, out holds
// a partial path.
bool parse_segments(Bytes v, size_t asn_size, AsPath& out) {
    Reader r(v);
    size_t n = 0;
    while (!r.empty()) {
        uint8_t type, count;
        Bytes asns;
        if (!r.u8(type) || !r.u8(count) || count == 0 || type < 1 || type > 4 ||
            !r.take(size_t{count} * asn_size, asns))
            return false;
        if (n == out.segments.size()) out.segments.emplace_back();
        AsSegment& seg = out.segments[n++];
        seg.type = static_cast<SegmentType>(type);
        seg.asns.resize(count);
        for (size_t i = 0; i < count; ++i)
            seg.asns[i] = asn_size == 4 ? load_u32(asns.data() + 4 * i) : load_u16(asns.data() + 2 * i);
    }
    out.segments.erase(out.segments.begin() + static_cast<ptrdiff_t>(n), out.segments.end());
    return true;
}

template <typename T, size_t N, typename F>
bool parse_list(Bytes v, std::vector<T>& out, F item) {
    if (v.empty() || v.size() % N != 0) return false;
    out.resize(v.size() / N);
    for (size_t i = 0; i < out.size(); ++i) out[i] = item(v.data() + i * N);
    return true;
}

// ---------------------------------------------------------------- rows

Verdict dec_origin(Bytes v, DecodeState& st) {
    if (v.size() != 1) return bad("ORIGIN length is not 1", err::attribute_length_error);
    if (v[0] > 2) return bad("ORIGIN value is not IGP, EGP or INCOMPLETE", err::invalid_origin_attribute);
    st.u.attrs.origin = static_cast<Origin>(v[0]);
    return good;
}
bool enc_origin(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (!a.origin) return true;
    put_u8(out, well_known);
    put_u8(out, attr::origin);
    put_u8(out, 1);
    put_u8(out, static_cast<uint8_t>(*a.origin));
    return true;
}

// What RFCs after 4271 forbid in a well-formed path: AS 0 (RFC 7607),
// AS_SET and AS_CONFED_SET (RFC 9774), and confederation segments from a
// neighbor outside our confederation (RFC 5065 5; Moat is in none, so from
// any external neighbor). Null when the path is acceptable.
const char* forbidden_in_path(const AsPath& p, bool external) {
    for (const auto& s : p.segments) {
        switch (s.type) {
        case SegmentType::as_set: return "AS_SET segment (RFC 9774)";
        case SegmentType::confed_set: return "AS_CONFED_SET segment (RFC 9774)";
        case SegmentType::confed_sequence:
            if (external) return "AS_CONFED_SEQUENCE from an external neighbor (RFC 5065 5)";
            break;
        case SegmentType::as_sequence: break;
        }
        for (uint32_t a : s.asns)
            if (a == 0) return "AS 0 in the path (RFC 7607)";
    }
    return nullptr;
}

Verdict dec_as_path(Bytes v, DecodeState& st) {
    AsPath p{std::move(st.spares.as_path_segments)};
    if (!parse_segments(v, st.ctx.four_octet_as ? 4 : 2, p)) {
        st.spares.as_path_segments = std::move(p.segments);
        return bad("malformed AS_PATH segment", err::malformed_as_path);
    }
    size_t wide = 0;  // the 4-octet encoding's size, as stored and re-sent
    for (const auto& seg : p.segments) wide += 2 + 4 * seg.asns.size();
    const char* why = nullptr;
    if (!st.ctx.trusted)
        why = wide > max_as_path_bytes ? "AS_PATH too long to store and re-send" : forbidden_in_path(p, !st.ctx.ibgp);
    if (why) {
        st.spares.as_path_segments = std::move(p.segments);
        return bad(why, err::malformed_as_path);
    }
    st.u.attrs.as_path = std::move(p);
    return good;
}
bool enc_as_path(const PathAttributes& a, const SessionContext& ctx, Buffer& out) {
    if (!a.as_path) return true;
    size_t at = begin_attr(out, well_known, attr::as_path);
    // RFC 5065 5: confederation segments never leave for an external neighbor.
    put_segments(out, *a.as_path, ctx.four_octet_as, !ctx.ibgp);
    return end_attr(out, at);
}

Verdict dec_next_hop(Bytes v, DecodeState& st) {
    if (v.size() != 4) return bad("NEXT_HOP length is not 4", err::attribute_length_error);
    uint32_t nh = load_u32(v.data());
    // RFC 4271 6.3: syntactically correct but unusable (0/8, class D/E): the
    // attribute is dropped, so IPv4 NLRI become treat-as-withdraw through the
    // missing NEXT_HOP check while MP_REACH routes (RFC 4760 3) are unaffected.
    if ((nh >> 24) == 0 || (nh >> 28) >= 0xe) return drop("NEXT_HOP is not a unicast address");
    st.u.attrs.next_hop = nh;
    return good;
}
bool enc_next_hop(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.next_hop) put_u32_attr(out, well_known, attr::next_hop, *a.next_hop);
    return true;
}

Verdict dec_med(Bytes v, DecodeState& st) {
    if (v.size() != 4) return bad("MULTI_EXIT_DISC length is not 4", err::attribute_length_error);
    st.u.attrs.med = load_u32(v.data());
    return good;
}
bool enc_med(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.med) put_u32_attr(out, opt_non_transitive, attr::med, *a.med);
    return true;
}

Verdict dec_local_pref(Bytes v, DecodeState& st) {
    if (!st.ctx.ibgp) return drop("LOCAL_PREF from an external peer");
    if (v.size() != 4) return bad("LOCAL_PREF length is not 4", err::attribute_length_error);
    st.u.attrs.local_pref = load_u32(v.data());
    return good;
}
bool enc_local_pref(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.local_pref) put_u32_attr(out, well_known, attr::local_pref, *a.local_pref);
    return true;
}

Verdict dec_atomic_aggregate(Bytes v, DecodeState& st) {
    if (!v.empty()) return bad("ATOMIC_AGGREGATE length is not 0", err::attribute_length_error);
    st.u.attrs.atomic_aggregate = true;
    return good;
}
bool enc_atomic_aggregate(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (!a.atomic_aggregate) return true;
    put_u8(out, well_known);
    put_u8(out, attr::atomic_aggregate);
    put_u8(out, 0);
    return true;
}

Verdict dec_aggregator(Bytes v, DecodeState& st) {
    size_t asn_size = st.ctx.four_octet_as ? 4 : 2;
    if (v.size() != asn_size + 4) return bad("AGGREGATOR length does not match the AS size", err::attribute_length_error);
    Aggregator g;
    g.asn = asn_size == 4 ? load_u32(v.data()) : load_u16(v.data());
    g.address = load_u32(v.data() + asn_size);
    if (g.asn == 0) return bad("AGGREGATOR with AS 0 (RFC 7607)");
    st.u.attrs.aggregator = g;
    return good;
}
bool enc_aggregator(const PathAttributes& a, const SessionContext& ctx, Buffer& out) {
    if (!a.aggregator) return true;
    put_u8(out, opt_transitive);
    put_u8(out, attr::aggregator);
    if (ctx.four_octet_as) {
        put_u8(out, 8);
        put_u32(out, a.aggregator->asn);
    } else {
        put_u8(out, 6);
        put_u16(out, static_cast<uint16_t>(a.aggregator->asn > 0xffff ? as_trans : a.aggregator->asn));
    }
    put_u32(out, a.aggregator->address);
    return true;
}

Verdict dec_communities(Bytes v, DecodeState& st) {
    if (!parse_list<uint32_t, 4>(v, st.u.attrs.communities, load_u32))
        return bad("COMMUNITIES length is not a non-zero multiple of 4", err::attribute_length_error);
    return good;
}
bool enc_communities(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.communities.empty()) return true;
    size_t at = begin_attr(out, opt_transitive, attr::communities);
    for (uint32_t c : a.communities) put_u32(out, c);
    return end_attr(out, at);
}

Verdict dec_originator_id(Bytes v, DecodeState& st) {
    if (v.size() != 4) return bad("ORIGINATOR_ID length is not 4", err::attribute_length_error);
    st.u.attrs.originator_id = load_u32(v.data());
    return good;
}
bool enc_originator_id(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.originator_id) put_u32_attr(out, opt_non_transitive, attr::originator_id, *a.originator_id);
    return true;
}

Verdict dec_cluster_list(Bytes v, DecodeState& st) {
    if (!parse_list<uint32_t, 4>(v, st.u.attrs.cluster_list, load_u32))
        return bad("CLUSTER_LIST length is not a non-zero multiple of 4", err::attribute_length_error);
    return good;
}
bool enc_cluster_list(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.cluster_list.empty()) return true;
    size_t at = begin_attr(out, opt_non_transitive, attr::cluster_list);
    for (uint32_t c : a.cluster_list) put_u32(out, c);
    return end_attr(out, at);
}

bool add_path_rx(const SessionContext& ctx, Afi afi) {
    return afi == Afi::ipv4 ? ctx.add_path_rx_v4 : ctx.add_path_rx_v6;
}
bool supported_family(uint16_t afi, uint8_t safi) { return (afi == 1 || afi == 2) && safi == 1; }

// RFC 4760 3: AFI(2) SAFI(1) NH length(1) NH reserved(1) NLRI.
Verdict dec_mp_reach(Bytes v, DecodeState& st) {
    if (v.size() < 5) return bad("MP_REACH_NLRI shorter than 5 octets", err::attribute_length_error);
    uint16_t afi = load_u16(v.data());
    uint8_t safi = v[2];
    if (!supported_family(afi, safi)) return drop("MP_REACH_NLRI for an unsupported AFI/SAFI");
    size_t nh_len = v[3];
    if (v.size() < 5 + nh_len) return bad("MP_REACH_NLRI next hop overruns the attribute");
    MpReach m;
    m.afi_safi = {static_cast<Afi>(afi), static_cast<Safi>(safi)};
    const uint8_t* nh = v.data() + 4;
    if (nh_len == 4 && m.afi_safi.afi == Afi::ipv4) {
        m.next_hop = IpAddress::v4(load_u32(nh));
    } else if (nh_len == 16 || nh_len == 32) {
        // IPv6 global (+ link-local); for IPv4 NLRI this is RFC 8950, and
        // only once the Extended Next Hop capability was negotiated.
        std::copy_n(nh, 16, m.next_hop.bytes.begin());
        m.next_hop.v6 = true;
        if (nh_len == 32) {
            IpAddress ll;
            std::copy_n(nh + 16, 16, ll.bytes.begin());
            ll.v6 = true;
            m.link_local_next_hop = ll;
        }
    } else {
        return bad("MP_REACH_NLRI next hop length is invalid for the AFI");
    }
    // v[4 + nh_len] is the reserved octet (RFC 4760 3: ignored on receipt).
    m.nlri = std::move(st.spares.mp_reach_nlri);
    m.nlri.clear();
    if (!decode_prefixes(v.subspan(5 + nh_len), m.afi_safi.afi == Afi::ipv6, add_path_rx(st.ctx, m.afi_safi.afi),
                         m.nlri))
        return bad("MP_REACH_NLRI prefix is malformed");
    const bool v6_next_hop_for_v4 = m.afi_safi.afi == Afi::ipv4 && m.next_hop.v6;
    st.u.mp_reach = std::move(m);
    // The NLRI were found, so the routes can be withdrawn (RFC 7606 7.11
    // resets only when they cannot be located).
    if (v6_next_hop_for_v4 && !st.ctx.extended_next_hop_v4)
        return withdraw("IPv6 next hop for IPv4 NLRI without the Extended Next Hop capability (RFC 8950)");
    return good;
}

Verdict dec_mp_unreach(Bytes v, DecodeState& st) {
    if (v.size() < 3) return bad("MP_UNREACH_NLRI shorter than 3 octets", err::attribute_length_error);
    uint16_t afi = load_u16(v.data());
    uint8_t safi = v[2];
    if (!supported_family(afi, safi)) return drop("MP_UNREACH_NLRI for an unsupported AFI/SAFI");
    MpUnreach m;
    m.afi_safi = {static_cast<Afi>(afi), static_cast<Safi>(safi)};
    m.withdrawn = std::move(st.spares.mp_unreach_withdrawn);
    m.withdrawn.clear();
    if (!decode_prefixes(v.subspan(3), m.afi_safi.afi == Afi::ipv6, add_path_rx(st.ctx, m.afi_safi.afi),
                         m.withdrawn))
        return bad("MP_UNREACH_NLRI prefix is malformed");
    st.u.mp_unreach = std::move(m);
    return good;
}

Verdict dec_ext_communities(Bytes v, DecodeState& st) {
    if (!parse_list<ExtCommunity, 8>(v, st.u.attrs.ext_communities, [](const uint8_t* p) {
            ExtCommunity c;
            std::copy_n(p, 8, c.value.begin());
            return c;
        }))
        return bad("EXTENDED_COMMUNITIES length is not a non-zero multiple of 8", err::attribute_length_error);
    return good;
}
bool enc_ext_communities(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.ext_communities.empty()) return true;
    size_t at = begin_attr(out, opt_transitive, attr::ext_communities);
    for (const auto& c : a.ext_communities) put_bytes(out, c.value.data(), 8);
    return end_attr(out, at);
}

// RFC 6793 4.2.2: a 4-octet speaker never sends AS4_PATH to another one, and
// ignores one received from it. From a 2-octet peer, a malformed AS4_PATH or
// one with confederation segments is discarded (RFC 6793 6).
Verdict dec_as4_path(Bytes v, DecodeState& st) {
    if (st.ctx.four_octet_as) return drop("AS4_PATH from a 4-octet AS peer");
    AsPath p;
    if (!parse_segments(v, 4, p)) return bad("malformed AS4_PATH segment");
    for (const auto& s : p.segments) {
        // RFC 9774: a set in either path is treat-as-withdraw.
        if (s.type == SegmentType::as_set || s.type == SegmentType::confed_set)
            return withdraw(s.type == SegmentType::as_set ? "AS_SET segment in AS4_PATH (RFC 9774)"
                                                          : "AS_CONFED_SET segment in AS4_PATH (RFC 9774)");
        if (s.type == SegmentType::confed_sequence) return bad("AS4_PATH carries a confederation segment");
        for (uint32_t a : s.asns)
            if (a == 0) return bad("AS 0 in AS4_PATH (RFC 7607)");
    }
    st.as4_path = std::move(p);
    return good;
}
bool enc_as4_path(const PathAttributes& a, const SessionContext& ctx, Buffer& out) {
    if (ctx.four_octet_as || !a.as_path || !has_wide_asn(*a.as_path)) return true;
    size_t at = begin_attr(out, opt_transitive, attr::as4_path);
    put_segments(out, *a.as_path, true, true);
    return end_attr(out, at);
}

Verdict dec_as4_aggregator(Bytes v, DecodeState& st) {
    if (st.ctx.four_octet_as) return drop("AS4_AGGREGATOR from a 4-octet AS peer");
    if (v.size() != 8) return bad("AS4_AGGREGATOR length is not 8");
    if (load_u32(v.data()) == 0) return bad("AS4_AGGREGATOR with AS 0 (RFC 7607)");
    st.as4_aggregator = Aggregator{load_u32(v.data()), load_u32(v.data() + 4)};
    return good;
}
bool enc_as4_aggregator(const PathAttributes& a, const SessionContext& ctx, Buffer& out) {
    if (ctx.four_octet_as || !a.aggregator || a.aggregator->asn <= 0xffff) return true;
    put_u8(out, opt_transitive);
    put_u8(out, attr::as4_aggregator);
    put_u8(out, 8);
    put_u32(out, a.aggregator->asn);
    put_u32(out, a.aggregator->address);
    return true;
}

Verdict dec_large_communities(Bytes v, DecodeState& st) {
    if (!parse_list<LargeCommunity, 12>(v, st.u.attrs.large_communities, [](const uint8_t* p) {
            return LargeCommunity{load_u32(p), load_u32(p + 4), load_u32(p + 8)};
        }))
        return bad("LARGE_COMMUNITIES length is not a non-zero multiple of 12", err::attribute_length_error);
    return good;
}
bool enc_large_communities(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.large_communities.empty()) return true;
    size_t at = begin_attr(out, opt_transitive, attr::large_communities);
    for (const auto& c : a.large_communities) {
        put_u32(out, c.global);
        put_u32(out, c.local1);
        put_u32(out, c.local2);
    }
    return end_attr(out, at);
}

// RFC 9234 5: an OTC whose length is not 4 is malformed, and the UPDATE is
// handled as treat-as-withdraw (RFC 7606); so is one with wrong flags
// (RFC 7606 3 c).
Verdict dec_otc(Bytes v, DecodeState& st) {
    if (v.size() != 4) return bad("OTC length is not 4", err::attribute_length_error);
    st.u.attrs.otc = load_u32(v.data());
    return good;
}
bool enc_otc(const PathAttributes& a, const SessionContext&, Buffer& out) {
    if (a.otc) put_u32_attr(out, opt_transitive, attr::otc, *a.otc);
    return true;
}

// Sorted by type code: the encoder walks it in order.
constexpr AttrRow attr_table[] = {
    {attr::origin, "ORIGIN", well_known, OnError::withdraw, 0, dec_origin, enc_origin},
    {attr::as_path, "AS_PATH", well_known, OnError::withdraw, 0, dec_as_path, enc_as_path},
    {attr::next_hop, "NEXT_HOP", well_known, OnError::withdraw, 0, dec_next_hop, enc_next_hop},
    {attr::med, "MULTI_EXIT_DISC", opt_non_transitive, OnError::withdraw, 0, dec_med, enc_med},
    {attr::local_pref, "LOCAL_PREF", well_known, OnError::withdraw, 0, dec_local_pref, enc_local_pref},
    {attr::atomic_aggregate, "ATOMIC_AGGREGATE", well_known, OnError::discard, 0, dec_atomic_aggregate,
     enc_atomic_aggregate},
    {attr::aggregator, "AGGREGATOR", opt_transitive, OnError::discard, 0, dec_aggregator, enc_aggregator},
    {attr::communities, "COMMUNITIES", opt_transitive, OnError::withdraw, 0, dec_communities, enc_communities},
    {attr::originator_id, "ORIGINATOR_ID", opt_non_transitive, OnError::withdraw, 0, dec_originator_id,
     enc_originator_id},
    {attr::cluster_list, "CLUSTER_LIST", opt_non_transitive, OnError::withdraw, 0, dec_cluster_list,
     enc_cluster_list},
    {attr::mp_reach_nlri, "MP_REACH_NLRI", opt_non_transitive, OnError::reset, err::optional_attribute_error,
     dec_mp_reach, nullptr},
    {attr::mp_unreach_nlri, "MP_UNREACH_NLRI", opt_non_transitive, OnError::reset, err::optional_attribute_error,
     dec_mp_unreach, nullptr},
    {attr::ext_communities, "EXTENDED_COMMUNITIES", opt_transitive, OnError::withdraw, 0, dec_ext_communities,
     enc_ext_communities},
    {attr::as4_path, "AS4_PATH", opt_transitive, OnError::discard, 0, dec_as4_path, enc_as4_path},
    {attr::as4_aggregator, "AS4_AGGREGATOR", opt_transitive, OnError::discard, 0, dec_as4_aggregator,
     enc_as4_aggregator},
    {attr::large_communities, "LARGE_COMMUNITIES", opt_transitive, OnError::withdraw, 0, dec_large_communities,
     enc_large_communities},
    {attr::otc, "OTC", opt_transitive, OnError::withdraw, 0, dec_otc, enc_otc},
};

constexpr std::array<const AttrRow*, 256> make_index() {
    std::array<const AttrRow*, 256> idx{};
    for (const auto& r : attr_table) idx[r.type] = &r;
    return idx;
}
constexpr std::array<const AttrRow*, 256> attr_index = make_index();

// RFC 6793 4.2.3: rebuild the 4-octet path from AS_PATH and AS4_PATH.
void merge_as4(DecodeState& st) {
    auto& a = st.u.attrs;
    if (st.as4_aggregator) {
        if (!a.aggregator) {
            st.as4_aggregator.reset();  // AS4_AGGREGATOR without AGGREGATOR is ignored
        } else if (a.aggregator->asn != as_trans) {
            // The aggregating speaker was 2-octet: AS4_AGGREGATOR and AS4_PATH are stale.
            return;
        } else {
            a.aggregator = *st.as4_aggregator;
        }
    }
    if (!st.as4_path || !a.as_path) return;
    uint32_t have = a.as_path->decision_length();
    uint32_t want = st.as4_path->decision_length();
    if (have < want) return;  // AS4_PATH is ignored
    uint32_t keep = have - want;
    AsPath out;
    for (const auto& seg : a.as_path->segments) {
        if (seg.type == SegmentType::confed_sequence || seg.type == SegmentType::confed_set) {
            out.segments.push_back(seg);
            continue;
        }
        if (keep == 0) break;
        if (seg.type == SegmentType::as_set) {
            out.segments.push_back(seg);
            keep -= 1;
            continue;
        }
        size_t k = std::min<size_t>(keep, seg.asns.size());
        out.segments.push_back({seg.type, std::vector<uint32_t>(seg.asns.begin(), seg.asns.begin() + static_cast<ptrdiff_t>(k))});
        keep -= static_cast<uint32_t>(k);
    }
    for (const auto& seg : st.as4_path->segments) {
        if (!out.segments.empty() && out.segments.back().type == SegmentType::as_sequence &&
            seg.type == SegmentType::as_sequence) {
            auto& back = out.segments.back().asns;
            back.insert(back.end(), seg.asns.begin(), seg.asns.end());
        } else {
            out.segments.push_back(seg);
        }
    }
    a.as_path = std::move(out);
}

}  // namespace

namespace detail {

std::optional<DecodeError> decode_attributes(Bytes b, const SessionContext& ctx, Update& u, UpdateSpares& spares,
                                             bool routes_outside) {
    DecodeState st{ctx, u, spares, std::nullopt, std::nullopt};
    // The first error that asked for treat-as-withdraw, for RFC 7606 5.2.
    std::optional<DecodeError> withdrawn_by;
    std::bitset<256> seen;
    Reader r(b);
    while (!r.empty()) {
        const uint8_t* start = r.pos();
        uint8_t flags = 0, type = 0, len8 = 0;
        uint16_t len = 0;
        Bytes value;
        bool ok = r.u8(flags) && r.u8(type);
        if (ok && (flags & attr::flag_extended_length)) ok = r.u16(len);
        else if (ok && (ok = r.u8(len8))) len = len8;
        if (!ok || !r.take(len, value)) {
            // RFC 7606 4: an attribute that overruns the Total Path Attribute
            // Length (or a header cut short) means treat-as-withdraw; the NLRI
            // field is still found through the Total Path Attribute Length.
            // An MP_* attribute cut short hides NLRI, so it resets (7606 5.1).
            if (type == attr::mp_reach_nlri || type == attr::mp_unreach_nlri)
                return reset(err::update, err::malformed_attribute_list, "MP_* attribute overruns the attribute list",
                             {}, type);
            if (!u.treat_as_withdraw_attr) {
                u.treat_as_withdraw_attr = type;
                u.treat_as_withdraw_reason = "path attribute overruns the Total Path Attribute Length";
                withdrawn_by = reset(err::update, err::malformed_attribute_list, u.treat_as_withdraw_reason, {}, type);
            }
            break;
        }
        auto fail = [&](uint8_t subcode, const char* why) {
            return reset(err::update, subcode, why, std::vector<uint8_t>(start, r.pos()), type);
        };

        const AttrRow* row = attr_index[type];
        // RFC 7606 3 g: a repeated attribute is discarded, a repeated MP_* resets.
        if (seen[type]) {
            if (type == attr::mp_reach_nlri || type == attr::mp_unreach_nlri)
                return reset(err::update, err::malformed_attribute_list, "MP_REACH_NLRI or MP_UNREACH_NLRI repeated",
                             {}, type);
            u.discarded.push_back({type, "repeated attribute"});
            continue;
        }
        seen.set(type);

        if (!row) {
            // RFC 4271 5, 6.3: unknown well-known is an error; unknown optional
            // transitive is kept (and passed on as Partial); non-transitive dropped.
            if (!(flags & attr::flag_optional))
                return fail(err::unrecognized_well_known_attribute, "unrecognized well-known attribute");
            if (flags & attr::flag_transitive)
                u.attrs.unknown.push_back({static_cast<uint8_t>(flags & ~attr::flag_extended_length), type,
                                           std::vector<uint8_t>(value.begin(), value.end())});
            continue;
        }

        Verdict v;
        if ((flags & (attr::flag_optional | attr::flag_transitive)) != row->flags)
            v = bad("attribute flags conflict with the attribute type", err::attribute_flags_error);
        else
            v = row->decode(value, st);
        if (v.kind == Verdict::ok) continue;
        if (v.kind == Verdict::discard) {
            u.discarded.push_back({type, v.reason});
            continue;
        }
        const OnError action = v.kind == Verdict::withdraw ? OnError::withdraw : row->on_error;
        switch (action) {
        case OnError::reset:
            return fail(v.subcode == err::attribute_flags_error ? err::attribute_flags_error : row->reset_subcode,
                        v.reason);
        case OnError::discard: u.discarded.push_back({type, v.reason}); break;
        case OnError::withdraw:
            if (!u.treat_as_withdraw_attr) {
                u.treat_as_withdraw_attr = type;
                u.treat_as_withdraw_reason = v.reason;
                withdrawn_by = fail(v.subcode ? v.subcode : err::malformed_attribute_list, v.reason);
            }
            break;
        }
    }
    // RFC 7606 5.2: treat-as-withdraw needs routes to withdraw. An UPDATE
    // with path attributes and an error that needs more than attribute
    // discard, but with no NLRI of any kind, resets the session instead.
    if (withdrawn_by && !routes_outside && !u.mp_reach && !u.mp_unreach) return withdrawn_by;
    if (!ctx.four_octet_as) merge_as4(st);
    return std::nullopt;
}

}  // namespace detail

bool decode_attribute_list(Bytes attrs, const SessionContext& ctx, PathAttributes& out) {
    Update u;
    detail::UpdateSpares none;
    if (detail::decode_attributes(attrs, ctx, u, none, true) || u.treat_as_withdraw_attr || !u.discarded.empty())
        return false;
    out = std::move(u.attrs);
    return true;
}

namespace detail {

const char* attribute_name(uint8_t type) {
    const AttrRow* row = attr_index[type];
    return row ? row->name : "UNKNOWN";
}

}  // namespace detail

bool encode_attributes(const PathAttributes& a, const SessionContext& ctx, Buffer& out) {
    // Unknown attributes are merged in by type code; only optional transitive
    // ones are passed on, with the Partial bit set (RFC 4271 5).
    const size_t start = out.size();
    bool fits = true;
    size_t ui = 0;
    std::vector<const UnknownAttribute*> unknown;
    unknown.reserve(a.unknown.size());
    for (const auto& x : a.unknown)
        if ((x.flags & attr::flag_optional) && (x.flags & attr::flag_transitive) && !attr_index[x.type])
            unknown.push_back(&x);
    std::sort(unknown.begin(), unknown.end(), [](auto* l, auto* r) { return l->type < r->type; });
    auto put_unknown_below = [&](unsigned limit) {
        for (; ui < unknown.size() && unknown[ui]->type < limit; ++ui) {
            const auto& x = *unknown[ui];
            size_t at = begin_attr(out, static_cast<uint8_t>(x.flags | attr::flag_partial), x.type);
            put_bytes(out, x.value.data(), x.value.size());
            fits = end_attr(out, at) && fits;
        }
    };
    for (const auto& row : attr_table) {
        put_unknown_below(row.type);
        if (row.encode) fits = row.encode(a, ctx, out) && fits;
    }
    put_unknown_below(256);
    if (!fits) out.resize(start);
    return fits;
}

}  // namespace moat::wire
