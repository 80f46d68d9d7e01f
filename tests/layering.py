#!/usr/bin/env python3
"""The layers of Moat (docs/architecture.md) as a test: every #include "..."
of a product source must name a header of its own layer or of one below it.

  bgpd/wire   the codec                   -> bgpd/wire
  rtr         RPKI                        -> rtr, bgpd/wire
  rib         RIBs, import chain, policy  -> rib, rtr, bgpd/wire
  fib         the kernel's tables         -> fib, rib, rtr, bgpd/wire
  bgpd        sessions, routing, daemon   -> everything but cli (main.cpp, the composition root, may)
  cli         commands, control socket    -> everything

Run with a source root (default: the repository this file is in); prints each
upward include and exits 1 if there is one. `--self-test` checks that the
rules catch what they must."""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

# (layer, the prefixes its files may include); the first matching layer wins.
RULES = [
    ("bgpd/wire/", ["bgpd/wire/"]),
    ("rtr/", ["rtr/", "bgpd/wire/"]),
    ("rib/", ["rib/", "rtr/", "bgpd/wire/"]),
    ("fib/", ["fib/", "rib/", "rtr/", "bgpd/wire/"]),
    ("bgpd/", ["bgpd/", "fib/", "rib/", "rtr/"]),
    ("cli/", ["cli/", "bgpd/", "fib/", "rib/", "rtr/"]),
]
ROOTS_OK = {"bgpd/main.cpp"}  # the daemon's main wires every layer together

# Inside bgpd: the FSM is pure (its states and the codec only), and the
# session and the peer see the session types, not the CLI's Control interface
# and the RIB/RPKI read models behind it.
NARROW = [
    ("bgpd/fsm.", ["bgpd/session_types.hpp", "bgpd/wire/", "bgpd/fsm.hpp"]),
]
NOT_HERE = [
    (("bgpd/session.", "bgpd/peer."), ["bgpd/control.hpp", "bgpd/routing.hpp", "bgpd/rpki.hpp"]),
]


def layer_of(path):
    for layer, allowed in RULES:
        if path.startswith(layer):
            return layer, allowed
    return None, None


def violations(files):
    """files: {repository path: text}. Yields (path, line number, included)."""
    for path, text in sorted(files.items()):
        layer, allowed = layer_of(path)
        if layer is None or path in ROOTS_OK:
            continue
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            if "/" not in inc:
                continue  # a file next to it
            line = text.count("\n", 0, m.start()) + 1
            if not any(inc.startswith(a) for a in allowed):
                yield path, line, inc
                continue
            for prefix, only in NARROW:
                if path.startswith(prefix) and not any(inc.startswith(a) for a in only):
                    yield path, line, inc
            for prefixes, banned in NOT_HERE:
                if path.startswith(prefixes) and inc in banned:
                    yield path, line, inc


def read_tree(root):
    files = {}
    for top in ("bgpd", "rtr", "rib", "fib", "cli"):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".hpp", ".cpp", ".h")):
                    p = os.path.join(d, n)
                    with open(p, encoding="utf-8", errors="replace") as f:
                        files[os.path.relpath(p, root)] = f.read()
    return files


def self_test():
    bad = {
        "bgpd/wire/x.cpp": '#include "rib/rib.hpp"\n',
        "rib/x.hpp": '#include "bgpd/config.hpp"\n',
        "rtr/x.cpp": '#include "rib/peer.hpp"\n',
        "bgpd/fsm.hpp": '#include "cli/show.hpp"\n',
        "bgpd/fsm.cpp": '#include "bgpd/config.hpp"\n',
        "bgpd/session.hpp": '#include "bgpd/control.hpp"\n',
        "bgpd/peer.cpp": '#include "bgpd/routing.hpp"\n',
    }
    good = {
        "bgpd/wire/y.cpp": '#include "bgpd/wire/codec.hpp"\n#include "bytes.hpp"\n',
        "rib/y.hpp": '#include "bgpd/wire/types.hpp"\n#include "rtr/roa_source.hpp"\n',
        "bgpd/main.cpp": '#include "cli/server.hpp"\n',
        "cli/y.cpp": '#include "bgpd/control.hpp"\n',
        "bgpd/fsm.cpp": '#include "bgpd/fsm.hpp"\n#include "bgpd/session_types.hpp"\n',
        "bgpd/peer.hpp": '#include "bgpd/peer_view.hpp"\n',
    }
    found = {v[0] for v in violations(bad)}
    assert found == set(bad), f"missed: {set(bad) - found}"
    assert not list(violations(good)), list(violations(good))


def main():
    self_test()
    args = [a for a in sys.argv[1:] if a != "--self-test"]
    if "--self-test" in sys.argv[1:]:
        print("1 passed, 0 failed")
        return 0
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    files = read_tree(root)
    bad = list(violations(files))
    for path, line, inc in bad:
        print(f"{path}:{line}: includes {inc}, above it or outside what it may see (docs/architecture.md)")
    print(f"layering: {len(files)} files, {len(bad)} upward includes")
    print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
