// See log.hpp.
#include "bgpd/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace moat::bgp::log {
namespace {

Level current = Level::info;

bool journal() {
    static const bool on = std::getenv("JOURNAL_STREAM") != nullptr;
    return on;
}

}  // namespace

std::optional<Level> parse_level(std::string_view t) {
    if (t == "error") return Level::error;
    if (t == "warning" || t == "warn") return Level::warning;
    if (t == "notice") return Level::notice;
    if (t == "info") return Level::info;
    if (t == "debug") return Level::debug;
    return std::nullopt;
}

std::string_view to_string(Level l) {
    switch (l) {
    case Level::error: return "error";
    case Level::warning: return "warning";
    case Level::notice: return "notice";
    case Level::info: return "info";
    case Level::debug: return "debug";
    }
    return "?";
}

void set_level(Level l) { current = l; }
Level level() { return current; }
bool enabled(Level l) { return static_cast<int>(l) <= static_cast<int>(current); }

void write(Level l, std::string_view line) {
    std::string out;
    if (journal()) {
        out = fmt::format("<{}>{}\n", static_cast<int>(l), line);
    } else {
        auto now = std::chrono::system_clock::now();
        std::time_t t = std::chrono::system_clock::to_time_t(now);
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        out = fmt::format("{}.{:03}Z {}: {}\n", stamp, ms, to_string(l), line);
    }
    std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace moat::bgp::log
