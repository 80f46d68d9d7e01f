#!/usr/bin/env python3
"""Writes the leak replay's route files for moat-feeder --routes:
customer.routes (AS396531: its own prefixes and the leak) and
upstream.routes (AS3356: Cloudflare's 104.20.0.0/20). Usage: routes.py DIR [N]"""
import ipaddress
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
LEAK_PATH = "396531 33154 3356 13335"
with open(f"{out}/customer.routes", "w") as f:
    f.write("# AS396531's own prefixes (stand-ins)\n")
    for p in ("45.42.0.0/22", "45.42.4.0/22", "45.42.8.0/23"):
        f.write(f"{p} 396531\n")
    f.write("# the leak: more-specifics made up in AS33154, passed on by AS396531\n")
    f.write(f"104.20.0.0/21 {LEAK_PATH}\n104.20.8.0/21 {LEAK_PATH}\n")
    for i, net in enumerate(ipaddress.ip_network("104.16.0.0/12").subnets(new_prefix=24)):
        if i >= n:
            break
        f.write(f"{net} {LEAK_PATH}\n")
with open(f"{out}/upstream.routes", "w") as f:
    f.write("104.20.0.0/20 3356 13335\n")
