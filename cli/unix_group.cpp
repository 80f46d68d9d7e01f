// See unix_group.hpp.
#include "cli/unix_group.hpp"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace moat::cli {

std::optional<gid_t> lookup_group(const std::string& name) {
    if (name.empty()) return std::nullopt;
    long size = ::sysconf(_SC_GETGR_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
    bool numeric = name.find_first_not_of("0123456789") == std::string::npos && name.size() <= 9;
    for (;;) {
        group g{};
        group* found = nullptr;
        int e = numeric ? ::getgrgid_r(static_cast<gid_t>(std::stoul(name)), &g, buf.data(), buf.size(), &found)
                        : ::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found);
        if (e == ERANGE && buf.size() < (1u << 24)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (e != 0 || !found) return std::nullopt;
        return found->gr_gid;
    }
}

}  // namespace moat::cli
