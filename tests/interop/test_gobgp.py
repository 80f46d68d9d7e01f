#!/usr/bin/env python3
"""moatd against a real GoBGP (gobgpd): sessions both ways, IPv4 and IPv6
transport, 4-octet ASNs, capabilities as GoBGP reports them, stability over
three hold times, originated routes at GoBGP, Cease with a shutdown message."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import GoBgp, Lab, Moatd, Suite, TEST_ADDRESSING, check, in_namespace_or_reexec, setup_namespace, wait_for  # noqa: E402

MOAT_AS = 4200000001
GOBGP_AS = 4200000003
HOLD = 3

# (name, GoBGP address, moatd address, moatd side is passive)
SESSIONS = [
    ("v4_active", "198.18.0.2", "198.18.0.1", False),
    ("v4_passive", "198.18.0.3", "198.18.0.11", True),
    ("v6_active", "fd00::2", "fd00::1", False),
    ("shutdown", "198.18.0.4", "198.18.0.12", False),
]


def moatd_config():
    lines = [
        f"router bgp {MOAT_AS}", *TEST_ADDRESSING,
        " bgp router-id 198.18.0.1",
        " no bgp ebgp-requires-policy",
        " network 203.0.113.0/24",
        " network 2001:db8:100::/48",
    ]
    lines += sorted({f" bgp listen address {s[2]}" for s in SESSIONS})
    for name, peer, local, passive in SESSIONS:
        lines += [f" neighbor {peer} remote-as {GOBGP_AS}", f" neighbor {peer} update-source {local}",
                  f" neighbor {peer} timers 1 {HOLD}", f" neighbor {peer} description gobgp {name}"]
        if passive:
            lines.append(f" neighbor {peer} passive")
    return "\n".join(lines) + "\n"


def gobgp_config():
    addrs = ", ".join(f'"{s[1]}"' for s in SESSIONS)
    out = [
        "[global.config]",
        f"  as = {GOBGP_AS}",
        '  router-id = "198.18.0.2"',
        f"  local-address-list = [{addrs}]",
        "  port = 179",
    ]
    for name, peer, local, passive in SESSIONS:
        out += [
            "[[neighbors]]",
            "  [neighbors.config]",
            f'    neighbor-address = "{local}"',
            f"    peer-as = {MOAT_AS}",
            "  [neighbors.transport.config]",
            f'    local-address = "{peer}"',
            f"    passive-mode = {'false' if passive else 'true'}",
            "  [neighbors.timers.config]",
            f"    hold-time = {HOLD}",
            "    keepalive-interval = 1",
            "    connect-retry = 1",
            "  [neighbors.ebgp-multihop.config]",
            "    enabled = true",
            "    multihop-ttl = 2",
        ]
        for fam in ("ipv4-unicast", "ipv6-unicast"):
            out += ["  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]", f'      afi-safi-name = "{fam}"']
    return "\n".join(out) + "\n"


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("gobgp")
    lab = Lab("gobgp")
    try:
        # GoBGP keys neighbors by address, so each session has its own address
        # on both sides.
        gb = GoBgp(lab, "gobgp", gobgp_config(), "127.0.0.1").start()
        moat = Moatd(lab, "moatd", moatd_config()).start()
        peer_of = {s[0]: s[1] for s in SESSIONS}
        moat_of = {s[0]: s[2] for s in SESSIONS}

        def all_up():
            for name, peer, local, _ in SESSIONS:
                wait_for(lambda lo=local: gb.established(lo), 40, f"GoBGP {name} Established")
                moat.wait_established(peer, 10)

        if not suite.case("sessions come up both ways, IPv4 and IPv6 transport, 4-octet ASNs", all_up):
            lab.dump_logs()
            suite.finish()

        def capabilities():
            for name in ("v4_active", "v6_active"):
                text = gb.cli("neighbor", moat_of[name])
                for cap in ("4-octet-as", "route-refresh", "ipv4-unicast", "ipv6-unicast"):
                    line = next((ln for ln in text.splitlines() if cap in ln), "")
                    check("advertised and received" in line, f"GoBGP {name}: {cap!r} not negotiated:\n{text}")
                check(f"Peer AS:   {MOAT_AS}" in text or str(MOAT_AS) in text, f"GoBGP {name}: wrong AS:\n{text}")

        suite.case("capabilities negotiated as GoBGP reports them (AS4, MP v4+v6, route refresh)", capabilities)

        def routes():
            def find(prefix, family):
                rib = gb.rib(family)
                return rib.get(prefix)

            paths = wait_for(lambda: find("203.0.113.0/24", "ipv4"), 10, "IPv4 route at GoBGP")
            hops = set()
            for p in paths:
                attrs = {a["type"]: a for a in p["attrs"]}
                segs = attrs[2]["as_paths"]
                check(len(segs) == 1 and segs[0]["asns"] == [MOAT_AS], f"wrong AS_PATH {segs}")
                hops.add(attrs[3]["nexthop"] if 3 in attrs else None)
                check(5 not in attrs, "LOCAL_PREF sent on eBGP")
            check(hops <= {"198.18.0.1", "198.18.0.11", "198.18.0.12"} and "198.18.0.1" in hops,
                  f"next hops {hops}")
            p6 = wait_for(lambda: find("2001:db8:100::/48", "ipv6"), 10, "IPv6 route at GoBGP")
            nh6 = set()
            for p in p6:
                attrs = {a["type"]: a for a in p["attrs"]}
                nh6.add(attrs[14]["nexthop"])
            check("fd00::1" in nh6, f"IPv6 next hops {nh6}")

        suite.case("originated routes reach GoBGP with our AS_PATH and next hop", routes)

        def stable():
            ups = {n: gb.neighbor(moat_of[n])["timers"]["state"]["uptime"]["seconds"] for n, *_ in SESSIONS}
            time.sleep(3 * HOLD + 1)
            for n, peer, local, _ in SESSIONS:
                check(gb.established(local), f"{n} dropped")
                now = gb.neighbor(local)["timers"]["state"]["uptime"]["seconds"]
                check(now == ups[n], f"{n} flapped (up since {ups[n]} -> {now})")
            check(moat.alive(), "moatd died")

        suite.case(f"sessions stay Established across three hold times ({HOLD}s)", stable)

        def shutdown():
            moat.ctl("neighbor", peer_of["shutdown"], "shutdown", "maintenance")
            wait_for(lambda: not gb.established(moat_of["shutdown"]), 10, "GoBGP session down")
            log = wait_for(lambda: (lambda t: t if "maintenance" in t else None)(lab.log("gobgp.log")), 5,
                           "the shutdown message in GoBGP's log")
            line = next(ln for ln in log.splitlines() if "maintenance" in ln)
            check("6" in line and "2" in line, f"not a Cease/2: {line}")
            check(gb.established(moat_of["v4_active"]), "another session dropped")

        suite.case("neighbor shutdown sends Cease/Administrative Shutdown with its message", shutdown)
        if suite.failed:
            lab.dump_logs()
    finally:
        lab.close(keep=bool(os.environ.get("MOAT_KEEP")))
    suite.finish()


if __name__ == "__main__":
    main()
