// RPKI origin validation (RFC 6811) in the config language: the VRP sources
// at the top level (RTR caches per RFC 8210 over TCP, SSH or TLS; JSON VRP
// files), their timers, safe start and drop guard; in router bgp what a
// neighbor does with Invalid routes and the prefer-valid tie-break. None has
// a `no` form yet: the file leaves a source out.
#include "cli/config_table.hpp"
#include "rtr/vrp.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace moat::cli::config {

namespace {

// The VRP set keeps, per VRP, which source holds it: rtr::max_sources
// caches and files in all.
std::optional<LineError> room_for_source(const Loader& l, unsigned column) {
    if (l.cfg.rpki.caches.size() + l.cfg.rpki.files.size() < rtr::max_sources) return std::nullopt;
    return LineError{column, "At most " + std::to_string(rtr::max_sources) + " RPKI caches and VRP files in all"};
}

// `rpki cache HOST PORT [ssh USER KEY [HOSTKEY] | tls [ca FILE]] [preference N]`:
// args are host, port, then the transport's words, then the preference.
Outcome cache(Loader& l, const Args& a, bgp::RpkiCache::Transport t, size_t words, bool ca, bool pref) {
    bgp::RpkiCache c;
    c.transport = t;
    c.host = a[0].text;
    if (c.host.empty() || c.host.find_first_of(" \t") != std::string::npos)
        return LineError{a[0].column, "Invalid cache host '" + c.host + "'"};
    c.port = static_cast<uint16_t>(a[1].number);
    size_t i = 2;
    if (t == bgp::RpkiCache::Transport::ssh) {
        c.ssh_user = a[i++].text;
        c.ssh_key = a[i++].text;
        if (words == 3) c.ssh_host_key = a[i++].text;
        if (c.ssh_user.empty() || c.ssh_key.empty()) return LineError{a[2].column, "SSH user and key file are needed"};
    }
    if (ca) {
        c.tls_ca = a[i++].text;
        if (c.tls_ca.empty()) return LineError{a[i - 1].column, "Empty CA file name"};
    }
    if (pref) c.preference = static_cast<uint8_t>(a[i].number);
    if (auto e = room_for_source(l, a[0].column)) return *e;
    for (const auto& o : l.cfg.rpki.caches)
        if (o.host == c.host && o.port == c.port)
            return LineError{a[0].column, "Duplicate RPKI cache " + c.host + " " + std::to_string(c.port)};
    l.cfg.rpki.caches.push_back(std::move(c));
    return {};
}

using T = bgp::RpkiCache::Transport;
Outcome cmd_cache_tcp(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tcp, 0, false, false); }
Outcome cmd_cache_tcp_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tcp, 0, false, true); }
Outcome cmd_cache_ssh(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 2, false, false); }
Outcome cmd_cache_ssh_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 2, false, true); }
Outcome cmd_cache_ssh_hk(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 3, false, false); }
Outcome cmd_cache_ssh_hk_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::ssh, 3, false, true); }
Outcome cmd_cache_tls(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, false, false); }
Outcome cmd_cache_tls_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, false, true); }
Outcome cmd_cache_tls_ca(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, true, false); }
Outcome cmd_cache_tls_ca_p(Loader& l, const Args& a, const std::vector<Word>&) { return cache(l, a, T::tls, 0, true, true); }

Outcome cmd_rpki_file(Loader& l, const Args& a, const std::vector<Word>&) {
    if (a[0].text.empty()) return LineError{a[0].column, "Empty VRP file name"};
    if (auto e = room_for_source(l, a[0].column)) return *e;
    auto& v = l.cfg.rpki.files;
    if (std::find(v.begin(), v.end(), a[0].text) != v.end())
        return LineError{a[0].column, "Duplicate VRP file " + a[0].text};
    v.push_back(a[0].text);
    return {};
}

Outcome cmd_rpki_timers(Loader& l, const Args& a, const std::vector<Word>&) {
    // rtrlib's ranges are in the pattern; RFC 8210 6 also wants
    // expire > refresh and expire > retry.
    if (a[2].number <= a[0].number || a[2].number <= a[1].number)
        return LineError{a[2].column, "Expire interval must be longer than the refresh and retry intervals"};
    l.cfg.rpki.refresh = static_cast<unsigned>(a[0].number);
    l.cfg.rpki.retry = static_cast<unsigned>(a[1].number);
    l.cfg.rpki.expire = static_cast<unsigned>(a[2].number);
    return {};
}

Outcome cmd_rpki_safe_start(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.rpki.safe_start_timeout = static_cast<unsigned>(a[0].number);
    return {};
}

Outcome cmd_rpki_drop_guard(Loader& l, const Args& a, const std::vector<Word>&) {
    l.cfg.rpki.drop_guard = static_cast<unsigned>(a[0].number);
    return {};
}

using N = bgp::NeighborConfig;

const Command top_commands[] = {
    {"rpki cache WORD <1-65535>", "RPKI cache over TCP (RTR, RFC 8210)", cmd_cache_tcp},
    {"rpki cache WORD <1-65535> preference <1-255>", "RPKI cache over TCP; lower preference is preferred",
     cmd_cache_tcp_p},
    {"rpki cache WORD <1-65535> ssh WORD WORD", "RPKI cache over SSH: user, private key file", cmd_cache_ssh},
    {"rpki cache WORD <1-65535> ssh WORD WORD preference <1-255>", "RPKI cache over SSH with a preference",
     cmd_cache_ssh_p},
    {"rpki cache WORD <1-65535> ssh WORD WORD WORD", "RPKI cache over SSH: user, key, known host key file",
     cmd_cache_ssh_hk},
    {"rpki cache WORD <1-65535> ssh WORD WORD WORD preference <1-255>",
     "RPKI cache over SSH with a host key and a preference", cmd_cache_ssh_hk_p},
    {"rpki cache WORD <1-65535> tls", "RPKI cache over TLS, checked against the system CA store", cmd_cache_tls},
    {"rpki cache WORD <1-65535> tls preference <1-255>", "RPKI cache over TLS with a preference", cmd_cache_tls_p},
    {"rpki cache WORD <1-65535> tls ca WORD", "RPKI cache over TLS, checked against this CA file", cmd_cache_tls_ca},
    {"rpki cache WORD <1-65535> tls ca WORD preference <1-255>", "RPKI cache over TLS with a CA file and a preference",
     cmd_cache_tls_ca_p},
    {"rpki file WORD", "Read VRPs from a JSON file (rpki-client, Routinator, StayRTR), reloaded on change",
     cmd_rpki_file},
    {"rpki timers refresh <1-86400> retry <1-7200> expire <600-172800>",
     "RTR intervals in seconds (the cache's own values are then ignored)", cmd_rpki_timers},
    {"rpki safe-start timeout <0-3600>", "Seconds eBGP routes are held until the first complete VRP set",
     cmd_rpki_safe_start},
    {"rpki drop-guard <1-99>", "Keep the old VRP set when a new complete one is smaller by more than this percent",
     cmd_rpki_drop_guard},
};

const Command bgp_commands[] = {
    {"neighbor ADDR rpki invalid reject", "Reject RPKI Invalid routes from the neighbor (eBGP default)",
     cmd_neighbor_flag<&N::rpki_reject_invalid, true>},
    {"neighbor ADDR rpki invalid accept", "Accept RPKI Invalid routes from the neighbor, marked (iBGP default)",
     cmd_neighbor_flag<&N::rpki_reject_invalid, false>},
    {"neighbor ADDR rpki validation off", "No origin validation for the neighbor's routes",
     cmd_neighbor_flag<&N::rpki_validation, false>},
    {"bgp rpki prefer-valid", "LOCAL_PREF +10 for RPKI Valid routes, 0 for accepted Invalid ones",
     bgp_flag<&bgp::BgpConfig::rpki_prefer_valid, true>},
};

}  // namespace

Rows rpki_rows() { return {top_commands, bgp_commands, {}}; }

}  // namespace moat::cli::config
