// moatctl: sends one command to moatd's control socket and prints the reply,
// or, without a command, runs an interactive shell (shell.cpp).
//
//   moatctl [-s SOCKET] [COMMAND...]
//
// Exit status: 0 success, 1 the daemon answered with an error (printed on
// stderr), 2 no connection (or it broke), 64 bad usage.
#include "cli/client.hpp"
#include "cli/grammar.hpp"
#include "cli/shell.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

void usage(FILE* out) {
    std::fputs(
        "usage: moatctl [-s SOCKET] [COMMAND...]\n"
        "  without a command: an interactive shell\n"
        "  -s SOCKET  control socket (default: $MOAT_SOCKET, else /run/moat/moatd.sock)\n"
        "examples:\n"
        "  moatctl show bgp summary\n"
        "  moatctl show bgp neighbors 192.0.2.1 json\n"
        "  moatctl neighbor 192.0.2.1 shutdown \"maintenance until 18:00\"\n",
        out);
}

}  // namespace

int main(int argc, char** argv) {
    std::string socket = moat::cli::default_socket_path();
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-s" || a == "--socket") {
            if (i + 1 >= argc) {
                usage(stderr);
                return 64;
            }
            socket = argv[++i];
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else if (a == "--") {
            ++i;
            break;
        } else if (a.size() > 1 && a[0] == '-') {
            std::fprintf(stderr, "moatctl: unknown option %s\n", a.c_str());
            usage(stderr);
            return 64;
        } else {
            break;
        }
    }
    if (i >= argc) {
        moat::cli::Client client;
        if (std::string err = client.connect(socket); !err.empty()) {
            std::fprintf(stderr, "moatctl: %s\n", err.c_str());
            return 2;
        }
        return moat::cli::run_shell(client);
    }
    // Rebuild the command line; an argument the shell kept together (it had
    // blanks) is quoted so the daemon sees it as one word.
    std::string command;
    for (; i < argc; ++i) {
        if (!command.empty()) command += ' ';
        command += moat::cli::quote_if_needed(argv[i]);
    }

    moat::cli::Client client;
    if (std::string err = client.connect(socket); !err.empty()) {
        std::fprintf(stderr, "moatctl: %s\n", err.c_str());
        return 2;
    }
    auto r = client.run(command, [](std::string_view data) { std::fwrite(data.data(), 1, data.size(), stdout); });
    std::fflush(stdout);
    switch (r.status) {
    case moat::cli::Client::Result::ok: return 0;
    case moat::cli::Client::Result::error: std::fprintf(stderr, "%s\n", r.message.c_str()); return 1;
    case moat::cli::Client::Result::broken: std::fprintf(stderr, "moatctl: %s\n", r.message.c_str()); return 2;
    }
    return 2;
}
