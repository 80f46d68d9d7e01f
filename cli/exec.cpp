// The exec node's command table and handlers (see exec.hpp, docs/cli.md).
#include "cli/exec.hpp"

#include "cli/commands.hpp"
#include "cli/config_loader.hpp"
#include "cli/show.hpp"
#include "cli/show_defenses.hpp"
#include "cli/show_fib.hpp"
#include "cli/show_routes.hpp"
#include "cli/show_rpki.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace moat::cli {

bool TextOutput::next(std::string& out, size_t budget) {
    size_t n = std::min(budget, text_.size() - pos_);
    out.append(text_, pos_, n);
    pos_ += n;
    return pos_ < text_.size();
}

namespace {

using Time = std::chrono::system_clock::time_point;
using Handler = ExecResult (*)(bgp::Control&, const Args&, Time);

struct Entry {
    const char* pattern;
    const char* help;
    Handler handler;
    ExecKind kind = ExecKind::view;
};

ExecResult text(std::string s) { return ExecResult{true, {}, std::make_unique<TextOutput>(std::move(s))}; }
ExecResult fail(std::string s) { return ExecResult{false, "% " + std::move(s), nullptr}; }

std::vector<bgp::PeerView> select(bgp::Control& c, const wire::IpAddress* a) {
    std::vector<bgp::PeerView> v = c.peer_views();
    if (!a) return v;
    std::vector<bgp::PeerView> out;
    for (auto& p : v)
        if (p.config.address == *a) out.push_back(std::move(p));
    return out;
}

ExecResult summary(bgp::Control& c, const Args&, Time now) {
    const auto fib = c.fib_counters();
    return text(show_summary_text(c.running_config(), c.peer_views(), now, &fib));
}
ExecResult summary_json(bgp::Control& c, const Args&, Time now) {
    const auto fib = c.fib_counters();
    return text(show_summary_json(c.running_config(), c.peer_views(), now, &fib));
}
ExecResult neighbors(bgp::Control& c, const Args&, Time now) {
    return text(show_neighbors_text(c.running_config(), c.peer_views(), now));
}
ExecResult neighbors_json(bgp::Control& c, const Args&, Time now) {
    return text(show_neighbors_json(c.running_config(), c.peer_views(), now));
}
ExecResult neighbor_one(bgp::Control& c, const Args& a, Time now) {
    auto v = select(c, &a[0].address);
    if (v.empty()) return fail("No such neighbor " + format_address(a[0].address));
    return text(show_neighbors_text(c.running_config(), v, now));
}
ExecResult neighbor_one_json(bgp::Control& c, const Args& a, Time now) {
    auto v = select(c, &a[0].address);
    if (v.empty()) return fail("No such neighbor " + format_address(a[0].address));
    return text(show_neighbors_json(c.running_config(), v, now));
}
ExecResult running_config(bgp::Control& c, const Args&, Time) { return text(render_config(c.running_config())); }
ExecResult version(bgp::Control&, const Args&, Time) { return text(show_version_text()); }

ExecResult action(std::string error) {
    if (!error.empty()) return fail(std::move(error));
    return text("");
}
ExecResult shutdown(bgp::Control& c, const Args& a, Time) {
    return action(c.neighbor_shutdown(a[0].address, true, {}));
}
ExecResult shutdown_message(bgp::Control& c, const Args& a, Time) {
    if (a[1].text.size() > 255) return fail("Shutdown message longer than 255 bytes (RFC 9003)");
    return action(c.neighbor_shutdown(a[0].address, true, a[1].text));
}
ExecResult no_shutdown(bgp::Control& c, const Args& a, Time) {
    return action(c.neighbor_shutdown(a[0].address, false, {}));
}
ExecResult clear(bgp::Control& c, const Args& a, Time) { return action(c.neighbor_clear(a[0].address)); }
ExecResult write(bgp::Control& c, const Args&, Time) { return action(write_config(c)); }
ExecResult reload(bgp::Control& c, const Args&, Time) { return action(reload_config(c)); }
ExecResult session_only(bgp::Control&, const Args&, Time) {
    return fail("This command is for the interactive shell (run moatctl without arguments)");
}

// show bgp rejected [neighbor ADDR] [reason REASON] [PREFIX] [json]: the
// typed arguments say which filters were given.
ExecResult rejected_list(bgp::Control& c, const Args& a, bool json) {
    bgp::RejectedQuery q;
    for (const Value& v : a) {
        if (v.type == TokenType::address) q.neighbor = v.address;
        if (v.type == TokenType::word) q.reason = v.text;
        if (v.type == TokenType::prefix) {
            if (prefix_has_host_bits(v.prefix)) return fail("Prefix " + v.text + " has host bits set");
            q.prefix = v.prefix;
        }
    }
    std::string error;
    bgp::RejectedList l = c.rejected(q, error);
    if (!error.empty()) return fail(error);
    return text(json ? show_rejected_json(l) : show_rejected_text(l));
}
ExecResult rejected(bgp::Control& c, const Args& a, Time) { return rejected_list(c, a, false); }
ExecResult rejected_json(bgp::Control& c, const Args& a, Time) { return rejected_list(c, a, true); }
ExecResult peer_lock(bgp::Control& c, const Args&, Time) { return text(show_peer_lock_text(c.peer_lock())); }
ExecResult peer_lock_json(bgp::Control& c, const Args&, Time) { return text(show_peer_lock_json(c.peer_lock())); }

constexpr ExecKind priv = ExecKind::privileged;
constexpr ExecKind session = ExecKind::session;

const Entry entries[] = {
    {"show bgp summary", "Summary of the BGP neighbors", summary},
    {"show bgp summary json", "Summary of the BGP neighbors as JSON", summary_json},
    {"show bgp neighbors", "Details of all BGP neighbors", neighbors},
    {"show bgp neighbors json", "Details of all BGP neighbors as JSON", neighbors_json},
    {"show bgp neighbors ADDR", "Details of one BGP neighbor", neighbor_one},
    {"show bgp neighbors ADDR json", "Details of one BGP neighbor as JSON", neighbor_one_json},
    {"show bgp ipv4 unicast", "IPv4 unicast routes: every path, the best marked", routes::loc_rib_v4},
    {"show bgp ipv4 unicast json", "IPv4 unicast routes as JSON", routes::loc_rib_v4_json},
    {"show bgp ipv4 unicast PREFIX", "The paths of one IPv4 prefix", routes::prefix_v4},
    {"show bgp ipv4 unicast PREFIX json", "The paths of one IPv4 prefix as JSON", routes::prefix_v4_json},
    {"show bgp ipv4 unicast PREFIX longer-prefixes", "An IPv4 prefix and its more-specifics", routes::longer_v4},
    {"show bgp ipv4 unicast PREFIX longer-prefixes json", "An IPv4 prefix and its more-specifics as JSON",
     routes::longer_v4_json},
    {"show bgp ipv6 unicast", "IPv6 unicast routes: every path, the best marked", routes::loc_rib_v6},
    {"show bgp ipv6 unicast json", "IPv6 unicast routes as JSON", routes::loc_rib_v6_json},
    {"show bgp ipv6 unicast PREFIX", "The paths of one IPv6 prefix", routes::prefix_v6},
    {"show bgp ipv6 unicast PREFIX json", "The paths of one IPv6 prefix as JSON", routes::prefix_v6_json},
    {"show bgp ipv6 unicast PREFIX longer-prefixes", "An IPv6 prefix and its more-specifics", routes::longer_v6},
    {"show bgp ipv6 unicast PREFIX longer-prefixes json", "An IPv6 prefix and its more-specifics as JSON",
     routes::longer_v6_json},
    {"show bgp neighbors ADDR received-routes", "A neighbor's routes as received (before import policy)",
     routes::received},
    {"show bgp neighbors ADDR received-routes json", "A neighbor's routes as received, as JSON",
     routes::received_json},
    {"show bgp neighbors ADDR accepted-routes", "A neighbor's routes accepted by import policy", routes::accepted},
    {"show bgp neighbors ADDR accepted-routes json", "A neighbor's accepted routes as JSON", routes::accepted_json},
    {"show bgp neighbors ADDR advertised-routes", "The routes sent to a neighbor", routes::advertised},
    {"show bgp neighbors ADDR advertised-routes json", "The routes sent to a neighbor as JSON",
     routes::advertised_json},
    {"show rpki cache-connection", "RPKI caches and VRP files: state, serial, VRPs, errors", rpki_cmd::cache},
    {"show rpki cache-connection json", "RPKI caches and VRP files as JSON", rpki_cmd::cache_json},
    {"show rpki summary", "RPKI state, VRPs per family and per source, last change", rpki_cmd::summary},
    {"show rpki summary json", "RPKI summary as JSON", rpki_cmd::summary_json},
    {"show rpki prefix-table", "Every VRP in force", rpki_cmd::table},
    {"show rpki prefix-table json", "Every VRP in force as JSON", rpki_cmd::table_json},
    {"show rpki prefix-table PREFIX", "The VRPs at or below a prefix", rpki_cmd::table_prefix},
    {"show rpki prefix-table PREFIX json", "The VRPs at or below a prefix as JSON", rpki_cmd::table_prefix_json},
    {"show rpki validity PREFIX ASN", "RFC 6811 state of a route and the VRPs covering it", rpki_cmd::validity},
    {"show rpki validity PREFIX ASN json", "RFC 6811 state of a route as JSON", rpki_cmd::validity_json},
    {"show bgp ipv4 unicast rpki valid", "IPv4 paths whose origin is RPKI Valid", rpki_cmd::routes_v4_valid},
    {"show bgp ipv4 unicast rpki valid json", "IPv4 RPKI Valid paths as JSON", rpki_cmd::routes_v4_valid_json},
    {"show bgp ipv4 unicast rpki invalid", "IPv4 paths whose origin is RPKI Invalid (rejected or accepted)",
     rpki_cmd::routes_v4_invalid},
    {"show bgp ipv4 unicast rpki invalid json", "IPv4 RPKI Invalid paths as JSON", rpki_cmd::routes_v4_invalid_json},
    {"show bgp ipv4 unicast rpki notfound", "IPv4 paths no VRP covers", rpki_cmd::routes_v4_notfound},
    {"show bgp ipv4 unicast rpki notfound json", "IPv4 RPKI NotFound paths as JSON",
     rpki_cmd::routes_v4_notfound_json},
    {"show bgp ipv6 unicast rpki valid", "IPv6 paths whose origin is RPKI Valid", rpki_cmd::routes_v6_valid},
    {"show bgp ipv6 unicast rpki valid json", "IPv6 RPKI Valid paths as JSON", rpki_cmd::routes_v6_valid_json},
    {"show bgp ipv6 unicast rpki invalid", "IPv6 paths whose origin is RPKI Invalid (rejected or accepted)",
     rpki_cmd::routes_v6_invalid},
    {"show bgp ipv6 unicast rpki invalid json", "IPv6 RPKI Invalid paths as JSON", rpki_cmd::routes_v6_invalid_json},
    {"show bgp ipv6 unicast rpki notfound", "IPv6 paths no VRP covers", rpki_cmd::routes_v6_notfound},
    {"show bgp ipv6 unicast rpki notfound json", "IPv6 RPKI NotFound paths as JSON",
     rpki_cmd::routes_v6_notfound_json},
    {"show bgp rejected", "Rejected routes with reason, detail and time", rejected},
    {"show bgp rejected json", "Rejected routes as JSON", rejected_json},
    {"show bgp rejected neighbor ADDR", "Rejected routes of one neighbor", rejected},
    {"show bgp rejected neighbor ADDR json", "Rejected routes of one neighbor as JSON", rejected_json},
    {"show bgp rejected reason WORD", "Rejected routes of one reason (peer-lock, rpki-invalid, martian...)", rejected},
    {"show bgp rejected reason WORD json", "Rejected routes of one reason as JSON", rejected_json},
    {"show bgp rejected PREFIX", "Rejections of one prefix", rejected},
    {"show bgp rejected PREFIX json", "Rejections of one prefix as JSON", rejected_json},
    {"show bgp rejected neighbor ADDR reason WORD", "Rejected routes of one neighbor and reason", rejected},
    {"show bgp rejected neighbor ADDR reason WORD json", "The same as JSON", rejected_json},
    {"show bgp rejected neighbor ADDR PREFIX", "Rejections of one prefix from one neighbor", rejected},
    {"show bgp rejected neighbor ADDR PREFIX json", "The same as JSON", rejected_json},
    {"show bgp rejected reason WORD PREFIX", "Rejections of one prefix for one reason", rejected},
    {"show bgp rejected reason WORD PREFIX json", "The same as JSON", rejected_json},
    {"show bgp rejected neighbor ADDR reason WORD PREFIX", "Rejections by neighbor, reason and prefix", rejected},
    {"show bgp rejected neighbor ADDR reason WORD PREFIX json", "The same as JSON", rejected_json},
    {"show bgp neighbors ADDR rejected-routes", "A neighbor's rejected routes with reason and detail", rejected},
    {"show bgp neighbors ADDR rejected-routes json", "A neighbor's rejected routes as JSON", rejected_json},
    {"show bgp peer-lock", "Peer-lock: protected ASNs and the routes it rejected", peer_lock},
    {"show bgp peer-lock json", "Peer-lock as JSON", peer_lock_json},
    {"show bgp nexthop", "BGP next hops: how each is checked and reached, through which kernel route",
     fib_cmd::nexthop},
    {"show bgp nexthop json", "BGP next hops as JSON", fib_cmd::nexthop_json},
    {"show fib", "Moat's routes in the kernel: state, counters, the kernel's answer per route", fib_cmd::all},
    {"show fib json", "The FIB as JSON", fib_cmd::all_json},
    {"show fib ipv4", "Moat's IPv4 routes in the kernel", fib_cmd::v4},
    {"show fib ipv4 json", "Moat's IPv4 kernel routes as JSON", fib_cmd::v4_json},
    {"show fib ipv6", "Moat's IPv6 routes in the kernel", fib_cmd::v6},
    {"show fib ipv6 json", "Moat's IPv6 kernel routes as JSON", fib_cmd::v6_json},
    {"show fib PREFIX", "Moat's kernel routes at or below a prefix", fib_cmd::prefix},
    {"show fib PREFIX json", "Moat's kernel routes at or below a prefix as JSON", fib_cmd::prefix_json},
    {"show memory", "Routes, attribute sets and memory in use", routes::memory},
    {"show memory json", "Routes, attribute sets and memory in use as JSON", routes::memory_json},
    {"show running-config", "The running configuration, as a config file", running_config},
    {"show version", "Moat's version", version},
    {"neighbor ADDR shutdown", "Administratively shut a neighbor down", shutdown, priv},
    {"neighbor ADDR shutdown LINE...", "Shut a neighbor down with a message (RFC 9003)", shutdown_message, priv},
    {"no neighbor ADDR shutdown", "Bring an administratively shut down neighbor back", no_shutdown, priv},
    {"clear bgp neighbor ADDR", "Reset the session with a neighbor", clear, priv},
    {"clear bgp neighbor ADDR soft", "Re-run import policy and resend the routes, session kept", routes::soft, priv},
    {"clear bgp neighbor ADDR soft in", "Re-run import policy over the received routes", routes::soft_in, priv},
    {"clear bgp neighbor ADDR soft out", "Resend the routes to the neighbor", routes::soft_out, priv},
    {"write", "Save the running configuration to the config file", write, priv},
    {"write memory", "Save the running configuration to the config file", write, priv},
    {"reload", "Re-read the config file and apply the changes", reload, priv},
    {"enable", "Turn on privileged commands", session_only, session},
    {"disable", "Turn off privileged commands", session_only, session},
    {"configure terminal", "Enter configuration mode", session_only, session},
    {"exit", "Leave the shell", session_only, session},
    {"quit", "Leave the shell", session_only, session},
};

}  // namespace

namespace detail {
const std::vector<Syntax>& exec_syntax() {
    static const std::vector<Syntax> v = [] {
        std::vector<Syntax> s;
        for (const Entry& e : entries) s.push_back(Syntax::parse(e.pattern, e.help));
        return s;
    }();
    return v;
}
}  // namespace detail

ExecResult execute(bgp::Control& control, std::string_view line, Time now) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return text("");  // an empty line does nothing
    auto r = match(detail::exec_syntax(), line);
    if (r.index() == 1) return ExecResult{false, std::get<1>(r).to_string(), nullptr};
    return run_exec(control, std::get<0>(r), now);
}

ExecResult run_exec(bgp::Control& control, const Match& m, Time now) {
    return entries[m.index].handler(control, m.args, now);
}

const ExecCommand& exec_command(size_t index) {
    static const std::vector<ExecCommand> v = [] {
        std::vector<ExecCommand> r;
        for (const Entry& e : entries) r.push_back(ExecCommand{e.kind, e.pattern});
        return r;
    }();
    return v.at(index);
}

std::string reload_config(bgp::Control& control) {
    std::string path = control.config_path();
    if (path.empty()) return "No configuration file to reload (moatd runs without -f)";
    auto loaded = load_config_file(path);
    if (auto* e = std::get_if<ConfigError>(&loaded)) return e->to_string() + " (nothing changed)";
    return control.apply_config(std::get<bgp::Config>(loaded));
}

std::string write_config(bgp::Control& control) {
    std::string path = control.config_path();
    if (path.empty()) return "No configuration file to write (moatd runs without -f)";
    return write_file_atomic(path, render_config(control.running_config()));
}

std::string write_file_atomic(const std::string& path, const std::string& text) {
    auto sys_error = [](const std::string& what) { return what + ": " + std::strerror(errno); };
    std::string dir = ".";
    if (auto slash = path.rfind('/'); slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
    struct stat old {};
    bool existed = ::stat(path.c_str(), &old) == 0;
    std::string tmp = path + ".XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) return sys_error("cannot create a temporary file in " + dir);
    auto fail_with = [&](std::string e) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return e;
    };
    if (existed) {
        if (::fchmod(fd, old.st_mode & 07777) != 0) return fail_with(sys_error("cannot set the mode of " + tmp));
        // Keeping the owner needs privileges; as the owner it is a no-op.
        if ((old.st_uid != ::geteuid() || old.st_gid != ::getegid()) && ::fchown(fd, old.st_uid, old.st_gid) != 0)
            return fail_with(sys_error("cannot keep the owner of " + path));
    } else if (::fchmod(fd, 0644) != 0) {
        return fail_with(sys_error("cannot set the mode of " + tmp));
    }
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_with(sys_error("cannot write " + tmp));
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return fail_with(sys_error("cannot sync " + tmp));
    if (::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return sys_error("cannot close " + tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string e = sys_error("cannot rename " + tmp + " to " + path);
        ::unlink(tmp.c_str());
        return e;
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);  // the rename itself reaches the disk
        ::close(dfd);
    }
    return {};
}

}  // namespace moat::cli
