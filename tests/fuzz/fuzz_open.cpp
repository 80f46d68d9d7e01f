// libFuzzer target: decode_open on an OPEN body; accepted OPENs round-trip.
#include "fuzz_common.hpp"

using namespace moat::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto r = decode_open(Bytes(data, size));
    if (!ok(r)) return 0;
    const Open& o = std::get<Open>(r);
    Buffer out;
    encode(o, out);
    auto back = decode(out, SessionContext{});
    if (!ok(back)) fuzz::invariant_broken(std::get<DecodeError>(back).reason);
    if (!(std::get<Open>(std::get<Message>(back)) == o)) fuzz::invariant_broken("OPEN round trip differs");
    return 0;
}
