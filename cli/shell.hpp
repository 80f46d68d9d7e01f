// moatctl without arguments: an interactive shell on one control socket
// connection (docs/cli.md, "Interactive use").
#pragma once

#include "cli/client.hpp"

namespace moat::cli {

// Reads commands until end of input or `exit`; returns moatctl's exit status.
int run_shell(Client& client);

}  // namespace moat::cli
