// SPDX-License-Identifier: GPL-2.0
/*
 * The close-state mirror: pure, table-driven (see fsm.h and
 * Documentation/fsm.rst).  No kernel or libc header.
 */
#include "fsm.h"
#include "segment.h"

#define S(x)	TCPCLOSE_##x

/* Sequence space comparisons, modulo 2^32. */
static int seq_before(unsigned int a, unsigned int b)
{
	return (int)(a - b) < 0;
}

static int seq_after_eq(unsigned int a, unsigned int b)
{
	return !seq_before(a, b);
}

/* A side's state once it has sent its first FIN. */
static const unsigned char fin_sent[TCPCLOSE_NSTATES] = {
	[S(UNKNOWN)]	 = S(FIN_WAIT1),
	[S(ESTABLISHED)] = S(FIN_WAIT1),
	[S(SYN_SENT)]	 = S(CLOSED),
	[S(SYN_RECV)]	 = S(FIN_WAIT1),
	[S(FIN_WAIT1)]	 = S(FIN_WAIT1),
	[S(FIN_WAIT2)]	 = S(FIN_WAIT2),
	[S(TIME_WAIT)]	 = S(TIME_WAIT),
	[S(CLOSED)]	 = S(CLOSED),
	[S(CLOSE_WAIT)]	 = S(LAST_ACK),
	[S(LAST_ACK)]	 = S(LAST_ACK),
	[S(LISTEN)]	 = S(LISTEN),
	[S(CLOSING)]	 = S(CLOSING),
};

/* A side's state once the ACK of its FIN arrives. */
static const unsigned char fin_acked[TCPCLOSE_NSTATES] = {
	[S(UNKNOWN)]	 = S(UNKNOWN),
	[S(ESTABLISHED)] = S(ESTABLISHED),
	[S(SYN_SENT)]	 = S(SYN_SENT),
	[S(SYN_RECV)]	 = S(SYN_RECV),
	[S(FIN_WAIT1)]	 = S(FIN_WAIT2),
	[S(FIN_WAIT2)]	 = S(FIN_WAIT2),
	[S(TIME_WAIT)]	 = S(TIME_WAIT),
	[S(CLOSED)]	 = S(CLOSED),
	[S(CLOSE_WAIT)]	 = S(CLOSE_WAIT),
	[S(LAST_ACK)]	 = S(CLOSED),
	[S(LISTEN)]	 = S(LISTEN),
	[S(CLOSING)]	 = S(TIME_WAIT),
};

/* A side's state once its peer's FIN arrives (after that segment's ACK). */
static const unsigned char fin_received[TCPCLOSE_NSTATES] = {
	[S(UNKNOWN)]	 = S(CLOSE_WAIT),
	[S(ESTABLISHED)] = S(CLOSE_WAIT),
	[S(SYN_SENT)]	 = S(SYN_SENT),
	[S(SYN_RECV)]	 = S(CLOSE_WAIT),
	[S(FIN_WAIT1)]	 = S(CLOSING),
	[S(FIN_WAIT2)]	 = S(TIME_WAIT),
	[S(TIME_WAIT)]	 = S(TIME_WAIT),
	[S(CLOSED)]	 = S(CLOSED),
	[S(CLOSE_WAIT)]	 = S(CLOSE_WAIT),
	[S(LAST_ACK)]	 = S(LAST_ACK),
	[S(LISTEN)]	 = S(LISTEN),
	[S(CLOSING)]	 = S(CLOSING),
};

/* The timer of a side in each state. */
static const unsigned char state_timer[TCPCLOSE_NSTATES] = {
	[S(SYN_SENT)]	= TCPCLOSE_T_SYN,
	[S(SYN_RECV)]	= TCPCLOSE_T_SYN,
	[S(FIN_WAIT1)]	= TCPCLOSE_T_FIN_WAIT1,
	[S(FIN_WAIT2)]	= TCPCLOSE_T_FIN_WAIT2,
	[S(CLOSING)]	= TCPCLOSE_T_CLOSING,
	[S(TIME_WAIT)]	= TCPCLOSE_T_TIME_WAIT,
	[S(LAST_ACK)]	= TCPCLOSE_T_LAST_ACK,
};

/*
 * What a timer's expiry does: the verdict it gives (if the flow has none)
 * and whether the peer is closed too.  A FIN_WAIT_2 peer is left as it is:
 * it did receive our FIN, so its CLOSE_WAIT (say) is real.  After a
 * TIME_WAIT the verdict was given long ago.
 */
static const struct {
	unsigned char verdict;
	unsigned char close_peer;
} expiry[TCPCLOSE_NSTATES] = {
	[S(SYN_SENT)]	= { TCPCLOSE_V_SYN_TIMEOUT, 1 },
	[S(SYN_RECV)]	= { TCPCLOSE_V_SYN_TIMEOUT, 1 },
	[S(FIN_WAIT1)]	= { TCPCLOSE_V_TIMEOUT_FIN_WAIT1, 1 },
	[S(CLOSING)]	= { TCPCLOSE_V_TIMEOUT_FIN_WAIT1, 1 },
	[S(FIN_WAIT2)]	= { TCPCLOSE_V_TIMEOUT_FIN_WAIT2, 0 },
	[S(LAST_ACK)]	= { TCPCLOSE_V_TIMEOUT_LAST_ACK, 1 },
	[S(TIME_WAIT)]	= { TCPCLOSE_V_NONE, 0 },
};

static const char *const state_names[TCPCLOSE_NSTATES] = {
	[S(UNKNOWN)]	 = "UNKNOWN",
	[S(ESTABLISHED)] = "ESTABLISHED",
	[S(SYN_SENT)]	 = "SYN_SENT",
	[S(SYN_RECV)]	 = "SYN_RECV",
	[S(FIN_WAIT1)]	 = "FIN_WAIT1",
	[S(FIN_WAIT2)]	 = "FIN_WAIT2",
	[S(TIME_WAIT)]	 = "TIME_WAIT",
	[S(CLOSED)]	 = "CLOSED",
	[S(CLOSE_WAIT)]	 = "CLOSE_WAIT",
	[S(LAST_ACK)]	 = "LAST_ACK",
	[S(LISTEN)]	 = "LISTEN",
	[S(CLOSING)]	 = "CLOSING",
};

static const char *const verdict_names[TCPCLOSE_NVERDICTS] = {
	[TCPCLOSE_V_NONE]		  = "none",
	[TCPCLOSE_V_CLOSE_NORMAL]	  = "close_normal",
	[TCPCLOSE_V_CLOSE_SIMULTANEOUS]	  = "close_simultaneous",
	[TCPCLOSE_V_RESET_ESTABLISHED]	  = "reset_established",
	[TCPCLOSE_V_RESET_CLOSING]	  = "reset_closing",
	[TCPCLOSE_V_REFUSED]		  = "refused",
	[TCPCLOSE_V_SYN_TIMEOUT]	  = "syn_timeout",
	[TCPCLOSE_V_TIMEOUT_FIN_WAIT1]	  = "timeout_fin_wait1",
	[TCPCLOSE_V_TIMEOUT_FIN_WAIT2]	  = "timeout_fin_wait2",
	[TCPCLOSE_V_TIMEOUT_LAST_ACK]	  = "timeout_last_ack",
	[TCPCLOSE_V_EVICTED]		  = "evicted",
};

const char *tcpclose_state_name(unsigned int state)
{
	return state < TCPCLOSE_NSTATES ? state_names[state] : "?";
}

const char *tcpclose_verdict_name(unsigned int verdict)
{
	return verdict < TCPCLOSE_NVERDICTS ? verdict_names[verdict] : "?";
}

/* Before an input: nothing happened yet. */
static void out_start(const struct tcpclose_fsm *f,
		      struct tcpclose_fsm_out *out)
{
	out->events = 0;
	out->forged = 0;
	out->old_state[0] = f->state[0];
	out->old_state[1] = f->state[1];
}

static void emit(struct tcpclose_fsm *f, struct tcpclose_fsm_out *out,
		 unsigned int ev)
{
	out->events |= ev;
	f->anomalies |= ev & TCPCLOSE_ANOMALY_MASK;
}

static void give_verdict(struct tcpclose_fsm *f, struct tcpclose_fsm_out *out,
			 unsigned int verdict, unsigned int stalled)
{
	if (f->flags & TCPCLOSE_F_ENDED)
		return;
	f->flags |= TCPCLOSE_F_ENDED;
	f->verdict = verdict;
	f->stalled = stalled;
	out->events |= TCPCLOSE_EV_ENDED;
}

static int is_closing_state(unsigned int state)
{
	return state == S(FIN_WAIT1) || state == S(FIN_WAIT2) ||
	       state == S(CLOSING) || state == S(TIME_WAIT) ||
	       state == S(CLOSE_WAIT) || state == S(LAST_ACK);
}

/* Past the handshake, and not closed. */
static int is_synchronized(unsigned int state)
{
	return state == S(ESTABLISHED) || is_closing_state(state);
}

static int is_closed_state(unsigned int state)
{
	return state == S(CLOSED) || state == S(LISTEN) ||
	       state == S(UNKNOWN);
}

int tcpclose_fsm_done(const struct tcpclose_fsm *f)
{
	return is_closed_state(f->state[0]) && is_closed_state(f->state[1]);
}

enum tcpclose_timer tcpclose_fsm_timer(const struct tcpclose_fsm *f,
				       unsigned int side)
{
	unsigned int st = f->state[side & 1];

	return st < TCPCLOSE_NSTATES ? state_timer[st] : TCPCLOSE_T_NONE;
}

/*
 * What the sender told us about itself: sequence space, ACK, window.  The
 * flags are read once and written once: they share their word with
 * wscale.
 */
static void track_sender(struct tcpclose_dir *d, const struct tcpclose_seg *s)
{
	unsigned int end = s->seq + s->len;
	unsigned int flags = d->flags;

	if (s->flags & TCPCLOSE_TH_SYN) {
		end++;
		if (!(flags & TCPCLOSE_D_SYN))
			d->isn = s->seq;
		flags |= TCPCLOSE_D_SYN;
		d->wscale = s->wscale > 14 ? (s->wscale == 0xff ? 0 : 14) :
					     s->wscale;
	}
	if (s->flags & TCPCLOSE_TH_FIN)
		end++;
	if (!(flags & TCPCLOSE_D_SEQ) || seq_before(d->snd_nxt, end))
		d->snd_nxt = end;
	if (s->flags & TCPCLOSE_TH_ACK) {
		if (!(flags & TCPCLOSE_D_ACK) || seq_before(d->max_ack, s->ack))
			d->max_ack = s->ack;
		flags |= TCPCLOSE_D_ACK;
	}
	d->win = s->win;
	d->flags = flags | TCPCLOSE_D_SEQ | TCPCLOSE_D_WIN;
}

/* The receiver's RCV.NXT: what it last ACKed, else what the sender sent. */
static unsigned int rcv_nxt(const struct tcpclose_fsm *f, unsigned int rcv)
{
	const struct tcpclose_dir *r = &f->dir[rcv];

	return (r->flags & TCPCLOSE_D_ACK) ? r->max_ack : f->dir[!rcv].snd_nxt;
}

/*
 * The receiver's window in bytes.  Unknown windows, and every window of a
 * flow picked up mid-stream (its scale is unknown), are taken as the
 * largest possible: liberal, never a false out-of-window.
 */
static unsigned int rcv_wnd(const struct tcpclose_fsm *f, unsigned int rcv)
{
	const struct tcpclose_dir *r = &f->dir[rcv];

	if ((f->flags & TCPCLOSE_F_PICKED_UP) || !(r->flags & TCPCLOSE_D_WIN))
		return 0xffffu << 14;
	return (unsigned int)r->win << r->wscale;
}

/*
 * An RST at RCV.NXT - 1, the sequence number of the FIN that side @rcv
 * took: Linux resets in CLOSE_WAIT, LAST_ACK and CLOSING
 * (tcp_reset_check()), as for an exact one.  The peer sent it in answer to
 * a segment that left before its FIN arrived.
 */
static int rst_at_fin(const struct tcpclose_fsm *f, unsigned int rcv,
		      unsigned int seq)
{
	unsigned int st = f->state[rcv];

	return (st == S(CLOSE_WAIT) || st == S(LAST_ACK) || st == S(CLOSING)) &&
	       seq + 1 == rcv_nxt(f, rcv);
}

/* RFC 5961 §3.2 class of an RST sent to side @rcv. */
static unsigned int rst_class(const struct tcpclose_fsm *f, unsigned int rcv,
			      unsigned int seq)
{
	unsigned int nxt = rcv_nxt(f, rcv);

	if (seq == nxt || seq == f->dir[!rcv].snd_nxt ||
	    rst_at_fin(f, rcv, seq))
		return TCPCLOSE_EV_RST_EXACT;
	/* The right edge is in, as in Linux's tcp_sequence(). */
	if (seq - nxt <= rcv_wnd(f, rcv))
		return TCPCLOSE_EV_RST_IN_WINDOW;
	return TCPCLOSE_EV_RST_OUT_OF_WINDOW;
}

static unsigned int reset_verdict(const struct tcpclose_fsm *f)
{
	unsigned int fins = f->dir[0].flags | f->dir[1].flags;

	if (fins & TCPCLOSE_D_FIN)
		return TCPCLOSE_V_RESET_CLOSING;
	if (f->state[0] == S(ESTABLISHED) || f->state[1] == S(ESTABLISHED))
		return TCPCLOSE_V_RESET_ESTABLISHED;
	return TCPCLOSE_V_REFUSED;
}

/* A refusal: RST+ACK acknowledging the SYN of a side in SYN_SENT. */
static int is_refusal(const struct tcpclose_fsm *f, unsigned int rcv,
		      const struct tcpclose_seg *s)
{
	return f->state[rcv] == S(SYN_SENT) && (s->flags & TCPCLOSE_TH_ACK) &&
	       s->ack == f->dir[rcv].snd_nxt;
}

/*
 * A rejected handshake: an RST without ACK, from a side that has ACKed
 * nothing, at exactly the ACK its peer last sent.  That is how Linux
 * answers an ACK that is not for its SYN while in SYN_SENT (RFC 9293
 * 3.10.7.3: <SEQ=SEG.ACK><CTL=RST>), and a SYN-ACK for a SYN it has no
 * socket for.  Returns 1 if the RST was one.
 *
 * The sender is still in SYN_SENT, with a SYN the peer's ACK did not
 * answer: that ACK belonged to another connection.  A SYN-ACK answered an
 * old duplicate SYN (RFC 9293 3.5, "Recovery from Old Duplicate SYN"), a
 * pure ACK was the peer's connection on this tuple, which the sender has
 * forgotten ("Active Side Causes Half-Open Connection Discovery").  The
 * sender stays in SYN_SENT (its own SYN goes on), the peer returns to
 * LISTEN.
 *
 * Or the SYN-ACK did ACK the SYN this vantage saw, taken as received: the
 * sender never sent that SYN, or no longer has it (an old duplicate SYN
 * seen here, a SYN scan).  The handshake ends: verdict refused.
 *
 * Neither is classed as in RFC 5961, as a refusal is not.
 */
static int segment_rejected(struct tcpclose_fsm *f,
			    const struct tcpclose_seg *s,
			    struct tcpclose_fsm_out *out)
{
	unsigned int snd = s->dir, rcv = !snd;
	const struct tcpclose_dir *d = &f->dir[snd];
	struct tcpclose_dir *r = &f->dir[rcv];

	if ((s->flags & TCPCLOSE_TH_ACK) || (d->flags & TCPCLOSE_D_ACK) ||
	    !(r->flags & TCPCLOSE_D_ACK) || s->seq != r->max_ack)
		return 0;
	if (f->state[snd] == S(SYN_SENT) && r->max_ack != d->snd_nxt) {
		emit(f, out, f->state[rcv] == S(SYN_RECV) ?
			     TCPCLOSE_EV_OLD_DUP_SYN : TCPCLOSE_EV_HALF_OPEN);
		f->state[rcv] = S(LISTEN);
		/* Forget what it sent: it starts its handshake afresh. */
		*r = (struct tcpclose_dir){ 0 };
		f->rst_pending[rcv] = 0;
		return 1;
	}
	if (f->state[rcv] != S(SYN_RECV))
		return 0;
	emit(f, out, TCPCLOSE_EV_OLD_DUP_SYN);
	give_verdict(f, out, TCPCLOSE_V_REFUSED, TCPCLOSE_SIDE_NONE);
	f->state[0] = S(CLOSED);
	f->state[1] = S(CLOSED);
	return 1;
}

/*
 * An RST that took no effect (RFC 5961 §3.2): the sender's RST stays
 * pending until the sender is seen again (sender_alive()); the receiver of
 * an in-window one owes a challenge ACK.
 */
static void rst_ignored(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
			unsigned int cls)
{
	unsigned char *pending = &f->rst_pending[s->dir];

	if (*pending < 255)
		(*pending)++;
	if (cls == TCPCLOSE_EV_RST_IN_WINDOW)
		f->dir[!s->dir].flags |= TCPCLOSE_D_CHALLENGE_DUE;
}

static void segment_rst(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
			struct tcpclose_fsm_out *out)
{
	unsigned int snd = s->dir, rcv = !snd, cls;

	if (is_refusal(f, rcv, s)) {
		f->state[0] = S(CLOSED);
		f->state[1] = S(CLOSED);
		give_verdict(f, out, TCPCLOSE_V_REFUSED, TCPCLOSE_SIDE_NONE);
		return;
	}
	if (segment_rejected(f, s, out))
		return;
	/* RFC 1337: an exact one ends the TIME_WAIT early (Linux's default). */
	if (f->state[rcv] == S(TIME_WAIT))
		emit(f, out, TCPCLOSE_EV_RST_IN_TIME_WAIT);
	cls = rst_class(f, rcv, s->seq);
	emit(f, out, cls);
	if (cls != TCPCLOSE_EV_RST_EXACT) {
		rst_ignored(f, s, cls);
		return;
	}
	if (f->dir[rcv].flags & TCPCLOSE_D_CHALLENGED)
		emit(f, out, TCPCLOSE_EV_RST_AFTER_CHALLENGE);
	f->rst_pending[snd] = 0;	/* a real reset: so were they, maybe */
	if (!(s->flags & TCPCLOSE_TH_ACK) &&
	    !is_closed_state(f->state[snd]) &&
	    f->state[snd] != S(SYN_SENT))
		emit(f, out, TCPCLOSE_EV_HALF_OPEN);
	give_verdict(f, out, reset_verdict(f), TCPCLOSE_SIDE_NONE);
	f->state[0] = S(CLOSED);
	f->state[1] = S(CLOSED);
}

/* A SYN from a side whose connection is past its handshake. */
static int segment_new_syn(struct tcpclose_fsm *f,
			   const struct tcpclose_seg *s,
			   struct tcpclose_fsm_out *out)
{
	unsigned int snd = s->dir, rcv = !snd;
	const struct tcpclose_dir *d = &f->dir[snd];

	if ((s->flags & (TCPCLOSE_TH_SYN | TCPCLOSE_TH_ACK | TCPCLOSE_TH_RST)) !=
	    TCPCLOSE_TH_SYN)
		return 0;
	if ((d->flags & TCPCLOSE_D_SYN) && s->seq == d->isn &&
	    f->state[snd] == S(SYN_SENT))
		return 0;	/* a retransmission of its SYN */
	if (f->state[snd] == S(SYN_SENT) || f->state[snd] == S(UNKNOWN) ||
	    (f->state[snd] == S(LISTEN) && !(d->flags & TCPCLOSE_D_SYN)))
		return 0;	/* its first SYN, or a simultaneous open */
	if (is_closing_state(f->state[rcv]) || is_closing_state(f->state[snd]))
		emit(f, out, TCPCLOSE_EV_SYN_ON_CLOSING);
	if (f->flags & TCPCLOSE_F_ENDED)
		out->events |= TCPCLOSE_EV_NEW_FLOW;
	return 1;
}

/*
 * Data the receiver cannot take (RFC 5961 §5): starting past the right
 * edge of its window (Linux's tcp_sequence() test), or ending further
 * behind RCV.NXT than any window of its scale could have let through.
 */
static int outside_window(const struct tcpclose_seg *s, unsigned int nxt,
			  unsigned int wnd, unsigned int wscale)
{
	return seq_before(nxt + wnd, s->seq) ||
	       seq_before(s->seq + s->len, nxt - (0xffffu << wscale));
}

static int data_outside(const struct tcpclose_fsm *f, unsigned int rcv,
			const struct tcpclose_seg *s)
{
	return outside_window(s, rcv_nxt(f, rcv), rcv_wnd(f, rcv),
			      f->dir[rcv].wscale);
}

/*
 * A segment the receiver discards, as blindly injected ones are: data
 * outside its window, or an ACK of what it never sent.  Counted, and
 * otherwise ignored; returns 1 if it was one.  Flows picked up mid-stream
 * are not checked (windows and scales unknown), nor SYNs, nor segments to
 * a side still in its handshake: RFC 9293 answers those with an RST
 * (segment_rejected()), as when they reveal a half-open connection.
 */
static int segment_injected(struct tcpclose_fsm *f,
			    const struct tcpclose_seg *s,
			    struct tcpclose_fsm_out *out)
{
	const struct tcpclose_dir *r = &f->dir[!s->dir];
	unsigned int ev;

	if ((s->flags & TCPCLOSE_TH_SYN) || (f->flags & TCPCLOSE_F_PICKED_UP) ||
	    !is_synchronized(f->state[!s->dir]))
		return 0;
	if ((s->flags & TCPCLOSE_TH_ACK) && (r->flags & TCPCLOSE_D_SEQ) &&
	    seq_before(r->snd_nxt, s->ack))
		ev = TCPCLOSE_EV_ACK_UNSENT;
	else if (s->len && data_outside(f, !s->dir, s))
		ev = TCPCLOSE_EV_DATA_OUT_OF_WINDOW;
	else
		return 0;
	emit(f, out, ev);
	if (f->injected < 255 && ++f->injected == TCPCLOSE_INJECT_BURST)
		emit(f, out, TCPCLOSE_EV_HIJACK_SUSPECT);
	return 1;
}

/*
 * The sender is alive: its RSTs that took no effect were not its own, and
 * its peer's challenge, if any, is answered.
 */
static void sender_alive(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
			 struct tcpclose_fsm_out *out)
{
	unsigned char *pending = &f->rst_pending[s->dir];

	f->dir[!s->dir].flags &= ~(TCPCLOSE_D_CHALLENGE_DUE |
				   TCPCLOSE_D_CHALLENGED);
	if (!*pending)
		return;
	out->forged = *pending;
	*pending = 0;
	emit(f, out, TCPCLOSE_EV_RST_FORGED_SUSPECT);
}

/*
 * The challenge ACK a side owes for an in-window RST: its next pure ACK
 * that says nothing new, SND.NXT and RCV.NXT as before.
 */
static void challenge_ack(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
			  struct tcpclose_fsm_out *out)
{
	struct tcpclose_dir *d = &f->dir[s->dir];

	if (!(d->flags & TCPCLOSE_D_CHALLENGE_DUE) || s->len ||
	    (s->flags & (TCPCLOSE_TH_SYN | TCPCLOSE_TH_FIN | TCPCLOSE_TH_ACK)) !=
	    TCPCLOSE_TH_ACK || s->seq != d->snd_nxt || s->ack != d->max_ack)
		return;
	d->flags &= ~TCPCLOSE_D_CHALLENGE_DUE;
	d->flags |= TCPCLOSE_D_CHALLENGED;
	emit(f, out, TCPCLOSE_EV_CHALLENGE_ACK);
}

/* A SYN-ACK with the ISN of one sent before: counted, not an anomaly. */
static void synack_retrans(struct tcpclose_dir *d, const struct tcpclose_seg *s,
			   struct tcpclose_fsm_out *out)
{
	if ((s->flags & (TCPCLOSE_TH_SYN | TCPCLOSE_TH_ACK)) !=
	    (TCPCLOSE_TH_SYN | TCPCLOSE_TH_ACK))
		return;
	if ((d->flags & TCPCLOSE_D_SYNACK) && s->seq == d->isn)
		out->events |= TCPCLOSE_EV_SYNACK_RETRANS;
	d->flags |= TCPCLOSE_D_SYNACK;
}

static void sender_fin(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
		       struct tcpclose_fsm_out *out)
{
	unsigned int snd = s->dir, rcv = !snd;
	struct tcpclose_dir *d = &f->dir[snd];
	unsigned int fin_seq = s->seq + s->len;
	const struct tcpclose_dir *peer = &f->dir[rcv];
	int active;

	if (f->fin_count[snd] < 255)
		f->fin_count[snd]++;
	if ((d->flags & TCPCLOSE_D_FIN) && fin_seq == d->fin_seq) {
		active = f->active_closer == snd ||
			 f->active_closer == TCPCLOSE_SIDE_BOTH;
		emit(f, out, active ? TCPCLOSE_EV_FIN_RETRANS_ACTIVE :
				      TCPCLOSE_EV_FIN_RETRANS_PASSIVE);
		if (d->flags & TCPCLOSE_D_FIN_ACKED)
			emit(f, out, TCPCLOSE_EV_FIN_AFTER_ACK);
		return;
	}
	d->flags |= TCPCLOSE_D_FIN;
	d->fin_seq = fin_seq;
	if (!(peer->flags & TCPCLOSE_D_FIN)) {
		f->active_closer = snd;
		f->state[snd] = fin_sent[f->state[snd]];
		return;
	}
	/* The peer's FIN came first: did this side see it before its own? */
	if ((s->flags & TCPCLOSE_TH_ACK) &&
	    seq_after_eq(s->ack, peer->fin_seq + 1)) {
		f->state[snd] = fin_sent[f->state[snd]];
		return;
	}
	f->active_closer = TCPCLOSE_SIDE_BOTH;
	f->state[snd] = S(CLOSING);
}

/* Sender-side effects of a segment that is not an RST. */
static void segment_sender(struct tcpclose_fsm *f,
			   const struct tcpclose_seg *s,
			   struct tcpclose_fsm_out *out)
{
	unsigned int snd = s->dir, rcv = !snd;
	struct tcpclose_dir *d = &f->dir[snd];
	unsigned int st = f->state[snd];

	if ((d->flags & TCPCLOSE_D_FIN) && s->len &&
	    seq_before(d->fin_seq, s->seq + s->len))
		emit(f, out, TCPCLOSE_EV_DATA_AFTER_FIN);
	/* Not a FIN: a FIN again shows its ACK was lost, no TIME_WAIT. */
	if (st == S(TIME_WAIT) &&
	    (s->flags & (TCPCLOSE_TH_ACK | TCPCLOSE_TH_FIN)) == TCPCLOSE_TH_ACK &&
	    (f->dir[rcv].flags & TCPCLOSE_D_FIN_ACKED) &&
	    s->ack == f->dir[rcv].fin_seq + 1)
		emit(f, out, TCPCLOSE_EV_TIME_WAIT_REACK);
	challenge_ack(f, s, out);
	sender_alive(f, s, out);
	synack_retrans(d, s, out);
	track_sender(d, s);
	if (s->flags & TCPCLOSE_TH_SYN) {
		if (s->flags & TCPCLOSE_TH_ACK) {
			if (st == S(LISTEN) || st == S(UNKNOWN))
				f->state[snd] = S(SYN_RECV);
		} else if (st == S(LISTEN) && f->state[rcv] == S(SYN_SENT)) {
			/*
			 * Crossing SYNs (simultaneous open): this SYN left
			 * before the peer's, taken as received (LISTEN),
			 * reached its sender, which is now in SYN_RECV.
			 */
			f->state[snd] = S(SYN_RECV);
		} else if (st == S(UNKNOWN) || st == S(LISTEN) ||
			   st == S(CLOSED)) {
			f->state[snd] = S(SYN_SENT);
		}
	}
	if (s->flags & TCPCLOSE_TH_FIN)
		sender_fin(f, s, out);
}

/* Receiver-side effects: the ACK first, then the SYN or the FIN. */
static void segment_receiver(struct tcpclose_fsm *f,
			     const struct tcpclose_seg *s)
{
	unsigned int rcv = !s->dir;
	struct tcpclose_dir *r = &f->dir[rcv];
	unsigned int st = f->state[rcv];
	int acks_syn = (s->flags & TCPCLOSE_TH_ACK) && s->ack == r->snd_nxt;

	if (s->flags & TCPCLOSE_TH_SYN) {
		if (st == S(SYN_SENT) && !(s->flags & TCPCLOSE_TH_ACK))
			f->state[rcv] = S(SYN_RECV);	/* simultaneous open */
		else if ((st == S(SYN_SENT) || st == S(SYN_RECV)) && acks_syn)
			f->state[rcv] = S(ESTABLISHED);
		else if (st == S(UNKNOWN) || st == S(CLOSED))
			f->state[rcv] = S(LISTEN);
		return;
	}
	if (st == S(SYN_RECV) && acks_syn)
		f->state[rcv] = S(ESTABLISHED);
	if ((r->flags & TCPCLOSE_D_FIN) && !(r->flags & TCPCLOSE_D_FIN_ACKED) &&
	    (s->flags & TCPCLOSE_TH_ACK) && seq_after_eq(s->ack, r->fin_seq + 1)) {
		r->flags |= TCPCLOSE_D_FIN_ACKED;
		f->state[rcv] = fin_acked[f->state[rcv]];
	}
	if (s->flags & TCPCLOSE_TH_FIN)
		f->state[rcv] = fin_received[f->state[rcv]];
}

static void check_closed(struct tcpclose_fsm *f, struct tcpclose_fsm_out *out)
{
	unsigned int acked = f->dir[0].flags & f->dir[1].flags;

	if (!(acked & TCPCLOSE_D_FIN_ACKED))
		return;
	give_verdict(f, out, f->active_closer == TCPCLOSE_SIDE_BOTH ?
			     TCPCLOSE_V_CLOSE_SIMULTANEOUS :
			     TCPCLOSE_V_CLOSE_NORMAL, TCPCLOSE_SIDE_NONE);
}

void tcpclose_fsm_segment_full(struct tcpclose_fsm *f,
			       const struct tcpclose_seg *s,
			       struct tcpclose_fsm_out *out)
{
	out_start(f, out);
	if (s->flags & TCPCLOSE_TH_RST) {
		segment_rst(f, s, out);
		return;
	}
	if (segment_new_syn(f, s, out) || segment_injected(f, s, out))
		return;
	segment_sender(f, s, out);
	segment_receiver(f, s);
	check_closed(f, out);
}

/* The flags segment_fast() wants of each side, of those it looks at. */
#define FAST_DIR_MASK	(TCPCLOSE_D_SEQ | TCPCLOSE_D_ACK | TCPCLOSE_D_WIN | \
			 TCPCLOSE_D_FIN | TCPCLOSE_D_FIN_ACKED | \
			 TCPCLOSE_D_CHALLENGE_DUE | TCPCLOSE_D_CHALLENGED)
#define FAST_DIR_FLAGS	(TCPCLOSE_D_SEQ | TCPCLOSE_D_ACK | TCPCLOSE_D_WIN)

/*
 * The fast path.  Almost every segment is an ACK, with or without data,
 * between two ESTABLISHED sides.  When, besides, each side's sequence
 * space, ACK and window are known (FAST_DIR_FLAGS), neither has sent a FIN
 * or owes or has sent a challenge ACK, and the sender has no RST pending,
 * every check of the full path but segment_injected()'s passes and no
 * state moves: all that changes is the sender's snd_nxt, max_ack and
 * window.  Returns 0, having changed nothing, for any other segment and
 * for one segment_injected() counts: the full path takes those.
 * selftests/unit/fsm_fast_test.c compares the two paths.
 */
static int segment_fast(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
			struct tcpclose_fsm_out *out)
{
	struct tcpclose_dir *d = &f->dir[s->dir];
	/* !s->dir for a side (0 or 1), without the compare. */
	const struct tcpclose_dir *r = &f->dir[s->dir ^ 1];
	unsigned int end = s->seq + s->len;

	if ((s->flags & (TCPCLOSE_TH_SYN | TCPCLOSE_TH_FIN | TCPCLOSE_TH_RST |
			 TCPCLOSE_TH_ACK)) != TCPCLOSE_TH_ACK ||
	    f->state[0] != S(ESTABLISHED) || f->state[1] != S(ESTABLISHED) ||
	    (d->flags & FAST_DIR_MASK) != FAST_DIR_FLAGS ||
	    (r->flags & FAST_DIR_MASK) != FAST_DIR_FLAGS ||
	    f->rst_pending[s->dir])
		return 0;
	/*
	 * segment_injected(), which would count it; the receiver's RCV.NXT
	 * and window are known (FAST_DIR_FLAGS).
	 */
	if (!(f->flags & TCPCLOSE_F_PICKED_UP) &&
	    (seq_before(r->snd_nxt, s->ack) ||
	     (s->len && outside_window(s, r->max_ack,
				       (unsigned int)r->win << r->wscale,
				       r->wscale))))
		return 0;
	/* track_sender(), its flags already set. */
	if (seq_before(d->snd_nxt, end))
		d->snd_nxt = end;
	if (seq_before(d->max_ack, s->ack))
		d->max_ack = s->ack;
	d->win = s->win;
	out->events = 0;
	out->forged = 0;
	out->old_state[0] = S(ESTABLISHED);
	out->old_state[1] = S(ESTABLISHED);
	return 1;
}

void tcpclose_fsm_segment(struct tcpclose_fsm *f,
			  const struct tcpclose_seg *s,
			  struct tcpclose_fsm_out *out)
{
	if (!segment_fast(f, s, out))
		tcpclose_fsm_segment_full(f, s, out);
}

void tcpclose_fsm_init(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
		       struct tcpclose_fsm_out *out)
{
	unsigned char *p = (unsigned char *)f;
	unsigned int i, syn = s->flags & (TCPCLOSE_TH_SYN | TCPCLOSE_TH_ACK);

	for (i = 0; i < sizeof(*f); i++)
		p[i] = 0;
	f->initiator = TCPCLOSE_SIDE_NONE;
	f->active_closer = TCPCLOSE_SIDE_NONE;
	f->stalled = TCPCLOSE_SIDE_NONE;
	if (syn == TCPCLOSE_TH_SYN) {
		f->initiator = s->dir;
	} else if (syn == (TCPCLOSE_TH_SYN | TCPCLOSE_TH_ACK)) {
		/* Picked up mid-handshake: the peer's SYN is what this ACKs. */
		f->initiator = !s->dir;
		f->state[!s->dir] = S(SYN_SENT);
		f->dir[!s->dir].snd_nxt = s->ack;
		f->dir[!s->dir].flags = TCPCLOSE_D_SYN | TCPCLOSE_D_SEQ;
		/* Its SYN, and the window scale in it, were not seen. */
		f->dir[!s->dir].wscale = 14;
	} else {
		f->flags |= TCPCLOSE_F_PICKED_UP;
		f->state[0] = S(ESTABLISHED);
		f->state[1] = S(ESTABLISHED);
	}
	tcpclose_fsm_segment(f, s, out);
	out->old_state[0] = S(UNKNOWN);
	out->old_state[1] = S(UNKNOWN);
	if (f->flags & TCPCLOSE_F_PICKED_UP)
		out->events |= TCPCLOSE_EV_PICKED_UP;
}

void tcpclose_fsm_expire(struct tcpclose_fsm *f, unsigned int side,
			 struct tcpclose_fsm_out *out)
{
	unsigned int st = f->state[side & 1];

	out_start(f, out);
	if (st >= TCPCLOSE_NSTATES || !state_timer[st])
		return;
	side &= 1;
	f->state[side] = S(CLOSED);
	if (expiry[st].close_peer)
		f->state[!side] = S(CLOSED);
	if (expiry[st].verdict)
		give_verdict(f, out, expiry[st].verdict, !side);
}

void tcpclose_fsm_evict(struct tcpclose_fsm *f, struct tcpclose_fsm_out *out)
{
	out_start(f, out);
	give_verdict(f, out, TCPCLOSE_V_EVICTED, TCPCLOSE_SIDE_NONE);
}

/*
 * SND.UNA is the highest ACK the peer was seen to send.  Without one (or
 * without the side's own sequence space) nothing can be said: a flow
 * picked up mid-stream, a SYN not yet answered.
 */
int tcpclose_fsm_seq_unacked(const struct tcpclose_fsm *f, unsigned int side,
			     unsigned int seq)
{
	const struct tcpclose_dir *d = &f->dir[side];
	const struct tcpclose_dir *peer = &f->dir[!side];

	if (!(d->flags & TCPCLOSE_D_SEQ) || !(peer->flags & TCPCLOSE_D_ACK))
		return 1;
	return seq - peer->max_ack <= d->snd_nxt - peer->max_ack;
}
