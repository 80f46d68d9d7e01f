#!/usr/bin/env python3
"""The 2019 route leak, replayed (scaled down) against moatd as AS701's edge.

On 24 June 2019 AS396531, a customer of AS701, passed on to AS701 the
more-specifics of Cloudflare (AS13335) and others that a route optimizer in
AS33154 had made up, with AS_PATH 396531 33154 3356 13335; AS701 accepted
them and the world followed the more-specifics. Here one BIRD plays three
neighbors of moatd (AS701):
  - the customer AS396531 (198.18.0.2): its own 3 prefixes plus the leak,
    4002 more-specifics of 104.16.0.0/12 among them 104.20.0.0/21 and
    104.20.8.0/21, path 396531 33154 3356 13335;
  - the upstream AS3356 (198.18.0.3): the legitimate 104.20.0.0/20, path
    3356 13335;
  - a third neighbor AS6939 (198.18.0.4) that receives what moatd exports.
VRPs come from a JSON file (`rpki file`): 104.20.0.0/20-20 and
104.16.0.0/12-20, AS13335.

Cases: without defenses the leak reaches the third neighbor (the test can
fail); then each defense alone stops it with its own reason (peer-lock with
3356 protected, RPKI invalid, max-prefix on the customer session), then all
together. The legitimate routes of both neighbors reach the third one
(except with max-prefix alone, which ends the customer's session and so
withdraws its own routes too), and `show bgp rejected` names the leaked
routes with their reason. Max-prefix: Cease 6/1 with AFI/SAFI/limit, the
countdown, the automatic restart after 1 minute, and `clear bgp neighbor`."""

import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bird, Lab, Moatd, Suite, check, in_namespace_or_reexec, setup_namespace, wait_for  # noqa: E402

MOAT = "198.18.0.1"
# BIRD tells its sessions apart by the neighbor's address: moatd uses one
# local address per session.
LOCAL = {"198.18.0.2": "198.18.0.11", "198.18.0.3": "198.18.0.12", "198.18.0.4": "198.18.0.13"}
CUSTOMER, UPSTREAM, THIRD = "198.18.0.2", "198.18.0.3", "198.18.0.4"
OWN = ["45.42.0.0/22", "45.42.4.0/22", "45.42.8.0/23"]
LEGIT = "104.20.0.0/20"
KEY_LEAKS = ["104.20.0.0/21", "104.20.8.0/21"]
N24 = 4000


def leaks():
    nets = list(KEY_LEAKS)
    for i, n in enumerate(ipaddress.ip_network("104.16.0.0/12").subnets(new_prefix=24)):
        if i >= N24:
            break
        nets.append(str(n))
    return nets


LEAKS = leaks()


def bird_config():
    own = "\n".join(f"  route {p} via {CUSTOMER};" for p in OWN)
    leak = "\n".join(f"  route {p} via {CUSTOMER};" for p in LEAKS)
    return f"""log stderr all;
router id {CUSTOMER};
protocol device {{}}
ipv4 table master4;
ipv4 table t_cust; ipv4 table t_up; ipv4 table t_third;
protocol static igp4 {{ ipv4; route 198.18.0.0/15 via "lo"; }}
protocol static cust_own {{ ipv4 {{ table t_cust; }};
{own}
}}
protocol static cust_leak {{ ipv4 {{ table t_cust; }};
{leak}
}}
protocol static up_legit {{ ipv4 {{ table t_up; }};
  route {LEGIT} via {UPSTREAM};
}}
protocol bgp customer {{
  local {CUSTOMER} as 396531; neighbor {LOCAL[CUSTOMER]} as 701;
  multihop; strict bind yes; passive on; hold time 9; keepalive time 3; connect retry time 1; error wait time 1, 2;
  ipv4 {{ table t_cust; igp table master4; import none; next hop self;
    export filter {{ if proto = "cust_leak" then {{ bgp_path.prepend(13335); bgp_path.prepend(3356);
      bgp_path.prepend(33154); }} accept; }}; }};
}}
protocol bgp upstream {{
  local {UPSTREAM} as 3356; neighbor {LOCAL[UPSTREAM]} as 701;
  multihop; strict bind yes; passive on; hold time 9; keepalive time 3; connect retry time 1; error wait time 1, 2;
  ipv4 {{ table t_up; igp table master4; import none; next hop self; export filter {{ bgp_path.prepend(13335); accept; }}; }};
}}
protocol bgp third {{
  local {THIRD} as 6939; neighbor {LOCAL[THIRD]} as 701;
  multihop; strict bind yes; passive on; hold time 9; keepalive time 3; connect retry time 1; error wait time 1, 2;
  ipv4 {{ table t_third; igp table master4; import all; export none; gateway recursive; }};
}}
"""


VRPS = {"metadata": {"buildtime": "2019-06-24T10:00:00Z"},
        "roas": [{"prefix": "104.20.0.0/20", "maxLength": 20, "asn": "AS13335"},
                 {"prefix": "104.16.0.0/12", "maxLength": 20, "asn": "AS13335"}]}


def moat_config(lab, peer_lock=False, rpki=False, max_prefix=None):
    lines = ["hostname as701-edge"]
    if rpki:
        lines.append(f"rpki file {lab.path('vrps.json')}")
    lines += ["router bgp 701", f" bgp router-id {MOAT}", " no bgp ebgp-requires-policy"]
    lines += [f" bgp listen address {a}" for a in LOCAL.values()]
    if peer_lock:
        lines.append(" bgp peer-lock protected-as 3356")
    for addr, asn, name in [(CUSTOMER, 396531, "customer"), (UPSTREAM, 3356, "upstream"), (THIRD, 6939, "third")]:
        lines += [f" neighbor {addr} remote-as {asn}", f" neighbor {addr} description {name}",
                  f" neighbor {addr} update-source {LOCAL[addr]}", f" neighbor {addr} timers 3 9",
                  f" neighbor {addr} timers connect 1"]
    if max_prefix:
        lines.append(f" neighbor {CUSTOMER} maximum-prefix {max_prefix}")
    return "\n".join(lines) + "\n"


def third_routes(bird):
    """{prefix: as_path} of what BIRD's third neighbor received from moatd."""
    out = bird.cmd("show", "route", "table", "t_third", "all")
    routes, net = {}, None
    for line in out.splitlines():
        if line and not line[0].isspace() and "/" in line.split()[0]:
            net = line.split()[0]
            routes[net] = ""
        elif net and "BGP.as_path:" in line:
            routes[net] = line.split("BGP.as_path:", 1)[1].strip()
    return routes


def third_count(bird):
    out = bird.cmd("show", "route", "table", "t_third", "count")
    for line in out.splitlines():
        parts = line.split()
        if "routes" in parts and parts[0].isdigit():
            return int(parts[0])
    return 0


class Scenario:
    def __init__(self, lab, bird, name, **defenses):
        self.moat = Moatd(lab, name, moat_config(lab, **defenses)).start()
        self.bird = bird

    def up(self, customer=True):
        for a in ([CUSTOMER] if customer else []) + [UPSTREAM, THIRD]:
            self.moat.wait_established(a, 40)

    def stop(self):
        self.moat.lab.stop(self.moat.proc)
        # BIRD notices the sessions are gone before the next moatd starts.
        wait_for(lambda: third_count(self.bird) == 0, 20, "the third neighbor's table emptied")


def legit_at_third(bird, own=True):
    def ok():
        r = third_routes(bird)
        return LEGIT in r and r[LEGIT] == "701 3356 13335" and (not own or all(p in r for p in OWN))
    wait_for(ok, 30, "legitimate routes at the third neighbor")


def advertised_to_third(moat):
    """moatd's Adj-RIB-Out for the third neighbor. Once every leaked route is
    counted as rejected, nothing of the leak can be staged any more: this is
    exact without waiting, where the third's own table only catches up."""
    doc = json.loads(moat.ctl("show", "bgp", "neighbors", THIRD, "advertised-routes", "json"))
    rows = doc.get("routes", doc) if isinstance(doc, dict) else doc
    return {r["prefix"] for r in rows}


def rejected(moat, reason):
    return json.loads(moat.ctl("show", "bgp", "rejected", "reason", reason, "json"))


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("leak")
    lab = Lab("leak")
    lab.write("vrps.json", json.dumps(VRPS))
    total = len(OWN) + len(LEAKS)
    try:
        bird = Bird(lab, "bird", bird_config()).start()

        def baseline():
            s = Scenario(lab, bird, "none")
            s.up()
            r = wait_for(lambda: third_count(bird) >= total + 1 and third_routes(bird), 60, "the leak at the third")
            check(r.get("104.20.0.0/21") == "701 396531 33154 3356 13335", f"leak path {r.get('104.20.0.0/21')}")
            check(r.get("104.20.8.0/21") == "701 396531 33154 3356 13335", "second /21 leaked")
            n = s.moat.neighbor(CUSTOMER)
            check(n["prefixes"]["accepted_ipv4"] == total, f"accepted {n['prefixes']}")
            s.stop()

        if not suite.case("no defenses: the leak goes through to the third neighbor (the test can fail)", baseline):
            lab.dump_logs()
            suite.finish()

        def alone_peer_lock():
            s = Scenario(lab, bird, "peerlock", peer_lock=True)
            s.up()
            legit_at_third(bird)
            doc = wait_for(lambda: (d := rejected(s.moat, "peer-lock"))["held"] == len(LEAKS) and d, 30,
                           "leak rejected by peer-lock")
            check(len(doc["routes"]) == len(LEAKS), f"{len(doc['routes'])} records")
            by = {r["prefix"]: r for r in doc["routes"]}
            for p in KEY_LEAKS:
                check(by[p]["detail"] == "AS3356" and by[p]["as_path"] == "396531 33154 3356 13335", f"{by[p]}")
                check(by[p]["neighbor"] == CUSTOMER, f"{by[p]}")
            check(advertised_to_third(s.moat) == set(OWN) | {LEGIT}, f"sent to the third: {advertised_to_third(s.moat)}")
            check(third_count(bird) == len(OWN) + 1, f"third has {third_count(bird)} routes")
            pl = json.loads(s.moat.ctl("show", "bgp", "peer-lock", "json"))
            cust = [n for n in pl["neighbors"] if n["address"] == CUSTOMER][0]
            check(cust["rejected_now"] == len(LEAKS) and cust["rejected_by_asn"].get("3356") == len(LEAKS) and
                  cust["rejected_now_by_asn"].get("3356") == len(LEAKS), f"{cust}")
            s.stop()

        suite.case("peer-lock alone (3356 protected): leak rejected as peer-lock, legitimate routes through",
                   alone_peer_lock)

        def alone_rpki():
            s = Scenario(lab, bird, "rpki", rpki=True)
            s.up()
            legit_at_third(bird)
            doc = wait_for(lambda: (d := rejected(s.moat, "rpki-invalid"))["held"] == len(LEAKS) and d, 30,
                           "leak rejected as RPKI invalid")
            check({r["prefix"] for r in doc["routes"]} >= set(KEY_LEAKS), "the /21s are listed")
            check(advertised_to_third(s.moat) == set(OWN) | {LEGIT}, f"sent to the third: {advertised_to_third(s.moat)}")
            check(third_count(bird) == len(OWN) + 1, f"third has {third_count(bird)} routes")
            s.stop()

        suite.case("RPKI alone (VRP file): leak rejected as rpki-invalid, legitimate routes through", alone_rpki)

        def all_together():
            s = Scenario(lab, bird, "all", peer_lock=True, rpki=True, max_prefix=100)
            s.up()
            legit_at_third(bird)
            doc = wait_for(lambda: (d := rejected(s.moat, "peer-lock"))["held"] == len(LEAKS) and d, 30,
                           "leak rejected by peer-lock first")
            # Every route is counted: a maximum-prefix verdict would have been
            # taken at import and acted on before this command is answered.
            n = s.moat.neighbor(CUSTOMER)
            check(n["state"] == "established", f"customer session {n['state']} (max-prefix must not fire)")
            check(n["maximum_prefix"]["ipv4"]["count"] == len(OWN), f"{n['maximum_prefix']}")
            check(n["rejected_by_reason"]["peer-lock"]["ipv4"] == len(LEAKS), f"{n['rejected_by_reason']}")
            check(advertised_to_third(s.moat) == set(OWN) | {LEGIT}, f"sent to the third: {advertised_to_third(s.moat)}")
            check(third_count(bird) == len(OWN) + 1, f"third has {third_count(bird)} routes")
            text = s.moat.ctl("show", "bgp", "rejected", "104.20.0.0/21")
            check("peer-lock" in text and "AS3356; 396531 33154 3356 13335" in text, text)
            s.stop()

        suite.case("all together: the leak stops at peer-lock, the customer session stays up", all_together)

        def receive_limit(name, **defenses):
            # A receive limit counts what the customer sent, whatever another
            # defense said of it: the leak is rejected AND the session ends.
            s = Scenario(lab, bird, name, max_prefix="100 receive", **defenses)
            s.up(customer=False)
            n = wait_for(lambda: (x := s.moat.neighbor(CUSTOMER))["maximum_prefix"]["held_down"] and x, 40,
                         "customer held down by a receive limit")
            note = n["last_notification_sent"]
            check(note and note["code"] == 6 and note["subcode"] == 1, f"notification {note}")
            check(n["maximum_prefix"]["restart_in_seconds"] is None, "held down until cleared")
            wait_for(lambda: not bird.established("customer"), 10, "BIRD's customer session down")
            legit_at_third(bird, own=False)
            check(not any(p in third_routes(bird) for p in KEY_LEAKS), "a leaked /21 reached the third neighbor")
            check("limit 100 received" in s.moat.log() or "more than 100 received" in s.moat.log(),
                  "moatd did not log the receive limit")
            s.stop()

        for combo, flags in [("peer-lock", {"peer_lock": True}), ("RPKI", {"rpki": True}),
                             ("peer-lock and RPKI", {"peer_lock": True, "rpki": True})]:
            suite.case(f"{combo} with maximum-prefix 100 receive: the session ends though {combo} rejects the leak",
                       lambda c=combo, f=flags: receive_limit("recv-" + c.replace(" ", "-"), **f))

        def alone_max_prefix():
            s = Scenario(lab, bird, "maxpfx", max_prefix="100 restart 1")
            s.up(customer=False)
            n = wait_for(lambda: (x := s.moat.neighbor(CUSTOMER))["maximum_prefix"]["held_down"] and x, 40,
                         "customer held down by maximum-prefix")
            note = n["last_notification_sent"]
            check(note and note["code"] == 6 and note["subcode"] == 1, f"notification {note}")
            left = n["maximum_prefix"]["restart_in_seconds"]
            check(left is not None and 0 < left <= 60, f"countdown {left}")
            # BIRD's session ended. (BIRD logs the Cease 6/1 when it reads it
            # before the connection closes; while it is still sending its
            # 4000 routes the close may beat it, so that is not required.)
            wait_for(lambda: not bird.established("customer"), 10, "BIRD's customer session down")
            legit_at_third(bird, own=False)
            wait_for(lambda: not any(p in third_routes(bird) for p in KEY_LEAKS + OWN), 20,
                     "the customer's routes withdrawn at the third neighbor")
            summary = s.moat.ctl("show", "bgp", "summary")
            check("Idle (PfxCt)" in summary and "0/100" in summary, summary)
            check(s.moat.neighbor(CUSTOMER)["established_transitions"] == 1, "one session so far")
            # The restart after one minute, over the limit again.
            wait_for(lambda: s.moat.neighbor(CUSTOMER)["established_transitions"] >= 2, 90, "automatic restart")
            wait_for(lambda: s.moat.neighbor(CUSTOMER)["maximum_prefix"]["held_down"], 30, "held down again")
            # clear bgp neighbor: at once.
            s.moat.ctl("clear", "bgp", "neighbor", CUSTOMER)
            wait_for(lambda: s.moat.neighbor(CUSTOMER)["established_transitions"] >= 3, 30, "restart on clear")
            s.stop()

        suite.case("max-prefix alone (100, restart 1): Cease 6/1, countdown, routes withdrawn, restart, clear",
                   alone_max_prefix)
    finally:
        if suite.failed:
            lab.dump_logs()
        lab.close(keep=bool(suite.failed))
    suite.finish()


if __name__ == "__main__":
    main()
