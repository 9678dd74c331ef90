#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Blind attacks on a live connection (RFC 5961), for blind_rst.sh and inject.sh.

  blind.py DIR IFACE PORT TIMEOUT JOB...
  JOB: MODE,FAMILY,CLIENT,SERVER   (MODE: rst, reset or inject; FAMILY: 4 or 6)

Run in the client's netns.  Imports scapy, then opens a packet socket on
IFACE (the client's link to the server), which sees both directions, and
sends its forged segments there, below IP: they never pass through the
client's own stack or filters.  The jobs run one after the other, each on
one new connection from CLIENT to SERVER:PORT.  For job N (0, 1, ...):

  DIR/N.ready   touched once the socket listens for the job's connection
  DIR/N.go      (reset only) awaited before the attack
  DIR/N.out     the job's report, "key=value" lines, written when it ends

Each job follows the connection from its SYN (the server's window scale)
through one data segment each way until the client's pure ACK of the
server's data.  The server then has RCV.NXT = its last ACK, a window W =
its last window field << scale, and nothing in flight.  Segments "from the
client" are then forged with offsets from RCV.NXT:

rst     12 RSTs: 5 in the window (1, 100, W/4, W/2, W - 2^scale - 1), each
        awaited until the server's challenge ACK (a pure ACK repeating its
        SND.NXT and RCV.NXT), and 7 outside it (-1000, -1, W + 1, W + 1000,
        2^20, 2^30, 2^31), each followed by 0.3 s of listening.
reset   after DIR/N.go (the test made the client's socket go away without
        telling the server): one RST at W/2, then the server's challenge ACK
        and the client kernel's answer to it (an RST at RCV.NXT) awaited.
inject  6 data segments: out of the window (seq W + 1, 2^30, W + 1000, and
        one ending 65535 << scale + 1000 bytes before RCV.NXT) with a valid
        ACK, each awaited until the server's duplicate ACK, and at RCV.NXT
        with an ACK of data the server never sent (its SND.NXT + 1000,
        + 2^20), each followed by 0.3 s of listening.  In this order: out,
        unsent, out, unsent, out, out.

Every line of the report is "what key=value...", ending with one "result"
line.  "client_quiet=1" there says the client sent nothing while the job
forged (the test's hold was long enough); "unexpected" counts the server's
segments that were not the awaited answers.
"""
# scapy first: importing it takes seconds under TCG.
from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether

import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 3
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
M32 = 0xffffffff
QUIET_S = 0.3		# listening after a segment that gets no answer
ANSWER_S = 5.0		# the longest wait for an awaited answer


def add(a, b):
    return (a + b) & M32


def after(a, b):
    """Sequence number @a comes after @b."""
    return 0 < ((a - b) & M32) < 1 << 31


class Seg:
    """One TCP segment seen on the link."""

    def __init__(self, frame):
        self.ok = False
        if len(frame) < 14:
            return
        etype = struct.unpack("!H", frame[12:14])[0]
        self.dmac, self.smac = frame[0:6], frame[6:12]
        ip = frame[14:]
        if etype == 0x0800 and len(ip) >= 20 and ip[9] == 6:
            ihl = (ip[0] & 0xf) * 4
            total = struct.unpack("!H", ip[2:4])[0]
            self.src = socket.inet_ntop(socket.AF_INET, ip[12:16])
            self.dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
            tcp = ip[ihl:total]
        elif etype == 0x86dd and len(ip) >= 40 and ip[6] == 6:
            plen = struct.unpack("!H", ip[4:6])[0]
            self.src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
            self.dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
            tcp = ip[40:40 + plen]
        else:
            return
        if len(tcp) < 20:
            return
        (self.sport, self.dport, self.seq, self.ack, off, self.flags,
         self.win) = struct.unpack("!HHIIBBH", tcp[0:16])
        doff = (off >> 4) * 4
        self.len = len(tcp) - doff
        self.wscale = None
        opts = tcp[20:doff]
        i = 0
        while i < len(opts):
            kind = opts[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            if i + 1 >= len(opts) or opts[i + 1] < 2:
                break
            if kind == 3 and opts[i + 1] == 3 and i + 2 < len(opts):
                self.wscale = min(opts[i + 2], 14)
            i += opts[i + 1]
        self.ok = True

    def end(self):
        """The sequence number after this segment."""
        return add(self.seq, self.len + (1 if self.flags & SYN else 0) +
                   (1 if self.flags & FIN else 0))

    def pure_ack(self):
        return self.flags & (SYN | FIN | RST | ACK) == ACK and self.len == 0


class Job:
    def __init__(self, sock, spec, port, deadline, report):
        mode, fam, self.client, self.server = spec.split(",")
        self.mode, self.six, self.port = mode, fam == "6", port
        self.sock, self.deadline, self.report = sock, deadline, report
        self.cport = None
        self.forged = set()	# (seq, ack, flags, len) of what we sent
        self.client_quiet = True
        self.unexpected = 0

    # --- the link --------------------------------------------------------

    def next_seg(self, until):
        """The next segment of this connection before monotonic @until."""
        while True:
            left = min(until, self.deadline) - time.monotonic()
            if left <= 0:
                return None
            if not select.select([self.sock], [], [], left)[0]:
                return None
            seg = Seg(self.sock.recv(65535))
            if not seg.ok:
                continue
            if (seg.src, seg.dst, seg.dport) == (self.client, self.server, self.port):
                seg.from_client = True
                if seg.flags & SYN and not seg.flags & ACK:
                    self.cport = seg.sport
                elif seg.sport != self.cport:
                    continue
                if (seg.seq, seg.ack, seg.flags, seg.len) in self.forged:
                    continue
            elif (seg.src, seg.dst, seg.sport) == (self.server, self.client, self.port):
                if self.cport is None or seg.dport != self.cport:
                    continue
                seg.from_client = False
            else:
                continue
            self.track(seg)
            return seg

    def track(self, seg):
        if seg.from_client:
            if seg.flags & SYN:
                self.c_wscale = seg.wscale
                self.c_nxt = seg.end()
            elif after(seg.end(), self.c_nxt):
                self.c_nxt = seg.end()
            self.c_last = seg
        else:
            if seg.flags & SYN:
                self.s_wscale = seg.wscale
                self.s_nxt = seg.end()
            else:
                if seg.flags & ACK and not seg.flags & RST:
                    self.s_ack = seg.ack
                    self.s_win = seg.win
                if after(seg.end(), self.s_nxt):
                    self.s_nxt = seg.end()
            self.cmac, self.smac = seg.dmac, seg.smac

    def scale(self):
        """The server's receive window scale, 0 if not negotiated."""
        if self.c_wscale is None or self.s_wscale is None:
            return 0
        return self.s_wscale

    def window(self):
        return self.s_win << self.scale()

    def send(self, seq, ack, flags, payload=b""):
        if self.six:
            ip = IPv6(src=self.client, dst=self.server, hlim=64)
        else:
            ip = IP(src=self.client, dst=self.server, ttl=64)
        tcp = TCP(sport=self.cport, dport=self.port, seq=seq, ack=ack,
                  flags=flags, window=self.c_last.win)
        pkt = Ether(src=self.cmac, dst=self.smac) / ip / tcp
        if payload:
            pkt = pkt / payload
        self.forged.add((seq, ack, flags, len(payload)))
        self.sock.send(bytes(pkt))

    def listen(self, secs, want=None):
        """Segments for @secs (or until one satisfies @want, returned)."""
        until = time.monotonic() + secs
        while True:
            seg = self.next_seg(until)
            if seg is None:
                return None
            if seg.from_client:
                if want and want(seg):
                    return seg
                self.client_quiet = False
                self.report("client_segment flags=0x%02x seq=%d len=%d" %
                            (seg.flags, seg.seq, seg.len))
                continue
            if want and want(seg):
                return seg
            self.unexpected += 1
            self.report("unexpected flags=0x%02x seq=%d ack=%d len=%d" %
                        (seg.flags, seg.seq, seg.ack, seg.len))

    def dup_ack(self, seg):
        """The server's pure ACK repeating its SND.NXT and RCV.NXT."""
        return (not seg.from_client and seg.pure_ack() and
                seg.seq == self.s_nxt and seg.ack == self.s_ack)

    # --- the connection up to the attack ----------------------------------

    def follow(self):
        """Until the client's pure ACK of the server's data."""
        self.c_wscale = self.s_wscale = None
        c_data = s_data = False
        synack = False
        while True:
            seg = self.next_seg(self.deadline)
            if seg is None:
                sys.exit("blind.py: %s: no complete exchange within the time limit"
                         % self.mode)
            if not seg.from_client and seg.flags & SYN:
                synack = True
            elif seg.from_client and seg.len:
                c_data = True
            elif not seg.from_client and seg.len:
                s_data = True
            elif (seg.from_client and synack and c_data and s_data and
                  seg.pure_ack() and seg.ack == self.s_nxt):
                break
        w = self.window()
        self.report("conn cport=%d rcv_nxt=%d snd_nxt=%d win=%d scale=%d window=%d"
                    % (self.cport, self.s_ack, self.s_nxt, self.s_win,
                       self.scale(), w))
        if self.s_ack != self.c_nxt:
            sys.exit("blind.py: server's RCV.NXT %d is not the client's SND.NXT %d"
                     % (self.s_ack, self.c_nxt))
        if w < 4096 or w + 1000 >= 1 << 20:
            sys.exit("blind.py: window %d out of the range the offsets assume" % w)

    # --- the attacks --------------------------------------------------------

    def rst(self):
        ins = lambda w: [1, 100, w // 4, w // 2, w - (1 << self.scale()) - 1]
        outs = lambda w: [-1000, -1, w + 1, w + 1000, 1 << 20, 1 << 30, 1 << 31]
        plan = ["out0", "in0", "out1", "in1", "out2", "in2", "out4", "in3",
                "out3", "in4", "out5", "out6"]
        n_in = n_out = challenges = 0
        for p in plan:
            w = self.window()
            rel = (ins if p[:2] == "in" else outs)(w)[int(p[-1])]
            seq = add(self.s_ack, rel)
            self.send(seq, 0, RST)
            if p[:2] == "in":
                n_in += 1
                got = self.listen(ANSWER_S, self.dup_ack)
                challenges += got is not None
                answer = "challenge" if got else "none"
            else:
                n_out += 1
                self.listen(QUIET_S)
                answer = "-"
            self.report("rst class=%s rel=%d seq=%d window=%d answer=%s"
                        % (p[:-1], rel, seq, w, answer))
        self.report("result in=%d out=%d challenges=%d unexpected=%d client_quiet=%d"
                    % (n_in, n_out, challenges, self.unexpected,
                       self.client_quiet))

    def reset(self, go):
        while not os.path.exists(go):
            if time.monotonic() > self.deadline:
                sys.exit("blind.py: reset: %s never came" % go)
            time.sleep(0.05)
        w = self.window()
        seq = add(self.s_ack, w // 2)
        self.send(seq, 0, RST)
        got = self.listen(ANSWER_S, self.dup_ack)
        rst = None
        if got:
            rst = self.listen(ANSWER_S, lambda s: s.from_client and s.flags & RST)
        self.report("rst class=in rel=%d seq=%d window=%d answer=%s"
                    % (w // 2, seq, w, "challenge" if got else "none"))
        if rst:
            self.report("client_rst seq=%d flags=0x%02x" % (rst.seq, rst.flags))
        exact = rst is not None and rst.seq == self.s_ack
        self.report("result challenges=%d client_rst=%d exact=%d unexpected=%d"
                    % (got is not None, rst is not None, exact, self.unexpected))

    def inject(self):
        ws = max(self.scale(), self.c_wscale or 0)
        old = -((65535 << ws) + 1000 + 6)
        plan = [("out", lambda w: w + 1), ("unsent", 1000),
                ("out", lambda w: 1 << 30), ("unsent", 1 << 20),
                ("out", lambda w: w + 1000), ("out", lambda w: old)]
        n_out = n_unsent = dupacks = 0
        for i, (kind, arg) in enumerate(plan):
            payload = b"EVIL%d\n" % i
            w = self.window()
            if kind == "out":
                rel = arg(w)
                seq, ack = add(self.s_ack, rel), self.s_nxt
                self.send(seq, ack, PSH | ACK, payload)
                n_out += 1
                got = self.listen(ANSWER_S, self.dup_ack)
                dupacks += got is not None
                self.report("data class=out rel=%d seq=%d ack=%d window=%d answer=%s"
                            % (rel, seq, ack, w, "dupack" if got else "none"))
            else:
                seq, ack = self.s_ack, add(self.s_nxt, arg)
                self.send(seq, ack, PSH | ACK, payload)
                n_unsent += 1
                self.listen(QUIET_S)
                self.report("data class=unsent seq=%d ack=%d snd_nxt=%d window=%d"
                            % (seq, ack, self.s_nxt, w))
        self.report("result out=%d unsent=%d dupacks=%d unexpected=%d client_quiet=%d"
                    % (n_out, n_unsent, dupacks, self.unexpected,
                       self.client_quiet))


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    out_dir, iface, port, timeout = sys.argv[1:5]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    # Build one packet now: scapy's first build is slow too.
    bytes(Ether() / IP() / TCP())
    for n, spec in enumerate(sys.argv[5:]):
        lines = []

        def report(line):
            lines.append(line)

        # What the link carried before this job is not ours.
        while select.select([sock], [], [], 0)[0]:
            sock.recv(65535)
        job = Job(sock, spec, int(port), time.monotonic() + float(timeout), report)
        open(os.path.join(out_dir, "%d.ready" % n), "w").close()
        try:
            job.follow()
            if job.mode == "rst":
                job.rst()
            elif job.mode == "reset":
                job.reset(os.path.join(out_dir, "%d.go" % n))
            else:
                job.inject()
        finally:
            tmp = os.path.join(out_dir, "%d.tmp" % n)
            with open(tmp, "w") as f:
                f.write("".join(l + "\n" for l in lines))
            os.rename(tmp, os.path.join(out_dir, "%d.out" % n))


if __name__ == "__main__":
    main()
