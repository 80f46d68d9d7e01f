#!/usr/bin/env python3
"""moatd against a real FRR bgpd (no zebra): sessions both ways, IPv4 and IPv6
transport, 4-octet ASNs, capabilities as FRR reports them, stability over
three hold times, originated routes at FRR, Cease with a shutdown message."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Frr, Lab, Moatd, Suite, TEST_ADDRESSING, check, in_namespace_or_reexec, setup_namespace, wait_for  # noqa: E402

MOAT_AS = 4200000001
FRR_AS = 4200000005
HOLD = 3

# (name, moatd address, moatd side is passive). moatd keys neighbors by the
# peer's address, so each session also has its own FRR address (frr_addr).
SESSIONS = [
    ("v4_active", "198.18.0.1", False),
    ("v4_passive", "198.18.0.11", True),
    ("v6_active", "fd00::1", False),
    ("shutdown", "198.18.0.12", False),
]


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("frr")
    lab = Lab("frr")
    try:
        frr_addr = {"v4_active": "198.18.0.5", "v4_passive": "198.18.0.6", "v6_active": "fd00::5",
                    "shutdown": "198.18.0.7"}
        moat_lines = [f"router bgp {MOAT_AS}", *TEST_ADDRESSING, " bgp router-id 198.18.0.1", " no bgp ebgp-requires-policy",
                      " network 203.0.113.0/24", " network 2001:db8:100::/48"]
        moat_lines += sorted({f" bgp listen address {s[1]}" for s in SESSIONS})
        frr_lines = ["hostname frr", "log file %s debugging" % lab.path("frr.bgpd.log"),
                     f"router bgp {FRR_AS}", " bgp router-id 198.18.0.5", " no bgp ebgp-requires-policy",
                     " no bgp default ipv4-unicast", " bgp log-neighbor-changes"]
        for name, local, passive in SESSIONS:
            peer = frr_addr[name]
            moat_lines += [f" neighbor {peer} remote-as {FRR_AS}", f" neighbor {peer} update-source {local}",
                           f" neighbor {peer} timers 1 {HOLD}", f" neighbor {peer} description frr {name}"]
            if passive:
                moat_lines.append(f" neighbor {peer} passive")
            frr_lines += [f" neighbor {local} remote-as {MOAT_AS}", f" neighbor {local} update-source {peer}",
                          f" neighbor {local} timers 1 {HOLD}", f" neighbor {local} timers connect 1",
                          f" neighbor {local} disable-connected-check"]
            if not passive:
                frr_lines.append(f" neighbor {local} passive")
        for fam in ("ipv4", "ipv6"):
            frr_lines.append(f" address-family {fam} unicast")
            frr_lines += [f"  neighbor {s[1]} activate" for s in SESSIONS]
            frr_lines.append(" exit-address-family")
        moat = Moatd(lab, "moatd", "\n".join(moat_lines) + "\n")
        listen = sorted(set(frr_addr.values()))
        frr = Frr(lab, "frr", "\n".join(frr_lines) + "\n", listen)
        frr.start()
        moat.start()

        def neighbor(local):
            return frr.json(f"show bgp neighbors {local}")[local]

        def established(local):
            return neighbor(local).get("bgpState") == "Established"

        def all_up():
            for name, local, _ in SESSIONS:
                wait_for(lambda lo=local: established(lo), 40, f"FRR {name} Established")
                moat.wait_established(frr_addr[name], 10)

        if not suite.case("sessions come up both ways, IPv4 and IPv6 transport, 4-octet ASNs", all_up):
            lab.dump_logs()
            print(frr.bgp_log()[-3000:])
            suite.finish()

        def capabilities():
            for name in ("v4_active", "v6_active"):
                n = neighbor(SESSIONS[[s[0] for s in SESSIONS].index(name)][1])
                caps = n.get("neighborCapabilities", {})
                check(caps.get("4byteAs") == "advertisedAndReceived", f"{name}: 4-octet AS: {caps}")
                check(caps.get("routeRefresh", "").startswith("advertisedAndReceived"), f"{name}: route refresh {caps}")
                mp = caps.get("multiprotocolExtensions", {})
                for fam in ("ipv4Unicast", "ipv6Unicast"):
                    check(mp.get(fam, {}).get("advertisedAndReceived"), f"{name}: MP {fam}: {mp}")
                check(n.get("remoteAs") == MOAT_AS, f"{name}: remote AS {n.get('remoteAs')}")

        suite.case("capabilities negotiated as FRR reports them (AS4, MP v4+v6, route refresh)", capabilities)

        def routes():
            def paths(prefix, fam):
                doc = frr.json(f"show bgp {fam} unicast {prefix}")
                return doc.get("paths") or None

            p4 = wait_for(lambda: paths("203.0.113.0/24", "ipv4"), 15, "IPv4 route at FRR")
            by_peer = {p["peer"]["peerId"]: p for p in p4}
            p = by_peer.get("198.18.0.1")
            check(p is not None, f"no path from the v4_active session: {list(by_peer)}")
            check(p["aspath"]["string"] == str(MOAT_AS), f"AS_PATH {p['aspath']}")
            check(p["nexthops"][0]["ip"] == "198.18.0.1", f"next hop {p['nexthops']}")
            check("locPrf" not in p or p.get("locPrf") == 100, "LOCAL_PREF on eBGP")
            p6 = wait_for(lambda: paths("2001:db8:100::/48", "ipv6"), 15, "IPv6 route at FRR")
            by_peer = {p["peer"]["peerId"]: p for p in p6}
            p = by_peer.get("fd00::1")
            check(p is not None, f"no IPv6 path from the v6 session: {list(by_peer)}")
            check(p["nexthops"][0]["ip"] == "fd00::1", f"IPv6 next hop {p['nexthops']}")

        suite.case("originated routes reach FRR with our AS_PATH and next hop", routes)

        def stable():
            est = {name: neighbor(local).get("connectionsEstablished") for name, local, _ in SESSIONS}
            time.sleep(3 * HOLD + 1)
            for name, local, _ in SESSIONS:
                n = neighbor(local)
                check(n.get("bgpState") == "Established", f"{name} dropped")
                check(n.get("connectionsEstablished") == est[name], f"{name} flapped")
            check(moat.alive(), "moatd died")

        suite.case(f"sessions stay Established across three hold times ({HOLD}s)", stable)

        def shutdown():
            local = SESSIONS[3][1]
            moat.ctl("neighbor", frr_addr["shutdown"], "shutdown", "maintenance")
            wait_for(lambda: not established(local), 10, "FRR session down")
            n = neighbor(local)
            text = str(n) + frr.bgp_log()
            check("maintenance" in text, f"FRR did not record the shutdown message: {n}")
            check("Administrative Shutdown" in text or "Admin. shutdown" in text, f"not Cease/2: {n}")
            check(established(SESSIONS[0][1]), "another session dropped")

        suite.case("neighbor shutdown sends Cease/Administrative Shutdown with its message", shutdown)
        if suite.failed:
            lab.dump_logs()
            print(frr.bgp_log()[-3000:])
    finally:
        lab.close(keep=bool(os.environ.get("MOAT_KEEP")))
    suite.finish()


if __name__ == "__main__":
    main()
