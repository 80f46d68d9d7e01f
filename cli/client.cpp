// The control socket client (see client.hpp). Blocking I/O: moatctl has
// nothing else to do while it waits for the daemon.
#include "cli/client.hpp"

#include "cli/protocol.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

#include <cstdlib>

namespace moat::cli {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

struct Client::Impl {
    asio::io_context io;
    local::socket socket{io};
    protocol::FrameReader reader;
};

Client::Client() : impl_(std::make_unique<Impl>()) {}
Client::~Client() = default;

std::string Client::connect(const std::string& path) {
    boost::system::error_code ec;
    impl_->socket.connect(local::endpoint(path), ec);
    if (ec) return "cannot connect to " + path + ": " + ec.message();
    return {};
}

Client::Result Client::run(std::string_view command, const std::function<void(std::string_view)>& on_data) {
    if (command.find('\n') != std::string_view::npos) return {Result::error, "% A command is one line", 0};
    std::string line(command);
    line += '\n';
    boost::system::error_code ec;
    asio::write(impl_->socket, asio::buffer(line), ec);
    if (ec) return {Result::broken, "write to the control socket failed: " + ec.message()};
    char buf[8192];
    for (;;) {
        while (auto f = impl_->reader.next()) {
            if (f->code == protocol::data) {
                on_data(f->payload);
                continue;
            }
            if (f->code == protocol::syntax_error) {
                // "COLUMN TEXT"
                auto blank = f->payload.find(' ');
                unsigned column = 0;
                for (size_t i = 0; i < blank && i < f->payload.size(); ++i) {
                    char c = f->payload[i];
                    if (c < '0' || c > '9' || column > 100000) break;
                    column = column * 10 + static_cast<unsigned>(c - '0');
                }
                std::string text = blank == std::string::npos ? f->payload : f->payload.substr(blank + 1);
                return {Result::error, std::move(text), column};
            }
            if (protocol::is_error(f->code)) return {Result::error, f->payload};
            return {Result::ok, {}};
        }
        if (impl_->reader.failed()) return {Result::broken, "malformed reply from the control socket"};
        size_t n = impl_->socket.read_some(asio::buffer(buf), ec);
        if (ec) {
            return {Result::broken, ec == asio::error::eof ? std::string("the daemon closed the connection")
                                                           : "read from the control socket failed: " + ec.message()};
        }
        impl_->reader.feed(std::string_view(buf, n));
    }
}

std::string default_socket_path() {
    if (const char* env = std::getenv("MOAT_SOCKET"); env && *env) return env;
    return "/run/moat/moatd.sock";
}

}  // namespace moat::cli
