#!/usr/bin/env python3
"""RPKI benchmark: moatd against BIRD 2 with VRPs from a real RPKI cache
(StayRTR over RTR), in the same run. Reuses fulltable.py's DUTs, tools and
table feed; see docs/performance.md for what it measured.

moat-vrpgen derives the VRPs from the synthetic full table (default
--valid-permille 489: about 833,000 VRPs for 1,000,000 IPv4 + 200,000 IPv6
routes; 1% of the routes Invalid) and a changed set where 10,000 VRPs name
another AS. StayRTR (127.0.3.1:8282) serves the file. Scenarios, each DUT in
its own network namespace run (the DUTs take turns):

  vrps  The DUT configured with only the RPKI cache, no BGP. VmRSS is taken
        with the source still off (BIRD: `protocol rpki` disabled; moatd: no
        `rpki cache` line), then the source is switched on (`birdc enable`;
        moatd: the line added, `reload`) and the DUT polled until it holds
        every VRP (moatd `show rpki summary json`; BIRD `show route table r4
        count` and r6). Figures: RSS before / with the set, growth, VmHWM,
        sync time (switched on -> full count seen, polled every 0.1 s) and
        CPU seconds of the load.
  rov   The full-table run of fulltable.py with ROV from StayRTR: moatd with
        `rpki cache` (Invalid rejected, the eBGP default); BIRD with `protocol
        rpki`, import filters rejecting roa_check() = ROA_INVALID, and `import
        table on; rpki reload on;` in the feeders' channels (BIRD re-runs its
        import filters on a VRP change only from a kept Adj-RIB-In, the
        operator's setting for ROV without route refresh). The table is fed
        once the DUT holds every VRP. Then StayRTR's file is replaced by the
        changed set (rename + SIGHUP): StayRTR re-reads it and sends Serial
        Notify. A small RTR client of this script (RFC 8210 version 1) sees
        it: t0. t1 is the last resulting UPDATE at the receiver. Figures:
        fulltable's (announce, CPU, peak RSS, ...), VRP change = t1 - t0, the
        cache's own time (SIGHUP -> Notify), and the control-socket latency
        during the change (below).
  file  moatd only: the rov run with `rpki file` instead of the cache; the
        833k file is replaced by the changed one (rename). VRP change =
        rename -> last UPDATE (includes up to 1 s of file polling).

Control-socket latency (event-loop stall): from 1.5 s before the change until
it is through, tests/bench/ctlprobe.py sends `show bgp summary` to moatd (its
socket protocol, docs/cli-protocol.md) or `show protocols` to BIRD every
10 ms on one connection and records each answer's latency. Reported for
the window t0 .. t1 + 0.5 s: maximum and 99th percentile (nearest rank: with
fewer than 100 answers in the window it is the maximum); `idle` is the same
for the time before t0 (at least 1.5 s; with the cache, until its Notify),
when the daemon has nothing to do: slow answers there come from the machine.

  sudo python3 tests/bench/rpki.py --build build-rel
  sudo python3 tests/bench/rpki.py --build build-rel --scale 0.1
"""

import argparse
import json
import os
import shutil
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fulltable as ft  # noqa: E402
from ctlprobe import BirdControl, MoatdControl, latency_summary, read_samples  # noqa: E402
from fulltable import Failure, Lab, in_namespace_or_reexec, wait_for  # noqa: E402

CACHE = ("127.0.3.1", 8282)
CACHE_METRICS = "127.0.3.1:9847"
PROBE_INTERVAL = 0.01
PROBE_LEAD = 1.5  # seconds probed before a change starts: the idle figure


# --- the cache ----------------------------------------------------------------------

def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)



def ask(control, command):
    """One request on a fresh control connection: its answer, or Failure."""
    try:
        ok, text = control.request(command)
    finally:
        control.close()
    if not ok:
        raise Failure(f"{command}: {text}")
    return text

class StayRtr:
    """StayRTR serving a VRP JSON file on CACHE; changed by rename + SIGHUP."""

    def __init__(self, lab, vrp_file):
        self.lab = lab
        self.file = lab.path("cache.json")
        link_or_copy(vrp_file, self.file)
        self.proc = None

    def start(self, timeout=300):
        # -refresh 3600: the file is re-read on SIGHUP only, not hashed again
        # every few seconds while the DUTs are measured.
        self.proc = self.lab.start(["stayrtr", "-bind", f"{CACHE[0]}:{CACHE[1]}", "-metrics.addr", CACHE_METRICS,
                                    "-cache", self.file, "-checktime=false", "-refresh", "3600"], "stayrtr.log")

        def listening():
            if self.proc.poll() is not None:
                raise Failure(f"stayrtr exited:\n{self.lab.log('stayrtr.log')[-2000:]}")
            try:
                socket.create_connection(CACHE, timeout=1).close()
                return True
            except OSError:
                return False

        # StayRTR listens only once it has parsed the file.
        wait_for(listening, timeout, "StayRTR listening", interval=0.2)
        return self

    def swap(self, new_file):
        """Puts new_file in place and signals StayRTR; returns the monotonic ms of the signal."""
        tmp = self.lab.path("cache.json.new")
        link_or_copy(new_file, tmp)
        os.rename(tmp, self.file)
        t = time.monotonic() * 1e3
        self.proc.send_signal(1)  # SIGHUP
        return t


class RtrWatcher:
    """A minimal RTR client (RFC 8210, version 1): a Reset Query, the whole
    set counted, then every Serial Notify timestamped with CLOCK_MONOTONIC
    (the receiver's clock) as it arrives, answered with a Serial Query whose
    End of Data is timestamped too: how long the cache itself takes to serve
    the change to a client that does nothing with it, the floor for any DUT."""

    PDU_SERIAL_NOTIFY, PDU_CACHE_RESPONSE, PDU_V4, PDU_V6, PDU_END, PDU_CACHE_RESET, PDU_ERROR = 0, 3, 4, 6, 7, 8, 10

    def __init__(self, addr):
        self.sock = socket.create_connection(addr, timeout=10)
        self.sock.settimeout(None)
        self.counts = [0, 0]
        self.synced = threading.Event()
        self.notifies = []  # monotonic ms
        self.delta_ends = []  # monotonic ms: End of Data of each Serial Query's answer
        self.session = 0
        self.serial = 0
        self.querying = False
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.sock.sendall(bytes([1, 2, 0, 0, 0, 0, 0, 8]))  # Reset Query, version 1
        self.thread.start()
        return self

    def _run(self):
        buf = bytearray()
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    return
                now = time.monotonic() * 1e3
                buf += chunk
                pos = 0
                while len(buf) - pos >= 8:
                    length = int.from_bytes(buf[pos + 4:pos + 8], "big")
                    if length < 8 or len(buf) - pos < length:
                        break
                    pdu = buf[pos + 1]
                    if pdu in (self.PDU_V4, self.PDU_V6):
                        self.counts[pdu == self.PDU_V6] += 1 if buf[pos + 8] & 1 else -1
                    elif pdu == self.PDU_CACHE_RESPONSE:
                        self.session = int.from_bytes(buf[pos + 2:pos + 4], "big")
                    elif pdu == self.PDU_END:
                        self.serial = int.from_bytes(buf[pos + 8:pos + 12], "big")
                        if self.querying:
                            self.delta_ends.append(now)
                            self.querying = False
                        self.synced.set()
                    elif pdu == self.PDU_SERIAL_NOTIFY:
                        self.notifies.append(now)
                        if self.synced.is_set() and not self.querying:
                            self.querying = True
                            self.sock.sendall(bytes([1, 1]) + self.session.to_bytes(2, "big") +
                                              (12).to_bytes(4, "big") + self.serial.to_bytes(4, "big"))
                    elif pdu in (self.PDU_ERROR, self.PDU_CACHE_RESET):
                        self.error = f"RTR PDU type {pdu} from the cache"
                        self.synced.set()
                        return
                    pos += length
                del buf[:pos]
        except OSError as e:
            self.error = str(e)
            self.synced.set()

    def wait_synced(self, timeout):
        if not self.synced.wait(timeout) or self.error:
            raise Failure(f"RTR client: no complete set from the cache ({self.error or 'timeout'})")
        return tuple(self.counts)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# --- the DUTs with an RPKI cache -------------------------------------------------------

class BirdRtr(ft.BirdDut):
    """BIRD with roa4/roa6 tables r4/r6 filled by `protocol rpki rtr`."""

    name = "bird"
    channel_options = "import table on; rpki reload on; "

    def __init__(self, lab, workload, bgp=True, enabled=True):
        super().__init__(lab, workload)
        self.bgp = bgp
        self.enabled = enabled

    def roa_lines(self):
        # Both DUTs: refresh 3600 s (changes come by Serial Notify), retry
        # 1 s, expire 7200 s, the cache's own intervals ignored.
        return [
            "roa4 table r4;", "roa6 table r6;",
            "protocol rpki rtr {",
            *(["  disabled;"] if not self.enabled else []),
            "  roa4 { table r4; }; roa6 { table r6; };",
            f"  remote {CACHE[0]} port {CACHE[1]};",
            "  refresh keep 3600; retry keep 1; expire keep 7200;",
            "}",
        ]

    def config(self):
        if self.bgp:
            return super().config()
        return "\n".join([f'log "{self.lab.path("bird.log")}" {{ info, remote, warning, error, auth, fatal, bug }};',
                          f"router id {ft.DUT_NH4};", *self.roa_lines()]) + "\n"

    def control(self):
        return BirdControl(self.lab.path("bird.ctl"))

    def probe_argv(self):
        return ["--bird", self.lab.path("bird.ctl")]

    def enable_rpki(self):
        ask(self.control(), "enable rtr")

    def vrp_counts(self):
        # The channels' route counters (`show route table r4 count` would
        # walk the table on every poll, in BIRD's CPU time).
        text = ask(self.control(), "show protocols all rtr")
        counts, channel = {}, None
        for line in text.splitlines():
            words = line.split()
            if words[:1] == ["Channel"]:
                channel = words[1]
            elif words[:1] == ["Routes:"] and channel:
                counts[channel] = int(words[1])
        return counts.get("roa4", 0), counts.get("roa6", 0)


class MoatdRtr(ft.MoatdDut):
    """moatd with `rpki cache` (CACHE)."""

    def __init__(self, lab, workload, binary, bgp=True, enabled=True):
        super().__init__(lab, workload, binary)
        self.bgp = bgp
        self.enabled = enabled

    def rpki_lines(self):
        if not self.enabled:
            return []
        return [f"rpki cache {CACHE[0]} {CACHE[1]}", "rpki timers refresh 3600 retry 1 expire 7200"]

    def config(self):
        if self.bgp:
            return super().config()
        return "\n".join([*self.rpki_lines(), "hostname moat-bench"]) + "\n!\n"

    def control(self):
        return MoatdControl(self.lab.path("moatd.sock"))

    def probe_argv(self):
        return ["--moatd", self.lab.path("moatd.sock")]

    def enable_rpki(self):
        self.enabled = True
        self.lab.write("moatd.conf", self.config())
        ask(self.control(), "reload")

    def vrp_counts(self):
        text = ask(self.control(), "show rpki summary json")
        s = json.loads(text)
        return (s["ipv4_vrps"], s["ipv6_vrps"]) if s.get("in_sync") else (-1, -1)


class MoatdFile(MoatdRtr):
    """moatd with `rpki file` (the file scenario)."""

    def __init__(self, lab, workload, binary, vrp_file):
        super().__init__(lab, workload, binary)
        self.vrp_file = vrp_file

    def rpki_lines(self):
        return ft.MoatdDut.rpki_lines(self)


def make_dut(args, lab, dut_name, w, **kw):
    if dut_name == "bird":
        return BirdRtr(lab, w, **kw)
    return MoatdRtr(lab, w, args.moatd or os.path.join(args.build, "bgpd", "moatd"), **kw)


def wait_vrps(dut, want, timeout):
    """Polls the DUT until it holds want = (v4, v6) VRPs; returns the monotonic
    time it was first seen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if not dut.alive():
            raise Failure(f"{dut.name} exited:\n{dut.log()[-2000:]}")
        try:
            last = dut.vrp_counts()
        except (OSError, ConnectionError, ValueError) as e:
            last = e
        if last == want:
            return time.monotonic()
        time.sleep(0.1)
    raise Failure(f"{dut.name} did not get {want} VRPs within {timeout}s (last: {last})")


# --- the event-loop probe -------------------------------------------------------------

class Probe:
    """ctlprobe.py against the DUT's control socket, started PROBE_LEAD
    seconds before a change."""

    def __init__(self, lab, dut):
        self.lab = lab
        self.log = lab.path("probe.log")
        self.proc = lab.start([sys.executable, os.path.join(HERE, "ctlprobe.py"), *dut.probe_argv(),
                               "--interval", str(PROBE_INTERVAL)], "probe.log")
        self.started = time.monotonic() * 1e3
        time.sleep(PROBE_LEAD)

    def stop(self):
        self.lab.stop(self.proc)

    def figures(self, t0, t1):
        """Latency of the answers that overlapped [t0, t1 + 0.5 s], and the
        same before t0 (the daemon idle: what the machine's load adds)."""
        samples = read_samples(self.log)
        if any(line.startswith("# error") for line in self.lab.log("probe.log").splitlines()):
            raise Failure(f"control-socket probe failed: {self.lab.log('probe.log')[-300:]}")
        during = [(s, lat) for s, lat in samples if s + lat >= t0 and s <= t1 + 500]
        idle = [(s, lat) for s, lat in samples if self.started < s and s + lat < t0]
        d, i = latency_summary(during), latency_summary(idle)
        return {"stall_max_ms": d.get("max_ms"), "stall_p99_ms": d.get("p99_ms"), "stall_samples": d.get("samples"),
                "idle_p99_ms": i.get("p99_ms"), "idle_max_ms": i.get("max_ms")}


def probed_change(args, lab, recv, dut, vrps, trigger):
    """fulltable's vrp_change with the control-socket probe running; trigger
    as vrp_change takes it."""
    probe = Probe(lab, dut)
    try:
        out = ft.vrp_change(args, recv, dut, vrps, trigger)
    finally:
        probe.stop()
    out.update(probe.figures(*out["vrp_change_window_ms"]))
    return out


# --- the scenarios ---------------------------------------------------------------------

def run_vrps(args, dut_name, data):
    lab = Lab(f"rpki-{dut_name}-vrps")
    result = {"scenario": "vrps", "dut": dut_name}
    watcher = None
    try:
        cache = StayRtr(lab, data["vrps.json"]).start()
        watcher = RtrWatcher(CACHE).start()
        want = (data["vrps"]["vrps_v4"], data["vrps"]["vrps_v6"])
        got = watcher.wait_synced(300)
        watcher.close()
        watcher = None
        if got != want:
            raise Failure(f"StayRTR serves {got} VRPs, moat-vrpgen wrote {want}")
        dut = make_dut(args, lab, dut_name, None, bgp=False, enabled=False)
        dut.start()
        time.sleep(1.0)
        pid = dut.pid()
        base = ft.memory_kib(pid)
        cpu0 = ft.cpu_seconds(pid)
        t_on = time.monotonic()
        dut.enable_rpki()
        t_full = wait_vrps(dut, want, args.timeout)
        cpu1 = ft.cpu_seconds(pid)
        time.sleep(1.0)  # let a settle step finish
        mem = ft.memory_kib(pid)
        result.update({
            "rss_before_mib": base["VmRSS"] / 1024, "rss_vrps_mib": mem["VmRSS"] / 1024,
            "rss_growth_mib": (mem["VmRSS"] - base["VmRSS"]) / 1024, "vrp_hwm_mib": mem["VmHWM"] / 1024,
            "vrp_sync_s": t_full - t_on, "cpu_vrp_sync_s": cpu1 - cpu0,
            "bytes_per_vrp": (mem["VmRSS"] - base["VmRSS"]) * 1024 / max(1, sum(want)),
        })
        if cache.proc.poll() is not None:
            raise Failure("stayrtr exited")
        result["ok"] = True
    except Failure as e:
        result["ok"] = False
        result["error"] = str(e)[-1500:]
        if args.keep:
            lab.dump_logs()
    finally:
        if watcher:
            watcher.close()
        lab.close(keep=args.keep)
    return result


def run_rov(args, dut_name, data, source):
    """source "rtr": VRPs from StayRTR; "file": moatd's `rpki file`."""
    w = ft.scaled_workload(args, "full")
    lab = Lab(f"rpki-{dut_name}-{source}")
    result = {"scenario": "rov" if source == "rtr" else "file", "dut": dut_name}
    vrps = data["vrps"]
    want = (vrps["vrps_v4"], vrps["vrps_v6"])
    watcher = None
    try:
        if source == "rtr":
            cache = StayRtr(lab, data["vrps.json"]).start()
            watcher = RtrWatcher(CACHE).start()
            got = watcher.wait_synced(300)
            if got != want:
                raise Failure(f"StayRTR serves {got} VRPs, moat-vrpgen wrote {want}")
            dut = make_dut(args, lab, dut_name, w)
        else:
            link_or_copy(data["vrps.json"], lab.path("vrps.json"))
            dut = MoatdFile(lab, w, args.moatd or os.path.join(args.build, "bgpd", "moatd"), lab.path("vrps.json"))
        t_start = time.monotonic()
        dut.start()
        wait_vrps(dut, want, args.timeout)
        result["vrp_sync_s"] = time.monotonic() - t_start
        result["rss_vrps_mib"] = ft.memory_kib(dut.pid())["VmRSS"] / 1024

        if source == "rtr":
            def trigger():
                hup = cache.swap(data["vrps2.json"])
                n = len(watcher.notifies)

                def t0():
                    if len(watcher.notifies) <= n:
                        return None
                    result["notify_delay_s"] = (watcher.notifies[n] - hup) / 1e3
                    notify_at[0] = watcher.notifies[n]
                    return watcher.notifies[n]
                return t0
        else:
            link_or_copy(data["vrps2.json"], lab.path("vrps2.json"))
            trigger = ft.file_swap(lab.path("vrps2.json"), lab.path("vrps.json"))

        notify_at = [None]
        ft.feed_table(args, lab, dut, w, result, vrps,
                      lambda recv: probed_change(args, lab, recv, dut, vrps, trigger))
        if notify_at[0] is not None:
            ends = [t for t in watcher.delta_ends if t >= notify_at[0]]
            if ends:
                result["cache_serve_s"] = (ends[0] - notify_at[0]) / 1e3
        result["ok"] = True
    except Failure as e:
        result["ok"] = False
        result["error"] = str(e)[-1500:]
        if args.keep:
            lab.dump_logs()
    finally:
        if watcher:
            watcher.close()
        lab.close(keep=args.keep)
    return result


# --- report -----------------------------------------------------------------------------

COLUMNS = {
    "vrps": [
        ("rss_before_mib", "RSS before", "{:.1f}"),
        ("rss_vrps_mib", "RSS w/ VRPs", "{:.1f}"),
        ("rss_growth_mib", "growth MiB", "{:.1f}"),
        ("bytes_per_vrp", "B/VRP", "{:.0f}"),
        ("vrp_hwm_mib", "VmHWM MiB", "{:.1f}"),
        ("vrp_sync_s", "sync s", "{:.2f}"),
        ("cpu_vrp_sync_s", "cpu sync s", "{:.2f}"),
    ],
    "rov": [
        ("rss_vrps_mib", "RSS w/ VRPs", "{:.1f}"),
        ("announce_s", "announce s", "{:.2f}"),
        ("cpu_announce_s", "cpu ann s", "{:.2f}"),
        ("peak_rss_mib", "peak RSS MiB", "{:.1f}"),
        ("rss_loaded_mib", "RSS loaded", "{:.1f}"),
        ("notify_delay_s", "HUP->Notify s", "{:.2f}"),
        ("cache_serve_s", "cache serve s", "{:.2f}"),
        ("vrp_change_s", "VRP change s", "{:.2f}"),
        ("cpu_vrp_change_s", "cpu change s", "{:.2f}"),
        ("stall_max_ms", "stall max ms", "{:.1f}"),
        ("stall_p99_ms", "stall p99 ms", "{:.1f}"),
        ("idle_p99_ms", "idle p99 ms", "{:.1f}"),
        ("idle_max_ms", "idle max ms", "{:.1f}"),
    ],
}
COLUMNS["file"] = [c for c in COLUMNS["rov"] if c[0] not in ("notify_delay_s", "cache_serve_s")]
TITLES = {
    "vrps": "VRP set alone (RPKI cache only, no BGP)",
    "rov": "Full table with ROV, VRPs from StayRTR; VRP change through StayRTR (t0 = Serial Notify)",
    "file": "moatd, full table with ROV from `rpki file`; the file replaced (t0 = rename)",
}


def report(results):
    lines = []
    for scen in ("vrps", "rov", "file"):
        rows = [r for r in results if r["scenario"] == scen]
        if not rows:
            continue
        cols = COLUMNS[scen]
        lines += ["", TITLES[scen]]
        head = f"{'dut':6} " + " ".join(f"{title:>13}" for _, title, _ in cols)
        lines += [head, "-" * len(head)]
        for r in rows:
            if not r.get("ok"):
                lines.append(f"{r['dut']:6} not measured: {r.get('error', '').strip().splitlines()[-1][:200]}")
                continue
            cells = [(fmt.format(r[key]) if r.get(key) is not None else "-") for key, _, fmt in cols]
            lines.append(f"{r['dut']:6} " + " ".join(f"{c:>13}" for c in cells))
        m = ft.median([r for r in rows if r["dut"] == "moatd" and r.get("ok")] or [{}])
        b = ft.median([r for r in rows if r["dut"] == "bird" and r.get("ok")] or [{}])
        if m.get("ok") and b.get("ok"):
            ratios = [f"{title} {m[key] / b[key]:.2f}" for key, title, _ in cols
                      if m.get(key) is not None and b.get(key)]
            lines.append("moatd/BIRD" + (" (medians)" if len(rows) > 2 else "") + ": " + ", ".join(ratios))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("MOAT_BUILD", os.path.join(HERE, "..", "..", "build")),
                    help="build directory with bgpd/moatd and tests/tools/moat-{feeder,receiver,vrpgen}")
    ap.add_argument("--moatd", help="moatd binary (default: BUILD/bgpd/moatd)")
    ap.add_argument("--dut", default="bird,moatd", help="comma list of bird, moatd")
    ap.add_argument("--scenario", default="vrps,rov,file", help="comma list of vrps, rov, file (file: moatd only)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the table and VRP set (0.1: a quick run)")
    ap.add_argument("--valid-permille", type=int, default=489,
                    help="routes given a matching VRP, per mille (489: ~833,000 VRPs at scale 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--settle", type=float, default=3.0, help="quiet seconds that end the announce phase")
    ap.add_argument("--stall", type=float, default=60.0, help="give up after this long without progress")
    ap.add_argument("--timeout", type=float, default=300.0, help="limit per phase, seconds")
    ap.add_argument("--repeat", type=int, default=1, help="runs per scenario and DUT (each run is reported)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the logs and print them on failure")
    args = ap.parse_args()
    args.full_decode = False
    args.build = os.path.abspath(args.build)
    if args.moatd:
        args.moatd = os.path.abspath(args.moatd)
    duts = [d for d in args.dut.split(",") if d]
    scenarios = [s for s in args.scenario.split(",") if s]
    for d in duts:
        if d not in ("bird", "moatd"):
            ap.error(f"unknown DUT {d}")
    for s in scenarios:
        if s not in COLUMNS:
            ap.error(f"unknown scenario {s}")

    in_namespace_or_reexec()
    ft.setup_namespace(1)

    started = time.monotonic()
    loads = [os.getloadavg()[0]]
    shared = Lab("rpki-vrps")
    results = []
    try:
        w = ft.scaled_workload(args, "full")
        vrps = ft.make_vrps(args, shared, w, bird=False, valid_permille=args.valid_permille)
        data = {"vrps": vrps, "vrps.json": shared.path("vrps.json"), "vrps2.json": shared.path("vrps2.json")}
        print(f"# {vrps['vrps']} VRPs ({vrps['vrps_v4']} IPv4, {vrps['vrps_v6']} IPv6) for "
              f"{w['v4']} + {w['v6']} routes; {vrps['changed_vrps']} VRPs changed in the second set", flush=True)
        for scen in scenarios:
            for i in range(args.repeat):
                for d in duts:
                    if scen == "file" and d != "moatd":
                        continue
                    loads.append(os.getloadavg()[0])
                    print(f"# {scen} / {d} (scale {args.scale}, run {i + 1}/{args.repeat}, "
                          f"load {loads[-1]:.1f}) ...", flush=True)
                    r = run_vrps(args, d, data) if scen == "vrps" else run_rov(args, d, data,
                                                                              "rtr" if scen == "rov" else "file")
                    r["load"] = os.getloadavg()[0]
                    r["run"] = i + 1
                    loads.append(r["load"])
                    print("# " + json.dumps(r), flush=True)
                    results.append(r)
    finally:
        shared.close(keep=args.keep)
    print(report(results))
    print(f"\n{vrps['vrps']} VRPs, scale {args.scale}, {time.monotonic() - started:.0f} s, "
          f"load average (1 min) {min(loads):.1f}-{max(loads):.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"scale": args.scale, "seed": args.seed, "vrps": vrps, "runs": results}, f, indent=1)
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
