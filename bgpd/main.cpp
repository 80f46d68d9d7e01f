// moatd: the Moat BGP daemon.
//   moatd -f FILE [--check] [--socket PATH] [--socket-group GROUP] [--log-level LEVEL]
// Loads the configuration (a bad file is refused with file:line:column and
// exit status 1), then runs the speaker and the control socket on one
// io_context thread. SIGINT/SIGTERM: Cease / Administrative Shutdown
// ("moatd stopping") to every peer, flush, exit 0. SIGHUP: the config file
// is read again and the difference applied without resetting the sessions it
// does not concern (like `moatctl reload`, see docs/configuration.md); a file
// with an error is refused as a whole and logged with file:line:column.
// SIGPIPE is ignored.
#include "bgpd/log.hpp"
#include "bgpd/speaker.hpp"
#include "cli/config_loader.hpp"
#include "cli/exec.hpp"
#include "cli/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace moat;
namespace log = moat::bgp::log;

void usage() {
    std::fputs("usage: moatd -f FILE [--check] [--socket PATH] [--socket-group GROUP]\n"
               "             [--log-level error|warning|notice|info|debug]\n",
               stderr);
}

struct Options {
    std::string file;
    bool check = false;
    std::optional<std::string> socket;
    std::optional<std::string> socket_group;
};

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string(argv[++i]);
        };
        if (a == "-f" || a == "--config") {
            auto v = value();
            if (!v) return usage(), 2;
            opt.file = *v;
        } else if (a == "--check" || a == "-n") {
            opt.check = true;
        } else if (a == "--socket" || a == "-s") {
            opt.socket = value();
            if (!opt.socket) return usage(), 2;
        } else if (a == "--socket-group") {
            opt.socket_group = value();
            if (!opt.socket_group) return usage(), 2;
        } else if (a == "--log-level" || a == "-l") {
            auto v = value();
            auto l = v ? log::parse_level(*v) : std::nullopt;
            if (!l) return usage(), 2;
            log::set_level(*l);
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    if (opt.file.empty()) return usage(), 2;

    auto loaded = cli::load_config_file(opt.file);
    if (auto* e = std::get_if<cli::ConfigError>(&loaded)) {
        std::fprintf(stderr, "%s\n", e->to_string().c_str());
        return 1;
    }
    auto config = std::get<bgp::Config>(std::move(loaded));
    if (opt.check) {
        std::fprintf(stderr, "%s: configuration OK\n", opt.file.c_str());
        return 0;
    }
    if (opt.socket) config.control_socket = *opt.socket;
    if (opt.socket_group) config.control_socket_group = *opt.socket_group;

    std::signal(SIGPIPE, SIG_IGN);
    try {
        boost::asio::io_context io;
        bgp::Speaker speaker(io, config);
        std::error_code path_error;
        auto config_path = std::filesystem::absolute(opt.file, path_error);
        speaker.set_config_path(path_error ? opt.file : config_path.string());

        std::error_code fs_error;
        auto dir = std::filesystem::path(config.control_socket).parent_path();
        if (!dir.empty()) std::filesystem::create_directories(dir, fs_error);
        cli::Server server(io, speaker, config.control_socket, config.control_socket_group);
        log::log(log::Level::notice, "moatd started, control socket {}{}", config.control_socket,
                 config.control_socket_group.empty() ? "" : " (group " + config.control_socket_group + ")");

        boost::asio::signal_set stop_signals(io, SIGINT, SIGTERM);
        boost::asio::signal_set hup(io, SIGHUP);
        boost::asio::steady_timer deadline(io);
        std::chrono::steady_clock::time_point until;
        std::function<void()> poll;
        std::function<void()> wait_hup = [&] {
            hup.async_wait([&](const boost::system::error_code& ec, int) {
                if (ec) return;
                log::log(log::Level::notice, "SIGHUP: reloading {}", speaker.config_path());
                std::string saved_socket = speaker.running_config().control_socket;
                std::string saved_group = speaker.running_config().control_socket_group;
                if (std::string e = cli::reload_config(speaker); !e.empty())
                    log::log(log::Level::error, "reload refused: {}", e);
                else
                    log::log(log::Level::notice, "reload done");
                if (speaker.running_config().control_socket != saved_socket)
                    log::log(log::Level::warning, "the control socket stays {} until moatd restarts", saved_socket);
                if (speaker.running_config().control_socket_group != saved_group)
                    log::log(log::Level::warning, "the control socket keeps its group until moatd restarts");
                wait_hup();
            });
        };
        wait_hup();
        stop_signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            log::log(log::Level::notice, "signal {}: stopping", sig);
            speaker.stop("moatd stopping");
            server.stop();
            hup.cancel();
            // The NOTIFICATIONs drain on their own; wait for them, a little.
            until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
            poll = [&] {
                if (bgp::open_connections() == 0 || std::chrono::steady_clock::now() >= until) {
                    io.stop();
                    return;
                }
                deadline.expires_after(std::chrono::milliseconds(20));
                deadline.async_wait([&](const boost::system::error_code& e) {
                    if (!e) poll();
                });
            };
            poll();
        });
        io.run();
        log::log(log::Level::notice, "moatd stopped");
    } catch (const std::exception& e) {
        log::log(log::Level::error, "{}", e.what());
        return 1;
    }
    return 0;
}
