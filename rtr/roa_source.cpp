// RoaSet: the union of VRP sources, rebuilt as a new snapshot on change.
#include "rtr/roa_source.hpp"

#include <algorithm>

namespace moat::rtr {

RoaSet::SourceId RoaSet::add(std::unique_ptr<VrpSource> source) {
    SourceId id = next_id_++;
    sources_.push_back(Entry{id, std::move(source)});
    membership_changed_ = true;
    return id;
}

void RoaSet::remove(SourceId id) {
    std::erase_if(sources_, [id](const Entry& e) { return e.id == id; });
    membership_changed_ = true;
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

Clock::time_point RoaSet::poll(Clock::time_point now) {
    bool changed = membership_changed_;
    membership_changed_ = false;
    Clock::time_point next = Clock::time_point::max();
    for (auto& e : sources_) {
        auto p = e.source->poll(now);
        changed = changed || p.changed;
        next = std::min(next, p.next);
    }
    if (changed) rebuild();
    return next;
}

void RoaSet::rebuild() {
    // Each source's set is sorted: merge them, so the index needs no sort.
    std::vector<Vrp> all;
    for (const auto& e : sources_) {
        const auto& v = e.source->vrps();
        all = all.empty() ? v : merge(all, v);
    }
    VrpIndex next(std::move(all));

    VrpDelta delta;
    delta.diff = diff(index_, next);
    bool sync = compute_in_sync();
    delta.sync_changed = sync != in_sync_;
    delta.in_sync = sync;
    index_ = std::move(next);
    in_sync_ = sync;
    if (delta.diff.empty() && !delta.sync_changed) return;
    last_change_ = std::chrono::system_clock::now();
    if (handler_) handler_(delta);
}

std::vector<SourceStatus> RoaSet::status() const {
    std::vector<SourceStatus> out;
    for (const auto& e : sources_) {
        auto s = e.source->status();
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
