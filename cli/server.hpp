// The control socket: a UNIX stream socket on the daemon's event loop that
// answers moatctl's commands from the command tree, reading the daemon only
// through bgp::Control. Framing: see docs/cli-protocol.md.
#pragma once

#include "bgpd/control.hpp"

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

namespace moat::cli {

class Server {
public:
    // Binds path (replacing a stale socket file), mode 0660. Throws on failure.
    Server(boost::asio::io_context& io, bgp::Control& control, std::string path);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace moat::cli
