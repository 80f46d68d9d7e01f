// The control socket: cli::Server on a temporary socket with a fake
// bgp::Control, driven by cli::Client, raw sockets and the moatctl binary.
#include "cli/client.hpp"
#include "cli/config_loader.hpp"
#include "cli/grammar.hpp"
#include "cli/protocol.hpp"
#include "cli/server.hpp"
#include "cli/show.hpp"
#include "cli/show_routes.hpp"
#include "json_parse.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

using namespace moat;
using namespace moat::cli;
namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

wire::IpAddress addr(const char* s) { return *parse_address(s); }

class FakeControl : public bgp::Control {
public:
    explicit FakeControl(size_t extra_peers = 0) {
        config_.hostname = "r1";
        config_.bgp.emplace();
        config_.bgp->asn = 65000;
        config_.bgp->router_id = 0xc0000201;

        bgp::PeerView a;
        a.config.address = addr("192.0.2.2");
        a.config.remote_as = 64500;
        a.config.description = "Transit \"A\"\n\xe2\x82\xac";
        a.state = bgp::State::established;
        a.state_since = std::chrono::system_clock::now() - std::chrono::seconds(83);
        a.local_address = addr("192.0.2.1");
        a.remote_router_id = 0xc0000202;
        a.hold_time = 90;
        a.keepalive_time = 30;
        a.received.open = 1;
        a.received.update = 7;
        a.received.keepalive = 2;
        a.sent.open = 1;
        a.sent.keepalive = 3;
        a.prefixes_received_v4 = 5;
        a.prefixes_received_v6 = 2;
        a.established_transitions = 1;
        a.four_octet_as = true;
        a.ipv4_unicast = true;
        wire::Capabilities caps;
        caps.multiprotocol.push_back({wire::Afi::ipv4, wire::Safi::unicast});
        caps.four_octet_as = 65000;
        caps.route_refresh = true;
        caps.role = wire::Role::customer;
        a.sent_caps = caps;
        caps.four_octet_as = 64500;
        caps.route_refresh = false;
        caps.role = wire::Role::provider;
        a.received_caps = caps;
        a.config.local_role = wire::Role::customer;
        a.config.role_strict = true;
        peers_.push_back(a);

        bgp::PeerView b;
        b.config.address = addr("2001:db8::3");
        b.config.remote_as = 4200000000u;
        b.config.shutdown = true;
        b.state = bgp::State::idle;
        b.state_since = std::chrono::system_clock::now() - std::chrono::hours(50);
        b.last_error = "administratively shut down";
        b.last_notification_sent = bgp::NotificationRecord{
            wire::Notification{wire::err::cease, wire::err::admin_shutdown, {3, 'b', 'y', 'e'}},
            std::chrono::system_clock::now()};
        peers_.push_back(b);

        for (size_t i = 0; i < extra_peers; ++i) {
            bgp::PeerView p;
            p.config.address = wire::IpAddress{};
            p.config.address.bytes = {10, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 1};
            p.config.remote_as = 65100 + static_cast<uint32_t>(i);
            p.state = bgp::State::active;
            peers_.push_back(p);
        }
    }

    std::vector<bgp::PeerView> peer_views() const override { return peers_; }
    const bgp::Config& running_config() const override { return config_; }

    std::string neighbor_shutdown(const wire::IpAddress& a, bool down, std::string message) override {
        std::lock_guard lock(mutex);
        actions.push_back((down ? "down " : "up ") + format_address(a) + " " + message);
        if (a != peers_[0].config.address) return "No such neighbor " + format_address(a);
        return {};
    }
    std::string neighbor_clear(const wire::IpAddress& a) override {
        std::lock_guard lock(mutex);
        actions.push_back("clear " + format_address(a));
        return {};
    }

    std::string apply_config(const bgp::Config& c) override {
        std::lock_guard lock(mutex);
        actions.push_back("apply");
        config_ = c;
        return {};
    }
    std::string config_path() const override { return file; }

    std::mutex mutex;
    std::vector<std::string> actions;
    std::string file;  // for write and reload

private:
    bgp::Config config_;
    std::vector<bgp::PeerView> peers_;
};

std::string temp_socket(const char* tag) {
    return "/tmp/moat-cli-test-" + std::to_string(::getpid()) + "-" + tag + ".sock";
}

// A server running on its own thread for the duration of a test.
struct Fixture {
    explicit Fixture(const char* tag, size_t extra_peers = 0)
        : control(extra_peers), path(temp_socket(tag)), server(io, control, path) {
        thread = std::thread([this] { io.run(); });
    }
    ~Fixture() {
        asio::post(io, [this] { server.stop(); });
        work.reset();
        thread.join();
    }

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    FakeControl control;
    std::string path;
    Server server;
    std::thread thread;
};

struct Reply {
    Client::Result result;
    std::string body;
    size_t slices = 0;
    size_t largest_slice = 0;
};

Reply run(Client& c, std::string_view command) {
    Reply r;
    r.result = c.run(command, [&r](std::string_view d) {
        r.body += d;
        ++r.slices;
        r.largest_slice = std::max(r.largest_slice, d.size());
    });
    return r;
}

Reply run(const std::string& path, std::string_view command) {
    Client c;
    REQUIRE(c.connect(path).empty());
    return run(c, command);
}

// Runs a shell command; returns its exit status and stdout+stderr.
std::pair<int, std::string> shell(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE("show bgp summary over the socket: text", "[cli][server]") {
    Fixture f("summary");
    auto r = run(f.path, "sh bgp sum");
    REQUIRE(r.result.status == Client::Result::ok);
    INFO(r.body);
    CHECK(r.body.starts_with("BGP router identifier 192.0.2.1, local AS number 65000\n"
                             "Neighbors: 2 configured, 1 established\n\n"
                             "Neighbor                AS   MsgRcvd   MsgSent   Up/Down   State/PfxRcd  PfxRcd6 PfxRej PfxRej6    MaxPfx  "
                             "Description\n"));
    CHECK(r.body.find("192.0.2.2            64500        10         4  00:01:23              5        2      5       2            "
                      "Transit") !=
          std::string::npos);
    CHECK(r.body.find("2001:db8::3     4200000000         0         0  2d02h00m   Idle (Admin)\n") != std::string::npos);
}

TEST_CASE("show bgp summary over the socket: JSON", "[cli][server]") {
    Fixture f("json");
    auto r = run(f.path, "show bgp summary json");
    REQUIRE(r.result.status == Client::Result::ok);
    INFO(r.body);
    auto doc = jtest::parse(r.body);
    CHECK(doc["router_id"].str() == "192.0.2.1");
    CHECK(doc["local_as"].number() == 65000);
    const auto& n = doc["neighbors"];
    REQUIRE(n.arr().size() == 2);
    CHECK(n[0]["address"].str() == "192.0.2.2");
    CHECK(n[0]["remote_as"].number() == 64500);
    CHECK(n[0]["state"].str() == "established");
    CHECK(n[0]["admin_shutdown"].boolean() == false);
    CHECK(n[0]["uptime_seconds"].number() >= 83);
    CHECK(n[0]["uptime_seconds"].number() <= 85);
    CHECK(n[0]["prefixes_received_ipv4"].number() == 5);
    CHECK(n[0]["prefixes_received_ipv6"].number() == 2);
    CHECK(n[0]["messages_received"].number() == 10);
    CHECK(n[0]["messages_sent"].number() == 4);
    CHECK(n[0]["description"].str() == "Transit \"A\"\n\xe2\x82\xac");
    CHECK(n[1]["address"].str() == "2001:db8::3");
    CHECK(n[1]["remote_as"].number() == 4200000000.0);
    CHECK(n[1]["state"].str() == "idle");
    CHECK(n[1]["admin_shutdown"].boolean());
}

TEST_CASE("show bgp neighbors: text and JSON", "[cli][server]") {
    Fixture f("neighbors");
    auto r = run(f.path, "show bgp neighbors 192.0.2.2");
    REQUIRE(r.result.status == Client::Result::ok);
    INFO(r.body);
    CHECK(r.body.starts_with("BGP neighbor is 192.0.2.2, remote AS 64500, local AS 65000, external link\n"));
    CHECK(r.body.find("BGP state = Established, up for 00:01:23") != std::string::npos);
    CHECK(r.body.find("Local address 192.0.2.1, remote address 192.0.2.2 port 179") != std::string::npos);
    CHECK(r.body.find("Remote router ID 192.0.2.2") != std::string::npos);
    CHECK(r.body.find("route-refresh                   yes") != std::string::npos);
    CHECK(r.body.find("four-octet-as                   yes       yes         yes") != std::string::npos);
    CHECK(r.body.find("2001:db8::3") == std::string::npos);
    CHECK(r.body.find("  Local role customer strict, remote role provider\n") != std::string::npos);
    CHECK(r.body.find("role                            yes       yes         yes") != std::string::npos);

    r = run(f.path, "show bgp neighbors json");
    REQUIRE(r.result.status == Client::Result::ok);
    auto doc = jtest::parse(r.body);
    const auto& n = doc["neighbors"];
    REQUIRE(n.arr().size() == 2);
    CHECK(n[0]["local_address"].str() == "192.0.2.1");
    CHECK(n[0]["hold_time"].number() == 90);
    CHECK(n[0]["messages"]["received"]["update"].number() == 7);
    CHECK(n[0]["messages"]["sent"]["total"].number() == 4);
    CHECK(n[0]["capabilities"]["sent"][2].str() == "four-octet-as");
    CHECK(n[0]["capabilities"]["negotiated"][0].str() == "multiprotocol:ipv4-unicast");
    CHECK(n[0]["last_notification_sent"].is_null());
    CHECK(n[0]["local_role"].str() == "customer");
    CHECK(n[0]["role_strict"].boolean());
    CHECK(n[0]["remote_role"].str() == "provider");
    CHECK(n[1]["local_role"].is_null());
    CHECK(!n[1]["role_strict"].boolean());
    CHECK(n[1]["remote_role"].is_null());
    CHECK(n[1]["local_address"].is_null());
    CHECK(n[1]["last_error"].str() == "administratively shut down");
    const auto& note = n[1]["last_notification_sent"];
    CHECK(note["code"].number() == 6);
    CHECK(note["subcode"].number() == 2);
    wire::Notification expected{wire::err::cease, wire::err::admin_shutdown, {3, 'b', 'y', 'e'}};
    CHECK(note["description"].str() == expected.describe());
    CHECK(note["shutdown_message"].str() == "bye");

    r = run(f.path, "show bgp neighbors 2001:db8::3");
    CHECK(r.body.find("Shutdown message: \"bye\"") != std::string::npos);
    CHECK(r.body.find("Local role") == std::string::npos);  // no role either side
    CHECK(r.body.find("Last error: administratively shut down") != std::string::npos);

    r = run(f.path, "show bgp neighbors 192.0.2.99");
    CHECK(r.result.status == Client::Result::error);
    CHECK(r.result.message == "% No such neighbor 192.0.2.99");
}

TEST_CASE("errors and operator actions", "[cli][server]") {
    Fixture f("actions");
    Client c;
    REQUIRE(c.connect(f.path).empty());
    auto r = run(c, "show foo");
    CHECK(r.result.status == Client::Result::error);
    CHECK(r.result.message == "% Unknown command at 'foo'");

    // the connection stays usable after an error
    r = run(c, "neighbor 192.0.2.2 shutdown maintenance \"until 18:00\"");
    CHECK(r.result.status == Client::Result::ok);
    CHECK(r.body.empty());
    r = run(c, "no neighbor 192.0.2.2 shutdown");
    CHECK(r.result.status == Client::Result::ok);
    r = run(c, "neighbor 192.0.2.77 shutdown");
    CHECK(r.result.status == Client::Result::error);
    CHECK(r.result.message == "% No such neighbor 192.0.2.77");
    r = run(c, "clear bgp neighbor 2001:db8::3");
    CHECK(r.result.status == Client::Result::ok);
    r = run(c, "neighbor 192.0.2.2 shutdown " + std::string(256, 'x'));
    CHECK(r.result.status == Client::Result::error);

    std::lock_guard lock(f.control.mutex);
    CHECK(f.control.actions == std::vector<std::string>{"down 192.0.2.2 maintenance until 18:00", "up 192.0.2.2 ",
                                                        "down 192.0.2.77 ", "clear 2001:db8::3"});
}

TEST_CASE("show running-config and show version", "[cli][server]") {
    Fixture f("running");
    auto r = run(f.path, "show running-config");
    REQUIRE(r.result.status == Client::Result::ok);
    CHECK(r.body == "hostname r1\n!\nrouter bgp 65000\n bgp router-id 192.0.2.1\n!\n");
    r = run(f.path, "show version");
    REQUIRE(r.result.status == Client::Result::ok);
    CHECK(r.body.starts_with("Moat "));
}

TEST_CASE("several clients at once, socket mode 0660", "[cli][server]") {
    Fixture f("multi");
    struct stat st {};
    REQUIRE(::stat(f.path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0660);

    Client a, b, c;
    REQUIRE(a.connect(f.path).empty());
    REQUIRE(b.connect(f.path).empty());
    REQUIRE(c.connect(f.path).empty());
    for (int i = 0; i < 3; ++i) {
        CHECK(run(b, "show version").result.status == Client::Result::ok);
        CHECK(run(a, "show bgp summary").body.find("192.0.2.2") != std::string::npos);
        CHECK(run(c, "show bogus").result.status == Client::Result::error);
    }
}

TEST_CASE("large replies are written in bounded slices", "[cli][server]") {
    Fixture f("large", 400);
    auto r = run(f.path, "show bgp neighbors");
    REQUIRE(r.result.status == Client::Result::ok);
    CHECK(r.body.size() > 4 * protocol::slice_size);
    CHECK(r.slices > 4);
    CHECK(r.largest_slice <= protocol::slice_size);
    CHECK(r.body.find("BGP neighbor is 10.1.143.1, remote AS 65499") != std::string::npos);
}

TEST_CASE("raw protocol: pipelined requests and an overlong request", "[cli][server]") {
    Fixture f("raw");
    asio::io_context io;
    local::socket s(io);
    s.connect(local::endpoint(f.path));
    asio::write(s, asio::buffer(std::string("show version\n\nshow nope\n")));
    protocol::FrameReader reader;
    std::vector<protocol::Frame> frames;
    char buf[4096];
    while (frames.size() < 4) {
        size_t n = s.read_some(asio::buffer(buf));
        reader.feed(std::string_view(buf, n));
        while (auto fr = reader.next()) frames.push_back(*fr);
        REQUIRE_FALSE(reader.failed());
    }
    REQUIRE(frames.size() == 4);
    CHECK(frames[0].code == protocol::data);
    CHECK(frames[0].payload.starts_with("Moat "));
    CHECK(frames[1].code == protocol::ok);  // end of "show version"
    CHECK(frames[2].code == protocol::ok);  // the empty line
    CHECK(frames[3].code == protocol::syntax_error);  // with the column of the word
    CHECK(frames[3].payload == "6 % Unknown command at 'nope'");

    local::socket t(io);
    t.connect(local::endpoint(f.path));
    asio::write(t, asio::buffer(std::string(protocol::max_request + 10, 'a')));
    std::string all;
    boost::system::error_code ec;
    for (;;) {
        size_t n = t.read_some(asio::buffer(buf), ec);
        if (ec) break;
        all.append(buf, n);
    }
    // the server closed the connection (a reset, as our surplus bytes were never read)
    CHECK((ec == asio::error::eof || ec == asio::error::connection_reset));
    CHECK(all.starts_with("8002 "));
}

TEST_CASE("frame encoding", "[cli][protocol]") {
    CHECK(protocol::encode_frame(protocol::ok, "") == "0000 0\n");
    CHECK(protocol::encode_frame(protocol::data, "ab\n") == "1000 3\nab\n");
    protocol::FrameReader r;
    r.feed("1000 3\nab");
    CHECK_FALSE(r.next());
    r.feed("\n8001 1\nx");
    auto a = r.next();
    REQUIRE(a);
    CHECK(a->payload == "ab\n");
    auto b = r.next();
    REQUIRE(b);
    CHECK(b->code == 8001);
    CHECK(b->payload == "x");
    protocol::FrameReader bad;
    bad.feed("10x0 3\nabc");
    CHECK_FALSE(bad.next());
    CHECK(bad.failed());
}

TEST_CASE("a stale socket file is replaced, anything else is refused", "[cli][server]") {
    std::string path = temp_socket("stale");
    {
        asio::io_context io;
        local::acceptor leftover(io, local::endpoint(path));  // bound, then closed: the file stays
    }
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    {
        asio::io_context io;
        FakeControl control;
        Server s(io, control, path);
        // while it runs, a second server on the same path is refused
        CHECK_THROWS(Server(io, control, path));
    }
    CHECK(::stat(path.c_str(), &st) != 0);  // removed on stop

    std::string file = temp_socket("regular");
    std::ofstream(file) << "not a socket";
    asio::io_context io;
    FakeControl control;
    CHECK_THROWS(Server(io, control, file));
    CHECK(::unlink(file.c_str()) == 0);
}

TEST_CASE("moatctl exit codes", "[cli][moatctl]") {
    Fixture f("moatctl");
    std::string ctl = MOATCTL_PATH;
    auto [rc, out] = shell(ctl + " -s " + f.path + " show bgp summary");
    CHECK(rc == 0);
    CHECK(out.find("192.0.2.2") != std::string::npos);

    std::tie(rc, out) = shell("MOAT_SOCKET=" + f.path + " " + ctl + " show bgp nonsense");
    CHECK(rc == 1);
    CHECK(out == "% Unknown command at 'nonsense'\n");

    std::tie(rc, out) = shell(ctl + " -s " + f.path + " neighbor 192.0.2.2 shutdown 'two words'");
    CHECK(rc == 0);
    {
        std::lock_guard lock(f.control.mutex);
        REQUIRE_FALSE(f.control.actions.empty());
        CHECK(f.control.actions.back() == "down 192.0.2.2 two words");
    }

    std::tie(rc, out) = shell(ctl + " -s /nonexistent/moat.sock show version");
    CHECK(rc == 2);
    CHECK(out.find("/nonexistent/moat.sock") != std::string::npos);
}

TEST_CASE("a client that leaves in the middle of a reply does not disturb the server", "[cli][server]") {
    Fixture f("leave", 400);
    for (int i = 0; i < 5; ++i) {
        asio::io_context io;
        local::socket s(io);
        s.connect(local::endpoint(f.path));
        asio::write(s, asio::buffer(std::string("show bgp neighbors\nshow bgp neighbors\n")));
        char buf[100];
        s.read_some(asio::buffer(buf));  // the reply has started
    }  // closed with most of the reply unread
    auto r = run(f.path, "show bgp summary json");
    REQUIRE(r.result.status == Client::Result::ok);
    CHECK(jtest::parse(r.body)["neighbors"].arr().size() == 402);
}

TEST_CASE("stopping the server closes its clients", "[cli][server]") {
    asio::io_context io;
    FakeControl control;
    std::string path = temp_socket("stop");
    auto server = std::make_unique<Server>(io, control, path);
    std::thread t([&io] { io.run_for(std::chrono::seconds(5)); });
    Client c;
    REQUIRE(c.connect(path).empty());
    CHECK(run(c, "show version").result.status == Client::Result::ok);
    std::promise<void> stopped;
    asio::post(io, [&server, &stopped] {
        server.reset();
        stopped.set_value();
    });
    stopped.get_future().wait();
    auto r = run(c, "show version");
    CHECK(r.result.status == Client::Result::broken);
    t.join();
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);
}

TEST_CASE("session requests: complete, mode, enable, configure terminal", "[cli][server]") {
    Fixture f("session");
    Client c;
    REQUIRE(c.connect(f.path).empty());
    auto r = run(c, "complete sh");
    CHECK(r.result.status == Client::Result::ok);
    CHECK(r.body == "show\tShow running system information\n");
    r = run(c, "complete show bgp ");
    CHECK(r.body.find("summary\tSummary of BGP neighbor status\n") != std::string::npos);
    CHECK(run(c, "mode").body == "exec enable r1\n");  // one-shot connections are privileged

    CHECK(run(c, "disable").result.status == Client::Result::ok);
    CHECK(run(c, "mode").body == "exec view r1\n");
    r = run(c, "clear bgp neighbor 192.0.2.2");
    CHECK(r.result.status == Client::Result::error);
    CHECK(r.result.column == 1);
    CHECK(r.result.message == "% This command needs privileges: use 'enable' first");
    CHECK(run(c, "configure terminal").result.status == Client::Result::error);
    r = run(c, "show bgp sumary");
    CHECK(r.result.column == 10);
    CHECK(r.result.message == "% Unknown command at 'sumary'");

    CHECK(run(c, "enable").result.status == Client::Result::ok);
    CHECK(run(c, "configure terminal").result.status == Client::Result::ok);
    CHECK(run(c, "mode").body == "config enable r1\n");
    CHECK(run(c, "complete rou").body == "route-map\tRoute-map entry (match and set clauses)\nrouter\tRouting protocol\n");
    CHECK(run(c, "router bgp 65000").result.status == Client::Result::ok);
    CHECK(run(c, "mode").body == "config-router enable r1\n");
    r = run(c, "neighbor 192.0.2.9 remote-as 0");
    CHECK(r.result.column == 30);
    CHECK(run(c, "neighbor 192.0.2.9 remote-as 65009").result.status == Client::Result::ok);
    CHECK(run(c, "hostname r2").result.status == Client::Result::ok);  // a top-level command leaves the node
    CHECK(run(c, "mode").body == "config enable r2\n");
    {
        std::lock_guard lock(f.control.mutex);
        CHECK(f.control.actions.empty());  // nothing applied before end
    }
    CHECK(run(c, "end").result.status == Client::Result::ok);
    CHECK(run(c, "mode").body == "exec enable r2\n");
    {
        std::lock_guard lock(f.control.mutex);
        CHECK(f.control.actions == std::vector<std::string>{"apply"});
    }
    CHECK(f.control.running_config().bgp->find_neighbor(addr("192.0.2.9")) != nullptr);
    CHECK(run(c, "exit").result.status == Client::Result::ok);
    CHECK(run(c, "mode").body == "closed\n");
}

TEST_CASE("write saves the running config atomically, reload refuses a broken file", "[cli][server]") {
    Fixture f("write");
    std::string file = "/tmp/moat-cli-test-" + std::to_string(::getpid()) + ".conf";
    f.control.file = file;
    {
        std::ofstream out(file);
        out << "# old\n";
    }
    ::chmod(file.c_str(), 0640);
    auto r = run(f.path, "write memory");
    CHECK(r.result.status == Client::Result::ok);
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str() == render_config(f.control.running_config()));
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);

    {
        std::ofstream out(file);
        out << "router bgp 65000\n neighbor 192.0.2.2 remote-as 70000000000\n";
    }
    r = run(f.path, "reload");
    CHECK(r.result.status == Client::Result::error);
    CHECK(r.result.message.find(file + ":2:31: error:") != std::string::npos);
    {
        std::lock_guard lock(f.control.mutex);
        CHECK(f.control.actions.empty());
    }
    {
        std::ofstream out(file);
        out << "hostname r5\n";
    }
    CHECK(run(f.path, "reload").result.status == Client::Result::ok);
    CHECK(f.control.running_config().hostname == "r5");
    ::unlink(file.c_str());
}

TEST_CASE("do runs exec commands in configuration mode, with completion", "[cli][server]") {
    Fixture f("do");
    Client c;
    REQUIRE(c.connect(f.path).empty());
    CHECK(run(c, "configure terminal").result.status == Client::Result::ok);
    CHECK(run(c, "hostname r9").result.status == Client::Result::ok);

    // `do` sees the running state, not the candidate of this session.
    auto r = run(c, "do show running-config");
    CHECK(r.result.status == Client::Result::ok);
    CHECK(r.body == render_config(f.control.running_config()));
    CHECK(r.body.find("hostname r1\n") != std::string::npos);
    CHECK(run(c, "  do   sh run").body == r.body);
    CHECK(run(c, "mode").body == "config enable r9\n");  // still in configuration mode

    // Errors point at the word in the whole line.
    r = run(c, "do show bgp sumary");
    CHECK(r.result.status == Client::Result::error);
    CHECK(r.result.column == 13);
    CHECK(r.result.message == "% Unknown command at 'sumary'");
    r = run(c, "do");
    CHECK(r.result.column == 3);
    CHECK(r.result.message == "% Command incomplete: 'do' needs an exec command");
    r = run(c, "do configure terminal");
    CHECK(r.result.column == 4);
    CHECK(r.result.message == "% 'configure terminal' cannot be run with 'do'");
    CHECK(run(c, "do exit").result.status == Client::Result::error);
    CHECK(run(c, "mode").body == "config enable r9\n");

    // A privileged command runs too (configuration mode is privileged).
    CHECK(run(c, "do clear bgp neighbor 192.0.2.2").result.status == Client::Result::ok);
    {
        std::lock_guard lock(f.control.mutex);
        CHECK(f.control.actions == std::vector<std::string>{"clear 192.0.2.2"});
    }

    // Completion: `do` among the node's words, the exec node after it.
    CHECK(run(c, "complete d").body ==
          "do\tRun an exec command (show, clear, write, ...) from configuration mode\n");
    CHECK(run(c, "complete ").body.find("do\tRun an exec command") != std::string::npos);
    CHECK(run(c, "complete rou").body ==
          "route-map\tRoute-map entry (match and set clauses)\nrouter\tRouting protocol\n");
    CHECK(run(c, "complete do sh").body == "show\tShow running system information\n");
    r = run(c, "complete do show bgp ");
    CHECK(r.body.find("summary\tSummary of BGP neighbor status\n") != std::string::npos);
    CHECK(r.body.find("router") == std::string::npos);
    CHECK(run(c, "router bgp 65000").result.status == Client::Result::ok);
    CHECK(run(c, "complete do show ver").body.starts_with("version\t"));
    CHECK(run(c, "do show version").result.status == Client::Result::ok);
    CHECK(run(c, "mode").body == "config-router enable r9\n");

    CHECK(run(c, "end").result.status == Client::Result::ok);
    CHECK(f.control.running_config().hostname == "r9");
    // Outside configuration mode `do` is not a command.
    CHECK(run(c, "do show version").result.status == Client::Result::error);
}

TEST_CASE("the control socket is mode 0660, with the configured group", "[cli][server]") {
    // The process's own group: chown to it needs no privileges.
    const gid_t gid = ::getegid();
    const group* g = ::getgrgid(gid);
    REQUIRE(g);
    const std::string name = g->gr_name;
    asio::io_context io;
    FakeControl control;
    std::string path = temp_socket("group");
    {
        Server server(io, control, path, name);
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 07777) == 0660);
        CHECK(st.st_gid == gid);
    }
    {
        Server server(io, control, path, std::to_string(gid));  // by number
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK(st.st_gid == gid);
    }
    try {
        Server server(io, control, path, "no-such-group-moat");
        FAIL("a missing group must be refused");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "control socket group 'no-such-group-moat' does not exist");
    }
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);  // nothing left behind
}

namespace {
// A walk that finds nothing for a while (a sparse longer-prefixes over a
// big table): each call takes a millisecond and shows nothing.
class SparseWalk final : public bgp::RouteWalk {
public:
    explicit SparseWalk(int total) : left_(total) {}
    bool next(std::vector<bgp::RouteInfo>&, size_t) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ++calls;
        return --left_ > 0;
    }
    int calls = 0;

private:
    int left_;
};
}  // namespace

TEST_CASE("a route table slice ends after a bounded amount of walking, even when it shows nothing",
          "[cli][server]") {
    std::vector<std::unique_ptr<bgp::RouteWalk>> walks;
    auto walk = std::make_unique<SparseWalk>(200);
    SparseWalk* w = walk.get();
    walks.push_back(std::move(walk));
    auto out = route_output(std::move(walks), {bgp::RouteQuery{}}, true);
    std::string body;
    int slices = 1;
    // Bounded work, counted in walk calls (never in time: a slow machine
    // must not fail it): the first slice yields before the walk is done.
    CHECK(out->next(body, protocol::slice_size));
    CHECK(w->calls < 200);
    while (out->next(body, protocol::slice_size)) ++slices;
    CHECK(slices > 2);
    CHECK(w->calls == 200);
    CHECK(body == "{\"routes\":[]}\n");
}
