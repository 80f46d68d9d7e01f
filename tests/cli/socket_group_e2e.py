#!/usr/bin/env python3
"""`control socket group` and `moatd --socket-group` with a real group.

usage: socket_group_e2e.py MOATD MOATCTL      (as root; exit 77 = skipped)

Creates a group (groupadd), starts moatd with `control socket group NAME`,
and checks: the socket is mode 0660 with that group; user nobody in the
group runs moatctl, nobody without it is refused; `--socket-group` does the
same from the command line; a group that does not exist is refused with a
clear error (file:line:column in the file, a message for the flag, a refused
reload that leaves the daemon running). Removes the group at the end.
"""
import grp
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time


def main():
    moatd, moatctl = sys.argv[1], sys.argv[2]
    if os.geteuid() != 0 or not shutil.which("groupadd") or not shutil.which("setpriv"):
        print("skipped: needs root, groupadd and setpriv")
        sys.exit(77)
    group = f"moatctl{os.getpid() % 1000000}"
    tmp = tempfile.mkdtemp(prefix="moat-group-e2e-")
    os.chmod(tmp, 0o755)  # nobody must reach the socket
    failures, procs = [], []
    group_added = False

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL:", what, file=sys.stderr)

    def write(name, text):
        with open(f"{tmp}/{name}", "w") as f:
            f.write(text)
        return f"{tmp}/{name}"

    def start(name, conf, *extra):
        log = open(f"{tmp}/{name}.log", "w")
        p = subprocess.Popen([moatd, "-f", conf, *extra], stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        return p

    def wait_socket(path, p):
        deadline = time.time() + 10
        while time.time() < deadline and p.poll() is None:
            if os.path.exists(path):
                return True
            time.sleep(0.1)
        return False

    def as_nobody(sock, with_group, *words):
        groups = ["--groups", str(grp.getgrnam(group).gr_gid)] if with_group else ["--clear-groups"]
        return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", *groups, moatctl, "-s", sock, *words],
                              capture_output=True, text=True, timeout=10)

    def conf(sock, group_line):
        return (f"hostname g\ncontrol socket {sock}\n{group_line}router bgp 65000\n bgp router-id 10.0.0.1\n"
                " no bgp listen\n!\n")

    try:
        subprocess.run(["groupadd", group], check=True, capture_output=True)
        group_added = True
        gid = grp.getgrnam(group).gr_gid

        # from the config file
        sock = f"{tmp}/a.sock"
        conf_a = write("a.conf", conf(sock, f"control socket group {group}\n"))
        a = start("a", conf_a)
        check(wait_socket(sock, a), "moatd a made its socket")
        st = os.stat(sock)
        check(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660, f"mode 0660 ({oct(st.st_mode)})")
        check(st.st_gid == gid, f"socket group {group} ({st.st_gid} != {gid})")
        r = as_nobody(sock, True, "show", "version")
        check(r.returncode == 0 and r.stdout.startswith("Moat "), f"nobody in the group runs moatctl ({r})")
        r = as_nobody(sock, False, "show", "version")
        check(r.returncode != 0 and "Permission denied" in r.stderr, f"nobody outside the group is refused ({r})")
        r = subprocess.run([moatctl, "-s", sock, "show", "running-config"], capture_output=True, text=True)
        check(f"control socket group {group}\n" in r.stdout, f"running-config shows the group ({r.stdout!r})")

        # a reload naming a missing group is refused; the daemon runs on
        write("a.conf", conf(sock, "control socket group no-such-group-moat\n"))
        r = subprocess.run([moatctl, "-s", sock, "reload"], capture_output=True, text=True)
        check(r.returncode != 0 and f"{conf_a}:3:22: error: Group 'no-such-group-moat' does not exist" in r.stderr,
              f"reload refused ({r.returncode}, {r.stderr!r})")
        check(a.poll() is None and as_nobody(sock, True, "show", "version").returncode == 0, "a keeps running")

        # from the command line
        sock_b = f"{tmp}/b.sock"
        b = start("b", write("b.conf", conf(sock_b, "")), "--socket-group", group)
        check(wait_socket(sock_b, b), "moatd b made its socket")
        st = os.stat(sock_b)
        check(st.st_gid == gid and stat.S_IMODE(st.st_mode) == 0o660, f"--socket-group: group and mode ({st})")
        check(as_nobody(sock_b, True, "show", "version").returncode == 0, "--socket-group: a member gets in")

        # a group that does not exist: refused at start, nothing left behind
        bad = write("c.conf", conf(f"{tmp}/c.sock", "control socket group no-such-group-moat\n"))
        r = subprocess.run([moatd, "-f", bad], capture_output=True, text=True, timeout=10)
        check(r.returncode == 1 and f"{bad}:3:22: error: Group 'no-such-group-moat' does not exist" in r.stderr,
              f"missing group in the file ({r.returncode}, {r.stderr!r})")
        r = subprocess.run([moatd, "-f", write("d.conf", conf(f"{tmp}/d.sock", "")), "--socket-group",
                            "no-such-group-moat"], capture_output=True, text=True, timeout=10)
        check(r.returncode == 1 and "control socket group 'no-such-group-moat' does not exist" in r.stderr,
              f"missing group on the command line ({r.returncode}, {r.stderr!r})")
        check(not os.path.exists(f"{tmp}/c.sock") and not os.path.exists(f"{tmp}/d.sock"), "no socket left behind")
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        if group_added:
            subprocess.run(["groupdel", group], capture_output=True)
        if failures:
            for name in ("a", "b"):
                if os.path.exists(f"{tmp}/{name}.log"):
                    sys.stderr.write(f"--- {name}.log\n" + open(f"{tmp}/{name}.log").read())
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
