// libFuzzer target, differential: a run of UPDATE bodies decoded one after
// another by one UpdateDecoder (as a session does, reusing the memory of the
// previous UPDATE) must give, body by body, exactly what a fresh
// decode_update() gives: the same error, or the same Update.
//
// Input: records of [flags][length, 2 octets, big-endian][body], at most
// max_records of them; a length past the end takes the rest of the input.
// flags: bits 0-4 the session context (fuzz::context_from; it may change from
// one record to the next, as when a session re-establishes with other
// capabilities while keeping its decoder), bit 5 moves the path attributes
// out of the decoded Update afterwards (as the RIB does), bit 6 moves the
// prefix vectors out, bit 7 leaves junk in the Update for the next decode.
#include "fuzz_common.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

using namespace moat::wire;

namespace {

constexpr size_t max_records = 16;

bool same_text(const char* a, const char* b) {
    return std::strcmp(a ? a : "(null)", b ? b : "(null)") == 0;
}

void check_same_error(const DecodeError& got, const DecodeError& want) {
    if (got.action != want.action) fuzz::invariant_broken("reused decoder: other error action");
    if (got.code != want.code || got.subcode != want.subcode)
        fuzz::invariant_broken("reused decoder: other error code/subcode");
    if (got.data != want.data) fuzz::invariant_broken("reused decoder: other NOTIFICATION data");
    if (got.attr_type != want.attr_type) fuzz::invariant_broken("reused decoder: other error attribute");
    if (!same_text(got.reason, want.reason)) fuzz::invariant_broken("reused decoder: other error reason");
}

// Update::operator== leaves out the reasons (static log text); compare them too.
void check_same_update(const Update& got, const Update& want) {
    if (!(got == want)) fuzz::invariant_broken("reused decoder: other Update");
    if (got.treat_as_withdraw_attr != want.treat_as_withdraw_attr)
        fuzz::invariant_broken("reused decoder: other treat-as-withdraw attribute");
    if (!same_text(got.treat_as_withdraw_reason, want.treat_as_withdraw_reason))
        fuzz::invariant_broken("reused decoder: other treat-as-withdraw reason");
    if (got.discarded.size() != want.discarded.size())
        fuzz::invariant_broken("reused decoder: other number of discarded attributes");
    for (size_t i = 0; i < got.discarded.size(); ++i)
        if (got.discarded[i].type != want.discarded[i].type ||
            !same_text(got.discarded[i].reason, want.discarded[i].reason))
            fuzz::invariant_broken("reused decoder: other discarded attribute");
    if (got.end_of_rib() != want.end_of_rib()) fuzz::invariant_broken("reused decoder: other End-of-RIB");
}

// What a caller may do to the decoded Update before the next decode().
void disturb(Update& u, uint8_t flags) {
    if (flags & 0x20) {
        PathAttributes taken = std::move(u.attrs);  // the RIB keeps the attribute set
        (void)taken;
    }
    if (flags & 0x40) {
        std::vector<Nlri> taken[3] = {std::move(u.nlri), std::move(u.withdrawn), {}};
        if (u.mp_reach) taken[2] = std::move(u.mp_reach->nlri);
    }
    if (flags & 0x80) {
        u.nlri.push_back(Nlri{});
        u.attrs.communities.push_back(1);
        u.attrs.large_communities.push_back({1, 2, 3});
        u.discarded.push_back(DiscardedAttribute{attr::med, "junk"});
        u.treat_as_withdraw_attr = attr::origin;
        u.treat_as_withdraw_reason = "junk";
        if (u.attrs.as_path) u.attrs.as_path->segments.push_back(AsSegment{SegmentType::as_set, {1}});
        if (u.mp_unreach) u.mp_unreach->withdrawn.push_back(Nlri{});
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    UpdateDecoder dec;
    Bytes rest(data, size);
    for (size_t n = 0; n < max_records && rest.size() >= 3; ++n) {
        const uint8_t flags = rest[0];
        size_t len = (size_t{rest[1]} << 8) | rest[2];
        rest = rest.subspan(3);
        Bytes body = rest.first(std::min(len, rest.size()));
        rest = rest.subspan(body.size());

        const SessionContext ctx = fuzz::context_from(flags);
        auto fresh = decode_update(body, ctx);
        auto err = dec.decode(body, ctx);
        if (ok(fresh) == err.has_value()) fuzz::invariant_broken("reused decoder: error vs success differs");
        if (err) check_same_error(*err, std::get<DecodeError>(fresh));
        else check_same_update(dec.update(), std::get<Update>(fresh));
        disturb(dec.update(), flags);
    }
    return 0;
}
