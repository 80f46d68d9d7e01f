#!/usr/bin/env python3
"""moatd against a real BIRD 2: sessions both ways, IPv4 and IPv6 transport,
4-octet ASNs, capabilities as BIRD reports them, stability over three hold
times, originated routes at BIRD, Cease with a shutdown message, TCP-MD5."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bird, Lab, Moatd, Suite, TEST_ADDRESSING, check, in_namespace_or_reexec, setup_namespace, wait_for  # noqa: E402

MOAT_AS = 4200000001
BIRD_AS = 4200000002
HOLD = 3

# (BIRD protocol name, BIRD address, moatd address, moatd side is passive, extra moatd lines, extra BIRD lines)
# BIRD runs one session per neighbor address, so every session has its own
# address pair.
SESSIONS = [
    ("v4_active", "198.18.0.2", "198.18.0.1", False, [], []),
    ("v4_passive", "198.18.0.3", "198.18.0.11", True, [], []),
    ("v6_active", "fd00::2", "fd00::1", False, [], []),
    ("v6_passive", "fd00::3", "fd00::11", True, [], []),
    ("md5_good", "198.18.0.4", "198.18.0.12", False, ["password s3cret-key"], ['password "s3cret-key";']),
    ("md5_wrong", "198.18.0.5", "198.18.0.13", False, ["password not-the-key"], ['password "s3cret-key";']),
    ("admin_down", "198.18.0.6", "198.18.0.14", False, [], []),
    # GTSM (RFC 5082): BIRD sends TTL 255 with "ttl security"; without it, it
    # sends 64 (multihop), which moatd must refuse.
    ("gtsm", "198.18.0.7", "198.18.0.15", False, ["ttl-security hops 1"], ["ttl security on;"]),
    ("gtsm_low_ttl", "198.18.0.8", "198.18.0.16", False, ["ttl-security hops 1"], []),
]
# Sessions BIRD connects to as well as moatd: while moatd's side is shut down,
# BIRD keeps trying (connect retry 1 s), and every attempt is a way back in
# that moatd must refuse.
BIRD_CONNECTS_TOO = {"admin_down"}


def moatd_config():
    lines = [
        "hostname moat-dut",
        f"router bgp {MOAT_AS}", *TEST_ADDRESSING,
        " bgp router-id 198.18.0.1",
        " no bgp ebgp-requires-policy",
        " network 203.0.113.0/24",
        " network 198.51.100.0/24",
        " network 2001:db8:100::/48",
    ]
    lines += [f" bgp listen address {a}" for a in sorted({s[2] for s in SESSIONS})]
    for name, peer, local, passive, extra, _ in SESSIONS:
        lines.append(f" neighbor {peer} remote-as {BIRD_AS}")
        lines.append(f" neighbor {peer} description bird {name}")
        lines.append(f" neighbor {peer} update-source {local}")
        lines.append(f" neighbor {peer} timers 1 {HOLD}")
        if passive:
            lines.append(f" neighbor {peer} passive")
        lines += [f" neighbor {peer} {x}" for x in extra]
    return "\n".join(lines) + "\n"


def bird_config():
    out = [
        "log stderr all;",
        "router id 198.18.0.2;",
        "protocol device {}",
        "ipv4 table master4; ipv6 table master6;",
        # Next hops on lo must resolve, or BIRD hides the routes.
        'protocol static igp4 { ipv4; route 198.18.0.0/15 via "lo"; }',
        'protocol static igp6 { ipv6; route fd00::/8 via "lo"; }',
    ]
    for name, peer, local, passive, _, extra in SESSIONS:
        out.append(f"protocol bgp {name} {{")
        out.append(f"  local {peer} as {BIRD_AS}; neighbor {local} as {MOAT_AS};")
        out.append("  multihop; strict bind yes;")
        out.append(f"  hold time {HOLD}; keepalive time 1; connect retry time 1; error wait time 1, 5;")
        if not passive and name not in BIRD_CONNECTS_TOO:
            out.append("  passive on;")  # moatd connects
        out += [f"  {x}" for x in extra]
        out.append("  ipv4 { import all; export none; gateway recursive; };")
        out.append("  ipv6 { import all; export none; gateway recursive; };")
        out.append("}")
    return "\n".join(out) + "\n"


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("bird")
    lab = Lab("bird")
    try:
        bird = Bird(lab, "bird", bird_config()).start()
        moat = Moatd(lab, "moatd", moatd_config()).start()
        up = ["v4_active", "v4_passive", "v6_active", "v6_passive", "md5_good", "admin_down", "gtsm"]
        peer_of = {s[0]: s[1] for s in SESSIONS}

        def all_up():
            for name in up:
                wait_for(lambda n=name: bird.established(n), 40, f"BIRD {name} Established")
                moat.wait_established(peer_of[name], 10)

        if not suite.case("sessions come up both ways, IPv4 and IPv6 transport, 4-octet ASNs, TCP-MD5, GTSM", all_up):
            lab.dump_logs()
            suite.finish()

        def capabilities():
            for name in ("v4_active", "v6_passive"):
                text = bird.protocol(name)
                neigh = text.split("Neighbor capabilities", 1)[1] if "Neighbor capabilities" in text else text
                for cap in ("4-octet AS numbers", "Route refresh", "Enhanced refresh"):
                    check(cap in neigh, f"BIRD {name} does not see capability {cap!r}:\n{text}")
                check("AF announced: ipv4 ipv6" in neigh, f"BIRD {name}: MP IPv4+IPv6 not announced:\n{text}")
                check(text.count("State:          UP") >= 2, f"BIRD {name}: both channels must be UP:\n{text}")
                check(f"Neighbor AS:      {MOAT_AS}" in text, f"BIRD {name}: wrong neighbor AS:\n{text}")
            n = moat.neighbor(peer_of["v4_active"])
            check(n.get("remote_as") == BIRD_AS, f"moatd reports remote AS {n.get('remote_as')}")

        suite.case("capabilities negotiated as BIRD reports them (AS4, MP v4+v6, route refresh)", capabilities)

        def routes():
            for name, nh4 in (("v4_active", "198.18.0.1"), ("v4_passive", "198.18.0.11")):
                r = wait_for(lambda n=name: (lambda rt: rt if "203.0.113.0/24" in rt else None)(
                    bird.routes("protocol", n)), 10, f"routes at BIRD {name}")
                block = r["203.0.113.0/24"]
                check(f"BGP.as_path: {MOAT_AS}\n" in block, f"{name}: wrong AS_PATH:\n{block}")
                if nh4:
                    check(f"BGP.next_hop: {nh4}" in block, f"{name}: wrong NEXT_HOP:\n{block}")
                check("198.51.100.0/24" in r, f"{name}: second network missing: {sorted(r)}")
            r6 = wait_for(lambda: (lambda rt: rt if "2001:db8:100::/48" in rt else None)(
                bird.routes("protocol", "v6_active")), 10, "IPv6 route at BIRD v6_active")
            block = r6["2001:db8:100::/48"]
            check(f"BGP.as_path: {MOAT_AS}\n" in block, f"v6: wrong AS_PATH:\n{block}")
            check("BGP.next_hop: fd00::1" in block, f"v6: wrong next hop:\n{block}")

        suite.case("originated IPv4 and IPv6 routes reach BIRD with our AS_PATH and next hop", routes)

        def md5_wrong():
            check(not bird.established("md5_wrong"), "session with the wrong TCP-MD5 key came up")
            check(moat.state(peer_of["md5_wrong"]).lower() != "established", "moatd: wrong-key session Established")

        suite.case("a wrong TCP-MD5 key keeps the session down", md5_wrong)

        def gtsm_low_ttl():
            check(not bird.established("gtsm_low_ttl"), "GTSM session with TTL 64 packets came up")
            check(moat.state(peer_of["gtsm_low_ttl"]).lower() != "established", "moatd: low-TTL session Established")

        suite.case("GTSM: TTL 255 comes up, a peer sending TTL 64 does not", gtsm_low_ttl)

        def stable():
            # moatd counts how often each session reached Established; BIRD's
            # log names any session error. Neither may change while we wait.
            before = {n: moat.neighbor(peer_of[n])["established_transitions"] for n in up}
            log_before = lab.log("bird.log")
            time.sleep(3 * HOLD + 1)
            for n in up:
                check(bird.established(n), f"{n} is no longer Established at BIRD")
                after = moat.neighbor(peer_of[n])["established_transitions"]
                check(after == before[n], f"{n} flapped ({before[n]} -> {after} transitions)")
            new_log = lab.log("bird.log")[len(log_before):]
            for n in up:
                check(f"{n}: Error" not in new_log and f"{n}: Received" not in new_log,
                      f"BIRD logged an error for {n}:\n{new_log}")
            check(moat.alive(), "moatd died")

        suite.case(f"sessions stay Established across three hold times ({HOLD}s)", stable)

        def shutdown():
            addr = peer_of["admin_down"]
            log_at = len(moat.log())
            moat.ctl("neighbor", addr, "shutdown", "maintenance")
            text = wait_for(lambda: (lambda t: t if "Administrative shutdown" in t else None)(
                bird.protocol("admin_down")), 10, "BIRD sees Cease/Administrative shutdown")
            log = lab.log("bird.log")
            check("maintenance" in text or "maintenance" in log,
                  f"BIRD did not show the shutdown message:\n{text}\n{log[-2000:]}")
            # Down in moatd with no restart of its own scheduled: from Idle,
            # only a connection from BIRD could bring the session back.
            down = moat.neighbor(addr)
            check(down["state"].lower() == "idle" and down["admin_shutdown"], f"moatd after the shutdown: {down}")
            shown = moat.ctl("show", "bgp", "neighbors", addr)
            check("Next connection attempt" not in shown, f"moatd will reconnect by itself:\n{shown}")

            # BIRD connects too: wait until moatd has turned away three of its
            # attempts since the shutdown (or the session is back).
            def refused():
                n = moat.neighbor(addr)
                if n["established_transitions"] != down["established_transitions"] or bird.established("admin_down"):
                    return n
                tries = moat.log()[log_at:].count(f"neighbor {addr}: connection refused: administratively down")
                return n if tries >= 3 else None

            n = wait_for(refused, 60, "moatd refusing three connections from BIRD while shut down")
            check(not bird.established("admin_down"), "session came back while shut down")
            check(n["established_transitions"] == down["established_transitions"],
                  f"session came back while shut down ({down['established_transitions']} -> "
                  f"{n['established_transitions']} transitions)")
            # Neither accepted nor attempted: moatd sent no OPEN after the
            # shutdown and stayed Idle, still with nothing scheduled.
            check(n["state"].lower() == "idle", f"moatd state {n['state']} while shut down")
            check(n["messages"]["sent"]["open"] == down["messages"]["sent"]["open"],
                  f"moatd sent an OPEN while shut down: {down['messages']['sent']} -> {n['messages']['sent']}")
            shown = moat.ctl("show", "bgp", "neighbors", addr)
            check("Next connection attempt" not in shown, f"moatd will reconnect by itself:\n{shown}")
            for name in ("v4_active", "v6_active"):
                check(bird.established(name), f"{name} dropped when another neighbor was shut down")

        suite.case("neighbor shutdown sends Cease/Administrative Shutdown with its message", shutdown)

        def unshut():
            moat.ctl("no", "neighbor", peer_of["admin_down"], "shutdown")
            wait_for(lambda: bird.established("admin_down"), 30, "session back after no shutdown")

        suite.case("no neighbor shutdown brings the session back", unshut)
        if suite.failed:
            lab.dump_logs()
    finally:
        lab.close(keep=bool(os.environ.get("MOAT_KEEP")))
    suite.finish()


if __name__ == "__main__":
    main()
