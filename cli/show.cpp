// Renderers of `show bgp summary`, `show bgp neighbors` and `show version`
// (see show.hpp). Text mimics the usual router CLIs; JSON field names are
// stable and listed in docs/cli.md.
#include "cli/show.hpp"

#include "cli/grammar.hpp"
#include "cli/json.hpp"

#include <fmt/format.h>

#include <ctime>

#ifndef MOAT_VERSION
#define MOAT_VERSION "unknown"
#endif

namespace moat::cli {

namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::string router_id_text(const bgp::Config& c) {
    if (!c.bgp || !c.bgp->router_id) return "";
    uint32_t id = *c.bgp->router_id;
    return fmt::format("{}.{}.{}.{}", id >> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff);
}

std::string id_text(uint32_t id) {
    return fmt::format("{}.{}.{}.{}", id >> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff);
}

std::string iso_time(Clock::time_point t) {
    std::time_t tt = Clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int64_t seconds_since(Clock::time_point since, Clock::time_point now) {
    auto s = duration_cast<seconds>(now - since).count();
    return s < 0 ? 0 : s;
}

bool never(Clock::time_point t) { return t == Clock::time_point{}; }

std::string afi_safi_name(wire::AfiSafi f) {
    std::string afi = f.afi == wire::Afi::ipv4   ? "ipv4"
                      : f.afi == wire::Afi::ipv6 ? "ipv6"
                                                 : "afi" + std::to_string(static_cast<unsigned>(f.afi));
    std::string safi = f.safi == wire::Safi::unicast ? "unicast" : "safi" + std::to_string(static_cast<unsigned>(f.safi));
    return afi + "-" + safi;
}

// The capabilities of one OPEN as stable names (documented in docs/cli.md).
std::vector<std::string> capability_names(const wire::Capabilities& c) {
    std::vector<std::string> v;
    for (const auto& f : c.multiprotocol) v.push_back("multiprotocol:" + afi_safi_name(f));
    if (c.route_refresh) v.push_back("route-refresh");
    if (c.enhanced_route_refresh) v.push_back("enhanced-route-refresh");
    if (c.extended_message) v.push_back("extended-message");
    if (c.four_octet_as) v.push_back("four-octet-as");
    if (c.graceful_restart) v.push_back("graceful-restart");
    for (const auto& ap : c.add_path) v.push_back("add-path:" + afi_safi_name(ap.afi_safi));
    if (c.role) v.push_back("role");
    for (const auto& u : c.unknown) v.push_back("unknown:" + std::to_string(u.code));
    return v;
}

std::vector<std::string> negotiated_names(const bgp::PeerView& p) {
    std::vector<std::string> v;
    if (p.state != bgp::State::established && p.state != bgp::State::open_confirm) return v;
    if (p.ipv4_unicast) v.push_back("multiprotocol:ipv4-unicast");
    if (p.ipv6_unicast) v.push_back("multiprotocol:ipv6-unicast");
    if (p.route_refresh) v.push_back("route-refresh");
    if (p.enhanced_route_refresh) v.push_back("enhanced-route-refresh");
    if (p.extended_message) v.push_back("extended-message");
    if (p.four_octet_as) v.push_back("four-octet-as");
    // RFC 9234: both sides announced a role and the pair was accepted.
    if (p.sent_caps && p.sent_caps->role && p.received_caps && p.received_caps->role) v.push_back("role");
    return v;
}

// "customer", "customer strict" or "none": our configured role.
std::string local_role_text(const bgp::NeighborConfig& n) {
    if (!n.local_role) return "none";
    return std::string(wire::to_string(*n.local_role)) + (n.role_strict ? " strict" : "");
}

// The role the neighbor announced in its last OPEN, or "none".
std::optional<wire::Role> remote_role(const bgp::PeerView& p) {
    if (!p.received_caps) return std::nullopt;
    return p.received_caps->role;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
        if (x == s) return true;
    return false;
}

uint32_t local_as(const bgp::Config& c) { return c.bgp ? c.bgp->asn : 0; }

std::string state_column(const bgp::PeerView& p) {
    std::string s = state_name(p.state);
    if (p.config.shutdown) s += " (Admin)";
    else if (p.prefix_limit_down) s += " (PfxCt)";
    return s;
}

// Maximum-prefix usage "n/limit" of each family with a limit; empty without.
std::string limit_column(const bgp::PeerView& p) {
    std::string s;
    if (p.config.max_prefix_v4) s = fmt::format("{}/{}", p.limit_count_v4, p.config.max_prefix_v4->limit);
    if (p.config.max_prefix_v6)
        s += fmt::format("{}{}/{}", s.empty() ? "" : ",", p.limit_count_v6, p.config.max_prefix_v6->limit);
    return s;
}

void json_rejected(JsonWriter& j, const bgp::PeerView& p) {
    j.field("prefixes_rejected_ipv4", p.prefixes_received_v4 - p.prefixes_accepted_v4);
    j.field("prefixes_rejected_ipv6", p.prefixes_received_v6 - p.prefixes_accepted_v6);
    j.key("rejected_by_reason").begin_object();
    for (const auto& [reason, counts] : p.rejected_by_reason) {
        j.key(reason).begin_object();
        j.field("ipv4", counts.first).field("ipv6", counts.second);
        j.end_object();
    }
    j.end_object();
}

void json_max_prefix(JsonWriter& j, const bgp::PeerView& p, Clock::time_point) {
    j.key("maximum_prefix").begin_object();
    for (int i = 0; i < 2; ++i) {
        const auto& m = i == 0 ? p.config.max_prefix_v4 : p.config.max_prefix_v6;
        j.key(i == 0 ? "ipv4" : "ipv6");
        if (!m) {
            j.null();
            continue;
        }
        j.begin_object();
        j.field("limit", m->limit).field("count", i == 0 ? p.limit_count_v4 : p.limit_count_v6);
        j.field("threshold_percent", static_cast<uint32_t>(m->threshold));
        j.field("counts", m->count_received ? "received" : "accepted");
        j.field("action", m->warning_only ? "warning-only" : m->restart_minutes ? "restart" : "stop");
        j.key("restart_minutes");
        if (m->restart_minutes)
            j.value(static_cast<uint32_t>(*m->restart_minutes));
        else
            j.null();
        j.end_object();
    }
    j.field("held_down", p.prefix_limit_down);
    j.key("restart_in_seconds");
    if (p.prefix_limit_restart_at) {
        auto left = duration_cast<seconds>(*p.prefix_limit_restart_at - std::chrono::steady_clock::now()).count();
        j.value(static_cast<int64_t>(left < 0 ? 0 : left));
    } else {
        j.null();
    }
    j.end_object();
}

void json_strings(JsonWriter& j, std::string_view key, const std::vector<std::string>& v) {
    j.key(key).begin_array();
    for (const auto& s : v) j.value(s);
    j.end_array();
}

void json_counters(JsonWriter& j, std::string_view key, const bgp::MessageCounters& m) {
    j.key(key).begin_object();
    j.field("open", m.open).field("update", m.update).field("notification", m.notification);
    j.field("keepalive", m.keepalive).field("route_refresh", m.route_refresh).field("total", m.total());
    j.end_object();
}

void json_notification(JsonWriter& j, std::string_view key, const std::optional<bgp::NotificationRecord>& n) {
    j.key(key);
    if (!n) {
        j.null();
        return;
    }
    j.begin_object();
    j.field("code", static_cast<uint32_t>(n->message.code));
    j.field("subcode", static_cast<uint32_t>(n->message.subcode));
    j.field("description", n->message.describe());
    j.key("shutdown_message");
    if (auto m = n->message.shutdown_message())
        j.value(*m);
    else
        j.null();
    j.field("time", iso_time(n->when));
    j.end_object();
}

void text_notification(std::string& out, const char* what, const std::optional<bgp::NotificationRecord>& n) {
    if (!n) return;
    out += fmt::format("  Last notification {}: {} at {}\n", what, n->message.describe(), iso_time(n->when));
    if (auto m = n->message.shutdown_message()) out += fmt::format("    Shutdown message: \"{}\"\n", *m);
}

}  // namespace

// "state_since" and "uptime_seconds" of a neighbor; null when the state never changed.
void json_state_times(JsonWriter& j, const bgp::PeerView& p, Clock::time_point now) {
    j.key("state_since");
    if (never(p.state_since))
        j.null();
    else
        j.value(iso_time(p.state_since));
    j.key("uptime_seconds");
    if (never(p.state_since))
        j.null();
    else
        j.value(seconds_since(p.state_since, now));
}

std::string state_name(bgp::State s) {
    switch (s) {
    case bgp::State::idle: return "Idle";
    case bgp::State::connect: return "Connect";
    case bgp::State::active: return "Active";
    case bgp::State::open_sent: return "OpenSent";
    case bgp::State::open_confirm: return "OpenConfirm";
    case bgp::State::established: return "Established";
    }
    return "Unknown";
}

std::string state_json_name(bgp::State s) {
    switch (s) {
    case bgp::State::idle: return "idle";
    case bgp::State::connect: return "connect";
    case bgp::State::active: return "active";
    case bgp::State::open_sent: return "open_sent";
    case bgp::State::open_confirm: return "open_confirm";
    case bgp::State::established: return "established";
    }
    return "unknown";
}

std::string format_uptime(Clock::time_point since, Clock::time_point now) {
    if (never(since)) return "never";
    int64_t s = seconds_since(since, now);
    int64_t m = s / 60, h = m / 60, d = h / 24, w = d / 7;
    if (d == 0) return fmt::format("{:02}:{:02}:{:02}", h, m % 60, s % 60);
    if (w == 0) return fmt::format("{}d{:02}h{:02}m", d, h % 24, m % 60);
    return fmt::format("{:02}w{}d{:02}h", w, d % 7, h % 24);
}

std::string show_summary_text(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now,
                              const fib::FibCounters* fib) {
    if (!c.bgp) return "BGP is not configured\n";
    std::string out;
    std::string rid = router_id_text(c);
    out += fmt::format("BGP router identifier {}, local AS number {}\n", rid.empty() ? "(automatic)" : rid,
                       c.bgp->asn);
    size_t established = 0;
    size_t width = 15;
    for (const auto& p : peers) {
        if (p.state == bgp::State::established) ++established;
        width = std::max(width, format_address(p.config.address).size());
    }
    out += fmt::format("Neighbors: {} configured, {} established\n", peers.size(), established);
    if (fib && fib->enabled)
        out += fmt::format("FIB: {}, {} IPv4 and {} IPv6 routes in the kernel, {} queued, {} refused (show fib)\n",
                           fib->state, fib->routes_v4, fib->routes_v6, fib->queued + fib->in_flight, fib->refused);
    out += "\n";
    auto row = [&](std::string_view a, std::string_view as, std::string_view rcvd, std::string_view sent,
                   std::string_view up, std::string_view st, std::string_view pfx6, std::string_view rej,
                   std::string_view rej6, std::string_view limit, std::string_view desc) {
        std::string r = fmt::format("{:<{}} {:>10} {:>9} {:>9} {:>9} {:>14} {:>8} {:>6} {:>7} {:>9}  {}", a, width, as,
                                    rcvd, sent, up, st, pfx6, rej, rej6, limit, desc);
        while (!r.empty() && r.back() == ' ') r.pop_back();
        out += r + "\n";
    };
    row("Neighbor", "AS", "MsgRcvd", "MsgSent", "Up/Down", "State/PfxRcd", "PfxRcd6", "PfxRej", "PfxRej6",
        "MaxPfx", "Description");
    for (const auto& p : peers) {
        bool up = p.state == bgp::State::established;
        row(format_address(p.config.address), std::to_string(p.config.remote_as), std::to_string(p.received.total()),
            std::to_string(p.sent.total()), format_uptime(p.state_since, now),
            up ? std::to_string(p.prefixes_received_v4) : state_column(p),
            up ? std::to_string(p.prefixes_received_v6) : "",
            up ? std::to_string(p.prefixes_received_v4 - p.prefixes_accepted_v4) : "",
            up ? std::to_string(p.prefixes_received_v6 - p.prefixes_accepted_v6) : "", limit_column(p),
            p.config.description);
    }
    return out;
}

std::string show_summary_json(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now,
                              const fib::FibCounters* fib) {
    JsonWriter j;
    j.begin_object();
    std::string rid = router_id_text(c);
    j.key("router_id");
    if (rid.empty())
        j.null();
    else
        j.value(rid);
    j.key("local_as");
    if (c.bgp)
        j.value(c.bgp->asn);
    else
        j.null();
    j.key("neighbors").begin_array();
    for (const auto& p : peers) {
        j.begin_object();
        j.field("address", format_address(p.config.address));
        j.field("remote_as", p.config.remote_as);
        j.field("description", p.config.description);
        j.field("state", state_json_name(p.state));
        j.field("admin_shutdown", p.config.shutdown);
        json_state_times(j, p, now);
        j.field("messages_received", p.received.total());
        j.field("messages_sent", p.sent.total());
        j.field("prefixes_received_ipv4", p.prefixes_received_v4);
        j.field("prefixes_received_ipv6", p.prefixes_received_v6);
        j.field("prefixes_accepted_ipv4", p.prefixes_accepted_v4);
        j.field("prefixes_accepted_ipv6", p.prefixes_accepted_v6);
        j.field("prefixes_advertised_ipv4", p.prefixes_advertised_v4);
        j.field("prefixes_advertised_ipv6", p.prefixes_advertised_v6);
        json_rejected(j, p);
        json_max_prefix(j, p, now);
        j.end_object();
    }
    j.end_array();
    if (fib && fib->enabled) {
        j.key("fib").begin_object();
        j.field("state", fib->state);
        j.field("routes_ipv4", uint64_t{fib->routes_v4}).field("routes_ipv6", uint64_t{fib->routes_v6});
        j.field("queued", uint64_t{fib->queued + fib->in_flight}).field("refused", fib->refused);
        j.end_object();
    }
    j.end_object();
    return j.str() + "\n";
}

std::string show_neighbors_text(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now) {
    std::string out;
    for (const auto& p : peers) {
        const auto& n = p.config;
        if (!out.empty()) out += "\n";
        out += fmt::format("BGP neighbor is {}, remote AS {}, local AS {}, {} link\n", format_address(n.address),
                           n.remote_as, local_as(c), n.remote_as == local_as(c) ? "internal" : "external");
        if (!n.description.empty()) out += fmt::format("  Description: {}\n", n.description);
        out += fmt::format("  BGP state = {}, {} {}\n", state_name(p.state),
                           p.state == bgp::State::established ? "up for" : "down for",
                           format_uptime(p.state_since, now));
        if (n.shutdown)
            out += "  Administratively shut down" +
                   (n.shutdown_message.empty() ? std::string() : fmt::format(": \"{}\"", n.shutdown_message)) + "\n";
        out += fmt::format("  Remote router ID {}, established {} time(s)\n", id_text(p.remote_router_id),
                           p.established_transitions);
        out += fmt::format("  Local address {}, remote address {} port {}\n",
                           p.local_address ? format_address(*p.local_address) : "(none)", format_address(n.address),
                           n.port);
        if (p.state == bgp::State::established || p.state == bgp::State::open_confirm)
            out += fmt::format("  Hold time {}, keepalive {} seconds (configured hold {}, keepalive {})\n",
                               p.hold_time, p.keepalive_time, n.hold_time, n.keepalive_time);
        else
            out += fmt::format("  Configured hold time {}, keepalive {} seconds\n", n.hold_time, n.keepalive_time);
        if (n.local_role || remote_role(p)) {
            auto r = remote_role(p);
            out += fmt::format("  Local role {}, remote role {}\n", local_role_text(n),
                               r ? std::string(wire::to_string(*r)) : std::string("none"));
        }
        if (p.idle_hold_until) {
            auto left = duration_cast<seconds>(*p.idle_hold_until - std::chrono::steady_clock::now()).count();
            if (left > 0) out += fmt::format("  Next connection attempt in {} seconds\n", left);
        }
        std::vector<std::string> sent = p.sent_caps ? capability_names(*p.sent_caps) : std::vector<std::string>{};
        std::vector<std::string> rcvd =
            p.received_caps ? capability_names(*p.received_caps) : std::vector<std::string>{};
        std::vector<std::string> neg = negotiated_names(p);
        std::vector<std::string> all = sent;
        for (const auto& r : rcvd)
            if (!contains(all, r)) all.push_back(r);
        if (!all.empty()) {
            out += fmt::format("  {:<32}{:>5}{:>10}{:>12}\n", "Capabilities:", "Sent", "Received", "Negotiated");
            for (const auto& cap : all) {
                std::string row = fmt::format("    {:<30}{:>5}{:>10}{:>12}", cap, contains(sent, cap) ? "yes" : "",
                                              contains(rcvd, cap) ? "yes" : "", contains(neg, cap) ? "yes" : "");
                while (row.back() == ' ') row.pop_back();
                out += row + "\n";
            }
        }
        out += "  Message statistics:\n";
        out += fmt::format("    {:<18}{:>12}{:>12}\n", "", "Sent", "Received");
        auto stat = [&](const char* name, uint64_t s, uint64_t r) {
            out += fmt::format("    {:<18}{:>12}{:>12}\n", name, s, r);
        };
        stat("Opens:", p.sent.open, p.received.open);
        stat("Updates:", p.sent.update, p.received.update);
        stat("Notifications:", p.sent.notification, p.received.notification);
        stat("Keepalives:", p.sent.keepalive, p.received.keepalive);
        stat("Route refresh:", p.sent.route_refresh, p.received.route_refresh);
        stat("Total:", p.sent.total(), p.received.total());
        out += fmt::format("  Prefixes received: {} IPv4, {} IPv6; advertised: {} IPv4, {} IPv6\n",
                           p.prefixes_received_v4, p.prefixes_received_v6, p.prefixes_advertised_v4,
                           p.prefixes_advertised_v6);
        out += fmt::format("  Prefixes accepted: {} IPv4, {} IPv6\n", p.prefixes_accepted_v4, p.prefixes_accepted_v6);
        if (p.prefixes_unsendable > 0)
            out += fmt::format("  Prefixes not sent: {} (attributes too large for a message; withdrawn instead)\n",
                               p.prefixes_unsendable);
        if (!p.rejected_by_reason.empty()) {
            out += fmt::format("  Prefixes rejected: {} IPv4, {} IPv6\n", p.prefixes_received_v4 - p.prefixes_accepted_v4,
                               p.prefixes_received_v6 - p.prefixes_accepted_v6);
            for (const auto& [reason, counts] : p.rejected_by_reason)
                out += fmt::format("    {:<18}{:>8} IPv4 {:>8} IPv6\n", reason + ":", counts.first, counts.second);
        }
        for (int i = 0; i < 2; ++i) {
            const auto& m = i == 0 ? n.max_prefix_v4 : n.max_prefix_v6;
            if (!m) continue;
            out += fmt::format("  Maximum prefixes {}: {} of {} {} (warn at {}%), {}\n", i == 0 ? "IPv4" : "IPv6",
                               i == 0 ? p.limit_count_v4 : p.limit_count_v6, m->limit,
                               m->count_received ? "received" : "accepted", m->threshold,
                               m->warning_only      ? "warning only"
                               : m->restart_minutes ? fmt::format("restart after {} minute(s)", *m->restart_minutes)
                                                    : std::string("stays down until cleared"));
        }
        if (p.prefix_limit_down) {
            if (p.prefix_limit_restart_at) {
                auto left = duration_cast<seconds>(*p.prefix_limit_restart_at - std::chrono::steady_clock::now()).count();
                out += fmt::format("  Held down by maximum-prefix: restart in {} seconds\n", left < 0 ? 0 : left);
            } else {
                out += "  Held down by maximum-prefix until 'clear bgp neighbor'\n";
            }
        }
        if (!p.last_error.empty()) out += fmt::format("  Last error: {}\n", p.last_error);
        text_notification(out, "sent", p.last_notification_sent);
        text_notification(out, "received", p.last_notification_received);
    }
    if (out.empty()) out = "No neighbors configured\n";
    return out;
}

std::string show_neighbors_json(const bgp::Config& c, const std::vector<bgp::PeerView>& peers, Clock::time_point now) {
    JsonWriter j;
    j.begin_object();
    j.key("neighbors").begin_array();
    for (const auto& p : peers) {
        const auto& n = p.config;
        j.begin_object();
        j.field("address", format_address(n.address));
        j.field("remote_as", n.remote_as);
        j.field("local_as", local_as(c));
        j.field("description", n.description);
        j.field("state", state_json_name(p.state));
        j.field("admin_shutdown", n.shutdown);
        j.field("admin_shutdown_message", n.shutdown_message);
        json_state_times(j, p, now);
        j.field("established_transitions", p.established_transitions);
        j.key("local_address");
        if (p.local_address)
            j.value(format_address(*p.local_address));
        else
            j.null();
        j.field("remote_port", static_cast<uint32_t>(n.port));
        j.field("remote_router_id", id_text(p.remote_router_id));
        j.field("hold_time", static_cast<uint32_t>(p.hold_time));
        j.field("keepalive_time", static_cast<uint32_t>(p.keepalive_time));
        j.field("configured_hold_time", static_cast<uint32_t>(n.hold_time));
        j.field("configured_keepalive_time", static_cast<uint32_t>(n.keepalive_time));
        j.key("local_role");
        if (n.local_role)
            j.value(std::string(wire::to_string(*n.local_role)));
        else
            j.null();
        j.field("role_strict", n.role_strict);
        j.key("remote_role");
        if (auto r = remote_role(p))
            j.value(std::string(wire::to_string(*r)));
        else
            j.null();
        j.key("capabilities").begin_object();
        json_strings(j, "sent", p.sent_caps ? capability_names(*p.sent_caps) : std::vector<std::string>{});
        json_strings(j, "received", p.received_caps ? capability_names(*p.received_caps) : std::vector<std::string>{});
        json_strings(j, "negotiated", negotiated_names(p));
        j.end_object();
        j.key("messages").begin_object();
        json_counters(j, "sent", p.sent);
        json_counters(j, "received", p.received);
        j.end_object();
        j.key("prefixes").begin_object();
        j.field("received_ipv4", p.prefixes_received_v4).field("received_ipv6", p.prefixes_received_v6);
        j.field("advertised_ipv4", p.prefixes_advertised_v4).field("advertised_ipv6", p.prefixes_advertised_v6);
        j.field("accepted_ipv4", p.prefixes_accepted_v4).field("accepted_ipv6", p.prefixes_accepted_v6);
        j.field("unsendable", p.prefixes_unsendable);
        j.end_object();
        json_rejected(j, p);
        json_max_prefix(j, p, now);
        j.field("last_error", p.last_error);
        json_notification(j, "last_notification_sent", p.last_notification_sent);
        json_notification(j, "last_notification_received", p.last_notification_received);
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str() + "\n";
}

std::string show_version_text() { return std::string("Moat ") + MOAT_VERSION + "\n"; }

}  // namespace moat::cli
