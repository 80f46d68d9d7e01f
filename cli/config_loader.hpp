// Loading and printing the configuration file. The file is a list of commands
// of the one command language (see cli/commands.hpp); a file with any error is
// refused as a whole, with file, line and column.
#pragma once

#include "bgpd/config.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace moat::cli {

struct ConfigError {
    std::string file;
    unsigned line = 0;    // 1-based
    unsigned column = 0;  // 1-based, the first character of the offending word
    std::string message;
    std::string to_string() const;  // "moatd.conf:12:20: error: ..."
};

using LoadResult = std::variant<bgp::Config, ConfigError>;

LoadResult load_config_file(const std::string& path);
LoadResult load_config_text(std::string_view text, const std::string& name = "<text>");

// Prints a config that load_config_text() turns back into an equal Config.
std::string render_config(const bgp::Config& c);

}  // namespace moat::cli
