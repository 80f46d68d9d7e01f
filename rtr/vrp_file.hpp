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
#pragma once

#include "rtr/roa_source.hpp"
#include "rtr/vrp.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
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

// simdjson (DOM, fully validating) reads the file; when it refuses it, or a
// ROA in it is wrong, the strict reader below runs over the same text to say
// where and why (line and column), so a good file costs one fast pass (about
// 150 ms of CPU for 39 MB, on the RPKI worker thread: the event loop never
// waits for it) and a broken one still gets a precise error.
VrpFileResult parse_vrp_json(std::string_view text);
VrpFileResult load_vrp_file(const std::string& path);

// A VRP file as one source: reloaded when its modification time, size or
// inode changes (checked at most every check_interval from poll()), parsed
// on the worker when bound to one. A file that fails to load keeps the last
// good set in force and reports the error. The VRPs live only in the set's
// index: the source hands over the whole new set and the set works out the
// difference.
class VrpFileSource final : public VrpSource {
public:
    explicit VrpFileSource(std::string path,
                           std::chrono::milliseconds check_interval = std::chrono::seconds(10));

    const std::string& path() const { return path_; }

    // VrpSource
    Poll poll(Clock::time_point now, Update& out) override;
    bool in_sync() const override { return loaded_; }
    std::vector<SourceStatus> status() const override;
    void refresh() override { force_ = true; }
    void bind(Worker& worker, Notifier notify) override {
        worker_ = &worker;
        notify_ = std::move(notify);
    }

private:
    struct Stamp {
        int64_t mtime_ns = 0;
        int64_t size = -1;
        uint64_t inode = 0;
        bool operator==(const Stamp&) const = default;
    };
    // One load, done on the worker (or inline) and taken by poll().
    struct Load {
        std::mutex mutex;
        bool done = false;
        VrpFileResult result;
    };
    std::optional<Stamp> stat_file(std::string& error) const;
    bool take(Update& out);

    std::string path_;
    std::chrono::milliseconds interval_;
    Clock::time_point next_check_{};
    std::optional<Stamp> stamp_;
    bool loaded_ = false;
    bool force_ = false;
    uint32_t loads_ = 0;
    std::string error_;
    std::optional<std::chrono::system_clock::time_point> last_update_;
    Worker* worker_ = nullptr;
    Notifier notify_;
    std::shared_ptr<Load> load_;  // in flight
};

}  // namespace moat::rtr
