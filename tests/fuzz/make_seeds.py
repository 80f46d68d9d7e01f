#!/usr/bin/env python3
"""Writes the seed corpus (tests/fuzz/corpus/<target>/) from the codec test
fixtures. Run it again after changing the seeds below; the output is committed."""
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "ff" * 16


def h(s):
    return bytes.fromhex(s.replace(" ", ""))


def msg(t, body):
    return h(MARKER) + (19 + len(body)).to_bytes(2, "big") + bytes([t]) + body


def rec(flags, body):
    """One record of fuzz_update_reuse: flags (context and what to do after), length, body."""
    return bytes([flags]) + len(body).to_bytes(2, "big") + body


def upd(withdrawn, attrs, nlri):
    return len(withdrawn).to_bytes(2, "big") + withdrawn + len(attrs).to_bytes(2, "big") + attrs + nlri


GOOD = h("40010100 4002060201 0000fde9 400304c0000201")
GOOD2 = h("40010100 40020402 01fde9 400304c0000201")
UPDATES = [
    (1, upd(h("080a"), GOOD, h("18c00002 19c6336480"))),
    (0, upd(b"", GOOD2 + h("c0 07 06 5ba0 c0000209 c0 11 06 02 01 00061a80 c0 12 08 00061a80 c0000209"), h("18c00002"))),
    (0, upd(b"", h("40010100 40020802 03fde8 5ba0 5ba0 c0110a 0202 00061a80 00061a81 400304c0000201"), h("10ac10"))),
    (1, upd(b"", h("900e002a 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 20 20010db8")
            + GOOD[:13], b"")),
    (1, upd(b"", h("900f0003 000201"), b"")),
    (1, upd(b"", b"", b"")),
    (5, upd(h("00000007 080a"), GOOD, h("00000001 18c00002 00000002 18c00002"))),
    (17, upd(b"", GOOD + h("40050400000064 80040400000001 40 06 00 c0070800 00fde8c0 000209"), h("18c00002"))),
    (17, upd(b"", GOOD + h("800904 0a000001 800a08 0a000002 0a000003"), h("18c00002"))),
    (1, upd(b"", GOOD + h("c0080 8fde80001 ffffff01 c01008 0002fde800000064 c0200c 0000fde8 00000001 00000002 c0230400 00fde8"), h("18c00002"))),
    (1, upd(b"", GOOD + h("e06302 0102 80630100"), h("18c00002"))),
    (1, upd(b"", GOOD + h("c00803 000102"), h("18c00002"))),
    (1, upd(b"", GOOD + h("40060101"), h("18c00002"))),
    (1, upd(b"", h("40010103") + GOOD[4:], h("18c00002"))),
    (1, upd(b"", GOOD + h("40630100"), h("18c00002"))),
    (1, upd(b"", GOOD, h("21c000020101"))),
    (1, h("0000 00ff 40010100")),
    # RFC 9234 OTC: well-formed, Partial, extended length; malformed (treat-as-withdraw)
    (1, upd(b"", GOOD + h("e0230400 00fde8 d0230004 0000fde9"), h("18c00002"))),
    (1, upd(b"", GOOD + h("c02303 00fde9"), h("18c00002"))),
    (1, upd(b"", GOOD + h("802304 0000fde9"), h("18c00002"))),
    (1, upd(b"", GOOD + h("c02300"), h("18c00002"))),
    (9, upd(b"", h("900e0019 0002 01 10 20010db8000000000000000000000001 00 20 20010db8 900f0009 0002 01 00000001 30 20010db8 0001"), b"")),
]
OPENS = [
    h("04 fde9 005a c0000201 2d 02 2b 01 04 0001 00 01 01 04 0002 00 01 02 00 46 00 06 00 41 04 0000fde9"
      " 40 06 8078 0001 01 80 45 04 0001 01 03 09 01 03 80 00"),
    h("04 fde9 00b4 0a000001 00"),
    h("04 fde9 005a c0000201 ff ff 000f 02 000c 01 04 0002 00 01 41 04 0000fde9"),
    h("03 fde9 005a c0000201 00"),
    h("04 fde9 0001 c0000201 00"),
    h("04 fde9 005a c0000201 03 01 01 00"),
    h("04 5ba0 005a c0000201 08 02 06 41 04 00061a80"),
    # RFC 9234 Role capability: each role, repeated, conflicting, unknown value, bad length
    h("04 fde9 005a c0000201 05 02 03 09 01 00"),
    h("04 fde9 005a c0000201 05 02 03 09 01 02"),
    h("04 fde9 005a c0000201 0a 02 03 09 01 04 02 03 09 01 04"),
    h("04 fde9 005a c0000201 08 02 06 09 01 03 09 01 01"),
    h("04 fde9 005a c0000201 05 02 03 09 01 07"),
    h("04 fde9 005a c0000201 06 02 04 09 02 0300"),
    h("04 fde9 005a c0000201 04 02 02 09 00"),
]
NOTIFICATIONS = [h("06 02 03 627965"), h("06 01 0002 01 000003e8"), h("03 02 40630100"), h("04 00"),
                 h("06 04 07 c3a9 74 c3a9 2121"), h("01 02 0012"), h("06 02 05 6162")]
REFRESHES = [h("0001 00 01"), h("0002 01 01"), h("0002 02 01"), h("0001 00"), h("0019 00 46")]


def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


for ctx, body in UPDATES:
    write("fuzz_update", bytes([ctx]) + body)
    write("fuzz_message", bytes([ctx]) + msg(2, body))
for body in OPENS:
    write("fuzz_open", body)
    write("fuzz_message", b"\x01" + msg(1, body))
for body in NOTIFICATIONS:
    write("fuzz_notification", body)
    write("fuzz_message", b"\x00" + msg(3, body))
for body in REFRESHES:
    write("fuzz_route_refresh", body)
    write("fuzz_message", b"\x00" + msg(5, body))
write("fuzz_message", b"\x01" + msg(4, b"") + msg(4, b"") + msg(2, UPDATES[0][1]))

# fuzz_update_reuse: runs of the UPDATE seeds through one decoder, forwards
# with the context of each, backwards with the decoded Update disturbed
# (attributes moved out, prefixes moved out, junk left, all three).
for k, i in enumerate(range(0, len(UPDATES), 4)):
    run = UPDATES[i:i + 4]
    write("fuzz_update_reuse", b"".join(rec(ctx, body) for ctx, body in run))
    flags = (0x20, 0x40, 0x80, 0xe0)[k % 4]
    write("fuzz_update_reuse", b"".join(rec(ctx | flags, body) for ctx, body in reversed(run)))
# The biggest UPDATE between each of the others, and a session that comes back
# with other capabilities (ADD-PATH, then none, then iBGP) on the same decoder.
write("fuzz_update_reuse", b"".join(rec(1, UPDATES[9][1]) + rec(ctx, body) for ctx, body in UPDATES[:8]))
write("fuzz_update_reuse", rec(5, UPDATES[6][1]) + rec(1, UPDATES[0][1]) + rec(17, UPDATES[7][1]) + rec(9, UPDATES[21][1]))
