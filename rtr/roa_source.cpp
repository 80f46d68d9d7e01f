// RoaSet: the union of VRP sources in one index, changed in batches applied
// off the event loop.
#include "rtr/roa_source.hpp"

#include <algorithm>
#include <malloc.h>

namespace moat::rtr {

RoaSet::RoaSet(Notifier notify) : notify_(std::move(notify)) {
    if (notify_) worker_ = std::make_unique<Worker>();
}

RoaSet::~RoaSet() {
    worker_.reset();  // the running batch finishes before the sources go
}

RoaSet::SourceId RoaSet::add(std::unique_ptr<VrpSource> source) {
    std::vector<uint8_t> slots;
    for (uint8_t s = 0; s < max_sources && slots.size() < source->slots(); ++s)
        if (!(used_ & (1u << s))) slots.push_back(s);
    if (slots.size() < source->slots()) return 0;
    for (uint8_t s : slots) used_ = static_cast<SourceMask>(used_ | (1u << s));
    if (worker_) source->bind(*worker_, notify_);
    SourceId id = next_id_++;
    sources_.push_back(Entry{id, std::move(source), std::move(slots)});
    return id;
}

void RoaSet::remove(SourceId id) {
    auto it = std::find_if(sources_.begin(), sources_.end(), [id](const Entry& e) { return e.id == id; });
    if (it == sources_.end()) return;
    // Its VRPs leave with the next batch; its numbers can be reused at once,
    // since batches are applied in order.
    for (uint8_t s : it->slots) {
        queued_.push_back(Step{{}, std::make_pair(s, std::vector<Vrp>{})});
        used_ = static_cast<SourceMask>(used_ & ~(1u << s));
    }
    sources_.erase(it);
}

VrpSource* RoaSet::source(SourceId id) const {
    for (const auto& e : sources_)
        if (e.id == id) return e.source.get();
    return nullptr;
}

bool RoaSet::compute_in_sync() const {
    if (sources_.empty()) return false;
    return std::all_of(sources_.begin(), sources_.end(), [](const Entry& e) { return e.source->in_sync(); });
}

void RoaSet::start_batch() {
    if (running_ || queued_.empty()) return;
    running_ = true;
    result_ = std::make_shared<Result>();
    auto job = [base = index_, steps = std::move(queued_), result = result_, notify = notify_]() mutable {
        size_t volume = 0;  // changes applied (a file's 20k differences, not its 833k VRPs)
        VrpIndex next = base;
        VrpDiff d;
        for (size_t i = 0; i < steps.size(); ++i) {
            Step& s = steps[i];
            std::vector<VrpChange> changes =
                s.replace ? next.replace(s.replace->first, std::move(s.replace->second)) : std::move(s.changes);
            volume += changes.size();
            next = next.apply(std::move(changes), steps.size() == 1 ? &d : nullptr);
        }
        if (steps.size() > 1) d = diff(base, next);
        steps.clear();
        steps.shrink_to_fit();
        // A first set (800k records) leaves tens of MiB of freed heap behind:
        // give it back to the system here. Only then: malloc_trim locks every
        // arena while it works, the event loop's too (a file reload that
        // trimmed stalled the loop for 75 ms), and a first set comes before
        // the routes it validates.
        if (volume > 100000) malloc_trim(0);
        {
            std::lock_guard lock(result->mutex);
            result->index = std::move(next);
            result->diff = std::move(d);
            result->done = true;
        }
        if (notify) notify();
    };
    queued_.clear();
    if (worker_)
        worker_->post(std::move(job));
    else
        job();
}

bool RoaSet::take_batch(VrpDiff& out) {
    if (!running_) return false;
    {
        std::lock_guard lock(result_->mutex);
        if (!result_->done) return false;
        index_ = result_->index;
        out = std::move(result_->diff);
    }
    result_.reset();
    running_ = false;
    return true;
}

Clock::time_point RoaSet::poll(Clock::time_point now) {
    Clock::time_point next = Clock::time_point::max();
    for (auto& e : sources_) {
        VrpSource::Update u;
        auto p = e.source->poll(now, u);
        next = std::min(next, p.next);
        for (auto& [slot, set] : u.replace)
            if (slot < e.slots.size()) queued_.push_back(Step{{}, std::make_pair(e.slots[slot], std::move(set))});
        if (!u.changes.empty()) {
            std::erase_if(u.changes, [&](const VrpChange& c) { return c.source >= e.slots.size(); });
            for (auto& c : u.changes) c.source = e.slots[c.source];
            queued_.push_back(Step{std::move(u.changes), std::nullopt});
        }
    }
    VrpDiff d;
    bool applied = take_batch(d);
    start_batch();
    if (!applied && !worker_) applied = take_batch(d);  // inline: done already
    // Entering sync needs every batch applied; staying in sync only needs the sources' word.
    const bool sources_sync = compute_in_sync();
    const bool sync = in_sync_ ? sources_sync : sources_sync && !busy();
    VrpDelta delta;
    delta.sync_changed = sync != in_sync_;
    delta.in_sync = sync;
    in_sync_ = sync;
    if (d.empty() && !delta.sync_changed) return next;
    delta.diff = std::move(d);
    if (!delta.diff.empty()) last_change_ = std::chrono::system_clock::now();
    if (handler_) handler_(delta);
    return next;
}

std::vector<SourceStatus> RoaSet::status() const {
    std::vector<SourceStatus> out;
    for (const auto& e : sources_) {
        auto s = e.source->status();
        for (size_t k = 0; k < s.size() && k < e.slots.size(); ++k) {
            s[k].v4_vrps = index_.size(wire::Afi::ipv4, e.slots[k]);
            s[k].v6_vrps = index_.size(wire::Afi::ipv6, e.slots[k]);
        }
        out.insert(out.end(), s.begin(), s.end());
    }
    return out;
}

RoaSummary RoaSet::summary() const {
    RoaSummary s;
    s.in_sync = in_sync_;
    s.v4_vrps = index_.size(wire::Afi::ipv4);
    s.v6_vrps = index_.size(wire::Afi::ipv6);
    s.sources = sources_.size();
    s.last_change = last_change_;
    return s;
}

}  // namespace moat::rtr
