"""Test harness for Moat's interop tests: real daemons on loopback.

Each test script runs inside its own network namespace (the CTest command
wraps it in `unshare --net`), so every daemon can bind port 179 on its own
127.0.0.x or fd00::x address and nothing leaves the machine. The harness
starts moatd, BIRD 2, GoBGP, FRR bgpd and the project's raw test peer with
their own config, socket and pid files in a temporary directory, and ends
each of them by the PID it started.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# The tests route documentation and benchmarking prefixes between private
# ASNs, which moatd's eBGP default filters (martians, bogon ASNs) reject: a
# test's moatd config says so with these lines, right after `router bgp`.
TEST_ADDRESSING = [" no bgp reject martians", " no bgp reject bogon-asns"]

BUILD = os.environ.get("MOAT_BUILD", os.path.join(os.path.dirname(__file__), "..", "..", "build"))


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def wait_for(fn, timeout, what, interval=0.2):
    """Polls fn() until it returns a true value; returns that value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except (Failure, subprocess.CalledProcessError, json.JSONDecodeError, KeyError) as e:
            last = e
            last_val = None
        else:
            last_val = last
            if last_val:
                return last_val
        time.sleep(interval)
    raise Failure(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def run(argv, check_rc=True, timeout=20, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if check_rc and r.returncode != 0:
        raise Failure(f"{' '.join(argv)} exited {r.returncode}: {r.stdout}{r.stderr}")
    return r


def setup_namespace():
    """Brings up lo in the (fresh) namespace and adds the test addresses:
    198.18.0.1-59 and fd00::1-39 (BIRD and GoBGP need one address pair per
    session, and FRR and GoBGP treat 127/8 next hops as martian)."""
    run(["ip", "link", "set", "lo", "up"])
    for i in range(1, 40):
        run(["ip", "-6", "addr", "add", f"fd00::{i:x}/128", "dev", "lo", "nodad"])
    for i in range(1, 60):
        run(["ip", "addr", "add", f"198.18.0.{i}/32", "dev", "lo"])


class Lab:
    """Owns a temp dir and every process a test starts; ends them by PID."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"moat-{name}-")
        os.chmod(self.dir, 0o755)
        self.procs = []
        self.bad_exits = []  # (log name, exit code) of daemons that did not stop cleanly

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, text, mode=0o644, owner=None):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        if owner:
            shutil.chown(p, owner, owner)
        return p

    def start(self, argv, logname, **kw):
        log = open(self.path(logname), "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kw)
        p.logname = logname
        self.procs.append(p)
        return p

    def log(self, logname):
        try:
            with open(self.path(logname)) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self, p, sig=signal.SIGTERM, timeout=5):
        """Ends p by its PID. A process marked check_exit (moatd) must then exit
        0: a crash, a hang past the timeout or a sanitizer's report at shutdown
        (LeakSanitizer exits 23) fails the test run in close()."""
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                if getattr(p, "check_exit", False):
                    self.bad_exits.append((p.logname, f"none within {timeout} s"))
                return
            if getattr(p, "check_exit", False) and sig == signal.SIGTERM and p.returncode != 0:
                self.bad_exits.append((p.logname, p.returncode))

    def close(self, keep=False):
        for p in reversed(self.procs):
            self.stop(p)
        for name, rc in self.bad_exits:
            print(f"FAIL {self.name}: {name.removesuffix('.log')} did not stop cleanly on SIGTERM: exit {rc}",
                  flush=True)
            print(self.log(name)[-4000:], flush=True)
        if keep or self.bad_exits:
            print(f"# logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if self.bad_exits:
            sys.exit(1)

    def dump_logs(self):
        for p in self.procs:
            print(f"----- {p.logname} -----")
            print(self.log(p.logname)[-4000:])


class Moatd:
    def __init__(self, lab, name, config):
        self.lab = lab
        self.name = name
        self.sock = lab.path(f"{name}.sock")
        self.conf = lab.write(f"{name}.conf", config)
        self.proc = None

    def start(self):
        self.proc = self.lab.start(
            [os.path.join(BUILD, "bgpd", "moatd"), "-f", self.conf, "--socket", self.sock,
             "--log-level", "debug"], f"{self.name}.log")
        self.proc.check_exit = True
        wait_for(lambda: os.path.exists(self.sock) or self.proc.poll() is not None, 10, f"{self.name} socket")
        check(self.proc.poll() is None, f"{self.name} exited early:\n{self.lab.log(self.name + '.log')}")
        return self

    def ctl(self, *words, check_rc=True):
        r = run([os.path.join(BUILD, "cli", "moatctl"), "-s", self.sock, *words], check_rc=check_rc)
        return r.stdout if check_rc else r

    def json(self, *words):
        return json.loads(self.ctl(*words, "json"))

    def neighbor(self, addr):
        doc = self.json("show", "bgp", "neighbors", addr)
        if isinstance(doc, dict) and "neighbors" in doc:
            doc = doc["neighbors"]
        if isinstance(doc, list):
            for n in doc:
                if n.get("address") == addr:
                    return n
            raise Failure(f"{addr} not in show bgp neighbors")
        return doc

    def state(self, addr):
        return self.neighbor(addr).get("state", "")

    def wait_established(self, addr, timeout=30):
        wait_for(lambda: self.state(addr).lower() == "established", timeout, f"{self.name}: {addr} Established")

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        return self.lab.log(f"{self.name}.log")


class Bird:
    """BIRD 2, run in the foreground with its own control socket."""

    def __init__(self, lab, name, config):
        self.lab = lab
        self.name = name
        self.sock = lab.path(f"{name}.ctl")
        self.conf = lab.write(f"{name}.conf", config)
        self.proc = None

    def start(self):
        self.proc = self.lab.start(["bird", "-c", self.conf, "-s", self.sock, "-P", self.lab.path(f"{self.name}.pid"),
                                    "-f"], f"{self.name}.log")
        wait_for(lambda: os.path.exists(self.sock) or self.proc.poll() is not None, 10, f"{self.name} socket")
        check(self.proc.poll() is None, f"bird exited early:\n{self.lab.log(self.name + '.log')}")
        return self

    def cmd(self, *words):
        return run(["birdc", "-s", self.sock, *words]).stdout

    def protocol(self, proto):
        return self.cmd("show", "protocols", "all", proto)

    def established(self, proto):
        return "Established" in self.protocol(proto)

    def routes(self, *extra):
        """Returns {prefix: text block} of `show route all`."""
        out = self.cmd("show", "route", "all", *extra)
        routes, cur = {}, None
        for line in out.splitlines():
            if line and not line[0].isspace() and "/" in line.split()[0]:
                cur = line.split()[0]
                routes.setdefault(cur, "")
            if cur:
                routes[cur] += line + "\n"
        return routes


class GoBgp:
    def __init__(self, lab, name, config_toml, api_host):
        self.lab = lab
        self.name = name
        self.api = api_host
        self.conf = lab.write(f"{name}.toml", config_toml)
        self.proc = None

    def start(self):
        self.proc = self.lab.start(["gobgpd", "-f", self.conf, "--api-hosts", f"{self.api}:50051", "-p",
                                    "-l", "debug"], f"{self.name}.log")
        wait_for(lambda: run(["gobgp", "-u", self.api, "-p", "50051", "global"], check_rc=False).returncode == 0,
                 15, "gobgpd API")
        return self

    def cli(self, *words):
        return run(["gobgp", "-u", self.api, "-p", "50051", *words]).stdout

    def neighbor(self, addr):
        return json.loads(self.cli("neighbor", addr, "-j"))

    def established(self, addr):
        n = self.neighbor(addr)
        return n.get("state", {}).get("session_state") == 6

    def rib(self, family="ipv4"):
        """Returns {prefix: [path dicts]} of the global RIB."""
        doc = json.loads(self.cli("global", "rib", "-a", family, "-j") or "{}")
        return doc


class Frr:
    """FRR bgpd without zebra, as user frr, with its own vty socket dir."""

    def __init__(self, lab, name, config, listen):
        self.lab = lab
        self.name = name
        self.listen = [listen] if isinstance(listen, str) else list(listen)
        self.vty = lab.path(f"{name}-vty")
        os.makedirs(self.vty, exist_ok=True)
        shutil.chown(self.vty, "frr", "frr")
        self.conf = lab.write(f"{name}.conf", config, mode=0o640, owner="frr")
        self.proc = None

    def start(self):
        logf = self.lab.path(f"{self.name}.bgpd.log")
        open(logf, "w").close()
        shutil.chown(logf, "frr", "frr")
        self.proc = self.lab.start(
            ["/usr/lib/frr/bgpd", "-f", self.conf, "-u", "frr", "-g", "frr", "--vty_socket", self.vty,
             "-i", os.path.join(self.vty, "bgpd.pid"), "-Z", "-n",
             *[x for a in self.listen for x in ("-l", a)],
             "--log", f"file:{logf}", "-A", "127.0.0.1", "-P", "0"], f"{self.name}.log")
        wait_for(lambda: os.path.exists(os.path.join(self.vty, "bgpd.vty")) or self.proc.poll() is not None,
                 15, "frr vty socket")
        check(self.proc.poll() is None, f"frr bgpd exited early:\n{self.lab.log(self.name + '.log')}")
        return self

    def vtysh(self, command):
        return run(["vtysh", "--vty_socket", self.vty, "-d", "bgpd", "-c", command]).stdout

    def json(self, command):
        return json.loads(self.vtysh(command + " json"))

    def bgp_log(self):
        return self.lab.log(f"{self.name}.bgpd.log")


class TestPeer:
    """The project's raw BGP peer (tests/tools/moat-testpeer)."""

    def __init__(self, lab, name):
        self.lab = lab
        self.name = name

    def argv(self, *args):
        return [os.path.join(BUILD, "tests", "tools", "moat-testpeer"), *args]

    def start(self, *args):
        """Starts the peer in the background; finish() collects its events."""
        return subprocess.Popen(self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    @staticmethod
    def finish(proc, timeout=60):
        out, err = proc.communicate(timeout=timeout)
        return [json.loads(ln) for ln in out.splitlines() if ln.strip().startswith("{")], err

    def run(self, *args, timeout=60):
        return self.finish(self.start(*args), timeout)


class Suite:
    """Runs named test functions in order; prints a line per test and a closing count."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def case(self, title, fn, *args):
        t0 = time.monotonic()
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 - a test failure of any kind is reported
            self.failed += 1
            print(f"FAIL {self.name}: {title}: {e} ({time.monotonic() - t0:.1f}s)", flush=True)
            return False
        self.passed += 1
        print(f"ok   {self.name}: {title} ({time.monotonic() - t0:.1f}s)", flush=True)
        return True

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def in_namespace_or_reexec():
    """Re-runs the calling script in a new network namespace unless already in one."""
    if os.environ.get("MOAT_NETNS") == "1":
        return
    if os.geteuid() != 0:
        print("interop tests need root (network namespaces, FRR's user switch)")
        sys.exit(1)
    env = dict(os.environ, MOAT_NETNS="1")
    os.execvpe("unshare", ["unshare", "--net", sys.executable, *sys.argv], env)
