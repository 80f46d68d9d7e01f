// See show_rpki.hpp.
#include "cli/show_rpki.hpp"

#include "cli/json.hpp"
#include "cli/show.hpp"
#include "cli/show_routes.hpp"

#include <fmt/format.h>

#include <ctime>

namespace moat::cli {

namespace {

using SysClock = std::chrono::system_clock;

std::string iso(SysClock::time_point t) {
    std::time_t tt = SysClock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string when_text(const std::optional<SysClock::time_point>& t, SysClock::time_point now) {
    if (!t) return "never";
    return iso(*t) + " (" + format_uptime(*t, now) + " ago)";
}

void when_json(JsonWriter& j, std::string_view k, const std::optional<SysClock::time_point>& t) {
    j.key(k);
    if (t)
        j.value(iso(*t));
    else
        j.null();
}

void opt_json(JsonWriter& j, std::string_view k, const std::optional<uint32_t>& v) {
    j.key(k);
    if (v)
        j.value(*v);
    else
        j.null();
}

ExecResult text(std::string s) { return ExecResult{true, {}, std::make_unique<TextOutput>(std::move(s))}; }
ExecResult fail(std::string s) { return ExecResult{false, "% " + std::move(s), nullptr}; }

const char* state_word(rtr::Validity v) {
    switch (v) {
    case rtr::Validity::valid: return "valid";
    case rtr::Validity::invalid: return "invalid";
    case rtr::Validity::not_found: return "not-found";
    }
    return "not-found";
}

// Why a covering VRP does or does not match the route.
std::string vrp_verdict(const rtr::Vrp& v, const wire::Prefix& p, uint32_t asn) {
    if (v.asn == 0) return "AS 0: never matches";
    if (v.asn != asn) return "other origin AS";
    if (p.len > v.max_length) return "longer than maxLength";
    return "matches";
}

}  // namespace

std::string show_rpki_cache_text(const bgp::RpkiView& v, SysClock::time_point now) {
    if (!v.enabled) return "RPKI is not configured (no rpki cache or rpki file)\n";
    std::string out;
    for (const auto& s : v.sources) {
        out += fmt::format("{} {} ({}), state {}{}\n", s.type, s.where,
                           s.type == "file" ? "file" : "preference " + std::to_string(s.preference), s.state,
                           s.active ? ", in use" : "");
        if (s.serial && s.session_id)
            out += fmt::format("  serial {}, session id {}\n", *s.serial, *s.session_id);
        else if (s.serial)
            out += fmt::format("  serial {}\n", *s.serial);
        out += fmt::format("  VRPs: {} IPv4, {} IPv6\n", s.v4_vrps, s.v6_vrps);
        out += fmt::format("  last update: {}\n", when_text(s.last_update, now));
        if (!s.last_error.empty()) out += fmt::format("  last error: {}\n", s.last_error);
    }
    if (v.sources.empty()) out += "no VRP source running\n";
    return out;
}

std::string show_rpki_cache_json(const bgp::RpkiView& v, SysClock::time_point) {
    JsonWriter j;
    j.begin_object();
    j.field("enabled", v.enabled);
    j.key("sources").begin_array();
    for (const auto& s : v.sources) {
        j.begin_object();
        j.field("type", s.type).field("where", s.where).field("state", s.state);
        j.field("preference", static_cast<uint32_t>(s.preference)).field("active", s.active);
        opt_json(j, "serial", s.serial);
        opt_json(j, "session_id", s.session_id);
        j.field("ipv4_vrps", static_cast<uint64_t>(s.v4_vrps)).field("ipv6_vrps", static_cast<uint64_t>(s.v6_vrps));
        when_json(j, "last_update", s.last_update);
        j.field("last_error", s.last_error);
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

std::string show_rpki_summary_text(const bgp::RpkiView& v, SysClock::time_point now) {
    if (!v.enabled) return "RPKI is not configured (no rpki cache or rpki file): routes are not validated\n";
    std::string out;
    out += fmt::format("RPKI state: {}\n", v.state);
    if (!v.ready)
        out += fmt::format("Safe start: eBGP routes held until the first complete VRP set (timeout {} s)\n",
                           v.safe_start_timeout);
    else if (v.timed_out)
        out += fmt::format("Safe start: timed out after {} s, validating with an incomplete set\n",
                           v.safe_start_timeout);
    out += fmt::format("VRPs in force: {} IPv4, {} IPv6\n", v.v4_vrps, v.v6_vrps);
    if (v.offered_v4 != v.v4_vrps || v.offered_v6 != v.v6_vrps)
        out += fmt::format("VRPs offered by the sources: {} IPv4, {} IPv6\n", v.offered_v4, v.offered_v6);
    if (!v.drop_guard_note.empty()) out += fmt::format("Drop guard: {}\n", v.drop_guard_note);
    out += fmt::format("Last change: {}\n", when_text(v.last_change, now));
    out += fmt::format("Revalidations: {} ({} routes re-run)\n", v.revalidations, v.routes_revalidated);
    out += "Sources:\n";
    out += fmt::format("  {:<5} {:<40} {:<12} {:>10} {:>10} {:>10}  {}\n", "Type", "Where", "State", "IPv4", "IPv6",
                       "Serial", "Last update");
    for (const auto& s : v.sources)
        out += fmt::format("  {:<5} {:<40} {:<12} {:>10} {:>10} {:>10}  {}\n", s.type, s.where, s.state, s.v4_vrps,
                           s.v6_vrps, s.serial ? std::to_string(*s.serial) : "-",
                           s.last_update ? iso(*s.last_update) : "never");
    return out;
}

std::string show_rpki_summary_json(const bgp::RpkiView& v, SysClock::time_point) {
    JsonWriter j;
    j.begin_object();
    j.field("enabled", v.enabled).field("state", v.state).field("ready", v.ready).field("in_sync", v.in_sync);
    j.field("safe_start_timed_out", v.timed_out).field("safe_start_timeout", static_cast<uint32_t>(v.safe_start_timeout));
    j.field("ipv4_vrps", static_cast<uint64_t>(v.v4_vrps)).field("ipv6_vrps", static_cast<uint64_t>(v.v6_vrps));
    j.field("offered_ipv4_vrps", static_cast<uint64_t>(v.offered_v4))
        .field("offered_ipv6_vrps", static_cast<uint64_t>(v.offered_v6));
    opt_json(j, "drop_guard_percent", v.drop_guard ? std::optional<uint32_t>(*v.drop_guard) : std::nullopt);
    j.field("drop_guard_note", v.drop_guard_note);
    when_json(j, "last_change", v.last_change);
    j.field("revalidations", v.revalidations).field("routes_revalidated", v.routes_revalidated);
    j.key("sources").begin_array();
    for (const auto& s : v.sources) {
        j.begin_object();
        j.field("type", s.type).field("where", s.where).field("state", s.state).field("active", s.active);
        j.field("ipv4_vrps", static_cast<uint64_t>(s.v4_vrps)).field("ipv6_vrps", static_cast<uint64_t>(s.v6_vrps));
        opt_json(j, "serial", s.serial);
        when_json(j, "last_update", s.last_update);
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

namespace {

std::vector<rtr::Vrp> table_of(const rtr::VrpIndex& index, const std::optional<wire::Prefix>& prefix) {
    if (prefix) return index.within(*prefix);
    std::vector<rtr::Vrp> all;
    for (auto afi : {wire::Afi::ipv4, wire::Afi::ipv6}) {
        auto s = index.vrps(afi);
        all.insert(all.end(), s.begin(), s.end());
    }
    return all;
}

}  // namespace

std::string show_rpki_table_text(const rtr::VrpIndex& index, const std::optional<wire::Prefix>& prefix) {
    const auto v = table_of(index, prefix);
    std::string out = fmt::format("{:<44} {:>9}  {}\n", "Prefix", "MaxLength", "Origin AS");
    for (const auto& x : v) out += fmt::format("{:<44} {:>9}  AS{}\n", x.prefix.to_string(), x.max_length, x.asn);
    out += fmt::format("{} VRP(s)\n", v.size());
    return out;
}

std::string show_rpki_table_json(const rtr::VrpIndex& index, const std::optional<wire::Prefix>& prefix) {
    const auto v = table_of(index, prefix);
    JsonWriter j;
    j.begin_object().key("vrps").begin_array();
    for (const auto& x : v)
        j.begin_object()
            .field("prefix", x.prefix.to_string())
            .field("max_length", static_cast<uint32_t>(x.max_length))
            .field("asn", x.asn)
            .end_object();
    j.end_array().end_object();
    return j.str() + "\n";
}

std::string show_rpki_validity_text(const rtr::VrpIndex& index, const wire::Prefix& p, uint32_t asn) {
    const auto e = index.explain(p, asn);
    std::string out = fmt::format("{} origin AS{}: {}\n", p.to_string(), asn, state_word(e.state));
    if (e.covering.empty()) {
        out += "No VRP covers the prefix\n";
        return out;
    }
    out += "Covering VRPs:\n";
    for (const auto& v : e.covering)
        out += fmt::format("  {:<44} max {:>3}  AS{:<10}  {}\n", v.prefix.to_string(), v.max_length, v.asn,
                           vrp_verdict(v, p, asn));
    return out;
}

std::string show_rpki_validity_json(const rtr::VrpIndex& index, const wire::Prefix& p, uint32_t asn) {
    const auto e = index.explain(p, asn);
    JsonWriter j;
    j.begin_object();
    j.field("prefix", p.to_string()).field("origin_as", asn).field("state", state_word(e.state));
    j.key("covering").begin_array();
    for (const auto& v : e.covering)
        j.begin_object()
            .field("prefix", v.prefix.to_string())
            .field("max_length", static_cast<uint32_t>(v.max_length))
            .field("asn", v.asn)
            .field("matches", vrp_verdict(v, p, asn) == "matches")
            .end_object();
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

namespace rpki_cmd {

namespace {

ExecResult table_cmd(bgp::Control& c, const std::optional<wire::Prefix>& p, bool json) {
    const rtr::VrpIndex* index = c.rpki_index();
    if (!index) return fail("RPKI is not available");
    return text(json ? show_rpki_table_json(*index, p) : show_rpki_table_text(*index, p));
}

ExecResult validity_cmd(bgp::Control& c, const Args& a, bool json) {
    const rtr::VrpIndex* index = c.rpki_index();
    if (!index) return fail("RPKI is not available");
    if (prefix_has_host_bits(a[0].prefix))
        return fail("Prefix " + a[0].text + " has host bits set (did you mean " +
                    format_prefix(prefix_masked(a[0].prefix)) + "?)");
    const auto asn = static_cast<uint32_t>(a[1].number);
    return text(json ? show_rpki_validity_json(*index, a[0].prefix, asn)
                     : show_rpki_validity_text(*index, a[0].prefix, asn));
}

ExecResult routes_cmd(bgp::Control& c, wire::Afi afi, rib::RpkiState s, bool json) {
    bgp::RouteQuery q;
    q.afi = afi;
    q.rpki = s;
    std::string error;
    auto w = c.routes(q, error);
    if (!w) return fail(error);
    std::vector<std::unique_ptr<bgp::RouteWalk>> walks;
    walks.push_back(std::move(w));
    return ExecResult{true, {}, route_output(std::move(walks), {q}, json)};
}

constexpr auto v4 = wire::Afi::ipv4;
constexpr auto v6 = wire::Afi::ipv6;
using S = rib::RpkiState;

}  // namespace

ExecResult cache(bgp::Control& c, const Args&, Time now) { return text(show_rpki_cache_text(c.rpki_view(), now)); }
ExecResult cache_json(bgp::Control& c, const Args&, Time now) { return text(show_rpki_cache_json(c.rpki_view(), now)); }
ExecResult summary(bgp::Control& c, const Args&, Time now) { return text(show_rpki_summary_text(c.rpki_view(), now)); }
ExecResult summary_json(bgp::Control& c, const Args&, Time now) {
    return text(show_rpki_summary_json(c.rpki_view(), now));
}
ExecResult table(bgp::Control& c, const Args&, Time) { return table_cmd(c, std::nullopt, false); }
ExecResult table_json(bgp::Control& c, const Args&, Time) { return table_cmd(c, std::nullopt, true); }
ExecResult table_prefix(bgp::Control& c, const Args& a, Time) { return table_cmd(c, a[0].prefix, false); }
ExecResult table_prefix_json(bgp::Control& c, const Args& a, Time) { return table_cmd(c, a[0].prefix, true); }
ExecResult validity(bgp::Control& c, const Args& a, Time) { return validity_cmd(c, a, false); }
ExecResult validity_json(bgp::Control& c, const Args& a, Time) { return validity_cmd(c, a, true); }
ExecResult routes_v4_valid(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v4, S::valid, false); }
ExecResult routes_v4_valid_json(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v4, S::valid, true); }
ExecResult routes_v4_invalid(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v4, S::invalid, false); }
ExecResult routes_v4_invalid_json(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v4, S::invalid, true); }
ExecResult routes_v4_notfound(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v4, S::not_found, false); }
ExecResult routes_v4_notfound_json(bgp::Control& c, const Args&, Time) {
    return routes_cmd(c, v4, S::not_found, true);
}
ExecResult routes_v6_valid(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v6, S::valid, false); }
ExecResult routes_v6_valid_json(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v6, S::valid, true); }
ExecResult routes_v6_invalid(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v6, S::invalid, false); }
ExecResult routes_v6_invalid_json(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v6, S::invalid, true); }
ExecResult routes_v6_notfound(bgp::Control& c, const Args&, Time) { return routes_cmd(c, v6, S::not_found, false); }
ExecResult routes_v6_notfound_json(bgp::Control& c, const Args&, Time) {
    return routes_cmd(c, v6, S::not_found, true);
}

}  // namespace rpki_cmd

}  // namespace moat::cli
