#!/usr/bin/env python3
"""A full-table dump through moatctl must not starve a BGP session.

moatd takes 1,000,000 IPv4 routes from moat-feeder and has a second session
to a real BIRD 2 with hold time 3 s (keepalive 1 s). Then `moatctl show bgp
ipv4 unicast` and `... json` run at the same time, each read by a deliberately
slow consumer (paced so a dump takes at least 7 s, over two hold times), while
`show bgp summary json` is asked every half second. Afterwards:

- BIRD's session never went down, judged by counters, never by comparing
  printed times: moatd's Established transitions for it stay at one, BIRD's
  log has its one "State changed to up" and no state change since, BIRD's
  session uptime grew by the time that passed (its "since", read as an
  absolute time, moved by less than a second: BIRD keeps it on its
  monotonic clock and converts it to wall time at each print, so the printed
  value may move by a millisecond), and
  BIRD's log has no hold timer expiry;
- the control socket kept answering during the dumps (each summary < 2 s);
- the text dump has 1,000,000 distinct prefixes and says "1000000 route(s)";
- the JSON dump parses (element by element, as it streams) and holds
  1,000,000 route objects with 1,000,000 distinct prefixes.

Runs in its own network namespace (re-executes itself under unshare --net).
  sudo MOAT_BUILD=build python3 tests/cli/show_fulltable_e2e.py
"""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from harness import (BUILD, Bird, Failure, Lab, check, in_namespace_or_reexec, run,  # noqa: E402
                     wait_for)

ROUTES = int(os.environ.get("MOAT_FULLTABLE_ROUTES", "1000000"))
MIN_DUMP_S = 7.0  # the slow readers' pace: more than two hold times
MOAT_AS = 65000
BIRD_AS = 4200000002
FEEDER_AS = 4200001001
MOAT_ADDR = "198.18.0.1"
BIRD_ADDR = "198.18.0.2"
FEEDER_ADDR = "127.0.1.1"
FEEDER_NH = "198.18.1.1"  # the feeder's default next hop for --feeder-id 0


def moatd_config():
    return "\n".join([
        "hostname moat-fulltable",
        f"router bgp {MOAT_AS}",
        f" bgp router-id {MOAT_ADDR}",
        # A synthetic table from feeders with private ASNs, over every prefix length
        # and unfiltered space: the eBGP default filters would drop parts of it.
        " no bgp reject martians", " no bgp reject too-specific", " no bgp reject bogon-asns",
        " no bgp ebgp-requires-policy",
        " bgp listen address 127.0.0.1",
        f" bgp listen address {MOAT_ADDR}",
        f" neighbor {FEEDER_ADDR} remote-as {FEEDER_AS}",
        f" neighbor {FEEDER_ADDR} description feeder",
        f" neighbor {FEEDER_ADDR} update-source 127.0.0.1",
        f" neighbor {FEEDER_ADDR} passive",
        f" neighbor {BIRD_ADDR} remote-as {BIRD_AS}",
        f" neighbor {BIRD_ADDR} description bird",
        f" neighbor {BIRD_ADDR} update-source {MOAT_ADDR}",
        f" neighbor {BIRD_ADDR} timers 1 3",
        f" neighbor {BIRD_ADDR} timers connect 1",
    ]) + "\n!\n"


def bird_config():
    # BIRD takes every UPDATE off the wire and parses it, but keeps nothing:
    # the session is the point, not BIRD's table.
    return "\n".join([
        "log stderr all;",
        # Absolute state-change times (date included), to the millisecond.
        "timeformat protocol iso long ms;",
        f"router id {BIRD_ADDR};",
        "protocol device {}",
        "protocol bgp moat {",
        # Logs each protocol state change ("moat: State changed to up"): the flap counter.
        "  debug { states };",
        f"  local {BIRD_ADDR} as {BIRD_AS}; neighbor {MOAT_ADDR} as {MOAT_AS};",
        "  multihop; strict bind yes; passive on;",
        "  hold time 3; keepalive time 1; connect retry time 1;",
        "  ipv4 { import none; export none; };",
        "}",
    ]) + "\n"


class Pace:
    """Sleeps so that `done` items never arrive faster than `total` in `seconds`."""

    def __init__(self, total, seconds):
        self.rate = total / seconds
        self.t0 = time.monotonic()

    def __call__(self, done):
        ahead = done / self.rate - (time.monotonic() - self.t0)
        if ahead > 0:
            time.sleep(ahead)


def moatctl(sock, *words, **kw):
    return subprocess.Popen([os.path.join(BUILD, "cli", "moatctl"), "-s", sock, *words],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


ROUTE_LINE = re.compile(r"^[*rx][> ][VIN ] (\S+/\d+) ")


def read_text(sock, result):
    """`show bgp ipv4 unicast`, read line by line at a slow pace."""
    t0 = time.monotonic()
    p = moatctl(sock, "show", "bgp", "ipv4", "unicast", text=True, bufsize=1 << 16)
    pace = Pace(ROUTES, MIN_DUMP_S)
    prefixes, lines, footer = set(), 0, None
    for line in p.stdout:
        m = ROUTE_LINE.match(line)
        if m:
            prefixes.add(m.group(1))
            lines += 1
            if lines % 2000 == 0:
                pace(lines)
        elif line.endswith(" route(s)\n"):
            footer = line.strip()
    err = p.stderr.read()
    result.update(rc=p.wait(), seconds=time.monotonic() - t0, prefixes=len(prefixes), lines=lines,
                  footer=footer, stderr=err, some=next(iter(prefixes), None))


def read_json(sock, result):
    """`show bgp ipv4 unicast json`, parsed as it streams: the opening
    {"routes":[, then one object after another, then ]}. Never holds more
    than a read buffer and the set of prefixes."""
    t0 = time.monotonic()
    p = moatctl(sock, "show", "bgp", "ipv4", "unicast", "json")
    dec = json.JSONDecoder()
    pace = Pace(ROUTES, MIN_DUMP_S)
    buf, pos, eof = "", 0, False
    prefixes, objects, error = set(), 0, None

    def more():
        nonlocal buf, pos, eof
        chunk = p.stdout.read1(1 << 16)
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk.decode()
        pos = 0
        return True

    def skip_blank():
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf) or not more():
                return

    try:
        while len(buf) - pos < 11 and more():
            pass
        head = '{"routes":['
        if not buf.startswith(head, pos):
            raise ValueError(f"does not start with {head}: {buf[pos:pos + 40]!r}")
        pos += len(head)
        skip_blank()
        if buf.startswith("]", pos):
            pos += 1
        else:
            while True:
                try:
                    obj, end = dec.raw_decode(buf, pos)
                except json.JSONDecodeError:
                    if eof or not more():
                        raise
                    continue
                # An object cut at a chunk boundary may decode as a shorter
                # value only if it is not an object; routes are objects.
                if not isinstance(obj, dict) or "prefix" not in obj:
                    raise ValueError(f"element {objects} is not a route: {str(obj)[:80]}")
                prefixes.add(obj["prefix"])
                objects += 1
                if objects % 2000 == 0:
                    pace(objects)
                pos = end
                skip_blank()
                if buf.startswith(",", pos):
                    pos += 1
                    skip_blank()
                    continue
                if buf.startswith("]", pos):
                    pos += 1
                    break
                raise ValueError(f"after element {objects}: {buf[pos:pos + 40]!r}")
        skip_blank()
        if not buf.startswith("}", pos):
            raise ValueError(f"no closing brace: {buf[pos:pos + 40]!r}")
        pos += 1
        skip_blank()
        if pos < len(buf):
            raise ValueError(f"trailing bytes: {buf[pos:pos + 40]!r}")
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        error = str(e)[:300]
        p.stdout.read()
    err = p.stderr.read().decode()
    result.update(rc=p.wait(), seconds=time.monotonic() - t0, prefixes=len(prefixes), objects=objects,
                  error=error, stderr=err)


class Control:
    """One control socket connection kept open (docs/cli-protocol.md), so a
    probe measures the daemon's answer, not the start of a moatctl process."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""

    def run(self, line):
        self.s.sendall(line.encode() + b"\n")
        body = b""
        while True:
            while b"\n" not in self.buf:
                self.buf += self.s.recv(65536)
            head, rest = self.buf.split(b"\n", 1)
            code, length = head.split()
            while len(rest) < int(length):
                rest += self.s.recv(65536)
            payload, self.buf = rest[:int(length)], rest[int(length):]
            if code == b"1000":
                body += payload
                continue
            if code != b"0000":
                raise Failure(f"{line}: {code.decode()} {payload.decode()}")
            return body.decode()

    def close(self):
        self.s.close()


def neighbor(sock, addr):
    r = run([os.path.join(BUILD, "cli", "moatctl"), "-s", sock, "show", "bgp", "neighbors", addr, "json"])
    return json.loads(r.stdout)["neighbors"][0]


# name proto table state since (timeformat iso long ms) info
BIRD_ROW = re.compile(r"^moat\s+BGP\s+\S+\s+(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\s*(.*)$")


def bird_session(bird):
    """BIRD's `show protocols moat` row: state, info, since (a datetime) and
    its uptime in seconds, taken against our clock right after the query."""
    out = bird.cmd("show", "protocols", "moat")
    for line in out.splitlines():
        m = BIRD_ROW.match(line)
        if m:
            since = datetime.strptime(m.group(2), "%Y-%m-%d %H:%M:%S.%f")
            return {"state": m.group(1), "info": m.group(3).strip(), "since": since,
                    "uptime": (datetime.now() - since).total_seconds()}
    raise Failure(f"BIRD: no row for protocol moat in {out!r}")


def bird_state_changes(lab):
    """Every state change of protocol moat that BIRD logged, in order."""
    return re.findall(r" moat: State changed to (\w+)", lab.log("bird.log"))


def main():
    in_namespace_or_reexec()
    run(["ip", "link", "set", "lo", "up"])
    for a in (MOAT_ADDR, BIRD_ADDR, FEEDER_NH):
        run(["ip", "addr", "add", f"{a}/32", "dev", "lo"])

    lab = Lab("show-fulltable")
    ok = False
    try:
        sock = lab.path("moatd.sock")
        conf = lab.write("moatd.conf", moatd_config())
        moatd = lab.start([os.path.join(BUILD, "bgpd", "moatd"), "-f", conf, "--socket", sock,
                           "--log-level", "info"], "moatd.log")
        wait_for(lambda: os.path.exists(sock) or moatd.poll() is not None, 10, "moatd socket")
        check(moatd.poll() is None, "moatd exited early")
        bird = Bird(lab, "bird", bird_config()).start()
        wait_for(lambda: neighbor(sock, BIRD_ADDR)["state"] == "established", 30, "BIRD session Established")
        wait_for(lambda: bird.established("moat"), 10, "BIRD sees the session Established")

        t_feed = time.monotonic()
        lab.start([os.path.join(BUILD, "tests", "tools", "moat-feeder"), "--connect", "127.0.0.1:179",
                   "--bind", FEEDER_ADDR, "--as", str(FEEDER_AS), "--router-id", FEEDER_ADDR,
                   "--v4", str(ROUTES), "--v6", "0", "--seed", "1", "--feeder-id", "0",
                   "--connect-timeout", "30"], "feeder.log")
        wait_for(lambda: neighbor(sock, FEEDER_ADDR)["prefixes"]["received_ipv4"] >= ROUTES, 60,
                 f"{ROUTES} routes from the feeder", interval=0.5)
        print(f"# table in after {time.monotonic() - t_feed:.1f}s", flush=True)

        def bird_received():
            m = re.search(r"Import updates:\s+(\d+)", bird.protocol("moat"))
            return int(m.group(1)) if m else 0
        # moatd passes the table on to BIRD; let that finish so the dump
        # runs against a quiet, complete table (the session must hold either way).
        wait_for(lambda: bird_received() >= ROUTES, 60, "BIRD received the table", interval=0.5)
        print(f"# BIRD has the table after {time.monotonic() - t_feed:.1f}s", flush=True)
        before = neighbor(sock, BIRD_ADDR)
        check(before["established_transitions"] == 1, f"one Established transition before: {before}")
        bird_before = bird_session(bird)
        check(bird_before["state"] == "up" and bird_before["info"].startswith("Established"),
              f"BIRD: protocol state before the dump {bird_before}")
        bird_changes_before = bird_state_changes(lab)
        check(bird_changes_before.count("up") == 1 and bird_changes_before[-1] == "up",
              f"BIRD: the session came up once before the dump (logged state changes {bird_changes_before})")

        text, doc = {}, {}
        readers = [threading.Thread(target=read_text, args=(sock, text)),
                   threading.Thread(target=read_json, args=(sock, doc))]
        for t in readers:
            t.start()
        # The control socket must keep answering while both dumps stream.
        slowest, asked, samples = 0.0, 0, []
        t_dump = time.monotonic()
        ctl = Control(sock)
        while any(t.is_alive() for t in readers):
            t0 = time.monotonic()
            n = json.loads(ctl.run(f"show bgp neighbors {BIRD_ADDR} json"))["neighbors"][0]
            slowest = max(slowest, time.monotonic() - t0)
            asked += 1
            # when, how long the answer took, keepalives sent / received
            samples.append((round(t0 - t_dump, 2), round(time.monotonic() - t0, 3),
                            n["messages"]["sent"]["keepalive"], n["messages"]["received"]["keepalive"],
                            os.getloadavg()[0]))
            check(n["state"] == "established",
                  f"BIRD session went down during the dump: {n['state']}; (t, answer s, keepalives sent, "
                  f"received, load) {samples[-12:]}")
            time.sleep(0.5)
        for t in readers:
            t.join()
        ctl.close()
        print(f"# text dump: {text.get('seconds', 0):.1f}s, {text.get('prefixes')} prefixes; "
              f"json dump: {doc.get('seconds', 0):.1f}s, {doc.get('objects')} objects; "
              f"{asked} neighbor queries meanwhile, slowest {slowest:.2f}s", flush=True)

        check(text.get("rc") == 0, f"text dump exit {text.get('rc')}: {text.get('stderr')}")
        check(doc.get("rc") == 0, f"json dump exit {doc.get('rc')}: {doc.get('stderr')}")
        check(text["seconds"] > 6 and doc["seconds"] > 6,
              f"the dumps took longer than two hold times ({text['seconds']:.1f}s, {doc['seconds']:.1f}s)")
        check(text["lines"] == ROUTES and text["prefixes"] == ROUTES,
              f"text: {text['lines']} route lines, {text['prefixes']} prefixes, want {ROUTES}")
        check(text["footer"] == f"{ROUTES} route(s)", f"text footer {text['footer']!r}")
        check(doc["error"] is None, f"json dump does not parse: {doc['error']}")
        check(doc["objects"] == ROUTES and doc["prefixes"] == ROUTES,
              f"json: {doc['objects']} objects, {doc['prefixes']} prefixes, want {ROUTES}")
        check(asked >= 10 and slowest < 2.0, f"control socket answered during the dump ({asked}, {slowest:.2f}s)")

        # Lookups of one prefix, or of a sparse subtree, scan the table:
        # the loop must keep answering meanwhile.
        some = text["some"]
        lookups = {}
        for words in (["show", "bgp", "ipv4", "unicast", some], ["show", "bgp", "ipv4", "unicast", some, "json"],
                      ["show", "bgp", "ipv4", "unicast", "192.0.2.0/24", "longer-prefixes"]):
            done = threading.Event()
            worst = [0.0]
            ctl = Control(sock)

            def probe():
                while not done.is_set():
                    t0 = time.monotonic()
                    ctl.run("show bgp summary json")
                    worst[0] = max(worst[0], time.monotonic() - t0)
                    time.sleep(0.01)
            th = threading.Thread(target=probe)
            th.start()
            t0 = time.monotonic()
            r = run([os.path.join(BUILD, "cli", "moatctl"), "-s", sock, *words])
            took = time.monotonic() - t0
            time.sleep(0.1)
            done.set()
            th.join()
            ctl.close()
            lookups[" ".join(words[4:])] = (round(took, 3), round(worst[0], 3))
            if words[-1] != "longer-prefixes":
                check(some in r.stdout, f"{' '.join(words)} shows the prefix: {r.stdout[:300]!r}")
        print(f"# lookups (seconds, slowest neighbor query meanwhile): {lookups}", flush=True)
        for what, (took, worst) in lookups.items():
            check(took < 2.0 and worst < 2.0, f"{what}: {took}s, neighbor query meanwhile {worst}s")

        after = neighbor(sock, BIRD_ADDR)
        check(after["state"] == "established", f"moatd: BIRD session {after['state']}")
        check(after["established_transitions"] == before["established_transitions"] == 1,
              f"moatd: BIRD session flapped ({before['established_transitions']} -> "
              f"{after['established_transitions']} Established transitions)")
        bird_after = bird_session(bird)
        check(bird_after["state"] == "up" and bird_after["info"].startswith("Established"),
              f"BIRD: protocol state {bird_after}")
        bird_changes_after = bird_state_changes(lab)
        check(bird_changes_after == bird_changes_before,
              f"BIRD: session state changed during the test (logged state changes {bird_changes_before} -> "
              f"{bird_changes_after})")
        # Uptime grew by the time that passed, within a second: a restart
        # would have moved "since" past the first reading.
        drift = abs((bird_after["since"] - bird_before["since"]).total_seconds())
        check(drift < 1.0 and bird_after["uptime"] > bird_before["uptime"],
              f"BIRD: session restarted (up since {bird_before['since']}, uptime {bird_before['uptime']:.1f}s -> "
              f"up since {bird_after['since']}, uptime {bird_after['uptime']:.1f}s)")
        bird_log = lab.log("bird.log")
        check("Hold timer expired" not in bird_log, "BIRD log: hold timer expired")
        check(moatd.poll() is None, "moatd still runs")
        ok = True
        print("ok   show bgp ipv4 unicast [json] of a full table; the BIRD session held")
    except Failure as e:
        print(f"FAIL {e}", flush=True)
        lab.dump_logs()
    finally:
        lab.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
