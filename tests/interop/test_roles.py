#!/usr/bin/env python3
"""RFC 9234 BGP roles and OTC between moatd and real BIRD 2 daemons.

moatd (AS 65000) is the customer of two providers (BIRD `prov1`, with a role,
and BIRD `prov_norole`, without one), the provider of BIRD `cust1` and a lateral
peer of BIRD `lateral`; a second provider, BIRD `prov2`, only listens;
`cust_norole` and `lateral_norole` are a customer and a peer without roles in
BIRD, so what they receive is moatd's OTC alone. Checked: roles negotiated and
shown on both sides; routes from the providers reach the customers with OTC
(the provider's AS: set by BIRD on egress for `prov1`, by moatd on ingress for
`prov_norole`) and reach neither the other provider nor the peers; moatd's own route
reaches everyone, with OTC = 65000 towards the customers and the peers and
without towards the provider; a customer's route that already carries OTC is
rejected as a leak and sent nowhere. Then the refusals:
provider against provider (Role Mismatch seen at both ends), moatd strict
against a BIRD without roles, and BIRD `require roles` against a moatd
without a role. Every BIRD is its own process, so no routes cross inside BIRD.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bird, Lab, Moatd, Suite, TEST_ADDRESSING, check, in_namespace_or_reexec, setup_namespace, wait_for  # noqa: E402

MOAT_AS = 65000
# Prefixes outside the documentation and special-use ranges, so that no
# martian filter of moatd's import chain gets in the way.
OWN = "20.0.0.0/16"         # moatd's network
FROM_UP = "20.1.0.0/16"     # sent by the provider with a role
FROM_PLAIN = "20.2.0.0/16"  # sent by the provider without a role
LEAK = "20.3.0.0/16"        # sent by a customer with OTC already set: a leak

# name: (BIRD AS, BIRD address, moatd address, BIRD role lines, moatd role line, route BIRD exports, its OTC)
SESSIONS = {
    "prov1": (65001, "198.18.0.2", "198.18.0.1", ["local role provider;"], "local-role customer", FROM_UP, None),
    "prov_norole": (65005, "198.18.0.3", "198.18.0.11", [], "local-role customer", FROM_PLAIN, None),
    "prov2": (65002, "198.18.0.4", "198.18.0.12", ["local role provider;"], "local-role customer", None, None),
    # The second provider, the customer and the peer share moatd's address,
    # so only the role keeps them in different update groups.
    "cust1": (65003, "198.18.0.5", "198.18.0.12", ["local role customer;"], "local-role provider", None, None),
    "lateral": (65004, "198.18.0.6", "198.18.0.12", ["local role peer;"], "local-role peer", None, None),
    # BIRDs without a role: what they receive shows moatd's own OTC egress
    # rule (a BIRD with a role would add the same OTC itself on ingress).
    "cust_norole": (65009, "198.18.0.10", "198.18.0.18", [], "local-role provider", LEAK, 64999),
    "lateral_norole": (65010, "198.18.0.19", "198.18.0.20", [], "local-role peer", None, None),
    # refusals
    "both_prov": (65006, "198.18.0.7", "198.18.0.15", ["local role provider;"], "local-role provider", None, None),
    "moat_strict": (65007, "198.18.0.8", "198.18.0.16", [], "local-role customer strict", None, None),
    "bird_require": (65008, "198.18.0.9", "198.18.0.17", ["local role peer;", "require roles;"], None, None, None),
}
UP = ("prov1", "prov_norole", "prov2", "cust1", "lateral", "cust_norole", "lateral_norole")
REFUSED = ("both_prov", "moat_strict", "bird_require")
BIRDS = {n: [n] for n in UP}
BIRDS["neg"] = list(REFUSED)


def moatd_config():
    lines = [f"router bgp {MOAT_AS}", *TEST_ADDRESSING, " bgp router-id 198.18.0.1", " no bgp ebgp-requires-policy", f" network {OWN}"]
    lines += [f" bgp listen address {a}" for a in sorted({s[2] for s in SESSIONS.values()})]
    for name, (asn, peer, local, _, role, _, _) in SESSIONS.items():
        lines += [f" neighbor {peer} remote-as {asn}", f" neighbor {peer} description {name}",
                  f" neighbor {peer} update-source {local}", f" neighbor {peer} timers 1 3",
                  f" neighbor {peer} timers connect 1", f" neighbor {peer} passive",
                  f" no neighbor {peer} address-family ipv6 unicast"]
        if role:
            lines.append(f" neighbor {peer} {role}")
    return "\n".join(lines) + "\n"


def bird_config(names):
    first = SESSIONS[names[0]]
    out = ["log stderr all;", f"router id {first[1]};", "protocol device {}",
           'protocol static igp4 { ipv4; route 198.18.0.0/15 via "lo"; }']
    for name in names:
        asn, peer, local, role_lines, _, route, otc = SESSIONS[name]
        export = "none"
        if route:
            out.append(f"protocol static s_{name} {{ ipv4; route {route} via {peer}; }}")
            export = f'where proto = "s_{name}"'
            if otc:
                export = f'filter {{ if proto != "s_{name}" then reject; bgp_otc = {otc}; accept; }}'
        out += [f"protocol bgp {name} {{",
                f"  local {peer} as {asn}; neighbor {local} as {MOAT_AS};",
                "  multihop; strict bind yes;",
                "  hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 2;",
                *[f"  {x}" for x in role_lines],
                f"  ipv4 {{ import all; export {export}; gateway recursive; }};",
                "}"]
    return "\n".join(out) + "\n"


def main():
    in_namespace_or_reexec()
    setup_namespace()
    suite = Suite("roles")
    lab = Lab("roles")
    try:
        birds = {b: Bird(lab, f"bird_{b}", bird_config(names)).start() for b, names in BIRDS.items()}
        bird_of = {n: birds[b] for b, names in BIRDS.items() for n in names}
        moat = Moatd(lab, "moatd", moatd_config()).start()
        addr = {n: s[1] for n, s in SESSIONS.items()}

        def up():
            for name in UP:
                wait_for(lambda n=name: bird_of[n].established(n), 30, f"BIRD {name} Established")
                moat.wait_established(addr[name], 10)

        if not suite.case("sessions with matching roles come up (customer<->provider, peer<->peer, no role)", up):
            lab.dump_logs()
            suite.finish()

        def shown():
            expect = {"prov1": ("customer", "provider"), "prov_norole": ("customer", None), "cust1": ("provider", "customer"),
                      "lateral": ("peer", "peer")}
            for name, (local, remote) in expect.items():
                n = moat.neighbor(addr[name])
                check(n.get("local_role") == local and n.get("remote_role") == remote,
                      f"moatd {name}: roles {n.get('local_role')}/{n.get('remote_role')}, want {local}/{remote}")
                check(n.get("role_strict") is False, f"moatd {name}: role_strict {n.get('role_strict')}")
                check(("role" in n["capabilities"]["negotiated"]) == (remote is not None),
                      f"moatd {name}: negotiated capabilities {n['capabilities']['negotiated']}")
            text = moat.ctl("show", "bgp", "neighbors", addr["prov1"])
            check("Local role customer, remote role provider" in text, f"moatd text output:\n{text}")
            for name, want in (("prov1", "customer"), ("cust1", "provider"), ("lateral", "peer")):
                t = bird_of[name].protocol(name)
                neigh = t.split("Neighbor capabilities", 1)[-1]
                check(f"Role: {want}" in neigh, f"BIRD {name} does not see moatd's role {want}:\n{t}")

        suite.case("roles shown by moatd (text and JSON) and by BIRD", shown)

        def received(name, prefix):
            return bird_of[name].routes("protocol", name).get(prefix)

        def otc_of(block):
            for line in block.splitlines():
                if "BGP.otc:" in line:
                    return int(line.split(":", 1)[1])
            return None

        def ingress():
            # moatd's Loc-RIB: both provider routes carry OTC = the provider's AS.
            for prefix, asn in ((FROM_UP, 65001), (FROM_PLAIN, 65005)):
                doc = wait_for(lambda p=prefix: (lambda d: d if d.get("routes") else None)(
                    moat.json("show", "bgp", "ipv4", "unicast", p)), 15, f"{prefix} at moatd")
                best = [r for r in doc["routes"] if r["best"]]
                check(len(best) == 1 and best[0]["otc"] == asn, f"{prefix} at moatd: {doc}")
            # The route from the provider without roles arrived without OTC: moatd added it.
            rec = moat.json("show", "bgp", "neighbors", addr["prov_norole"], "received-routes")
            got = [r for r in rec["routes"] if r["prefix"] == FROM_PLAIN]
            check(got and got[0]["otc"] is None, f"received from plain: {rec}")

        suite.case("ingress: provider routes get OTC (65001 by BIRD, 65005 added by moatd)", ingress)

        def to_customer():
            want = {FROM_UP: 65001, FROM_PLAIN: 65005, OWN: MOAT_AS}
            for name in ("cust1", "cust_norole"):
                for prefix, asn in want.items():
                    block = wait_for(lambda n=name, p=prefix: received(n, p), 15, f"{prefix} at {name}")
                    check(otc_of(block) == asn, f"{name}: {prefix} OTC {otc_of(block)}, want {asn}:\n{block}")

        suite.case("egress to a customer: provider routes with their OTC, our route with OTC 65000", to_customer)

        def leak():
            doc = wait_for(lambda: (lambda d: d if d.get("routes") else None)(
                moat.json("show", "bgp", "ipv4", "unicast", LEAK)), 15, f"{LEAK} at moatd")
            r = doc["routes"]
            check(len(r) == 1 and r[0]["rejected"] and r[0]["reason"] == "role-leak" and not r[0]["best"],
                  f"{LEAK} from a customer with OTC 64999 must be rejected as role-leak: {doc}")
            n = moat.neighbor(addr["cust_norole"])
            check(n["prefixes"]["received_ipv4"] == 1 and n["prefixes"]["accepted_ipv4"] == 0,
                  f"cust_plain counters: {n['prefixes']}")

        suite.case("ingress: a route with OTC from a customer is a leak, kept as rejected (role-leak)", leak)

        def to_provider_and_peer():
            for name in ("lateral", "lateral_norole"):
                block = wait_for(lambda n=name: received(n, OWN), 15, f"our route at {name}")
                check(otc_of(block) == MOAT_AS, f"{name}: {OWN} OTC {otc_of(block)}:\n{block}")
            block = wait_for(lambda: received("prov2", OWN), 15, "our route at the second provider")
            check(otc_of(block) is None, f"provider: {OWN} must carry no OTC:\n{block}")
            # Everything is in by now (the customers got the provider routes
            # above); none of them went to a provider or a peer, and the leak
            # went nowhere.
            for name in UP:
                rt = bird_of[name].routes("protocol", name)
                for prefix, source in ((FROM_UP, "prov1"), (FROM_PLAIN, "prov_norole"), (LEAK, "cust_norole")):
                    if name == source or (name.startswith("cust") and prefix != LEAK):
                        continue
                    check(prefix not in rt, f"{prefix} leaked to {name}:\n{rt.get(prefix)}")
            for name in ("prov2", "lateral", "lateral_norole"):
                n = moat.neighbor(addr[name])
                check(n["prefixes"]["advertised_ipv4"] == 1, f"moatd advertises {n['prefixes']} to {name}")

        suite.case("egress to a provider and a peer: provider routes withheld (leak prevention)", to_provider_and_peer)

        def refused(name, moat_sends, moat_receives):
            def seen():
                n = moat.neighbor(addr[name])
                hits = []
                for key, want in (("last_notification_sent", moat_sends), ("last_notification_received", moat_receives)):
                    rec = n.get(key)
                    if want:
                        if not rec or (rec["code"], rec["subcode"]) != (2, 11):
                            return None
                        hits.append(rec["description"])
                return n, hits

            n, hits = wait_for(seen, 20, f"Role Mismatch at moatd for {name}")
            check(all(h == "OPEN Message Error / Role Mismatch" for h in hits), f"{name}: {hits}")
            check(n["state"] != "established", f"{name} is established")
            text = wait_for(lambda: (lambda t: t if "Role mismatch" in t else None)(bird_of[name].protocol(name)),
                            10, f"BIRD {name} reports Role mismatch")
            check(name in bird_of[name].cmd("show", "protocols") and "Established" not in text,
                  f"BIRD {name} established:\n{text}")
            return text

        def both_provider():
            # Each side sees the other's OPEN, each refuses it.
            text = refused("both_prov", True, False)
            log = lab.log("bird_neg.log")
            check("both_prov: Error: Role mismatch" in log or "both_prov: Received: Role mismatch" in log,
                  f"BIRD log:\n{log[-2000:]}\n{text}")

        suite.case("provider against provider: refused, Role Mismatch at moatd and BIRD", both_provider)

        def strict():
            text = refused("moat_strict", True, False)
            check("Received: Role mismatch" in text or "Received: Role mismatch" in lab.log("bird_neg.log"),
                  f"BIRD did not receive moatd's Role Mismatch:\n{text}")

        suite.case("moatd strict against a BIRD without roles: Role Mismatch sent", strict)

        def require():
            refused("bird_require", False, True)
            n = moat.neighbor(addr["bird_require"])
            check(n.get("local_role") is None, f"require: local role {n.get('local_role')}")

        suite.case("BIRD `require roles` against moatd without a role: Role Mismatch received", require)

        def reload_role():
            # The strict neighbor without a role at BIRD: dropping `strict`
            # on reload resets only that session, which then comes up.
            before = {n: moat.neighbor(addr[n])["established_transitions"] for n in UP}
            with open(moat.conf) as f:
                text = f.read()
            old = f" neighbor {addr['moat_strict']} local-role customer strict\n"
            check(old in text, "moatd config has no strict line")
            with open(moat.conf, "w") as f:
                f.write(text.replace(old, f" neighbor {addr['moat_strict']} local-role customer\n"))
            moat.ctl("reload")
            wait_for(lambda: bird_of["moat_strict"].established("moat_strict"), 20, "moat_strict up after reload")
            moat.wait_established(addr["moat_strict"], 10)
            n = moat.neighbor(addr["moat_strict"])
            check(n["local_role"] == "customer" and not n["role_strict"] and n["remote_role"] is None,
                  f"after reload: {n['local_role']} {n['role_strict']} {n['remote_role']}")
            check("local-role customer strict -> customer" in moat.log(), "the reload did not log the role change")
            for name in UP:
                after = moat.neighbor(addr[name])["established_transitions"]
                check(after == before[name], f"{name} was reset by the reload ({before[name]} -> {after})")

        suite.case("reload: a role change resets that session only (strict dropped: it comes up)", reload_role)

        def alive():
            for name in UP:
                check(bird_of[name].established(name), f"{name} dropped")
            check(moat.alive(), "moatd died")

        suite.case("the other sessions stay up, moatd alive", alive)
        if suite.failed:
            lab.dump_logs()
    finally:
        lab.close(keep=bool(os.environ.get("MOAT_KEEP")))
    suite.finish()


if __name__ == "__main__":
    main()
