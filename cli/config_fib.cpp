// The kernel FIB in the config language (top level): `fib` installs the
// best paths in the kernel's routing table, `no fib` stops it (Moat's routes
// are removed); the other rows set its table, protocol number, metric,
// families and how long left-over routes of an earlier run are kept, and
// take effect whenever the FIB is on.
#include "cli/config_table.hpp"

namespace moat::cli::config {

namespace {

Outcome cmd_fib(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.enabled = true;
    return {};
}
Outcome no_fib(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.enabled = false;
    return {};
}
Outcome cmd_table(Loader& l, const Args& a, const std::vector<Word>&) {
    const auto t = static_cast<uint32_t>(a[0].number);
    if (t == 253 || t == 255)  // RT_TABLE_DEFAULT, RT_TABLE_LOCAL: the kernel's own
        return LineError{a[0].column, "Table " + std::to_string(t) + " is the kernel's own (main is 254)"};
    l.cfg.fib.target.table = t;
    return {};
}
Outcome no_table(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.target.table = fib::RouteTarget{}.table;
    return {};
}
Outcome cmd_protocol(Loader& l, const Args& a, const std::vector<Word>&) {
    const auto p = static_cast<uint8_t>(a[0].number);
    if (p <= 4)  // unspec, redirect, kernel, boot, static
        return LineError{a[0].column, "Protocol " + std::to_string(p) + " is the kernel's own (0-4); Moat's is 196"};
    l.cfg.fib.target.protocol = p;
    return {};
}
Outcome no_protocol(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.target.protocol = fib::RouteTarget{}.protocol;
    return {};
}
Outcome cmd_metric(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.fib.target.metric = static_cast<uint32_t>(a[0].number);
    return {};
}
Outcome no_metric(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.target.metric = fib::RouteTarget{}.metric;
    return {};
}
template <bool fib::FibConfig::*Field>
Outcome cmd_family(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.*Field = true;
    return {};
}
template <bool fib::FibConfig::*Field>
Outcome no_family(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.*Field = false;
    return {};
}
Outcome cmd_stale_time(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.fib.stale_time = std::chrono::seconds(a[0].number);
    return {};
}
Outcome no_stale_time(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.fib.stale_time = fib::FibConfig{}.stale_time;
    return {};
}

const Command top_commands[] = {
    {"fib", "Install the best paths in the kernel's routing table", cmd_fib, "fib",
     "Install nothing in the kernel (route servers, reflectors); Moat's routes are removed", no_fib},
    {"fib table <1-2147483647>", "Kernel routing table for Moat's routes (main: 254)", cmd_table, "fib table",
     "Back to the main table", no_table},
    {"fib protocol <1-255>", "Routing protocol number Moat's kernel routes carry (default 196)", cmd_protocol,
     "fib protocol", "Back to protocol 196", no_protocol},
    {"fib metric <0-2147483647>", "Metric (priority) of Moat's kernel routes (default 20)", cmd_metric, "fib metric",
     "Back to metric 20", no_metric},
    {"fib ipv4", "Install IPv4 best paths (the default)", cmd_family<&fib::FibConfig::ipv4>,
     "fib ipv4", "Install no IPv4 routes", no_family<&fib::FibConfig::ipv4>, Where::both, Where::both},
    {"fib ipv6", "Install IPv6 best paths (the default)", cmd_family<&fib::FibConfig::ipv6>,
     "fib ipv6", "Install no IPv6 routes", no_family<&fib::FibConfig::ipv6>, Where::both, Where::both},
    {"fib stale-time <0-3600>",
     "Seconds after a start before routes of Moat's protocol left by an earlier run are removed (default 60)",
     cmd_stale_time, "fib stale-time", "Back to 60 seconds", no_stale_time},
};

}  // namespace

Rows fib_rows() { return {top_commands, {}, {}}; }

}  // namespace moat::cli::config
