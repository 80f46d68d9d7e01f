// RFC 9234 5: the Only to Customer (OTC) attribute, on the way in and out.
//
// Roles are ours towards the neighbor (`neighbor X local-role R`); the
// neighbor's role is the matching one (provider <-> customer, rs <-> rs-client,
// peer <-> peer). The procedures apply to eBGP sessions with a local role, in
// IPv4 and IPv6 unicast (the only families Moat carries).
//
// Ingress (OtcStep, in the import chain):
//   - from a customer or an rs-client (we are provider / rs), a route with
//     OTC is a route leak: rejected with Reason::role_leak;
//   - from a peer, a route whose OTC is not the peer's AS is a leak;
//   - from a provider, a peer or an rs (we are customer / peer / rs-client),
//     a route without OTC gets OTC = the neighbor's AS.
// Egress (export.cpp):
//   - a route with OTC is not sent to a provider, a peer or an rs (we are
//     customer / peer / rs-client towards it): the leak prevention;
//   - to a customer, a peer or an rs-client (we are provider / peer / rs), a
//     route without OTC is sent with OTC = our AS.
#pragma once

#include "rib/import_chain.hpp"

#include <optional>

namespace moat::rib {

class OtcStep final : public ImportStep {
public:
    std::string_view name() const override { return "otc"; }
    Reason check_attrs(const ImportContext& ctx, AttrEdit& edit) override;
};

// Egress: may a route (has_otc: it carries OTC) be sent where our role is
// `local_role`? And the OTC value to add when sending there, if any.
bool otc_export_allowed(std::optional<wire::Role> local_role, bool has_otc);
bool otc_added_on_export(std::optional<wire::Role> local_role);

}  // namespace moat::rib
