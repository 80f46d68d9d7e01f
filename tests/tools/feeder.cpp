// moat-feeder: announces a synthetic full table to a BGP speaker, fast.
//
// The table is generated and encoded before connecting, so once the session
// is Established (and, with --wait-start, SIGUSR2 has come) the feeder only
// writes prepared bytes in large chunks: it is never the bottleneck of a
// measurement. Then End-of-RIB, and on SIGUSR1 (or
// --withdraw-after seconds after End-of-RIB) it withdraws every prefix. It
// stays Established until SIGTERM/SIGINT (or --linger seconds after the
// withdrawals), then sends a Cease. Events are JSON lines on stdout with
// CLOCK_MONOTONIC timestamps (mono_ms), comparable across processes.
//
// With --routes FILE it announces the routes of the file instead of a
// synthetic table: one route a line, "PREFIX ASN...", the ASNs being the
// whole AS_PATH as sent (the feeder's own AS first); '#' starts a comment.
// The leak replay (scripts/lab --leak) plays its peers this way.
#include "tests/tools/benchpeer.hpp"
#include "tests/tools/tablegen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>
#include <atomic>
#include <cerrno>
#include <optional>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <unistd.h>

using namespace moat;
using namespace moat::bench;

namespace {

std::atomic<bool> g_withdraw{false};
std::atomic<bool> g_go{false};
std::atomic<bool> g_stop{false};

// --routes FILE: "PREFIX ASN..." lines, grouped by AS_PATH into `t`.
bool load_routes(const std::string& path, const TableParams& p, Table& t, std::string& error) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) {
        error = std::strerror(errno);
        return false;
    }
    std::map<std::pair<bool, std::vector<uint32_t>>, size_t> groups;
    char buf[4096];
    unsigned line = 0;
    while (std::fgets(buf, sizeof buf, f)) {
        ++line;
        std::string l(buf);
        if (auto hash = l.find('#'); hash != std::string::npos) l.resize(hash);
        std::vector<std::string> words;
        size_t i = 0;
        while (i < l.size()) {
            size_t j = l.find_first_of(" \t\r\n", i);
            if (j == std::string::npos) j = l.size();
            if (j > i) words.push_back(l.substr(i, j - i));
            i = j + 1;
        }
        if (words.empty()) continue;
        auto prefix = wire::Prefix::parse(words[0]);
        std::vector<uint32_t> asns;
        for (size_t w = 1; w < words.size(); ++w) asns.push_back(static_cast<uint32_t>(std::strtoul(words[w].c_str(), nullptr, 10)));
        if (!prefix || asns.empty() || std::find(asns.begin(), asns.end(), 0u) != asns.end()) {
            error = "line " + std::to_string(line) + ": expected PREFIX ASN...";
            std::fclose(f);
            return false;
        }
        auto key = std::make_pair(prefix->v6, asns);
        auto it = groups.find(key);
        auto& list = prefix->v6 ? t.v6 : t.v4;
        if (it == groups.end()) {
            RouteGroup g;
            g.attrs.origin = wire::Origin::igp;
            g.attrs.as_path = wire::AsPath{{wire::AsSegment{wire::SegmentType::as_sequence, asns}}};
            if (!prefix->v6) g.attrs.next_hop = p.next_hop_v4;
            list.push_back(std::move(g));
            it = groups.emplace(key, list.size() - 1).first;
        }
        list[it->second].prefixes.push_back(*prefix);
    }
    std::fclose(f);
    t.next_hop_v6 = p.next_hop_v6;
    return true;
}

void on_signal(int sig) {
    if (sig == SIGUSR1) g_withdraw = true;
    else if (sig == SIGUSR2) g_go = true;
    else g_stop = true;
}

void usage() {
    std::fputs(
        "usage: moat-feeder --connect HOST[:PORT] [--bind ADDR] --as ASN --router-id A.B.C.D\n"
        "                   [--v4 N] [--v6 N] [--seed S] [--feeder-id K] [--overlap]\n"
        "                   [--next-hop A.B.C.D] [--next-hop6 X:Y::Z] [--hold SECONDS]\n"
        "                   [--withdraw-after SECONDS] [--linger SECONDS] [--connect-timeout SECONDS]\n"
        "                   [--wait-start] [--routes FILE]\n"
        "       moat-feeder --stats [--v4 N] [--v6 N] [--seed S] [--feeder-id K] [--overlap]\n"
        "Announces N IPv4 and N IPv6 synthetic prefixes (with --wait-start: once SIGUSR2\n"
        "arrives), then End-of-RIB; withdraws them all\n"
        "on SIGUSR1 or --withdraw-after; sends a Cease on SIGTERM or after --linger.\n",
        stderr);
}

struct Options {
    std::optional<Endpoint> connect;
    std::string bind;
    uint32_t asn = 0;
    uint32_t router_id = 0;
    TableParams table;
    std::string next_hop, next_hop6;
    std::string routes;  // --routes FILE
    uint16_t hold = 180;
    double withdraw_after = -1;
    double linger = -1;
    double connect_timeout = 60;
    bool stats = false;
    bool wait_start = false;
};

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        const char* v = nullptr;
        if (a == "--overlap") { o.table.overlap = true; continue; }
        if (a == "--stats") { o.stats = true; continue; }
        if (a == "--wait-start") { o.wait_start = true; continue; }
        if (a == "-h" || a == "--help") return std::nullopt;
        if (!(v = value())) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); return std::nullopt; }
        bool good = true;
        if (a == "--connect") good = (o.connect = parse_endpoint(v)).has_value();
        else if (a == "--bind") o.bind = v;
        else if (a == "--as") good = set_number(v, 1, 0xffffffff, o.asn);
        else if (a == "--router-id") good = (o.router_id = parse_ipv4(v).value_or(0)) != 0;
        else if (a == "--v4") good = set_number(v, 0, 50'000'000, o.table.v4);
        else if (a == "--v6") good = set_number(v, 0, 50'000'000, o.table.v6);
        else if (a == "--seed") good = set_number(v, 0, UINT64_MAX, o.table.seed);
        else if (a == "--feeder-id") good = set_number(v, 0, 999, o.table.feeder_id);
        else if (a == "--next-hop") o.next_hop = v;
        else if (a == "--routes") o.routes = v;
        else if (a == "--next-hop6") o.next_hop6 = v;
        else if (a == "--hold") good = set_number(v, 0, 65535, o.hold) && o.hold != 1 && o.hold != 2;
        else if (a == "--withdraw-after") good = set_seconds(v, o.withdraw_after);
        else if (a == "--linger") good = set_seconds(v, o.linger);
        else if (a == "--connect-timeout") good = set_seconds(v, o.connect_timeout);
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return std::nullopt;
        }
        if (!good) { std::fprintf(stderr, "bad value for %s: %s\n", a.c_str(), v); return std::nullopt; }
    }
    uint32_t k = o.table.feeder_id;
    if (o.next_hop.empty()) o.next_hop = fmt::format("198.18.1.{}", k % 250 + 1);
    if (o.next_hop6.empty()) o.next_hop6 = fmt::format("2001:2:0:1::{:x}", k + 1);
    auto nh = parse_ipv4(o.next_hop);
    auto nh6 = wire::IpAddress::parse(o.next_hop6);
    if (!nh || !nh6 || !nh6->v6) {
        std::fputs("bad --next-hop or --next-hop6\n", stderr);
        return std::nullopt;
    }
    o.table.next_hop_v4 = *nh;
    o.table.next_hop_v6 = *nh6;
    if (!o.stats && (!o.connect || !o.asn || !o.router_id)) {
        std::fputs("--connect, --as and --router-id are required\n", stderr);
        return std::nullopt;
    }
    o.table.local_as = o.asn ? o.asn : 65001;
    return o;
}

std::string histogram_json(const std::vector<size_t>& h) {
    std::string s = "{";
    for (size_t len = 0; len < h.size(); ++len) {
        if (!h[len]) continue;
        if (s.size() > 1) s += ",";
        s += fmt::format("\"{}\":{}", len, h[len]);
    }
    return s + "}";
}

size_t distinct_sets(const std::vector<RouteGroup>& groups) {
    std::vector<const wire::PathAttributes*> v;
    v.reserve(groups.size());
    for (const auto& g : groups) v.push_back(&g.attrs);
    std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return *a < *b; });
    return static_cast<size_t>(std::unique(v.begin(), v.end(), [](auto* a, auto* b) { return *a == *b; }) - v.begin());
}

// Writes a prepared stream in chunks of whole messages.
bool send_stream(Connection& conn, const Stream& s) {
    auto b = chunk_boundaries(s.bytes, 1 << 20);
    for (size_t i = 0; i + 1 < b.size(); ++i)
        if (!conn.send(s.bytes.data() + b[i], b[i + 1] - b[i])) return false;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    auto opts = parse(argc, argv);
    if (!opts) {
        usage();
        return 64;
    }
    const Options& o = *opts;
    const uint32_t k = o.table.feeder_id;

    double t0 = mono_ms();
    Table table;
    if (!o.routes.empty()) {
        std::string error;
        if (!load_routes(o.routes, o.table, table, error)) {
            std::fprintf(stderr, "%s: %s\n", o.routes.c_str(), error.c_str());
            return 2;
        }
    } else {
        table = generate_table(o.table);
    }
    wire::SessionContext ctx;
    ctx.four_octet_as = true;  // re-encoded below if the peer turns out 2-octet
    Stream announce = encode_announcements(table, ctx);
    Stream withdraw = encode_withdrawals(table);
    double gen_ms = mono_ms() - t0;
    emit(fmt::format("{{\"event\":\"generated\",\"feeder\":{},\"v4\":{},\"v6\":{},\"sets_v4\":{},\"sets_v6\":{},"
                     "\"mean_path_v4\":{:.3f},\"mean_path_v6\":{:.3f},\"updates\":{},\"bytes\":{},"
                     "\"withdraw_updates\":{},\"withdraw_bytes\":{},\"ms\":{:.1f}}}",
                     k, table.count_v4(), table.count_v6(), distinct_sets(table.v4), distinct_sets(table.v6),
                     mean_path_length(table.v4), mean_path_length(table.v6), announce.messages,
                     announce.bytes.size(), withdraw.messages, withdraw.bytes.size(), gen_ms));
    if (o.stats) {
        emit(fmt::format("{{\"event\":\"lengths\",\"v4\":{},\"v6\":{}}}",
                         histogram_json(length_histogram(table.v4, false)),
                         histogram_json(length_histogram(table.v6, true))));
        return 0;
    }

    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, nullptr);
    sigaction(SIGUSR2, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);

    std::string error;
    int fd = connect_to(*o.connect, o.bind, o.connect_timeout, error);
    if (fd < 0) {
        emit(fmt::format("{{\"event\":\"error\",\"feeder\":{},\"reason\":\"{}\"}}", k, json_escape(error)));
        return 2;
    }
    Connection conn(fd);
    wire::Open peer;
    uint16_t hold = 0;
    if (!establish(conn, SessionParams{o.asn, o.router_id, o.hold}, peer, hold, error)) {
        emit(fmt::format("{{\"event\":\"error\",\"feeder\":{},\"reason\":\"{}\"}}", k, json_escape(error)));
        return 2;
    }
    double established = mono_ms();
    emit(fmt::format("{{\"event\":\"established\",\"feeder\":{},\"mono_ms\":{:.3f},\"peer_as\":{},\"hold\":{}}}", k,
                     established, peer.asn(), hold));
    if (!conn.ctx.four_octet_as) announce = encode_announcements(table, conn.ctx);
    Stream eor = encode_end_of_rib(conn.ctx);

    // Drain whatever the peer sends (it may export routes back to us), so it
    // never blocks on a full socket; stop on NOTIFICATION or close.
    std::atomic<bool> peer_gone{false};
    std::atomic<uint64_t> updates_in{0};
    std::string gone_reason;
    std::thread reader([&] {
        while (!g_stop) {
            auto m = conn.next(200);
            if (!m) {
                if (conn.timed_out()) continue;
                gone_reason = "connection closed";
                break;
            }
            auto type = static_cast<wire::MessageType>((*m)[18]);
            if (type == wire::MessageType::update) ++updates_in;
            if (type == wire::MessageType::notification) {
                auto d = wire::decode(*m, conn.ctx);
                gone_reason = wire::ok(d) ? std::get<wire::Notification>(std::get<wire::Message>(d)).describe()
                                          : std::string("malformed NOTIFICATION");
                break;
            }
        }
        peer_gone = true;
    });
    Keepaliver keepalive(conn, hold);

    // With --wait-start, several feeders start sending at the same moment.
    while (o.wait_start && !g_go && !g_stop && !peer_gone) usleep(500);
    double first = mono_ms();
    emit(fmt::format("{{\"event\":\"first_update\",\"feeder\":{},\"mono_ms\":{:.3f}}}", k, first));
    bool sent = send_stream(conn, announce) && conn.send(eor.bytes);
    double done = mono_ms();
    if (sent)
        emit(fmt::format("{{\"event\":\"table_sent\",\"feeder\":{},\"mono_ms\":{:.3f},\"ms\":{:.1f},\"updates\":{},"
                         "\"bytes\":{}}}",
                         k, done, done - first, announce.messages + eor.messages, announce.bytes.size()));

    int rc = 0;
    bool withdrawn = false;
    double withdrawn_at = 0;
    while (sent && !g_stop && !peer_gone) {
        double now = mono_ms();
        if (!withdrawn && (g_withdraw || (o.withdraw_after >= 0 && now - done >= o.withdraw_after * 1e3))) {
            double start = mono_ms();
            emit(fmt::format("{{\"event\":\"withdraw_start\",\"feeder\":{},\"mono_ms\":{:.3f}}}", k, start));
            if (!send_stream(conn, withdraw)) break;
            withdrawn_at = mono_ms();
            withdrawn = true;
            emit(fmt::format("{{\"event\":\"withdraw_sent\",\"feeder\":{},\"mono_ms\":{:.3f},\"ms\":{:.1f},"
                             "\"updates\":{}}}",
                             k, withdrawn_at, withdrawn_at - start, withdraw.messages));
        }
        if (withdrawn && o.linger >= 0 && now - withdrawn_at >= o.linger * 1e3) break;
        usleep(5000);
    }
    bool clean = sent && !peer_gone;
    if (clean) {
        wire::Buffer cease;
        wire::encode(wire::Notification::shutdown(wire::err::admin_shutdown, "benchmark done"), cease);
        conn.send(cease);
        conn.shutdown_write();
    }
    g_stop = true;
    reader.join();
    if (!clean) {
        rc = 3;
        emit(fmt::format("{{\"event\":\"closed\",\"feeder\":{},\"reason\":\"{}\"}}", k,
                         json_escape(gone_reason.empty() ? "write failed" : gone_reason)));
    } else {
        emit(fmt::format("{{\"event\":\"closed\",\"feeder\":{},\"reason\":\"cease sent\",\"updates_in\":{}}}", k,
                         updates_in.load()));
    }
    return rc;
}
