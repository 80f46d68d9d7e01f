// The top node's own commands: hostname, the control socket and its group,
// and `router bgp ASN`, which enters the router bgp node (one BGP instance:
// entering it again must name the same AS). Their `no` forms are
// configuration mode's: back to the default, or the whole BGP block removed.
#include "cli/config_table.hpp"
#include "cli/unix_group.hpp"

#include <sys/un.h>

#include <algorithm>

namespace moat::cli::config {

namespace {

Outcome cmd_hostname(Loader& l, const Args& a, const std::vector<Word>&) {
    const std::string& name = a[0].text;
    bool ok = !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_';
    });
    if (!ok) return LineError{a[0].column, "Invalid hostname (letters, digits, '-', '.', '_'; at most 253)"};
    l.cfg.hostname = name;
    return {};
}

Outcome no_hostname(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.hostname = bgp::Config{}.hostname;
    return {};
}

Outcome cmd_control_socket(Loader& l, const Args& a, const std::vector<Word>&) {
    const std::string& path = a[0].text;
    if (path.empty()) return LineError{a[0].column, "Empty socket path"};
    if (path.size() >= sizeof(sockaddr_un{}.sun_path))
        return LineError{a[0].column,
                         "Socket path longer than " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes"};
    l.cfg.control_socket = path;
    return {};
}

Outcome cmd_control_socket_group(Loader& l, const Args& a, const std::vector<Word>&) {
    if (!lookup_group(a[0].text)) return LineError{a[0].column, "Group '" + a[0].text + "' does not exist"};
    l.cfg.control_socket_group = a[0].text;
    return {};
}

Outcome no_control_socket_group(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.control_socket_group.clear();
    return {};
}

Outcome cmd_router_bgp(Loader& l, const Args& a, const std::vector<Word>&) {
    auto asn = static_cast<uint32_t>(a[0].number);
    if (l.cfg.bgp && l.cfg.bgp->asn != asn)
        return LineError{a[0].column, "BGP is already configured with AS " + std::to_string(l.cfg.bgp->asn)};
    if (!l.cfg.bgp) {
        l.cfg.bgp.emplace();
        l.cfg.bgp->asn = asn;
    }
    l.node = Node::router_bgp;
    return {};
}

Outcome no_router_bgp(Loader& l, const Args&, const std::vector<Word>&) {
    l.cfg.bgp.reset();
    l.neighbor_line.clear();
    return {};
}

const Command top_commands[] = {
    {"hostname WORD", "Set the router's name", cmd_hostname, "hostname", "Back to the default hostname", no_hostname},
    {"control socket WORD", "Path of the control socket", cmd_control_socket},
    {"control socket group WORD", "Group of the control socket: its members may use moatctl", cmd_control_socket_group,
     "control socket group", "The control socket keeps the daemon's group", no_control_socket_group},
    {"router bgp ASN", "Configure BGP with this router's AS number", cmd_router_bgp, "router bgp",
     "Remove the BGP configuration", no_router_bgp},
};

}  // namespace

Rows top_rows() { return {top_commands, {}, {}}; }

}  // namespace moat::cli::config
