#!/usr/bin/env python3
"""moatctl against two real moatd processes peering over loopback.

usage: moatctl_e2e.py MOATD MOATCTL

Starts daemon A (127.0.0.1, AS 65001) and daemon B (127.0.0.2, AS 65002),
waits for the session, then checks through moatctl: the summary text and
JSON, a shutdown with an RFC 9003 message as seen by the other side, show
running-config loading back (moatd --check), and moatctl's exit codes.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    moatd, moatctl = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="moat-cli-e2e-")
    pa, pb = free_port("127.0.0.1"), free_port("127.0.0.2")
    conf = {
        "a": f"""hostname a
control socket {tmp}/a.sock
router bgp 65001
 bgp router-id 10.0.0.1
 no bgp ebgp-requires-policy
 bgp listen address 127.0.0.1
 bgp listen port {pa}
 network 198.51.100.0/24
 neighbor 127.0.0.2 remote-as 65002
 neighbor 127.0.0.2 port {pb}
 neighbor 127.0.0.2 update-source 127.0.0.1
 neighbor 127.0.0.2 description "peer B"
 neighbor 127.0.0.2 timers 3 9
 neighbor 127.0.0.2 timers connect 1
""",
        "b": f"""hostname b
control socket {tmp}/b.sock
router bgp 65002
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 bgp listen address 127.0.0.2
 bgp listen port {pb}
 neighbor 127.0.0.1 remote-as 65001
 neighbor 127.0.0.1 port {pa}
 neighbor 127.0.0.1 update-source 127.0.0.2
 neighbor 127.0.0.1 timers 3 9
 neighbor 127.0.0.1 timers connect 1
""",
    }
    procs = []
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL:", what, file=sys.stderr)

    def ctl(name, *args):
        r = subprocess.run([moatctl, "-s", f"{tmp}/{name}.sock", *args], capture_output=True, text=True, timeout=10)
        return r.returncode, r.stdout, r.stderr

    try:
        for name in ("a", "b"):
            path = f"{tmp}/{name}.conf"
            with open(path, "w") as f:
                f.write(conf[name])
            log = open(f"{tmp}/{name}.log", "w")
            procs.append(subprocess.Popen([moatd, "-f", path], stdout=log, stderr=subprocess.STDOUT))

        deadline = time.time() + 20
        state = None
        while time.time() < deadline:
            rc, out, _ = ctl("a", "show", "bgp", "summary", "json")
            if rc == 0:
                state = json.loads(out)["neighbors"][0]["state"]
                if state == "established":
                    break
            time.sleep(0.3)
        check(state == "established", f"session established (last state {state})")

        rc, out, err = ctl("a", "sh", "b", "sum")
        check(rc == 0, f"summary exit 0 ({rc}, {err})")
        check(out.startswith("BGP router identifier 10.0.0.1, local AS number 65001\n"), "summary header")
        row = [l for l in out.splitlines() if l.startswith("127.0.0.2")]
        check(len(row) == 1 and "65002" in row[0] and row[0].endswith("peer B"), f"summary row {row}")

        rc, out, _ = ctl("b", "show", "bgp", "summary", "json")
        doc = json.loads(out)
        n = doc["neighbors"][0]
        check(doc["local_as"] == 65002 and n["address"] == "127.0.0.1" and n["remote_as"] == 65001, "summary JSON")

        rc, out, err = ctl("a", "neighbor", "127.0.0.2", "shutdown", "maintenance window")
        check(rc == 0 and out == "", f"shutdown exit 0 ({rc}, {err})")
        seen = None
        deadline = time.time() + 10
        while time.time() < deadline:
            rc, out, _ = ctl("b", "show", "bgp", "neighbors", "127.0.0.1", "json")
            note = json.loads(out)["neighbors"][0]["last_notification_received"]
            if note:
                seen = note
                break
            time.sleep(0.2)
        check(seen is not None and seen["code"] == 6 and seen["subcode"] == 2, f"B received Cease 2 ({seen})")
        check(seen is not None and seen["shutdown_message"] == "maintenance window", "shutdown message")

        rc, out, _ = ctl("a", "show", "running-config")
        check(' neighbor 127.0.0.2 shutdown "maintenance window"\n' in out, "running-config shows the shutdown")
        with open(f"{tmp}/running.conf", "w") as f:
            f.write(out)
        r = subprocess.run([moatd, "-f", f"{tmp}/running.conf", "--check"], capture_output=True, text=True)
        check(r.returncode == 0, f"running-config loads back ({r.stderr})")

        rc, out, err = ctl("a", "no", "neighbor", "127.0.0.2", "shutdown")
        check(rc == 0, "no shutdown")
        rc, out, err = ctl("a", "show", "bgp", "nonsense")
        check(rc == 1 and err == "% Unknown command at 'nonsense'\n", f"error exit 1 ({rc}, {err!r})")
        r = subprocess.run([moatctl, "-s", f"{tmp}/none.sock", "show", "version"], capture_output=True, text=True)
        check(r.returncode == 2 and f"{tmp}/none.sock" in r.stderr, "no daemon: exit 2 naming the socket")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
    if failures:
        for name in ("a", "b"):
            with open(f"{tmp}/{name}.log") as f:
                sys.stderr.write(f"--- {name}.log\n" + f.read())
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
