// libFuzzer target: a byte stream cut by frame() and decoded message by
// message, with the session context taken from the first byte.
#include "fuzz_common.hpp"

using namespace moat::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    SessionContext ctx = fuzz::context_from(data[0]);
    Bytes rest(data + 1, size - 1);
    while (!rest.empty()) {
        DecodeError e;
        Frame f = frame(rest, ctx, &e);
        if (f.status == Frame::error) {
            if (e.code != err::header) fuzz::invariant_broken("frame error is not a header error");
            (void)to_notification(e).describe();
            return 0;
        }
        if (f.status == Frame::need_more) return 0;
        if (f.length < header_size || f.length > rest.size()) fuzz::invariant_broken("frame length out of range");
        auto r = decode(rest.first(f.length), ctx);
        if (ok(r)) {
            Buffer out;
            encode(std::get<Message>(r), ctx, out);
        } else {
            (void)to_notification(std::get<DecodeError>(r)).describe();
        }
        rest = rest.subspan(f.length);
    }
    return 0;
}
