// The one Catch2 runner every unit-test binary links (compiled once): like
// CATCH_CONFIG_MAIN, plus SIGPIPE ignored as moatd does (rtrlib and OpenSSL
// write without MSG_NOSIGNAL).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

int main(int argc, char* argv[]) {
    std::signal(SIGPIPE, SIG_IGN);
    return Catch::Session().run(argc, argv);
}
