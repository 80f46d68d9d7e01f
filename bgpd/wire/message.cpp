// Framing (RFC 4271 4.1, 6.1), the small messages (NOTIFICATION, KEEPALIVE,
// ROUTE-REFRESH with RFC 7313 subtypes), NOTIFICATION naming (RFC 4271 4.5,
// RFC 4486, RFC 6608, RFC 7313, RFC 8203/9003, RFC 8538, RFC 9234) and the
// decode/encode dispatch. OPEN lives in open.cpp, UPDATE in update.cpp.
#include "bgpd/wire/bytes.hpp"
#include "bgpd/wire/codec.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace moat::wire {

using namespace detail;

std::string_view to_string(Role r) {
    switch (r) {
    case Role::provider: return "provider";
    case Role::rs: return "rs";
    case Role::rs_client: return "rs-client";
    case Role::customer: return "customer";
    case Role::peer: return "peer";
    }
    return "role?";
}

std::optional<Role> parse_role(std::string_view s) {
    for (auto r : {Role::provider, Role::rs, Role::rs_client, Role::customer, Role::peer})
        if (to_string(r) == s) return r;
    return std::nullopt;
}

Role expected_remote_role(Role r) {
    switch (r) {
    case Role::provider: return Role::customer;
    case Role::customer: return Role::provider;
    case Role::rs: return Role::rs_client;
    case Role::rs_client: return Role::rs;
    case Role::peer: return Role::peer;
    }
    return Role::peer;
}

bool Capabilities::role_conflict() const {
    return std::any_of(unknown.begin(), unknown.end(), [](const UnknownCapability& u) { return u.code == cap::role; });
}

bool Capabilities::has_multiprotocol(AfiSafi f) const {
    return std::find(multiprotocol.begin(), multiprotocol.end(), f) != multiprotocol.end();
}

std::optional<AfiSafi> Update::end_of_rib() const {
    // Nothing else may have been in the message, not even a dropped attribute.
    if (!withdrawn.empty() || !nlri.empty() || mp_reach || !(attrs == PathAttributes{}) || !discarded.empty() ||
        treat_as_withdraw_attr)
        return std::nullopt;
    if (!mp_unreach) return AfiSafi{Afi::ipv4, Safi::unicast};
    if (mp_unreach->withdrawn.empty()) return mp_unreach->afi_safi;
    return std::nullopt;
}

bool Update::operator==(const Update& o) const {
    return withdrawn == o.withdrawn && attrs == o.attrs && nlri == o.nlri && mp_reach == o.mp_reach &&
           mp_unreach == o.mp_unreach && discarded == o.discarded &&
           treat_as_withdraw_attr == o.treat_as_withdraw_attr;
}

// ---------------------------------------------------------------- NOTIFICATION

namespace {

struct CodeName {
    uint8_t code;
    uint8_t subcode;
    const char* name;
};

// Subcode 0 rows name the code itself.
constexpr CodeName notification_names[] = {
    {err::header, 0, "Message Header Error"},
    {err::header, 1, "Connection Not Synchronized"},
    {err::header, 2, "Bad Message Length"},
    {err::header, 3, "Bad Message Type"},
    {err::open, 0, "OPEN Message Error"},
    {err::open, 1, "Unsupported Version Number"},
    {err::open, 2, "Bad Peer AS"},
    {err::open, 3, "Bad BGP Identifier"},
    {err::open, 4, "Unsupported Optional Parameter"},
    {err::open, 5, "Authentication Failure"},
    {err::open, 6, "Unacceptable Hold Time"},
    {err::open, 7, "Unsupported Capability"},
    {err::open, 11, "Role Mismatch"},
    {err::update, 0, "UPDATE Message Error"},
    {err::update, 1, "Malformed Attribute List"},
    {err::update, 2, "Unrecognized Well-known Attribute"},
    {err::update, 3, "Missing Well-known Attribute"},
    {err::update, 4, "Attribute Flags Error"},
    {err::update, 5, "Attribute Length Error"},
    {err::update, 6, "Invalid ORIGIN Attribute"},
    {err::update, 7, "AS Routing Loop"},
    {err::update, 8, "Invalid NEXT_HOP Attribute"},
    {err::update, 9, "Optional Attribute Error"},
    {err::update, 10, "Invalid Network Field"},
    {err::update, 11, "Malformed AS_PATH"},
    {err::hold_timer, 0, "Hold Timer Expired"},
    {err::fsm, 0, "Finite State Machine Error"},
    {err::fsm, 1, "Receive Unexpected Message in OpenSent State"},
    {err::fsm, 2, "Receive Unexpected Message in OpenConfirm State"},
    {err::fsm, 3, "Receive Unexpected Message in Established State"},
    {err::cease, 0, "Cease"},
    {err::cease, 1, "Maximum Number of Prefixes Reached"},
    {err::cease, 2, "Administrative Shutdown"},
    {err::cease, 3, "Peer De-configured"},
    {err::cease, 4, "Administrative Reset"},
    {err::cease, 5, "Connection Rejected"},
    {err::cease, 6, "Other Configuration Change"},
    {err::cease, 7, "Connection Collision Resolution"},
    {err::cease, 8, "Out of Resources"},
    {err::cease, 9, "Hard Reset"},
    {err::cease, 10, "BFD Down"},
    {err::route_refresh, 0, "ROUTE-REFRESH Message Error"},
    {err::route_refresh, 1, "Invalid Message Length"},
};

const char* find_name(uint8_t code, uint8_t subcode) {
    for (const auto& n : notification_names)
        if (n.code == code && n.subcode == subcode) return n.name;
    return nullptr;
}

bool valid_utf8(const uint8_t* p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t extra;
        uint32_t min;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xe0) == 0xc0) extra = 1, min = 0x80;
        else if ((c & 0xf0) == 0xe0) extra = 2, min = 0x800;
        else if ((c & 0xf8) == 0xf0) extra = 3, min = 0x10000;
        else return false;
        if (i + extra >= n) return false;
        uint32_t cp = c & (0x3fu >> extra);
        for (size_t k = 1; k <= extra; ++k) {
            if ((p[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += extra + 1;
    }
    return true;
}

}  // namespace

std::string Notification::describe() const {
    const char* c = find_name(code, 0);
    std::string out = c ? c : fmt::format("Error code {}", code);
    if (subcode == 0) {
        if (code == err::open || code == err::update || code == err::fsm || code == err::cease) out += " / Unspecific";
        return out;
    }
    const char* s = find_name(code, subcode);
    out += " / ";
    out += s ? std::string(s) : fmt::format("subcode {}", subcode);
    return out;
}

std::optional<std::string> Notification::shutdown_message() const {
    if (code != err::cease || (subcode != err::admin_shutdown && subcode != err::admin_reset)) return std::nullopt;
    if (data.empty()) return std::nullopt;
    size_t n = data[0];
    if (n + 1 > data.size() || !valid_utf8(data.data() + 1, n)) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(data.data() + 1), n);
}

Notification Notification::shutdown(uint8_t sub, std::string_view message) {
    size_t n = std::min<size_t>(message.size(), 255);
    // Do not cut a UTF-8 sequence in half: back up over continuation bytes.
    if (n < message.size())
        while (n > 0 && (static_cast<uint8_t>(message[n]) & 0xc0) == 0x80) --n;
    Notification m{err::cease, sub, {}};
    m.data.reserve(n + 1);
    m.data.push_back(static_cast<uint8_t>(n));
    m.data.insert(m.data.end(), message.begin(), message.begin() + static_cast<ptrdiff_t>(n));
    return m;
}

Notification Notification::max_prefix(AfiSafi f, uint32_t limit) {
    Notification m{err::cease, err::max_prefixes, {}};
    put_u16(m.data, static_cast<uint16_t>(f.afi));
    put_u8(m.data, static_cast<uint8_t>(f.safi));
    put_u32(m.data, limit);
    return m;
}

Notification to_notification(const DecodeError& e) { return Notification{e.code, e.subcode, e.data}; }

Result<Notification> decode_notification(Bytes body) {
    if (body.size() < 2)
        return reset(err::header, err::bad_message_length, "NOTIFICATION shorter than 21 octets",
                     {static_cast<uint8_t>((body.size() + header_size) >> 8),
                      static_cast<uint8_t>(body.size() + header_size)});
    Notification n{body[0], body[1], std::vector<uint8_t>(body.begin() + 2, body.end())};
    return n;
}

void encode(const Notification& m, Buffer& out) {
    size_t start = begin_message(out, MessageType::notification);
    put_u8(out, m.code);
    put_u8(out, m.subcode);
    put_bytes(out, m.data.data(), m.data.size());
    finish_message(out, start);
}

void encode(const Keepalive&, Buffer& out) {
    size_t start = begin_message(out, MessageType::keepalive);
    finish_message(out, start);
}

// ---------------------------------------------------------------- ROUTE-REFRESH

// RFC 2918 3 / RFC 7313 5: the body is AFI(2) subtype(1) SAFI(1). Families
// and subtypes we do not know are returned as they are: the session ignores
// them (RFC 2918 4, RFC 7313 5).
Result<RouteRefresh> decode_route_refresh(Bytes body) {
    if (body.size() != 4) {
        // RFC 7313 5: Invalid Message Length, the data is the whole message.
        std::vector<uint8_t> data(16, 0xff);
        put_u16(data, static_cast<uint16_t>(std::min<size_t>(body.size() + header_size, 0xffff)));
        put_u8(data, static_cast<uint8_t>(MessageType::route_refresh));
        data.insert(data.end(), body.begin(), body.end());
        return reset(err::route_refresh, err::invalid_message_length, "ROUTE-REFRESH length is not 23",
                     std::move(data));
    }
    RouteRefresh r;
    r.afi_safi.afi = static_cast<Afi>(load_u16(body.data()));
    r.subtype = body[2];
    r.afi_safi.safi = static_cast<Safi>(body[3]);
    return r;
}

void encode(const RouteRefresh& m, Buffer& out) {
    size_t start = begin_message(out, MessageType::route_refresh);
    put_u16(out, static_cast<uint16_t>(m.afi_safi.afi));
    put_u8(out, m.subtype);
    put_u8(out, static_cast<uint8_t>(m.afi_safi.safi));
    finish_message(out, start);
}

// ---------------------------------------------------------------- framing

Frame frame(Bytes stream, const SessionContext& ctx, DecodeError* err) {
    Frame f;
    if (stream.size() < header_size) return f;
    auto fail = [&](DecodeError e) {
        f.status = Frame::error;
        if (err) *err = std::move(e);
        return f;
    };
    for (size_t i = 0; i < 16; ++i)
        if (stream[i] != 0xff)
            return fail(reset(err::header, err::connection_not_synchronized, "marker is not all ones"));
    uint16_t len = load_u16(stream.data() + 16);
    uint8_t type = stream[18];
    // Built only on error: frame() runs once per message received.
    auto len_data = [&] { return std::vector<uint8_t>{stream[16], stream[17]}; };
    if (len < header_size || len > ctx.max_size())
        return fail(reset(err::header, err::bad_message_length, "message length out of range", len_data()));
    size_t min = 0, max = ctx.max_size();
    switch (type) {
    case 1: min = 29, max = max_message_size; break;  // OPEN is never extended (RFC 8654 4)
    case 2: min = 23; break;
    case 3: min = 21; break;
    case 4: min = 19, max = 19; break;
    case 5: min = 19; break;  // RFC 7313 5: wrong ROUTE-REFRESH lengths are code 7
    default:
        return fail(reset(err::header, err::bad_message_type, "unknown message type", {type}));
    }
    if (len < min || len > max)
        return fail(reset(err::header, err::bad_message_length, "message length invalid for its type", len_data()));
    f.type = static_cast<MessageType>(type);
    f.length = len;
    if (stream.size() >= len) f.status = Frame::complete;
    return f;
}

Result<Message> decode(Bytes message, const SessionContext& ctx) {
    DecodeError e;
    Frame f = frame(message, ctx, &e);
    if (f.status == Frame::error) return e;
    if (f.status == Frame::need_more || f.length != message.size())
        return reset(err::header, err::bad_message_length, "message is not one whole frame",
                     message.size() >= 18 ? std::vector<uint8_t>{message[16], message[17]} : std::vector<uint8_t>{});
    Bytes body = message.subspan(header_size);
    auto lift = [](auto&& r) -> Result<Message> {
        if (r.index() == 0) return Message{std::move(std::get<0>(r))};
        return std::get<1>(std::move(r));
    };
    switch (f.type) {
    case MessageType::open: return lift(decode_open(body));
    case MessageType::update: return lift(decode_update(body, ctx));
    case MessageType::notification: return lift(decode_notification(body));
    case MessageType::keepalive: return Message{Keepalive{}};
    case MessageType::route_refresh: return lift(decode_route_refresh(body));
    }
    return reset(err::header, err::bad_message_type, "unknown message type", {static_cast<uint8_t>(f.type)});
}

void encode(const Message& m, const SessionContext& ctx, Buffer& out) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Update>) encode(v, ctx, out);
            else encode(v, out);
        },
        m);
}

}  // namespace moat::wire
