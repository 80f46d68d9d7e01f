// A UNIX group by name or number, for `control socket group` (the group the
// control socket is given, so its members may use moatctl).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace moat::cli {

// The gid of group `name` (a name from the group database, or a decimal
// gid that exists there); nothing when there is no such group.
std::optional<gid_t> lookup_group(const std::string& name);

}  // namespace moat::cli
