// Private helpers of the codec: big-endian stores and loads, and a bounds
// checked cursor. Not part of the moat_wire interface.
#pragma once

#include "bgpd/wire/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace moat::wire::detail {

inline void put_u8(Buffer& out, uint8_t v) { out.push_back(v); }
inline void put_u16(Buffer& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
inline void put_u32(Buffer& out, uint32_t v) {
    uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                    static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    out.insert(out.end(), b, b + 4);
}
inline void put_bytes(Buffer& out, const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }
// Overwrites a 16-bit length written earlier at offset `at`.
inline void patch_u16(Buffer& out, size_t at, size_t v) {
    out[at] = static_cast<uint8_t>(v >> 8);
    out[at + 1] = static_cast<uint8_t>(v);
}

inline uint16_t load_u16(const uint8_t* p) {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t load_u32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// A cursor over a byte span. Every read checks the remaining length first;
// callers test the bool results (no exceptions on the decode path).
class Reader {
public:
    explicit Reader(Bytes b) : p_(b.data()), end_(b.data() + b.size()) {}
    size_t left() const { return static_cast<size_t>(end_ - p_); }
    bool empty() const { return p_ == end_; }
    const uint8_t* pos() const { return p_; }

    bool u8(uint8_t& v) {
        if (left() < 1) return false;
        v = *p_++;
        return true;
    }
    bool u16(uint16_t& v) {
        if (left() < 2) return false;
        v = load_u16(p_);
        p_ += 2;
        return true;
    }
    bool u32(uint32_t& v) {
        if (left() < 4) return false;
        v = load_u32(p_);
        p_ += 4;
        return true;
    }
    bool take(size_t n, Bytes& v) {
        if (left() < n) return false;
        v = Bytes(p_, n);
        p_ += n;
        return true;
    }

private:
    const uint8_t* p_;
    const uint8_t* end_;
};

// Writes the 19-octet header with a zero length; finish_message() fills it.
inline size_t begin_message(Buffer& out, MessageType t) {
    size_t start = out.size();
    out.insert(out.end(), 16, uint8_t{0xff});
    put_u16(out, 0);
    put_u8(out, static_cast<uint8_t>(t));
    return start;
}
inline void finish_message(Buffer& out, size_t start) { patch_u16(out, start + 16, out.size() - start); }

inline DecodeError reset(uint8_t code, uint8_t subcode, const char* reason, std::vector<uint8_t> data = {},
                         uint8_t attr_type = 0) {
    DecodeError e;
    e.action = ErrorAction::session_reset;
    e.code = code;
    e.subcode = subcode;
    e.data = std::move(data);
    e.attr_type = attr_type;
    e.reason = reason;
    return e;
}

// Prefix (NLRI) coding, shared by the UPDATE body and MP_REACH/MP_UNREACH.
// decode_prefixes appends to out; false means a syntax error (bad length,
// overrun), and out is then left with what was decoded before it.
bool decode_prefixes(Bytes b, bool v6, bool add_path, std::vector<Nlri>& out);

// Path attributes (attributes.cpp): decodes the attribute section into u,
// taking buffers from spares where it can. Returns an error only for
// session-reset outcomes. routes_outside: the UPDATE has Withdrawn Routes or
// NLRI fields that are not empty (RFC 7606 5.2).
std::optional<DecodeError> decode_attributes(Bytes b, const SessionContext& ctx, Update& u, UpdateSpares& spares,
                                             bool routes_outside);

// The UPDATE body decoder behind decode_update() and UpdateDecoder: u must
// be empty (a default Update, or one whose vectors are empty).
std::optional<DecodeError> decode_update_into(Bytes body, const SessionContext& ctx, Update& u, UpdateSpares& spares);

// The attribute's name from the attribute table ("AS_PATH"), or "UNKNOWN".
const char* attribute_name(uint8_t type);

}  // namespace moat::wire::detail
