#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed TCP segments for the selftests.

  craft.py send SRC DST       build the malformed segments with scapy, send
                              each through a raw socket (so it crosses the
                              sender's LOCAL_OUT hook), print one line per
                              segment: "<kind> <hex of what the receiver's
                              raw socket must read>"
  craft.py recv FAMILY COUNT TIMEOUT
                              read COUNT packets from raw IPPROTO_TCP sockets
                              (FAMILY 4 or 6) and print each one's hex; touch
                              ./recv.ready once listening

An IPv4 raw socket reads the whole IP packet; an IPv6 one reads what follows
the IPv6 header.  Either sees a packet only after LOCAL_IN let it through.
"""
import os
import select
import socket
import sys

TRUNC = b"\x13\x89\x13\x89\x00\x00\x00\x00"	# 8 bytes: ports + half a seq


def segments(src, dst):
    from scapy.all import IP, IPv6, TCP, Raw
    if ":" in dst:
        ip = IPv6(src=src, dst=dst, nh=6)
    else:
        ip = IP(src=src, dst=dst, id=0x4242, proto=6)
    return [("truncated", ip / Raw(TRUNC)),
            ("doff_past_end", ip / TCP(sport=5001, dport=5001, dataofs=15, flags="S")),
            ("doff_below_5", ip / TCP(sport=5001, dport=5001, dataofs=2, flags="A"))]


def send(src, dst):
    if ":" in dst:
        from scapy.layers.inet6 import L3RawSocket6 as Sock
    else:
        from scapy.supersocket import L3RawSocket as Sock
    sock = Sock()
    for kind, pkt in segments(src, dst):
        raw = bytes(pkt)
        sock.send(pkt)
        print(kind, (raw[40:] if ":" in dst else raw).hex(), flush=True)


def recv(family, count, timeout):
    fam = socket.AF_INET6 if family == "6" else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    open("recv.ready", "w").close()
    for _ in range(count):
        if not select.select([sock], [], [], timeout)[0]:
            sys.exit("craft.py: timed out waiting for a packet")
        print(sock.recv(65535).hex(), flush=True)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
