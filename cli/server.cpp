// The control socket server (see server.hpp, docs/cli-protocol.md).
//
// One Connection per client: read a line, run it through the exec command
// table, write the reply in slices with one async_write in flight; the next
// slice is produced only when the previous one is on its way. Requests that
// arrive while a reply is being written wait in the read buffer.
#include "cli/server.hpp"

#include "cli/commands.hpp"
#include "cli/configure.hpp"
#include "cli/exec.hpp"
#include "cli/protocol.hpp"
#include "cli/unix_group.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <istream>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>

namespace moat::cli {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

constexpr size_t max_clients = 64;

class Connection;

// `do COMMAND` in configuration mode runs an exec command (vty style). The
// words after `do` and where they start in the line; nothing when the line
// is not a `do` command.
struct DoCommand {
    std::string_view rest;
    size_t offset = 0;  // of rest in the line
};

std::optional<DoCommand> as_do(std::string_view line) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos || line.compare(b, 2, "do") != 0) return std::nullopt;
    size_t e = b + 2;
    if (e < line.size() && line[e] != ' ' && line[e] != '\t') return std::nullopt;
    size_t r = line.find_first_not_of(" \t\r", e);
    if (r == std::string_view::npos) return DoCommand{{}, line.size()};
    return DoCommand{line.substr(r), r};
}

constexpr const char* do_help = "Run an exec command (show, clear, write, ...) from configuration mode";

struct Shared {
    bgp::Control& control;
    std::set<std::shared_ptr<Connection>> connections;
    bool stopped = false;
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(local::socket socket, std::shared_ptr<Shared> shared)
        : socket_(std::move(socket)), shared_(std::move(shared)), input_(protocol::max_request + 1) {}

    void start() { do_read(); }

    void stop() {
        boost::system::error_code ignored;
        socket_.shutdown(local::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

private:
    void do_read() {
        asio::async_read_until(socket_, input_, '\n',
                               [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                                   self->on_read(ec, n);
                               });
    }

    void on_read(boost::system::error_code ec, size_t n) {
        if (shared_->stopped) return;
        if (ec == asio::error::not_found) {  // the buffer is full and holds no newline
            output_.reset();
            close_after_write_ = true;
            write(protocol::encode_frame(protocol::request_too_long,
                                         "% Request longer than " + std::to_string(protocol::max_request) + " bytes"));
            return;
        }
        if (ec) {
            finish();
            return;
        }
        std::string line(asio::buffers_begin(input_.data()), asio::buffers_begin(input_.data()) + static_cast<long>(n));
        input_.consume(n);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        ExecResult r;
        error_code_ = protocol::error;
        try {
            r = dispatch(line);
        } catch (const std::exception& e) {  // a failing command must not take the daemon down
            r = ExecResult{false, std::string("% Internal error: ") + e.what(), nullptr};
        }
        if (!r.ok) {
            write(protocol::encode_frame(error_code_, r.error));
            return;
        }
        output_ = std::move(r.output);
        pump();
    }

    static ExecResult text(std::string s) { return ExecResult{true, {}, std::make_unique<TextOutput>(std::move(s))}; }
    static ExecResult fail(std::string s) { return ExecResult{false, std::move(s), nullptr}; }
    ExecResult syntax(unsigned column, std::string message) {
        if (column == 0) return fail(std::move(message));
        error_code_ = protocol::syntax_error;
        return fail(std::to_string(column) + " " + message);
    }

    // "exec enable moat": the node, the privilege and the hostname, for the
    // shell's prompt.
    std::string mode() const {
        if (closed_) return "closed\n";
        std::string node = "exec";
        const bgp::Config* cfg = &shared_->control.running_config();
        if (config_) {
            node = config_->node() == ConfigSession::Node::router_bgp  ? "config-router"
                   : config_->node() == ConfigSession::Node::route_map ? "config-route-map"
                                                                       : "config";
            cfg = &config_->candidate();
        }
        return node + (privileged_ ? " enable " : " view ") + cfg->hostname + "\n";
    }

    // One request: the session requests (complete, mode), a command of
    // configuration mode, or an exec command.
    ExecResult dispatch(std::string_view line) {
        if (line == "mode") return text(mode());
        if (line == "complete" || line.starts_with("complete ")) {
            std::string_view rest = line.size() > 9 ? line.substr(9) : std::string_view();
            auto list = config_ ? config_complete(rest) : complete(Node::exec, rest);
            std::string out;
            for (const auto& c : list) out += c.word + "\t" + c.help + "\n";
            return text(std::move(out));
        }
        bgp::Control& control = shared_->control;
        if (config_) {
            if (auto d = as_do(line)) return run_do(*d);
            auto r = config_->enter(line);
            if (!r.ok) return syntax(r.column, r.error);
            if (!r.leave) return text("");
            bgp::Config candidate = config_->candidate();
            config_.reset();
            if (candidate == control.running_config()) return text("");
            std::string e = control.apply_config(candidate);
            if (!e.empty()) return fail("% " + e);
            return text("");
        }
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) return text("");
        auto m = match(node_syntax(Node::exec), line);
        if (m.index() == 1) return syntax(std::get<1>(m).column, std::get<1>(m).to_string());
        const Match& cmd = std::get<0>(m);
        const ExecCommand& what = exec_command(cmd.index);
        if (what.kind == ExecKind::privileged && !privileged_)
            return syntax(1, "% This command needs privileges: use 'enable' first");
        if (what.kind != ExecKind::session) return run_exec(control, cmd);
        if (what.pattern == "enable") {
            privileged_ = true;
        } else if (what.pattern == "disable") {
            privileged_ = false;
        } else if (what.pattern == "exit" || what.pattern == "quit") {
            closed_ = true;
        } else if (what.pattern == "configure terminal") {
            if (!privileged_) return syntax(1, "% This command needs privileges: use 'enable' first");
            config_ = std::make_unique<ConfigSession>(control.running_config());
        }
        return text("");
    }

    // Completion in configuration mode: after `do `, the exec node's; else
    // the node's commands and `do` itself.
    std::vector<Completion> config_complete(std::string_view rest) const {
        size_t b = std::min(rest.size(), rest.find_first_not_of(" \t"));
        std::string_view first = rest.substr(b, rest.find_first_of(" \t", b) - b);
        if (first == "do" && b + 2 < rest.size()) return complete(Node::exec, rest.substr(b + 3));
        auto list = config_->complete(rest);
        if (b + first.size() == rest.size() && std::string_view("do").starts_with(first)) {
            auto at = std::find_if(list.begin(), list.end(),
                                   [](const Completion& c) { return c.word == "<cr>" || c.word > "do"; });
            list.insert(at, Completion{"do", do_help});
        }
        return list;
    }

    ExecResult run_do(const DoCommand& d) {
        const unsigned offset = static_cast<unsigned>(d.offset);
        if (d.rest.empty()) return syntax(offset + 1, "% Command incomplete: 'do' needs an exec command");
        auto m = match(node_syntax(Node::exec), d.rest);
        if (m.index() == 1) return syntax(std::get<1>(m).column + offset, std::get<1>(m).to_string());
        const Match& cmd = std::get<0>(m);
        const ExecCommand& what = exec_command(cmd.index);
        if (what.kind == ExecKind::session)
            return syntax(offset + 1, "% '" + std::string(what.pattern) + "' cannot be run with 'do'");
        return run_exec(shared_->control, cmd);
    }

    // Produces the next slice of the current reply and writes it.
    void pump() {
        std::string slice;
        bool more = false;
        try {
            more = output_ && output_->next(slice, protocol::slice_size);
        } catch (const std::exception& e) {
            output_.reset();
            write(protocol::encode_frame(protocol::error, std::string("% Internal error: ") + e.what()));
            return;
        }
        std::string frame;
        if (!slice.empty()) frame = protocol::encode_frame(protocol::data, slice);
        if (!more) {
            frame += protocol::encode_frame(protocol::ok, {});
            output_.reset();
        }
        write(std::move(frame));
    }

    void write(std::string bytes) {
        pending_ = std::move(bytes);
        asio::async_write(socket_, asio::buffer(pending_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) { self->on_write(ec); });
    }

    void on_write(boost::system::error_code ec) {
        if (shared_->stopped) return;
        if (ec || close_after_write_) {
            finish();
            return;
        }
        if (output_)
            pump();
        else
            do_read();
    }

    void finish() {
        stop();
        shared_->connections.erase(shared_from_this());
    }

    local::socket socket_;
    std::shared_ptr<Shared> shared_;
    asio::streambuf input_;
    std::unique_ptr<Output> output_;  // the reply being written, if any
    std::string pending_;             // the bytes of the write in flight
    bool close_after_write_ = false;
    uint16_t error_code_ = protocol::error;
    // Session state: one-shot clients are privileged; the shell starts with
    // `disable` and asks for `enable`.
    bool privileged_ = true;
    bool closed_ = false;                     // exit / quit: the shell leaves
    std::unique_ptr<ConfigSession> config_;  // in configuration mode
};

// Removes a socket file left by a daemon that is gone; refuses to touch
// anything else, or a socket someone still answers on.
void remove_stale(asio::io_context& io, const std::string& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) return;
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket");
    local::socket probe(io);
    boost::system::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) throw std::runtime_error("another process is listening on " + path);
    if (::unlink(path.c_str()) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot remove stale socket " + path);
}

}  // namespace

struct Server::Impl {
    Impl(asio::io_context& io_, bgp::Control& control, std::string path_)
        : io(io_), path(std::move(path_)), acceptor(io_), shared(std::make_shared<Shared>(Shared{control, {}, false})) {}

    void do_accept() {
        acceptor.async_accept([this, shared = shared](boost::system::error_code ec, local::socket socket) {
            if (shared->stopped || ec == asio::error::operation_aborted) return;
            if (!ec) {
                if (shared->connections.size() >= max_clients) {
                    boost::system::error_code ignored;
                    socket.close(ignored);
                } else {
                    auto c = std::make_shared<Connection>(std::move(socket), shared);
                    shared->connections.insert(c);
                    c->start();
                }
            }
            do_accept();
        });
    }

    asio::io_context& io;
    std::string path;
    local::acceptor acceptor;
    std::shared_ptr<Shared> shared;
};

Server::Server(asio::io_context& io, bgp::Control& control, std::string path, const std::string& group)
    : impl_(std::make_unique<Impl>(io, control, std::move(path))) {
    const std::string& p = impl_->path;
    std::optional<gid_t> gid;
    if (!group.empty() && !(gid = lookup_group(group)))
        throw std::runtime_error("control socket group '" + group + "' does not exist");
    remove_stale(io, p);
    local::endpoint ep(p);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.bind(ep);
    if (::chmod(p.c_str(), 0660) != 0) {
        int e = errno;
        ::unlink(p.c_str());
        throw std::system_error(e, std::generic_category(), "cannot set the mode of " + p);
    }
    if (gid && ::chown(p.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
        int e = errno;
        ::unlink(p.c_str());
        throw std::system_error(e, std::generic_category(), "cannot give " + p + " the group '" + group + "'");
    }
    impl_->acceptor.listen();
    impl_->do_accept();
}

Server::~Server() { stop(); }

void Server::stop() {
    if (!impl_ || impl_->shared->stopped) return;
    impl_->shared->stopped = true;
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    for (const auto& c : impl_->shared->connections) c->stop();
    impl_->shared->connections.clear();
    ::unlink(impl_->path.c_str());
}

}  // namespace moat::cli
