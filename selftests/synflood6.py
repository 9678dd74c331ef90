#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An IPv6 SYN flood from spoofed sources, for syn_flood.sh (hping3 has no IPv6).

  synflood6.py DST PORT SECONDS READY

Imports scapy first (seconds under TCG), then touches READY and sends SYNs
to [DST]:PORT for SECONDS seconds, as fast as it can, through a raw IPv6
socket (IPPROTO_RAW: the header is ours; the packets pass LOCAL_OUT like
hping3's).  Each SYN comes from its own random source in 2001:db8::/32
(the documentation prefix: no netns owns it) and a random port, with a
random sequence number.

scapy builds one template SYN; building each packet with scapy would cost
milliseconds under TCG, so the loop only patches the source, the port and
the sequence number into the template's bytes and computes the TCP
checksum itself.  The first packets are checked against scapy's own
checksum, and a mismatch ends the run with status 1.

Prints "sent=N seconds=S rate=R" at the end.
"""
import scapy.all as sc  # first: the slow part

import random
import socket
import struct
import sys
import time

PREFIX = bytes.fromhex("20010db8")


def ones_sum(data):
    """The 16-bit words of data, summed (not folded)."""
    return sum(struct.unpack("!%dH" % (len(data) // 2), data))


def main():
    dst, port, seconds, ready = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    template = bytes(sc.IPv6(src="2001:db8::1", dst=dst, hlim=64) /
                     sc.TCP(sport=1, dport=port, flags="S", seq=0, window=64240,
                            options=[("MSS", 1440)]))
    ip_head = template[:8]
    dst_bytes = socket.inet_pton(socket.AF_INET6, dst)
    tcp = bytearray(template[40:])
    tcp[0:2] = b"\0\0"          # source port: per packet
    tcp[4:8] = b"\0\0\0\0"      # sequence number: per packet
    tcp[16:18] = b"\0\0"        # checksum: per packet
    tcp_mid = bytes(tcp[8:16])  # ack, offset, flags, window
    tcp_tail = bytes(tcp[18:])  # urgent pointer, options
    # Everything the checksum covers that is the same in every packet:
    # the pseudo-header's destination, length and next header, the fixed
    # part of the TCP header and the source prefix.
    fixed = ones_sum(dst_bytes) + len(tcp) + 6 + ones_sum(bytes(tcp)) + ones_sum(PREFIX)

    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    open(ready, "w").close()

    rnd = random.getrandbits
    pack = struct.pack
    sent = 0
    start = time.monotonic()
    end = start + seconds
    while True:
        if sent % 64 == 0 and time.monotonic() >= end:
            break
        low = rnd(96)
        sport = 1024 + rnd(15)
        seq = rnd(32)
        src_low = low.to_bytes(12, "big")
        c = fixed + ones_sum(src_low) + sport + (seq >> 16) + (seq & 0xffff)
        c = (c & 0xffff) + (c >> 16)
        c = (c & 0xffff) + (c >> 16)
        c = ~c & 0xffff
        pkt = (ip_head + PREFIX + src_low + dst_bytes +
               pack("!HHI", sport, port, seq) + tcp_mid + pack("!H", c) + tcp_tail)
        if sent < 3:
            check = sc.IPv6(pkt)
            got = check[sc.TCP].chksum
            del check[sc.TCP].chksum
            want = sc.IPv6(bytes(check))[sc.TCP].chksum
            if got != want:
                print("checksum mismatch: ours %#x, scapy's %#x" % (got, want), flush=True)
                return 1
        sock.sendto(pkt, (dst, 0))
        sent += 1
    took = time.monotonic() - start
    print("sent=%d seconds=%.1f rate=%d" % (sent, took, sent / took), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
