// Attribute interning: equal sets are one object, references count, the last
// release frees; and the prefix keys and table the RIB is built on.
#include "rib/attr_store.hpp"
#include "rib/prefix_key.hpp"
#include "rib/prefix_table.hpp"
#include "rib_test_util.hpp"

#include <map>
#include <random>

using namespace moat;
using namespace moat::rib;
using test::attrs;

TEST_CASE("attr_store: equal sets intern to the same handle", "[rib][attr_store]") {
    AttrStore store;
    RouteAttrs a{attrs({64500, 64501}), {}, {}};
    RouteAttrs b{attrs({64500, 64501}), {}, {}};
    RouteAttrs c{attrs({64500, 64502}), {}, {}};
    const AttrSet* ha = store.intern(a);
    const AttrSet* hb = store.intern(b);
    const AttrSet* hc = store.intern(c);
    CHECK(ha == hb);
    CHECK(ha != hc);
    CHECK(store.size() == 2);
    CHECK(ha->refs == 2);
    CHECK(ha->as_path_length == 2);
    CHECK(ha->neighbor_as == 64500);
    CHECK(AttrStore::hash(a) == ha->hash);

    // A different MP next hop is a different set.
    RouteAttrs d = a;
    d.mp_next_hop = test::ip("2001:db8::1");
    RouteAttrs e = a;
    e.mp_next_hop = test::ip("2001:db8::2");
    const AttrSet* hd = store.intern(d);
    const AttrSet* he = store.intern(e);
    CHECK(hd != he);
    CHECK(hd != ha);

    store.release(ha);
    CHECK(store.size() == 4);
    store.release(hb);  // last reference of a
    CHECK(store.size() == 3);
    // Interning a again gives a fresh set with one reference.
    const AttrSet* ha2 = store.intern(a);
    CHECK(ha2->refs == 1);
    CHECK(store.size() == 4);
    for (const AttrSet* h : {ha2, hc, hd, he}) store.release(h);
    CHECK(store.size() == 0);
}

TEST_CASE("attr_store: AttrRef counts copies and frees on the last", "[rib][attr_store]") {
    AttrStore store;
    {
        AttrRef r1 = store.intern_ref(RouteAttrs{attrs({1}), {}, {}});
        {
            AttrRef r2 = r1;
            AttrRef r3 = store.intern_ref(RouteAttrs{attrs({1}), {}, {}});
            CHECK(r2 == r3);
            CHECK(r1->refs == 3);
        }
        CHECK(r1->refs == 1);
        CHECK(store.size() == 1);
    }
    CHECK(store.size() == 0);
}

TEST_CASE("attr_store: many sets survive growth and deletion in any order", "[rib][attr_store]") {
    AttrStore store;
    std::vector<const AttrSet*> handles;
    for (uint32_t i = 0; i < 5000; ++i) handles.push_back(store.intern(RouteAttrs{attrs({64500, i}), {}, {}}));
    CHECK(store.size() == 5000);
    std::mt19937 rng(7);
    std::shuffle(handles.begin(), handles.end(), rng);
    for (size_t i = 0; i < 2500; ++i) store.release(handles[i]);
    CHECK(store.size() == 2500);
    // The survivors are still found (probe chains intact after deletions).
    for (size_t i = 2500; i < 5000; ++i) {
        const AttrSet* again = store.intern(handles[i]->value());
        CHECK(again == handles[i]);
        store.release(again);
    }
    for (size_t i = 2500; i < 5000; ++i) store.release(handles[i]);
    CHECK(store.size() == 0);
}

TEST_CASE("prefix keys: round trip, truncation and cover", "[rib][prefix]") {
    auto p4 = test::pfx("192.0.2.0/24");
    V4Key k4 = V4Key::from(p4);
    CHECK(k4.addr == 0xC0000200);
    CHECK(k4.to_prefix() == p4);
    CHECK(k4.truncated(16) == V4Key::from(test::pfx("192.0.0.0/16")));
    CHECK(V4Key::from(test::pfx("192.0.0.0/16")).covers(k4));
    CHECK_FALSE(k4.covers(V4Key::from(test::pfx("192.0.0.0/16"))));
    CHECK(k4.truncated(0) == V4Key{0, 0});

    auto p6 = test::pfx("2001:db8:aa00::/40");
    V6Key k6 = V6Key::from(p6);
    CHECK(k6.to_prefix() == p6);
    CHECK(V6Key::from(test::pfx("2001:db8::/32")).covers(k6));
    CHECK(k6.truncated(32) == V6Key::from(test::pfx("2001:db8::/32")));
    auto p6l = test::pfx("2001:db8::1:0:0:1/127");
    CHECK(V6Key::from(p6l).to_prefix() == p6l);
    CHECK(V6Key::from(p6l).truncated(96) == V6Key::from(test::pfx("2001:db8::1:0:0:0/96")));
}

namespace {
struct TestEntry {
    V4Key key;
    bool live = false;
    int value = 0;
};
}  // namespace

TEST_CASE("prefix table: matches std::map under random inserts and erases", "[rib][prefix]") {
    PrefixTable<V4Key, TestEntry> table;
    std::map<V4Key, uint32_t> model;
    std::mt19937 rng(42);
    for (int i = 0; i < 200000; ++i) {
        V4Key k = V4Key{static_cast<uint32_t>(rng()) & 0xFFFF00u, static_cast<uint8_t>(24)}.truncated(static_cast<uint8_t>(16 + rng() % 9));
        if (rng() % 3 == 0) {
            auto it = model.find(k);
            uint32_t idx = table.find(k);
            REQUIRE((it == model.end()) == (idx == no_index));
            if (it != model.end()) {
                REQUIRE(it->second == idx);
                table.erase(idx);
                model.erase(it);
            }
        } else {
            auto [idx, created] = table.insert(k);
            auto [it, inserted] = model.emplace(k, idx);
            REQUIRE(created == inserted);
            REQUIRE(it->second == idx);
            REQUIRE(table[idx].key == k);
        }
    }
    REQUIRE(table.size() == model.size());
    for (const auto& [k, idx] : model) REQUIRE(table.find(k) == idx);

    // Covering and covered walks.
    V4Key probe = V4Key::from(test::pfx("0.128.0.0/9"));
    size_t covered = 0;
    table.for_each_covered(probe, [&](uint32_t, const TestEntry& e) {
        CHECK(probe.covers(e.key));
        ++covered;
    });
    size_t expect = 0;
    for (const auto& [k, idx] : model) expect += probe.covers(k) ? 1 : 0;
    CHECK(covered == expect);

    V4Key leaf = model.rbegin()->first;
    size_t covering = 0;
    table.for_each_covering(leaf, [&](uint32_t, const TestEntry& e) {
        CHECK(e.key.covers(leaf));
        ++covering;
    });
    size_t expect_cov = 0;
    for (const auto& [k, idx] : model) expect_cov += k.covers(leaf) ? 1 : 0;
    CHECK(covering == expect_cov);
    CHECK(covering >= 1);
}

TEST_CASE("attr_store: a set decodes back to the attributes it was interned from", "[rib][attr_store]") {
    AttrStore store;
    RouteAttrs v;
    auto& p = v.path;
    p.origin = wire::Origin::egp;
    p.as_path = wire::AsPath{{wire::AsSegment{wire::SegmentType::confed_sequence, {65010}},
                              wire::AsSegment{wire::SegmentType::as_sequence, {64500, 4200000000u}},
                              wire::AsSegment{wire::SegmentType::as_set, {64510, 64511}}}};
    p.next_hop = 0xC0000201;
    p.med = 7;
    p.local_pref = 250;
    p.atomic_aggregate = true;
    p.aggregator = wire::Aggregator{4200000001u, 0xC0000202};
    p.communities = {0xFDE80064, wire::community_no_export};
    p.originator_id = 0x0A000009;
    p.cluster_list = {0x0A000001, 0x0A000002};
    p.ext_communities = {wire::ExtCommunity{{0, 2, 0xFD, 0xE8, 0, 0, 0, 1}}};
    p.large_communities = {wire::LargeCommunity{4200000000u, 1, 2}};
    p.otc = 64500;
    p.unknown = {wire::UnknownAttribute{
        wire::attr::flag_optional | wire::attr::flag_transitive | wire::attr::flag_partial, 99, {1, 2, 3}}};
    v.mp_next_hop = test::ip("2001:db8::1");
    v.mp_link_local = test::ip("fe80::1");

    const AttrSet* s = store.intern(v);
    CHECK(s->value() == v);
    CHECK(s->path() == p);
    CHECK(s->as_path_length == 3);  // confed 0, sequence 2, set 1
    CHECK(s->neighbor_as == 64500);
    CHECK_FALSE(s->origin_as_opt());  // the path ends in an AS_SET (RFC 6811 2)
    CHECK(store.intern_ref(RouteAttrs{test::attrs({64500, 64501}), {}, {}})->origin_as_opt() == 64501u);
    CHECK(s->local_pref_opt() == 250u);
    CHECK(s->med_opt() == 7u);
    CHECK(s->originator_opt() == 0x0A000009u);
    CHECK(s->cluster_list_length == 2);
    CHECK(s->origin == wire::Origin::egp);
    CHECK(s->is(AttrSet::no_export));
    CHECK_FALSE(s->is(AttrSet::no_advertise));

    // Re-interning the decoded value finds the same set.
    const AttrSet* again = store.intern(s->value());
    CHECK(again == s);
    // The bare minimum decodes too, with nothing invented.
    RouteAttrs bare;
    const AttrSet* b = store.intern(bare);
    CHECK(b->value() == bare);
    CHECK_FALSE(b->local_pref_opt());
    CHECK_FALSE(b->is(AttrSet::has_origin));
    for (const AttrSet* h : {s, again, b}) store.release(h);
    CHECK(store.size() == 0);
    // Only the empty index is left (and the small id table).
    CHECK(store.memory_bytes() < 64 * 16 + 128);
}
