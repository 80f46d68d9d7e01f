// Shared by the tests of the config language: loading a text that must load.
#pragma once

#include "bgpd/config.hpp"
#include "cli/config_loader.hpp"

#include <catch2/catch.hpp>

#include <string_view>
#include <variant>

namespace moat::cli::test {

// The Config that `text` loads to; fails the test case with the loader's
// error (line:column and message) when it does not load.
inline bgp::Config load_ok(std::string_view text) {
    auto r = load_config_text(text);
    if (auto* e = std::get_if<ConfigError>(&r)) FAIL(e->to_string());
    return std::get<bgp::Config>(r);
}

}  // namespace moat::cli::test
