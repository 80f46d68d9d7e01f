// Sessions over real TCP on 127.0.0.x: two speakers inside this process (one
// io_context), or a speaker and a scripted peer on a thread of its own.
// Covers: reaching Established with negotiated hold time and capabilities,
// originated prefixes arriving, connection collision, hold timer expiry,
// unknown peers refused, and administrative shutdown with a message.
#include "bgpd/log.hpp"
#include "bgpd/speaker.hpp"
#include "tests/bgpd/test_support.hpp"
#include "bgpd/wire/codec.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

using namespace moat;
using namespace moat::bgp;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

using namespace moat::test;

namespace {

struct Side {
    const char* address;
    uint32_t asn;
    uint32_t id;
    uint16_t port;
};

// The speakers route documentation prefixes between private ASNs: the eBGP
// default filters would reject them. `self.id` is the router ID, also for an
// IPv6 address.
Config make_config(const Side& self, const Side& other, bool passive, uint16_t hold,
                   std::vector<wire::Prefix> networks) {
    Config c = speaker_config({self.address, self.asn, self.port}, {{other.address, other.asn, other.port}},
                              std::move(networks), [&](NeighborConfig& n) {
                                  n.passive = passive;
                                  n.hold_time = hold;
                                  n.next_hop_v6 = ip("2001:db8::1");
                              });
    c.bgp->router_id = self.id;
    allow_documentation_routes(*c.bgp);
    return c;
}

PeerView view_of(const Speaker& s) {
    auto v = s.peer_views();
    REQUIRE(v.size() == 1);
    return v[0];
}

bool established(const Speaker& s) { return view_of(s).state == State::established; }

}  // namespace

TEST_CASE("two speakers reach Established and exchange originated routes", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.2", 4200000002u, 0x02020202, free_port("127.0.0.2")};
    Speaker sa(io, make_config(a, b, true, 30, {pfx("198.51.100.0/24"), pfx("203.0.113.0/24"), pfx("2001:db8:1::/48")}),
               fast());
    Speaker sb(io, make_config(b, a, false, 9, {pfx("192.0.2.0/24")}), fast());

    REQUIRE(run_until(io, [&] {
        return established(sa) && established(sb) && view_of(sb).prefixes_received_v4 == 2 &&
               view_of(sb).prefixes_received_v6 == 1 && view_of(sa).prefixes_received_v4 == 1;
    }, 5s));

    auto va = view_of(sa), vb = view_of(sb);
    CHECK(va.hold_time == 9);  // min(30, 9)
    CHECK(vb.hold_time == 9);
    CHECK(va.keepalive_time == 3);
    CHECK(vb.keepalive_time == 3);
    CHECK(va.four_octet_as);
    CHECK(va.ipv4_unicast);
    CHECK(va.ipv6_unicast);
    CHECK(va.route_refresh);
    CHECK(va.enhanced_route_refresh);
    CHECK(va.extended_message);
    CHECK(va.remote_router_id == 0x02020202u);
    CHECK(vb.remote_router_id == 0x01010101u);
    REQUIRE(vb.received_caps);
    CHECK(vb.received_caps->four_octet_as == 65001u);
    REQUIRE(va.received_caps);
    CHECK(va.received_caps->four_octet_as == 4200000002u);
    CHECK(va.local_address == ip("127.0.0.1"));
    CHECK(va.prefixes_advertised_v4 == 2);
    CHECK(va.prefixes_advertised_v6 == 1);
    CHECK(vb.prefixes_advertised_v4 == 1);
    CHECK(va.established_transitions == 1);
    CHECK(vb.received.update >= 1);
    // A passive neighbor is only accepted: B opened the connection.
    CHECK(sa.peer(ip("127.0.0.2"))->session().inbound());
    CHECK_FALSE(sb.peer(ip("127.0.0.1"))->session().inbound());
}

TEST_CASE("a connection collision keeps the connection of the higher BGP identifier", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.2", 65002, 0x02020202, free_port("127.0.0.2")};
    auto opts = fast();
    opts.start_peers = false;
    Speaker sa(io, make_config(a, b, false, 30, {}), opts);
    Speaker sb(io, make_config(b, a, false, 30, {}), opts);
    // Both connect at the same moment: two connections, two OPENs each way.
    sa.start_peers();
    sb.start_peers();

    REQUIRE(run_until(io, [&] { return established(sa) && established(sb); }, 5s));
    // Stays up, and with one Established transition on each side.
    run_until(io, [] { return false; }, 500ms);
    REQUIRE(established(sa));
    REQUIRE(established(sb));
    CHECK(view_of(sa).established_transitions == 1);
    CHECK(view_of(sb).established_transitions == 1);
    // B has the higher identifier: the connection B opened is the one kept.
    CHECK(sa.peer(ip("127.0.0.2"))->session().inbound());
    CHECK_FALSE(sb.peer(ip("127.0.0.1"))->session().inbound());
    // The other connection was closed with Cease / Connection Collision Resolution.
    auto cease7 = [](const std::optional<NotificationRecord>& n) {
        return n && n->message.code == wire::err::cease && n->message.subcode == wire::err::connection_collision;
    };
    CHECK((cease7(view_of(sa).last_notification_sent) || cease7(view_of(sb).last_notification_sent)));
}

namespace {

// A scripted peer: blocking sockets on a thread of its own.
struct ScriptedPeer {
    asio::io_context io;
    tcp::socket s{io};
    std::vector<uint8_t> buffer;
    wire::SessionContext ctx;

    void connect(const char* from, const char* to, uint16_t port) {
        s.open(tcp::v4());
        s.bind(tcp::endpoint(asio::ip::make_address(from), 0));
        s.connect(tcp::endpoint(asio::ip::make_address(to), port));
    }
    void send(const wire::Message& m) {
        wire::Buffer b;
        wire::encode(m, ctx, b);
        asio::write(s, asio::buffer(b));
    }
    // The next message, or nothing when the connection closes.
    std::optional<wire::Message> receive() {
        for (;;) {
            auto f = wire::frame(buffer, ctx);
            if (f.status == wire::Frame::complete) {
                auto r = wire::decode(wire::Bytes(buffer.data(), f.length), ctx);
                buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(f.length));
                if (!wire::ok(r)) return std::nullopt;
                return std::get<wire::Message>(r);
            }
            if (f.status == wire::Frame::error) return std::nullopt;
            std::array<uint8_t, 4096> chunk;
            boost::system::error_code ec;
            size_t n = s.read_some(asio::buffer(chunk), ec);
            if (ec) return std::nullopt;
            buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
        }
    }
};

}  // namespace

TEST_CASE("the hold timer expires when the peer goes silent", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.3", 65003, 0x03030303, 179};
    Speaker sa(io, make_config(a, b, true, 3, {}), fast());

    std::atomic<bool> done{false};
    std::atomic<int> code{-1};
    std::atomic<bool> saw_keepalive{false};
    std::chrono::steady_clock::duration silent_for{};
    std::thread peer([&] {
        ScriptedPeer p;
        p.connect("127.0.0.3", "127.0.0.1", a.port);
        wire::Open o;
        o.my_as = 65003;
        o.hold_time = 3;
        o.bgp_id = 0x03030303;
        o.caps.four_octet_as = 65003;
        p.send(o);
        p.send(wire::Keepalive{});
        auto quiet_since = std::chrono::steady_clock::now();
        while (auto m = p.receive()) {
            if (std::holds_alternative<wire::Keepalive>(*m)) saw_keepalive = true;
            if (auto* n = std::get_if<wire::Notification>(&*m)) {
                code = n->code;
                silent_for = std::chrono::steady_clock::now() - quiet_since;
                break;
            }
        }
        done = true;
    });
    bool finished = run_until(io, [&] { return done.load(); }, 8s);
    peer.join();
    REQUIRE(finished);
    CHECK(saw_keepalive);
    CHECK(code == wire::err::hold_timer);
    CHECK(silent_for >= 2500ms);
    auto v = view_of(sa);
    CHECK(v.state != State::established);
    REQUIRE(v.last_notification_sent);
    CHECK(v.last_notification_sent->message.code == wire::err::hold_timer);
    CHECK(v.established_transitions == 1);
}

TEST_CASE("connections from unknown addresses are closed at once", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.3", 65003, 0x03030303, 179};
    Speaker sa(io, make_config(a, b, true, 30, {}), fast());
    std::atomic<bool> done{false}, closed{false};
    std::thread peer([&] {
        ScriptedPeer p;
        p.connect("127.0.0.4", "127.0.0.1", a.port);
        closed = !p.receive().has_value();
        done = true;
    });
    bool finished = run_until(io, [&] { return done.load(); }, 3s);
    peer.join();
    REQUIRE(finished);
    CHECK(closed);
    CHECK(view_of(sa).state == State::active);
}

TEST_CASE("neighbor shutdown sends Cease with the message and stays down", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.2", 65002, 0x02020202, free_port("127.0.0.2")};
    Speaker sa(io, make_config(a, b, false, 30, {pfx("198.51.100.0/24")}), fast());
    Speaker sb(io, make_config(b, a, false, 30, {}), fast());
    REQUIRE(run_until(io, [&] { return established(sa) && established(sb); }, 5s));
    REQUIRE(run_until(io, [&] { return view_of(sb).prefixes_received_v4 == 1; }, 2s));

    CHECK(sa.neighbor_shutdown(ip("127.0.0.9"), true, "x") != "");
    CHECK(sa.neighbor_shutdown(ip("127.0.0.2"), true, "maintenance window") == "");
    REQUIRE(run_until(io, [&] { return view_of(sb).last_notification_received.has_value(); }, 3s));
    auto n = view_of(sb).last_notification_received->message;
    CHECK(n.code == wire::err::cease);
    CHECK(n.subcode == wire::err::admin_shutdown);
    CHECK(n.shutdown_message() == std::optional<std::string>("maintenance window"));
    CHECK(view_of(sb).prefixes_received_v4 == 0);  // routes go with the session
    CHECK(sa.running_config().bgp->neighbors[0].shutdown);

    // B keeps retrying (200 ms back-off); A stays down.
    run_until(io, [] { return false; }, 1500ms);
    CHECK(view_of(sa).state == State::idle);
    CHECK(view_of(sb).state != State::established);
    CHECK(view_of(sa).config.shutdown_message == "maintenance window");

    CHECK(sa.neighbor_shutdown(ip("127.0.0.2"), false, "") == "");
    REQUIRE(run_until(io, [&] { return established(sa) && established(sb); }, 5s));
    CHECK(view_of(sa).established_transitions == 2);

    // The daemon stopping: Cease / Administrative Shutdown, "moatd stopping".
    sa.stop("moatd stopping");
    REQUIRE(run_until(io, [&] {
        auto r = view_of(sb).last_notification_received;
        return r && r->message.shutdown_message() == std::optional<std::string>("moatd stopping");
    }, 3s));
    CHECK(view_of(sb).state != State::established);
}

TEST_CASE("IPv6 transport: MP_REACH with the session's IPv6 address as next hop", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"::1", 65001, 0x01010101, free_port("::1")};
    Side b{"::1", 65002, 0x02020202, free_port("::1")};
    auto ca = make_config(a, b, true, 30, {pfx("2001:db8:a::/48"), pfx("198.51.100.0/24")});
    auto cb = make_config(b, a, false, 30, {});
    ca.bgp->neighbors[0].next_hop_v6.reset();
    Speaker sa(io, ca, fast());
    Speaker sb(io, cb, fast());
    REQUIRE(run_until(io, [&] { return established(sa) && established(sb) && view_of(sb).prefixes_received_v6 == 1; }, 5s));
    auto va = view_of(sa);
    CHECK(va.local_address == ip("::1"));
    CHECK(va.prefixes_advertised_v6 == 1);
    // No IPv4 next hop on an IPv6 session: IPv4 routes are not sent.
    CHECK(va.prefixes_advertised_v4 == 0);
    CHECK(view_of(sb).prefixes_received_v4 == 0);
}

TEST_CASE("TCP-MD5, GTSM and DelayOpen still reach Established; clear resets", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.2", 65002, 0x02020202, free_port("127.0.0.2")};
    auto ca = make_config(a, b, true, 30, {});
    auto cb = make_config(b, a, false, 30, {});
    for (auto* c : {&ca, &cb}) {
        c->bgp->neighbors[0].password = "s3cret";
        c->bgp->neighbors[0].ttl_security_hops = 1;
    }
    ca.bgp->neighbors[0].delay_open_time = 1;
    Speaker sa(io, ca, fast());
    Speaker sb(io, cb, fast());
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(run_until(io, [&] { return established(sa) && established(sb); }, 5s));
    // A waited for B's OPEN instead of sending its own at once (DelayOpen);
    // B's OPEN arrives at once, so A does not wait the whole second.
    CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);

    CHECK(sa.neighbor_clear(ip("127.0.0.2")) == "");
    REQUIRE(run_until(io, [&] {
        auto r = view_of(sb).last_notification_received;
        return r && r->message.subcode == wire::err::admin_reset;
    }, 3s));
    REQUIRE(run_until(io, [&] { return established(sa) && established(sb); }, 5s));
    CHECK(view_of(sa).established_transitions == 2);
}

TEST_CASE("a wrong TCP-MD5 password keeps the session down", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.2", 65002, 0x02020202, free_port("127.0.0.2")};
    auto ca = make_config(a, b, true, 30, {});
    auto cb = make_config(b, a, false, 30, {});
    ca.bgp->neighbors[0].password = "one";
    cb.bgp->neighbors[0].password = "two";
    Speaker sa(io, ca, fast());
    Speaker sb(io, cb, fast());
    run_until(io, [] { return false; }, 1s);
    CHECK(view_of(sa).state != State::established);
    CHECK(view_of(sb).state != State::established);
    CHECK(view_of(sa).received.open == 0);
}

TEST_CASE("a shutdown during the idle hold back-off cancels the restart", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side nobody{"127.0.0.5", 65005, 0x05050505, free_port("127.0.0.5")};  // nothing listens there
    Speaker sa(io, make_config(a, nobody, false, 30, {}), fast());
    // Connection refused: Idle, restart after the back-off.
    REQUIRE(run_until(io, [&] { return view_of(sa).state == State::idle && view_of(sa).idle_hold_until; }, 2s));
    CHECK(sa.neighbor_shutdown(ip("127.0.0.5"), true, "") == "");
    auto since = view_of(sa).state_since;
    run_until(io, [] { return false; }, 700ms);
    auto v = view_of(sa);
    CHECK(v.state == State::idle);
    CHECK(v.state_since == since);  // no further attempt
    CHECK_FALSE(v.idle_hold_until);
}

TEST_CASE("a peer that keeps dropping the session is retried with a doubling back-off", "[session]") {
    Quiet quiet;
    asio::io_context io;
    Side a{"127.0.0.1", 65001, 0x01010101, free_port("127.0.0.1")};
    Side b{"127.0.0.6", 65006, 0x06060606, free_port("127.0.0.6")};
    // The scripted peer listens, takes the OPEN and answers with a Cease.
    asio::io_context pio;
    tcp::acceptor acceptor(pio, tcp::endpoint(asio::ip::make_address(b.address), b.port));
    Speaker sa(io, make_config(a, b, false, 30, {}), fast());

    std::vector<std::chrono::steady_clock::time_point> accepted;
    std::atomic<bool> done{false};
    std::thread peer([&] {
        for (int i = 0; i < 4; ++i) {
            ScriptedPeer p;
            acceptor.accept(p.s);
            accepted.push_back(std::chrono::steady_clock::now());
            auto m = p.receive();
            if (!m || !std::holds_alternative<wire::Open>(*m)) break;
            p.send(wire::Notification{wire::err::cease, wire::err::out_of_resources, {}});
        }
        done = true;
    });
    bool finished = run_until(io, [&] { return done.load(); }, 6s);
    if (!finished) acceptor.close();
    peer.join();
    REQUIRE(finished);
    REQUIRE(accepted.size() == 4);
    // 200 ms, 400 ms, 800 ms between attempts (1 s cap), each after a flap.
    auto gap = [&](size_t i) { return accepted[i + 1] - accepted[i]; };
    CHECK(gap(0) >= 180ms);
    CHECK(gap(1) >= 380ms);
    CHECK(gap(2) >= 780ms);
    CHECK(gap(1) > gap(0));
    CHECK(gap(2) > gap(1));
    CHECK(view_of(sa).last_notification_received->message.subcode == wire::err::out_of_resources);
}
