#!/usr/bin/env python3
"""Route propagation through moatd with real daemons: BIRD 2 and GoBGP feed
routes in over eBGP, GoBGP and FRR receive them. At the receivers: our AS
prepended, NEXT_HOP set to us, communities / large / extended communities
passed through, no LOCAL_PREF and no foreign MED on eBGP, the better of two
upstream paths chosen, withdrawals and session-down withdrawals propagated.
Then route reflection over iBGP (RFC 4456): a route from a non-client reaches
a client with ORIGINATOR_ID and CLUSTER_LIST, and not another non-client."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bird, Frr, GoBgp, Lab, Moatd, Suite, TEST_ADDRESSING, check, in_namespace_or_reexec,  # noqa: E402
                     setup_namespace, wait_for)

MOAT_AS = 65000
BIRD_AS, GOFEED_AS, GORECV_AS, FRR_AS = 65010, 65020, 65030, 65040

# moatd address, peer address per session (one pair per session)
BIRD = ("198.18.0.1", "198.18.0.2")
GOFEED = ("198.18.0.11", "198.18.0.3")
GORECV = ("198.18.0.12", "198.18.0.4")
FRR = ("198.18.0.13", "198.18.0.5")
# iBGP, route reflection: A is a non-client that announces, B a client, C a non-client.
RR_A = ("198.18.0.14", "198.18.0.6")
RR_B = ("198.18.0.15", "198.18.0.7")
RR_C = ("198.18.0.16", "198.18.0.8")

P1 = "192.0.2.0/24"      # from BIRD (short path) and GoBGP (long path)
P2 = "198.51.100.0/24"   # from GoBGP only
P6 = "2001:db8:1::/48"   # IPv6 from BIRD
P3 = "203.0.113.0/24"    # iBGP from RR_A
PM = "100.65.3.0/24"     # iBGP from RR_B, the client: a marker reflected to RR_C


def moatd_config():
    lines = [f"router bgp {MOAT_AS}", *TEST_ADDRESSING, " bgp router-id 198.18.0.1", " bgp cluster-id 198.18.0.1",
             " no bgp ebgp-requires-policy"]
    sessions = [(BIRD, BIRD_AS), (GOFEED, GOFEED_AS), (GORECV, GORECV_AS), (FRR, FRR_AS),
                (RR_A, MOAT_AS), (RR_B, MOAT_AS), (RR_C, MOAT_AS)]
    lines += sorted({f" bgp listen address {s[0][0]}" for s in sessions})
    for (local, peer), asn in sessions:
        lines += [f" neighbor {peer} remote-as {asn}", f" neighbor {peer} update-source {local}",
                  f" neighbor {peer} timers 1 3", f" neighbor {peer} passive"]
    lines.append(f" neighbor {RR_B[1]} route-reflector-client")
    # IPv6 routes go to the receivers over IPv4 sessions.
    lines.append(f" neighbor {GORECV[1]} next-hop-address fd00::12")
    lines.append(f" neighbor {FRR[1]} next-hop-address fd00::13")
    return "\n".join(lines) + "\n"


def bird_config():
    return f"""
log stderr all;
router id {BIRD[1]};
protocol device {{}}
ipv4 table master4; ipv6 table master6;
protocol static igp4 {{ ipv4; route 198.18.0.0/15 via "lo"; }}
protocol static igp6 {{ ipv6; route fd00::/8 via "lo"; }}
protocol static feed4 {{
  ipv4;
  route {P1} via {BIRD[1]} {{
    bgp_med = 50;
    bgp_community.add(({BIRD_AS}, 1));
    bgp_large_community.add(({BIRD_AS}, 1, 1));
    bgp_ext_community.add((rt, {BIRD_AS}, 1));
  }};
}}
protocol static feed6 {{ ipv6; route {P6} via fd00::2; }}
protocol bgp moat {{
  local {BIRD[1]} as {BIRD_AS}; neighbor {BIRD[0]} as {MOAT_AS};
  multihop; strict bind yes; hold time 3; keepalive time 1; connect retry time 1;
  ipv4 {{ import none; export where proto = "feed4"; next hop self; }};
  ipv6 {{ import none; export where proto = "feed6"; next hop address fd00::2; }};
}}
"""


def gobgp_config(asn, router_id, sessions, ibgp=False):
    out = ["[global.config]", f"  as = {asn}", f'  router-id = "{router_id}"',
           f"  local-address-list = [{', '.join(repr(s[1]).replace(chr(39), chr(34)) for s in sessions)}]",
           "  port = 179"]
    for local, peer in sessions:
        out += ["[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{local}"',
                f"    peer-as = {MOAT_AS}", "  [neighbors.transport.config]", f'    local-address = "{peer}"',
                "  [neighbors.timers.config]", "    hold-time = 3", "    keepalive-interval = 1",
                "    connect-retry = 1"]
        if not ibgp:
            out += ["  [neighbors.ebgp-multihop.config]", "    enabled = true", "    multihop-ttl = 2"]
        for fam in ("ipv4-unicast", "ipv6-unicast"):
            out += ["  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]", f'      afi-safi-name = "{fam}"']
    return "\n".join(out) + "\n"


def frr_config(lab):
    local, peer = FRR
    return "\n".join([
        "hostname frr", f"log file {lab.path('frr.bgpd.log')} debugging",
        f"router bgp {FRR_AS}", f" bgp router-id {peer}", " no bgp ebgp-requires-policy",
        " no bgp default ipv4-unicast", " bgp log-neighbor-changes",
        f" neighbor {local} remote-as {MOAT_AS}", f" neighbor {local} update-source {peer}",
        f" neighbor {local} timers 1 3", f" neighbor {local} timers connect 1",
        f" neighbor {local} disable-connected-check",
        " address-family ipv4 unicast", f"  neighbor {local} activate", " exit-address-family",
        " address-family ipv6 unicast", f"  neighbor {local} activate", " exit-address-family"]) + "\n"


def gobgp_paths(gb, prefix, family="ipv4"):
    rib = gb.rib(family)
    return rib.get(prefix) or []


def attrs_of(path):
    return {a["type"]: a for a in path["attrs"]}


def as_path_of(path):
    segs = attrs_of(path).get(2, {}).get("as_paths", [])
    return [a for s in segs for a in s.get("asns", [])]


def advertised(moat, peer):
    """moatd's Adj-RIB-Out for `peer`: staged by the decision pass that
    settles a route, so it is exact once the route has been through it."""
    doc = moat.json("show", "bgp", "neighbors", peer, "advertised-routes")
    return {r["prefix"] for r in doc["routes"]}


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("propagation")
    lab = Lab("propagation")
    try:
        moat = Moatd(lab, "moatd", moatd_config()).start()
        bird = Bird(lab, "bird", bird_config()).start()
        gofeed = GoBgp(lab, "gofeed", gobgp_config(GOFEED_AS, GOFEED[1], [GOFEED]), "127.0.0.2").start()
        gorecv = GoBgp(lab, "gorecv", gobgp_config(GORECV_AS, GORECV[1], [GORECV]), "127.0.0.3").start()
        frr = Frr(lab, "frr", frr_config(lab), [FRR[1]]).start()
        rr_a = GoBgp(lab, "rr_a", gobgp_config(MOAT_AS, RR_A[1], [RR_A], ibgp=True), "127.0.0.4").start()
        rr_b = GoBgp(lab, "rr_b", gobgp_config(MOAT_AS, RR_B[1], [RR_B], ibgp=True), "127.0.0.5").start()
        rr_c = GoBgp(lab, "rr_c", gobgp_config(MOAT_AS, RR_C[1], [RR_C], ibgp=True), "127.0.0.6").start()

        def all_up():
            for s in (BIRD, GOFEED, GORECV, FRR, RR_A, RR_B, RR_C):
                moat.wait_established(s[1], 40)

        if not suite.case("all seven sessions Established", all_up):
            lab.dump_logs()
            suite.finish()

        gofeed.cli("global", "rib", "add", "-a", "ipv4", P1, "aspath", "65021,65022", "nexthop", GOFEED[1])
        gofeed.cli("global", "rib", "add", "-a", "ipv4", P2, "nexthop", GOFEED[1], "med", "20")

        def best_at_gobgp():
            paths = wait_for(lambda: gobgp_paths(gorecv, P1), 20, f"{P1} at the GoBGP receiver")
            check(len(paths) == 1, f"receiver should have one path, has {len(paths)}")
            p = paths[0]
            check(as_path_of(p) == [MOAT_AS, BIRD_AS], f"AS_PATH {as_path_of(p)}: BIRD's shorter path must win")
            a = attrs_of(p)
            check(a[3]["nexthop"] == GORECV[0], f"NEXT_HOP {a[3]['nexthop']}, expected {GORECV[0]}")
            check(5 not in a, "LOCAL_PREF sent over eBGP")
            check(4 not in a, "MED from another AS passed on over eBGP")
            comms = a.get(8, {}).get("communities", [])
            check(BIRD_AS << 16 | 1 in comms, f"community {BIRD_AS}:1 missing: {a.get(8)}")
            large = a.get(32, {}).get("value", [])
            check(any(x.get("ASN") == BIRD_AS and x.get("LocalData1") == 1 for x in large),
                  f"large community missing: {a.get(32)}")
            check(16 in a, f"extended communities missing: {sorted(a)}")

        suite.case("the receiver gets the better path with our AS prepended, next hop self, communities kept, "
                   "no LOCAL_PREF or foreign MED", best_at_gobgp)

        def at_frr():
            doc = wait_for(lambda: frr.json(f"show bgp ipv4 unicast {P1}").get("paths"), 20, f"{P1} at FRR")
            p = doc[0]
            check(p["aspath"]["string"] == f"{MOAT_AS} {BIRD_AS}", f"FRR AS_PATH {p['aspath']}")
            check(p["nexthops"][0]["ip"] == FRR[0], f"FRR next hop {p['nexthops']}")
            check(f"{BIRD_AS}:1" in p.get("community", {}).get("string", ""), f"FRR communities {p.get('community')}")
            check(f"{BIRD_AS}:1:1" in p.get("largeCommunity", {}).get("string", ""),
                  f"FRR large communities {p.get('largeCommunity')}")
            p2 = wait_for(lambda: frr.json(f"show bgp ipv4 unicast {P2}").get("paths"), 10, f"{P2} at FRR")[0]
            check(p2["aspath"]["string"] == f"{MOAT_AS} {GOFEED_AS}", f"FRR AS_PATH of {P2}: {p2['aspath']}")
            p6 = wait_for(lambda: frr.json(f"show bgp ipv6 unicast {P6}").get("paths"), 10, f"{P6} at FRR")[0]
            check(p6["nexthops"][0]["ip"] == "fd00::13", f"FRR IPv6 next hop {p6['nexthops']}")

        suite.case("FRR receives the same best paths, IPv6 included", at_frr)

        def withdraw_best():
            bird.cmd("disable", "feed4")
            wait_for(lambda: [p for p in gobgp_paths(gorecv, P1) if as_path_of(p)[:2] == [MOAT_AS, GOFEED_AS]],
                     15, "the GoBGP path replacing BIRD's withdrawn one")
            paths = gobgp_paths(gorecv, P1)
            check(as_path_of(paths[0]) == [MOAT_AS, GOFEED_AS, 65021, 65022], f"AS_PATH {as_path_of(paths[0])}")
            gofeed.cli("global", "rib", "del", "-a", "ipv4", P1)
            wait_for(lambda: not gobgp_paths(gorecv, P1), 15, f"{P1} withdrawn at the receiver")
            wait_for(lambda: not frr.json(f"show bgp ipv4 unicast {P1}").get("paths"), 15, f"{P1} withdrawn at FRR")

        suite.case("an explicit withdrawal switches to the other path, the last one withdraws", withdraw_best)

        def session_down():
            check(gobgp_paths(gorecv, P6, "ipv6"), f"{P6} should be at the receiver before the session goes down")
            bird.cmd("disable", "moat")
            wait_for(lambda: not gobgp_paths(gorecv, P6, "ipv6"), 15, f"{P6} withdrawn when BIRD's session went down")
            check(gobgp_paths(gorecv, P2), f"{P2} (from GoBGP) must stay")

        suite.case("a feeder's session going down withdraws its routes downstream", session_down)

        def reflection():
            rr_a.cli("global", "rib", "add", "-a", "ipv4", P3, "nexthop", RR_A[1], "local-pref", "200")
            paths = wait_for(lambda: gobgp_paths(rr_b, P3), 20, f"{P3} at the route-reflector client")
            a = attrs_of(paths[0])
            check(a.get(9, {}).get("value") == RR_A[1], f"ORIGINATOR_ID {a.get(9)}")
            check(a.get(10, {}).get("value") == ["198.18.0.1"], f"CLUSTER_LIST {a.get(10)}")
            check(a.get(5, {}).get("value") == 200, f"LOCAL_PREF over iBGP {a.get(5)}")
            check(a[3]["nexthop"] == RR_A[1], f"iBGP keeps the next hop: {a[3]}")
            # The client has P3: moatd's decision pass for it is over, and
            # what it staged for the non-client is exact.
            best = [r for r in moat.json("show", "bgp", "ipv4", "unicast", P3)["routes"] if r["best"]]
            check(len(best) == 1 and best[0]["peer"] == RR_A[1], f"{P3} in moatd: {best}")
            check(P3 not in advertised(moat, RR_C[1]), "a route from a non-client is staged for a non-client")
            # A route from the client, announced only now, is reflected to the
            # non-client over the same session, behind anything sent before it.
            rr_b.cli("global", "rib", "add", "-a", "ipv4", PM, "nexthop", RR_B[1])
            m = wait_for(lambda: gobgp_paths(rr_c, PM), 30, f"the client's {PM} at the non-client")
            check(attrs_of(m[0]).get(9, {}).get("value") == RR_B[1], f"{PM} at the non-client: ORIGINATOR_ID {m[0]}")
            check(not gobgp_paths(rr_c, P3), "a route from a non-client was reflected to a non-client")
            check(advertised(moat, RR_C[1]) >= {PM} and P3 not in advertised(moat, RR_C[1]),
                  f"moatd sends the non-client {sorted(advertised(moat, RR_C[1]))}")
            check(gobgp_paths(rr_c, P2), f"eBGP-learned {P2} must reach the iBGP non-client")

        suite.case("route reflection: client gets the route with ORIGINATOR_ID and CLUSTER_LIST, "
                   "non-client does not", reflection)
        if suite.failed:
            lab.dump_logs()
            print(frr.bgp_log()[-2000:])
    finally:
        lab.close(keep=bool(os.environ.get("MOAT_KEEP")))
    suite.finish()


if __name__ == "__main__":
    main()
