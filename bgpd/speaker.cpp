// See speaker.hpp.
#include "bgpd/speaker.hpp"

#include "bgpd/log.hpp"
#include "bgpd/socket_options.hpp"

#include <boost/asio/ip/v6_only.hpp>

#include <ifaddrs.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <cstring>
#include <stdexcept>

namespace moat::bgp {

namespace asio = boost::asio;
using asio::ip::tcp;

uint32_t default_router_id(const BgpConfig& c) {
    uint32_t best = 0;
    for (const auto& l : c.listen_addresses)
        if (l.address.is_v4()) best = std::max(best, l.address.v4_value());
    if (best != 0) return best;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (auto* i = list; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
            sockaddr_in sin;
            std::memcpy(&sin, i->ifa_addr, sizeof sin);
            uint32_t a = ntohl(sin.sin_addr.s_addr);
            if ((a >> 24) != 127) best = std::max(best, a);
        }
        freeifaddrs(list);
    }
    return best != 0 ? best : 0x7f000001;
}

Speaker::Speaker(asio::io_context& io, Config config, SpeakerOptions options)
    : io_(io), config_(std::move(config)), options_(options) {
    rpki_ = std::make_unique<Rpki>(io_, config_);
    if (!config_.bgp) return;
    const BgpConfig& b = *config_.bgp;
    local_.asn = b.asn;
    local_.router_id = b.router_id.value_or(default_router_id(b));
    log::log(log::Level::notice, "BGP AS {}, router ID {}", local_.asn, wire::IpAddress::v4(local_.router_id).to_string());

    if (b.listen) {
        if (b.listen_addresses.empty()) {
            open_listener(wire::IpAddress::v4(0), b.listen_port);
            wire::IpAddress any6;
            any6.v6 = true;
            open_listener(any6, b.listen_port);
        } else {
            for (const auto& l : b.listen_addresses) open_listener(l.address, b.listen_port);
        }
        if (acceptors_.empty()) throw std::runtime_error("no BGP listener could be opened");
    }
    routing_ = std::make_unique<Routing>(io_, b, local_.router_id, config_.policy);
    rpki_->attach(routing_.get());
    routing_->set_multipath(b.multipath);
    routing_->set_fib(config_.fib);
    for (const auto& n : b.neighbors) {
        auto peer = std::make_unique<Peer>(io_, n, local_, *routing_, options_.backoff, options_.session);
        if (!n.password.empty()) {
            for (const auto& a : acceptors_) {
                bool v6 = a->local_endpoint().address().is_v6();
                if (v6 != n.address.v6) continue;
                if (auto e = set_tcp_md5(a->native_handle(), n.address, n.password); !e.empty())
                    log::log_peer(n.address, log::Level::error, "listener: {}", e);
            }
        }
        if (n.ttl_security_hops) {
            // GTSM: the SYN-ACK leaves from the listener, so it must carry TTL 255 too.
            for (const auto& a : acceptors_) {
                if (a->local_endpoint().address().is_v6() != n.address.v6) continue;
                if (auto e = set_gtsm_listener(a->native_handle(), n.address.v6); !e.empty())
                    log::log_peer(n.address, log::Level::error, "listener: {}", e);
            }
        }
        peers_.emplace(n.address, std::move(peer));
    }
    for (size_t i = 0; i < acceptors_.size(); ++i) do_accept(i);
    if (options_.start_peers) start_peers();
}

void Speaker::start_peers() {
    if (peers_started_ || stopped_) return;
    peers_started_ = true;
    for (auto& [a, p] : peers_) p->start();
}

Speaker::~Speaker() {
    if (rpki_) rpki_->attach(nullptr);
    for (auto& a : acceptors_) {
        boost::system::error_code ignored;
        a->close(ignored);
    }
}

void Speaker::open_listener(const wire::IpAddress& address, uint16_t port) {
    tcp::endpoint ep(to_asio(address), port);
    auto a = std::make_unique<tcp::acceptor>(io_);
    boost::system::error_code ec;
    a->open(ep.protocol(), ec);
    if (!ec) a->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && address.v6) a->set_option(asio::ip::v6_only(true), ec);
    if (!ec) a->bind(ep, ec);
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        log::log(log::Level::error, "cannot listen on [{}]:{}: {}", address.to_string(), port, ec.message());
        return;
    }
    log::log(log::Level::info, "listening on [{}]:{}", address.to_string(), a->local_endpoint().port());
    acceptors_.push_back(std::move(a));
}

std::vector<uint16_t> Speaker::listen_ports() const {
    std::vector<uint16_t> r;
    for (const auto& a : acceptors_) {
        boost::system::error_code ec;
        auto ep = a->local_endpoint(ec);
        r.push_back(ec ? 0 : ep.port());
    }
    return r;
}

void Speaker::do_accept(size_t index) {
    acceptors_[index]->async_accept([this, index](const boost::system::error_code& ec, tcp::socket s) {
        if (ec == asio::error::operation_aborted || stopped_) return;
        if (!ec) {
            boost::system::error_code e2;
            auto remote = s.remote_endpoint(e2);
            if (!e2) {
                auto addr = from_asio(remote.address());
                if (Peer* p = find(addr)) {
                    p->accept(std::move(s));
                } else {
                    log::log(log::Level::info, "connection from {} refused: not a configured neighbor",
                             addr.to_string());
                    s.close(e2);
                }
            }
        } else {
            log::log(log::Level::warning, "accept: {}", ec.message());
        }
        do_accept(index);
    });
}

Peer* Speaker::find(const wire::IpAddress& a) const {
    auto it = peers_.find(a);
    return it == peers_.end() ? nullptr : it->second.get();
}

void Speaker::stop(const std::string& message) {
    if (stopped_) return;
    stopped_ = true;
    for (auto& a : acceptors_) {
        boost::system::error_code ignored;
        a->close(ignored);
    }
    for (auto& [a, p] : peers_) p->stop_for_exit(message);
}

std::vector<PeerView> Speaker::peer_views() const {
    std::vector<PeerView> r;
    r.reserve(peers_.size());
    for (const auto& [a, p] : peers_) r.push_back(p->view());
    return r;
}

const Config& Speaker::running_config() const { return config_; }

std::unique_ptr<RouteWalk> Speaker::routes(const RouteQuery& q, std::string& error) {
    if (!routing_) {
        error = "BGP is not configured";
        return nullptr;
    }
    return routing_->walk(q, q.table == RouteTable::loc_rib ? nullptr : find(q.neighbor), error);
}

MemoryView Speaker::memory() const { return routing_ ? routing_->memory() : MemoryView{}; }

fib::FibCounters Speaker::fib_counters() const {
    if (routing_ && routing_->fib()) return routing_->fib()->counters();
    fib::FibCounters c;
    c.enabled = config_.fib.enabled;
    c.state = config_.fib.enabled ? "waiting for router bgp" : "off";
    return c;
}

std::vector<Control::NextHopView> Speaker::next_hops() const {
    std::vector<NextHopView> out;
    if (!routing_) return out;
    for (auto& n : routing_->next_hops()) out.push_back(NextHopView{n.address, n.connected_only, n.resolution});
    return out;
}

std::vector<fib::FibRoute> Speaker::fib_routes(std::optional<wire::Afi> afi, const std::optional<wire::Prefix>& under,
                                               size_t limit) const {
    if (!routing_ || !routing_->fib()) return {};
    return routing_->fib()->routes(afi, under, limit);
}

RejectedList Speaker::rejected(const RejectedQuery& q, std::string& error) {
    if (!routing_) {
        error = "BGP is not configured";
        return {};
    }
    if (q.neighbor && !find(*q.neighbor)) {
        error = "no such neighbor: " + q.neighbor->to_string();
        return {};
    }
    return routing_->rejected(q, error);
}

PeerLockView Speaker::peer_lock() const {
    if (!routing_ || !config_.bgp) return {};
    return routing_->peer_lock(*config_.bgp);
}

std::string Speaker::neighbor_soft_reset(const wire::IpAddress& a, bool in, bool out) {
    Peer* p = find(a);
    if (!p || !routing_) return "no such neighbor: " + a.to_string();
    return routing_->soft_reset(*p, in, out);
}

std::string Speaker::neighbor_shutdown(const wire::IpAddress& a, bool down, std::string message) {
    Peer* p = find(a);
    if (!p) return "no such neighbor: " + a.to_string();
    p->shutdown(down, message);
    for (auto& n : config_.bgp->neighbors) {
        if (n.address != a) continue;
        n.shutdown = down;
        n.shutdown_message = down ? std::move(message) : std::string();
    }
    return {};
}

std::string Speaker::neighbor_clear(const wire::IpAddress& a) {
    Peer* p = find(a);
    if (!p) return "no such neighbor: " + a.to_string();
    p->clear();
    return {};
}

}  // namespace moat::bgp
