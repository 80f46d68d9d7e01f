// Update groups, whole: the neighbors that share export policy and session
// parameters (eBGP or iBGP, route-reflector clients, next-hop-self, our next
// hops, the negotiated capabilities, families, RFC 9234 role, route-map out,
// default-originate) form one group with one Adj-RIB-Out (kept by the Rib,
// rib_out.cpp) and one log of encoded UPDATEs in shared buffers that every
// member reads at its own pace. UpdateGroups owns the membership, each
// member's position in the log, its private dumps (the initial table to a
// member that joins an existing group, route refresh and soft reset out) and
// the groups' life: a group is created for the first member with new
// settings and goes, with its Adj-RIB-Out and log, with its last member.
//
// The daemon pulls: when a member's socket can take more it calls next()
// until it returns false, writes what each step gives, and acts on the step's
// event (End-of-RIB, End-of-RIB for a refresh). Packing is on demand: a step
// encodes at most Limits::pack_routes staged prefixes into the log, and
// waits while the log holds Limits::log_bytes for a slow member, so memory
// is bounded by the slowest member instead of growing. A route is never sent
// back to its source (the log entries' only/except marks). Nothing here
// touches a socket (OpenBGPD's rde_adjout.c keeps Adj-RIB-Out and its queue
// together the same way).
#pragma once

#include "bgpd/wire/codec.hpp"
#include "bgpd/wire/types.hpp"
#include "rib/export.hpp"
#include "rib/rib.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace moat::rib {

// The group key: members with equal settings share a group.
bool same_group(const GroupConfig& a, const GroupConfig& b);

class UpdateGroups {
public:
    struct Limits {
        size_t pack_routes = 4096;           // prefixes per packing step
        size_t dump_routes = 4096;           // prefixes per dump slice
        size_t log_bytes = 4 * 1024 * 1024;  // encoded UPDATEs a group keeps for slow members
    };

    explicit UpdateGroups(Rib& rib) : rib_(rib) {}
    UpdateGroups(const UpdateGroups&) = delete;
    UpdateGroups& operator=(const UpdateGroups&) = delete;
    void set_limits(const Limits& l) { limits_ = l; }

    // `member` (a Rib peer) joins the group for `config`, a new one if none
    // matches. Its initial table then comes through next(): from the log
    // (a new group staged its whole Adj-RIB-Out) or by a dump (an existing
    // group), and ends with Event::initial_done.
    void join(PeerId member, const GroupConfig& config, bool default_originate);
    // The member leaves; the group goes with its last member. Returns the
    // members that waited for room in the log and may go on.
    std::vector<PeerId> leave(PeerId member);
    bool is_member(PeerId member) const { return members_.count(member) != 0; }
    const GroupConfig& config_of(PeerId member) const;

    // Its export policy changed. Same group key: the group re-runs its
    // export over the Loc-RIB and stages the differences. Another key: what
    // the old group's log still holds for it and the withdrawals of what the
    // new group does not send it go to `out` (to write before anything
    // else); it joins the new group and is sent its table (by dump, or from
    // the log of a group created for it), with Event::initial_done after it
    // if its initial table was not complete. Dumps under way for the old
    // group are dropped; a route refresh under way is sent again from the
    // new group and still ends with its EoRR. True when it changed group.
    bool change_export(PeerId member, const GroupConfig& config, std::vector<std::shared_ptr<const wire::Buffer>>& out);

    // Sends the member the family's whole Adj-RIB-Out again (route refresh,
    // soft reset out); `refresh_end` asks for Event::refresh_done after it
    // (RFC 7313 EoRR).
    void resend(PeerId member, wire::AfiSafi family, bool refresh_end);

    // One step of what to write to `member`.
    enum class Event : uint8_t { none, initial_done, refresh_done };
    struct Step {
        std::vector<std::shared_ptr<const wire::Buffer>> updates;  // in order
        Event event = Event::none;
        wire::AfiSafi family{};  // refresh_done: which
        bool packed = false;     // this step encoded new UPDATEs into the group's log
    };
    // False when there is nothing to write now (all sent, or the log is full
    // for a slower member: it goes on after that member reads; see release()).
    bool next(PeerId member, Step& step);
    // After a member has read: frees the log entries every member has read
    // and returns the members that waited for room and may go on.
    std::vector<PeerId> release(PeerId member);

    // The other members of `member`'s group (to wake after it packed), and
    // the members of every group that has staged changes (after a decision pass).
    std::vector<PeerId> group_mates(PeerId member) const;
    std::vector<PeerId> pending_members() const;

    // For show commands: the group's id in the Rib (Adj-RIB-Out lookups),
    // the prefixes the member is sent, the routes its group could not send
    // since it joined (attributes too large: withdrawn instead), groups alive.
    GroupId group_id(PeerId member) const;
    size_t advertised(PeerId member, wire::Afi afi) const;
    size_t unsendable(PeerId member) const;
    size_t size() const;

private:
    struct Entry {
        std::shared_ptr<const wire::Buffer> bytes;
        PeerId only = no_peer;
        PeerId except = no_peer;
    };
    struct Group {
        GroupId id = 0;
        bool default_originate = false;
        std::deque<Entry> log;
        uint64_t base = 0;  // sequence number of log.front()
        size_t log_bytes = 0;
        std::vector<PeerId> members;
        bool live = false;  // false: a free slot
    };
    struct Dump {
        Cursor cursor;
        bool initial = false;      // the initial table: default route and initial_done after it
        bool refresh_end = false;  // refresh_done after it
        wire::AfiSafi family{};
    };
    struct Member {
        size_t group = 0;
        uint64_t seq = 0;
        bool initial_from_log = false;  // first member of a new group: initial_done once the log is read
        bool waiting = false;           // stopped because the log was full
        std::deque<Dump> dumps;
        size_t unsendable_base = 0;
        GroupConfig config;
    };

    // The slot of the group for these settings, and whether it is new.
    std::pair<size_t, bool> group_for(const GroupConfig& config, bool default_originate);
    void attach(PeerId member, Member& m, size_t group, const GroupConfig& config);
    void enter(PeerId member, Member& m, const GroupConfig& config, bool default_originate);
    void drop_if_empty(size_t group);
    void trim(size_t group);  // frees what every member read; wakes waiting members into woken_
    static bool for_member(const Entry& e, PeerId member) {
        return (e.only == no_peer || e.only == member) && e.except != member;
    }
    void wrap(std::vector<OutMessage>& in, std::vector<std::shared_ptr<const wire::Buffer>>& out);

    Rib& rib_;
    Limits limits_;
    std::vector<Group> groups_;
    std::unordered_map<PeerId, Member> members_;
    std::vector<OutMessage> scratch_;
    std::vector<PeerId> woken_;
};

}  // namespace moat::rib
