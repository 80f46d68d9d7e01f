// The RPKI interface the RIB uses, and the composition of VRP sources.
//
// RoaSource is all the RIB sees: validate(), in_sync(), a delta handler
// called with batches of added/removed VRPs, and status records for
// `show rpki cache-connection` / `show rpki summary`.
//
// RoaSet is the RoaSource of the daemon: the union of several VrpSources
// (VRP files, rtrlib cache managers). Everything in it runs on the owner's
// thread: sources that have foreign threads (rtrlib) only queue records and
// call the notifier the owner gave them; the owner then calls poll(), which
// drains every source, applies settled changes, rebuilds the union index,
// diffs it against the previous snapshot, swaps, and calls the delta
// handler. poll() returns when it wants to be called again (settle timers,
// file checks), so the owner arms one timer.
#pragma once

#include "bgpd/wire/types.hpp"
#include "rtr/vrp.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace moat::rtr {

using Clock = std::chrono::steady_clock;

// Wakes the owner's thread; may be called from any thread, must not block.
using Notifier = std::function<void()>;

// Status of one cache or file.
struct SourceStatus {
    std::string type;   // "file", "tcp", "ssh", "tls"
    std::string where;  // "host:port" or the file path
    std::string state;  // "loaded", "error", "connecting", "syncing", "established", "standby", "down", "expired", ...
    uint8_t preference = 0;       // caches: lower is preferred; files: 0
    bool active = false;          // delivers VRPs right now (its set counts in the union)
    std::optional<uint32_t> serial;
    std::optional<uint32_t> session_id;
    size_t v4_vrps = 0, v6_vrps = 0;
    std::optional<std::chrono::system_clock::time_point> last_update;  // last complete set or delta
    std::string last_error;                                            // empty if none
};

struct RoaSummary {
    bool in_sync = false;
    size_t v4_vrps = 0, v6_vrps = 0;  // the union
    size_t sources = 0;
    std::optional<std::chrono::system_clock::time_point> last_change;
};

using DeltaHandler = std::function<void(const VrpDelta&)>;

class RoaSource {
public:
    virtual ~RoaSource() = default;
    // RFC 6811 origin validation against the current VRP set. Before
    // in_sync() the set may be partial: do not act on Invalid then.
    virtual Validity validate(const wire::Prefix& route, uint32_t origin_as) const = 0;
    virtual Validation explain(const wire::Prefix& route, uint32_t origin_as) const = 0;
    // True once every source has delivered its first complete set.
    virtual bool in_sync() const = 0;
    // Called on the owner's thread after each applied batch.
    virtual void set_delta_handler(DeltaHandler handler) = 0;
    virtual std::vector<SourceStatus> status() const = 0;
    virtual RoaSummary summary() const = 0;
};

// A producer of one VRP set. Called only on the owner's thread.
class VrpSource {
public:
    virtual ~VrpSource() = default;
    struct Poll {
        bool changed = false;          // vrps() or in_sync() changed
        Clock::time_point next = Clock::time_point::max();  // call poll() again by then
    };
    virtual Poll poll(Clock::time_point now) = 0;
    virtual const std::vector<Vrp>& vrps() const = 0;  // sorted, unique, well formed
    virtual bool in_sync() const = 0;
    virtual std::vector<SourceStatus> status() const = 0;
    // Operator request (`clear rpki`): reload a file / reconnect now. Optional.
    virtual void refresh() {}
};

class RoaSet final : public RoaSource {
public:
    RoaSet() = default;
    RoaSet(const RoaSet&) = delete;
    RoaSet& operator=(const RoaSet&) = delete;

    using SourceId = uint32_t;
    SourceId add(std::unique_ptr<VrpSource> source);
    void remove(SourceId id);  // its VRPs leave the union at the next poll()
    VrpSource* source(SourceId id) const;

    // Drains the sources and applies what settled. Returns the time by which
    // it wants to be called again (Clock::time_point::max() for never).
    Clock::time_point poll(Clock::time_point now = Clock::now());

    const VrpIndex& index() const { return index_; }

    // RoaSource
    Validity validate(const wire::Prefix& route, uint32_t origin_as) const override {
        return index_.validate(route, origin_as);
    }
    Validation explain(const wire::Prefix& route, uint32_t origin_as) const override {
        return index_.explain(route, origin_as);
    }
    bool in_sync() const override { return in_sync_; }
    void set_delta_handler(DeltaHandler handler) override { handler_ = std::move(handler); }
    std::vector<SourceStatus> status() const override;
    RoaSummary summary() const override;

private:
    struct Entry {
        SourceId id = 0;
        std::unique_ptr<VrpSource> source;
    };
    bool compute_in_sync() const;
    void rebuild();

    std::vector<Entry> sources_;
    SourceId next_id_ = 1;
    bool membership_changed_ = false;
    VrpIndex index_;
    bool in_sync_ = false;
    DeltaHandler handler_;
    std::optional<std::chrono::system_clock::time_point> last_change_;
};

}  // namespace moat::rtr
