// libFuzzer target: decode_update on an UPDATE body, context from the first
// byte; accepted UPDATEs must re-encode to something that decodes again.
#include "fuzz_common.hpp"

using namespace moat::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    SessionContext ctx = fuzz::context_from(data[0]);
    auto r = decode_update(Bytes(data + 1, size - 1), ctx);
    if (!ok(r)) {
        const auto& e = std::get<DecodeError>(r);
        if (e.action != ErrorAction::session_reset || e.code != err::update)
            fuzz::invariant_broken("UPDATE error is not an UPDATE Message Error reset");
        return 0;
    }
    const Update& u = std::get<Update>(r);
    for (const auto& n : u.nlri)
        if (n.prefix.v6 || n.prefix.len > 32) fuzz::invariant_broken("bad IPv4 NLRI");
    (void)u.end_of_rib();
    if (u.attrs.as_path) (void)u.attrs.as_path->to_string();
    fuzz::check_update_reencode(u, ctx);
    return 0;
}
