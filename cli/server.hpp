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
    // Binds path (replacing a stale socket file), mode 0660; with a group
    // (name or gid), the socket file is given that group. Throws on failure,
    // e.g. when the group does not exist.
    Server(boost::asio::io_context& io, bgp::Control& control, std::string path, const std::string& group = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace moat::cli
