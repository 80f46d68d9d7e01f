// Update groups: membership by settings, the shared log read at each
// member's pace, the slow member holding back packing, the group's life.
#include "rib/update_group.hpp"
#include "tests/rib/rib_test_util.hpp"

#include <catch2/catch.hpp>

using namespace moat;
using namespace moat::rib;
using namespace moat::rib::test;

namespace {

GroupConfig ebgp(const char* out_map = "") {
    GroupConfig g;
    g.ebgp = true;
    g.local_v4 = 0xC0000263;  // 192.0.2.99
    g.ctx.four_octet_as = true;
    g.out_map = out_map;
    return g;
}

// Pulls every step for a member; counts the UPDATEs and the events.
struct Pulled {
    std::vector<wire::Update> updates;
    int initial_done = 0, refresh_done = 0;
    bool packed = false;
};

Pulled pull_all(UpdateGroups& g, PeerId member, const wire::SessionContext& ctx, size_t max_steps = 100000) {
    Pulled p;
    UpdateGroups::Step s;
    for (size_t i = 0; i < max_steps && g.next(member, s); ++i) {
        for (const auto& b : s.updates) {
            auto r = wire::decode(wire::Bytes(b->data(), b->size()), ctx);
            REQUIRE(wire::ok(r));
            p.updates.push_back(std::get<wire::Update>(std::get<wire::Message>(r)));
        }
        p.initial_done += s.event == UpdateGroups::Event::initial_done;
        p.refresh_done += s.event == UpdateGroups::Event::refresh_done;
        p.packed = p.packed || s.packed;
    }
    return p;
}

size_t nlri_count(const Pulled& p) {
    size_t n = 0;
    for (const auto& u : p.updates) n += u.nlri.size();
    return n;
}

}  // namespace

TEST_CASE("update groups: equal settings share a group, which goes with its last member", "[rib][groups]") {
    Rib rib(config());
    UpdateGroups groups(rib);
    PeerId src = rib.add_peer(PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    PeerId a = rib.add_peer(PeerInfo{ip("192.0.2.2"), 64501, 2, false});
    PeerId b = rib.add_peer(PeerInfo{ip("192.0.2.3"), 64502, 3, false});
    PeerId c = rib.add_peer(PeerInfo{ip("192.0.2.4"), 64503, 4, false});
    rib.import(src, announce(attrs({64500}), {"10.0.0.0/8", "10.1.0.0/16"}));
    rib.run_decision();

    // a, first of a new group: its table comes from the log, then initial_done.
    const auto ctx = ebgp().ctx;
    groups.join(a, ebgp(), false);
    Pulled pa = pull_all(groups, a, ctx);
    CHECK(nlri_count(pa) == 2);
    CHECK(pa.initial_done == 1);
    CHECK(pa.packed);
    groups.join(b, ebgp(), false);
    groups.join(c, ebgp("other"), false);
    CHECK(groups.size() == 2);
    CHECK(groups.group_id(a) == groups.group_id(b));
    CHECK(groups.group_id(a) != groups.group_id(c));
    CHECK(groups.group_mates(a) == std::vector<PeerId>{b});
    // b joined an existing group: the same table by dump, then initial_done.
    Pulled pb = pull_all(groups, b, ctx);
    CHECK(nlri_count(pb) == 2);
    CHECK(pb.initial_done == 1);
    CHECK(groups.advertised(b, wire::Afi::ipv4) == 2);

    groups.leave(a);
    CHECK(groups.size() == 2);
    groups.leave(b);
    CHECK(groups.size() == 1);  // the group went with its last member
    CHECK_FALSE(groups.is_member(b));
}

TEST_CASE("update groups: a member that joins while the group's table is still being packed gets each route once",
          "[rib][groups]") {
    Rib rib(config());
    UpdateGroups groups(rib);
    groups.set_limits(UpdateGroups::Limits{2, 4096, 4 * 1024 * 1024});  // two prefixes a pack
    PeerId src = rib.add_peer(PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    PeerId a = rib.add_peer(PeerInfo{ip("192.0.2.2"), 64501, 2, false});
    PeerId b = rib.add_peer(PeerInfo{ip("192.0.2.3"), 64502, 3, false});
    rib.import(src, announce(attrs({64500}), {"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"}));
    rib.import(src, announce(attrs({64500, 9}), {"10.0.4.0/24", "10.0.5.0/24"}));
    rib.run_decision();
    const auto ctx = ebgp().ctx;
    groups.join(a, ebgp(), false);
    UpdateGroups::Step s;
    size_t a_got = 0;
    // a takes steps until the first pack; the rest of the table is still staged.
    while (groups.next(a, s)) {
        for (const auto& buf : s.updates) {
            auto r = wire::decode(wire::Bytes(buf->data(), buf->size()), ctx);
            REQUIRE(wire::ok(r));
            a_got += std::get<wire::Update>(std::get<wire::Message>(r)).nlri.size();
        }
        if (s.packed) break;
    }
    groups.join(b, ebgp(), false);  // an existing group: a dump, and the log from now on
    Pulled pb = pull_all(groups, b, ctx);
    a_got += nlri_count(pull_all(groups, a, ctx));
    CHECK(a_got == 6);
    CHECK(nlri_count(pb) == 6);  // each route once: the dump leaves out what the log will bring
    CHECK(pb.initial_done == 1);
}

TEST_CASE("update groups: a slow member holds back packing; reading releases the log", "[rib][groups]") {
    Rib rib(config());
    UpdateGroups groups(rib);
    groups.set_limits(UpdateGroups::Limits{1, 1, 64});  // one prefix a pack, a 64-byte log
    PeerId src = rib.add_peer(PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    PeerId fast = rib.add_peer(PeerInfo{ip("192.0.2.2"), 64501, 2, false});
    PeerId slow = rib.add_peer(PeerInfo{ip("192.0.2.3"), 64502, 3, false});
    groups.join(fast, ebgp(), false);
    groups.join(slow, ebgp(), false);
    const auto ctx = ebgp().ctx;
    pull_all(groups, fast, ctx);
    pull_all(groups, slow, ctx);

    rib.import(src, announce(attrs({64500}), {"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"}));
    rib.import(src, announce(attrs({64500, 7}), {"10.0.4.0/24"}));
    rib.run_decision();
    CHECK(groups.pending_members().size() == 2);
    // The fast member packs until the log is full for the slow one, and stops.
    Pulled f1 = pull_all(groups, fast, ctx);
    CHECK(f1.packed);
    CHECK(nlri_count(f1) < 5);
    CHECK(groups.release(fast).empty());
    // The slow member reads: the log frees, and the fast one may go on.
    Pulled s1 = pull_all(groups, slow, ctx, nlri_count(f1) > 0 ? f1.updates.size() : 1);
    CHECK(nlri_count(s1) == nlri_count(f1));
    CHECK(groups.release(slow) == std::vector<PeerId>{fast});
    // Both end with everything, each route once.
    size_t total_fast = nlri_count(f1), total_slow = nlri_count(s1);
    for (int round = 0; round < 20 && (total_fast < 5 || total_slow < 5); ++round) {
        total_fast += nlri_count(pull_all(groups, fast, ctx));
        groups.release(fast);
        total_slow += nlri_count(pull_all(groups, slow, ctx));
        groups.release(slow);
    }
    CHECK(total_fast == 5);
    CHECK(total_slow == 5);
}

TEST_CASE("update groups: an export change moves a member, withdrawing what the new group does not send",
          "[rib][groups]") {
    Rib rib(config());
    UpdateGroups groups(rib);
    PeerId src = rib.add_peer(PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    PeerId a = rib.add_peer(PeerInfo{ip("192.0.2.2"), 64501, 2, false});
    rib.import(src, announce(attrs({64500}), {"10.0.0.0/8"}));
    rib.run_decision();
    groups.join(a, ebgp(), false);
    const auto ctx = ebgp().ctx;
    CHECK(nlri_count(pull_all(groups, a, ctx)) == 1);
    const GroupId before = groups.group_id(a);

    // Same key: stays, nothing to send first.
    std::vector<std::shared_ptr<const wire::Buffer>> first;
    CHECK_FALSE(groups.change_export(a, ebgp(), first));
    CHECK(first.empty());
    // Exporting nothing (RFC 8212): another group; the route is withdrawn first.
    GroupConfig none = ebgp();
    none.export_none = true;
    CHECK(groups.change_export(a, none, first));
    REQUIRE(first.size() == 1);
    auto r = wire::decode(wire::Bytes(first[0]->data(), first[0]->size()), ctx);
    REQUIRE(wire::ok(r));
    const auto& u = std::get<wire::Update>(std::get<wire::Message>(r));
    REQUIRE(u.withdrawn.size() == 1);
    CHECK(u.withdrawn[0].prefix == pfx("10.0.0.0/8"));
    CHECK(groups.size() == 1);  // the old group went with its only member
    CHECK(groups.config_of(a).export_none);
    CHECK(nlri_count(pull_all(groups, a, ctx)) == 0);
    (void)before;

    // A refresh of one family: its table again, then refresh_done.
    groups.change_export(a, ebgp(), first);
    pull_all(groups, a, ctx);
    groups.resend(a, wire::AfiSafi{wire::Afi::ipv4, wire::Safi::unicast}, true);
    Pulled p = pull_all(groups, a, ctx);
    CHECK(nlri_count(p) == 1);
    CHECK(p.refresh_done == 1);
}

TEST_CASE("update groups: an export change before the initial table is through still ends it with End-of-RIB",
          "[rib][groups]") {
    Rib rib(config());
    UpdateGroups groups(rib);
    PeerId src = rib.add_peer(PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    PeerId a = rib.add_peer(PeerInfo{ip("192.0.2.2"), 64501, 2, false});
    PeerId b = rib.add_peer(PeerInfo{ip("192.0.2.3"), 64502, 3, false});
    PeerId c = rib.add_peer(PeerInfo{ip("192.0.2.4"), 64503, 4, false});
    rib.import(src, announce(attrs({64500}), {"10.0.0.0/8"}));
    rib.run_decision();
    const auto ctx = ebgp().ctx;
    GroupConfig other = ebgp();
    other.export_none = true;

    // First member of a new group, moved to another new group before reading.
    groups.join(a, ebgp(), false);
    std::vector<std::shared_ptr<const wire::Buffer>> first;
    REQUIRE(groups.change_export(a, other, first));
    CHECK(pull_all(groups, a, ctx).initial_done == 1);

    // Joined an existing group (initial table by dump), moved to an existing one.
    groups.join(c, ebgp(), false);
    pull_all(groups, c, ctx);
    groups.join(b, other, false);  // the group a is in: a dump is due
    REQUIRE(groups.change_export(b, ebgp(), first));
    Pulled pb = pull_all(groups, b, ctx);
    CHECK(pb.initial_done == 1);
    CHECK(nlri_count(pb) == 1);
}

TEST_CASE("update groups: an export change during a route refresh still ends the refresh with its EoRR",
          "[rib][groups]") {
    Rib rib(config());
    UpdateGroups groups(rib);
    PeerId src = rib.add_peer(PeerInfo{ip("192.0.2.1"), 64500, 1, false});
    PeerId a = rib.add_peer(PeerInfo{ip("192.0.2.2"), 64501, 2, false});
    PeerId b = rib.add_peer(PeerInfo{ip("192.0.2.3"), 64502, 3, false});
    rib.import(src, announce(attrs({64500}), {"10.0.0.0/8", "10.1.0.0/16"}));
    rib.run_decision();
    const auto ctx = ebgp().ctx;
    const wire::AfiSafi v4{wire::Afi::ipv4, wire::Safi::unicast};
    GroupConfig tagged = ebgp();  // another group key: another next hop
    tagged.local_v4 = 0xC0000264;
    groups.join(b, tagged, false);
    pull_all(groups, b, ctx);

    SECTION("to an existing group") {
        groups.join(a, ebgp(), false);
        pull_all(groups, a, ctx);
        groups.resend(a, v4, true);  // the refresh's dump is due, nothing read yet
        std::vector<std::shared_ptr<const wire::Buffer>> first;
        REQUIRE(groups.change_export(a, tagged, first));
        Pulled p = pull_all(groups, a, ctx);
        CHECK(p.refresh_done == 1);
        CHECK(nlri_count(p) >= 2);  // the table again before the EoRR
    }
    SECTION("to a group created for it") {
        groups.join(a, ebgp(), false);
        pull_all(groups, a, ctx);
        groups.resend(a, v4, true);
        std::vector<std::shared_ptr<const wire::Buffer>> first;
        GroupConfig own = ebgp();
        own.local_v4 = 0xC0000265;
        REQUIRE(groups.change_export(a, own, first));
        Pulled p = pull_all(groups, a, ctx);
        CHECK(p.refresh_done == 1);
        CHECK(nlri_count(p) >= 2);
    }
}
