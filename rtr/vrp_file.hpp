// VRP JSON files as written by rpki-client (-j), Routinator (--format json)
// and read by StayRTR:
//   {"metadata":{"buildtime":"...","generated":1700000000,...},
//    "roas":[{"prefix":"104.20.0.0/20","maxLength":20,"asn":"AS13335","ta":"..."}]}
// "asn" is "AS13335", "13335" or 13335; "maxLength" defaults to the prefix
// length when absent; unknown members (ta, expires, aspas,
// provider_authorizations, ...) are checked for JSON syntax and skipped. A
// prefix with host bits set, a maxLength outside [len, 32|128] or an AS
// number above 2^32-1 is an error. The reader is strict JSON (RFC 8259):
// errors name the line and column.
//
// VrpFileSource is a VrpSource on such a file: it reloads it when its
// modification time, size or inode changes (checked at most every
// check_interval from poll()). A file that fails to load keeps the last good
// set and reports the error.
#pragma once

#include "rtr/roa_source.hpp"
#include "rtr/vrp.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moat::rtr {

struct VrpFileError {
    std::string message;
    size_t line = 0, column = 0;  // 1-based; 0 when not about a position (I/O errors)
    std::string to_string() const;
};

struct VrpFile {
    std::vector<Vrp> vrps;               // in file order
    std::optional<int64_t> generated;    // metadata.generated (UNIX time)
    std::string buildtime;               // metadata.buildtime
};

struct VrpFileResult {
    std::optional<VrpFile> file;  // set on success
    VrpFileError error;           // set on failure
    bool ok() const { return file.has_value(); }
};

VrpFileResult parse_vrp_json(std::string_view text);
VrpFileResult load_vrp_file(const std::string& path);

class VrpFileSource final : public VrpSource {
public:
    explicit VrpFileSource(std::string path,
                           std::chrono::milliseconds check_interval = std::chrono::seconds(10));

    // Checks the file now; reloads it if it changed (or force). Returns the
    // difference to the previous set, or nullopt if nothing was loaded
    // (unchanged, or an error: see status()).
    std::optional<VrpDiff> reload_if_changed(bool force = false);

    const std::string& path() const { return path_; }

    // VrpSource
    Poll poll(Clock::time_point now) override;
    const std::vector<Vrp>& vrps() const override { return vrps_; }
    bool in_sync() const override { return loaded_; }
    std::vector<SourceStatus> status() const override;
    void refresh() override { force_ = true; }

private:
    struct Stamp {
        int64_t mtime_ns = 0;
        int64_t size = -1;
        uint64_t inode = 0;
        bool operator==(const Stamp&) const = default;
    };
    std::optional<Stamp> stat_file(std::string& error) const;

    std::string path_;
    std::chrono::milliseconds interval_;
    Clock::time_point next_check_{};
    std::optional<Stamp> stamp_;
    std::vector<Vrp> vrps_;  // sorted, unique
    bool loaded_ = false;
    bool force_ = false;
    uint32_t loads_ = 0;
    std::string error_;
    std::optional<std::chrono::system_clock::time_point> last_update_;
};

}  // namespace moat::rtr
