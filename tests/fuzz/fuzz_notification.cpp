// libFuzzer target: decode_notification and its helpers (names, shutdown
// communication); accepted NOTIFICATIONs round-trip.
#include "fuzz_common.hpp"

#include <string_view>

using namespace moat::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto r = decode_notification(Bytes(data, size));
    if (!ok(r)) return 0;
    const Notification& n = std::get<Notification>(r);
    (void)n.describe();
    if (auto m = n.shutdown_message(); m && m->size() > 255) fuzz::invariant_broken("shutdown message too long");
    Buffer out;
    encode(n, out);
    SessionContext ctx;
    ctx.extended_message = true;
    auto back = decode(out, ctx);
    if (out.size() <= ctx.max_size()) {
        if (!ok(back)) fuzz::invariant_broken("NOTIFICATION does not decode again");
        if (!(std::get<Notification>(std::get<Message>(back)) == n)) fuzz::invariant_broken("round trip differs");
    }
    auto s = Notification::shutdown(err::admin_shutdown,
                                    std::string_view(reinterpret_cast<const char*>(data), size));
    if (s.data.size() > 256) fuzz::invariant_broken("shutdown communication over 255 octets");
    return 0;
}
