// RPKI show commands (docs/cli.md, docs/rpki.md): `show rpki
// cache-connection`, `show rpki summary`, `show rpki prefix-table [PREFIX]`,
// `show rpki validity PREFIX ASN`, each in text and `json`, and `show bgp
// ipv4|ipv6 unicast rpki valid|invalid|notfound [json]`. The renderers are
// pure functions of bgp::RpkiView / rtr::VrpIndex and the time.
#pragma once

#include "bgpd/control.hpp"
#include "cli/exec.hpp"
#include "cli/grammar.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace moat::cli {

std::string show_rpki_cache_text(const bgp::RpkiView& v, std::chrono::system_clock::time_point now);
std::string show_rpki_cache_json(const bgp::RpkiView& v, std::chrono::system_clock::time_point now);
std::string show_rpki_summary_text(const bgp::RpkiView& v, std::chrono::system_clock::time_point now);
std::string show_rpki_summary_json(const bgp::RpkiView& v, std::chrono::system_clock::time_point now);
// Every VRP (at or below `prefix` when given), sorted.
std::string show_rpki_table_text(const rtr::VrpIndex& index, const std::optional<wire::Prefix>& prefix);
std::string show_rpki_table_json(const rtr::VrpIndex& index, const std::optional<wire::Prefix>& prefix);
// RFC 6811 state of (prefix, origin AS) and the covering VRPs; which match.
std::string show_rpki_validity_text(const rtr::VrpIndex& index, const wire::Prefix& p, uint32_t asn);
std::string show_rpki_validity_json(const rtr::VrpIndex& index, const wire::Prefix& p, uint32_t asn);

namespace rpki_cmd {
using Time = std::chrono::system_clock::time_point;
ExecResult cache(bgp::Control& c, const Args& a, Time now);
ExecResult cache_json(bgp::Control& c, const Args& a, Time now);
ExecResult summary(bgp::Control& c, const Args& a, Time now);
ExecResult summary_json(bgp::Control& c, const Args& a, Time now);
ExecResult table(bgp::Control& c, const Args& a, Time now);
ExecResult table_json(bgp::Control& c, const Args& a, Time now);
ExecResult table_prefix(bgp::Control& c, const Args& a, Time now);
ExecResult table_prefix_json(bgp::Control& c, const Args& a, Time now);
ExecResult validity(bgp::Control& c, const Args& a, Time now);
ExecResult validity_json(bgp::Control& c, const Args& a, Time now);
// show bgp ipv4|ipv6 unicast rpki valid|invalid|notfound [json]
ExecResult routes_v4_valid(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v4_valid_json(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v4_invalid(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v4_invalid_json(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v4_notfound(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v4_notfound_json(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v6_valid(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v6_valid_json(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v6_invalid(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v6_invalid_json(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v6_notfound(bgp::Control& c, const Args& a, Time now);
ExecResult routes_v6_notfound_json(bgp::Control& c, const Args& a, Time now);
}  // namespace rpki_cmd

}  // namespace moat::cli
