#!/usr/bin/env python3
"""moatd as a router: its best paths in the kernel, and packets forwarded by them.

Three network namespaces joined by veth pairs, all made by this test:

  customer (198.19.2.2) --- edge: moatd (198.19.2.1 | 198.19.1.1) --- upstream: BIRD (198.19.1.2)
                                                                        lo 203.0.113.1

BIRD announces 203.0.113.0/24 (a static route to its namespace's lo) to
moatd; moatd installs it in the edge namespace's main table with protocol
196; the customer pings 203.0.113.1 through the edge, and the packets are
counted on the edge's veth towards the upstream. Then: a path whose next hop
is on no connected network is kept but marked unusable (x), never best and
never installed, until the network appears on the edge (the kernel's
notification makes moatd judge it again); an iBGP path (BIRD's second
session) whose next hop only a static kernel route reaches is installed
through that route's gateway, and unusable again without it; a withdrawal
removes the kernel
route; after `kill -9` the route stays in the kernel, and a restarted moatd
takes it over and removes a left-over route it does not select; `no fib`
removes Moat's routes; SIGTERM removes them too; a moatd without
CAP_NET_ADMIN has every request refused (EPERM), counted and shown.
"""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BUILD, Bird, Failure, Lab, Moatd, Suite, TEST_ADDRESSING, check,  # noqa: E402
                     in_namespace_or_reexec, run, wait_for)

MOAT_AS = 65000
UP_AS = 64500
TAG = f"moatfib{os.getpid()}"
UP_NS, CUST_NS = f"{TAG}u", f"{TAG}c"
PROTO = "196"
PREFIX = "203.0.113.0/24"
FAR = "192.0.2.0/24"          # announced with a next hop on no network of the edge (until the test adds one)
LEFTOVER = "198.51.100.0/24"  # put in the table by hand with Moat's protocol: a left-over of an earlier run
IBGP = "100.64.0.0/24"        # from BIRD over iBGP with next hop 10.20.30.40, reached through a static route


def ns(name, *argv):
    return ["ip", "netns", "exec", name, *argv]


def build_topology():
    run(["ip", "link", "set", "lo", "up"])
    for n in (UP_NS, CUST_NS):
        run(["ip", "netns", "add", n])
        run(ns(n, "ip", "link", "set", "lo", "up"))
    # edge <-> upstream
    run(["ip", "link", "add", "e-up", "type", "veth", "peer", "name", "u-e", "netns", UP_NS])
    run(["ip", "addr", "add", "198.19.1.1/24", "dev", "e-up"])
    run(["ip", "addr", "add", "198.19.1.4/24", "dev", "e-up"])  # moatd's side of the iBGP session
    run(["ip", "addr", "add", "198.19.1.6/24", "dev", "e-up"])  # moatd's side of the second eBGP session
    run(["ip", "link", "set", "e-up", "up"])
    run(ns(UP_NS, "ip", "addr", "add", "198.19.1.2/24", "dev", "u-e"))
    run(ns(UP_NS, "ip", "addr", "add", "198.19.1.3/24", "dev", "u-e"))  # BIRD's iBGP session
    run(ns(UP_NS, "ip", "addr", "add", "198.19.1.5/24", "dev", "u-e"))  # BIRD's second eBGP session
    run(ns(UP_NS, "ip", "link", "set", "u-e", "up"))
    run(ns(UP_NS, "ip", "addr", "add", "203.0.113.1/32", "dev", "lo"))  # the address the customer pings
    run(ns(UP_NS, "ip", "route", "add", "198.19.2.0/24", "via", "198.19.1.1"))  # the way back
    # edge <-> customer
    run(["ip", "link", "add", "e-cu", "type", "veth", "peer", "name", "c-e", "netns", CUST_NS])
    run(["ip", "addr", "add", "198.19.2.1/24", "dev", "e-cu"])
    run(["ip", "link", "set", "e-cu", "up"])
    run(ns(CUST_NS, "ip", "addr", "add", "198.19.2.2/24", "dev", "c-e"))
    run(ns(CUST_NS, "ip", "link", "set", "c-e", "up"))
    run(ns(CUST_NS, "ip", "route", "add", "default", "via", "198.19.2.1"))
    run(["sysctl", "-qw", "net.ipv4.ip_forward=1"])  # this namespace's own setting


def remove_topology():
    for n in (UP_NS, CUST_NS):
        subprocess.run(["ip", "netns", "del", n], capture_output=True)


def moatd_config(extra=()):
    return "\n".join([
        "hostname moat-edge",
        "fib",
        *extra,
        f"router bgp {MOAT_AS}", *TEST_ADDRESSING,
        " bgp router-id 198.19.1.1",
        " no bgp ebgp-requires-policy",
        " bgp listen address 198.19.1.1",
        " bgp listen address 198.19.1.4",
        " bgp listen address 198.19.1.6",
        f" neighbor 198.19.1.2 remote-as {UP_AS}",
        " neighbor 198.19.1.2 update-source 198.19.1.1",
        " neighbor 198.19.1.2 timers 1 3",
        f" neighbor 198.19.1.5 remote-as {UP_AS}",
        " neighbor 198.19.1.5 update-source 198.19.1.6",
        " neighbor 198.19.1.5 timers 1 3",
        f" neighbor 198.19.1.3 remote-as {MOAT_AS}",
        " neighbor 198.19.1.3 update-source 198.19.1.4",
        " neighbor 198.19.1.3 timers 1 3",
    ]) + "\n"


def bird_config():
    return "\n".join([
        "log stderr all;",
        "router id 198.19.1.2;",
        "protocol device {}",
        f'protocol static announced {{ ipv4; route {PREFIX} via "lo"; }}',
        f'protocol static far {{ ipv4; route {FAR} via "lo"; }}',
        f'protocol static inner {{ ipv4; route {IBGP} via "lo"; }}',
        "protocol bgp up {",
        f"  local 198.19.1.2 as {UP_AS}; neighbor 198.19.1.1 as {MOAT_AS}; strict bind yes;",
        "  hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 5;",
        "  ipv4 { import none; export filter {",
        f"    if net = {IBGP} then reject;",
        f"    if net = {FAR} then bgp_next_hop = 198.19.99.9;",  # not on any link of the edge
        "    accept; }; };",
        "}",
        # A second eBGP session from the same AS: a second, equal path for
        # the prefix (multipath); off until the multipath test turns it on.
        "protocol bgp up2 {",
        f"  local 198.19.1.5 as {UP_AS}; neighbor 198.19.1.6 as {MOAT_AS}; strict bind yes; disabled;",
        "  hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 5;",
        f"  ipv4 {{ import none; export filter {{ if net = {PREFIX} then accept; reject; }}; }};",
        "}",
        "protocol bgp ibgp_in {",
        f"  local 198.19.1.3 as {MOAT_AS}; neighbor 198.19.1.4 as {MOAT_AS}; strict bind yes; direct;",
        "  hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 5;",
        "  ipv4 { import none; export filter {",
        f"    if net != {IBGP} then reject;",
        "    bgp_next_hop = 10.20.30.40;",  # on no link of the edge: reached through a static route there
        "    accept; }; };",
        "}",
    ]) + "\n"


class UpstreamBird(Bird):
    def start(self):
        self.proc = self.lab.start(ns(UP_NS, "bird", "-c", self.conf, "-s", self.sock, "-P",
                                      self.lab.path(f"{self.name}.pid"), "-f"), f"{self.name}.log")
        wait_for(lambda: os.path.exists(self.sock) or self.proc.poll() is not None, 10, f"{self.name} socket")
        check(self.proc.poll() is None, f"bird exited early:\n{self.lab.log(self.name + '.log')}")
        return self


def kernel_routes():
    """Moat's routes in this namespace's main table: {prefix: line}."""
    out = run(["ip", "-4", "route", "show", "table", "main", "proto", PROTO]).stdout
    return {line.split()[0]: line for line in out.splitlines() if line.strip()}


def fib(moat, *words):
    return moat.json("show", "fib", *words)


def fib_route(moat, prefix):
    for r in fib(moat)["routes"]:
        if r["prefix"] == prefix:
            return r
    return None


def tx_packets(dev):
    """Packets sent on `dev` in this namespace (sysfs shows the first namespace's)."""
    link = json.loads(run(["ip", "-j", "-s", "link", "show", "dev", dev]).stdout)[0]
    return int(link["stats64"]["tx"]["packets"])


def ping(count=3):
    return subprocess.run(ns(CUST_NS, "ping", "-c", str(count), "-i", "0.2", "-W", "1", "203.0.113.1"),
                          capture_output=True, text=True)


def test_installed_and_forwarding(moat, bird):
    moat.wait_established("198.19.1.2")
    wait_for(lambda: PREFIX in kernel_routes(), 15, f"{PREFIX} in the kernel")
    line = kernel_routes()[PREFIX]
    check("via 198.19.1.2" in line and "dev e-up" in line and "metric 20" in line, f"kernel route: {line}")
    r = fib_route(moat, PREFIX)
    check(r and r["in_kernel"] and r["next_hop"] == "198.19.1.2" and r["kernel"] == "ok", f"show fib: {r}")
    before = tx_packets("e-up")
    p = ping(5)
    check(p.returncode == 0, f"ping through the edge failed:\n{p.stdout}{p.stderr}")
    sent = tx_packets("e-up") - before
    check(sent >= 5, f"only {sent} packets left the edge towards the upstream")
    text = moat.ctl("show", "fib")
    check("Routes in the kernel:" in text and PREFIX in text, f"show fib text:\n{text}")
    summary = moat.json("show", "bgp", "summary")["fib"]
    check(summary["routes_ipv4"] >= 1 and summary["state"] == "running", f"show bgp summary: {summary}")
    check("FIB: running" in moat.ctl("show", "bgp", "summary"), "no FIB line in show bgp summary")


def moat_paths(moat, prefix):
    return moat.json("show", "bgp", "ipv4", "unicast", prefix)["routes"]


def next_hop_state(moat, address):
    for n in moat.json("show", "bgp", "nexthop")["next_hops"]:
        if n["address"] == address:
            return n
    return None


def test_unreachable_next_hop(moat, bird):
    # 198.19.99.9 is on no network of the edge: the path is kept, marked
    # unusable, never best, and nothing goes to the kernel.
    wait_for(lambda: moat_paths(moat, FAR), 15, f"{FAR} in moatd's RIB")
    paths = moat_paths(moat, FAR)
    check(len(paths) == 1 and paths[0]["unusable"] and not paths[0]["best"], f"{FAR}: {paths}")
    n = next_hop_state(moat, "198.19.99.9")
    check(n and not n["reachable"] and n["check"] == "connected", f"show bgp nexthop: {n}")
    check(fib_route(moat, FAR) is None and FAR not in kernel_routes(), f"{FAR} went to the FIB")
    check("x" in moat.ctl("show", "bgp", "ipv4", "unicast", FAR), "no x for the unusable path")
    # The next hop's network appears on the edge: the path is judged again,
    # wins, and goes into the kernel; the network goes: it leaves again.
    run(["ip", "addr", "add", "198.19.99.1/24", "dev", "e-up"])
    wait_for(lambda: FAR in kernel_routes(), 10, f"{FAR} in the kernel once its next hop is connected")
    check("via 198.19.99.9" in kernel_routes()[FAR], kernel_routes()[FAR])
    n = next_hop_state(moat, "198.19.99.9")
    check(n["reachable"] and n["interface"] == "e-up", f"show bgp nexthop: {n}")
    run(["ip", "addr", "del", "198.19.99.1/24", "dev", "e-up"])
    wait_for(lambda: FAR not in kernel_routes(), 10, f"{FAR} out of the kernel with its next hop gone")
    wait_for(lambda: moat_paths(moat, FAR)[0]["unusable"], 10, f"{FAR} unusable again")
    # Nothing else is lost.
    check(moat.alive() and moat.state("198.19.1.2").lower() == "established", "moatd or its session went down")
    check(PREFIX in kernel_routes(), f"{PREFIX} left the kernel")


def test_recursive_next_hop(moat, bird):
    # iBGP next hop 10.20.30.40: unusable until a kernel route covers it,
    # then installed through that route's gateway (Linux does not resolve
    # recursively); the static route gone, the path is unusable again.
    moat.wait_established("198.19.1.3")
    wait_for(lambda: moat_paths(moat, IBGP), 15, f"{IBGP} in moatd's RIB")
    check(moat_paths(moat, IBGP)[0]["unusable"], f"{IBGP} usable with no route to its next hop")
    run(["ip", "route", "add", "10.20.30.0/24", "via", "198.19.1.2", "proto", "static"])
    wait_for(lambda: IBGP in kernel_routes(), 10, f"{IBGP} in the kernel through the static route")
    check("via 198.19.1.2 dev e-up" in kernel_routes()[IBGP], kernel_routes()[IBGP])
    n = next_hop_state(moat, "10.20.30.40")
    check(n and n["check"] == "recursive" and n["reachable"] and n["gateway"] == "198.19.1.2" and
          n["via"] == "10.20.30.0/24 via 198.19.1.2", f"show bgp nexthop: {n}")
    run(["ip", "route", "del", "10.20.30.0/24", "via", "198.19.1.2", "proto", "static"])
    wait_for(lambda: IBGP not in kernel_routes(), 10, f"{IBGP} out of the kernel with the static route gone")
    wait_for(lambda: moat_paths(moat, IBGP)[0]["unusable"], 10, f"{IBGP} unusable again")


def kernel_route(prefix):
    out = json.loads(run(["ip", "-j", "route", "show", prefix, "table", "main", "proto", PROTO]).stdout or "[]")
    return out[0] if out else None


def gateways(route):
    if not route:
        return []
    if "nexthops" in route:
        return sorted(n["gateway"] for n in route["nexthops"])
    return [route["gateway"]]


def test_multipath(moat, bird):
    # Two equal eBGP paths (same AS, same length) from two next hops: with
    # maximum-paths 2 one kernel route with both; one path gone, one next hop.
    configure(moat, "router bgp 65000", "maximum-paths 2")
    bird.cmd("enable", "up2")
    moat.wait_established("198.19.1.5")
    wait_for(lambda: gateways(kernel_route(PREFIX)) == ["198.19.1.2", "198.19.1.5"], 15,
             f"{PREFIX} in the kernel with both next hops")
    r = fib_route(moat, PREFIX)
    check(sorted(r["gateways"]) == ["198.19.1.2", "198.19.1.5"], f"show fib: {r}")
    check(ping(3).returncode == 0, "ping over the multipath route failed")
    bird.cmd("disable", "up2")
    wait_for(lambda: gateways(kernel_route(PREFIX)) == ["198.19.1.2"], 15, f"{PREFIX} back to one next hop")
    configure(moat, "router bgp 65000", "no maximum-paths")
    check("maximum-paths" not in moat.ctl("show", "running-config"), "maximum-paths still configured")


def test_refused_without_privilege(lab, bird):
    """moatd without CAP_NET_ADMIN: every request is refused (EPERM), counted
    and shown; the session and the RIB are unaffected."""
    m = Moatd(lab, "moatd3", moatd_config())
    m.proc = lab.start(["setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin", "--",
                        os.path.join(BUILD, "bgpd", "moatd"), "-f", m.conf, "--socket", m.sock, "--log-level", "debug"],
                       "moatd3.log")
    m.proc.check_exit = True
    wait_for(lambda: os.path.exists(m.sock) or m.proc.poll() is not None, 10, "moatd3 socket")
    m.wait_established("198.19.1.2")
    wait_for(lambda: fib(m)["refused_by_error"].get("EPERM", 0) >= 1, 15, "EPERM counted")
    r = fib_route(m, PREFIX)
    check(r and not r["in_kernel"] and r["errno"] == "EPERM", f"show fib: {r}")
    check(PREFIX not in kernel_routes(), f"{PREFIX} in the kernel without the privilege")
    check(moat_paths(m, PREFIX)[0]["best"], "the route is not best in the RIB")
    check("!" in m.ctl("show", "fib", PREFIX), "show fib PREFIX does not mark the refusal")
    lab.stop(m.proc)
    check(m.proc.returncode == 0, f"moatd3 exit {m.proc.returncode}")


def test_withdrawal(moat, bird):
    bird.cmd("disable", "announced")
    wait_for(lambda: PREFIX not in kernel_routes(), 10, f"{PREFIX} removed from the kernel")
    p = ping(2)
    check(p.returncode != 0, "ping still answered without the route")
    check(fib_route(moat, PREFIX) is None, "show fib still lists the withdrawn route")
    bird.cmd("enable", "announced")
    wait_for(lambda: PREFIX in kernel_routes(), 10, f"{PREFIX} back in the kernel")


def test_restart_takes_over(lab, moat, bird):
    os.kill(moat.proc.pid, signal.SIGKILL)
    moat.proc.wait()
    check(PREFIX in kernel_routes(), "the route left the kernel with moatd killed")
    check(ping(2).returncode == 0, "forwarding stopped with moatd killed")
    run(["ip", "route", "add", LEFTOVER, "via", "198.19.1.2", "proto", PROTO, "metric", "20"])
    again = Moatd(lab, "moatd2", moatd_config(["fib stale-time 2"])).start()
    again.wait_established("198.19.1.2")
    wait_for(lambda: fib(again)["stale_removed"] >= 1, 15, "the left-over route removed")
    f = fib(again)
    check(f["stale_found"] >= 2, f"left-over routes found at start: {f['stale_found']}")
    check(LEFTOVER not in kernel_routes(), f"{LEFTOVER} is still in the kernel")
    wait_for(lambda: (fib_route(again, PREFIX) or {}).get("in_kernel"), 10, f"{PREFIX} taken over")
    check(PREFIX in kernel_routes(), f"{PREFIX} was removed although selected again")
    return again


def configure(moat, *lines):
    r = subprocess.run([os.path.join(BUILD, "cli", "moatctl"), "-s", moat.sock],
                       input="enable\nconfigure terminal\n" + "".join(f"{x}\n" for x in lines) + "end\n",
                       capture_output=True, text=True, timeout=20)
    check(r.returncode == 0 and "%" not in r.stdout, f"{lines}: {r.stdout}{r.stderr}")


def test_no_fib_and_stop(lab, moat):
    configure(moat, "no fib")
    wait_for(lambda: PREFIX not in kernel_routes(), 10, "Moat's routes removed by `no fib`")
    check(not fib(moat)["enabled"], "show fib says on after `no fib`")
    check("fib" not in moat.ctl("show", "running-config").split("\n"), "`fib` still in the running config")
    configure(moat, "fib", "fib metric 30")
    wait_for(lambda: PREFIX in kernel_routes(), 10, "the route back with `fib`")
    check("metric 30" in kernel_routes()[PREFIX], f"metric: {kernel_routes()[PREFIX]}")
    lab.stop(moat.proc)
    check(moat.proc.returncode == 0, f"moatd exit {moat.proc.returncode}")
    check(not kernel_routes(), f"Moat's routes left after SIGTERM: {kernel_routes()}")


def main():
    in_namespace_or_reexec()
    suite = Suite("fib")
    lab = Lab("fib")
    try:
        build_topology()
        bird = UpstreamBird(lab, "bird", bird_config()).start()
        moat = Moatd(lab, "moatd", moatd_config()).start()
        ok = suite.case("a BIRD route in the kernel with protocol 196, and a ping forwarded by it",
                        test_installed_and_forwarding, moat, bird)
        if ok:
            suite.case("a next hop on no connected network: path kept as x, installed once the network appears",
                       test_unreachable_next_hop, moat, bird)
            suite.case("an iBGP next hop resolved through a static kernel route, installed via its gateway",
                       test_recursive_next_hop, moat, bird)
            suite.case("maximum-paths 2: two equal paths as one multipath kernel route, and back to one",
                       test_multipath, moat, bird)
            suite.case("a withdrawal removes the kernel route; the announcement puts it back",
                       test_withdrawal, moat, bird)
            holder = {}

            def restart():
                holder["moat"] = test_restart_takes_over(lab, moat, bird)
            if suite.case("kill -9 keeps the routes; a restart takes them over and removes a left-over one", restart):
                suite.case("`no fib` removes Moat's routes, `fib` puts them back, SIGTERM removes them",
                           test_no_fib_and_stop, lab, holder["moat"])
                suite.case("without CAP_NET_ADMIN every request is refused (EPERM), counted and shown",
                           test_refused_without_privilege, lab, bird)
    except Failure as e:
        print(f"FAIL fib: setup: {e}")
        suite.failed += 1
    finally:
        if suite.failed:
            lab.dump_logs()
        lab.close(keep=bool(suite.failed))
        remove_topology()
    suite.finish()


if __name__ == "__main__":
    main()
