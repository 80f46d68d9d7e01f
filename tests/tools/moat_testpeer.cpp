// moat-testpeer: a raw BGP peer for integration tests.
//
//   moat-testpeer (--connect HOST:PORT | --listen HOST:PORT) [--bind ADDR]
//                 --as ASN --router-id A.B.C.D [--hold N] [--update-hex HEX]...
//                 [--wait SECONDS]
//
// Opens one session (announcing 4-octet AS, route refresh and MP-BGP for IPv4
// and IPv6 unicast), reaches Established, sends each --update-hex in order,
// then keeps the session up for --wait seconds (default 2), answering with
// KEEPALIVEs. --update-hex is the UPDATE body, i.e. the message after its
// 19-octet header (the header is added); a value that starts with the 16-octet
// all-ones marker is taken as a whole message and sent unchanged, so broken
// headers can be sent too.
//
// One JSON object per line on stdout:
//   {"event":"listening","address":"..."}          (--listen only)
//   {"event":"established","peer_as":N,"hold":N}
//   {"event":"sent","index":N}
//   {"event":"update","nlri":[...],"withdrawn":[...],"as_path":"...","end_of_rib":BOOL}
//        (prefixes as strings, IPv4 and MP together; after an RFC 7606
//        treat-as-withdraw the announced prefixes are listed as withdrawn and
//        "treat_as_withdraw" names the attribute type)
//   {"event":"notification","code":C,"subcode":S,"text":"...","shutdown_message":"..."}
//   {"event":"error","text":"..."}                 (undecodable input from the peer)
//   {"event":"closed"}
//   {"event":"done","alive":true|false}            (alive: Established until the end)
// Exit status 0, unless the connection could not be made (1) or the arguments
// are wrong (2).
#include "bgpd/wire/codec.hpp"

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
namespace wire = moat::wire;

namespace {

struct Options {
    std::string connect, listen, bind;
    uint32_t asn = 0;
    uint32_t router_id = 0;
    uint16_t hold = 90;
    std::vector<std::string> updates;
    double wait = 2;
};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "moat-testpeer: " << why << "\n"
              << "usage: moat-testpeer (--connect HOST:PORT | --listen HOST:PORT) [--bind ADDR] --as ASN\n"
                 "                     --router-id A.B.C.D [--hold N] [--update-hex HEX]... [--wait SECONDS]\n";
    std::exit(2);
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

void emit(const std::string& line) {
    std::cout << line << std::endl;  // flushed: the harness reads events as they come
}

std::optional<std::vector<uint8_t>> parse_hex(std::string_view s) {
    std::vector<uint8_t> out;
    int hi = -1;
    for (char c : s) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else if (c == ' ' || c == ':' || c == '_') continue;
        else return std::nullopt;
        if (hi < 0) hi = v;
        else out.push_back(static_cast<uint8_t>(hi << 4 | v)), hi = -1;
    }
    if (hi >= 0) return std::nullopt;
    return out;
}

tcp::endpoint parse_endpoint(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) usage("expected HOST:PORT, got " + text);
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec) usage("bad address " + host);
    return {addr, static_cast<unsigned short>(std::stoul(text.substr(colon + 1)))};
}

Options parse(int argc, char** argv) {
    Options o;
    bool have_as = false, have_id = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(a + " needs a value");
            return argv[++i];
        };
        try {
            if (a == "--connect") o.connect = value();
            else if (a == "--listen") o.listen = value();
            else if (a == "--bind") o.bind = value();
            else if (a == "--as") o.asn = static_cast<uint32_t>(std::stoul(value())), have_as = true;
            else if (a == "--router-id") {
                auto ip = wire::IpAddress::parse(value());
                if (!ip || ip->v6) usage("--router-id needs an IPv4 address");
                o.router_id = ip->v4_value();
                have_id = true;
            } else if (a == "--hold") o.hold = static_cast<uint16_t>(std::stoul(value()));
            else if (a == "--update-hex") o.updates.push_back(value());
            else if (a == "--wait") o.wait = std::stod(value());
            else usage("unknown option " + a);
        } catch (const std::logic_error&) {
            usage("bad value for " + a);
        }
    }
    if (o.connect.empty() == o.listen.empty()) usage("give exactly one of --connect and --listen");
    if (!have_as || !have_id) usage("--as and --router-id are required");
    return o;
}

std::string prefixes_json(const std::vector<wire::Nlri>& a, const std::vector<wire::Nlri>* b = nullptr) {
    std::string out = "[";
    auto add = [&](const std::vector<wire::Nlri>& v) {
        for (const auto& n : v) {
            if (out.size() > 1) out += ',';
            out += json_string(n.prefix.to_string());
        }
    };
    add(a);
    if (b) add(*b);
    return out + "]";
}

class Peer {
public:
    Peer(tcp::socket s, const Options& o) : sock_(std::move(s)), opt_(o) {}

    bool run() {
        send_open();
        auto deadline = Clock::now() + std::chrono::seconds(std::max<int>(opt_.hold, 30));
        while (!established_) {
            if (!pump(deadline, true)) return false;
            if (Clock::now() >= deadline) {
                emit(R"({"event":"error","text":"no Established before the deadline"})");
                return close();
            }
        }
        for (size_t i = 0; i < opt_.updates.size(); ++i) {
            auto bytes = parse_hex(opt_.updates[i]);
            if (!bytes) {
                emit(R"({"event":"error","text":"bad --update-hex"})");
                continue;
            }
            bool whole = bytes->size() >= 16 && std::all_of(bytes->begin(), bytes->begin() + 16,
                                                             [](uint8_t b) { return b == 0xff; });
            wire::Buffer m;
            if (whole) {
                m = *bytes;
            } else {
                m.assign(16, 0xff);
                size_t len = bytes->size() + wire::header_size;
                m.push_back(static_cast<uint8_t>(len >> 8));
                m.push_back(static_cast<uint8_t>(len));
                m.push_back(static_cast<uint8_t>(wire::MessageType::update));
                m.insert(m.end(), bytes->begin(), bytes->end());
            }
            if (!write(m)) return false;
            emit("{\"event\":\"sent\",\"index\":" + std::to_string(i) + "}");
        }
        auto end = Clock::now() + std::chrono::milliseconds(static_cast<long>(opt_.wait * 1000));
        while (Clock::now() < end)
            if (!pump(end)) return false;
        // Leave politely: Cease / Administrative Shutdown.
        wire::Buffer out;
        wire::encode(wire::Notification::shutdown(wire::err::admin_shutdown, "moat-testpeer done"), out);
        write(out);
        return close(true);
    }

private:
    void send_open() {
        wire::Open o;
        o.my_as = static_cast<uint16_t>(opt_.asn > 0xffff ? wire::as_trans : opt_.asn);
        o.hold_time = opt_.hold;
        o.bgp_id = opt_.router_id;
        o.caps.multiprotocol = {{wire::Afi::ipv4, wire::Safi::unicast}, {wire::Afi::ipv6, wire::Safi::unicast}};
        o.caps.route_refresh = true;
        o.caps.four_octet_as = opt_.asn;
        wire::Buffer out;
        wire::encode(o, out);
        write(out);
    }

    bool write(const wire::Buffer& b) {
        boost::system::error_code ec;
        asio::write(sock_, asio::buffer(b), ec);
        if (ec) {
            emit("{\"event\":\"error\",\"text\":" + json_string("write: " + ec.message()) + "}");
            return close();
        }
        return true;
    }

    bool close(bool alive = false) {
        if (sock_.is_open()) {
            boost::system::error_code ec;
            sock_.shutdown(tcp::socket::shutdown_both, ec);
            sock_.close(ec);
        }
        emit(R"({"event":"closed"})");
        alive_ = alive && established_;
        return false;
    }

    // Reads and handles what arrives before `until` (or until Established
    // when until_established); false once the session is gone.
    bool pump(Clock::time_point until, bool until_established = false) {
        for (;;) {
            if (!handle_buffered()) return false;
            if (until_established && established_) return true;
            auto now = Clock::now();
            if (established_ && keepalive_interval_.count() > 0 && now >= next_keepalive_) {
                wire::Buffer k;
                wire::encode(wire::Keepalive{}, k);
                if (!write(k)) return false;
                next_keepalive_ = now + keepalive_interval_;
            }
            if (now >= until) return true;
            auto wake = until;
            if (established_ && keepalive_interval_.count() > 0) wake = std::min(wake, next_keepalive_);
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
            pollfd p{sock_.native_handle(), POLLIN, 0};
            int n = ::poll(&p, 1, static_cast<int>(std::clamp<long>(ms, 1, 1000)));
            if (n <= 0) continue;
            uint8_t chunk[65536];
            boost::system::error_code ec;
            size_t got = sock_.read_some(asio::buffer(chunk), ec);
            if (ec) return close();
            buf_.insert(buf_.end(), chunk, chunk + got);
        }
    }

    bool handle_buffered() {
        for (;;) {
            wire::DecodeError e;
            wire::Frame f = wire::frame(buf_, ctx_, &e);
            if (f.status == wire::Frame::need_more) return true;
            if (f.status == wire::Frame::error) return protocol_error(e);
            auto r = wire::decode(wire::Bytes(buf_.data(), f.length), ctx_);
            buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(f.length));
            if (!wire::ok(r)) return protocol_error(std::get<wire::DecodeError>(r));
            if (!handle(std::get<wire::Message>(r))) return false;
        }
    }

    bool protocol_error(const wire::DecodeError& e) {
        emit("{\"event\":\"error\",\"text\":" + json_string(std::string("received: ") + e.reason) + "}");
        wire::Buffer out;
        wire::encode(wire::to_notification(e), out);
        write(out);
        return close();
    }

    bool handle(const wire::Message& m) {
        if (auto* o = std::get_if<wire::Open>(&m)) {
            peer_as_ = o->asn();
            ctx_.four_octet_as = o->caps.four_octet_as.has_value();
            ctx_.ibgp = peer_as_ == opt_.asn;
            hold_ = std::min(opt_.hold, o->hold_time);
            wire::Buffer k;
            wire::encode(wire::Keepalive{}, k);
            return write(k);
        }
        if (std::holds_alternative<wire::Keepalive>(m)) {
            if (!established_ && peer_as_) {
                established_ = true;
                keepalive_interval_ = std::chrono::milliseconds(hold_ * 1000 / 3);
                next_keepalive_ = Clock::now() + keepalive_interval_;
                emit("{\"event\":\"established\",\"peer_as\":" + std::to_string(peer_as_) +
                     ",\"hold\":" + std::to_string(hold_) + "}");
            }
            return true;
        }
        if (auto* n = std::get_if<wire::Notification>(&m)) {
            std::string line = "{\"event\":\"notification\",\"code\":" + std::to_string(n->code) +
                               ",\"subcode\":" + std::to_string(n->subcode) + ",\"text\":" + json_string(n->describe());
            if (auto s = n->shutdown_message()) line += ",\"shutdown_message\":" + json_string(*s);
            emit(line + "}");
            return close();
        }
        if (auto* u = std::get_if<wire::Update>(&m)) {
            static const std::vector<wire::Nlri> none;
            const auto& mp_nlri = u->mp_reach ? u->mp_reach->nlri : none;
            const auto& mp_wd = u->mp_unreach ? u->mp_unreach->withdrawn : none;
            // Treat-as-withdraw (RFC 7606): the announced prefixes count as withdrawn.
            bool twa = u->treat_as_withdraw_attr.has_value();
            std::vector<wire::Nlri> gone = u->withdrawn;
            gone.insert(gone.end(), mp_wd.begin(), mp_wd.end());
            if (twa) {
                gone.insert(gone.end(), u->nlri.begin(), u->nlri.end());
                gone.insert(gone.end(), mp_nlri.begin(), mp_nlri.end());
            }
            std::string line = "{\"event\":\"update\",\"nlri\":" +
                               (twa ? std::string("[]") : prefixes_json(u->nlri, &mp_nlri)) +
                               ",\"withdrawn\":" + prefixes_json(gone);
            if (twa) line += ",\"treat_as_withdraw\":" + std::to_string(*u->treat_as_withdraw_attr);
            if (u->attrs.as_path) line += ",\"as_path\":" + json_string(u->attrs.as_path->to_string());
            line += std::string(",\"end_of_rib\":") + (u->end_of_rib() ? "true" : "false") + "}";
            emit(line);
            return true;
        }
        return true;  // ROUTE-REFRESH: nothing to resend
    }

    tcp::socket sock_;
    const Options& opt_;
    wire::SessionContext ctx_;
    wire::Buffer buf_;
    uint32_t peer_as_ = 0;
    uint16_t hold_ = 0;
    bool established_ = false;
    std::chrono::milliseconds keepalive_interval_{0};
    Clock::time_point next_keepalive_{};

public:
    bool alive_ = false;
};

}  // namespace

int main(int argc, char** argv) {
    Options opt = parse(argc, argv);
    asio::io_context io;
    tcp::socket sock(io);
    boost::system::error_code ec;
    if (!opt.connect.empty()) {
        auto remote = parse_endpoint(opt.connect);
        sock.open(remote.protocol(), ec);
        if (!ec && !opt.bind.empty()) {
            auto local = asio::ip::make_address(opt.bind, ec);
            if (!ec) sock.bind({local, 0}, ec);
        }
        if (!ec) sock.connect(remote, ec);
        if (ec) {
            emit("{\"event\":\"error\",\"text\":" + json_string("connect: " + ec.message()) + "}");
            emit(R"({"event":"done","alive":false})");
            return 1;
        }
    } else {
        auto local = parse_endpoint(opt.listen);
        tcp::acceptor acc(io);
        acc.open(local.protocol(), ec);
        if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acc.bind(local, ec);
        if (!ec) acc.listen(1, ec);
        if (ec) {
            emit("{\"event\":\"error\",\"text\":" + json_string("listen: " + ec.message()) + "}");
            emit(R"({"event":"done","alive":false})");
            return 1;
        }
        auto bound = acc.local_endpoint(ec);
        emit("{\"event\":\"listening\",\"address\":" +
             json_string(bound.address().to_string() + ":" + std::to_string(bound.port())) + "}");
        acc.accept(sock, ec);
        if (ec) {
            emit("{\"event\":\"error\",\"text\":" + json_string("accept: " + ec.message()) + "}");
            emit(R"({"event":"done","alive":false})");
            return 1;
        }
    }
    Peer peer(std::move(sock), opt);
    peer.run();
    emit(std::string(R"({"event":"done","alive":)") + (peer.alive_ ? "true" : "false") + "}");
    return 0;
}
