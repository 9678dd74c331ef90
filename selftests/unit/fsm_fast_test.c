// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path of tcpclose_fsm_segment() against the full path alone,
 * tcpclose_fsm_segment_full(): two mirrors fed the same inputs, one
 * through each, must hold the same bytes and report the same output after
 * every input.  The inputs are recorded flows (a bulk transfer, and short
 * flows perturbed by loss, duplicates, reordering and stray RSTs) and
 * random ones from fixed seeds, biased towards what connections send so
 * that each condition of the fast path is met and missed in turn.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "fsm.h"
#include "segment.h"

#define FIN	TCPCLOSE_TH_FIN
#define SYN	TCPCLOSE_TH_SYN
#define RST	TCPCLOSE_TH_RST
#define PSH	TCPCLOSE_TH_PSH
#define ACK	TCPCLOSE_TH_ACK
#define URG	TCPCLOSE_TH_URG
#define ECE	TCPCLOSE_TH_ECE
#define CWR	TCPCLOSE_TH_CWR

#define A	TCPCLOSE_SIDE_A
#define B	TCPCLOSE_SIDE_B

#define MSS	1448u

/* Two mirrors of one flow: through tcpclose_fsm_segment(), and the full path. */
struct pair {
	struct tcpclose_fsm fast, full;
	struct tcpclose_fsm_out out_fast, out_full;
	int started;
	unsigned long inputs;
	/* Inputs an ESTABLISHED flow took as a plain ACK: fast path candidates. */
	unsigned long plain;
};

/* xorshift64: the same streams on every run. */
static unsigned long long rng;

static unsigned int rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng >> 32);
}

static unsigned int pick(unsigned int n)
{
	return rnd() % n;
}

static int out_equal(const struct tcpclose_fsm_out *a,
		     const struct tcpclose_fsm_out *b)
{
	return a->events == b->events && a->forged == b->forged &&
	       a->old_state[0] == b->old_state[0] &&
	       a->old_state[1] == b->old_state[1];
}

static void dump_dir(struct __test_metadata *_metadata, const char *name,
		     const struct tcpclose_dir *d)
{
	TH_LOG("  %s isn %u snd_nxt %u max_ack %u fin_seq %u win %u flags %#x wscale %u",
	       name, d->isn, d->snd_nxt, d->max_ack, d->fin_seq, d->win,
	       (unsigned int)d->flags, (unsigned int)d->wscale);
}

static void dump(struct __test_metadata *_metadata, const char *name,
		 const struct tcpclose_fsm *f, const struct tcpclose_fsm_out *o)
{
	TH_LOG(" %s: states %s %s verdict %s flags %#x anomalies %#x events %#x forged %u",
	       name, tcpclose_state_name(f->state[0]),
	       tcpclose_state_name(f->state[1]),
	       tcpclose_verdict_name(f->verdict), f->flags, f->anomalies,
	       o->events, o->forged);
	TH_LOG("  initiator %u closer %u stalled %u injected %u fins %u %u rst_pending %u %u",
	       f->initiator, f->active_closer, f->stalled, f->injected,
	       f->fin_count[0], f->fin_count[1], f->rst_pending[0],
	       f->rst_pending[1]);
	dump_dir(_metadata, "A", &f->dir[0]);
	dump_dir(_metadata, "B", &f->dir[1]);
}

/*
 * Both mirrors agree, or the test fails with both of them and the input:
 * segment @s, or what @input says.
 */
static void check(struct __test_metadata *_metadata, struct pair *p,
		  const struct tcpclose_seg *s, const char *input)
{
	if (!memcmp(&p->fast, &p->full, sizeof(p->fast)) &&
	    out_equal(&p->out_fast, &p->out_full))
		return;
	if (s)
		TH_LOG("input %lu differs: from %c flags %#x seq %u ack %u len %u win %u ws %u",
		       p->inputs, 'A' + s->dir, s->flags, s->seq, s->ack,
		       s->len, s->win, s->wscale);
	else
		TH_LOG("input %lu differs: %s", p->inputs, input);
	dump(_metadata, "fast", &p->fast, &p->out_fast);
	dump(_metadata, "full", &p->full, &p->out_full);
	ASSERT_TRUE(0);
}

static int plain_ack(const struct tcpclose_fsm *f, const struct tcpclose_seg *s)
{
	return (s->flags & (SYN | FIN | RST | ACK)) == ACK &&
	       f->state[0] == TCPCLOSE_ESTABLISHED &&
	       f->state[1] == TCPCLOSE_ESTABLISHED;
}

static void feed(struct __test_metadata *_metadata, struct pair *p,
		 struct tcpclose_seg s)
{
	p->inputs++;
	if (!p->started) {
		s.dir = A;
		tcpclose_fsm_init(&p->fast, &s, &p->out_fast);
		tcpclose_fsm_init(&p->full, &s, &p->out_full);
		p->started = 1;
	} else {
		p->plain += plain_ack(&p->fast, &s);
		tcpclose_fsm_segment(&p->fast, &s, &p->out_fast);
		tcpclose_fsm_segment_full(&p->full, &s, &p->out_full);
	}
	check(_metadata, p, &s, NULL);
	/* As the module does: a new flow starts with this same segment. */
	if (p->out_fast.events & TCPCLOSE_EV_NEW_FLOW) {
		p->started = 0;
		feed(_metadata, p, s);
	}
}

static void feed_seg(struct __test_metadata *_metadata, struct pair *p,
		     unsigned int dir, unsigned int flags, unsigned int seq,
		     unsigned int ack, unsigned int len)
{
	struct tcpclose_seg s = {
		.seq = seq, .ack = ack, .len = len, .win = 502,
		.flags = flags, .dir = dir,
		.wscale = (flags & SYN) ? 7 : TCPCLOSE_NO_WSCALE,
	};

	feed(_metadata, p, s);
}

static void expire(struct __test_metadata *_metadata, struct pair *p,
		   unsigned int side)
{
	p->inputs++;
	tcpclose_fsm_expire(&p->fast, side, &p->out_fast);
	tcpclose_fsm_expire(&p->full, side, &p->out_full);
	check(_metadata, p, NULL, side ? "B's timer" : "A's timer");
}

/* The bench's flow (selftests/bench/insns.c): 200 data segments each way. */
TEST(bulk_flow)
{
	unsigned int a = 1000, b = 900000, i;
	struct pair p = { 0 };

	feed_seg(_metadata, &p, A, SYN, a++, 0, 0);
	feed_seg(_metadata, &p, B, SYN | ACK, b++, a, 0);
	feed_seg(_metadata, &p, A, ACK, a, b, 0);
	for (i = 0; i < 200; i++) {
		feed_seg(_metadata, &p, A, PSH | ACK, a, b, MSS);
		a += MSS;
		feed_seg(_metadata, &p, B, ACK, b, a, 0);
		feed_seg(_metadata, &p, B, PSH | ACK, b, a, MSS);
		b += MSS;
		feed_seg(_metadata, &p, A, ACK, a, b, 0);
	}
	feed_seg(_metadata, &p, A, FIN | ACK, a++, b, 0);
	feed_seg(_metadata, &p, B, ACK, b, a, 0);
	feed_seg(_metadata, &p, B, FIN | ACK, b++, a, 0);
	feed_seg(_metadata, &p, A, ACK, a, b, 0);
	EXPECT_EQ(TCPCLOSE_V_CLOSE_NORMAL, p.fast.verdict);
	EXPECT_EQ(0, p.fast.anomalies);
	EXPECT_EQ(800, p.plain);
}

/* A recorded flow: the segments, then perturbed copies of them. */
#define REC_MAX	64

struct recording {
	struct tcpclose_seg seg[REC_MAX];
	unsigned int n;
};

static void rec(struct recording *r, unsigned int dir, unsigned int flags,
		unsigned int seq, unsigned int ack, unsigned int len)
{
	r->seg[r->n++] = (struct tcpclose_seg){
		.seq = seq, .ack = ack, .len = len, .win = 1024,
		.flags = flags, .dir = dir,
		.wscale = (flags & SYN) ? 2 : TCPCLOSE_NO_WSCALE,
	};
}

/*
 * A connection with some data each way and one of four ends: A closes
 * first, B does, the FINs cross, or A resets.  With @picked_up, the
 * handshake is left out.
 */
static void record_flow(struct recording *r, unsigned int end, int picked_up)
{
	unsigned int a = 7000, b = 0xfffff000, i;

	r->n = 0;
	if (!picked_up) {
		rec(r, A, SYN, a++, 0, 0);
		rec(r, B, SYN | ACK, b++, a, 0);
		rec(r, A, ACK, a, b, 0);
	} else {
		a++;
		b++;
	}
	for (i = 0; i < 8; i++) {
		rec(r, A, PSH | ACK, a, b, 100 * i + 1);
		a += 100 * i + 1;
		rec(r, B, ACK, b, a, 0);
		rec(r, B, PSH | ACK, b, a, 1000);
		b += 1000;	/* B's sequence numbers wrap */
		rec(r, A, ACK, a, b, 0);
	}
	switch (end) {
	case 0:
		rec(r, A, FIN | ACK, a++, b, 0);
		rec(r, B, ACK, b, a, 0);
		rec(r, B, FIN | ACK, b++, a, 0);
		rec(r, A, ACK, a, b, 0);
		break;
	case 1:
		rec(r, B, FIN | ACK, b++, a, 0);
		rec(r, A, FIN | ACK, a++, b, 0);
		rec(r, B, ACK, b, a, 0);
		break;
	case 2:
		rec(r, A, FIN | ACK, a++, b, 0);
		rec(r, B, FIN | ACK, b++, a - 1, 0);
		rec(r, A, ACK, a, b, 0);
		rec(r, B, ACK, b, a, 0);
		break;
	default:
		rec(r, A, RST | ACK, a, b, 0);
		break;
	}
}

/* A stray RST from @dir: exact, in the window or anywhere. */
static struct tcpclose_seg stray_rst(const struct tcpclose_fsm *f,
				     unsigned int dir)
{
	struct tcpclose_seg s = {
		.flags = RST | (pick(2) ? ACK : 0), .dir = dir,
		.wscale = TCPCLOSE_NO_WSCALE,
	};

	s.ack = f->dir[!dir].snd_nxt;
	switch (pick(3)) {
	case 0:
		s.seq = f->dir[!dir].max_ack;
		break;
	case 1:
		s.seq = f->dir[!dir].max_ack + 1 + pick(4000);
		break;
	default:
		s.seq = rnd();
		break;
	}
	return s;
}

/* One perturbed replay of @r: loss, duplicates, swaps, stray segments. */
static void replay(struct __test_metadata *_metadata, struct pair *pp,
		   const struct recording *r)
{
	struct pair p = *pp;
	struct tcpclose_seg s;
	unsigned int i, roll;

	p.started = 0;
	for (i = 0; i < r->n; i++) {
		s = r->seg[i];
		roll = pick(100);
		if (roll < 6)
			continue;				/* lost */
		if (roll < 10 && i + 1 < r->n) {		/* overtaken */
			feed(_metadata, &p, r->seg[i + 1]);
		} else if (roll < 13 && p.started) {		/* stray RST */
			feed(_metadata, &p, stray_rst(&p.fast, pick(2)));
		} else if (roll < 16) {				/* old, again */
			feed(_metadata, &p, r->seg[pick(i + 1)]);
		} else if (roll < 18) {				/* window 0 */
			s.win = 0;
		} else if (roll < 20 && p.started) {
			expire(_metadata, &p, pick(2));
		}
		feed(_metadata, &p, s);
		if (roll >= 97)
			feed(_metadata, &p, s);			/* duplicated */
	}
	*pp = p;
}

/* Enough of the inputs took the fast path's way to test it. */
static void enough_plain(struct __test_metadata *_metadata,
			 const struct pair *p)
{
	TH_LOG("%lu inputs, %lu plain ACKs between ESTABLISHED sides",
	       p->inputs, p->plain);
	EXPECT_GT(p->plain, p->inputs / 4);
}

TEST(recorded_flows_perturbed)
{
	struct pair p = { 0 };
	struct recording r;
	unsigned int i;

	rng = 0x7c1a5e5eedull;
	for (i = 0; i < 4000; i++) {
		record_flow(&r, i % 4, i % 8 >= 6);
		replay(_metadata, &p, &r);
	}
	enough_plain(_metadata, &p);
}

/* Mostly what the sender's position calls for, sometimes anything. */
static unsigned int near(unsigned int base)
{
	switch (pick(20)) {
	case 0:
		return base - 1 - pick(3000);
	case 1:
		return base + 1 + pick(3000);
	case 2:
		return base + pick(1u << 30);
	case 3:
		return rnd();
	default:
		return base;
	}
}

/* Flag bytes by how often connections send them, roughly. */
static const unsigned char flag_mix[] = {
	ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK,
	PSH | ACK, PSH | ACK, PSH | ACK, PSH | ACK, PSH | ACK, PSH | ACK,
	ACK | ECE, ACK | CWR, ACK | URG | PSH,
	FIN | ACK, FIN | ACK, SYN, SYN | ACK, RST, RST | ACK, FIN, PSH, 0,
};

/* A calm flow sends few but ACKs: it stays ESTABLISHED longer. */
static struct tcpclose_seg random_seg(const struct tcpclose_fsm *f, int calm)
{
	unsigned int dir = pick(2);
	struct tcpclose_seg s = { .dir = dir };
	static const unsigned short wins[] = { 0, 1, 502, 65535 };

	if (calm && pick(64))
		s.flags = pick(2) ? ACK : PSH | ACK;
	else
		s.flags = pick(32) ? flag_mix[pick(sizeof(flag_mix))] :
				     pick(256);
	s.seq = near(f->dir[dir].snd_nxt);
	s.ack = near(f->dir[!dir].snd_nxt);
	if (pick(2))
		s.len = pick(16) ? 1 + pick(MSS) : rnd() >> pick(32);
	s.win = pick(4) ? wins[pick(4)] : pick(65536);
	s.wscale = pick(4) ? TCPCLOSE_NO_WSCALE : pick(20);
	return s;
}

/*
 * A flow opened by a handshake, picked up mid-stream or at its SYN-ACK,
 * then random segments with now and then a timer or an eviction.
 */
static void random_flow(struct __test_metadata *_metadata, struct pair *pp,
			unsigned int len)
{
	unsigned int a = rnd(), b = rnd(), i;
	struct pair p = *pp;
	int calm = pick(2);

	p.started = 0;
	switch (pick(4)) {
	case 0:
		feed_seg(_metadata, &p, A, PSH | ACK, a, b, 10);
		break;
	case 1:
		feed_seg(_metadata, &p, A, SYN | ACK, b, a + 1, 0);
		break;
	default:
		feed_seg(_metadata, &p, A, SYN, a, 0, 0);
		feed_seg(_metadata, &p, B, SYN | ACK, b, a + 1, 0);
		feed_seg(_metadata, &p, A, ACK, a + 1, b + 1, 0);
		break;
	}
	for (i = 0; i < len; i++) {
		switch (pick(200)) {
		case 0:
		case 1:
			expire(_metadata, &p, pick(2));
			break;
		case 2:
			p.inputs++;
			tcpclose_fsm_evict(&p.fast, &p.out_fast);
			tcpclose_fsm_evict(&p.full, &p.out_full);
			check(_metadata, &p, NULL, "eviction");
			break;
		default:
			feed(_metadata, &p, random_seg(&p.fast, calm));
			break;
		}
	}
	*pp = p;
}

TEST(random_flows)
{
	struct pair p = { 0 };
	unsigned int i;

	rng = 0x2545f4914f6cdd1dull;
	for (i = 0; i < 20000; i++)
		random_flow(_metadata, &p, 1 + pick(120));
	enough_plain(_metadata, &p);
}

/*
 * Any mirror, reachable or not, as long as its states are states: random
 * bytes, most often with both sides ESTABLISHED and each side's flags
 * those the fast path wants, plus a few others.
 */
static void random_mirror(struct tcpclose_fsm *f)
{
	unsigned char *b = (unsigned char *)f;
	unsigned int i;

	for (i = 0; i < sizeof(*f); i++)
		b[i] = rnd();
	for (i = 0; i < 2; i++) {
		f->state[i] = pick(4) ? TCPCLOSE_ESTABLISHED :
					pick(TCPCLOSE_NSTATES);
		if (pick(4))
			f->dir[i].flags = TCPCLOSE_D_SEQ | TCPCLOSE_D_ACK |
					  TCPCLOSE_D_WIN |
					  (pick(2) ? 0 : 1u << pick(12));
		if (pick(2))
			f->rst_pending[i] = 0;
	}
	f->flags &= pick(2) ? 0 : TCPCLOSE_F_PICKED_UP | TCPCLOSE_F_ENDED;
}

TEST(random_mirrors)
{
	struct pair p = { .started = 1 };
	struct tcpclose_seg s;
	unsigned int i;

	rng = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < 1000000; i++) {
		random_mirror(&p.fast);
		p.full = p.fast;
		s = random_seg(&p.fast, pick(2));
		p.plain += plain_ack(&p.fast, &s);
		p.inputs++;
		tcpclose_fsm_segment(&p.fast, &s, &p.out_fast);
		tcpclose_fsm_segment_full(&p.full, &s, &p.out_full);
		check(_metadata, &p, &s, NULL);
	}
	enough_plain(_metadata, &p);
}

TEST_HARNESS_MAIN
