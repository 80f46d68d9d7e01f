#!/usr/bin/env python3
"""Control-socket clients for moatd and BIRD, and a prober that measures how
long a daemon takes to answer while it is busy (an event-loop stall shows as
one slow answer).

  ctlprobe.py --moatd SOCKET [--command "show bgp summary"] [--interval 0.01]
  ctlprobe.py --bird SOCKET [--command "show protocols"] [--interval 0.01]

The prober keeps one connection, sends the command, reads the whole answer,
and sends the next one at the next multiple of --interval (at once when the
answer was late). Each answer prints a line `SENT_MONO_MS LATENCY_MS`
(CLOCK_MONOTONIC, like moat-receiver's timestamps) until SIGTERM.

moatd's protocol is docs/cli-protocol.md (frames `CCCC LENGTH\\n` + payload,
code 1000 = data, anything else ends the reply); BIRD's is line based
(`CCCC-text` continues, `CCCC text` ends a reply, a leading blank continues
the previous line's code).
"""

import argparse
import re
import signal
import socket
import sys
import time


class MoatdControl:
    """One connection to moatd's control socket."""

    def __init__(self, path, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("moatd closed the control connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("moatd closed the control connection")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def request(self, command):
        """Returns (ok, body text)."""
        self.sock.sendall(command.encode() + b"\n")
        body = []
        while True:
            code, length = self._line().split()
            payload = self._read(int(length))
            if code != b"1000":
                if code != b"0000":
                    return False, payload.decode(errors="replace")
                return True, b"".join(body).decode(errors="replace")
            body.append(payload)

    def close(self):
        self.sock.close()


END_LINE = re.compile(rb"^\d{4} ")


class BirdControl:
    """One connection to BIRD's control socket."""

    def __init__(self, path, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self._reply()  # "0001 BIRD x.y.z ready."

    def _reply(self):
        lines = []
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("BIRD closed the control connection")
                self.buf += chunk
            line, _, self.buf = self.buf.partition(b"\n")
            lines.append(line)
            if END_LINE.match(line):
                return lines

    def request(self, command):
        """Returns (ok, body text without the reply codes)."""
        self.sock.sendall(command.encode() + b"\n")
        lines = self._reply()
        ok = not lines[-1][:1] in (b"8", b"9")
        text = "\n".join(ln[5:].decode(errors="replace") if ln[:4].isdigit() else ln[1:].decode(errors="replace")
                         for ln in lines)
        return ok, text

    def close(self):
        self.sock.close()


def probe(client, command, interval, out):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    next_send = time.monotonic()
    while not stop:
        now = time.monotonic()
        if now < next_send:
            time.sleep(next_send - now)
            continue
        t0 = time.monotonic()
        try:
            client.request(command)
        except (OSError, ConnectionError) as e:
            out.write(f"# error {e}\n")
            out.flush()
            return 1
        t1 = time.monotonic()
        out.write(f"{t0 * 1e3:.3f} {(t1 - t0) * 1e3:.3f}\n")
        out.flush()
        # The next tick of the interval grid after this answer.
        next_send += interval * max(1, int((t1 - next_send) / interval) + 1)
    return 0


def read_samples(path, start_ms=None, end_ms=None):
    """(sent_mono_ms, latency_ms) pairs of a probe log, sent within [start_ms, end_ms]."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2 or line.startswith("#"):
                continue
            sent, lat = float(parts[0]), float(parts[1])
            if (start_ms is None or sent >= start_ms) and (end_ms is None or sent <= end_ms):
                out.append((sent, lat))
    return out


def latency_summary(samples):
    """max, 99th percentile (nearest rank) and median of the latencies, in ms."""
    lats = sorted(lat for _, lat in samples)
    if not lats:
        return {}

    def rank(q):
        return lats[min(len(lats) - 1, max(0, int(q * len(lats) + 0.999999) - 1))]

    return {"max_ms": lats[-1], "p99_ms": rank(0.99), "p50_ms": rank(0.5), "samples": len(lats)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    kind = ap.add_mutually_exclusive_group(required=True)
    kind.add_argument("--moatd", metavar="SOCKET")
    kind.add_argument("--bird", metavar="SOCKET")
    ap.add_argument("--command")
    ap.add_argument("--interval", type=float, default=0.01)
    args = ap.parse_args()
    if args.moatd:
        client, command = MoatdControl(args.moatd), args.command or "show bgp summary"
    else:
        client, command = BirdControl(args.bird), args.command or "show protocols"
    sys.exit(probe(client, command, args.interval, sys.stdout))


if __name__ == "__main__":
    main()
