// Logging for moatd: one line per event on stderr. When stderr is the systemd
// journal (JOURNAL_STREAM is set) each line starts with an sd-daemon "<N>"
// priority marker instead of a timestamp, so journald keeps the level.
// Peer-prefixed helpers keep the peer first on every line. Never used by the
// codec, never per route.
#pragma once

#include "bgpd/wire/types.hpp"

#include <fmt/core.h>

#include <optional>
#include <string>
#include <string_view>

namespace moat::bgp::log {

enum class Level : uint8_t { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

std::optional<Level> parse_level(std::string_view text);  // "error" ... "debug"
std::string_view to_string(Level l);

void set_level(Level l);
Level level();
bool enabled(Level l);

// Writes one line (a trailing newline is added).
void write(Level l, std::string_view line);

template <typename... Args>
void log(Level l, fmt::format_string<Args...> f, Args&&... args) {
    if (!enabled(l)) return;
    write(l, fmt::format(f, std::forward<Args>(args)...));
}

// "neighbor 192.0.2.1: <message>"
template <typename... Args>
void log_peer(const wire::IpAddress& peer, Level l, fmt::format_string<Args...> f, Args&&... args) {
    if (!enabled(l)) return;
    write(l, "neighbor " + peer.to_string() + ": " + fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace moat::bgp::log
