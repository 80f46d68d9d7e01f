#!/usr/bin/env python3
"""Reload without reset, `write`, SIGHUP and the interactive moatctl shell,
against two moatd processes peering over loopback.

usage: reload_e2e.py MOATD MOATCTL

Daemon A (127.0.0.61, AS 65001) peers with B (127.0.0.62, AS 65002). Checks:
  - `reload` of a file where B's description changed and a neighbor was
    added: the A-B session is not reset (same state_since, one transition);
  - a broken file is refused with file:line:column and nothing changes;
  - `write` saves a file that loads back equal (show running-config);
  - SIGHUP re-reads the file;
  - the shell under tmux (own socket): TAB completion, `?` help, history,
    `enable`, the caret under a wrong word, `configure terminal` adding a
    neighbor that the daemon then has, `do show ...` inside it.
"""
import json
import os
import shutil
import signal
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
    tmp = tempfile.mkdtemp(prefix="moat-reload-e2e-")
    pa, pb = free_port("127.0.0.61"), free_port("127.0.0.62")
    conf_a = f"""hostname a
control socket {tmp}/a.sock
router bgp 65001
 bgp router-id 10.0.0.1
 no bgp ebgp-requires-policy
 bgp listen address 127.0.0.61
 bgp listen port {pa}
 neighbor 127.0.0.62 remote-as 65002
 neighbor 127.0.0.62 port {pb}
 neighbor 127.0.0.62 update-source 127.0.0.61
 neighbor 127.0.0.62 description "peer B"
 neighbor 127.0.0.62 timers 3 9
 neighbor 127.0.0.62 timers connect 1
!
"""
    conf_b = f"""hostname b
control socket {tmp}/b.sock
router bgp 65002
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 bgp listen address 127.0.0.62
 bgp listen port {pb}
 neighbor 127.0.0.61 remote-as 65001
 neighbor 127.0.0.61 port {pa}
 neighbor 127.0.0.61 update-source 127.0.0.62
 neighbor 127.0.0.61 timers 3 9
 neighbor 127.0.0.61 timers connect 1
!
"""
    procs = []
    failures = []
    tmux_socket = f"moat-e2e-{os.getpid()}"
    tmux_started = False

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL:", what, file=sys.stderr)

    def ctl(name, *args):
        r = subprocess.run([moatctl, "-s", f"{tmp}/{name}.sock", *args], capture_output=True, text=True, timeout=10)
        return r.returncode, r.stdout, r.stderr

    def neighbor(name, addr):
        rc, out, _ = ctl(name, "show", "bgp", "neighbors", "json")
        if rc != 0:
            return None
        for n in json.loads(out)["neighbors"]:
            if n["address"] == addr:
                return n
        return None

    def wait_for(pred, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = pred()
            if v:
                return v
            time.sleep(0.2)
        return None

    try:
        path_a = f"{tmp}/a.conf"
        for name, text in (("a", conf_a), ("b", conf_b)):
            with open(f"{tmp}/{name}.conf", "w") as f:
                f.write(text)
            log = open(f"{tmp}/{name}.log", "w")
            procs.append(subprocess.Popen([moatd, "-f", f"{tmp}/{name}.conf"], stdout=log, stderr=subprocess.STDOUT))

        up = wait_for(lambda: (n := neighbor("a", "127.0.0.62")) and n["state"] == "established" and n)
        check(up, "A-B session established")
        if not up:
            return
        since = up["state_since"]

        # reload: description changed, a neighbor added: no reset of A-B
        time.sleep(1.1)  # state_since has a resolution of a second
        with open(path_a, "w") as f:
            f.write(conf_a.replace('"peer B"', '"peer B, renamed"').replace(
                "!\n", " neighbor 127.0.0.63 remote-as 65003\n neighbor 127.0.0.63 passive\n!\n").replace(
                " bgp listen port", " network 203.0.113.0/24\n bgp listen port"))
        rc, out, err = ctl("a", "reload")
        check(rc == 0, f"reload exit 0 ({rc}, {err})")
        n = neighbor("a", "127.0.0.62")
        check(n and n["description"] == "peer B, renamed", f"description updated ({n and n['description']})")
        check(n and n["state"] == "established" and n["state_since"] == since and n["established_transitions"] == 1,
              f"A-B session kept ({n})")
        check(neighbor("a", "127.0.0.63") is not None, "neighbor 127.0.0.63 added")
        b_side = neighbor("b", "127.0.0.61")
        check(b_side and b_side["last_notification_received"] is None, f"B got no NOTIFICATION ({b_side})")
        if b_side and "multiprotocol:ipv4-unicast" in b_side["capabilities"]["negotiated"]:
            got = wait_for(lambda: (n := neighbor("b", "127.0.0.61")) and n["prefixes"]["received_ipv4"] == 1 and n, 5)
            check(got and got["established_transitions"] == 1, f"the new network reached B over the same session ({got})")
        else:
            print("note: IPv4 unicast not negotiated between A and B; network propagation not checked", file=sys.stderr)

        # a broken file is refused as a whole, with file:line:column
        with open(path_a) as f:
            good = f.read()
        broken = (good.replace(" neighbor 127.0.0.63 passive\n", " neighbor 127.0.0.63 passive\n neighbor 127.0.0.64 remote-as x\n")
                  .replace("peer B, renamed", "should not appear"))
        with open(path_a, "w") as f:
            f.write(broken)
        lineno = broken.splitlines().index(" neighbor 127.0.0.64 remote-as x") + 1
        rc, out, err = ctl("a", "reload")
        check(rc == 1 and f"{path_a}:{lineno}:32: error: Invalid AS number" in err, f"broken file refused ({rc}, {err!r})")
        rc, out, _ = ctl("a", "show", "running-config")
        check("should not appear" not in out and "127.0.0.64" not in out, "nothing changed after the refusal")

        # write: the running config saved, loads back equal
        os.chmod(path_a, 0o640)
        rc, out, err = ctl("a", "write")
        check(rc == 0, f"write exit 0 ({rc}, {err})")
        with open(path_a) as f:
            written = f.read()
        rc, running, _ = ctl("a", "show", "running-config")
        check(written == running, "the file is the running config")
        check((os.stat(path_a).st_mode & 0o777) == 0o640, "write keeps the file's mode")
        r = subprocess.run([moatd, "-f", path_a, "--check"], capture_output=True, text=True)
        check(r.returncode == 0, f"written file loads ({r.stderr})")
        check(not [x for x in os.listdir(tmp) if x.startswith("a.conf.")], "no temporary file left")

        # SIGHUP: neighbor 127.0.0.63 removed again, B's session kept
        with open(path_a, "w") as f:
            f.write(conf_a)
        procs[0].send_signal(signal.SIGHUP)
        gone = wait_for(lambda: neighbor("a", "127.0.0.63") is None and neighbor("a", "127.0.0.62"), 5)
        check(gone and gone["description"] == "peer B", "SIGHUP applied the file")
        check(gone and gone["state_since"] == since, "SIGHUP kept the A-B session")

        # the interactive shell, under tmux
        if shutil.which("tmux") is None:
            check(False, "tmux is not installed")
            return
        home = f"{tmp}/home"
        os.mkdir(home)
        env_cmd = f"env HOME={home} TERM=xterm {moatctl} -s {tmp}/a.sock"

        def tmux(*args):
            return subprocess.run(["tmux", "-L", tmux_socket, *args], capture_output=True, text=True, timeout=10)

        def screen():
            return tmux("capture-pane", "-p", "-t", "sh").stdout

        def wait_screen(text, timeout=5):
            return wait_for(lambda: text in screen(), timeout)

        def last_line():
            lines = screen().rstrip().splitlines()
            return lines[-1] if lines else ""

        def type_keys(text, *keys):
            tmux("send-keys", "-t", "sh", "-l", text)  # literal: "end" is not the End key
            if keys:
                tmux("send-keys", "-t", "sh", *keys)

        tmux("new-session", "-d", "-s", "sh", "-x", "150", "-y", "50", env_cmd)
        tmux_started = True
        check(wait_for(lambda: last_line() == "a>"), f"view prompt a> ({screen()!r})")
        type_keys("sh", "Tab")
        check(wait_for(lambda: last_line() == "a> show"), f"TAB completes sh to show ({screen()!r})")
        type_keys("bgp ", "?")
        check(wait_screen("summary") and "neighbors" in screen() and "Summary of BGP neighbor status" in screen(),
              f"? lists the next words with help ({screen()!r})")
        type_keys("sum", "Enter")
        check(wait_screen("BGP router identifier 10.0.0.1"), "sh bgp sum runs")
        type_keys("clear", "Enter")
        type_keys("clear bgp neighbor 127.0.0.62", "Enter")
        check(wait_screen("use 'enable' first"), "clear needs enable")
        type_keys("enable", "Enter")
        check(wait_for(lambda: last_line() == "a#"), "enable: prompt a#")
        type_keys("show bgp sumary", "Enter")
        check(wait_screen("% Unknown command at 'sumary'"), "error for a wrong word")
        lines = screen().splitlines()
        idx = [i for i, l in enumerate(lines) if l.startswith("a# show bgp sumary")]
        caret_ok = idx and idx[-1] + 1 < len(lines) and lines[idx[-1] + 1] == " " * len("a# show bgp ") + "^"
        check(caret_ok, f"caret under the wrong word ({lines})")
        tmux("send-keys", "-t", "sh", "Up")
        check(wait_for(lambda: last_line() == "a# show bgp sumary", 5),
              f"up arrow recalls the last line ({screen()!r})")
        tmux("send-keys", "-t", "sh", "C-u")
        type_keys("configure terminal", "Enter")
        check(wait_for(lambda: last_line() == "a(config)#"), "configure terminal: a(config)#")
        type_keys("router bgp 65001", "Enter")
        check(wait_for(lambda: last_line() == "a(config-router)#"), "router bgp: a(config-router)#")
        type_keys("neighbor 127.0.0.65 remote-as 65005", "Enter")
        type_keys("neighbor 127.0.0.65 timers 5 4", "Enter")
        check(wait_screen("Keepalive time (5) must be less than the hold time (4)"), "config errors are checked")
        type_keys("neighbor 127.0.0.65 description added by the shell", "Enter")
        check(neighbor("a", "127.0.0.65") is None, "nothing applied before end")
        # `do` runs an exec command without leaving configuration mode,
        # completed like the exec node
        tmux("send-keys", "-t", "sh", "C-l")
        type_keys("do sh", "Tab")
        check(wait_for(lambda: last_line() == "a(config-router)# do show"), f"TAB after do ({screen()!r})")
        type_keys("bgp ", "?")
        check(wait_screen("Summary of BGP neighbor status"), f"? after do lists exec words ({screen()!r})")
        type_keys("sum", "Enter")
        check(wait_screen("BGP router identifier 10.0.0.1"), f"do show bgp summary runs ({screen()!r})")
        check(wait_for(lambda: last_line() == "a(config-router)#"), f"still in config-router ({screen()!r})")
        check("127.0.0.65" not in screen(), "do shows the running state, not the candidate")
        type_keys("end", "Enter")
        check(wait_for(lambda: last_line() == "a#", 5), f"end: back to a# ({screen()!r})")
        n = wait_for(lambda: neighbor("a", "127.0.0.65"), 5)
        check(n and n["remote_as"] == 65005 and n["description"] == "added by the shell",
              f"the daemon has the neighbor added in configure mode ({n})")
        n = neighbor("a", "127.0.0.62")
        check(n and n["state_since"] == since, "configure mode kept the A-B session")
        # `no` forms, bare and with the value running-config shows: the
        # neighbor removed, B's description dropped in place, A-B kept
        type_keys("configure terminal", "Enter")
        type_keys("router bgp 65001", "Enter")
        type_keys("no neighbor 127.0.0.65 remote-as 65005", "Enter")
        type_keys('no neighbor 127.0.0.62 description "peer B"', "Enter")
        type_keys("end", "Enter")
        check(wait_for(lambda: neighbor("a", "127.0.0.65") is None, 5), f"no neighbor removed it ({screen()!r})")
        n = neighbor("a", "127.0.0.62")
        check(n and n["description"] == "" and n["state_since"] == since and n["established_transitions"] == 1,
              f"no description applied without a reset ({n})")
        type_keys("exit", "Enter")
        wait_for(lambda: tmux("has-session", "-t", "sh").returncode != 0, 5)
        hist = open(f"{home}/.moatctl_history").read() if os.path.exists(f"{home}/.moatctl_history") else ""
        # libedit encodes blanks in the file (strvis): "configure\\040terminal"
        check("configure" in hist and "sumary" in hist, f"history saved in ~/.moatctl_history ({hist!r})")
    finally:
        if tmux_started:
            subprocess.run(["tmux", "-L", tmux_socket, "kill-server"], capture_output=True)
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
    if failures:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
