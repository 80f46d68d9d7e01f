#!/usr/bin/env python3
"""Full-table benchmark: how fast a BGP speaker takes in a table and passes
it on, and what that costs in memory and CPU. Compares moatd with BIRD 2.

Each device under test (DUT) runs in a private network namespace (the script
re-runs itself under `unshare --net`), listening on 127.0.0.1. moat-receiver
(127.0.2.1) connects first; then the feeders (127.0.1.K) connect and, once all
are Established, start streaming their synthetic tables (tests/tools/tablegen)
at the same moment (SIGUSR2). Measured per run:

  announce  first UPDATE sent by a feeder -> last announcement at the receiver
            (after which it stayed quiet for --settle seconds)
  present   first UPDATE sent -> every expected prefix present at the receiver
  withdraw  feeders start withdrawing everything -> last withdrawal at the receiver
  cpu       the DUT's utime+stime during each phase (/proc/PID/stat)
  rss       the DUT's VmHWM (peak resident set) at the end, and VmRSS with
            the table loaded

Workloads:
  full   one feeder, 1,000,000 IPv4 + 200,000 IPv6 prefixes, one receiver
  multi  ten feeders, the same 100,000 IPv4 prefixes each with different
         paths (best paths spread over the feeders), one receiver

DUTs: `wire` (feeders straight into the receiver: the tools' own ceiling),
`bird` (BIRD 2) and `moatd`. `--scale 0.1` shrinks every table for a quick run.

ROV mode (`bird-rov`, `moatd-rov`, workload `full` only): moat-vrpgen writes
~550,000 VRPs for the feeder's table (about 45% of the routes Valid, 1%
Invalid, the rest NotFound; maxLength = prefix length). moatd reads them as
an `rpki file` (Invalid rejected on eBGP by default); BIRD gets them as
static `roa4`/`roa6` tables and an import filter rejecting
`roa_check(...) = ROA_INVALID`. The receiver expects the table minus the
Invalid routes. After the announce phase moatd-rov also replaces the VRP
file by one where 10,000 VRPs name another AS (5,000 Valid routes become
Invalid, 5,000 Invalid ones Valid) and measures:

  vrp_change  file renamed into place -> the last resulting UPDATE at the
              receiver (includes up to 1 s of moatd's file polling)

  sudo python3 tests/bench/fulltable.py --build build-rel
  sudo python3 tests/bench/fulltable.py --build build-rel --dut bird --workload multi --scale 0.1
"""

import argparse
import json
import os
import signal
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from harness import Failure, Lab, in_namespace_or_reexec, run, wait_for  # noqa: E402

DUT_ADDR = "127.0.0.1"
RECV_ADDR = "127.0.2.1"
DUT_AS = 65000
RECV_AS = 4200002001
FEEDER_AS_BASE = 4200001001
# Next hops the feeders announce (RFC 2544 / RFC 5180 benchmarking ranges),
# put on lo: FRR, GoBGP and BIRD take 127/8 next hops for martians.
NH4 = "198.18.1.{}"
NH6 = "2001:2:0:1::{:x}"
DUT_NH4 = "198.18.0.1"
DUT_NH6 = "2001:2::1"

WORKLOADS = {
    "full": dict(feeders=1, v4=1_000_000, v6=200_000, overlap=False),
    "multi": dict(feeders=10, v4=100_000, v6=0, overlap=True),
}


def feeder_addr(k):
    return f"127.0.1.{k + 1}"


def setup_namespace(feeders):
    run(["ip", "link", "set", "lo", "up"])
    run(["ip", "addr", "add", f"{DUT_NH4}/32", "dev", "lo"])
    run(["ip", "-6", "addr", "add", f"{DUT_NH6}/128", "dev", "lo", "nodad"])
    for k in range(feeders):
        run(["ip", "addr", "add", f"{NH4.format(k + 1)}/32", "dev", "lo"])
        run(["ip", "-6", "addr", "add", f"{NH6.format(k + 1)}/128", "dev", "lo", "nodad"])


# --- process accounting -------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
    return out


# --- the devices under test ---------------------------------------------------

class Dut:
    """A started DUT: its pid for accounting, and where the tools connect."""

    name = ""
    connect = DUT_ADDR

    def __init__(self, lab, workload):
        self.lab = lab
        self.workload = workload
        self.proc = None

    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is None or self.proc.poll() is None

    def log(self):
        return ""


class Wire(Dut):
    """No DUT: the feeders connect straight to the receiver."""

    name = "wire"
    connect = RECV_ADDR

    def start(self):
        return self


class BirdDut(Dut):
    name = "bird"
    roa_file = None  # set in ROV mode: static roa4/roa6 tables r4/r6
    channel_options = ""  # more options for the feeders' channels

    def roa_lines(self):
        """ROV mode: the roa4/roa6 tables r4/r6 and what fills them."""
        return [f'include "{self.roa_file}";'] if self.roa_file else []

    def config(self):
        w = self.workload
        roa = self.roa_lines()
        rov = bool(roa)
        out = [
            f'log "{self.lab.path("bird.log")}" {{ info, remote, warning, error, auth, fatal, bug }};',
            f"router id {DUT_NH4};",
            "protocol device {}",
            "ipv4 table master4;",
            "ipv6 table master6;",
            # The feeders' next hops resolve through these, or BIRD hides the routes.
            'protocol static igp4 { ipv4; route 198.18.0.0/15 via "lo"; }',
            'protocol static igp6 { ipv6; route 2001:2::/48 via "lo"; }',
        ]
        if rov:
            out += roa + [
                "filter rov4 { if roa_check(r4, net, bgp_path.last) = ROA_INVALID then reject; accept; }",
                "filter rov6 { if roa_check(r6, net, bgp_path.last) = ROA_INVALID then reject; accept; }",
            ]
        imp4, imp6 = ("import filter rov4", "import filter rov6") if rov else ("import all", "import all")
        out += [
            "template bgp feeder {",
            f"  local {DUT_ADDR} as {DUT_AS};",
            "  multihop; strict bind yes; passive on; hold time 180;",
            f"  ipv4 {{ {imp4}; export none; gateway recursive; {self.channel_options}}};",
            f"  ipv6 {{ {imp6}; export none; gateway recursive; {self.channel_options}}};",
            "}",
        ]
        for k in range(w["feeders"]):
            out.append(f"protocol bgp feeder{k} from feeder {{ neighbor {feeder_addr(k)} as {FEEDER_AS_BASE + k}; }}")
        out += [
            "protocol bgp receiver {",
            f"  local {DUT_ADDR} as {DUT_AS}; neighbor {RECV_ADDR} as {RECV_AS};",
            "  multihop; strict bind yes; passive on; hold time 180;",
            f"  ipv4 {{ import none; export where source = RTS_BGP; next hop self;"
            f" next hop address {DUT_NH4}; }};",
            f"  ipv6 {{ import none; export where source = RTS_BGP; next hop self;"
            f" next hop address {DUT_NH6}; }};",
            "}",
        ]
        return "\n".join(out) + "\n"

    def start(self):
        conf = self.lab.write("bird.conf", self.config())
        sock = self.lab.path("bird.ctl")
        self.proc = self.lab.start(["bird", "-c", conf, "-s", sock, "-P", self.lab.path("bird.pid"), "-f"],
                                   "bird.out")
        wait_for(lambda: os.path.exists(sock) or self.proc.poll() is not None, 10, "bird control socket")
        if self.proc.poll() is not None:
            raise Failure(f"bird exited early:\n{self.lab.log('bird.out')}")
        return self

    def log(self):
        return self.lab.log("bird.out") + self.lab.log("bird.log")


class MoatdDut(Dut):
    name = "moatd"

    def __init__(self, lab, workload, binary, vrp_file=None):
        super().__init__(lab, workload)
        self.binary = binary
        self.vrp_file = vrp_file

    def rpki_lines(self):
        return [f"rpki file {self.vrp_file}"] if self.vrp_file else []

    def config(self):
        w = self.workload
        lines = self.rpki_lines()
        lines += [
            "hostname moat-bench",
            # BIRD's policy above, in moatd's terms: feeders import all and
            # export none (RFC 8212: no route-map out, nothing sent), the
            # receiver exports all and imports none (no route-map in).
            "route-map ALL permit 10",
            "!",
            f"router bgp {DUT_AS}",
            f" bgp router-id {DUT_NH4}",
            # A synthetic table from feeders with private ASNs, over every prefix length
            # and unfiltered space: the eBGP default filters would drop parts of it.
            " no bgp reject martians", " no bgp reject too-specific", " no bgp reject bogon-asns",
            f" bgp listen address {DUT_ADDR}",
        ]
        peers = [(feeder_addr(k), FEEDER_AS_BASE + k, f"feeder {k}") for k in range(w["feeders"])]
        peers.append((RECV_ADDR, RECV_AS, "receiver"))
        for addr, asn, descr in peers:
            lines += [
                f" neighbor {addr} remote-as {asn}",
                f' neighbor {addr} description "{descr}"',
                f" neighbor {addr} update-source {DUT_ADDR}",
                f" neighbor {addr} passive",
            ]
        for k in range(w["feeders"]):
            lines.append(f" neighbor {feeder_addr(k)} route-map ALL in")
        lines.append(f" neighbor {RECV_ADDR} route-map ALL out")
        # IPv6 routes go to the receiver over an IPv4 session: give them the
        # same IPv6 next hop BIRD announces (`next hop address` above).
        lines.append(f" neighbor {RECV_ADDR} next-hop-address {DUT_NH6}")
        return "\n".join(lines) + "\n!\n"

    def start(self):
        binary = self.binary
        if not os.path.exists(binary):
            raise Failure(f"{binary} not built")
        conf = self.lab.write("moatd.conf", self.config())
        sock = self.lab.path("moatd.sock")
        self.proc = self.lab.start([binary, "-f", conf, "--socket", sock, "--log-level", "notice"], "moatd.log")
        wait_for(lambda: os.path.exists(sock) or self.proc.poll() is not None, 10, "moatd control socket")
        if self.proc.poll() is not None:
            raise Failure(f"moatd exited early:\n{self.lab.log('moatd.log')}")
        return self

    def log(self):
        return self.lab.log("moatd.log")


# --- the tools ------------------------------------------------------------------

class Tool:
    """A feeder or receiver process whose JSON event lines are read from its log."""

    def __init__(self, lab, logname, argv):
        self.lab = lab
        self.logname = logname
        self.proc = lab.start(argv, logname)

    def events(self):
        out = []
        for line in self.lab.log(self.logname).splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass  # a line still being written
        return out

    def event(self, name):
        for e in self.events():
            if e.get("event") == name:
                return e
        return None

    def last(self, name):
        found = None
        for e in self.events():
            if e.get("event") == name:
                found = e
        return found

    def failed(self):
        for e in self.events():
            if e.get("event") in ("error", "timeout", "session_closed"):
                return e
        if self.proc.poll() not in (None, 0):
            return {"event": "exit", "rc": self.proc.returncode, "log": self.lab.log(self.logname)[-500:]}
        return None


def tool(build, name):
    p = os.path.join(build, "tests", "tools", name)
    if not os.path.exists(p):
        raise Failure(f"{p} not built")
    return p


def wait_event(t, name, timeout, others=(), dut=None, stall=None, stall_after=None):
    """Waits for event `name` of tool t. Fails early when t or one of `others`
    reports an error, the DUT dies, or (with stall) the receiver's update count
    has not moved for `stall` seconds once stall_after() is true."""
    deadline = time.monotonic() + timeout
    last_count, last_move = None, time.monotonic()
    while time.monotonic() < deadline:
        e = t.event(name)
        if e:
            return e
        for x in (t, *others):
            bad = x.failed()
            if bad:
                raise Failure(f"{x.logname}: {bad}")
        if dut is not None and not dut.alive():
            raise Failure(f"{dut.name} exited:\n{dut.log()[-2000:]}")
        if stall is not None:
            p = t.last("progress")
            count = p and (p["updates"], p["v4"], p["v6"])
            if count != last_count:
                last_count, last_move = count, time.monotonic()
            elif (stall_after is None or stall_after()) and time.monotonic() - last_move > stall:
                raise Failure(f"stalled: nothing new at the receiver for {stall}s (last: {p})")
        time.sleep(0.05)
    raise Failure(f"timed out after {timeout}s waiting for {t.logname} {name}")


def scaled_workload(args, wl_name):
    w = dict(WORKLOADS[wl_name])
    w["v4"] = int(w["v4"] * args.scale)
    w["v6"] = int(w["v6"] * args.scale)
    return w


def run_one(args, dut_name, wl_name):
    w = scaled_workload(args, wl_name)
    lab = Lab(f"bench-{dut_name}-{wl_name}")
    result = {"dut": dut_name, "workload": wl_name, "feeders": w["feeders"], "v4": w["v4"], "v6": w["v6"]}
    rov = dut_name.endswith("-rov")
    try:
        vrps = None
        if rov:
            vrps = make_vrps(args, lab, w)
            result.update({k: vrps[k] for k in ("vrps", "invalid_v4", "invalid_v6", "changed_vrps")})
        if dut_name.startswith("bird"):
            dut = BirdDut(lab, w)
            if rov:
                dut.roa_file = lab.path("roa.conf")
        elif dut_name.startswith("moatd"):
            dut = MoatdDut(lab, w, args.moatd or os.path.join(args.build, "bgpd", "moatd"),
                           lab.path("vrps.json") if rov else None)
        else:
            dut = Wire(lab, w)
        dut.start()
        after = None
        if rov and dut_name.startswith("moatd"):
            def after(recv):
                return vrp_change(args, recv, dut, vrps, file_swap(lab.path("vrps2.json"), lab.path("vrps.json")))
        feed_table(args, lab, dut, w, result, vrps, after)
        result["ok"] = True
    except Failure as e:
        result["ok"] = False
        result["error"] = str(e)[-1500:]
        if args.keep:
            lab.dump_logs()
    finally:
        lab.close(keep=args.keep)
    return result


def feed_table(args, lab, dut, w, result, vrps=None, after_converged=None):
    """Runs the workload through a started DUT: the receiver connects, the
    feeders send their tables, then withdraw them. With vrps (moat-vrpgen's
    counts) the receiver expects the table minus the Invalid routes.
    after_converged(recv), when given, runs once the table is at the receiver
    and returns more figures. Fills result with the figures."""
    base_cpu, base_mem = None, {}
    wire = isinstance(dut, Wire)

    # What the receiver must end up with: the DUT passes on one best path
    # per prefix; without a DUT each feeder session is counted on its own.
    n_sessions = w["feeders"] if wire else 1
    per_feeder_v4 = w["v4"]
    if wire or not w["overlap"]:
        expect_v4, expect_v6 = w["v4"] * w["feeders"], w["v6"] * w["feeders"]
    else:
        expect_v4, expect_v6 = w["v4"], w["v6"]
    if vrps:  # the Invalid routes stay behind
        expect_v4 -= vrps["invalid_v4"]
        expect_v6 -= vrps["invalid_v6"]
    recv_argv = [tool(args.build, "moat-receiver"), "--as", str(RECV_AS), "--router-id", RECV_ADDR,
                 "--expect-v4", str(expect_v4), "--expect-v6", str(expect_v6), "--settle", str(args.settle),
                 "--timeout", str(args.timeout), "--progress", "1"]
    if args.full_decode:
        recv_argv.append("--full-decode")
    if wire:
        recv_argv += ["--listen", f"{RECV_ADDR}:179", "--sessions", str(n_sessions)]
    else:
        recv_argv += ["--connect", f"{dut.connect}:179", "--bind", RECV_ADDR, "--connect-timeout", "30"]
    recv = Tool(lab, "receiver.log", recv_argv)
    if wire:
        wait_event(recv, "listening", 10)
    else:
        wait_event(recv, "established", 40, dut=dut)

    feeders = []
    for k in range(w["feeders"]):
        argv = [tool(args.build, "moat-feeder"), "--connect", f"{dut.connect}:179", "--bind", feeder_addr(k),
                "--as", str(FEEDER_AS_BASE + k), "--router-id", feeder_addr(k),
                "--v4", str(per_feeder_v4), "--v6", str(w["v6"]), "--seed", str(args.seed),
                "--feeder-id", str(k), "--connect-timeout", "60", "--wait-start"]
        if w["overlap"]:
            argv.append("--overlap")
        feeders.append(Tool(lab, f"feeder{k}.log", argv))
    for f in feeders:
        wait_event(f, "established", 120, others=[recv], dut=dut)
    # Every session is up: start all feeders at once, from an idle DUT.
    time.sleep(1.0)
    if dut.pid():
        base_cpu = cpu_seconds(dut.pid())
        base_mem = memory_kib(dut.pid())
    for f in feeders:
        f.proc.send_signal(signal.SIGUSR2)

    def all_sent():
        return all(f.event("table_sent") for f in feeders)

    conv = wait_event(recv, "converged", args.timeout, others=feeders, dut=dut, stall=args.stall,
                      stall_after=all_sent)
    complete = recv.event("complete")
    first = min(f.event("first_update")["mono_ms"] for f in feeders)
    result["announce_s"] = (conv["last_announce_mono_ms"] - first) / 1e3
    result["present_s"] = (complete["mono_ms"] - first) / 1e3
    result["feeder_send_s"] = max(f.event("table_sent")["ms"] for f in feeders) / 1e3
    result["updates_in"] = conv["updates"]
    if dut.pid():
        result["cpu_announce_s"] = cpu_seconds(dut.pid()) - base_cpu
        mem = memory_kib(dut.pid())
        result["rss_idle_mib"] = base_mem.get("VmRSS", 0) / 1024
        result["rss_loaded_mib"] = mem.get("VmRSS", 0) / 1024
        cpu_mid = cpu_seconds(dut.pid())

    if after_converged:
        result.update(after_converged(recv))
        if dut.pid():
            cpu_mid = cpu_seconds(dut.pid())

    for f in feeders:
        f.proc.send_signal(signal.SIGUSR1)
    gone = wait_event(recv, "withdrawn", args.timeout, others=feeders, dut=dut, stall=args.stall)
    wstart = min(wait_event(f, "withdraw_start", 10)["mono_ms"] for f in feeders)
    result["withdraw_s"] = (gone["mono_ms"] - wstart) / 1e3
    if dut.pid():
        result["cpu_withdraw_s"] = cpu_seconds(dut.pid()) - cpu_mid
        result["cpu_total_s"] = cpu_seconds(dut.pid()) - base_cpu
        result["peak_rss_mib"] = memory_kib(dut.pid()).get("VmHWM", 0) / 1024


def make_vrps(args, lab, w, bird=True, valid_permille=None):
    """VRPs for the feeder's table (feeder 0's AS and seed), in moatd's JSON
    and (with bird) BIRD's static ROA form, plus the changed set; returns the
    counts. valid_permille: the share of routes given a matching VRP
    (moat-vrpgen's default 275 gives ~555,000 VRPs for the full table)."""
    argv = [tool(args.build, "moat-vrpgen"), "--v4", str(w["v4"]), "--v6", str(w["v6"]), "--seed", str(args.seed),
            "--as", str(FEEDER_AS_BASE), "--out", lab.path("vrps.json"),
            "--change", str(int(10_000 * min(1.0, args.scale * 10))), "--out2", lab.path("vrps2.json")]
    if bird:
        argv += ["--bird", lab.path("roa.conf"), "--bird2", lab.path("roa2.conf")]
    if valid_permille is not None:
        argv += ["--valid-permille", str(valid_permille)]
    r = run(argv, timeout=300)
    return json.loads(r.stdout.strip().splitlines()[-1])


def file_swap(new_file, path):
    """A VRP change trigger: renames new_file over path (one atomic step, as
    rpki-client and Routinator write their output); t0 is just before it."""
    def trigger():
        t0 = time.monotonic() * 1e3
        os.rename(new_file, path)
        return lambda: t0
    return trigger


def vrp_change(args, recv, dut, vrps, trigger):
    """Puts the changed VRP set in place (trigger() does it and returns a
    function giving t0 in CLOCK_MONOTONIC ms, asked once the change is
    through); waits for the receiver to see every resulting withdrawal and
    announcement and then stay quiet. vrp_change_s is t0 -> the last UPDATE."""
    p = recv.last("progress")
    base_ann = p["announced_v4"] + p["announced_v6"]
    base_wd = p["withdrawn_v4"] + p["withdrawn_v6"]
    want_wd = vrps["became_invalid_v4"] + vrps["became_invalid_v6"]
    want_ann = vrps["became_valid_v4"] + vrps["became_valid_v6"]
    cpu0 = cpu_seconds(dut.pid())
    t0_of = trigger()
    deadline = time.monotonic() + 120
    quiet_since, last_seen = None, None
    while time.monotonic() < deadline:
        p = recv.last("progress")
        done = (p["announced_v4"] + p["announced_v6"] - base_ann >= want_ann and
                p["withdrawn_v4"] + p["withdrawn_v6"] - base_wd >= want_wd)
        if done:
            if p["last_update_mono_ms"] != last_seen:
                last_seen, quiet_since = p["last_update_mono_ms"], time.monotonic()
            elif time.monotonic() - quiet_since >= max(2.0, args.settle):
                t0 = t0_of()
                if t0 is None:
                    raise Failure("VRP change: the receiver saw it, but its start was not observed")
                return {"vrp_change_s": (p["last_update_mono_ms"] - t0) / 1e3,
                        "vrp_change_withdrawn": p["withdrawn_v4"] + p["withdrawn_v6"] - base_wd,
                        "vrp_change_announced": p["announced_v4"] + p["announced_v6"] - base_ann,
                        "cpu_vrp_change_s": cpu_seconds(dut.pid()) - cpu0,
                        "vrp_change_window_ms": (t0, p["last_update_mono_ms"])}
        if not dut.alive():
            raise Failure(f"{dut.name} exited during the VRP change")
        time.sleep(0.1)
    raise Failure(f"VRP change: the receiver did not get {want_wd} withdrawals and {want_ann} announcements "
                  f"(last: {recv.last('progress')})")


def median(tries):
    """One result per (workload, DUT): the median of each figure over the good runs."""
    good = [r for r in tries if r.get("ok")]
    if not good:
        return tries[-1]
    out = dict(good[0])
    for key, value in good[0].items():
        if isinstance(value, float):
            vals = sorted(r[key] for r in good if key in r)
            out[key] = vals[len(vals) // 2]
    out["runs"] = len(good)
    return out


# --- report -----------------------------------------------------------------------

COLUMNS = [
    ("announce_s", "announce s", "{:.2f}"),
    ("present_s", "all present s", "{:.2f}"),
    ("withdraw_s", "withdraw s", "{:.2f}"),
    ("cpu_announce_s", "cpu ann s", "{:.2f}"),
    ("cpu_withdraw_s", "cpu wd s", "{:.2f}"),
    ("peak_rss_mib", "peak RSS MiB", "{:.1f}"),
    ("rss_loaded_mib", "RSS loaded MiB", "{:.1f}"),
    ("vrp_change_s", "VRP change s", "{:.2f}"),
]


def report(results):
    head = f"{'workload':8} {'dut':9} " + " ".join(f"{title:>14}" for _, title, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    for r in results:
        if not r.get("ok"):
            lines.append(f"{r['workload']:8} {r['dut']:9} not measured: {r.get('error', '').splitlines()[0][:200]}")
            continue
        cells = [(fmt.format(r[key]) if key in r else "-") for key, _, fmt in COLUMNS]
        lines.append(f"{r['workload']:8} {r['dut']:9} " + " ".join(f"{c:>14}" for c in cells))
    by = {(r["workload"], r["dut"]): r for r in results if r.get("ok")}
    for wl in dict.fromkeys(r["workload"] for r in results):
        m, b = by.get((wl, "moatd")), by.get((wl, "bird"))
        if m and b:
            ratios = []
            for key, title, _ in COLUMNS:
                if key in m and key in b and b[key]:
                    ratios.append(f"{title} {m[key] / b[key]:.2f}")
            lines.append(f"{wl}: moatd/BIRD: " + ", ".join(ratios))
        elif b:
            lines.append(f"{wl}: moatd/BIRD: pending (no moatd figures in this run)")
        for d in ("moatd", "bird"):
            plain, rov = by.get((wl, d)), by.get((wl, d + "-rov"))
            if plain and rov:
                lines.append(f"{wl}: {d} with ROV / without: announce {rov['announce_s'] / plain['announce_s']:.2f}, "
                             f"cpu {rov['cpu_announce_s'] / plain['cpu_announce_s']:.2f}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("MOAT_BUILD", os.path.join(HERE, "..", "..", "build")),
                    help="build directory with bgpd/moatd and tests/tools/moat-{feeder,receiver}")
    ap.add_argument("--moatd", help="moatd binary (default: BUILD/bgpd/moatd)")
    ap.add_argument("--dut", default="wire,bird,moatd",
                    help="comma list of wire, bird, moatd, bird-rov, moatd-rov (ROV: workload full)")
    ap.add_argument("--workload", default="full,multi", help="comma list of full, multi")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every table size (0.1 for a quick run)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--settle", type=float, default=3.0, help="quiet seconds that end the announce phase")
    ap.add_argument("--stall", type=float, default=60.0, help="give up after this long without progress")
    ap.add_argument("--timeout", type=float, default=1200.0, help="limit per phase, seconds")
    ap.add_argument("--repeat", type=int, default=1, help="runs per workload and DUT; the table shows medians")
    ap.add_argument("--full-decode", action="store_true",
                    help="the receiver runs the codec on every UPDATE (slower; checks what the DUT sends)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the logs and print them on failure")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    if args.moatd:
        args.moatd = os.path.abspath(args.moatd)
    duts = [d for d in args.dut.split(",") if d]
    wls = [w for w in args.workload.split(",") if w]
    for d in duts:
        if d not in ("wire", "bird", "moatd", "bird-rov", "moatd-rov"):
            ap.error(f"unknown DUT {d}")
    for w in wls:
        if w not in WORKLOADS:
            ap.error(f"unknown workload {w}")

    in_namespace_or_reexec()
    setup_namespace(max(WORKLOADS[w]["feeders"] for w in wls))

    results, runs, paired = [], [], []
    for wl in wls:
        wl_duts = [d for d in duts if not (d.endswith("-rov") and wl != "full")]
        tries = {d: [] for d in wl_duts}
        # The DUTs take turns (run 1 of each, then run 2 of each...), so a
        # slow spell of the machine falls on both columns of a comparison.
        for i in range(args.repeat):
            for d in wl_duts:
                print(f"# {wl} / {d} (scale {args.scale}, run {i + 1}/{args.repeat}, "
                      f"load {os.getloadavg()[0]:.1f}) ...", flush=True)
                r = run_one(args, d, wl)
                r["load"] = os.getloadavg()[0]
                r["run"] = i + 1
                print("# " + json.dumps(r), flush=True)
                tries[d].append(r)
        for d in wl_duts:
            runs += tries[d]
            results.append(median(tries[d]))
        if "bird" in tries and "moatd" in tries:
            ratios = [m["announce_s"] / b["announce_s"] for b, m in zip(tries["bird"], tries["moatd"])
                      if b["ok"] and m["ok"] and b.get("announce_s") and m.get("announce_s")]
            if ratios:
                paired.append(f"{wl}: moatd/BIRD announce, run by run: "
                              + " ".join(f"{x:.2f}" for x in ratios)
                              + f" (median {statistics.median(ratios):.2f})")
    print()
    print(report(results))
    for line in paired:
        print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"scale": args.scale, "seed": args.seed, "repeat": args.repeat, "median": results,
                       "runs": runs}, f, indent=1)
    # Exit 1 only when a DUT that can propagate routes failed; moatd without a
    # propagating RIB reports "not measured" instead.
    sys.exit(0 if all(r["ok"] or r["dut"].startswith("moatd") for r in results) else 1)


if __name__ == "__main__":
    main()
