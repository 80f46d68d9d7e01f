#!/usr/bin/env python3
"""Malformed and illegal UPDATEs and OPENs from the project's raw test peer:
moatd must answer as RFC 4271 6 / RFC 7606 / RFC 7607 / RFC 9774 /
RFC 5065 / RFC 8950 say (attribute discard, treat-as-withdraw or session reset
with the right NOTIFICATION), or reject with its own reason (empty AS_PATH,
first AS), show every such route in `show bgp rejected` while the neighbor
is up, never pass it on to the BIRD neighbor, keep running, and keep the BIRD
session and its routes. docs/robustness.md compares each row with BIRD and FRR."""

import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bird, Lab, Moatd, Suite, TEST_ADDRESSING, TestPeer, check, in_namespace_or_reexec, setup_namespace, wait_for  # noqa: E402

MOAT_AS = 65001
PEER_AS = 65002
BIRD_AS = 65003


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def origin(v=0):
    return attr(0x40, 1, bytes([v]))


def as_path(*asns):
    return attr(0x40, 2, struct.pack("!BB", 2, len(asns)) + b"".join(struct.pack("!I", a) for a in asns))


def path(*segments):
    """AS_PATH from (type, [asns]) segments: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET."""
    return attr(0x40, 2, b"".join(struct.pack("!BB", t, len(a)) + b"".join(struct.pack("!I", x) for x in a)
                                  for t, a in segments))


def mp_reach_v4_with_v6_next_hop(prefix):
    nh = socket.inet_pton(socket.AF_INET6, "2001:2::a")
    return attr(0x80, 14, struct.pack("!HBB", 1, 1, 16) + nh + b"\x00" + nlri(prefix))


def next_hop(a="198.18.0.20"):
    return attr(0x40, 3, bytes(int(x) for x in a.split(".")))


def nlri(prefix):
    net, ln = prefix.split("/")
    ln = int(ln)
    b = bytes(int(x) for x in net.split("."))
    return bytes([ln]) + b[: (ln + 7) // 8]


def update(attrs=b"", prefixes=(), withdrawn=b"", raw_nlri=b""):
    body = struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs
    body += b"".join(nlri(p) for p in prefixes) + raw_nlri
    return body.hex()


GOOD = origin() + as_path(PEER_AS) + next_hop()

# After a route that must not get in, each illegal case sends this one: once
# moatd accepted it, the UPDATE before it was handled (a session processes
# UPDATEs in order), so its absence proves something.
MARKER = "192.0.3.0/24"
# The same for the treat-as-withdraw cases, read in moatd's Adj-RIB-In for the
# peer (its own prefix: the rejected cases look for MARKER at BIRD).
HELD_MARKER = "192.0.4.0/24"
HELD = update(GOOD, [HELD_MARKER])

# (title, peer address, UPDATE bodies in order, expected outcome)
#   outcome: ("reset", code, subcode) or ("alive", {prefix: present?})
CASES = [
    ("a well-formed UPDATE is accepted", "198.18.0.20",
     [update(GOOD, ["192.0.2.0/24"])], ("alive", {"192.0.2.0/24": True})),
    ("ATOMIC_AGGREGATE with a length is discarded, the route stays (RFC 7606 7.6)", "198.18.0.21",
     [update(GOOD + attr(0x40, 6, b"\x01"), ["192.0.2.0/24"])], ("alive", {"192.0.2.0/24": True})),
    ("a COMMUNITIES length not a multiple of 4 is treat-as-withdraw (RFC 7606 7.8)", "198.18.0.22",
     [update(GOOD, ["192.0.2.0/24"]), update(GOOD + attr(0xC0, 8, b"\x00\x01\x02"), ["192.0.2.0/24"]), HELD],
     ("alive", {"192.0.2.0/24": False})),
    ("an UPDATE without ORIGIN is treat-as-withdraw (RFC 7606 3.d)", "198.18.0.23",
     [update(as_path(PEER_AS) + next_hop(), ["192.0.2.0/24"]), HELD], ("alive", {"192.0.2.0/24": False})),
    ("a malformed AS_PATH is treat-as-withdraw (RFC 7606 7.2)", "198.18.0.24",
     [update(origin() + attr(0x40, 2, b"\x02\x05\x00\x00\xfd\xea") + next_hop(), ["192.0.2.0/24"]), HELD],
     ("alive", {"192.0.2.0/24": False})),
    ("an NLRI prefix longer than /32 resets with UPDATE Error / Invalid Network Field", "198.18.0.25",
     [update(GOOD, raw_nlri=b"\x21\xc0\x00\x02\x00\x01")], ("reset", 3, 10)),
    ("a Total Attribute Length beyond the message resets with Malformed Attribute List (RFC 7606 4)",
     "198.18.0.26", ["000000ff40010100"], ("reset", 3, 1)),
    ("an attribute overrunning the attribute list is treat-as-withdraw (RFC 7606 4)", "198.18.0.29",
     [update(GOOD + b"\x40\x05\x09\x00", ["192.0.2.0/24"]), HELD], ("alive", {"192.0.2.0/24": False})),
    ("an unrecognized well-known attribute resets (RFC 4271 6.3)", "198.18.0.27",
     [update(GOOD + attr(0x40, 99, b"\x00"), ["192.0.2.0/24"])], ("reset", 3, 2)),
    ("an invalid ORIGIN value is treat-as-withdraw (RFC 7606 7.1)", "198.18.0.28",
     [update(origin(7) + as_path(PEER_AS) + next_hop(), ["192.0.2.0/24"]), HELD], ("alive", {"192.0.2.0/24": False})),
    ("a well-formed OTC is accepted (RFC 9234 5)", "198.18.0.30",
     [update(GOOD + attr(0xC0, 35, struct.pack("!I", PEER_AS)), ["192.0.2.0/24"])], ("alive", {"192.0.2.0/24": True})),
    ("an OTC of length 3 is treat-as-withdraw (RFC 9234 5)", "198.18.0.31",
     [update(GOOD, ["192.0.2.0/24"]), update(GOOD + attr(0xC0, 35, b"\x00\xfd\xea"), ["192.0.2.0/24"]), HELD],
     ("alive", {"192.0.2.0/24": False})),
    # Border integrity: routes that are well formed but must never get in.
    # ("rejected", prefix, reason in show bgp rejected, words of its detail)
    ("an empty AS_PATH from eBGP is rejected, never our own route nor RPKI Valid", "198.18.0.32",
     [update(origin() + attr(0x40, 2, b"") + next_hop(), ["10.77.5.0/24"]), update(GOOD, [MARKER])],
     ("rejected", "10.77.5.0/24", "empty-as-path", "empty AS_PATH")),
    ("AS 0 in AS_PATH is treat-as-withdraw (RFC 7607)", "198.18.0.33",
     [update(origin() + as_path(PEER_AS, 0, 64999) + next_hop(), ["10.78.1.0/24"]), update(GOOD, [MARKER])],
     ("rejected", "10.78.1.0/24", "malformed", "AS 0")),
    ("AS_CONFED_SEQUENCE from eBGP is treat-as-withdraw (RFC 5065 5)", "198.18.0.34",
     [update(origin() + path((3, [65100]), (2, [PEER_AS])) + next_hop(), ["10.78.2.0/24"]), update(GOOD, [MARKER])],
     ("rejected", "10.78.2.0/24", "malformed", "AS_CONFED_SEQUENCE")),
    ("AS_CONFED_SET is treat-as-withdraw (RFC 9774)", "198.18.0.35",
     [update(origin() + path((2, [PEER_AS]), (4, [65100])) + next_hop(), ["10.78.3.0/24"]), update(GOOD, [MARKER])],
     ("rejected", "10.78.3.0/24", "malformed", "AS_CONFED_SET")),
    ("a first AS other than the neighbor's is rejected (enforce-first-as)", "198.18.0.36",
     [update(origin() + as_path(64999, PEER_AS) + next_hop(), ["10.78.4.0/24"]), update(GOOD, [MARKER])],
     ("rejected", "10.78.4.0/24", "first-as", "AS64999")),
    ("AS_SET is treat-as-withdraw (RFC 9774)", "198.18.0.37",
     [update(origin() + path((2, [PEER_AS]), (1, [64999, 64998])) + next_hop(), ["10.78.5.0/24"]),
      update(GOOD, [MARKER])],
     ("rejected", "10.78.5.0/24", "malformed", "AS_SET")),
    ("an IPv6 next hop for IPv4 NLRI without extended next hop is treat-as-withdraw (RFC 8950)", "198.18.0.38",
     [update(origin() + as_path(PEER_AS) + mp_reach_v4_with_v6_next_hop("10.78.6.0/24")), update(GOOD, [MARKER])],
     ("rejected", "10.78.6.0/24", "malformed", "RFC 8950")),
    ("path attributes without NLRI and a withdraw-class error reset (RFC 7606 5.2)", "198.18.0.39",
     [update(GOOD + attr(0xC0, 8, b"\x00\x01\x02"))], ("reset", 3, 5)),
]

# OPENs with a malformed known capability (RFC 4760 8, RFC 6793 3): refused
# with OPEN Message Error, never taken as unknown. (title, address, capability TLV)
BAD_OPENS = [
    ("a Multiprotocol capability of length 3 is an OPEN Message Error", "198.18.0.40", b"\x01\x03\x00\x01\x00"),
    ("a Multiprotocol capability of length 5 is an OPEN Message Error", "198.18.0.41", b"\x01\x05\x00\x01\x00\x01\x00"),
    ("a 4-octet AS capability of length 2 is an OPEN Message Error", "198.18.0.42", b"\x41\x02\xfd\xea"),
]


def raw_open(source, capability):
    """Connects from `source`, sends an OPEN carrying `capability` (plus a good
    Multiprotocol IPv4 one), and returns the (code, subcode) of the NOTIFICATION."""
    caps = b"\x01\x04\x00\x01\x00\x01" + capability
    params = b"\x02" + bytes([len(caps)]) + caps
    body = struct.pack("!BHHI", 4, PEER_AS, 30, struct.unpack("!I", socket.inet_aton(source))[0])
    body += bytes([len(params)]) + params
    msg = b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 1) + body
    with socket.create_connection(("198.18.0.1", 179), timeout=10, source_address=(source, 0)) as s:
        s.sendall(msg)
        data = b""
        deadline = time.time() + 10
        while time.time() < deadline:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
            while len(data) >= 19:
                length, kind = struct.unpack("!HB", data[16:19])
                if len(data) < length:
                    break
                if kind == 3:
                    return data[19], data[20]
                data = data[length:]
    return None


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("malformed")
    lab = Lab("malformed")
    try:
        conf = [f"router bgp {MOAT_AS}", *TEST_ADDRESSING, " bgp router-id 198.18.0.1", " no bgp ebgp-requires-policy", " bgp listen address 198.18.0.1",
                " network 203.0.113.0/24",
                f" neighbor 198.18.0.3 remote-as {BIRD_AS}", " neighbor 198.18.0.3 update-source 198.18.0.1",
                " neighbor 198.18.0.3 timers 1 3"]
        for _, addr, _, _ in CASES:
            conf += [f" neighbor {addr} remote-as {PEER_AS}", f" neighbor {addr} passive"]
        for _, addr, _ in BAD_OPENS:
            conf += [f" neighbor {addr} remote-as {PEER_AS}", f" neighbor {addr} passive"]
        # Our own space, as in the hijack: an empty path must not make it Valid.
        vrps = lab.write("vrps.json", json.dumps({"roas": [{"prefix": "10.77.0.0/16", "maxLength": 24,
                                                            "asn": f"AS{MOAT_AS}"}]}))
        conf += [f"rpki file {vrps}"]
        moat = Moatd(lab, "moatd", "\n".join(conf) + "\n").start()
        bird = Bird(lab, "bird", "\n".join([
            "log stderr all;", "router id 198.18.0.3;", "protocol device {}",
            'protocol static igp4 { ipv4; route 198.18.0.0/15 via "lo"; }',
            'protocol static out4 { ipv4; route 198.51.100.0/24 via 198.18.0.3; }',
            "protocol bgp moat {", f"  local 198.18.0.3 as {BIRD_AS}; neighbor 198.18.0.1 as {MOAT_AS};",
            "  multihop; strict bind yes; passive on; hold time 3; keepalive time 1;",
            "  ipv4 { import all; export where proto = \"out4\"; gateway recursive; next hop self; };", "}"]) + "\n").start()
        wait_for(lambda: bird.established("moat"), 30, "BIRD session")
        moat.wait_established("198.18.0.3")
        peer = TestPeer(lab, "testpeer")

        def received_v4(n):
            return n["prefixes"]["received_ipv4"]

        def received_from(addr):
            doc = moat.json("show", "bgp", "neighbors", addr, "received-routes")
            return {r["prefix"] for r in doc["routes"]}

        def bird_route_kept():
            return received_v4(moat.neighbor("198.18.0.3")) == 1

        wait_for(bird_route_kept, 10, "moatd counts BIRD's route")

        for title, addr, updates, expect in CASES:
            def run_case(addr=addr, updates=updates, expect=expect):
                args = ["--connect", "198.18.0.1:179", "--bind", addr, "--as", str(PEER_AS), "--router-id", addr,
                        "--hold", "30", "--wait", "3"]
                for u in updates:
                    args += ["--update-hex", u]
                proc = peer.start(*args)
                try:
                    if expect[0] == "rejected":
                        _, bad, reason, words = expect
                        wait_for(lambda: moat.state(addr).lower() == "established", 10, f"{addr} Established")
                        wait_for(lambda: moat.neighbor(addr)["prefixes"]["accepted_ipv4"] == 1, 5,
                                 f"moatd accepting the marker route from {addr}")
                        doc = json.loads(moat.ctl("show", "bgp", "rejected", "neighbor", addr, "json"))
                        rec = [r for r in doc["routes"] if r["prefix"] == bad]
                        check(rec and rec[0]["reason"] == reason and words in rec[0]["detail"],
                              f"show bgp rejected for {bad}: want {reason} ({words}), got {doc['routes']}")
                        shown = moat.ctl("show", "bgp", "ipv4", "unicast", bad, "json").replace(" ", "")
                        check('"best":true' not in shown and '"rpki":"valid"' not in shown,
                              f"{bad} is a best path or RPKI Valid: {shown}")
                        # BIRD has the marker from moatd, and not the route before it.
                        wait_for(lambda: MARKER in bird.routes(), 10, "the marker route at BIRD")
                        check(bad not in bird.routes(), f"{bad} reached BIRD")
                    elif expect[0] == "alive":
                        # While the peer holds the session, moatd's count of its
                        # routes tells whether the route was kept or withdrawn.
                        want = sum(1 for present in expect[1].values() if present)
                        wait_for(lambda: moat.state(addr).lower() == "established", 10, f"{addr} Established")
                        if want:
                            wait_for(lambda: received_v4(moat.neighbor(addr)) == want, 2.5,
                                     f"moatd holding {want} route(s) from {addr}")
                        else:
                            # The case's last UPDATE carries the marker: once
                            # moatd holds it, every UPDATE before it was handled.
                            held = wait_for(lambda: (lambda h: h if HELD_MARKER in h else None)(
                                received_from(addr)), 10, f"moatd holding the marker route from {addr}")
                            got = received_v4(moat.neighbor(addr))
                            check(held == {HELD_MARKER} and got == 1,
                                  f"moatd holds {got} routes from {addr} ({sorted(held)}), expected none but the marker")
                finally:
                    events, err = peer.finish(proc)
                kinds = [e["event"] for e in events]
                check("established" in kinds, f"test peer did not reach Established: {events} {err}")
                notes = [e for e in events if e["event"] == "notification"]
                if expect[0] == "reset":
                    check(notes, f"expected NOTIFICATION {expect[1]}/{expect[2]}, got {events}")
                    check((notes[0]["code"], notes[0]["subcode"]) == expect[1:],
                          f"expected NOTIFICATION {expect[1]}/{expect[2]}, got {notes[0]}")
                else:
                    check(not notes, f"session was reset: {notes}")
                    check(events[-1].get("alive") is True, f"session did not stay up: {events}")
                check(moat.alive(), "moatd died")
                check(bird.established("moat"), "the BIRD session dropped")
                check(bird_route_kept(), "moatd lost BIRD's route")

            suite.case(title, run_case)

        for title, addr, capability in BAD_OPENS:
            def run_open(addr=addr, capability=capability):
                got = raw_open(addr, capability)
                check(got == (2, 0), f"expected NOTIFICATION 2/0 (OPEN Message Error), got {got}")
                check(moat.alive(), "moatd died")
                check(bird.established("moat"), "the BIRD session dropped")
                check(bird_route_kept(), "moatd lost BIRD's route")

            suite.case(title, run_open)

        def counts():
            # Routes the accepted cases left in place (the peers disconnected, so
            # their routes are gone again): only the count from BIRD remains.
            check(bird_route_kept(), "BIRD's route is no longer counted")
            log = moat.log()
            check("treat-as-withdraw" in log.lower() or "withdraw" in log.lower(),
                  "moatd did not log the treat-as-withdraw cases")

        suite.case("moatd logged the RFC 7606 outcomes and kept the other session", counts)
        if suite.failed:
            lab.dump_logs()
    finally:
        lab.close(keep=bool(os.environ.get("MOAT_KEEP")))
    suite.finish()


if __name__ == "__main__":
    main()
