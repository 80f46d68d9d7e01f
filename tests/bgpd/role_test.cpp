// RFC 9234 4.2 in the OPEN exchange: which role pairs are accepted, what is a
// Role Mismatch (OPEN Message Error, subcode 11), and strict mode. Pure
// negotiation, no sockets; the sessions against BIRD are tests/interop.
#include "bgpd/negotiate.hpp"

#include <catch2/catch.hpp>

using namespace moat;
using namespace moat::bgp;
using wire::Role;

namespace {

const LocalSettings local{65000, 0x01010101};

NeighborConfig neighbor(std::optional<Role> role, bool strict = false) {
    NeighborConfig n;
    n.address = *wire::IpAddress::parse("192.0.2.2");
    n.remote_as = 65001;
    n.local_role = role;
    n.role_strict = strict;
    return n;
}

// The neighbor's OPEN, announcing `role` (or no Role capability).
wire::Open their_open(std::optional<Role> role) {
    NeighborConfig t;
    t.remote_as = 65000;
    t.local_role = role;
    return make_open(LocalSettings{65001, 0x02020202}, t);
}

std::variant<Negotiated, wire::Notification> run(const NeighborConfig& n, const wire::Open& theirs) {
    return negotiate(local, n, make_open(local, n), theirs);
}

bool role_mismatch(const std::variant<Negotiated, wire::Notification>& r) {
    if (!std::holds_alternative<wire::Notification>(r)) return false;
    const auto& n = std::get<wire::Notification>(r);
    return n.code == wire::err::open && n.subcode == wire::err::role_mismatch;
}

constexpr Role all[] = {Role::provider, Role::rs, Role::rs_client, Role::customer, Role::peer};

}  // namespace

TEST_CASE("our OPEN carries the Role capability only with a local role", "[negotiate][role]") {
    CHECK(!make_open(local, neighbor(std::nullopt)).caps.role);
    for (Role r : all) CHECK(make_open(local, neighbor(r)).caps.role == r);
    CHECK(make_open(local, neighbor(Role::customer, true)).caps.role == Role::customer);
}

TEST_CASE("every pair of roles: only the pairs of Table 2 come up", "[negotiate][role]") {
    const std::pair<Role, Role> allowed[] = {{Role::provider, Role::customer},
                                             {Role::customer, Role::provider},
                                             {Role::rs, Role::rs_client},
                                             {Role::rs_client, Role::rs},
                                             {Role::peer, Role::peer}};
    for (Role ours : all)
        for (Role theirs : all) {
            bool ok = false;
            for (auto [a, b] : allowed) ok = ok || (a == ours && b == theirs);
            INFO(wire::to_string(ours) << " <-> " << wire::to_string(theirs));
            for (bool strict : {false, true}) {
                auto r = run(neighbor(ours, strict), their_open(theirs));
                if (ok) {
                    REQUIRE(std::holds_alternative<Negotiated>(r));
                    CHECK(std::get<Negotiated>(r).remote_role == theirs);
                } else {
                    CHECK(role_mismatch(r));
                }
            }
        }
}

TEST_CASE("a neighbor without the Role capability: accepted unless strict", "[negotiate][role]") {
    for (Role ours : all) {
        auto r = run(neighbor(ours), their_open(std::nullopt));
        REQUIRE(std::holds_alternative<Negotiated>(r));
        CHECK(!std::get<Negotiated>(r).remote_role);
        CHECK(role_mismatch(run(neighbor(ours, true), their_open(std::nullopt))));
    }
}

TEST_CASE("no local role: the neighbor's role is recorded, never checked", "[negotiate][role]") {
    for (Role theirs : all) {
        auto r = run(neighbor(std::nullopt), their_open(theirs));
        REQUIRE(std::holds_alternative<Negotiated>(r));
        CHECK(std::get<Negotiated>(r).remote_role == theirs);
    }
}

TEST_CASE("a Role capability repeated with another value or malformed is a mismatch", "[negotiate][role]") {
    auto theirs = their_open(Role::provider);
    theirs.caps.unknown.push_back({wire::cap::role, {static_cast<uint8_t>(Role::peer)}});
    CHECK(role_mismatch(run(neighbor(Role::customer), theirs)));
    auto bad_value = their_open(std::nullopt);
    bad_value.caps.unknown.push_back({wire::cap::role, {7}});
    CHECK(role_mismatch(run(neighbor(Role::customer), bad_value)));
    // Without a local role we do not judge the neighbor's announcement.
    CHECK(std::holds_alternative<Negotiated>(run(neighbor(std::nullopt), theirs)));
}

TEST_CASE("the Role Mismatch NOTIFICATION is named as RFC 9234 names it", "[negotiate][role]") {
    auto r = run(neighbor(Role::provider), their_open(Role::provider));
    REQUIRE(role_mismatch(r));
    CHECK(std::get<wire::Notification>(r).describe() == "OPEN Message Error / Role Mismatch");
}
