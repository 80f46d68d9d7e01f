// Helpers shared by the in-process speaker tests: parsing shorthands, a free
// port on a loopback address, running the loop until a condition holds, and
// quiet logs (MOAT_TEST_LOG=debug shows the sessions' logs).
#pragma once

#include "bgpd/log.hpp"
#include "bgpd/wire/types.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>

namespace moat::test {

inline wire::IpAddress ip(const char* s) { return *wire::IpAddress::parse(s); }
inline wire::Prefix pfx(const char* s) { return *wire::Prefix::parse(s); }

// A port that was free a moment ago on this address.
inline uint16_t free_port(const char* address) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address(address), 0});
    return a.local_endpoint().port();
}

inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
        if (done()) return true;
    }
    return false;
}

struct Quiet {
    Quiet() : before(bgp::log::level()) {
        const char* e = std::getenv("MOAT_TEST_LOG");
        bgp::log::set_level(e ? bgp::log::parse_level(e).value_or(bgp::log::Level::warning)
                              : bgp::log::Level::warning);
    }
    ~Quiet() { bgp::log::set_level(before); }
    bgp::log::Level before;
};

}  // namespace moat::test
