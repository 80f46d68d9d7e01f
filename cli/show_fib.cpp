// show fib: text and JSON.
#include "cli/show_fib.hpp"

#include "cli/json.hpp"

#include <cstring>
#include <fmt/format.h>

namespace moat::cli {

namespace {

std::string errno_text(int e) { return e ? std::string(std::strerror(e)) : std::string("ok"); }

std::string errno_name(int e) {
    switch (e) {
        case ENETUNREACH: return "ENETUNREACH";
        case EHOSTUNREACH: return "EHOSTUNREACH";
        case ENOBUFS: return "ENOBUFS";
        case EPERM: return "EPERM";
        case EINVAL: return "EINVAL";
        case ENODEV: return "ENODEV";
        case EEXIST: return "EEXIST";
        case ESRCH: return "ESRCH";
        case ENOMEM: return "ENOMEM";
        default: return "errno " + std::to_string(e);
    }
}

}  // namespace

std::string show_fib_text(const fib::FibCounters& c, const fib::FibConfig& config,
                          const std::vector<fib::FibRoute>& routes) {
    std::string out;
    if (!c.enabled) return "FIB: off (`fib` in the configuration installs the best paths in the kernel)\n";
    out += fmt::format("FIB: {}, table {}, protocol {}, metric {}, families {}{}\n", c.state, config.target.table,
                       config.target.protocol, config.target.metric,
                       config.ipv4 && config.ipv6 ? "IPv4 and IPv6" : config.ipv4 ? "IPv4" : "IPv6",
                       c.error.empty() ? "" : "\n  error: " + c.error);
    out += fmt::format("Routes in the kernel: {} IPv4, {} IPv6; queued {}, in flight {}\n", c.routes_v4, c.routes_v6,
                       c.queued, c.in_flight);
    out += fmt::format("Requests acknowledged: {} installed, {} removed; refused {}", c.installs, c.removals,
                       c.refused);
    if (!c.refused_by_errno.empty()) {
        std::string parts;
        for (const auto& [e, n] : c.refused_by_errno) parts += fmt::format("{}{}: {}", parts.empty() ? "" : ", ", errno_name(e), n);
        out += " (" + parts + ")";
    }
    out += "\n";
    if (c.unsupported) out += fmt::format("Best paths with no next hop the kernel can take: {}\n", c.unsupported);
    out += fmt::format("Left over from an earlier run: {} found, {} removed\n", c.stale_found, c.stale_removed);
    if (routes.empty()) return out;
    out += "\nCodes: * in the kernel, > being installed or removed, ! refused by the kernel\n";
    out += fmt::format("   {:<43} {:<28} {}\n", "Prefix", "Next hop", "Kernel");
    for (const auto& r : routes) {
        const char code = r.error ? '!' : r.pending ? '>' : r.installed ? '*' : ' ';
        std::string gws;
        for (const auto& g : r.gateways) gws += (gws.empty() ? "" : ", ") + g.to_string();
        std::string nh = r.gateways.size() > 1 ? gws
                         : r.wanted    ? r.wanted->to_string()
                         : r.next_hop  ? r.next_hop->to_string() + " (unresolved)"
                         : r.installed ? r.installed->to_string() + " (removing)"
                                       : "-";
        out += fmt::format("{}  {:<43} {:<28} {}\n", code, r.prefix.to_string(), nh, errno_text(r.error));
    }
    if (routes.size() >= fib_show_limit)
        out += fmt::format("(the first {} routes: name a family or a prefix for the others)\n", fib_show_limit);
    return out;
}

std::string show_fib_json(const fib::FibCounters& c, const fib::FibConfig& config,
                          const std::vector<fib::FibRoute>& routes) {
    JsonWriter j;
    j.begin_object();
    j.field("enabled", c.enabled).field("state", c.state.empty() ? std::string("off") : c.state);
    if (!c.error.empty()) j.field("error", c.error);
    j.field("table", config.target.table).field("protocol", uint32_t{config.target.protocol});
    j.field("metric", config.target.metric).field("ipv4", config.ipv4).field("ipv6", config.ipv6);
    j.field("routes_ipv4", uint64_t{c.routes_v4}).field("routes_ipv6", uint64_t{c.routes_v6});
    j.field("queued", uint64_t{c.queued}).field("in_flight", uint64_t{c.in_flight});
    j.field("installed", c.installs).field("removed", c.removals).field("refused", c.refused);
    j.field("unsupported_next_hops", c.unsupported);
    j.field("stale_found", uint64_t{c.stale_found}).field("stale_removed", uint64_t{c.stale_removed});
    j.key("refused_by_error").begin_object();
    for (const auto& [e, n] : c.refused_by_errno) j.field(errno_name(e), n);
    j.end_object();
    j.key("routes").begin_array();
    for (const auto& r : routes) {
        j.begin_object();
        j.field("prefix", r.prefix.to_string());
        if (r.wanted) j.field("next_hop", r.wanted->to_string());
        else j.key("next_hop").null();
        if (r.next_hop) j.field("bgp_next_hop", r.next_hop->to_string());
        j.field("in_kernel", r.installed.has_value());
        if (r.installed) j.field("kernel_next_hop", r.installed->to_string());
        j.key("gateways").begin_array();
        for (const auto& g : r.gateways) j.value(g.to_string());
        j.end_array();
        j.field("pending", r.pending);
        j.field("kernel", r.error ? errno_text(r.error) : std::string("ok"));
        if (r.error) j.field("errno", errno_name(r.error));
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

std::string show_nexthop_text(const std::vector<bgp::Control::NextHopView>& v, bool fib_on) {
    if (!fib_on) return "Next hops are checked with the FIB on (`fib`): every path is usable now\n";
    std::string out = fmt::format("{:<40} {:<10} {:<12} {:<40} {}\n", "Next hop", "Check", "State", "Via", "Interface");
    for (const auto& n : v) {
        const auto& r = n.resolution;
        out += fmt::format("{:<40} {:<10} {:<12} {:<40} {}\n", n.address.to_string(),
                           n.connected_only ? "connected" : "recursive", r.resolved ? "reachable" : "unreachable",
                           r.resolved ? r.via + (r.gateway == n.address ? "" : ", gateway " + r.gateway.to_string()) : "-",
                           r.resolved ? r.interface : "-");
    }
    out += fmt::format("{} next hop(s); paths through an unreachable one are marked x and never win\n", v.size());
    return out;
}

std::string show_nexthop_json(const std::vector<bgp::Control::NextHopView>& v, bool fib_on) {
    JsonWriter j;
    j.begin_object();
    j.field("checked", fib_on);
    j.key("next_hops").begin_array();
    for (const auto& n : v) {
        const auto& r = n.resolution;
        j.begin_object();
        j.field("address", n.address.to_string());
        j.field("check", std::string(n.connected_only ? "connected" : "recursive"));
        j.field("reachable", r.resolved);
        if (r.resolved) {
            j.field("via", r.via).field("gateway", r.gateway.to_string()).field("interface", r.interface);
        }
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

namespace fib_cmd {

namespace {

ExecResult show(bgp::Control& c, std::optional<wire::Afi> afi, const std::optional<wire::Prefix>& under, bool json) {
    const auto counters = c.fib_counters();
    const auto& config = c.running_config().fib;
    const auto routes = c.fib_routes(afi, under, fib_show_limit);
    std::string s = json ? show_fib_json(counters, config, routes) : show_fib_text(counters, config, routes);
    return ExecResult{true, {}, std::make_unique<TextOutput>(std::move(s))};
}

}  // namespace

ExecResult all(bgp::Control& c, const Args&, Time) { return show(c, std::nullopt, std::nullopt, false); }
ExecResult all_json(bgp::Control& c, const Args&, Time) { return show(c, std::nullopt, std::nullopt, true); }
ExecResult v4(bgp::Control& c, const Args&, Time) { return show(c, wire::Afi::ipv4, std::nullopt, false); }
ExecResult v4_json(bgp::Control& c, const Args&, Time) { return show(c, wire::Afi::ipv4, std::nullopt, true); }
ExecResult v6(bgp::Control& c, const Args&, Time) { return show(c, wire::Afi::ipv6, std::nullopt, false); }
ExecResult v6_json(bgp::Control& c, const Args&, Time) { return show(c, wire::Afi::ipv6, std::nullopt, true); }
ExecResult prefix(bgp::Control& c, const Args& a, Time) {
    return show(c, a[0].prefix.afi(), a[0].prefix, false);
}
ExecResult prefix_json(bgp::Control& c, const Args& a, Time) { return show(c, a[0].prefix.afi(), a[0].prefix, true); }

ExecResult nexthop(bgp::Control& c, const Args&, Time) {
    return ExecResult{true, {}, std::make_unique<TextOutput>(show_nexthop_text(c.next_hops(), c.fib_counters().state == "running"))};
}
ExecResult nexthop_json(bgp::Control& c, const Args&, Time) {
    return ExecResult{true, {}, std::make_unique<TextOutput>(show_nexthop_json(c.next_hops(), c.fib_counters().state == "running"))};
}

}  // namespace fib_cmd

}  // namespace moat::cli
