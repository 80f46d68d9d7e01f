// The rejected-route store: why, in words and when, each route the import
// chain turned down was rejected.
//
// The route itself stays in Adj-RIB-In, flagged with its Reason (rib.hpp);
// this store adds the detail a step wrote (the protected ASN, the VRPs, the
// prefix length...) and the time. A route treated as withdrawn under RFC 7606
// is not in Adj-RIB-In at all, so its record (reason malformed, the attribute)
// is the only trace of it.
//
// Memory is bounded: at most limit() records are kept; beyond that the
// oldest record goes (evicted() counts them). The per-peer, per-reason counts
// of the RIB (PeerRouteCounts) do not depend on the store and stay exact past
// the cap. A record goes when its route is accepted (re-import after a policy,
// limit or VRP change), replaced or withdrawn, or when its peer goes down.
#pragma once

#include "bgpd/wire/types.hpp"
#include "rib/peer.hpp"
#include "rib/reason.hpp"

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moat::rib {

struct RejectedRecord {
    PeerId peer = no_peer;
    wire::Prefix prefix;
    Reason reason = Reason::none;
    std::string detail;
    std::chrono::system_clock::time_point when;  // first rejected for this reason
};

class RejectedStore {
public:
    static constexpr size_t default_limit = 100000;

    explicit RejectedStore(size_t limit = default_limit) : limit_(limit) {}

    // Records why peer's route to prefix is rejected (an existing record of
    // the same route is updated; its time kept when the reason is the same).
    // Returns false when the limit is 0 (nothing is kept).
    bool record(PeerId peer, const wire::Prefix& prefix, Reason reason, std::string_view detail,
                std::chrono::system_clock::time_point now);
    bool erase(PeerId peer, const wire::Prefix& prefix);
    void erase_peer(PeerId peer);
    const RejectedRecord* find(PeerId peer, const wire::Prefix& prefix) const;

    void set_limit(size_t limit);
    size_t limit() const { return limit_; }
    size_t size() const { return order_.size(); }
    uint64_t evicted() const { return evicted_; }
    // Malformed (treat-as-withdraw) records of a peer: they have no route in
    // Adj-RIB-In, so a new announcement must look them up.
    size_t malformed(PeerId peer) const;
    size_t memory_bytes() const;

    // Oldest first.
    template <typename F>
    void for_each(F&& f) const {
        for (const RejectedRecord& r : order_) f(r);
    }

private:
    using Key = std::pair<PeerId, wire::Prefix>;
    void drop(std::list<RejectedRecord>::iterator it);

    size_t limit_;
    uint64_t evicted_ = 0;
    std::list<RejectedRecord> order_;  // oldest first
    std::map<Key, std::list<RejectedRecord>::iterator> index_;
    std::map<PeerId, size_t> malformed_;
};

}  // namespace moat::rib
