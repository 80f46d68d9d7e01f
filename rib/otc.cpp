// RFC 9234 5 ingress and egress procedures; see otc.hpp.
#include "rib/otc.hpp"

#include <string>

namespace moat::rib {

namespace {

void explain(const ImportContext& ctx, std::string text) {
    if (ctx.detail) *ctx.detail = std::move(text);
}

}  // namespace

Reason OtcStep::check_attrs(const ImportContext& ctx, AttrEdit& edit) {
    if (ctx.ibgp || !ctx.peer.local_role) return Reason::none;
    const std::optional<uint32_t>& otc = edit.get().path.otc;
    switch (*ctx.peer.local_role) {
    case wire::Role::provider:   // from a customer
    case wire::Role::rs:         // from an rs-client
        if (otc) {
            explain(ctx, "OTC " + std::to_string(*otc) + " on a route from " +
                             (*ctx.peer.local_role == wire::Role::provider ? "a customer" : "a route-server client") +
                             " (RFC 9234 5)");
            return Reason::role_leak;
        }
        return Reason::none;
    case wire::Role::peer:
        if (otc && *otc != ctx.peer.asn) {
            explain(ctx, "OTC " + std::to_string(*otc) + " on a route from peer AS " + std::to_string(ctx.peer.asn) +
                             " (RFC 9234 5)");
            return Reason::role_leak;
        }
        break;
    case wire::Role::customer:   // from a provider
    case wire::Role::rs_client:  // from a route server
        break;
    }
    if (!otc) edit.modify().path.otc = ctx.peer.asn;
    return Reason::none;
}

bool otc_export_allowed(std::optional<wire::Role> local_role, bool has_otc) {
    if (!local_role || !has_otc) return true;
    // To a provider, a peer or a route server: only routes without OTC.
    return *local_role != wire::Role::customer && *local_role != wire::Role::peer &&
           *local_role != wire::Role::rs_client;
}

bool otc_added_on_export(std::optional<wire::Role> local_role) {
    // To a customer, a peer or a route-server client.
    return local_role && (*local_role == wire::Role::provider || *local_role == wire::Role::peer ||
                          *local_role == wire::Role::rs);
}

}  // namespace moat::rib
