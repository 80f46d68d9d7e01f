// libFuzzer target: decode_route_refresh; accepted messages round-trip, and
// wrong lengths are always ROUTE-REFRESH Message Error / Invalid Message Length.
#include "fuzz_common.hpp"

#include <algorithm>

using namespace moat::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto r = decode_route_refresh(Bytes(data, size));
    if (!ok(r)) {
        const auto& e = std::get<DecodeError>(r);
        if (size == 4 || e.code != err::route_refresh || e.subcode != err::invalid_message_length)
            fuzz::invariant_broken("unexpected ROUTE-REFRESH error");
        return 0;
    }
    Buffer out;
    encode(std::get<RouteRefresh>(r), out);
    if (out.size() != 23 || !std::equal(out.begin() + 19, out.end(), data)) fuzz::invariant_broken("round trip differs");
    return 0;
}
