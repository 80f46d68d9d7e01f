// OPEN (RFC 4271 4.2, 6.2) with capabilities (RFC 5492) and extended optional
// parameters (RFC 9072, accepted on decode, used on encode only when the
// capabilities do not fit in 255 octets). Capabilities understood: MP-BGP
// (RFC 4760), route refresh (RFC 2918), extended message (RFC 8654), BGP role
// (RFC 9234), graceful restart (RFC 4724, RFC 8538 N bit), 4-octet AS
// (RFC 6793), ADD-PATH (RFC 7911), enhanced route refresh (RFC 7313). Others
// are kept as UnknownCapability, and so are known ones with a malformed value,
// except those whose loss would change the session silently: a Multiprotocol
// or 4-octet AS capability whose length is not 4 is an OPEN Message Error (a
// broken AS4 capability would otherwise drop the session to 2-octet ASNs).
#include "bgpd/wire/bytes.hpp"
#include "bgpd/wire/codec.hpp"

#include <algorithm>

namespace moat::wire {

using namespace detail;

namespace {

constexpr uint8_t param_capabilities = 2;
constexpr uint8_t param_extended = 255;  // RFC 9072 marker in the Non-Ext OP Type position

bool known_family(uint16_t afi, uint8_t safi) { return (afi == 1 || afi == 2) && safi == 1; }

// One capability TLV into caps; malformed values of known codes are kept raw,
// but for the two that are refused (see the top of the file).
std::optional<DecodeError> decode_capability(uint8_t code, Bytes v, Capabilities& caps) {
    auto keep_unknown = [&]() -> std::optional<DecodeError> {
        caps.unknown.push_back({code, std::vector<uint8_t>(v.begin(), v.end())});
        return std::nullopt;
    };
    auto refuse = [&](const char* why) { return reset(err::open, 0, why); };
    switch (code) {
    case cap::multiprotocol: {
        if (v.size() != 4) return refuse("Multiprotocol capability length is not 4 (RFC 4760 8)");
        if (!known_family(load_u16(v.data()), v[3])) return keep_unknown();
        AfiSafi f{static_cast<Afi>(load_u16(v.data())), static_cast<Safi>(v[3])};
        if (!caps.has_multiprotocol(f)) caps.multiprotocol.push_back(f);
        return std::nullopt;
    }
    case cap::route_refresh: caps.route_refresh = true; return std::nullopt;
    case cap::enhanced_route_refresh: caps.enhanced_route_refresh = true; return std::nullopt;
    case cap::extended_message: caps.extended_message = true; return std::nullopt;
    case cap::role:
        // RFC 9234 4.2: a repeated capability with the same value is one; a
        // malformed one, an unknown value or a second, different value is
        // kept raw, so the session can answer it with Role Mismatch.
        if (v.size() != 1 || v[0] > static_cast<uint8_t>(Role::peer)) return keep_unknown();
        if (caps.role && *caps.role != static_cast<Role>(v[0])) return keep_unknown();
        caps.role = static_cast<Role>(v[0]);
        return std::nullopt;
    case cap::four_octet_as:
        if (v.size() != 4) return refuse("4-octet AS capability length is not 4 (RFC 6793 3)");
        caps.four_octet_as = load_u32(v.data());
        return std::nullopt;
    case cap::graceful_restart: {
        if (v.size() < 2 || (v.size() - 2) % 4 != 0) return keep_unknown();
        GracefulRestart gr;
        uint16_t head = load_u16(v.data());
        gr.restart_state = head & 0x8000;
        gr.notification = head & 0x4000;
        gr.restart_time = head & 0x0fff;
        for (size_t i = 2; i + 4 <= v.size(); i += 4) {
            uint16_t afi = load_u16(v.data() + i);
            if (!known_family(afi, v[i + 2])) continue;
            gr.families.push_back({{static_cast<Afi>(afi), static_cast<Safi>(v[i + 2])}, (v[i + 3] & 0x80) != 0});
        }
        caps.graceful_restart = std::move(gr);
        return std::nullopt;
    }
    case cap::add_path: {
        if (v.empty() || v.size() % 4 != 0) return keep_unknown();
        for (size_t i = 0; i + 4 <= v.size(); i += 4) {
            uint16_t afi = load_u16(v.data() + i);
            uint8_t mode = v[i + 3];
            if (!known_family(afi, v[i + 2]) || mode < AddPath::receive || mode > AddPath::both) continue;
            caps.add_path.push_back({{static_cast<Afi>(afi), static_cast<Safi>(v[i + 2])}, mode});
        }
        return std::nullopt;
    }
    default: return keep_unknown();
    }
}

std::optional<DecodeError> decode_capabilities(Bytes v, Capabilities& caps) {
    Reader r(v);
    while (!r.empty()) {
        uint8_t code, len;
        Bytes value;
        if (!r.u8(code) || !r.u8(len) || !r.take(len, value))
            return reset(err::open, 0, "capability overruns its optional parameter");
        if (auto e = decode_capability(code, value, caps)) return e;
    }
    return std::nullopt;
}

void put_cap(Buffer& out, uint8_t code, const uint8_t* v, size_t n) {
    put_u8(out, code);
    put_u8(out, static_cast<uint8_t>(n));
    put_bytes(out, v, n);
}

// Each capability TLV as its own entry, so they can be split into parameters.
std::vector<Buffer> encode_capabilities(const Capabilities& c) {
    std::vector<Buffer> tlvs;
    auto add = [&](uint8_t code, const Buffer& v) {
        Buffer t;
        put_cap(t, code, v.data(), v.size());
        tlvs.push_back(std::move(t));
    };
    for (const auto& f : c.multiprotocol) {
        Buffer v;
        put_u16(v, static_cast<uint16_t>(f.afi));
        put_u8(v, 0);
        put_u8(v, static_cast<uint8_t>(f.safi));
        add(cap::multiprotocol, v);
    }
    if (c.route_refresh) add(cap::route_refresh, {});
    if (c.enhanced_route_refresh) add(cap::enhanced_route_refresh, {});
    if (c.extended_message) add(cap::extended_message, {});
    if (c.four_octet_as) {
        Buffer v;
        put_u32(v, *c.four_octet_as);
        add(cap::four_octet_as, v);
    }
    if (c.graceful_restart) {
        const auto& gr = *c.graceful_restart;
        Buffer v;
        put_u16(v, static_cast<uint16_t>((gr.restart_state ? 0x8000 : 0) | (gr.notification ? 0x4000 : 0) |
                                         (gr.restart_time & 0x0fff)));
        for (const auto& f : gr.families) {
            put_u16(v, static_cast<uint16_t>(f.afi_safi.afi));
            put_u8(v, static_cast<uint8_t>(f.afi_safi.safi));
            put_u8(v, f.forwarding_preserved ? 0x80 : 0);
        }
        add(cap::graceful_restart, v);
    }
    if (!c.add_path.empty()) {
        Buffer v;
        for (const auto& a : c.add_path) {
            put_u16(v, static_cast<uint16_t>(a.afi_safi.afi));
            put_u8(v, static_cast<uint8_t>(a.afi_safi.safi));
            put_u8(v, a.mode);
        }
        add(cap::add_path, v);
    }
    if (c.role) add(cap::role, {static_cast<uint8_t>(*c.role)});
    for (const auto& u : c.unknown)
        if (u.value.size() <= 255) add(u.code, u.value);
    return tlvs;
}

}  // namespace

Result<Open> decode_open(Bytes body) {
    if (body.size() < 10) {
        size_t len = body.size() + header_size;
        return reset(err::header, err::bad_message_length, "OPEN shorter than 29 octets",
                     {static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)});
    }
    Open m;
    m.version = body[0];
    if (m.version != 4) return reset(err::open, err::unsupported_version, "BGP version is not 4", {0, 4});
    m.my_as = load_u16(body.data() + 1);
    m.hold_time = load_u16(body.data() + 3);
    m.bgp_id = load_u32(body.data() + 5);
    if (m.hold_time == 1 || m.hold_time == 2)
        return reset(err::open, err::unacceptable_hold_time, "hold time of 1 or 2 seconds");
    if (m.bgp_id == 0) return reset(err::open, err::bad_bgp_identifier, "BGP identifier is 0");

    uint8_t opt_len = body[9];
    Bytes params = body.subspan(10);
    bool extended = false;
    if (opt_len == 255 && !params.empty() && params[0] == param_extended) {
        // RFC 9072: 255, 255, then a 2-octet length and 2-octet parameter lengths.
        if (params.size() < 3) return reset(err::open, 0, "extended optional parameters truncated");
        size_t ext_len = load_u16(params.data() + 1);
        params = params.subspan(3);
        if (ext_len != params.size()) return reset(err::open, 0, "optional parameter length mismatch");
        extended = true;
    } else if (opt_len != params.size()) {
        return reset(err::open, 0, "optional parameter length mismatch");
    }

    Reader r(params);
    while (!r.empty()) {
        uint8_t type;
        uint16_t len = 0;
        uint8_t len8 = 0;
        Bytes value;
        bool ok = r.u8(type) && (extended ? r.u16(len) : r.u8(len8));
        if (!extended) len = len8;
        if (!ok || !r.take(len, value)) return reset(err::open, 0, "optional parameter overruns OPEN");
        if (type != param_capabilities)
            return reset(err::open, err::unsupported_optional_parameter, "optional parameter is not capabilities");
        if (auto e = decode_capabilities(value, m.caps)) return *e;
    }
    return m;
}

void encode(const Open& m, Buffer& out) {
    size_t start = begin_message(out, MessageType::open);
    put_u8(out, m.version);
    put_u16(out, m.my_as);
    put_u16(out, m.hold_time);
    put_u32(out, m.bgp_id);

    // Pack capabilities into parameters of at most 255 octets each.
    std::vector<Buffer> params;
    for (auto& tlv : encode_capabilities(m.caps)) {
        if (params.empty() || params.back().size() + tlv.size() > 255) params.emplace_back();
        params.back().insert(params.back().end(), tlv.begin(), tlv.end());
    }
    size_t total = 0;
    for (const auto& p : params) total += 2 + p.size();
    if (total <= 255) {
        put_u8(out, static_cast<uint8_t>(total));
        for (const auto& p : params) {
            put_u8(out, param_capabilities);
            put_u8(out, static_cast<uint8_t>(p.size()));
            put_bytes(out, p.data(), p.size());
        }
    } else {
        put_u8(out, 255);
        put_u8(out, param_extended);
        size_t len_at = out.size();
        put_u16(out, 0);
        for (const auto& p : params) {
            put_u8(out, param_capabilities);
            put_u16(out, static_cast<uint16_t>(p.size()));
            put_bytes(out, p.data(), p.size());
        }
        patch_u16(out, len_at, out.size() - len_at - 2);
    }
    finish_message(out, start);
}

}  // namespace moat::wire
