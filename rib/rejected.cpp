// See rejected.hpp.
#include "rib/rejected.hpp"

namespace moat::rib {

bool RejectedStore::record(PeerId peer, const wire::Prefix& prefix, Reason reason, std::string_view detail,
                           std::chrono::system_clock::time_point now) {
    if (limit_ == 0) return false;
    auto it = index_.find(Key{peer, prefix});
    if (it != index_.end()) {
        RejectedRecord& r = *it->second;
        if (r.reason != reason) {
            if (r.reason == Reason::malformed) --malformed_[peer];
            if (reason == Reason::malformed) ++malformed_[peer];
            r.reason = reason;
            r.when = now;
        }
        if (r.detail != detail) r.detail.assign(detail);
        return true;
    }
    while (order_.size() >= limit_) {
        drop(order_.begin());
        ++evicted_;
    }
    order_.push_back(RejectedRecord{peer, prefix, reason, std::string(detail), now});
    index_.emplace(Key{peer, prefix}, std::prev(order_.end()));
    if (reason == Reason::malformed) ++malformed_[peer];
    return true;
}

void RejectedStore::drop(std::list<RejectedRecord>::iterator it) {
    if (it->reason == Reason::malformed) {
        auto m = malformed_.find(it->peer);
        if (m != malformed_.end() && --m->second == 0) malformed_.erase(m);
    }
    index_.erase(Key{it->peer, it->prefix});
    order_.erase(it);
}

bool RejectedStore::erase(PeerId peer, const wire::Prefix& prefix) {
    auto it = index_.find(Key{peer, prefix});
    if (it == index_.end()) return false;
    drop(it->second);
    return true;
}

void RejectedStore::erase_peer(PeerId peer) {
    for (auto it = order_.begin(); it != order_.end();) {
        auto next = std::next(it);
        if (it->peer == peer) drop(it);
        it = next;
    }
}

const RejectedRecord* RejectedStore::find(PeerId peer, const wire::Prefix& prefix) const {
    auto it = index_.find(Key{peer, prefix});
    return it == index_.end() ? nullptr : &*it->second;
}

void RejectedStore::set_limit(size_t limit) {
    limit_ = limit;
    while (order_.size() > limit_) {
        drop(order_.begin());
        ++evicted_;
    }
}

size_t RejectedStore::malformed(PeerId peer) const {
    auto it = malformed_.find(peer);
    return it == malformed_.end() ? 0 : it->second;
}

size_t RejectedStore::memory_bytes() const {
    // A list node and a map node per record, plus the detail text.
    size_t n = order_.size() * (sizeof(RejectedRecord) + 2 * sizeof(void*) + sizeof(Key) + 4 * sizeof(void*) + 8);
    for (const auto& r : order_)
        if (r.detail.capacity() > 15) n += r.detail.capacity() + 1;
    return n;
}

}  // namespace moat::rib
