// Shared bits of the libFuzzer targets: the session context taken from one
// fuzz byte, and a crash that libFuzzer records when an invariant breaks.
#pragma once

#include "bgpd/wire/codec.hpp"

#include <cstdio>
#include <cstdlib>

namespace moat::wire::fuzz {

// Bit 0 4-octet AS, 1 extended messages, 2 ADD-PATH IPv4, 3 ADD-PATH IPv6, 4 iBGP.
inline SessionContext context_from(uint8_t b) {
    SessionContext c;
    c.four_octet_as = b & 1;
    c.extended_message = b & 2;
    c.add_path_rx_v4 = c.add_path_tx_v4 = b & 4;
    c.add_path_rx_v6 = c.add_path_tx_v6 = b & 8;
    c.ibgp = b & 16;
    return c;
}

[[noreturn]] inline void invariant_broken(const char* what) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

// What decode accepted must encode to something decode accepts again. With
// a 4-octet peer the bytes must also be stable from there on
// (encode(decode(encode(x))) == encode(x)); with a 2-octet peer RFC 6793 can
// legitimately move confederation segments, so only decoding is required.
inline void check_update_reencode(const Update& u, const SessionContext& ctx) {
    SessionContext big = ctx;
    big.extended_message = true;
    Buffer a;
    encode(u, big, a);
    if (a.size() > big.max_size()) return;
    auto r = decode(a, big);
    if (!ok(r)) invariant_broken(std::get<DecodeError>(r).reason);
    if (!ctx.four_octet_as) return;
    Buffer b;
    encode(std::get<Message>(r), big, b);
    if (a != b) invariant_broken("UPDATE re-encoding is not stable");
}

}  // namespace moat::wire::fuzz
