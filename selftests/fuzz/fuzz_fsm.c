// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the module's pure C files, module/segment.c and
 * module/fsm.c, the very files the module compiles.  Every input is one
 * tuple's life: its TCP headers go through what the hooks do (header
 * length -> payload, class bits, window scale of a SYN) and what the
 * mirror does (new flow, fsm segment, reap, NEW_FLOW restart), with the
 * GC's timer expiries and the table's evictions in between.  The flow is
 * kept twice, one copy fed through tcpclose_fsm_segment() (fast path),
 * one through tcpclose_fsm_segment_full(): they must stay byte-identical.
 * After every input the invariants of fsm.h and Documentation/fsm.rst are
 * checked; a violation aborts with a description.
 *
 * The input format is in Documentation/testing.rst, "Fuzzing the state
 * machine"; seedgen.py writes it.  With TCPCLOSE_FUZZ_TRACE set in the
 * environment each input is printed as it is fed, with the verdicts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsm.h"
#include "segment.h"

#define HDR_OPTS	TCPCLOSE_TCP_MAX_OPTS
#define HDR_LEN		(8 + 2 * HDR_OPTS)
#define REC_LEN		16

enum {
	OP_SEG_LAST	= 4,	/* kinds 0..4: a segment */
	OP_EXPIRE	= 5,	/* the endpoint's timer, if its state has one */
	OP_EVICT	= 6,	/* evicted from a full table, and forgotten */
	OP_LINGER	= 7,	/* time passes: unlink if done; new ISN */
};

/* Sequence and ACK number modes (op bits 4-5 and 6-7). */
enum {
	M_NEXT,		/* next in sequence + v */
	M_ACKED,	/* what was last ACKed + v */
	M_RAW,		/* v */
	M_ISN,		/* initial sequence number + v */
};

/* One endpoint of the tuple, as a TCP sender would be. */
struct endpoint {
	uint32_t isn;
	uint32_t nxt;			/* its next sequence number */
	uint32_t acked;			/* the last ACK it sent */
	unsigned char opts[HDR_OPTS];	/* options of its SYNs */
};

/* The tuple's flow, as the module's table holds it. */
struct tuple {
	struct endpoint ep[2];
	struct tcpclose_fsm fast, full;
	struct tcpclose_fsm_out out_fast, out_full;
	int live;			/* a flow is in the table */
	unsigned int a_ep;		/* the endpoint that is side A */
	unsigned long op;		/* input number, for messages */
};

static int tracing = -1;

static void trace(const char *fmt, ...)
{
	va_list ap;

	if (tracing < 0)
		tracing = getenv("TCPCLOSE_FUZZ_TRACE") != NULL;
	if (!tracing)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void dump(const char *name, const struct tcpclose_fsm *f,
		 const struct tcpclose_fsm_out *o)
{
	unsigned int i;

	fprintf(stderr, " %s: states %s %s verdict %s flags %#x anomalies %#x events %#x forged %u\n",
		name, tcpclose_state_name(f->state[0]),
		tcpclose_state_name(f->state[1]),
		tcpclose_verdict_name(f->verdict), f->flags, f->anomalies,
		o->events, o->forged);
	fprintf(stderr, "  initiator %u closer %u stalled %u injected %u fins %u %u rst_pending %u %u\n",
		f->initiator, f->active_closer, f->stalled, f->injected,
		f->fin_count[0], f->fin_count[1], f->rst_pending[0],
		f->rst_pending[1]);
	for (i = 0; i < 2; i++)
		fprintf(stderr, "  %c isn %u snd_nxt %u max_ack %u fin_seq %u win %u flags %#x wscale %u\n",
			'A' + i, f->dir[i].isn, f->dir[i].snd_nxt,
			f->dir[i].max_ack, f->dir[i].fin_seq, f->dir[i].win,
			(unsigned int)f->dir[i].flags,
			(unsigned int)f->dir[i].wscale);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(const struct tuple *t, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_fsm: input %lu: invariant violated: ", t->op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	dump("fast", &t->fast, &t->out_fast);
	dump("full", &t->full, &t->out_full);
	abort();
}

#define CHECK(t, cond, ...) do { \
	if (!(cond)) \
		fail(t, __VA_ARGS__); \
} while (0)

static int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* The class bits of a well-formed segment, from segment.h's definitions. */
static void check_class(const struct tuple *t, unsigned int flags,
			unsigned int payload, unsigned int cls)
{
	unsigned int ctl = 0;

	if (flags & TCPCLOSE_TH_SYN)
		ctl |= (flags & TCPCLOSE_TH_ACK) ? TCPCLOSE_SEG_SYNACK :
						   TCPCLOSE_SEG_SYN;
	if (flags & TCPCLOSE_TH_FIN)
		ctl |= TCPCLOSE_SEG_FIN;
	if (flags & TCPCLOSE_TH_RST)
		ctl |= TCPCLOSE_SEG_RST;
	CHECK(t, !(cls >> TCPCLOSE_SEG_NCLASSES), "class %#x: unknown bits", cls);
	CHECK(t, (cls & ~(TCPCLOSE_SEG_DATA | TCPCLOSE_SEG_PURE_ACK)) == ctl,
	      "flags %#x: class %#x, control classes %#x", flags, cls, ctl);
	CHECK(t, !!(cls & TCPCLOSE_SEG_DATA) == !!payload,
	      "payload %u: class %#x", payload, cls);
	CHECK(t, !(cls & TCPCLOSE_SEG_PURE_ACK) ||
	      cls == TCPCLOSE_SEG_PURE_ACK, "PURE_ACK with others: %#x", cls);
	CHECK(t, !!(cls & TCPCLOSE_SEG_PURE_ACK) ==
	      (!ctl && !payload && (flags & TCPCLOSE_TH_ACK)),
	      "flags %#x payload %u: class %#x", flags, payload, cls);
}

/* The payload length from tcpclose_seg_payload()'s description. */
static void check_payload(const struct tuple *t, uint32_t tcp_len,
			  unsigned int doff, int payload)
{
	int bad = tcp_len < 20 || doff < 5 || doff * 4 > tcp_len;

	CHECK(t, bad ? payload == -1 : payload == (int)(tcp_len - doff * 4),
	      "tcp_len %u doff %u: payload %d", tcp_len, doff, payload);
}

/* RFC 9293 3.1 options, read independently of segment.c. */
static unsigned int ref_wscale(const unsigned char *opt, unsigned int len)
{
	unsigned int i = 0;

	while (i < len && opt[i] != 0) {
		if (opt[i] == 1) {
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return TCPCLOSE_NO_WSCALE;
		if (opt[i] == 3 && opt[i + 1] == 3)
			return opt[i + 2];
		i += opt[i + 1];
	}
	return TCPCLOSE_NO_WSCALE;
}

/*
 * The window scale of a SYN, as the hooks read it: the options are handed
 * over in a buffer of their exact size, so that ASan sees any overread.
 */
static unsigned int syn_wscale(const struct tuple *t, const unsigned char *opts,
			       unsigned int flags, unsigned int doff)
{
	unsigned int len = doff * 4 - TCPCLOSE_TCP_MIN_HDR, ws, ref;
	unsigned char *buf;

	if (!(flags & TCPCLOSE_TH_SYN) || !len)
		return TCPCLOSE_NO_WSCALE;
	buf = malloc(len);
	if (!buf)
		abort();
	memcpy(buf, opts, len);
	ws = tcpclose_seg_wscale(buf, len);
	ref = ref_wscale(buf, len);
	free(buf);
	CHECK(t, ws == ref, "options of %u bytes: wscale %u, expected %u",
	      len, ws, ref);
	return ws;
}

static int is_timeout(unsigned int v)
{
	return v == TCPCLOSE_V_SYN_TIMEOUT || v == TCPCLOSE_V_TIMEOUT_FIN_WAIT1 ||
	       v == TCPCLOSE_V_TIMEOUT_FIN_WAIT2 ||
	       v == TCPCLOSE_V_TIMEOUT_LAST_ACK;
}

/*
 * The invariants of one mirror after an input, @before being the mirror
 * before it (its verdict, its anomalies), @fresh if the input started it.
 */
static void check_fsm(const struct tuple *t, const struct tcpclose_fsm *before,
		      int fresh)
{
	const struct tcpclose_fsm *f = &t->fast;
	const struct tcpclose_fsm_out *o = &t->out_fast;
	unsigned int i, ended = o->events & TCPCLOSE_EV_ENDED;

	CHECK(t, !memcmp(&t->fast, &t->full, sizeof(t->fast)) &&
	      !memcmp(&t->out_fast, &t->out_full, sizeof(t->out_fast)),
	      "fast path and full path differ");
	for (i = 0; i < 2; i++) {
		CHECK(t, f->state[i] < TCPCLOSE_NSTATES, "state[%u] %u", i,
		      f->state[i]);
		CHECK(t, o->old_state[i] == (fresh ? TCPCLOSE_UNKNOWN :
					     before->state[i]),
		      "old_state[%u] %u, was %u", i, o->old_state[i],
		      before->state[i]);
		CHECK(t, f->dir[i].wscale <= 14, "wscale[%u] %u", i,
		      (unsigned int)f->dir[i].wscale);
		CHECK(t, !(f->dir[i].flags & TCPCLOSE_D_FIN_ACKED) ||
		      (f->dir[i].flags & TCPCLOSE_D_FIN),
		      "side %u: FIN_ACKED without FIN", i);
		CHECK(t, !(f->dir[i].flags & TCPCLOSE_D_FIN) ||
		      f->fin_count[i], "side %u: FIN, fin_count 0", i);
	}
	CHECK(t, f->verdict < TCPCLOSE_NVERDICTS, "verdict %u", f->verdict);
	CHECK(t, f->initiator <= TCPCLOSE_SIDE_NONE, "initiator %u",
	      f->initiator);
	CHECK(t, f->active_closer <= TCPCLOSE_SIDE_BOTH, "active_closer %u",
	      f->active_closer);
	CHECK(t, f->stalled <= TCPCLOSE_SIDE_NONE, "stalled %u", f->stalled);
	CHECK(t, !(f->flags & ~(TCPCLOSE_F_PICKED_UP | TCPCLOSE_F_ENDED)),
	      "flags %#x", f->flags);
	CHECK(t, !!(f->flags & TCPCLOSE_F_ENDED) ==
	      (f->verdict != TCPCLOSE_V_NONE), "F_ENDED vs verdict %u",
	      f->verdict);
	CHECK(t, !(f->anomalies & ~TCPCLOSE_ANOMALY_MASK), "anomalies %#x",
	      f->anomalies);
	CHECK(t, (o->events & f->anomalies & TCPCLOSE_ANOMALY_MASK) ==
	      (o->events & TCPCLOSE_ANOMALY_MASK),
	      "events %#x not in anomalies %#x", o->events, f->anomalies);
	CHECK(t, !!o->forged ==
	      !!(o->events & TCPCLOSE_EV_RST_FORGED_SUSPECT),
	      "forged %u, events %#x", o->forged, o->events);
	CHECK(t, !(o->events & TCPCLOSE_EV_HIJACK_SUSPECT) ||
	      f->injected == TCPCLOSE_INJECT_BURST, "hijack, injected %u",
	      f->injected);
	CHECK(t, !(o->events & TCPCLOSE_EV_NEW_FLOW) ||
	      (f->flags & TCPCLOSE_F_ENDED), "NEW_FLOW before a verdict");
	CHECK(t, !(o->events & TCPCLOSE_EV_PICKED_UP) || fresh,
	      "PICKED_UP on a flow's later input");
	if (fresh) {
		CHECK(t, !!(o->events & TCPCLOSE_EV_PICKED_UP) ==
		      !!(f->flags & TCPCLOSE_F_PICKED_UP), "PICKED_UP event");
		CHECK(t, !!ended == (f->verdict != TCPCLOSE_V_NONE),
		      "a first input's verdict without ENDED");
		return;
	}
	/* One verdict per flow, never changed (fsm.rst, "Verdicts"). */
	CHECK(t, (f->flags & TCPCLOSE_F_PICKED_UP) ==
	      (before->flags & TCPCLOSE_F_PICKED_UP), "PICKED_UP changed");
	CHECK(t, (f->anomalies & before->anomalies) == before->anomalies,
	      "anomalies %#x lost some of %#x", f->anomalies,
	      before->anomalies);
	CHECK(t, f->initiator == before->initiator, "initiator changed");
	/* Saturating counts: never wrap, hijack_suspect once per flow. */
	CHECK(t, f->injected >= before->injected &&
	      f->fin_count[0] >= before->fin_count[0] &&
	      f->fin_count[1] >= before->fin_count[1],
	      "a count went down: injected %u fins %u %u, were %u %u %u",
	      f->injected, f->fin_count[0], f->fin_count[1],
	      before->injected, before->fin_count[0], before->fin_count[1]);
	CHECK(t, !(o->events & TCPCLOSE_EV_HIJACK_SUSPECT) ||
	      before->injected == TCPCLOSE_INJECT_BURST - 1,
	      "hijack_suspect again, injected %u", f->injected);
	if (before->verdict) {
		CHECK(t, f->verdict == before->verdict &&
		      f->stalled == before->stalled && !ended,
		      "verdict %s changed to %s",
		      tcpclose_verdict_name(before->verdict),
		      tcpclose_verdict_name(f->verdict));
		return;
	}
	CHECK(t, !!ended == (f->verdict != TCPCLOSE_V_NONE),
	      "verdict %u, ENDED %#x", f->verdict, ended);
	if (!ended)
		return;
	CHECK(t, is_timeout(f->verdict) ? f->stalled <= TCPCLOSE_SIDE_B :
	      f->stalled == TCPCLOSE_SIDE_NONE, "verdict %s, stalled %u",
	      tcpclose_verdict_name(f->verdict), f->stalled);
	if (f->verdict == TCPCLOSE_V_CLOSE_NORMAL ||
	    f->verdict == TCPCLOSE_V_CLOSE_SIMULTANEOUS) {
		CHECK(t, f->dir[0].flags & f->dir[1].flags &
		      TCPCLOSE_D_FIN_ACKED, "closed without both FINs ACKed");
		CHECK(t, (f->active_closer == TCPCLOSE_SIDE_BOTH) ==
		      (f->verdict == TCPCLOSE_V_CLOSE_SIMULTANEOUS),
		      "verdict %s, active_closer %u",
		      tcpclose_verdict_name(f->verdict), f->active_closer);
	}
	if (f->verdict == TCPCLOSE_V_RESET_ESTABLISHED ||
	    f->verdict == TCPCLOSE_V_RESET_CLOSING)
		CHECK(t, f->state[0] == TCPCLOSE_CLOSED &&
		      f->state[1] == TCPCLOSE_CLOSED, "reset, not CLOSED");
}

static void trace_fsm(const struct tuple *t)
{
	const struct tcpclose_fsm *f = &t->fast;

	trace("  -> %s %s events %#x%s%s\n", tcpclose_state_name(f->state[0]),
	      tcpclose_state_name(f->state[1]), t->out_fast.events,
	      (t->out_fast.events & TCPCLOSE_EV_ENDED) ? " verdict " : "",
	      (t->out_fast.events & TCPCLOSE_EV_ENDED) ?
	      tcpclose_verdict_name(f->verdict) : "");
}

/* The module's reap: a flow with both sides closed has a verdict. */
static void reap(struct tuple *t)
{
	struct tcpclose_fsm before = t->fast;

	if (!tcpclose_fsm_done(&t->fast))
		return;
	tcpclose_fsm_evict(&t->fast, &t->out_fast);
	tcpclose_fsm_evict(&t->full, &t->out_full);
	check_fsm(t, &before, 0);
	if (t->out_fast.events & TCPCLOSE_EV_ENDED)
		trace_fsm(t);
	CHECK(t, t->fast.flags & TCPCLOSE_F_ENDED, "reaped without verdict");
	CHECK(t, t->fast.state[0] == before.state[0] &&
	      t->fast.state[1] == before.state[1], "reap moved a side");
}

/* mirror.c's tcpclose_mirror_new(): an RST starts no flow. */
static void flow_new(struct tuple *t, struct tcpclose_seg *s, unsigned int ep)
{
	if (s->flags & TCPCLOSE_TH_RST)
		return;
	t->a_ep = ep;
	t->live = 1;
	s->dir = TCPCLOSE_SIDE_A;
	tcpclose_fsm_init(&t->fast, s, &t->out_fast);
	tcpclose_fsm_init(&t->full, s, &t->out_full);
	trace("  new flow\n");
	check_fsm(t, &t->fast, 1);
	trace_fsm(t);
	reap(t);
}

/* mirror.c's tcpclose_mirror_input(). */
static void flow_input(struct tuple *t, struct tcpclose_seg *s,
		       unsigned int ep)
{
	struct tcpclose_fsm before = t->fast;

	if (!t->live) {
		flow_new(t, s, ep);
		return;
	}
	s->dir = ep == t->a_ep ? TCPCLOSE_SIDE_A : TCPCLOSE_SIDE_B;
	tcpclose_fsm_segment(&t->fast, s, &t->out_fast);
	tcpclose_fsm_segment_full(&t->full, s, &t->out_full);
	check_fsm(t, &before, 0);
	trace_fsm(t);
	if (t->out_fast.events & TCPCLOSE_EV_NEW_FLOW) {
		t->live = 0;
		flow_new(t, s, ep);
		return;
	}
	reap(t);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A sequence number of @e, or an ACK of it by @acker. */
static uint32_t pick_num(unsigned int mode, const struct endpoint *e,
			 const struct endpoint *acker, uint32_t v)
{
	switch (mode) {
	case M_NEXT:
		return e->nxt + v;
	case M_ACKED:
		return acker->acked + v;
	case M_RAW:
		return v;
	default:
		return e->isn + v;
	}
}

static int made_up(unsigned int mode)
{
	mode &= 3;
	return mode == M_ACKED || mode == M_RAW;
}

/*
 * One segment record: the hooks' parse of the header, then the mirror.
 * Bytes 2-5 and 6-9: seq and ack (v of their modes), 10-11: window,
 * 12-13: payload length, 14: data offset (low nibble) and payload length
 * bits 16-19 (high nibble), 15: signed error added to the TCP length.
 */
static void op_segment(struct tuple *t, const uint8_t *r)
{
	unsigned int ep = (r[0] >> 3) & 1, flags = r[1], doff = r[14] & 15;
	unsigned int plen = r[12] | r[13] << 8 | (r[14] >> 4) << 16;
	int64_t tcp_len = (int64_t)doff * 4 + plen + (int8_t)r[15];
	struct endpoint *e = &t->ep[ep], *peer = &t->ep[!ep];
	struct tcpclose_seg s = { 0 };
	int payload;
	uint32_t end;

	if (tcp_len < 0)
		tcp_len = 0;
	payload = tcpclose_seg_payload((uint32_t)tcp_len, doff);
	check_payload(t, (uint32_t)tcp_len, doff, payload);
	s.seq = pick_num((r[0] >> 4) & 3, e, peer, le32(r + 2));
	s.ack = pick_num(r[0] >> 6, peer, e, le32(r + 6));
	trace("%lu: ep %u flags %#04x seq %u ack %u tcp_len %lld doff %u -> payload %d\n",
	      t->op, ep, flags, s.seq, s.ack, (long long)tcp_len, doff, payload);
	if (payload < 0)
		return;		/* counted as bad_header, not tracked */
	check_class(t, flags, payload,
		    tcpclose_seg_classify(flags, payload));
	s.len = payload;
	s.win = r[10] | r[11] << 8;
	s.flags = flags;
	s.wscale = syn_wscale(t, e->opts, flags, doff);
	flow_input(t, &s, ep);
	/*
	 * The sender moves on, unless the number was made up (M_ACKED,
	 * M_RAW: a retransmission from SND.UNA, a forged segment).
	 */
	if (!made_up(r[0] >> 4)) {
		end = s.seq + s.len + !!(flags & TCPCLOSE_TH_SYN) +
		      !!(flags & TCPCLOSE_TH_FIN);
		if (seq_after(end, e->nxt))
			e->nxt = end;
	}
	if ((flags & TCPCLOSE_TH_ACK) && !made_up(r[0] >> 6) &&
	    seq_after(s.ack, e->acked))
		e->acked = s.ack;
}

/* The GC: the endpoint's timer ran out, if its state has one. */
static void op_expire(struct tuple *t, const uint8_t *r)
{
	unsigned int ep = (r[0] >> 3) & 1, side;
	struct tcpclose_fsm before = t->fast;
	enum tcpclose_timer timer;

	if (!t->live)
		return;
	side = ep == t->a_ep ? TCPCLOSE_SIDE_A : TCPCLOSE_SIDE_B;
	timer = tcpclose_fsm_timer(&t->fast, side);
	CHECK(t, timer <= TCPCLOSE_T_LAST_ACK, "timer %u", timer);
	trace("%lu: expire side %c timer %u\n", t->op, 'A' + side, timer);
	tcpclose_fsm_expire(&t->fast, side, &t->out_fast);
	tcpclose_fsm_expire(&t->full, side, &t->out_full);
	check_fsm(t, &before, 0);
	if (timer == TCPCLOSE_T_NONE) {
		/* The GC would not have called it; it must be a no-op. */
		CHECK(t, !memcmp(&before, &t->fast, sizeof(before)) &&
		      !t->out_fast.events, "expiry without a timer acted");
		return;
	}
	trace_fsm(t);
	CHECK(t, t->fast.state[side] == TCPCLOSE_CLOSED,
	      "side %u not CLOSED by its timer", side);
	CHECK(t, before.state[side] == TCPCLOSE_TIME_WAIT ||
	      (t->fast.flags & TCPCLOSE_F_ENDED), "timer %u gave no verdict",
	      timer);
	reap(t);
}

static void op_evict(struct tuple *t)
{
	struct tcpclose_fsm before = t->fast;

	if (!t->live)
		return;
	trace("%lu: evict\n", t->op);
	tcpclose_fsm_evict(&t->fast, &t->out_fast);
	tcpclose_fsm_evict(&t->full, &t->out_full);
	check_fsm(t, &before, 0);
	trace_fsm(t);
	CHECK(t, t->fast.flags & TCPCLOSE_F_ENDED, "evicted without verdict");
	t->live = 0;
}

/*
 * Byte 1 bit 0: the flow lingered long enough, unlinked if done.  Bit 1:
 * the endpoint starts afresh from the ISN in bytes 2-5 (a new connection
 * on the tuple, or a rebooted host).
 */
static void op_linger(struct tuple *t, const uint8_t *r)
{
	struct endpoint *e = &t->ep[(r[0] >> 3) & 1];
	unsigned int i;

	if ((r[1] & 1) && t->live && tcpclose_fsm_done(&t->fast)) {
		trace("%lu: unlinked\n", t->op);
		t->live = 0;
	}
	if (r[1] & 2) {
		e->isn = le32(r + 2);
		e->nxt = e->isn;
		trace("%lu: ep %u new isn %u\n", t->op, (r[0] >> 3) & 1,
		      e->isn);
	}
	/* Names are total functions of any byte. */
	for (i = 0; i < 2; i++)
		CHECK(t, tcpclose_state_name(r[6 + i]) &&
		      tcpclose_verdict_name(r[8 + i]), "a NULL name");
	if (t->live)
		CHECK(t, tcpclose_fsm_seq_unacked(&t->fast, r[10] & 1,
						  le32(r + 2)) <= 1,
		      "seq_unacked not 0 or 1");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tuple t;
	uint8_t hdr[HDR_LEN] = { 0 };
	uint8_t r[REC_LEN];
	size_t off, n;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	memcpy(hdr, data, size < HDR_LEN ? size : HDR_LEN);
	for (i = 0; i < 2; i++) {
		t.ep[i].isn = le32(hdr + 4 * i);
		t.ep[i].nxt = t.ep[i].isn;
		memcpy(t.ep[i].opts, hdr + 8 + i * HDR_OPTS, HDR_OPTS);
	}
	for (off = HDR_LEN; off < size; off += REC_LEN, t.op++) {
		n = size - off < REC_LEN ? size - off : REC_LEN;
		memset(r, 0, sizeof(r));
		memcpy(r, data + off, n);
		switch (r[0] & 7) {
		case OP_EXPIRE:
			op_expire(&t, r);
			break;
		case OP_EVICT:
			op_evict(&t);
			break;
		case OP_LINGER:
			op_linger(&t, r);
			break;
		default:
			op_segment(&t, r);
			break;
		}
	}
	return 0;
}
