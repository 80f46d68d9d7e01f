#!/usr/bin/env python3
"""FIB benchmark: a full table from a feeder into the DUT and from the DUT
into the kernel's routing table, moatd (`fib`) against BIRD 2 (`protocol
kernel`, export all), in the same run. Reuses fulltable.py's DUTs, tools and
memory and CPU readings; see docs/performance.md for what it measured.

Each DUT runs in the benchmark's own network namespace (the script re-runs
itself under `unshare --net`), as in fulltable.py: one feeder (127.0.1.1)
sends the synthetic full table (1,000,000 IPv4 + 200,000 IPv6 prefixes, next
hops 198.18.1.1 and 2001:2:0:1::1), the DUT installs every best path in the
namespace's main table and passes it on to moat-receiver (127.0.2.1). The
feeder's next hops are on a connected network, a veth pair made in the
namespace: fb0 (198.18.1.254/24, 2001:2:0:1::ff/64) and its peer fb1, both
up; the kernel refuses a route whose gateway is not connected.

DUTs, taking turns (run 1 of each, then run 2 of each...):

  bird         BIRD 2 as in fulltable.py, with `protocol kernel` per family
               (`export all`, BIRD's defaults otherwise: metric 32, scan
               time 60, merge paths off) and the static IGP routes that
               resolve the feeder's next hops on fb0 instead of lo, so the
               routes go to the kernel as "via 198.18.1.1 dev fb0".
               Protocol number 12 (`proto bird`).
  moatd        moatd as in fulltable.py with the line `fib` (table 254,
               protocol 196, metric 20). Protocol number 196.
  moatd-nofib  the same moatd without `fib`: the figures of the FIB-off
               daemon (peak RSS, receiver times) to compare with.

Counting the kernel's routes. A netlink dump of a 1.2M-route table costs
seconds of CPU (`ip -4 route show proto 196 | wc -l` over 1M routes: 6 s,
2.7 s of it in the kernel), so polling with dumps would compete with the
DUT for the machine's CPUs and measure the poll. Instead a thread of this
script subscribes to the kernel's route notifications (RTNLGRP_IPV4_ROUTE and
RTNLGRP_IPV6_ROUTE; the kernel sends one per route added, replaced or
removed, after the change is made) and keeps the number of routes of the
DUT's protocol in table 254: +1 per RTM_NEWROUTE without NLM_F_REPLACE, -1
per RTM_DELROUTE. The phase ends at the notification that brings the count
to its target. A netlink dump (RTM_GETROUTE, NLM_F_DUMP, filtered by table
and protocol in the kernel) then counts the table for the figures: it must
hold every route after the announce phase and none after the withdrawal. If
the kernel drops notifications (ENOBUFS on the socket: the count is no longer
exact), the phase end is found by dumps every 2 s instead, and the run is
marked.

Measured per run:

  fib announce   first UPDATE sent by the feeder -> the last route in the kernel
  fib withdraw   the feeder starts withdrawing -> the DUT's last route gone
  first route    first UPDATE sent -> the DUT's first route in the kernel
  recv announce  first UPDATE sent -> the last announcement at the receiver
  cpu            the DUT's utime+stime (all threads, /proc/PID/stat) in each
                 phase; it includes the kernel's work for the DUT's netlink
                 requests, done in the DUT's system calls
  sys            the stime part of it
  peak RSS       VmHWM at the end of the run; RSS loaded: VmRSS with the table
  netlink errors moatd: `show fib json` refused; BIRD: "Netlink:" lines in
                 its log (BIRD logs every refused route there)

The withdrawal starts once every route is in the kernel and the receiver has
had the table and been quiet for --settle seconds.

The listener is not free: the kernel clones every notification into its
socket in the DUT's system call, and the thread reading them takes CPU on
the machine. `--moatd-counters` (moatd only) ends the phases by moatd's own
count of the routes the kernel acknowledged instead (`show fib`, polled every
50 ms, which costs moatd CPU of its own), with nothing subscribed: the two
ways bracket the measurement's own cost.

  sudo python3 tests/bench/fib.py --build build-rel --repeat 3 --json fib.json
  sudo python3 tests/bench/fib.py --build build-rel --scale 0.1
"""

import argparse
import errno
import json
import os
import signal
import socket
import statistics
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fulltable as ft  # noqa: E402
from fulltable import Failure, Lab, in_namespace_or_reexec, run  # noqa: E402

# The connected network of the feeder's next hops.
FB_DEV, FB_PEER = "fb0", "fb1"
FB_ADDR4, FB_NET4 = "198.18.1.254/24", "198.18.1.0/24"
FB_ADDR6, FB_NET6 = "2001:2:0:1::ff/64", "2001:2:0:1::/64"

MAIN_TABLE = 254
PROTO = {"bird": 12, "moatd": 196}

# netlink
NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_GET_STRICT_CHK = 12
RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV6_ROUTE = 0x400
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
NLM_F_REQUEST, NLM_F_DUMP, NLM_F_REPLACE = 0x1, 0x300, 0x100
NLMSG_HDR = struct.Struct("<IHHII")
RTMSG = struct.Struct("<BBBBBBBBI")


def setup_namespace():
    run(["ip", "link", "set", "lo", "up"])
    run(["ip", "addr", "add", f"{ft.DUT_NH4}/32", "dev", "lo"])
    run(["ip", "-6", "addr", "add", f"{ft.DUT_NH6}/128", "dev", "lo", "nodad"])
    run(["ip", "link", "add", FB_DEV, "type", "veth", "peer", "name", FB_PEER])
    run(["ip", "addr", "add", FB_ADDR4, "dev", FB_DEV])
    run(["ip", "-6", "addr", "add", FB_ADDR6, "dev", FB_DEV, "nodad"])
    run(["ip", "link", "set", FB_DEV, "up"])
    run(["ip", "link", "set", FB_PEER, "up"])


# --- the kernel's table -----------------------------------------------------------

def dump_count(proto, family):
    """Routes of `proto` in the main table of `family` (AF_INET, AF_INET6),
    counted by a netlink dump; the kernel filters by table and protocol."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    try:
        s.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind((0, 0))
        body = RTMSG.pack(family, 0, 0, 0, MAIN_TABLE, proto, 0, 0, 0)
        s.send(NLMSG_HDR.pack(NLMSG_HDR.size + len(body), RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
        buf = bytearray(1 << 20)
        count = 0
        while True:
            n = s.recv_into(buf)
            off = 0
            while off + 16 <= n:
                length, kind = struct.unpack_from("<IH", buf, off)
                if kind == NLMSG_DONE:
                    return count
                if kind == NLMSG_ERROR:
                    code = struct.unpack_from("<i", buf, off + 16)[0]
                    raise Failure(f"route dump: {os.strerror(-code)}")
                if kind == RTM_NEWROUTE and buf[off + 20] == MAIN_TABLE and buf[off + 21] == proto:
                    count += 1
                off += (length + 3) & ~3
    finally:
        s.close()


def dump_counts(proto):
    return dump_count(proto, socket.AF_INET), dump_count(proto, socket.AF_INET6)


def flush(proto):
    for fam in ("-4", "-6"):
        run(["ip", fam, "route", "flush", "table", "main", "proto", str(proto)], check_rc=False, timeout=600)


class RouteWatch:
    """The number of routes of one protocol in the main table, kept from the
    kernel's route notifications by a thread; started before the DUT, when
    the table holds none of them. `target` set, the thread notes the
    monotonic time at which the count first equals it."""

    def __init__(self, proto):
        self.proto = proto
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, 33, 256 << 20)  # SO_RCVBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 << 20)
        self.sock.bind((0, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE))
        self.sock.settimeout(0.2)
        self.v4 = self.v6 = 0
        self.last_change = time.monotonic()
        self.first_change = None
        self.target = None
        self.hit = None
        self.overrun = False
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def total(self):
        return self.v4 + self.v6

    def aim(self, target):
        """Watch for the count `target` from now on; also resets first_change."""
        self.hit = None
        self.first_change = None
        self.last_change = time.monotonic()
        self.target = target
        if self.total() == target:
            self.hit = time.monotonic()

    def _run(self):
        buf = bytearray(1 << 20)
        proto = self.proto
        unpack = NLMSG_HDR.unpack_from
        while not self.stopping:
            try:
                n = self.sock.recv_into(buf)
            except socket.timeout:
                continue
            except OSError as e:
                if e.errno == errno.ENOBUFS:
                    self.overrun = True
                    continue
                return
            off = 0
            changed = False
            while off + 28 <= n:
                length, kind, flags, _, _ = unpack(buf, off)
                if buf[off + 20] == MAIN_TABLE and buf[off + 21] == proto:
                    delta = 0
                    if kind == RTM_NEWROUTE and not flags & NLM_F_REPLACE:
                        delta = 1
                    elif kind == RTM_DELROUTE:
                        delta = -1
                    if delta:
                        if buf[off + 16] == socket.AF_INET:
                            self.v4 += delta
                        else:
                            self.v6 += delta
                        changed = True
                off += (length + 3) & ~3
            if changed:
                now = time.monotonic()
                self.last_change = now
                if self.first_change is None:
                    self.first_change = now
                if self.hit is None and self.target is not None and self.v4 + self.v6 == self.target:
                    self.hit = now

    def close(self):
        self.stopping = True
        self.thread.join(2)
        self.sock.close()


class CounterWatch:
    """--moatd-counters: no listener on the kernel's notifications; the count
    is moatd's own of the routes the kernel acknowledged (`show fib`), read
    by wait_kernel every 50 ms."""

    overrun = False

    def __init__(self, proto):
        self.proto = proto
        self.v4 = self.v6 = 0
        self.target = self.hit = self.first_change = None
        self.last_change = time.monotonic()

    def aim(self, target):
        self.target = target
        self.hit = None
        self.last_change = time.monotonic()

    def poll(self, dut):
        f = dut.show_fib()
        now = time.monotonic()
        if (f["routes_ipv4"], f["routes_ipv6"]) != (self.v4, self.v6):
            self.v4, self.v6, self.last_change = f["routes_ipv4"], f["routes_ipv6"], now
        if self.hit is None and self.v4 + self.v6 == self.target and not f["queued"] and not f["in_flight"]:
            self.hit = now

    def close(self):
        pass


def wait_kernel(args, watch, dut, target, feeders, what):
    """Waits until the DUT's routes in the kernel number `target` (watch.aim
    was called); returns the monotonic time of that. Fails when the DUT dies,
    a feeder fails, or the count has not moved for --stall seconds; falls back
    to dumps every 2 s if notifications were lost."""
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if isinstance(watch, CounterWatch):
            watch.poll(dut)
        if watch.hit is not None:
            return watch.hit
        if watch.overrun:
            break
        if not dut.alive():
            raise Failure(f"{dut.name} exited:\n{dut.log()[-2000:]}")
        for f in feeders:
            bad = f.failed()
            if bad:
                raise Failure(f"{f.logname}: {bad}")
        if time.monotonic() - watch.last_change > args.stall:
            raise Failure(f"{what}: the kernel table stopped at {watch.v4} IPv4 + {watch.v6} IPv6 routes "
                          f"for {args.stall}s (want {target}); {dut.fib_state()}")
        time.sleep(0.05 if isinstance(watch, CounterWatch) else 0.02)
    if not watch.overrun:
        raise Failure(f"{what}: timed out after {args.timeout}s ({watch.v4} + {watch.v6} of {target})")
    while time.monotonic() < deadline:
        if sum(dump_counts(watch.proto)) == target:
            return time.monotonic()
        time.sleep(2.0)
    raise Failure(f"{what}: timed out after {args.timeout}s (counted by dumps)")


def sys_seconds(pid):
    """The stime part of ft.cpu_seconds(pid): the kernel's work in the DUT's
    system calls (for the FIB: adding and removing the routes)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[12]) / ft.CLK_TCK


# --- the DUTs with the FIB ------------------------------------------------------------

class BirdFib(ft.BirdDut):
    """fulltable's BIRD with a kernel protocol per family exporting all."""

    proto = PROTO["bird"]

    def config(self):
        text = super().config()
        # The feeder's next hops resolve through the connected network on fb0,
        # so BIRD's routes reach the kernel as "via 198.18.1.1 dev fb0".
        for old, new in ((' route 198.18.0.0/15 via "lo";', f' route {FB_NET4} via "{FB_DEV}";'),
                         (' route 2001:2::/48 via "lo";', f' route {FB_NET6} via "{FB_DEV}";')):
            if old not in text:
                raise Failure(f"fulltable's BIRD configuration changed: no{old}")
            text = text.replace(old, new)
        return text + "\n".join([
            "protocol kernel kernel4 { ipv4 { import none; export all; }; merge paths off; }",
            "protocol kernel kernel6 { ipv6 { import none; export all; }; merge paths off; }",
        ]) + "\n"

    def fib_state(self):
        return f"BIRD's netlink errors: {self.netlink_errors()}"

    def netlink_errors(self):
        """Routes the kernel refused: BIRD logs each as "Netlink: " and the error."""
        return sum(1 for line in self.log().splitlines() if "Netlink:" in line)

    def dropped_warnings(self):
        """BIRD's warnings that its own socket for the kernel's notifications
        overflowed (it then resyncs at the next scan); not refusals."""
        return sum(1 for line in self.log().splitlines() if "Kernel dropped some netlink messages" in line)


class MoatdFib(ft.MoatdDut):
    """fulltable's moatd with `fib` (or without: fib=False)."""

    proto = PROTO["moatd"]

    def __init__(self, lab, workload, binary, moatctl, fib=True):
        super().__init__(lab, workload, binary)
        self.moatctl = moatctl
        self.fib = fib

    def config(self):
        text = super().config()
        return "fib\n" + text if self.fib else text

    def show_fib(self):
        # The counters, with the routes under a prefix the table does not
        # have: the whole list (up to 100,000 routes in JSON) would raise
        # moatd's peak RSS, which the benchmark measures.
        r = run([self.moatctl, "-s", self.lab.path("moatd.sock"), "show", "fib", "192.0.2.0/24", "json"],
                check_rc=False)
        if r.returncode != 0:
            raise Failure(f"moatctl show fib json: {r.stdout}{r.stderr}")
        return json.loads(r.stdout)

    def fib_state(self):
        try:
            f = self.show_fib()
        except (Failure, ValueError) as e:
            return f"show fib: {e}"
        f.pop("routes", None)
        return "show fib: " + json.dumps(f)


# --- one run ------------------------------------------------------------------------------

FIB_KEYS = ("routes_ipv4", "routes_ipv6", "queued", "in_flight", "installed", "removed", "refused",
            "refused_by_error", "unsupported_next_hops")


def run_one(args, dut_name):
    w = ft.scaled_workload(args, "full")
    lab = Lab(f"fib-{dut_name}")
    result = {"dut": dut_name, "v4": w["v4"], "v6": w["v6"]}
    watch = None
    fib = dut_name != "moatd-nofib"
    try:
        if dut_name == "bird":
            dut = BirdFib(lab, w)
        else:
            dut = MoatdFib(lab, w, args.moatd or os.path.join(args.build, "bgpd", "moatd"), args.moatctl, fib=fib)
        if fib:
            left = dump_counts(dut.proto)
            if any(left):
                raise Failure(f"the table holds {left} routes of protocol {dut.proto} before the start")
            watch = CounterWatch(dut.proto) if args.moatd_counters else RouteWatch(dut.proto)
            result["end_by"] = "moatd's counters" if args.moatd_counters else "notifications"
        dut.start()
        feed(args, lab, dut, w, watch, result)
        result["ok"] = True
    except Failure as e:
        result["ok"] = False
        result["error"] = str(e)[-1500:]
        if args.keep:
            lab.dump_logs()
    finally:
        if watch:
            watch.close()
        lab.close(keep=args.keep)
        if fib:
            flush(PROTO["bird" if dut_name == "bird" else "moatd"])
    return result


def feed(args, lab, dut, w, watch, result):
    """fulltable's feed_table with the kernel table watched: the receiver
    connects, the feeder sends its table, and once every route is in the
    kernel and the receiver has it, withdraws it."""
    recv_argv = [ft.tool(args.build, "moat-receiver"), "--as", str(ft.RECV_AS), "--router-id", ft.RECV_ADDR,
                 "--expect-v4", str(w["v4"]), "--expect-v6", str(w["v6"]), "--settle", str(args.settle),
                 "--timeout", str(args.timeout), "--progress", "1",
                 "--connect", f"{dut.connect}:179", "--bind", ft.RECV_ADDR, "--connect-timeout", "30"]
    recv = ft.Tool(lab, "receiver.log", recv_argv)
    ft.wait_event(recv, "established", 40, dut=dut)
    feeder = ft.Tool(lab, "feeder0.log", [
        ft.tool(args.build, "moat-feeder"), "--connect", f"{dut.connect}:179", "--bind", ft.feeder_addr(0),
        "--as", str(ft.FEEDER_AS_BASE), "--router-id", ft.feeder_addr(0), "--v4", str(w["v4"]),
        "--v6", str(w["v6"]), "--seed", str(args.seed), "--feeder-id", "0", "--connect-timeout", "60",
        "--wait-start"])
    ft.wait_event(feeder, "established", 120, others=[recv], dut=dut)
    time.sleep(1.0)
    pid = dut.pid()
    base = None
    if watch:
        base = (watch.v4, watch.v6)  # BIRD's static routes to fb0, exported too
        result["kernel_before"] = list(base)
        watch.aim(sum(base) + w["v4"] + w["v6"])
    cpu0, sys0 = ft.cpu_seconds(pid), sys_seconds(pid)
    result["rss_idle_mib"] = ft.memory_kib(pid)["VmRSS"] / 1024
    feeder.proc.send_signal(signal.SIGUSR2)

    # Announce: every route in the kernel (FIB on), and at the receiver.
    if watch:
        t_fib = wait_kernel(args, watch, dut, watch.target, [feeder, recv], "announce")
        cpu_fib, sys_fib = ft.cpu_seconds(pid), sys_seconds(pid)
    conv = ft.wait_event(recv, "converged", args.timeout, others=[feeder], dut=dut, stall=args.stall,
                         stall_after=lambda: feeder.event("table_sent"))
    first = feeder.event("first_update")["mono_ms"]
    result["recv_announce_s"] = (conv["last_announce_mono_ms"] - first) / 1e3
    result["feeder_send_s"] = feeder.event("table_sent")["ms"] / 1e3
    if watch:
        result["fib_announce_s"] = t_fib - first / 1e3
        if watch.first_change is not None:
            result["fib_first_s"] = watch.first_change - first / 1e3
        result["cpu_announce_s"] = cpu_fib - cpu0
        result["sys_announce_s"] = sys_fib - sys0
    else:
        # As fulltable.py: the phase ends with the receiver's last announcement;
        # the DUT is idle during the receiver's settle time.
        result["cpu_announce_s"] = ft.cpu_seconds(pid) - cpu0
        result["sys_announce_s"] = sys_seconds(pid) - sys0
    result["rss_loaded_mib"] = ft.memory_kib(pid)["VmRSS"] / 1024
    if watch:
        v4, v6 = dump_counts(dut.proto)
        result["kernel_loaded"] = [v4 - base[0], v6 - base[1]]
        if (v4 - base[0], v6 - base[1]) != (w["v4"], w["v6"]):
            raise Failure(f"the dump after the announce phase counts {v4 - base[0]} IPv4 + {v6 - base[1]} IPv6 "
                          f"routes, want {w['v4']} + {w['v6']}")
        if isinstance(dut, MoatdFib):
            result["fib_loaded"] = {k: v for k, v in dut.show_fib().items() if k in FIB_KEYS}

    # Withdraw: the kernel table empty of the DUT's routes again.
    if watch:
        watch.aim(sum(base))
    cpu1, sys1 = ft.cpu_seconds(pid), sys_seconds(pid)
    feeder.proc.send_signal(signal.SIGUSR1)
    if watch:
        t_gone = wait_kernel(args, watch, dut, watch.target, [feeder, recv], "withdraw")
        cpu_gone, sys_gone = ft.cpu_seconds(pid), sys_seconds(pid)
    gone = ft.wait_event(recv, "withdrawn", args.timeout, others=[feeder], dut=dut, stall=args.stall)
    wstart = ft.wait_event(feeder, "withdraw_start", 10)["mono_ms"]
    result["recv_withdraw_s"] = (gone["mono_ms"] - wstart) / 1e3
    if watch:
        result["fib_withdraw_s"] = t_gone - wstart / 1e3
        result["cpu_withdraw_s"] = cpu_gone - cpu1
        result["sys_withdraw_s"] = sys_gone - sys1
    else:
        result["cpu_withdraw_s"] = ft.cpu_seconds(pid) - cpu1
        result["sys_withdraw_s"] = sys_seconds(pid) - sys1
    result["peak_rss_mib"] = ft.memory_kib(pid)["VmHWM"] / 1024
    if watch:
        v4, v6 = dump_counts(dut.proto)
        result["kernel_after"] = [v4 - base[0], v6 - base[1]]
        if (v4, v6) != base:
            raise Failure(f"the dump after the withdrawal counts {v4 - base[0]} IPv4 + {v6 - base[1]} IPv6 routes")
        result["notifications_lost"] = watch.overrun
        if isinstance(dut, MoatdFib):
            f = dut.show_fib()
            result["fib_end"] = {k: v for k, v in f.items() if k in FIB_KEYS}
            result["netlink_errors"] = f["refused"]
        else:
            result["netlink_errors"] = dut.netlink_errors()
            result["bird_dropped_warnings"] = dut.dropped_warnings()
    if not dut.alive():
        raise Failure(f"{dut.name} exited:\n{dut.log()[-2000:]}")


# --- report -----------------------------------------------------------------------------

COLUMNS = [
    ("fib_announce_s", "fib ann s", "{:.2f}"),
    ("fib_withdraw_s", "fib wd s", "{:.2f}"),
    ("fib_first_s", "first rt s", "{:.2f}"),
    ("recv_announce_s", "recv ann s", "{:.2f}"),
    ("recv_withdraw_s", "recv wd s", "{:.2f}"),
    ("cpu_announce_s", "cpu ann s", "{:.2f}"),
    ("cpu_withdraw_s", "cpu wd s", "{:.2f}"),
    ("sys_announce_s", "sys ann s", "{:.2f}"),
    ("sys_withdraw_s", "sys wd s", "{:.2f}"),
    ("peak_rss_mib", "peak RSS MiB", "{:.1f}"),
    ("rss_loaded_mib", "RSS loaded", "{:.1f}"),
    ("netlink_errors", "nl errors", "{}"),
]


def row(r, label):
    if not r.get("ok"):
        return f"{label:18} not measured: {r.get('error', '').strip().splitlines()[-1][:200]}"
    cells = [(fmt.format(r[key]) if r.get(key) is not None else "-") for key, _, fmt in COLUMNS]
    return f"{label:18} " + " ".join(f"{c:>12}" for c in cells)


def report(runs, duts):
    head = f"{'run':18} " + " ".join(f"{title:>12}" for _, title, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    for r in runs:
        lines.append(row(r, f"{r['dut']} #{r['run']}"))
    med = {}
    for d in duts:
        tries = [r for r in runs if r["dut"] == d]
        if tries:
            med[d] = ft.median(tries)
            errors = [r["netlink_errors"] for r in tries if r.get("ok") and "netlink_errors" in r]
            if errors:
                med[d]["netlink_errors"] = max(errors)  # the median row shows the most of any run
            lines.append(row(med[d], f"{d} median"))
    m, b, off = med.get("moatd", {}), med.get("bird", {}), med.get("moatd-nofib", {})
    if m.get("ok") and b.get("ok"):
        ratios = [f"{title} {m[key] / b[key]:.2f}" for key, title, _ in COLUMNS
                  if key not in ("fib_first_s", "netlink_errors") and m.get(key) and b.get(key)]
        total_m = m["fib_announce_s"] + m["fib_withdraw_s"]
        total_b = b["fib_announce_s"] + b["fib_withdraw_s"]
        lines.append("moatd/BIRD (medians): " + ", ".join(ratios) + f", fib ann+wd {total_m / total_b:.2f}")
        pairs = [(x, y) for x, y in zip([r for r in runs if r["dut"] == "moatd"], [r for r in runs if r["dut"] == "bird"])
                 if x.get("ok") and y.get("ok")]
        if pairs:
            ann = [x["fib_announce_s"] / y["fib_announce_s"] for x, y in pairs]
            wd = [x["fib_withdraw_s"] / y["fib_withdraw_s"] for x, y in pairs]
            lines.append("moatd/BIRD run by run: fib announce " + " ".join(f"{v:.2f}" for v in ann)
                         + f" (median {statistics.median(ann):.2f}); fib withdraw " + " ".join(f"{v:.2f}" for v in wd)
                         + f" (median {statistics.median(wd):.2f})")
    if m.get("ok") and off.get("ok"):
        lines.append(f"moatd peak RSS, FIB on / off (medians): {m['peak_rss_mib']:.1f} / {off['peak_rss_mib']:.1f} "
                     f"MiB = {m['peak_rss_mib'] / off['peak_rss_mib']:.3f}; RSS loaded "
                     f"{m['rss_loaded_mib']:.1f} / {off['rss_loaded_mib']:.1f} MiB")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("MOAT_BUILD", os.path.join(HERE, "..", "..", "build")),
                    help="build directory with bgpd/moatd, cli/moatctl and tests/tools/moat-{feeder,receiver}")
    ap.add_argument("--moatd", help="moatd binary (default: BUILD/bgpd/moatd)")
    ap.add_argument("--moatctl", help="moatctl binary (default: BUILD/cli/moatctl)")
    ap.add_argument("--dut", default="bird,moatd,moatd-nofib", help="comma list of bird, moatd, moatd-nofib")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the table (0.1 for a quick run)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--settle", type=float, default=3.0, help="quiet seconds that end the receiver's announce phase")
    ap.add_argument("--stall", type=float, default=60.0, help="give up after this long without progress")
    ap.add_argument("--timeout", type=float, default=1200.0, help="limit per phase, seconds")
    ap.add_argument("--repeat", type=int, default=1, help="runs per DUT; the table shows each run and the medians")
    ap.add_argument("--moatd-counters", action="store_true",
                    help="moatd only: end each phase by moatd's own count of acknowledged routes (show fib, "
                         "every 50 ms) instead of the kernel's notifications; a check of what the listener costs")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the logs and print them on failure")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.moatd = os.path.abspath(args.moatd) if args.moatd else None
    args.moatctl = os.path.abspath(args.moatctl or os.path.join(args.build, "cli", "moatctl"))
    duts = [d for d in args.dut.split(",") if d]
    for d in duts:
        if d not in ("bird", "moatd", "moatd-nofib"):
            ap.error(f"unknown DUT {d}")
    if args.moatd_counters and "bird" in duts:
        ap.error("--moatd-counters: moatd only (--dut moatd,moatd-nofib)")

    in_namespace_or_reexec()
    setup_namespace()

    started = time.monotonic()
    loads = []
    runs = []
    for i in range(args.repeat):
        for d in duts:
            loads.append(os.getloadavg()[0])
            print(f"# {d} (scale {args.scale}, run {i + 1}/{args.repeat}, load {loads[-1]:.1f}) ...", flush=True)
            r = run_one(args, d)
            r["load"] = os.getloadavg()[0]
            r["run"] = i + 1
            loads.append(r["load"])
            print("# " + json.dumps(r), flush=True)
            runs.append(r)
    print()
    print(report(runs, duts))
    print(f"\n{int(1_000_000 * args.scale)} + {int(200_000 * args.scale)} routes, scale {args.scale}, "
          f"{time.monotonic() - started:.0f} s, load average (1 min) {min(loads):.1f}-{max(loads):.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"scale": args.scale, "seed": args.seed, "repeat": args.repeat, "runs": runs}, f, indent=1)
    sys.exit(0 if all(r["ok"] for r in runs) else 1)


if __name__ == "__main__":
    main()
