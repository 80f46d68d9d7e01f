#!/usr/bin/env python3
"""Routing policy with real daemons: BIRD 2 feeds three prefixes to moatd over
eBGP, a GoBGP receiver gets what moatd's export route-map lets through. An
import prefix-list keeps one prefix out (rejected, reason policy), an import
route-map sets a community, the export map prepends our AS once more. Then
the prefix-lists change in the file and `moatctl reload` applies them: the
receiver sees the new set of routes, and neither session was reset (uptime
and established_transitions unchanged on both sides). Last, a neighbor's
export map is replaced by another one (another update group): what the new
map refuses is withdrawn, still without a reset. RFC 8212: without
route-maps the eBGP sessions carry nothing (routes rejected `no-policy`),
until `no bgp ebgp-requires-policy`; all by reload, no reset."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bird, GoBgp, Lab, Moatd, Suite, TEST_ADDRESSING, check, in_namespace_or_reexec,  # noqa: E402
                     setup_namespace, wait_for)

MOAT_AS, BIRD_AS, GORECV_AS = 65000, 65010, 65030
BIRD = ("198.18.0.1", "198.18.0.2")
GORECV = ("198.18.0.12", "198.18.0.4")
P1, P2, P3 = "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"


def moatd_config(feed, to_go, out_map="OUT", in_map="IN", requires_policy=True):
    lines = []
    for seq, p in enumerate(feed, 1):
        lines.append(f"ip prefix-list FEED seq {seq * 10} permit {p}")
    for seq, p in enumerate(to_go, 1):
        lines.append(f"ip prefix-list TOGO seq {seq * 10} permit {p}")
    lines += ["ip prefix-list NONE seq 5 deny 0.0.0.0/0 le 32",
              "bgp community-list THEIRS permit 65010:1",
              "route-map IN permit 10", " match ip address prefix-list FEED", " set community 65000:7 additive", "!",
              "route-map OUT permit 10", " match ip address prefix-list TOGO", " set as-path prepend 65000", "!",
              "route-map OUT2 permit 10", " match community THEIRS", "!",
              f"router bgp {MOAT_AS}", *TEST_ADDRESSING, " bgp router-id 198.18.0.1"]
    for (local, peer), asn in ((BIRD, BIRD_AS), (GORECV, GORECV_AS)):
        lines += [f" bgp listen address {local}", f" neighbor {peer} remote-as {asn}",
                  f" neighbor {peer} update-source {local}", f" neighbor {peer} timers 1 3",
                  f" neighbor {peer} passive"]
    if not requires_policy:
        lines.append(" no bgp ebgp-requires-policy")
    if in_map:
        lines.append(f" neighbor {BIRD[1]} route-map {in_map} in")
    if out_map:
        lines.append(f" neighbor {GORECV[1]} route-map {out_map} out")
    lines.append("!")
    return "\n".join(lines) + "\n"


def bird_config():
    routes = "\n".join(f'  route {p} via {BIRD[1]} {{ bgp_community.add(({BIRD_AS}, {i})); }};'
                       for i, p in enumerate((P1, P2, P3), 1))
    return f"""
log stderr all;
router id {BIRD[1]};
protocol device {{}}
ipv4 table master4;
protocol static igp4 {{ ipv4; route 198.18.0.0/15 via "lo"; }}
protocol static feed4 {{
  ipv4;
{routes}
}}
protocol bgp moat {{
  local {BIRD[1]} as {BIRD_AS}; neighbor {BIRD[0]} as {MOAT_AS};
  multihop; strict bind yes; hold time 3; keepalive time 1; connect retry time 1;
  ipv4 {{ import none; export where proto = "feed4"; next hop self; }};
}}
"""


def gobgp_config():
    local, peer = GORECV
    return "\n".join([
        "[global.config]", f"  as = {GORECV_AS}", f'  router-id = "{peer}"', f'  local-address-list = ["{peer}"]',
        "  port = 179", "[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{local}"',
        f"    peer-as = {MOAT_AS}", "  [neighbors.transport.config]", f'    local-address = "{peer}"',
        "  [neighbors.timers.config]", "    hold-time = 3", "    keepalive-interval = 1", "    connect-retry = 1",
        "  [neighbors.ebgp-multihop.config]", "    enabled = true", "    multihop-ttl = 2",
        "  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]", '      afi-safi-name = "ipv4-unicast"']) + "\n"


def received(gb):
    return set(gb.rib("ipv4").keys())


def path_of(gb, prefix):
    paths = gb.rib("ipv4").get(prefix) or []
    check(len(paths) == 1, f"{prefix}: {len(paths)} paths at the receiver")
    return {a["type"]: a for a in paths[0]["attrs"]}


def moat_routes(moat):
    doc = moat.json("show", "bgp", "ipv4", "unicast")
    rows = doc.get("routes", doc) if isinstance(doc, dict) else doc
    return {r["prefix"]: r for r in rows}


def advertised(moat):
    """What moatd's Adj-RIB-Out holds for the receiver: staged by the same
    decision pass that made a route best, so no waiting is needed to know that
    a route is not (and will not be) sent."""
    doc = moat.json("show", "bgp", "neighbors", GORECV[1], "advertised-routes")
    rows = doc.get("routes", doc) if isinstance(doc, dict) else doc
    return {r["prefix"] for r in rows}


def session_marks(moat, gb):
    """What a session reset would change: moatd's Established count and
    state change time per session, and when GoBGP's session came up."""
    marks = {}
    for addr in (BIRD[1], GORECV[1]):
        n = moat.neighbor(addr)
        marks[addr] = (n["established_transitions"], n["state_since"])
    marks["gobgp_uptime"] = gb.neighbor(GORECV[0])["timers"]["state"].get("uptime")
    return marks


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("policy")
    lab = Lab("policy")
    try:
        moat = Moatd(lab, "moatd", moatd_config([P1, P2], [P1])).start()
        bird = Bird(lab, "bird", bird_config()).start()
        gorecv = GoBgp(lab, "gorecv", gobgp_config(), "127.0.0.3").start()

        def up():
            moat.wait_established(BIRD[1], 40)
            moat.wait_established(GORECV[1], 40)

        if not suite.case("both sessions Established", up):
            lab.dump_logs()
            suite.finish()

        def initial():
            wait_for(lambda: received(gorecv) == {P1}, 20, f"only {P1} at the receiver")
            a = path_of(gorecv, P1)
            asns = [x for s in a[2]["as_paths"] for x in s["asns"]]
            check(asns == [MOAT_AS, MOAT_AS, BIRD_AS], f"as path {asns}: our AS, the prepend, BIRD's")
            comms = a[8]["communities"]
            check((MOAT_AS << 16 | 7) in comms and (BIRD_AS << 16 | 1) in comms, f"communities {comms}")
            r = wait_for(lambda: moat_routes(moat).get(P3), 10, f"{P3} in moatd")
            check(r["rejected"] and r["reason"] == "policy", f"{P3} should be rejected by policy: {r}")
            wait_for(lambda: moat_routes(moat)[P2]["best"], 10, f"{P2} accepted and best in moatd")
            # P2 is best: the pass that made it so staged the receiver's Adj-RIB-Out.
            check(advertised(moat) == {P1}, f"moatd sends the receiver {advertised(moat)}")
            check(received(gorecv) == {P1}, f"receiver has {received(gorecv)}")

        suite.case("import prefix-list rejects, export route-map filters and prepends", initial)

        marks = session_marks(moat, gorecv)
        check(all(v is not None for v in marks.values()), f"session marks readable: {marks}")
        print(f"session marks: {marks}", flush=True)

        def reload(text):
            with open(moat.conf, "w") as f:
                f.write(text)
            r = moat.ctl("reload", check_rc=False)
            check(r.returncode == 0, f"reload: {r.stdout}{r.stderr}")

        def change_lists():
            reload(moatd_config([P1, P2, P3], [P2, P3]))
            wait_for(lambda: received(gorecv) == {P2, P3}, 20, f"{P2} and {P3} (and not {P1}) at the receiver")
            check(not moat_routes(moat)[P3]["rejected"], f"{P3} accepted after the reload")
            check((MOAT_AS << 16 | 7) in path_of(gorecv, P3)[8]["communities"], "the import map's community on P3")
            check(session_marks(moat, gorecv) == marks, f"sessions reset: {session_marks(moat, gorecv)} != {marks}")
            check("soft reset in" in moat.log() and "soft reset out" in moat.log(), "reload log names the soft resets")

        suite.case("reload of changed prefix-lists: receiver follows, no session reset", change_lists)

        def change_map():
            # OUT2 lets through only routes carrying 65010:1 (P1's), which
            # the import map must accept first.
            reload(moatd_config([P1, P2, P3], [P2, P3], out_map="OUT2"))
            wait_for(lambda: received(gorecv) == {P1}, 20, f"only {P1} at the receiver")
            asns = [x for s in path_of(gorecv, P1)[2]["as_paths"] for x in s["asns"]]
            check(asns == [MOAT_AS, BIRD_AS], f"no prepend with OUT2: {asns}")
            check(session_marks(moat, gorecv) == marks, f"sessions reset: {session_marks(moat, gorecv)} != {marks}")

        suite.case("another export route-map: new update group, withdrawals, no reset", change_map)

        def broken_reload():
            text = moatd_config([P1, P2, P3], [P2, P3]).replace("match ip address prefix-list TOGO",
                                                                  "match ip address prefix-list TOGOX")
            with open(moat.conf, "w") as f:
                f.write(text)
            r = moat.ctl("reload", check_rc=False)
            check(r.returncode != 0 and "TOGOX is not defined" in (r.stdout + r.stderr),
                  f"an undefined list is refused: {r.stdout}{r.stderr}")
            # The reload was refused before anything was applied: the running
            # policy, hence what is staged for the receiver, is as it was.
            check(advertised(moat) == {P1}, f"moatd now sends the receiver {advertised(moat)}")
            check("TOGOX" not in moat.ctl("show", "running-config"), "the refused config is running")
            check(received(gorecv) == {P1}, "nothing changed after a refused reload")
            check(moat.alive(), "moatd still running")

        suite.case("a reload naming an undefined list is refused, nothing changes", broken_reload)

        def rfc8212():
            # No route-maps on the eBGP sessions: nothing in, nothing out.
            reload(moatd_config([P1, P2, P3], [P2, P3], out_map=None, in_map=None))
            wait_for(lambda: received(gorecv) == set(), 20, "every route withdrawn at the receiver")
            rows = wait_for(lambda: [r for r in moat_routes(moat).values() if r["reason"] == "no-policy"]
                            if len(moat_routes(moat)) == 3 else None, 10, "moatd's routes rejected no-policy")
            check(len(rows) == 3 and all(r["rejected"] for r in rows), f"all three rejected: {rows}")
            # `no bgp ebgp-requires-policy`: everything, unchanged.
            reload(moatd_config([P1, P2, P3], [P2, P3], out_map=None, in_map=None, requires_policy=False))
            wait_for(lambda: received(gorecv) == {P1, P2, P3}, 20, "all three at the receiver")
            asns = [x for s in path_of(gorecv, P2)[2]["as_paths"] for x in s["asns"]]
            check(asns == [MOAT_AS, BIRD_AS], f"as path {asns}")
            check(session_marks(moat, gorecv) == marks, f"sessions reset: {session_marks(moat, gorecv)} != {marks}")

        suite.case("RFC 8212: eBGP without route-maps gets nothing, until no bgp ebgp-requires-policy", rfc8212)
        check(bird.established("moat"), "BIRD session still up")
    finally:
        if suite.failed:
            lab.dump_logs()
        lab.close()
    suite.finish()


if __name__ == "__main__":
    main()
