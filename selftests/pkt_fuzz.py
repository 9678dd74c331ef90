#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed TCP/IP and ICMP packets for pkt_fuzz.sh, and what tcpclose
must count of them.

  pkt_fuzz.py gen [--seed S] [--count N] OUTDIR

writes, into OUTDIR (reused as is when OUTDIR/stamp matches seed, count and
this file's hash):

  frames.bin   the packets, in sending order: one record each, a byte
               naming the socket to send it on (SOCKETS below), a 16-bit
               big-endian length, then the bytes (an Ethernet frame for the
               packet sockets, an IP packet for the raw ones)
  expected     "KEY VALUE" lines: per netns (C client, R router, S server),
               the counter deltas tcpclose must show and the nft counts of
               each hook (see pkt_fuzz.sh)
  rx           sorted hashes of the IP packets the server's veth must
               receive (TTL, hop limit and IPv4 checksum zeroed), one a line
  summary      what was generated, per category

Every packet carries its category in its DSCP (1-63, per IP version), so
that nft counts what reached each hook, category by category.

The model below is an independent rewrite of the documented counting rules
(Documentation/counters.rst, the parsers of module/hooks.c and icmp.c, and
ipv6_find_hdr()), and of what the kernel's IP input drops before any hook
(ip_rcv, ip6_rcv, forwarding, IPv4 reassembly before LOCAL_IN).  The
packets are built as bytes with struct; scapy builds the templates
(TCP options, IPv6 extension headers, ICMP messages) they are cut from.
"""
import hashlib
import os
import random
import struct
import sys

# Addresses and MACs of pkt_fuzz.sh's topology (lib.sh topology_crs).
C4, R4C, R4S, S4 = "10.0.1.2", "10.0.1.1", "10.0.2.1", "10.0.2.2"
C6, R6C, S6 = "fd00:1::2", "fd00:1::1", "fd00:2::2"
MAC = {"C1": "02:00:00:00:01:02", "R1": "02:00:00:00:01:01",
       "R2": "02:00:00:00:02:01", "S2": "02:00:00:00:02:02"}
FLOW_CPORT = {4: 40000, 6: 40001}	# the held real connections
FLOW_SPORT = 5001

# Sockets of pkt_fuzz_io send, and the streams sent on them.
SOCKETS = ["C:veth1", "C:raw4", "C:raw6", "R:veth2", "R:veth1"]
STREAMS = {	# name: (socket, L2 dst, L2 src, v4 dst, v6 dst, src4, src6)
	"fwd":  (0, "R1", "C1", S4, S6, C4, C6),	# C -> R forward -> S in
	"rin":  (0, "R1", "C1", R4C, R6C, C4, C6),	# C -> R in
	"cout": (1, None, None, S4, S6, C4, C6),	# C out -> R fwd -> S in
	"sin":  (3, "S2", "R2", S4, S6, C4, C6),	# -> S in
	"cin":  (4, "C1", "R1", C4, C6, S4, S6),	# -> C in
}
STREAM_WEIGHTS = [("fwd", 60), ("cout", 12), ("rin", 12), ("sin", 10),
		  ("cin", 6)]

COUNTERS = ["seg_total", "seg_in", "seg_out", "seg_forward", "bad_header",
	    "fragment", "seg_syn", "seg_synack", "seg_fin", "seg_rst",
	    "seg_pure_ack", "seg_data", "ptb"]
EXT = {0, 43, 44, 51, 59, 60}	# ipv6_ext_hdr()


def csum(b):
	if len(b) & 1:
		b += b"\0"
	s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return (~s) & 0xffff


def a4(s):
	return bytes(int(x) for x in s.split("."))


def a6(s):
	import socket
	return socket.inet_pton(socket.AF_INET6, s)


def mac(name):
	return bytes(int(x, 16) for x in MAC[name].split(":"))


def fnv(b):
	h = 0xcbf29ce484222325
	for x in b:
		h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
	return h


# --- packet building --------------------------------------------------------

def ip4(src, dst, proto, payload, dscp, ttl=64, ident=1, flags=0, frag=0,
	opts=b"", ihl=None, tot_len=None, check=None, version=4):
	hl = 20 + len(opts)
	ihl = hl // 4 if ihl is None else ihl
	tl = hl + len(payload) if tot_len is None else tot_len
	h = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, dscp << 2, tl,
			ident, (flags << 13) | frag, ttl, proto, 0, a4(src),
			a4(dst)) + opts
	c = csum(h) if check is None else check
	return h[:10] + struct.pack("!H", c) + h[12:] + payload


def ip6(src, dst, nh, payload, dscp, hlim=64, plen=None, version=6,
	flow=0):
	pl = len(payload) if plen is None else plen
	first = (version << 28) | (dscp << 22) | flow
	return struct.pack("!IHBB16s16s", first, pl, nh, hlim, a6(src),
			   a6(dst)) + payload


def l4csum(src, dst, proto, seg, fam):
	if fam == 4:
		ph = a4(src) + a4(dst) + struct.pack("!BBH", 0, proto, len(seg))
	else:
		ph = a6(src) + a6(dst) + struct.pack("!IxxxB", len(seg), proto)
	return csum(ph + seg)


def tcp(sport, dport, flags, seq=0, ack=0, doff=5, opts=b"", data=b"",
	win=65535, src=None, dst=None, fam=4):
	"""A TCP header + options + data; doff may lie about the options."""
	h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (doff & 15) << 4,
			flags, win, 0, 0) + opts + data
	if src is not None:
		c = l4csum(src, dst, 6, h, fam)
		h = h[:16] + struct.pack("!H", c) + h[18:]
	return h


def templates():
	"""Pools of pieces built once with scapy."""
	from scapy.all import (TCP, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt,
			       IPv6ExtHdrRouting, PadN, Pad1, RouterAlert,
			       raw)
	opt_sets = [[("MSS", 1460)], [("WScale", 7)], [("SAckOK", b"")],
		    [("Timestamp", (1, 0))], [("NOP", None), ("WScale", 14)],
		    [("MSS", 536), ("NOP", None), ("WScale", 255),
		     ("SAckOK", b""), ("Timestamp", (0xffffffff, 1))],
		    [("SAck", (1, 2, 3, 4))], [("EOL", None)],
		    [("NOP", None)] * 7]
	tcpopts = []
	for o in opt_sets:
		b = raw(TCP(options=o))[20:]
		tcpopts.append(b)
	hbh = [raw(IPv6ExtHdrHopByHop(nh=6, options=[PadN(optdata=b"\0\0\0\0")])),
	       raw(IPv6ExtHdrHopByHop(nh=6, options=[RouterAlert(), PadN(optdata=b"")])),
	       raw(IPv6ExtHdrHopByHop(nh=6, options=[Pad1(), Pad1(), Pad1(), Pad1(),
						     Pad1(), Pad1()]))]
	dst = [raw(IPv6ExtHdrDestOpt(nh=6, options=[PadN(optdata=b"\0\0\0\0")]))]
	rt = [raw(IPv6ExtHdrRouting(nh=6, type=0, segleft=0, addresses=[])),
	      raw(IPv6ExtHdrRouting(nh=6, type=4, segleft=0, addresses=["fd00::1"])),
	      raw(IPv6ExtHdrRouting(nh=6, type=2, segleft=1, addresses=["fd00::1"])),
	      raw(IPv6ExtHdrRouting(nh=6, type=0, segleft=1, addresses=["fd00::1"]))]
	return {"tcpopts": tcpopts, "hbh": hbh, "dst": dst, "rt": rt}


def ext(kind, nh, body):
	"""Retarget an extension header blob at next header @nh."""
	return bytes([nh]) + body[1:]


# --- the model ---------------------------------------------------------------

def classify(flags, payload):
	cls = []
	if flags & 2:
		cls.append("seg_synack" if flags & 0x10 else "seg_syn")
	if flags & 1:
		cls.append("seg_fin")
	if flags & 4:
		cls.append("seg_rst")
	if payload:
		cls.append("seg_data")
	elif not cls and flags & 0x10:
		cls.append("seg_pure_ack")
	return cls


def tcp_count(seg, out):
	"""tcpclose_seg_count() on the TCP bytes @seg (to the skb's end)."""
	if len(seg) < 20:
		out["bad_header"] += 1
		return
	doff = seg[12] >> 4
	if doff < 5 or doff * 4 > len(seg):
		out["bad_header"] += 1
		return
	for c in classify(seg[13], len(seg) - doff * 4):
		out[c] += 1


def find_hdr(p, stop_at_ah=False):
	"""ipv6_find_hdr(skb, &off, -1, NULL, &flags): (nexthdr, off, frag),
	None for its errors (a header cut short, or longer than what is
	left).  nft passes IP6_FH_F_AUTH: its walk stops at an AH header."""
	nh, start, frag = p[6], 40, False
	while nh in EXT and nh != 59:
		if stop_at_ah and nh == 51:
			if start + 2 > len(p):
				return None
			break
		if start + 2 > len(p):
			return None
		hnh, hlen = p[start], p[start + 1]
		if nh == 43 and start + 4 > len(p):
			return None
		if nh == 44:
			frag = True
			if start + 4 > len(p):
				return None
			fo = struct.unpack("!H", p[start + 2:start + 4])[0] & ~7
			if fo:
				if hnh not in EXT or hnh == 59:
					return hnh, start, frag
				return None
			hdrlen = 8
		elif nh == 51:
			hdrlen = (hlen + 2) << 2
		else:
			hdrlen = (hlen + 1) << 3
		if len(p) - start < hdrlen:
			return None
		nh, start = hnh, start + hdrlen
	return nh, start, frag


def skip_exthdr(p, start, nh):
	"""ipv6_skip_exthdr(): (offset or -1, nexthdr, raw frag_off)."""
	fo = 0
	while nh in EXT:
		if nh == 59 or start + 2 > len(p):
			return -1, nh, fo
		hnh, hlen = p[start], p[start + 1]
		if nh == 44:
			if start + 4 > len(p):
				return -1, nh, fo
			fo = struct.unpack("!H", p[start + 2:start + 4])[0]
			if fo & ~7:
				break
			hdrlen = 8
		elif nh == 51:
			hdrlen = (hlen + 2) << 2
		else:
			hdrlen = (hlen + 1) << 3
		nh, start = hnh, start + hdrlen
	return start, nh, fo


def ptb4(p, off):
	if off + 28 > len(p) or p[off] != 3 or p[off + 1] != 4:
		return False
	i = off + 8
	if p[i] >> 4 != 4 or p[i] & 15 < 5 or p[i + 9] != 6:
		return False
	if struct.unpack("!H", p[i + 6:i + 8])[0] & 0x1fff:
		return False
	return i + (p[i] & 15) * 4 + 8 <= len(p)


def ptb6(p, off):
	if off + 48 > len(p) or p[off] != 2:
		return False
	t, nh, fo = skip_exthdr(p, off + 48, p[off + 8 + 6])
	if t < 0 or nh != 6 or fo & 0xfff8:
		return False
	return t + 8 <= len(p)


def hook_view(p, hook, out, nft):
	"""What tcpclose and nft count of IP packet @p (as the skb holds it
	at the hook: trimmed to its IP length) at @hook (in, out, fwd)."""
	v = p[0] >> 4
	vant = {"in": "seg_in", "out": "seg_out", "fwd": "seg_forward"}[hook]
	if v == 4:
		dscp = p[1] >> 2
		nft["%s.cat4.%d" % (hook, dscp)] += 1
		nft["%s.all" % hook] += 1
		ihl = (p[0] & 15) * 4
		isfrag = struct.unpack("!H", p[6:8])[0] & 0x3fff != 0
		if p[9] == 1 and not isfrag and ptb4(p, ihl):
			out["ptb"] += 1
		if p[9] != 6:
			return
		nft["%s.tcp" % hook] += 1
		out["seg_total"] += 1
		out[vant] += 1
		if isfrag:
			nft["%s.frag4" % hook] += 1
			out["fragment"] += 1
			return
		tcp_count(p[ihl:], out)
		return
	dscp = ((p[0] & 15) << 2) | (p[1] >> 6)
	nft["%s.cat6.%d" % (hook, dscp)] += 1
	nft["%s.all" % hook] += 1
	r = find_hdr(p, True)
	if r is not None and r[0] in (6, 51):	# nft: l4proto tcp, or ah
		nft["%s.tcp" % hook] += 1
	r = find_hdr(p)
	if r is None:
		return
	nh, off, frag = r
	if nh == 58 and not frag and ptb6(p, off):
		out["ptb"] += 1
	if nh != 6:
		return
	out["seg_total"] += 1
	out[vant] += 1
	if frag:
		nft["%s.frag6" % hook] += 1
		out["fragment"] += 1
		return
	tcp_count(p[off:], out)


def input_check(p, forward, opts_ok=True):
	"""ip_rcv / ip6_rcv (and ip_forward / ip6_forward when @forward):
	the packet as the next hook sees it, or None if dropped."""
	if len(p) < 1:
		return None
	if p[0] >> 4 == 4 and len(p) >= 20:
		ihl = (p[0] & 15) * 4
		if ihl < 20 or len(p) < ihl or csum(p[:ihl]) != 0:
			return None
		tl = struct.unpack("!H", p[2:4])[0]
		if tl > len(p) or tl < ihl or not opts_ok:
			return None
		if forward and p[8] <= 1:
			return None
		return p[:tl]
	if p[0] >> 4 == 6 and len(p) >= 40:
		pl = struct.unpack("!H", p[4:6])[0]
		if 40 + pl > len(p) or not opts_ok:
			return None
		if forward and p[7] <= 1:
			return None
		return p[:40 + pl]
	return None


def forwarded(p):
	"""What the router sends on: TTL / hop limit down by one."""
	b = bytearray(p)
	if p[0] >> 4 == 4:
		b[8] -= 1
		b[10:12] = b"\0\0"
		b[10:12] = struct.pack("!H", csum(bytes(b[:(b[0] & 15) * 4])))
	else:
		b[7] -= 1
	return bytes(b)


def tagged(p, fam):
	"""pkt_fuzz_io cap keeps the packets with a non-zero DSCP."""
	if len(p) < 2:
		return False
	if fam == 4:
		return p[1] >> 2 != 0
	return ((p[0] & 15) << 2 | p[1] >> 6) != 0


def norm(p, fam):
	"""pkt_fuzz_io cap's normalisation of an IP packet (by its link
	layer type, not its version), for the hash."""
	b = bytearray(p)
	if fam == 4 and len(b) >= 12:
		b[8] = b[10] = b[11] = 0
	elif fam == 6 and len(b) >= 8:
		b[7] = 0
	return bytes(b)


class Reasm:
	"""IPv4 reassembly before LOCAL_IN, for the fragment sets built here:
	a set given as complete reassembles into its original packet, an
	incomplete or overlapping one into nothing."""
	def __init__(self):
		self.sets = {}

	def add(self, p, meta):
		key = meta.get("fragset")
		if key is None:
			return p
		n = self.sets.get(key, 0) + 1
		self.sets[key] = n
		if meta.get("reasm") is not None and n == meta["nfrags"]:
			return meta["reasm"]
		return None


# --- the generator ------------------------------------------------------------

class Gen:
	def __init__(self, seed):
		self.r = random.Random(seed)
		self.t = templates()
		self.ident = 1
		self.cats = {4: [], 6: []}	# dscp - 1 -> category

	def cat(self, fam, name, fn, weight, raw_ok=True):
		self.cats[fam].append((name, fn, weight, raw_ok))

	def next_id(self):
		self.ident = self.ident % 65535 + 1
		return self.ident

	# random TCP segment pieces
	def flags(self):
		r = self.r.random()
		if r < 0.5:
			return self.r.randrange(256)
		return self.r.choice([0, 0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x18,
				      0x03, 0x07, 0x06, 0x05, 0x29, 0xff, 0x01,
				      0x3f, 0xc2])

	def ports(self, real, fam):
		if real:
			return FLOW_CPORT[fam], FLOW_SPORT
		return self.r.randrange(1, 65536), self.r.choice(
			[FLOW_SPORT, 80, 22, self.r.randrange(65536)])

	def data(self, hi=40):
		n = self.r.choice([0, 0, 1, self.r.randrange(hi + 1)])
		return bytes(self.r.getrandbits(8) for _ in range(n))

	def seqs(self):
		return self.r.getrandbits(32), self.r.getrandbits(32)

	def opts_bad(self):
		"""Bad, truncated or looping TCP options, a multiple of 4."""
		r = self.r
		k = r.randrange(8)
		if k == 0:	# window scale with a bad length
			o = bytes([3, r.choice([0, 1, 2, 4, 40, 255]),
				   r.randrange(256)])
		elif k == 1:	# kind 0/1 soup
			o = bytes(r.choice([0, 1]) for _ in range(r.randrange(1, 40)))
		elif k == 2:	# length 0 / 1 (a naive parser loops)
			o = bytes([r.choice([2, 3, 4, 8, 30, 254]),
				   r.choice([0, 1])]) + bytes(r.randrange(6))
		elif k == 3:	# length past the end
			o = bytes([r.choice([2, 3, 8, 5]), r.randrange(41, 256)])
		elif k == 4:	# option cut by the end of the header
			o = bytes([1, 1, 1, 3])
		elif k == 5:	# random bytes
			o = bytes(r.getrandbits(8) for _ in range(r.randrange(1, 41)))
		elif k == 6:	# a wscale after junk
			o = bytes([1, 30, 2, 3, 3, 14])
		else:		# a valid set from scapy, then junk
			o = r.choice(self.t["tcpopts"]) + bytes([3, 3, 200])
		o = o[:40]
		return o + bytes(-len(o) % 4)

	def tcp_malformed(self, fam, src, dst, kind, real):
		r = self.r
		sp, dp = self.ports(real, fam)
		seq, ack = self.seqs()
		fl = self.flags()
		if kind == "doff_low":
			return tcp(sp, dp, fl, seq, ack, doff=r.randrange(5),
				   data=self.data(), src=src, dst=dst, fam=fam)
		if kind == "doff_past":
			o = self.opts_bad()[:r.randrange(0, 40, 4)]
			doff = r.randrange(5 + len(o) // 4 + 1, 16)
			return tcp(sp, dp, fl, seq, ack, doff=doff, opts=o,
				   src=src, dst=dst, fam=fam)
		if kind == "trunc":
			b = tcp(sp, dp, fl, seq, ack)
			return b[:r.randrange(20)]
		if kind in ("opts_bad", "wscale_bad"):
			o = self.opts_bad()
			if kind == "wscale_bad":
				fl |= 0x02
				o = bytes([3, r.choice([0, 1, 2, 4, 255]), 14, 1])
			return tcp(sp, dp, fl, seq, ack, doff=5 + len(o) // 4,
				   opts=o, data=self.data(), src=src, dst=dst,
				   fam=fam)
		if kind == "opts_valid":
			o = r.choice(self.t["tcpopts"])
			return tcp(sp, dp, fl | r.choice([0, 2]), seq, ack,
				   doff=5 + len(o) // 4, opts=o,
				   data=self.data(), src=src, dst=dst, fam=fam)
		if kind == "flags":
			fl = self.flagcycle = (getattr(self, "flagcycle", -1) + 1) % 256
			return tcp(sp, dp, fl, seq, ack, data=self.data(4),
				   src=src, dst=dst, fam=fam)
		# "real": a well-formed or malformed segment of the held flow
		k = r.choice(["flags", "flags", "doff_low", "doff_past",
			      "opts_bad", "trunc"])
		return self.tcp_malformed(fam, src, dst, k, True)



def add_categories(g):
	r = g.r

	def l4(fam, st, proto, seg, dscp, **kw):
		sock, _, _, d4, d6, s4, s6 = STREAMS[st]
		if fam == 4:
			return ip4(s4, d4, proto, seg, dscp, ident=g.next_id(), **kw)
		return ip6(s6, d6, proto, seg, dscp, **kw)

	def addrs(fam, st):
		_, _, _, d4, d6, s4, s6 = STREAMS[st]
		return (s4, d4) if fam == 4 else (s6, d6)

	def tcpcat(kind, real=False):
		def fn(fam, st, dscp):
			s, d = addrs(fam, st)
			seg = g.tcp_malformed(fam, s, d, kind, real)
			return [(l4(fam, st, 6, seg, dscp), {})]
		return fn

	for fam in (4, 6):
		for kind, w in [("doff_low", 6), ("doff_past", 6), ("trunc", 5),
				("opts_bad", 8), ("wscale_bad", 4),
				("opts_valid", 4), ("flags", 10)]:
			g.cat(fam, "tcp_" + kind, tcpcat(kind), w)
		g.cat(fam, "tcp_real_flow", tcpcat("real", True), 8)

	# --- IPv4 header lies ------------------------------------------------
	def v4seg(st):
		s, d = addrs(4, st)
		return g.tcp_malformed(4, s, d, r.choice(["flags", "doff_low",
							 "opts_bad"]), False)

	def totlen_short(fam, st, dscp):
		seg = v4seg(st)
		p = l4(4, st, 6, seg, dscp)
		tl = r.randrange(20, len(p))
		return [(ip4(*addrs(4, st), 6, seg, dscp, tot_len=tl,
			     ident=g.next_id()), {})]

	def totlen_long(fam, st, dscp):
		seg = v4seg(st)
		return [(ip4(*addrs(4, st), 6, seg, dscp, ident=g.next_id(),
			     tot_len=20 + len(seg) + r.randrange(1, 100)), {})]

	def totlen_below_ihl(fam, st, dscp):
		return [(ip4(*addrs(4, st), 6, v4seg(st), dscp,
			     tot_len=r.randrange(20), ident=g.next_id()), {})]

	def ihl_low(fam, st, dscp):
		return [(ip4(*addrs(4, st), 6, v4seg(st), dscp,
			     ihl=r.randrange(5), ident=g.next_id()), {})]

	def ihl_past(fam, st, dscp):
		seg = v4seg(st)[:r.randrange(0, 20)]
		return [(ip4(*addrs(4, st), 6, seg, dscp, ihl=15,
			     ident=g.next_id()), {})]

	def bad_csum(fam, st, dscp):
		p = l4(4, st, 6, v4seg(st), dscp)
		c = struct.unpack("!H", p[10:12])[0] ^ (1 + r.randrange(0xfffe))
		return [(p[:10] + struct.pack("!H", c) + p[12:], {})]

	def bad_version(fam, st, dscp):
		return [(ip4(*addrs(4, st), 6, v4seg(st), dscp,
			     version=r.choice([0, 5, 6, 15]), ident=g.next_id()), {})]

	def ttl1(fam, st, dscp):
		return [(ip4(*addrs(4, st), 6, v4seg(st), dscp,
			     ttl=r.choice([0, 1]), ident=g.next_id()), {})]

	def short_frame(fam, st, dscp):
		return [(l4(4, st, 6, v4seg(st), dscp)[:r.randrange(1, 20)], {})]

	for name, fn, w in [("ip_totlen_short", totlen_short, 4),
			    ("ip_totlen_long", totlen_long, 3),
			    ("ip_totlen_below_ihl", totlen_below_ihl, 1),
			    ("ip_ihl_below_5", ihl_low, 1),
			    ("ip_ihl_past_end", ihl_past, 1),
			    ("ip_bad_checksum", bad_csum, 2),
			    ("ip_bad_version", bad_version, 1),
			    ("ip_short_frame", short_frame, 1)]:
		g.cat(4, name, fn, w, raw_ok=False)
	g.cat(4, "ip_ttl_0_1", ttl1, 1)

	# --- IPv4 options ------------------------------------------------------
	def opts(valid, rewrite):
		def fn(fam, st, dscp):
			if valid and not rewrite:
				o = r.choice([b"\x01\x01\x01\x01", b"\x01\x01\x01\x00",
					      b"\x1e\x04\xaa\xbb",
					      b"\x94\x04\x00\x00",
					      b"\x01" * 36 + b"\x1e\x04\x00\x00"])
			elif valid:
				# (no timestamp option: its bytes differ each run)
				o = r.choice([b"\x00\x01\x02\x03",
					      b"\x07\x0b\x04" + bytes(9)])
			else:
				o = r.choice([b"\x1e\x00\x00\x00",
					      b"\x1e\x01\x00\x00",
					      b"\x1e\x28\x00\x00",
					      b"\x01\x01\x01\x1e",
					      b"\x07\x07\x03\x00\x00\x00\x00\x00",
					      b"\x44\x02\x00\x00"])
			p = ip4(*addrs(4, st), 6, v4seg(st), dscp, opts=o,
				ident=g.next_id())
			return [(p, {"opts_ok": valid, "rewrite": rewrite})]
		return fn
	g.cat(4, "ip_opts_weird", opts(True, False), 3)
	g.cat(4, "ip_opts_rewritten", opts(True, True), 2)
	g.cat(4, "ip_opts_invalid", opts(False, False), 2, raw_ok=False)

	# --- IPv4 fragments ----------------------------------------------------
	def frags4(mode):
		def fn(fam, st, dscp):
			s, d = addrs(4, st)
			sp, dp = g.ports(r.random() < 0.2, 4)
			seq, ack = g.seqs()
			o = r.choice([b"", r.choice(g.t["tcpopts"])])
			seg = tcp(sp, dp, g.flags(), seq, ack, doff=5 + len(o) // 4,
				  opts=o, data=g.data(60), src=s, dst=d)
			seg += bytes(-len(seg) % 8)
			ident = g.next_id()
			whole = ip4(s, d, 6, seg, dscp, ident=ident)
			cut = r.choice([8, 16])
			first = ip4(s, d, 6, seg[:cut], dscp, ident=ident, flags=1)
			rest = ip4(s, d, 6, seg[cut:], dscp, ident=ident,
				   frag=cut // 8)
			key = ("f4", st, ident)
			if mode == "complete":
				ps = [first, rest]
				if r.random() < 0.3:
					ps.reverse()
				m = {"fragset": key, "nfrags": 2, "reasm": whole}
				return [(p, m) for p in ps]
			if mode == "first_only":
				return [(first, {"fragset": key, "nfrags": 2,
						 "reasm": None})]
			if mode == "nonfirst_only":
				return [(rest, {"fragset": key, "nfrags": 2,
						"reasm": None})]
			# overlap: the second starts inside the first
			first = ip4(s, d, 6, seg[:16], dscp, ident=ident, flags=1)
			over = ip4(s, d, 6, seg[8:], dscp, ident=ident, frag=1)
			m = {"fragset": key, "nfrags": 99, "reasm": None}
			return [(first, m), (over, m)]
		return fn
	for mode, w in [("complete", 5), ("first_only", 2),
			("nonfirst_only", 2), ("overlap", 2)]:
		g.cat(4, "ip_frag_" + mode, frags4(mode), w)

	# --- ICMP ----------------------------------------------------------------
	def quote4(st, real):
		"""An IPv4 header + TCP of a segment the receiver 'sent'."""
		_, _, _, d4, _, s4, _ = STREAMS[st]
		sp, dp = g.ports(real, 4)
		seq, ack = g.seqs()
		th = tcp(dp, sp, 0x18, seq, ack, data=b"x" * 8)
		return ip4(d4, s4, 6, th, 0, ident=g.next_id()), th

	def icmp4(kind):
		def fn(fam, st, dscp):
			real = r.random() < 0.3
			q, th = quote4(st, real)
			typ, code = 3, 4
			mtu = r.choice([0, 1, 67, 68, 551, 552, 576, 1280, 1500,
					65535])
			if kind == "ptb":
				body = q[:20 + r.choice([8, 12, 20, 28])]
			elif kind == "ptb_trunc_ip":
				body = q[:r.randrange(20)]
			elif kind == "ptb_trunc_tcp":
				body = q[:20 + r.randrange(8)]
			elif kind == "ptb_inner_bad":
				b = bytearray(q[:20 + r.choice([0, 4, 8, 28])])
				k = r.randrange(5)
				if k == 0:
					b[0] = (4 << 4) | r.randrange(5)
				elif k == 1:
					b[0] = (4 << 4) | r.randrange(6, 16)
				elif k == 2:
					b[0] = (r.choice([0, 6, 15]) << 4) | 5
				elif k == 3:
					b[9] = r.choice([17, 1, 0, 58])
				else:
					b[6:8] = struct.pack("!H", r.choice(
						[1, 0x2001, 0x1fff, 0x2000, 0x4000]))
				body = bytes(b)
			elif kind == "other":
				typ, code = r.choice([(3, 0), (3, 1), (3, 3), (3, 13),
						      (11, 0), (11, 1), (12, 0),
						      (5, 1), (4, 0), (8, 0), (0, 0),
						      (3, 5), (255, 255)])
				body = q[:20 + r.choice([0, 8, 28])]
			else:		# truncated ICMP header
				h = struct.pack("!BBHHH", 3, 4, 0, 0, mtu)
				return [(l4(4, st, 1, h[:r.randrange(8)], dscp), {})]
			h = struct.pack("!BBHHH", typ, code, 0, 0, mtu) + body
			h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
			return [(l4(4, st, 1, h, dscp), {})]
		return fn
	for kind, w in [("ptb", 8), ("ptb_trunc_ip", 2), ("ptb_trunc_tcp", 2),
			("ptb_inner_bad", 4), ("other", 3), ("trunc", 1)]:
		g.cat(4, "icmp_" + kind, icmp4(kind), w)

	def icmp4_frag(fam, st, dscp):
		q, th = quote4(st, True)
		h = struct.pack("!BBHHH", 3, 4, 0, 0, 1280) + q[:48]
		h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
		s, d = addrs(4, st)
		ident = g.next_id()
		p = ip4(s, d, 1, h[:32], dscp, ident=ident, flags=1)
		return [(p, {"fragset": ("i4", st, ident), "nfrags": 2,
			     "reasm": None})]
	g.cat(4, "icmp_ptb_first_fragment", icmp4_frag, 1)

	# --- IPv6 -----------------------------------------------------------------
	def v6seg(st):
		s, d = addrs(6, st)
		return g.tcp_malformed(6, s, d, r.choice(["flags", "doff_low",
							 "opts_bad", "trunc"]),
				       r.random() < 0.2)

	def chain6(hdrs, last):
		"""Extension headers (kind, blob) chained to @last: (nh, bytes)."""
		out = b""
		nhs = [k for k, _ in hdrs] + [last]
		for i, (k, blob) in enumerate(hdrs):
			out += ext(k, nhs[i + 1], blob)
		return nhs[0], out

	def pick_ext():
		t = g.t
		k = r.randrange(6)
		if k == 0:
			return [(0, r.choice(t["hbh"]))]
		if k == 1:
			return [(60, t["dst"][0])]
		if k == 2:
			return [(43, r.choice(t["rt"]))]
		if k == 3:
			return [(0, r.choice(t["hbh"])), (60, t["dst"][0]),
				(43, r.choice(t["rt"])), (60, t["dst"][0])]
		if k == 4:	# atomic fragment
			return [(44, struct.pack("!BBHI", 6, 0, 0, g.next_id()))]
		return [(51, struct.pack("!BBHII", 6, 1, 0, 0x100, 1) + bytes(4))]

	def ext6(fam, st, dscp):
		nh, b = chain6(pick_ext(), 6)
		return [(l4(6, st, nh, b + v6seg(st), dscp), {})]

	def ext6_bad(fam, st, dscp):
		k = r.randrange(6)
		seg = v6seg(st)
		if k == 0:	# truncated extension header
			nh, b = chain6([(60, g.t["dst"][0])], 6)
			return [(l4(6, st, nh, b[:r.randrange(1, 8)], dscp), {})]
		if k == 1:	# header length past the end
			b = bytes([6, r.randrange(2, 255)]) + bytes(6)
			return [(l4(6, st, 60, b + seg[:8], dscp), {})]
		if k == 2:	# hop-by-hop not first
			nh, b = chain6([(60, g.t["dst"][0]),
					(0, g.t["hbh"][0])], 6)
			return [(l4(6, st, nh, b + seg, dscp), {})]
		if k == 3:	# no next header, TCP bytes behind it
			nh, b = chain6([(60, g.t["dst"][0])], 59)
			return [(l4(6, st, nh, b + seg, dscp), {})]
		if k == 4:	# routing header with segments left
			nh, b = chain6([(43, g.t["rt"][r.choice([2, 3])])], 6)
			return [(l4(6, st, nh, b + seg, dscp), {})]
		# a long chain of destination options
		nh, b = chain6([(60, g.t["dst"][0])] * r.randrange(2, 30), 6)
		return [(l4(6, st, nh, b + seg, dscp), {})]

	def hbh_drop(fam, st, dscp):
		k = r.randrange(4)
		if k == 0:	# unknown option, "discard" action
			h = bytes([6, 0, 0x40 | r.randrange(0x20, 0x3f), 4, 0, 0, 0, 0])
		elif k == 1:	# PadN with non-zero padding
			h = bytes([6, 0, 1, 4, 1, 2, 3, 4])
		elif k == 2:	# option length past the header
			h = bytes([6, 0, 0x1e, 20, 0, 0, 0, 0])
		else:		# 8 bytes of padding
			h = bytes([6, 1, 1, 12]) + bytes(12)
		return [(l4(6, st, 0, h + v6seg(st), dscp), {"opts_ok": False})]

	def hbh_skip(fam, st, dscp):
		h = bytes([6, 0, r.randrange(0x01, 0x1f) | 0x02, 2, 0, 0, 1, 0])
		if h[2] in (1, 5, 7):
			h = bytes([6, 0, 0x1e, 4, 0, 0, 0, 0])
		return [(l4(6, st, 0, h + v6seg(st), dscp), {})]

	def frags6(mode):
		def fn(fam, st, dscp):
			s, d = addrs(6, st)
			seg = tcp(*g.ports(r.random() < 0.2, 6), g.flags(), *g.seqs(),
				  data=g.data(60), src=s, dst=d, fam=6)
			seg += bytes(-len(seg) % 8)
			ident = g.next_id()
			cut = r.choice([8, 16])

			def fh(off, more, nh=6):
				return struct.pack("!BBHI", nh, 0, (off << 3) | more,
						   ident)
			first = l4(6, st, 44, fh(0, 1) + seg[:cut], dscp)
			rest = l4(6, st, 44, fh(cut // 8, 0) + seg[cut:], dscp)
			if mode == "complete":
				return [(first, {}), (rest, {})]
			if mode == "first_only":
				return [(first, {})]
			if mode == "nonfirst_only":
				return [(rest, {})]
			if mode == "nonfirst_ext":	# ext header after a later frag
				b = fh(1, 0, 60) + ext(60, 6, g.t["dst"][0]) + seg[8:]
				return [(l4(6, st, 44, b, dscp), {})]
			over = l4(6, st, 44, fh(1, 0) + seg[8:], dscp)
			first = l4(6, st, 44, fh(0, 1) + seg[:16], dscp)
			return [(first, {}), (over, {})]
		return fn

	def plen(kind):
		def fn(fam, st, dscp):
			seg = v6seg(st)
			p = l4(6, st, 6, seg, dscp)
			if kind == "short":
				pl = r.randrange(len(seg) + 1)
			elif kind == "long":
				pl = len(seg) + r.randrange(1, 100)
			else:
				pl = 0
			return [(p[:4] + struct.pack("!H", pl) + p[6:], {})]
		return fn

	def hlim(fam, st, dscp):
		return [(l4(6, st, 6, v6seg(st), dscp,
			    hlim=r.choice([0, 1])), {})]

	def bad_version6(fam, st, dscp):
		return [(l4(6, st, 6, v6seg(st), dscp,
			    version=r.choice([0, 4, 7])), {})]

	g.cat(6, "ip6_ext_chain", ext6, 8)
	g.cat(6, "ip6_ext_bad", ext6_bad, 6)
	g.cat(6, "ip6_hbh_skip_option", hbh_skip, 2)
	g.cat(6, "ip6_hbh_dropped", hbh_drop, 2, raw_ok=False)
	for mode, w in [("complete", 4), ("first_only", 2), ("nonfirst_only", 2),
			("nonfirst_ext", 1), ("overlap", 2)]:
		g.cat(6, "ip6_frag_" + mode, frags6(mode), w)
	g.cat(6, "ip6_plen_short", plen("short"), 3, raw_ok=False)
	g.cat(6, "ip6_plen_long", plen("long"), 2, raw_ok=False)
	g.cat(6, "ip6_plen_zero", plen("zero"), 1, raw_ok=False)
	g.cat(6, "ip6_hlim_0_1", hlim, 1)
	g.cat(6, "ip6_bad_version", bad_version6, 1, raw_ok=False)

	# --- ICMPv6 ----------------------------------------------------------------
	def quote6(st, real):
		_, _, _, _, d6, _, s6 = STREAMS[st]
		sp, dp = g.ports(real, 6)
		th = tcp(dp, sp, 0x18, *g.seqs(), data=b"x" * 8)
		k = r.randrange(5)
		hdrs = []
		if k == 1:
			hdrs = [(0, g.t["hbh"][0])]
		elif k == 2:
			hdrs = [(60, g.t["dst"][0]), (43, g.t["rt"][0])]
		elif k == 3:	# first or later fragment
			off = r.choice([0, 0, 1])
			hdrs = [(44, struct.pack("!BBHI", 6, 0, off << 3 | 1, 7))]
		elif k == 4:
			hdrs = [(51, struct.pack("!BBHII", 6, 1, 0, 1, 1) + bytes(4))]
		nh, b = chain6(hdrs, r.choice([6, 6, 6, 17, 59]))
		return ip6(d6, s6, nh, b + th, 0)

	def icmp6(kind):
		def fn(fam, st, dscp):
			s, d = addrs(6, st)
			q = quote6(st, r.random() < 0.3)
			mtu = r.choice([0, 1, 68, 1279, 1280, 1500, 65535,
					0xffffffff])
			typ, code = 2, 0
			if kind in ("ptb", "behind_ext"):
				body = q[:len(q) - r.choice([0, 0, 8, 12, 20])]
			elif kind == "ptb_trunc":
				body = q[:r.randrange(48)]
			elif kind == "other":
				typ, code = r.choice([(1, 0), (1, 4), (3, 0), (4, 0),
						      (4, 1), (128, 0), (129, 0),
						      (200, 0)])
				body = q
			else:
				body = b""
			h = struct.pack("!BBHI", typ, code, 0, mtu) + body
			if kind == "trunc":
				h = h[:r.randrange(8)]
			c = l4csum(s, d, 58, h, 6)
			h = h[:2] + struct.pack("!H", c) + h[4:] if len(h) >= 4 else h
			nh, x = 58, b""
			if kind == "behind_ext":
				nh, x = chain6([(0, g.t["hbh"][0]),
						(60, g.t["dst"][0])], 58)
			return [(l4(6, st, nh, x + h, dscp), {})]
		return fn
	for kind, w in [("ptb", 8), ("ptb_trunc", 2), ("other", 3),
			("trunc", 1), ("behind_ext", 2)]:
		g.cat(6, "icmp6_" + kind, icmp6(kind), w)

	def icmp6_frag(fam, st, dscp):
		s, d = addrs(6, st)
		q = quote6(st, True)
		h = struct.pack("!BBHI", 2, 0, 0, 1280) + q
		fh = struct.pack("!BBHI", 58, 0, 1, g.next_id())
		return [(l4(6, st, 44, fh + h[:32], dscp), {})]
	g.cat(6, "icmp6_ptb_first_fragment", icmp6_frag, 1)


def generate(seed, count, outdir):
	g = Gen(seed)
	add_categories(g)
	r = g.r
	for fam in (4, 6):
		assert len(g.cats[fam]) <= 63, "more than 63 categories"
	streams = [s for s, _ in STREAM_WEIGHTS]
	sweights = [w for _, w in STREAM_WEIGHTS]
	out = {ns: {c: 0 for c in COUNTERS} for ns in "CRS"}
	from collections import defaultdict
	nft = {ns: defaultdict(int) for ns in "CRS"}
	summary = defaultdict(lambda: defaultdict(int))
	sent = defaultdict(int)
	rx, rewritten = [], 0
	reasm = {"R": Reasm(), "S": Reasm(), "C": Reasm()}
	frames = bytearray()
	n = 0
	while n < count:
		fam = 4 if r.random() < 0.5 else 6
		st = r.choices(streams, sweights)[0]
		cats = [c for c in g.cats[fam] if st != "cout" or c[3]]
		idx = r.choices(range(len(cats)), [c[2] for c in cats])[0]
		cat = cats[idx]
		dscp = g.cats[fam].index(cat) + 1
		pkts = cat[1](fam, st, dscp)
		for p, meta in pkts:
			n += 1
			summary[(fam, cat[0])][st] += 1
			sent[st] += 1
			sock, l2d, l2s = STREAMS[st][0], STREAMS[st][1], STREAMS[st][2]
			if st == "cout":
				sock = 1 if fam == 4 else 2
				b = p
			else:
				b = mac(l2d) + mac(l2s) + (b"\x08\x00" if fam == 4
							   else b"\x86\xdd") + p
			frames += struct.pack("!BH", sock, len(b)) + b
			model(st, fam, p, meta, out, nft, reasm, rx)
			if meta.get("rewrite") and st in ("fwd", "cout") and \
			   input_check(p, True) is not None:
				rewritten += 1
	os.makedirs(outdir, exist_ok=True)
	with open(os.path.join(outdir, "frames.bin"), "wb") as f:
		f.write(frames)
	with open(os.path.join(outdir, "expected"), "w") as f:
		for ns in "CRS":
			for c in COUNTERS:
				f.write("%s.%s %d\n" % (ns, c, out[ns][c]))
			for k in sorted(nft[ns]):
				f.write("%s.nft.%s %d\n" % (ns, k, nft[ns][k]))
		for st in streams:
			f.write("sent.%s %d\n" % (st, sent[st]))
		f.write("sent.total %d\n" % n)
		f.write("rx.total %d\n" % (len(rx) + rewritten))
		f.write("rx.rewritten %d\n" % rewritten)
	with open(os.path.join(outdir, "rx"), "w") as f:
		f.write("".join("%016x\n" % h for h in sorted(rx)))
	with open(os.path.join(outdir, "summary"), "w") as f:
		f.write("# fam dscp category: packets per stream\n")
		for fam in (4, 6):
			for i, c in enumerate(g.cats[fam]):
				s = summary[(fam, c[0])]
				f.write("%d %2d %-26s total=%-6d %s\n" % (
					fam, i + 1, c[0], sum(s.values()),
					" ".join("%s=%d" % kv for kv in sorted(s.items()))))


def model(st, fam, p, meta, out, nft, reasm, rx):
	"""Where packet @p of stream @st goes, and what each hook counts."""
	ok = meta.get("opts_ok", True)

	def local_in(ns, q):
		q = reasm[ns].add(q, meta) if q[0] >> 4 == 4 else q
		if q is not None:
			hook_view(q, "in", out[ns], nft[ns])

	if st == "cout":
		hook_view(p, "out", out["C"], nft["C"])
		st = "fwd"
	if st == "fwd":
		q = input_check(p, True, ok)
		if q is None:
			return
		hook_view(q, "fwd", out["R"], nft["R"])
		q = forwarded(q)
		if not meta.get("rewrite"):
			rx.append(fnv(norm(q, fam)))
		local_in("S", q)
		return
	ns = {"rin": "R", "sin": "S", "cin": "C"}[st]
	if st == "sin" and tagged(p, fam):
		rx.append(fnv(norm(p, fam)))
	q = input_check(p, False, ok)
	if q is not None:
		local_in(ns, q)


def main():
	a = sys.argv[1:]
	if not a or a[0] != "gen":
		sys.exit(__doc__)
	seed, count, outdir = 1, 100000, None
	i = 1
	while i < len(a):
		if a[i] == "--seed":
			seed = int(a[i + 1])
			i += 2
		elif a[i] == "--count":
			count = int(a[i + 1])
			i += 2
		else:
			outdir = a[i]
			i += 1
	if outdir is None:
		sys.exit(__doc__)
	with open(__file__, "rb") as f:
		stamp = "seed=%d count=%d sha=%s\n" % (
			seed, count, hashlib.sha256(f.read()).hexdigest()[:16])
	sp = os.path.join(outdir, "stamp")
	if os.path.exists(sp) and open(sp).read() == stamp:
		print("pkt_fuzz.py: %s is up to date" % outdir)
		return
	generate(seed, count, outdir)
	with open(sp, "w") as f:
		f.write(stamp)
	print("pkt_fuzz.py: wrote %s (%s)" % (outdir, stamp.strip()))


if __name__ == "__main__":
	main()
