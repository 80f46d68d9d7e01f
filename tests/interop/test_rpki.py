#!/usr/bin/env python3
"""RPKI origin validation end to end: a real StayRTR cache on loopback feeds
moatd over RTR, BIRD announces routes to moatd over eBGP, GoBGP receives
what moatd exports.

- Valid, Invalid and NotFound routes: Invalid is rejected (reason
  rpki-invalid) and never reaches the receiver; Valid and NotFound do.
- A VRP change (StayRTR's JSON rewritten, SIGHUP: Serial Notify) re-validates
  both ways and the receiver follows, without any session reset.
- The cache killed: moatd shows it, keeps the last VRP set and the routes.
- moatd restarted while the cache comes up only after moatd has held BIRD's
  routes through failed attempts to reach it: the receiver (its table polled
  all the time, and its log of every UPDATE read) never sees an Invalid route
  (safe start).
- A reload from the cache to an `rpki file` source: the file's set takes
  over, sessions stay.
Absence is proved, never waited for: once what could cause it has been
handled (moatd's Adj-RIB-Out is exact), a marker route BIRD announces only
then must reach the receiver behind anything moatd sent before it.
Every process is started by the test and ended by its PID."""

import json
import os
import re
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Bird, GoBgp, Lab, Moatd, Suite, TEST_ADDRESSING, check, in_namespace_or_reexec,  # noqa: E402
                     run, setup_namespace, wait_for)

MOAT_AS, BIRD_AS, RECV_AS, OTHER_AS = 65000, 65010, 65030, 65099
BIRD = ("198.18.0.1", "198.18.0.2")    # moatd, BIRD
RECV = ("198.18.0.12", "198.18.0.4")   # moatd, GoBGP
CACHE = ("127.0.0.1", 8282)

VALID = "192.0.2.0/24"
INVALID = "198.51.100.0/24"
NOTFOUND = "203.0.113.0/24"
TOO_LONG = "100.64.1.0/24"       # under a /16-16 VRP of BIRD's AS: Invalid (maxLength)
FLIP_IN = "100.70.0.0/24"        # Invalid, then Valid
FLIP_OUT = "100.71.0.0/24"       # Valid, then Invalid
V6_VALID = "2001:db8:1::/48"
V6_INVALID = "2001:db8:2::/48"
# Marker routes: each is announced by BIRD only when a check needs a later
# event on the path BIRD -> moatd -> GoBGP (its own static protocol, enabled
# then). Valid under the 100.65.0.0/16-24 VRP of BIRD's AS.
MARKS = {"mark1": "100.65.1.0/24", "mark2": "100.65.2.0/24", "mark3": "100.65.3.0/24"}
MARKED = set()  # the markers BIRD announces by now
INVALIDS = (INVALID, TOO_LONG, FLIP_IN, V6_INVALID)


def roas(flipped=False):
    r = [(VALID, 24, BIRD_AS), (INVALID, 24, OTHER_AS), ("100.64.0.0/16", 16, BIRD_AS),
         (FLIP_IN, 24, BIRD_AS if flipped else OTHER_AS), (FLIP_OUT, 24, OTHER_AS if flipped else BIRD_AS),
         (V6_VALID, 48, BIRD_AS), (V6_INVALID, 48, OTHER_AS), ("100.65.0.0/16", 24, BIRD_AS)]
    return r


def vrp_json(entries):
    return json.dumps({"metadata": {"buildtime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                    "generated": int(time.time())},
                       "roas": [{"prefix": p, "maxLength": m, "asn": f"AS{a}"} for p, m, a in entries]})


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


class StayRtr:
    def __init__(self, lab, cache_file):
        self.lab = lab
        self.file = cache_file
        self.proc = None

    def start(self):
        self.proc = self.lab.start(["stayrtr", "-bind", f"{CACHE[0]}:{CACHE[1]}", "-metrics.addr", "127.0.0.1:9848",
                                    "-cache", self.file, "-checktime=false", "-refresh", "5"], "stayrtr.log")
        return self

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def stop(self):
        self.lab.stop(self.proc)


def moatd_config(source):
    lines = [source, "rpki safe-start timeout 60", f"router bgp {MOAT_AS}", *TEST_ADDRESSING, f" bgp router-id {BIRD[0]}", " no bgp ebgp-requires-policy",
             f" bgp listen address {BIRD[0]}", f" bgp listen address {RECV[0]}"]
    for (local, peer), asn in ((BIRD, BIRD_AS), (RECV, RECV_AS)):
        lines += [f" neighbor {peer} remote-as {asn}", f" neighbor {peer} update-source {local}",
                  f" neighbor {peer} timers 1 3", f" neighbor {peer} passive"]
    lines.append(f" neighbor {RECV[1]} next-hop-address fd00::12")
    return "\n".join(lines) + "\n"


CACHE_SOURCE = f"rpki cache {CACHE[0]} {CACHE[1]}\nrpki timers refresh 5 retry 1 expire 600"


def bird_config():
    v4 = "\n".join(f"  route {p} via {BIRD[1]};" for p in (VALID, INVALID, NOTFOUND, TOO_LONG, FLIP_IN, FLIP_OUT))
    v6 = "\n".join(f"  route {p} via fd00::2;" for p in (V6_VALID, V6_INVALID))
    marks = "\n".join(f"protocol static {name} {{ disabled; ipv4; route {p} via {BIRD[1]}; }}"
                      for name, p in MARKS.items())
    export4 = " || ".join(f'proto = "{name}"' for name in ("feed4", *MARKS))
    return f"""
log stderr all;
router id {BIRD[1]};
protocol device {{}}
ipv4 table master4; ipv6 table master6;
protocol static igp4 {{ ipv4; route 198.18.0.0/15 via "lo"; }}
protocol static igp6 {{ ipv6; route fd00::/8 via "lo"; }}
protocol static feed4 {{
  ipv4;
{v4}
}}
protocol static feed6 {{
  ipv6;
{v6}
}}
{marks}
protocol bgp moat {{
  local {BIRD[1]} as {BIRD_AS}; neighbor {BIRD[0]} as {MOAT_AS};
  multihop; strict bind yes; hold time 3; keepalive time 1; connect retry time 1;
  ipv4 {{ import none; export where {export4}; next hop self; }};
  ipv6 {{ import none; export where proto = "feed6"; next hop address fd00::2; }};
}}
"""


def gobgp_config():
    local, peer = RECV
    out = ["[global.config]", f"  as = {RECV_AS}", f'  router-id = "{peer}"', f'  local-address-list = ["{peer}"]',
           "  port = 179", "[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{local}"',
           f"    peer-as = {MOAT_AS}", "  [neighbors.transport.config]", f'    local-address = "{peer}"',
           "  [neighbors.timers.config]", "    hold-time = 3", "    keepalive-interval = 1", "    connect-retry = 1",
           "  [neighbors.ebgp-multihop.config]", "    enabled = true", "    multihop-ttl = 2"]
    for fam in ("ipv4-unicast", "ipv6-unicast"):
        out += ["  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]", f'      afi-safi-name = "{fam}"']
    return "\n".join(out) + "\n"


def received(gb):
    """The prefixes the GoBGP receiver holds, both families."""
    return set(gb.rib("ipv4")) | set(gb.rib("ipv6"))


def moat_paths(moat, prefix):
    fam = "ipv6" if ":" in prefix else "ipv4"
    return moat.json("show", "bgp", fam, "unicast", prefix)["routes"]


def advertised(moat):
    """moatd's Adj-RIB-Out for the receiver, both families: staged by the same
    decision pass that settles a route, so it is exact without waiting."""
    doc = moat.json("show", "bgp", "neighbors", RECV[1], "advertised-routes")
    rows = doc.get("routes", doc) if isinstance(doc, dict) else doc
    return {r["prefix"] for r in rows}


def recv_log_size(gb):
    return len(gb.lab.log(f"{gb.name}.log"))


def announced(gb, since=0):
    """Every prefix announced to the GoBGP receiver since byte `since` of its
    log (gobgpd -l debug logs each UPDATE it reads, in order), both families:
    the receiver's whole history, not a sample of its table."""
    out = set()
    for line in gb.lab.log(f"{gb.name}.log")[since:].splitlines(keepends=True):
        if 'msg="received update"' not in line or not line.endswith("\n"):
            continue
        for m in re.finditer(r'nlri="\[([^\]]*)\]"|NLRIs: \[([^\]]*)\]', line):
            out.update((m.group(1) or m.group(2) or "").split())
    return out


def mark(bird, recv, moat, name, since=0):
    """Has BIRD announce marker `name` and waits until the receiver has read
    it: every UPDATE moatd sent the receiver before it has been read too."""
    prefix = MARKS[name]
    bird.cmd("enable", name)
    MARKED.add(prefix)
    wait_for(lambda: prefix in announced(recv, since) and prefix in received(recv), 30,
             f"marker {prefix} at the receiver")
    r = moat_paths(moat, prefix)
    check(len(r) == 1 and r[0]["rpki"] == "valid" and not r[0]["rejected"], f"marker {prefix} in moatd: {r}")
    return prefix


def wait_cache_failures(moat, n):
    """Waits until moatd has handled n failures of the (down) cache: the first
    and n-1 reconnect attempts after it (each sets last_error anew, with its
    time in seconds; the cache's thread retries every second here). Anything
    the first failure did to the VRP set was queued before the later ones and
    has been applied by then."""
    seen = set()

    def more():
        c = moat.json("show", "rpki", "cache-connection")["sources"][0]
        if c["state"] not in ("established", "syncing") and c["last_error"]:
            seen.add(c["last_error"])
        return len(seen) >= n

    wait_for(more, 15 + 2 * n, f"{n} cache failures handled by moatd")


def transitions(moat):
    return {n: moat.neighbor(n)["established_transitions"] for n in (BIRD[1], RECV[1])}


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("rpki")
    lab = Lab("rpki")
    cache_file = lab.path("vrps.json")
    write_atomic(cache_file, vrp_json(roas()))
    try:
        cache = StayRtr(lab, cache_file).start()
        moat = Moatd(lab, "moatd", moatd_config(CACHE_SOURCE)).start()
        bird = Bird(lab, "bird", bird_config()).start()
        recv = GoBgp(lab, "recv", gobgp_config(), "127.0.0.3").start()

        def states():
            moat.wait_established(BIRD[1], 30)
            moat.wait_established(RECV[1], 30)
            wait_for(lambda: {VALID, NOTFOUND, V6_VALID, FLIP_OUT} <= received(recv), 20,
                     "Valid and NotFound routes at the receiver")
            want = {VALID: ("valid", False), INVALID: ("invalid", True), NOTFOUND: ("not-found", False),
                    TOO_LONG: ("invalid", True), FLIP_IN: ("invalid", True), FLIP_OUT: ("valid", False),
                    V6_VALID: ("valid", False), V6_INVALID: ("invalid", True)}
            for p, (state, rejected) in want.items():
                r = moat_paths(moat, p)
                check(len(r) == 1, f"{p}: moatd has {len(r)} paths")
                check(r[0]["rpki"] == state, f"{p}: state {r[0]['rpki']}, want {state}")
                check(r[0]["rejected"] == rejected, f"{p}: rejected {r[0]['rejected']}")
                if rejected:
                    check(r[0]["reason"] == "rpki-invalid", f"{p}: reason {r[0]['reason']}")
            # Every Invalid route is imported and rejected: nothing of them is
            # staged for the receiver, and a marker BIRD announces only now
            # reaches the receiver after anything moatd sent before it.
            out = advertised(moat)
            check(out == {VALID, NOTFOUND, FLIP_OUT, V6_VALID}, f"moatd sends the receiver {sorted(out)}")
            m = mark(bird, recv, moat, "mark1")
            check(advertised(moat) == out | {m}, f"moatd sends the receiver {sorted(advertised(moat))}")
            got, sent = received(recv), announced(recv)
            for p in INVALIDS:
                check(p not in got and p not in sent, f"Invalid {p} reached the receiver")
            s = moat.json("show", "rpki", "summary")
            check(s["state"] == "in-sync" and s["ipv4_vrps"] == 6 and s["ipv6_vrps"] == 2, f"summary {s}")
            c = moat.json("show", "rpki", "cache-connection")["sources"]
            check(c[0]["type"] == "tcp" and c[0]["state"] == "established" and c[0]["serial"] is not None,
                  f"cache-connection {c}")
            inv = moat.json("show", "bgp", "ipv4", "unicast", "rpki", "invalid")["routes"]
            check(sorted(r["prefix"] for r in inv) == sorted([INVALID, TOO_LONG, FLIP_IN]), f"rpki invalid: {inv}")
            v = moat.json("show", "rpki", "validity", INVALID, str(BIRD_AS))
            check(v["state"] == "invalid" and v["covering"][0]["asn"] == OTHER_AS, f"validity {v}")

        if not suite.case("Valid and NotFound reach the receiver; Invalid is rejected (rpki-invalid), never sent",
                          states):
            lab.dump_logs()
            suite.finish()

        def vrp_change():
            before = transitions(moat)
            write_atomic(cache_file, vrp_json(roas(flipped=True)))
            cache.reload()
            wait_for(lambda: FLIP_IN in received(recv) and FLIP_OUT not in received(recv), 15,
                     "the flipped routes at the receiver")
            check(moat_paths(moat, FLIP_IN)[0]["rpki"] == "valid", "FLIP_IN not valid")
            r = moat_paths(moat, FLIP_OUT)[0]
            check(r["rpki"] == "invalid" and r["reason"] == "rpki-invalid", f"FLIP_OUT {r}")
            check(transitions(moat) == before, f"a session was reset: {before} -> {transitions(moat)}")
            check(VALID in received(recv) and INVALID not in received(recv), "unrelated routes changed")
            check(moat.json("show", "rpki", "summary")["revalidations"] >= 1, "no revalidation counted")

        suite.case("a VRP change at the cache revalidates both ways and propagates, no session reset", vrp_change)

        def cache_killed():
            since = recv_log_size(recv)
            cache.stop()
            # The failure and two reconnect attempts handled: a VRP drop on
            # the failure would be in force by now. The marker, imported after
            # that, is Valid only with the cache's set, and reaches the
            # receiver after any revalidation of the routes moatd sent it.
            wait_cache_failures(moat, 3)
            s = moat.json("show", "rpki", "summary")
            check(s["ipv4_vrps"] == 6 and s["ipv6_vrps"] == 2, f"VRPs dropped while the cache is down: {s}")
            m = mark(bird, recv, moat, "mark2", since)
            out = advertised(moat)
            check(out == {VALID, NOTFOUND, FLIP_IN, V6_VALID} | MARKED,
                  f"moatd sends the receiver {sorted(out)} while the cache is down")
            got, sent = received(recv), announced(recv, since)
            check(VALID in got and FLIP_IN in got and FLIP_OUT not in got and INVALID not in got,
                  f"routes changed while the cache is down: {sorted(got)}")
            check(sent == {m}, f"moatd sent the receiver more than the marker with the cache down: {sorted(sent)}")
            text = moat.ctl("show", "rpki", "cache-connection")
            check("tcp 127.0.0.1:8282" in text, text)
            # The daemon's log says so too, once per change, with the reason.
            log = moat.log()
            check("RPKI: tcp 127.0.0.1:8282: start -> " in log, "the cache's first state is not logged")
            failed = re.findall(r"RPKI: tcp 127\.0\.0\.1:8282: established -> (?:error|down): (.+)", log)
            check(len(failed) == 1 and failed[0].strip(), f"the cache's failure is not logged once with a reason: {failed}")

        suite.case("the cache killed: state shown, last VRP set and routes kept, the change logged with its reason",
                   cache_killed)

        def slow_cache_restart():
            # Back to the first VRP set, served only once moatd has held
            # BIRD's routes through failed attempts to reach the cache.
            write_atomic(cache_file, vrp_json(roas()))
            lab.stop(moat.proc)
            wait_for(lambda: not received(recv), 15, "the receiver to lose moatd's routes")
            since = recv_log_size(recv)
            seen, stop = set(), threading.Event()

            def poll():
                while not stop.is_set():
                    try:
                        seen.update(received(recv))
                    except Exception:  # noqa: BLE001 - GoBGP busy: try again
                        pass
                    time.sleep(0.05)

            t = threading.Thread(target=poll)
            t.start()
            try:
                moat.start()
                moat.wait_established(BIRD[1], 30)
                moat.wait_established(RECV[1], 30)
                # All of BIRD's routes are in and held, and moatd has handled
                # the cache's failure and a retry: what it would release on
                # either has been staged by now.
                feed = {VALID, INVALID, NOTFOUND, TOO_LONG, FLIP_IN, FLIP_OUT, V6_VALID, V6_INVALID} | MARKED
                wait_for(lambda: all(moat_paths(moat, p) for p in feed), 30, "BIRD's routes in moatd")
                wait_cache_failures(moat, 2)
                s = moat.json("show", "rpki", "summary")
                check(s["state"] == "waiting", f"not waiting for the cache: {s}")
                for p in feed:
                    held = moat_paths(moat, p)
                    check(held[0]["rejected"] and held[0]["reason"] == "rpki-pending", f"{p} not held: {held}")
                check(not advertised(moat), f"moatd sends the receiver {sorted(advertised(moat))} before its cache")
                cache.start()
                wait_for(lambda: {VALID, NOTFOUND, FLIP_OUT} <= received(recv), 30, "routes after the cache came up")
                # Every Invalid route re-run and rejected: a marker announced
                # only now reaches the receiver after all moatd sent before.
                wait_for(lambda: all((r := moat_paths(moat, p)) and r[0]["reason"] == "rpki-invalid" for p in INVALIDS),
                         30, "the Invalid routes rejected as rpki-invalid")
                mark(bird, recv, moat, "mark3", since)
            finally:
                stop.set()
                t.join()
            bad = (seen | announced(recv, since)) & set(INVALIDS)
            check(not bad, f"the receiver saw Invalid routes during safe start: {sorted(bad)}")
            out = advertised(moat)
            check(out == {VALID, NOTFOUND, FLIP_OUT, V6_VALID} | MARKED,
                  f"moatd sends the receiver {sorted(out)}")

        suite.case("moatd restarted before its cache: the receiver never sees an Invalid route", slow_cache_restart)

        def file_source():
            before = transitions(moat)
            vrp_file = lab.path("moat-vrps.json")
            # INVALID's ROA now names BIRD's AS: Valid from the file.
            write_atomic(vrp_file, vrp_json([(VALID, 24, BIRD_AS), (INVALID, 24, BIRD_AS)]))
            with open(moat.conf, "w") as f:
                f.write(moatd_config(f"rpki file {vrp_file}"))
            out = moat.ctl("reload")
            check("error" not in out.lower(), out)
            wait_for(lambda: INVALID in received(recv) and FLIP_IN in received(recv), 15,
                     "the file's set at the receiver")
            s = moat.json("show", "rpki", "summary")
            check(s["sources"][0]["type"] == "file" and s["ipv4_vrps"] == 2, f"summary {s}")
            check(moat_paths(moat, NOTFOUND)[0]["rpki"] == "not-found", "NotFound changed")
            check(moat_paths(moat, TOO_LONG)[0]["rpki"] == "not-found", "100.64.0.0/16 VRP still in force")
            check(transitions(moat) == before, f"a session was reset: {before} -> {transitions(moat)}")
            # The file changes: INVALID goes back to another AS.
            write_atomic(vrp_file, vrp_json([(VALID, 24, BIRD_AS), (INVALID, 24, OTHER_AS)]))
            wait_for(lambda: INVALID not in received(recv), 15, "the file change at the receiver")

        suite.case("reload to an rpki file source: its VRPs take over and follow the file, sessions kept",
                   file_source)
    finally:
        if suite.failed:
            lab.dump_logs()
        lab.close(keep=bool(suite.failed))
    suite.finish()


if __name__ == "__main__":
    main()
