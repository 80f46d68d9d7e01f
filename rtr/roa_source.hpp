// The composition of VRP sources, and the interface of the set they make.
//
// RoaSource: validate(), in_sync(), a delta handler called with batches of
// added/removed VRPs, and status records for `show rpki cache-connection` /
// `show rpki summary`. The RIB itself validates against VrpIndex snapshots
// (rib/origin_validation.hpp) that the daemon's RPKI driver takes from here.
//
// RoaSet is the RoaSource of the daemon: the union of several VrpSources
// (VRP files, rtrlib caches), stored once in one VrpIndex where each VRP
// carries the mask of the sources that hold it (a cache or a file is one
// source number, at most max_sources in all). It runs on the owner's thread:
// sources with foreign threads (rtrlib) only queue records and call the
// notifier; the owner then calls poll(), which drains every source's
// complete batches (a cache's batch ends with its End of Data), and hands
// them as one batch to a worker thread that merges them into the next
// snapshot and its difference. When the worker is done the notifier fires;
// the next poll() swaps the snapshot in and calls the delta handler. poll()
// returns when it wants to be called again (file checks), so the owner arms
// one timer. Without a notifier (tests, tools) batches are applied inline.
#pragma once

#include "bgpd/wire/types.hpp"
#include "rtr/vrp.hpp"
#include "rtr/worker.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
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

// A producer of VRP changes for one or more source numbers ("slots": a VRP
// file has one, an rtrlib manager one per cache). Called only on the
// owner's thread. It keeps no VRP set of its own: the RoaSet's index does.
class VrpSource {
public:
    virtual ~VrpSource() = default;
    // What changed since the last poll, in the source's own slot numbers.
    struct Update {
        std::vector<VrpChange> changes;                           // VrpChange::source is the slot
        std::vector<std::pair<uint8_t, std::vector<Vrp>>> replace;  // slot -> its complete new set
        bool empty() const { return changes.empty() && replace.empty(); }
    };
    struct Poll {
        Clock::time_point next = Clock::time_point::max();  // call poll() again by then
    };
    virtual Poll poll(Clock::time_point now, Update& out) = 0;
    virtual unsigned slots() const { return 1; }
    virtual bool in_sync() const = 0;
    // One record per slot, in slot order; the VRP counts are filled in by the set.
    virtual std::vector<SourceStatus> status() const = 0;
    // Operator request (`clear rpki`): reload a file / reconnect now. Optional.
    virtual void refresh() {}
    // Work to do off the event loop (parsing a file) goes to `worker`;
    // `notify` wakes the owner when it is done. Unbound sources work inline.
    virtual void bind(Worker& worker, Notifier notify) {
        (void)worker;
        (void)notify;
    }
};

class RoaSet final : public RoaSource {
public:
    explicit RoaSet(Notifier notify = {});
    ~RoaSet() override;
    RoaSet(const RoaSet&) = delete;
    RoaSet& operator=(const RoaSet&) = delete;

    using SourceId = uint32_t;
    // 0 if the source needs more source numbers than are left (max_sources in all).
    SourceId add(std::unique_ptr<VrpSource> source);
    void remove(SourceId id);  // its VRPs leave the set with the next batch
    VrpSource* source(SourceId id) const;

    // Drains the sources, starts the next batch, takes a finished one.
    // Returns the time by which it wants to be called again
    // (Clock::time_point::max() for never).
    Clock::time_point poll(Clock::time_point now = Clock::now());
    // A batch is being applied on the worker, or waits for it.
    bool busy() const { return running_ || !queued_.empty(); }

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
        std::vector<uint8_t> slots;  // the source's slot k is source number slots[k]
    };
    // One source's batch: changes, or a slot's complete set.
    struct Step {
        std::vector<VrpChange> changes;
        std::optional<std::pair<uint8_t, std::vector<Vrp>>> replace;
    };
    struct Result {
        std::mutex mutex;
        bool done = false;
        VrpIndex index;
        VrpDiff diff;
    };
    bool compute_in_sync() const;
    void start_batch();
    bool take_batch(VrpDiff& diff);

    std::vector<Entry> sources_;
    SourceId next_id_ = 1;
    SourceMask used_ = 0;  // source numbers in use
    std::vector<Step> queued_;
    bool running_ = false;
    std::shared_ptr<Result> result_;
    VrpIndex index_;
    bool in_sync_ = false;
    DeltaHandler handler_;
    Notifier notify_;
    std::optional<std::chrono::system_clock::time_point> last_change_;
    std::unique_ptr<Worker> worker_;  // last: joined first
};

}  // namespace moat::rtr
