// The control socket client used by moatctl: connect once, then run commands
// one after the other on the same connection (one-shot mode runs one; an
// interactive shell runs many).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace moat::cli {

class Client {
public:
    Client();
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Returns an error text ("cannot connect to /run/moat/moatd.sock: No such
    // file or directory"), empty on success.
    std::string connect(const std::string& path);

    struct Result {
        enum Status { ok, error, broken } status = ok;  // broken: connection or framing failure
        std::string message;  // the server's error text, or what broke
        unsigned column = 0;  // a syntax error: the 1-based column of the offending word
    };
    // Sends one command; each slice of the reply body goes to on_data as it arrives.
    Result run(std::string_view command, const std::function<void(std::string_view)>& on_data);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The socket moatctl uses: -s wins, then $MOAT_SOCKET, then /run/moat/moatd.sock.
std::string default_socket_path();

}  // namespace moat::cli
