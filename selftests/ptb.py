#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ICMP "packet too big" errors about a live connection, for icmp_ptb.sh.

  ptb.py FAMILY PEER LOCAL PORT TIMEOUT

Run in the server's netns.  Imports scapy, then reads the TCP segments from PEER to LOCAL:PORT
on a raw socket (touches ./ptb.ready once listening) until the peer's data
segment and then its pure ACK (so the peer has our ACK of its data: its
SND.UNA = SND.NXT = the data's end).  Then sends, through a raw socket (the
sender's LOCAL_OUT hook sees them), four PTBs quoting a segment from PEER
to LOCAL:PORT, in this order, 0.2 s apart:

  valid       seq = SND.NXT, MTU 1000 (IPv4) or 1280 (IPv6)
  low_mtu     seq = SND.NXT, MTU 300 (IPv4) or 1000 (IPv6)
  out_of_win  seq = SND.NXT + 100000
  untracked   the peer's port + 1 (no such flow)

Prints "SND.NXT <n>" and one line per PTB sent.
"""
import select
import socket
import struct
import sys
import time


def wait_segments(family, peer, port, timeout):
    """SND.NXT of PEER once its data and then a pure ACK were seen."""
    fam = socket.AF_INET6 if family == "6" else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    open("ptb.ready", "w").close()
    end = time.monotonic() + timeout
    nxt = None
    while time.monotonic() < end:
        if not select.select([sock], [], [], end - time.monotonic())[0]:
            break
        pkt, addr = sock.recvfrom(65535)
        if addr[0] != peer:
            continue
        if family == "4":
            pkt = pkt[(pkt[0] & 0xf) * 4:]
        dport = struct.unpack("!H", pkt[2:4])[0]
        seq = struct.unpack("!I", pkt[4:8])[0]
        doff = (pkt[12] >> 4) * 4
        flags = pkt[13]
        if dport != port:
            continue
        payload = len(pkt) - doff
        if payload > 0 and not flags & 0x07:
            nxt = (seq + payload) & 0xffffffff
        elif nxt is not None and flags == 0x10 and payload == 0:
            return nxt, struct.unpack("!H", pkt[0:2])[0]
    sys.exit("ptb.py: no data segment and ACK from %s within %s s" % (peer, timeout))


def ptbs(family, peer, local, port, sport, nxt):
    from scapy.all import IP, IPv6, ICMP, TCP
    from scapy.layers.inet6 import ICMPv6PacketTooBig

    def quote(sp, seq):
        if family == "6":
            return IPv6(src=peer, dst=local) / TCP(sport=sp, dport=port, seq=seq, flags="A")
        return IP(src=peer, dst=local) / TCP(sport=sp, dport=port, seq=seq, flags="A")

    def ptb(mtu, q):
        if family == "6":
            return IPv6(src=local, dst=peer) / ICMPv6PacketTooBig(mtu=mtu) / q
        return IP(src=local, dst=peer) / ICMP(type=3, code=4, nexthopmtu=mtu) / q

    good, low = (1280, 1000) if family == "6" else (1000, 300)
    return [("valid", ptb(good, quote(sport, nxt))),
            ("low_mtu", ptb(low, quote(sport, nxt))),
            ("out_of_win", ptb(good, quote(sport, (nxt + 100000) & 0xffffffff))),
            ("untracked", ptb(good, quote(sport + 1, nxt)))]


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    family, peer, local, port, timeout = sys.argv[1:]
    # scapy first: importing it takes seconds under TCG, longer than the
    # peer may hold its connection.
    if family == "6":
        from scapy.layers.inet6 import L3RawSocket6 as Sock
    else:
        from scapy.supersocket import L3RawSocket as Sock
    sock = Sock()
    ptbs(family, peer, local, int(port), 0, 0)
    nxt, sport = wait_segments(family, peer, int(port), float(timeout))
    print("SND.NXT", nxt, flush=True)
    for kind, pkt in ptbs(family, peer, local, int(port), sport, nxt):
        sock.send(pkt)
        print(kind, flush=True)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
