// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of module/fsm.c, the close-state mirror, the very file
 * the module compiles.  Documentation/fsm.rst describes the model; the
 * "scenario" tests at the end are its table "scenario x vantage".
 *
 * Conventions: side A is the client (10.0.1.1, ISN 1000, sends the SYN),
 * side B the server (ISN 5000).  open_flow() runs the handshake, one
 * request of 5 bytes and one response of 5 bytes: after it A's next
 * sequence number is 1006 and B's 5006.
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

#define A	TCPCLOSE_SIDE_A
#define B	TCPCLOSE_SIDE_B
#define NONE	TCPCLOSE_SIDE_NONE
#define BOTH	TCPCLOSE_SIDE_BOTH

#define UNKNOWN	TCPCLOSE_UNKNOWN
#define EST	TCPCLOSE_ESTABLISHED
#define SS	TCPCLOSE_SYN_SENT
#define SR	TCPCLOSE_SYN_RECV
#define FW1	TCPCLOSE_FIN_WAIT1
#define FW2	TCPCLOSE_FIN_WAIT2
#define TW	TCPCLOSE_TIME_WAIT
#define CLOSED	TCPCLOSE_CLOSED
#define CW	TCPCLOSE_CLOSE_WAIT
#define LA	TCPCLOSE_LAST_ACK
#define LISTEN	TCPCLOSE_LISTEN
#define CLOSING	TCPCLOSE_CLOSING

#define EV(x)	TCPCLOSE_EV_##x
#define V(x)	TCPCLOSE_V_##x

#define ISN_A	1000u
#define ISN_B	5000u
#define WIN	65535u
#define WSCALE	7u
/* The receive window after open_flow(): every segment says 65535, << 7. */
#define RWND	(WIN << WSCALE)
/* A flow picked up mid-stream: the window scale is unknown. */
#define LIBERAL	(0xffffu << 14)

/* Sequence number of @side once open_flow() is done. */
static unsigned int nxt(unsigned int side)
{
	return side == A ? ISN_A + 6 : ISN_B + 6;
}

/* One mirror and what its inputs did. */
struct drv {
	struct tcpclose_fsm f;
	struct tcpclose_fsm_out out;
	unsigned int all;	/* every event of every input */
	unsigned int ended;	/* inputs that gave the verdict */
	int started;
};

static void drv_note(struct drv *d)
{
	d->all |= d->out.events;
	if (d->out.events & EV(ENDED))
		d->ended++;
}

static void drv_feed(struct drv *d, const struct tcpclose_seg *s)
{
	if (d->started) {
		tcpclose_fsm_segment(&d->f, s, &d->out);
	} else {
		tcpclose_fsm_init(&d->f, s, &d->out);
		d->started = 1;
	}
	drv_note(d);
}

/* A segment as Linux sends it: window 65535, window scale 7 on SYNs. */
static void drv_seg(struct drv *d, unsigned int side, unsigned int flags,
		    unsigned int seq, unsigned int ack, unsigned int len)
{
	struct tcpclose_seg s = {
		.seq = seq, .ack = ack, .len = len, .win = WIN,
		.flags = flags, .dir = side,
		.wscale = (flags & SYN) ? WSCALE : 0xff,
	};

	drv_feed(d, &s);
}

static void drv_expire(struct drv *d, unsigned int side)
{
	tcpclose_fsm_expire(&d->f, side, &d->out);
	drv_note(d);
}

/* Handshake, a 5-byte request and a 5-byte response. */
static void open_flow(struct drv *d)
{
	drv_seg(d, A, SYN, ISN_A, 0, 0);
	drv_seg(d, B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	drv_seg(d, A, ACK, ISN_A + 1, ISN_B + 1, 0);
	drv_seg(d, A, PSH | ACK, ISN_A + 1, ISN_B + 1, 5);
	drv_seg(d, B, PSH | ACK, ISN_B + 1, ISN_A + 6, 5);
	drv_seg(d, A, ACK, ISN_A + 6, ISN_B + 6, 0);
}

#define seg(side, flags, seq, ack, len) \
	drv_seg(&self->d, side, flags, seq, ack, len)
#define expire(side)	drv_expire(&self->d, side)
#define F		(self->d.f)
#define OUT		(self->d.out)

#define EXPECT_STATE(side, st) \
	EXPECT_STREQ(tcpclose_state_name(st), \
		     tcpclose_state_name(F.state[side]))
#define EXPECT_STATES(a, b) do { \
	EXPECT_STATE(A, a); \
	EXPECT_STATE(B, b); \
} while (0)
#define EXPECT_VERDICT(v) \
	EXPECT_STREQ(tcpclose_verdict_name(v), \
		     tcpclose_verdict_name(F.verdict))
/* The events of the last input, exactly. */
#define EXPECT_EVENTS(ev)	EXPECT_EQ((unsigned int)(ev), OUT.events)

/* Flows whose sides are fixed by the test. */
FIXTURE(flow) {
	struct drv d;
};

FIXTURE_SETUP(flow)
{
	memset(&self->d, 0, sizeof(self->d));
}

FIXTURE_TEARDOWN(flow)
{
}

/*
 * Close-side tests, run twice: with the client (A) and with the server
 * (B) as side x, the side whose transitions are checked; y is its peer.
 */
FIXTURE(closer) {
	struct drv d;
};

FIXTURE_VARIANT(closer) {
	unsigned int x;
};

FIXTURE_VARIANT_ADD(closer, side_a) {
	.x = A,
};

FIXTURE_VARIANT_ADD(closer, side_b) {
	.x = B,
};

FIXTURE_SETUP(closer)
{
	memset(&self->d, 0, sizeof(self->d));
	open_flow(&self->d);
}

FIXTURE_TEARDOWN(closer)
{
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

TEST_F(flow, syn_sent_and_listen)
{
	seg(A, SYN, ISN_A, 0, 0);
	EXPECT_EQ(UNKNOWN, OUT.old_state[A]);
	EXPECT_EQ(UNKNOWN, OUT.old_state[B]);
	EXPECT_STATES(SS, LISTEN);
	EXPECT_EQ(A, F.initiator);
	EXPECT_EQ(NONE, F.active_closer);
	EXPECT_EQ(NONE, F.stalled);
	EXPECT_EVENTS(0);
	EXPECT_EQ(0, F.flags);
	EXPECT_EQ(TCPCLOSE_T_SYN, tcpclose_fsm_timer(&F, A));
	EXPECT_EQ(TCPCLOSE_T_NONE, tcpclose_fsm_timer(&F, B));
	EXPECT_FALSE(tcpclose_fsm_done(&F));
}

TEST_F(flow, handshake)
{
	seg(A, SYN, ISN_A, 0, 0);
	/* SYN_SENT -> ESTABLISHED (A), LISTEN -> SYN_RECV (B) */
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_EQ(SS, OUT.old_state[A]);
	EXPECT_EQ(LISTEN, OUT.old_state[B]);
	EXPECT_STATES(EST, SR);
	EXPECT_EQ(TCPCLOSE_T_SYN, tcpclose_fsm_timer(&F, B));
	/* SYN_RECV -> ESTABLISHED (B) */
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	EXPECT_STATES(EST, EST);
	EXPECT_EVENTS(0);
	EXPECT_EQ(0, F.anomalies);
}

TEST_F(flow, syn_ack_not_acking_the_syn)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 7, 0);
	EXPECT_STATES(SS, SR);
	/* ACK that does not ACK the SYN-ACK. */
	seg(A, ACK, ISN_A + 1, ISN_B + 9, 0);
	EXPECT_STATES(SS, SR);
}

TEST_F(flow, syn_retransmission_is_not_a_new_flow)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(A, SYN, ISN_A, 0, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(SS, LISTEN);
	/* A new ISN while still in SYN_SENT: the same attempt. */
	seg(A, SYN, ISN_A + 77, 0, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(SS, LISTEN);
	seg(B, SYN | ACK, ISN_B, ISN_A + 78, 0);
	EXPECT_STATES(EST, SR);
}

/* The SYN-ACK is lost beyond the vantage: A's SYN comes again. */
TEST_F(flow, syn_retransmission_after_syn_ack_is_ignored)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(A, SYN, ISN_A, 0, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(EST, SR);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	EXPECT_STATES(EST, EST);
	EXPECT_EQ(0, F.anomalies);
}

/*
 * Crossing SYNs.  A: SYN_SENT -> SYN_RECV when B's SYN arrives.  B had
 * been taken as LISTEN (A's SYN assumed received); its own SYN shows it
 * sent before receiving, so it is SYN_RECV too.  Each SYN-ACK then ACKs
 * the other's SYN: SYN_RECV -> ESTABLISHED on both sides.
 */
TEST_F(flow, simultaneous_open)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN, ISN_B, 0, 0);
	EXPECT_EQ(SS, OUT.old_state[A]);
	EXPECT_EQ(LISTEN, OUT.old_state[B]);
	EXPECT_STATES(SR, SR);
	EXPECT_EVENTS(0);
	seg(A, SYN | ACK, ISN_A, ISN_B + 1, 0);
	EXPECT_STATES(SR, EST);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_STATES(EST, EST);
	EXPECT_EQ(A, F.initiator);
	EXPECT_EQ(0, F.anomalies);
}

/*
 * First segment a SYN-ACK (the SYN was not seen): the initiator is the
 * other side (B here), taken as SYN_SENT, and the SYN-ACK takes it to
 * ESTABLISHED at once; A is SYN_RECV until B's ACK.
 */
TEST_F(flow, picked_up_from_syn_ack)
{
	seg(A, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_EQ(B, F.initiator);
	EXPECT_STATES(SR, EST);
	EXPECT_EQ(0, F.flags & TCPCLOSE_F_PICKED_UP);
	EXPECT_EVENTS(0);
	EXPECT_EQ(TCPCLOSE_D_SYN, F.dir[B].flags & TCPCLOSE_D_SYN);
	seg(B, ACK, ISN_A + 1, ISN_B + 1, 0);
	EXPECT_STATES(EST, EST);
}

/* B's SYN and its window scale were not seen: B's window is liberal. */
TEST_F(flow, picked_up_from_syn_ack_window_is_liberal)
{
	seg(A, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(B, ACK, ISN_A + 1, ISN_B + 1, 0);
	/* An RST to B beyond 65535 but within 65535 << 14. */
	seg(A, RST, ISN_B + 1 + 1000000, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	seg(A, RST, ISN_B + 1 + LIBERAL + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	/* A's own scale (7) was in its SYN-ACK. */
	seg(B, RST, ISN_A + 1 + RWND + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	EXPECT_STATES(EST, EST);
}

/* First segment not a SYN: both ESTABLISHED, windows liberal. */
TEST_F(flow, picked_up_mid_stream)
{
	seg(A, ACK, 1006, 5006, 0);
	EXPECT_EVENTS(EV(PICKED_UP));
	EXPECT_EQ(TCPCLOSE_F_PICKED_UP, F.flags);
	EXPECT_STATES(EST, EST);
	EXPECT_EQ(NONE, F.initiator);
	EXPECT_EQ(UNKNOWN, OUT.old_state[A]);
	/* PICKED_UP is a flow event, not an anomaly. */
	EXPECT_EQ(0, F.anomalies);
	seg(B, PSH | ACK, 5006, 1006, 100);
	EXPECT_EVENTS(0);
	/* The close works as on any flow. */
	seg(A, FIN | ACK, 1006, 5106, 0);
	EXPECT_STATES(FW1, CW);
	seg(B, FIN | ACK, 5106, 1007, 0);
	EXPECT_STATES(TW, LA);
	seg(A, ACK, 1007, 5107, 0);
	EXPECT_STATES(TW, CLOSED);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	EXPECT_EQ(A, F.active_closer);
}

TEST_F(flow, picked_up_rst_classes_use_liberal_window)
{
	seg(A, ACK, 1006, 5006, 0);
	seg(B, ACK, 5006, 1006, 0);
	/* B's RSTs are measured from A's RCV.NXT (5006), and back. */
	seg(B, RST, 5006 + LIBERAL, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	seg(B, RST, 5006 + LIBERAL + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	seg(A, RST, 1006 - 1, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	EXPECT_STATES(EST, EST);
	EXPECT_VERDICT(V(NONE));
	seg(B, RST | ACK, 5006, 1006, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
}

/* A picked-up flow started by a FIN: that side is the active closer. */
TEST_F(flow, picked_up_with_a_fin)
{
	seg(A, FIN | ACK, 1006, 5006, 0);
	EXPECT_EVENTS(EV(PICKED_UP));
	EXPECT_STATES(FW1, CW);
	EXPECT_EQ(A, F.active_closer);
}

/* The client aborts right after the SYN-ACK: B is ESTABLISHED, A not. */
TEST_F(flow, picked_up_from_syn_ack_then_abort)
{
	seg(A, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(B, RST | ACK, ISN_A + 1, ISN_B + 1, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_EQ(SR, OUT.old_state[A]);
	EXPECT_EQ(EST, OUT.old_state[B]);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
}

/* SYN_RECV -> FIN_WAIT1: B closes before the ACK of its SYN-ACK is seen. */
TEST_F(flow, syn_recv_to_fin_wait1_side_b)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(B, FIN | ACK, ISN_B + 1, ISN_A + 1, 0);
	EXPECT_EQ(SR, OUT.old_state[B]);
	EXPECT_STATES(CW, FW1);
	EXPECT_EQ(B, F.active_closer);
}

TEST_F(flow, syn_recv_to_fin_wait1_side_a)
{
	/* A is the server: the mirror saw its SYN-ACK first. */
	seg(A, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(A, FIN | ACK, ISN_B + 1, ISN_A + 1, 0);
	EXPECT_EQ(SR, OUT.old_state[A]);
	EXPECT_STATES(FW1, CW);
	EXPECT_EQ(A, F.active_closer);
}

/* A side that sends a FIN in SYN_SENT aborts its attempt. */
TEST_F(flow, fin_in_syn_sent)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(A, FIN, ISN_A + 1, 0, 0);
	EXPECT_STATES(CLOSED, LISTEN);
	EXPECT_VERDICT(V(NONE));
	EXPECT_TRUE(tcpclose_fsm_done(&F));
}

/* SYN_SENT and SYN_RECV expire: syn_timeout, the peer is blamed. */
TEST_F(flow, syn_sent_expires)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(A, SYN, ISN_A, 0, 0);
	expire(A);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(SYN_TIMEOUT));
	EXPECT_EQ(B, F.stalled);
	EXPECT_TRUE(tcpclose_fsm_done(&F));
}

TEST_F(flow, syn_recv_expires_side_b)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	expire(B);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(SYN_TIMEOUT));
	EXPECT_EQ(A, F.stalled);
}

TEST_F(flow, syn_recv_expires_side_a)
{
	seg(A, SYN | ACK, ISN_B, ISN_A + 1, 0);
	expire(A);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(SYN_TIMEOUT));
	EXPECT_EQ(B, F.stalled);
}

/* Window scale: none on the SYN is 0, above 14 is 14. */
TEST_F(flow, window_scale_option)
{
	struct tcpclose_seg s = {
		.seq = ISN_A, .win = WIN, .flags = SYN, .dir = A,
		.wscale = 0xff,
	};

	drv_feed(&self->d, &s);
	EXPECT_EQ(0, (unsigned int)F.dir[A].wscale);
	s = (struct tcpclose_seg){ .seq = ISN_B, .ack = ISN_A + 1,
		.win = WIN, .flags = SYN | ACK, .dir = B, .wscale = 20 };
	drv_feed(&self->d, &s);
	EXPECT_EQ(14, (unsigned int)F.dir[B].wscale);
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	/* A's window is 65535 bytes, B's 65535 << 14. */
	seg(B, RST, ISN_B + 1 + WIN, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	seg(B, RST, ISN_B + 1 + WIN + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	seg(A, RST, ISN_A + 1 + 100000000, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
}

/* ------------------------------------------------------------------ */
/* Closing, for side x = A and x = B                                   */
/* ------------------------------------------------------------------ */

/* ESTABLISHED -> FIN_WAIT1 (x), ESTABLISHED -> CLOSE_WAIT (y). */
TEST_F(closer, fin_sent_and_received)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	EXPECT_EVENTS(0);
	EXPECT_EQ(EST, OUT.old_state[x]);
	EXPECT_EQ(EST, OUT.old_state[y]);
	EXPECT_STATE(x, FW1);
	EXPECT_STATE(y, CW);
	EXPECT_EQ(x, F.active_closer);
	EXPECT_EQ(1, F.fin_count[x]);
	EXPECT_EQ(0, F.fin_count[y]);
	EXPECT_EQ(nxt(x), F.dir[x].fin_seq);
	EXPECT_VERDICT(V(NONE));
	EXPECT_EQ(TCPCLOSE_T_FIN_WAIT1, tcpclose_fsm_timer(&F, x));
	EXPECT_EQ(TCPCLOSE_T_NONE, tcpclose_fsm_timer(&F, y));
}

/* N1: FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT, CLOSE_WAIT -> LAST_ACK -> CLOSED */
TEST_F(closer, four_segment_close)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EQ(FW1, OUT.old_state[x]);
	EXPECT_STATE(x, FW2);
	EXPECT_STATE(y, CW);
	EXPECT_EQ(TCPCLOSE_D_FIN_ACKED, F.dir[x].flags & TCPCLOSE_D_FIN_ACKED);
	EXPECT_EQ(TCPCLOSE_T_FIN_WAIT2, tcpclose_fsm_timer(&F, x));
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EQ(FW2, OUT.old_state[x]);
	EXPECT_EQ(CW, OUT.old_state[y]);
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, LA);
	EXPECT_EQ(TCPCLOSE_T_TIME_WAIT, tcpclose_fsm_timer(&F, x));
	EXPECT_EQ(TCPCLOSE_T_LAST_ACK, tcpclose_fsm_timer(&F, y));
	EXPECT_VERDICT(V(NONE));
	/* The verdict comes with the ACK of the second FIN. */
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_EQ(LA, OUT.old_state[y]);
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, CLOSED);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	EXPECT_EQ(x, F.active_closer);
	EXPECT_EQ(NONE, F.stalled);
	EXPECT_FALSE(tcpclose_fsm_done(&F));
	/* TIME_WAIT -> CLOSED: no second verdict. */
	expire(x);
	EXPECT_EVENTS(0);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	EXPECT_TRUE(tcpclose_fsm_done(&F));
	EXPECT_EQ(0, F.anomalies);
	EXPECT_EQ(1, self->d.ended);
}

/* N2: the peer's FIN ACKs x's FIN: FIN_WAIT1 -> TIME_WAIT directly. */
TEST_F(closer, three_segment_close)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EQ(FW1, OUT.old_state[x]);
	EXPECT_EQ(CW, OUT.old_state[y]);
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, LA);
	EXPECT_EQ(x, F.active_closer);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	EXPECT_STATE(y, CLOSED);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
}

/* N3: FIN_WAIT1 -> CLOSING -> TIME_WAIT on both sides. */
TEST_F(closer, simultaneous_close)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	/* y's FIN does not ACK x's: the FINs crossed. */
	seg(y, FIN | ACK, nxt(y), nxt(x), 0);
	EXPECT_EQ(FW1, OUT.old_state[x]);
	EXPECT_EQ(CW, OUT.old_state[y]);
	EXPECT_STATE(x, CLOSING);
	EXPECT_STATE(y, CLOSING);
	EXPECT_EQ(BOTH, F.active_closer);
	EXPECT_EQ(TCPCLOSE_T_CLOSING, tcpclose_fsm_timer(&F, x));
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	EXPECT_STATE(x, CLOSING);
	EXPECT_STATE(y, TW);
	EXPECT_VERDICT(V(NONE));
	seg(y, ACK, nxt(y) + 1, nxt(x) + 1, 0);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_STATES(TW, TW);
	EXPECT_VERDICT(V(CLOSE_SIMULTANEOUS));
	/* A FIN retransmission of either side is an active closer's. */
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_ACTIVE) | EV(FIN_AFTER_ACK));
	expire(x);
	expire(y);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_EQ(1, self->d.ended);
}

/* The FINs crossed and the ACKs were lost: CLOSING expires. */
TEST_F(closer, closing_expires)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x), 0);
	expire(x);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(TIMEOUT_FIN_WAIT1));
	EXPECT_EQ(y, F.stalled);
}

TEST_F(closer, fin_wait1_expires)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	expire(x);
	EXPECT_EQ(FW1, OUT.old_state[x]);
	EXPECT_EQ(CW, OUT.old_state[y]);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(TIMEOUT_FIN_WAIT1));
	EXPECT_EQ(y, F.stalled);
	EXPECT_TRUE(tcpclose_fsm_done(&F));
}

/* FIN_WAIT2 -> CLOSED (not TIME_WAIT); the peer's CLOSE_WAIT is real. */
TEST_F(closer, fin_wait2_expires)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	expire(x);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_STATE(x, CLOSED);
	EXPECT_STATE(y, CW);
	EXPECT_VERDICT(V(TIMEOUT_FIN_WAIT2));
	EXPECT_EQ(y, F.stalled);
	EXPECT_FALSE(tcpclose_fsm_done(&F));
	EXPECT_EQ(TCPCLOSE_T_NONE, tcpclose_fsm_timer(&F, y));
	/* CLOSE_WAIT has no timer: expiring it changes nothing. */
	expire(y);
	EXPECT_EVENTS(0);
	EXPECT_STATE(y, CW);
}

TEST_F(closer, last_ack_expires)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_PASSIVE));
	expire(y);
	EXPECT_EQ(TW, OUT.old_state[x]);
	EXPECT_EQ(LA, OUT.old_state[y]);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(TIMEOUT_LAST_ACK));
	EXPECT_EQ(x, F.stalled);
}

/* Anomalies ------------------------------------------------------- */

TEST_F(closer, fin_retrans_active)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_ACTIVE));
	EXPECT_STATE(x, FW1);
	EXPECT_STATE(y, CW);
	EXPECT_EQ(2, F.fin_count[x]);
	EXPECT_EQ(EV(FIN_RETRANS_ACTIVE), F.anomalies);
}

TEST_F(closer, fin_count_saturates)
{
	unsigned int x = variant->x, y = !x, i;

	for (i = 0; i < 300; i++)
		seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	EXPECT_EQ(255, F.fin_count[x]);
	EXPECT_EQ(EV(FIN_RETRANS_ACTIVE), F.anomalies);
}

TEST_F(closer, fin_after_ack)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_ACTIVE) | EV(FIN_AFTER_ACK));
	EXPECT_STATE(x, FW2);
}

TEST_F(closer, fin_retrans_passive)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_PASSIVE));
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, LA);
	EXPECT_EQ(2, F.fin_count[y]);
}

/* The final ACK was lost: y's FIN again, x re-ACKs from TIME_WAIT. */
TEST_F(closer, time_wait_reack)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	EXPECT_EVENTS(EV(ENDED));
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_PASSIVE) | EV(FIN_AFTER_ACK));
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	EXPECT_EVENTS(EV(TIME_WAIT_REACK));
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, CLOSED);
	/* Another ACK from TIME_WAIT, of something else: not a re-ACK. */
	seg(x, ACK, nxt(x) + 1, nxt(y), 0);
	EXPECT_EVENTS(0);
	EXPECT_EQ(EV(FIN_RETRANS_PASSIVE) | EV(FIN_AFTER_ACK) |
		  EV(TIME_WAIT_REACK), F.anomalies);
	EXPECT_EQ(1, self->d.ended);
}

TEST_F(closer, data_after_fin)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(x, PSH | ACK, nxt(x) + 1, nxt(y), 5);
	EXPECT_EVENTS(EV(DATA_AFTER_FIN));
	EXPECT_STATE(x, FW1);
	/* The peer may still send data in CLOSE_WAIT. */
	seg(y, PSH | ACK, nxt(y), nxt(x) + 1, 5);
	EXPECT_EVENTS(0);
}

/* A FIN carrying data, retransmitted: no data beyond the FIN. */
TEST_F(closer, fin_with_data_retransmitted)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | PSH | ACK, nxt(x), nxt(y), 5);
	EXPECT_EQ(nxt(x) + 5, F.dir[x].fin_seq);
	seg(x, FIN | PSH | ACK, nxt(x), nxt(y), 5);
	EXPECT_EVENTS(EV(FIN_RETRANS_ACTIVE));
	seg(y, ACK, nxt(y), nxt(x) + 6, 0);
	EXPECT_STATE(x, FW2);
}

/* A FIN at another sequence number is a new FIN, not a retransmission. */
TEST_F(closer, fin_at_another_seq)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(x, FIN | ACK, nxt(x) + 10, nxt(y), 0);
	EXPECT_EVENTS(0);
	EXPECT_EQ(nxt(x) + 10, F.dir[x].fin_seq);
	EXPECT_EQ(2, F.fin_count[x]);
	EXPECT_STATE(x, FW1);
	EXPECT_EQ(x, F.active_closer);
	/* The ACK of the first FIN no longer ACKs x's FIN. */
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_STATE(x, FW1);
	seg(y, ACK, nxt(y), nxt(x) + 11, 0);
	EXPECT_STATE(x, FW2);
}

/* A FIN without the ACK flag (not Linux) cannot ACK the peer's FIN. */
TEST_F(closer, crossing_fin_without_ack_flag)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN, nxt(y), 0, 0);
	EXPECT_STATE(x, CLOSING);
	EXPECT_STATE(y, CLOSING);
	EXPECT_EQ(BOTH, F.active_closer);
}

/* A FIN ACKed only partly (the data before it) stays in FIN_WAIT1. */
TEST_F(closer, partial_ack_of_fin)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | PSH | ACK, nxt(x), nxt(y), 5);
	seg(y, ACK, nxt(y), nxt(x) + 5, 0);
	EXPECT_STATE(x, FW1);
	seg(y, ACK, nxt(y), nxt(x) + 6, 0);
	EXPECT_STATE(x, FW2);
}

/* A SYN (new ISN) from a side in each closing state, or to it. */
TEST_F(closer, syn_on_closing)
{
	unsigned int x = variant->x, y = !x;

	/* x FIN_WAIT1, y CLOSE_WAIT */
	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(x, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	EXPECT_STATE(x, FW1);
	seg(y, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	EXPECT_STATE(y, CW);
	/* x FIN_WAIT2 */
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	seg(y, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	EXPECT_STATE(x, FW2);
	/* x TIME_WAIT, y LAST_ACK */
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	seg(y, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, LA);
	EXPECT_EQ(0, F.flags & TCPCLOSE_F_ENDED);
	EXPECT_EQ(EV(SYN_ON_CLOSING), F.anomalies);
	EXPECT_EQ(0, self->d.all & EV(NEW_FLOW));
}

TEST_F(closer, syn_on_closing_in_closing)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x), 0);
	seg(x, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	EXPECT_STATES(CLOSING, CLOSING);
}

/* On an ended flow a SYN starts a new flow. */
TEST_F(closer, new_flow_from_time_wait)
{
	unsigned int x = variant->x, y = !x;
	struct tcpclose_fsm old;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	old = F;
	seg(x, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING) | EV(NEW_FLOW));
	/* Nothing else changed: the caller starts a new flow with it. */
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, CLOSED);
	EXPECT_EQ(0, memcmp(&old.dir, &F.dir, sizeof(old.dir)));
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	/* From the CLOSED side (x is still in TIME_WAIT), then after. */
	seg(y, SYN, 70000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING) | EV(NEW_FLOW));
	expire(x);
	seg(x, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(NEW_FLOW));
}

/* A SYN in ESTABLISHED (Linux answers a challenge ACK): ignored. */
TEST_F(closer, syn_in_established_is_ignored)
{
	unsigned int x = variant->x;

	seg(x, SYN, 90000, 0, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(EST, EST);
	EXPECT_EQ(0, F.anomalies);
}

/* RSTs ------------------------------------------------------------ */

/* SO_LINGER 0: RST+ACK at x's snd_nxt = y's RCV.NXT, not half-open. */
TEST_F(closer, abort_in_established)
{
	unsigned int x = variant->x, y = !x;

	seg(x, RST | ACK, nxt(x), nxt(y), 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_EQ(EST, OUT.old_state[x]);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
	EXPECT_EQ(NONE, F.stalled);
	EXPECT_EQ(NONE, F.active_closer);
	EXPECT_TRUE(tcpclose_fsm_done(&F));
	EXPECT_EQ(EV(RST_EXACT), F.anomalies);
}

/* Exact by the sender's snd_nxt: data not yet ACKed by y. */
TEST_F(closer, rst_exact_at_snd_nxt)
{
	unsigned int x = variant->x, y = !x;

	seg(x, PSH | ACK, nxt(x), nxt(y), 100);
	EXPECT_EQ(nxt(x), F.dir[y].max_ack);
	seg(x, RST | ACK, nxt(x) + 100, nxt(y), 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
}

/* y's host forgot the flow: y answers x's data with an RST, no ACK. */
TEST_F(closer, half_open)
{
	unsigned int x = variant->x, y = !x;

	seg(x, PSH | ACK, nxt(x), nxt(y), 5);
	seg(y, RST, nxt(y), 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(HALF_OPEN) | EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
	EXPECT_EQ(EV(RST_EXACT) | EV(HALF_OPEN), F.anomalies);
}

TEST_F(closer, reset_closing)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, RST | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_EQ(CW, OUT.old_state[y]);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_CLOSING));
}

/* RFC 5961: a non-exact RST changes nothing (challenge ACK). */
TEST_F(closer, rst_in_window)
{
	unsigned int x = variant->x, y = !x;

	seg(x, RST, nxt(x) + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	seg(x, RST | ACK, nxt(x) + RWND - 1, nxt(y), 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	EXPECT_STATES(EST, EST);
	EXPECT_VERDICT(V(NONE));
	EXPECT_EQ(EV(RST_IN_WINDOW), F.anomalies);
	EXPECT_EQ(0, self->d.ended);
}

TEST_F(closer, rst_out_of_window)
{
	unsigned int x = variant->x, y = !x;

	seg(x, RST, nxt(x) + RWND + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	seg(x, RST | ACK, nxt(x) - 1, nxt(y), 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	EXPECT_STATES(EST, EST);
	EXPECT_VERDICT(V(NONE));
	EXPECT_EQ(0, self->d.ended);
}

/*
 * Linux's tcp_reset_check(): once a side took its peer's FIN (CLOSE_WAIT,
 * LAST_ACK, CLOSING), an RST at its RCV.NXT - 1, the FIN's own sequence
 * number, resets it.  The peer's orphan sends one when it resets on a
 * segment that left before the FIN arrived (it quotes that one's ACK).
 */
TEST_F(closer, rst_at_fin_in_close_wait)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_STATE(x, FW2);
	EXPECT_STATE(y, CW);
	/* Two below RCV.NXT: still out of window. */
	seg(x, RST | ACK, nxt(x) - 1, nxt(y), 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	EXPECT_STATE(x, FW2);
	EXPECT_STATE(y, CW);
	seg(x, RST | ACK, nxt(x), nxt(y), 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_CLOSING));
}

TEST_F(closer, rst_at_fin_in_last_ack)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, LA);
	seg(x, RST | ACK, nxt(x), nxt(y), 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_CLOSING));
}

TEST_F(closer, rst_at_fin_in_closing)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x), 0);
	seg(y, ACK, nxt(y) + 1, nxt(x) + 1, 0);
	EXPECT_STATE(x, TW);
	EXPECT_STATE(y, CLOSING);
	seg(x, RST | ACK, nxt(x), nxt(y), 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_CLOSING));
}

/* An RST after the verdict changes states, not the verdict. */
TEST_F(closer, rst_after_verdict)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	seg(y, RST, nxt(y) + 1, 0, 0);
	/* y is CLOSED in the mirror: it did not "forget" anything. */
	EXPECT_EVENTS(EV(RST_IN_TIME_WAIT) | EV(RST_EXACT));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
}

/*
 * R5: RSTs reaching x in TIME_WAIT (RFC 1337).  Counted whatever their
 * class; only the exact one ends the TIME_WAIT (Linux's default,
 * tcp_rfc1337 = 0).  No second verdict.
 */
TEST_F(closer, rst_in_time_wait)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, ACK, nxt(y), nxt(x) + 1, 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	EXPECT_STATE(x, TW);
	seg(y, RST, nxt(y) + 1 - 1000, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_TIME_WAIT) | EV(RST_OUT_OF_WINDOW));
	EXPECT_STATE(x, TW);
	seg(y, RST, nxt(y) + 2, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_TIME_WAIT) | EV(RST_IN_WINDOW));
	EXPECT_STATE(x, TW);
	seg(y, RST, nxt(y) + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_TIME_WAIT) | EV(RST_EXACT));
	EXPECT_EQ(TW, OUT.old_state[x]);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	EXPECT_EQ(1, self->d.ended);
	EXPECT_EQ(EV(RST_IN_TIME_WAIT) | EV(RST_OUT_OF_WINDOW) |
		  EV(RST_IN_WINDOW) | EV(RST_EXACT), F.anomalies);
}

/* The TIME_WAIT side's own RST is not one: it is not in its peer. */
TEST_F(closer, rst_from_time_wait)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	seg(x, RST | ACK, nxt(x) + 1, nxt(y) + 1, 0);
	EXPECT_EVENTS(EV(RST_EXACT));
	EXPECT_STATES(CLOSED, CLOSED);
}

/* Both sides in TIME_WAIT (simultaneous close): counted once. */
TEST_F(closer, rst_in_time_wait_after_simultaneous_close)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x), 0);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	seg(y, ACK, nxt(y) + 1, nxt(x) + 1, 0);
	EXPECT_STATES(TW, TW);
	seg(y, RST | ACK, nxt(y) + 1, nxt(x) + 1, 0);
	EXPECT_EVENTS(EV(RST_IN_TIME_WAIT) | EV(RST_EXACT));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(CLOSE_SIMULTANEOUS));
}

/* Timers and eviction --------------------------------------------- */

TEST_F(closer, evict)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	tcpclose_fsm_evict(&F, &OUT);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_EQ(FW1, OUT.old_state[x]);
	EXPECT_VERDICT(V(EVICTED));
	EXPECT_STATE(x, FW1);
	EXPECT_EQ(NONE, F.stalled);
	tcpclose_fsm_evict(&F, &OUT);
	EXPECT_EVENTS(0);
	EXPECT_VERDICT(V(EVICTED));
	/* Later events give no second verdict. */
	expire(x);
	EXPECT_EVENTS(0);
	EXPECT_VERDICT(V(EVICTED));
	EXPECT_EQ(NONE, F.stalled);
}

TEST_F(closer, evict_after_verdict)
{
	unsigned int x = variant->x, y = !x;

	seg(x, FIN | ACK, nxt(x), nxt(y), 0);
	seg(y, FIN | ACK, nxt(y), nxt(x) + 1, 0);
	seg(x, ACK, nxt(x) + 1, nxt(y) + 1, 0);
	tcpclose_fsm_evict(&F, &OUT);
	EXPECT_EVENTS(0);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
}

/* What expire() does in each state, from the expiry table. */
TEST_F(closer, expire_every_state)
{
	static const struct {
		unsigned char st, timer, verdict, peer_closed;
	} t[] = {
		{ UNKNOWN,	TCPCLOSE_T_NONE,	V(NONE),	0 },
		{ EST,		TCPCLOSE_T_NONE,	V(NONE),	0 },
		{ SS,		TCPCLOSE_T_SYN,		V(SYN_TIMEOUT),	1 },
		{ SR,		TCPCLOSE_T_SYN,		V(SYN_TIMEOUT),	1 },
		{ FW1,		TCPCLOSE_T_FIN_WAIT1,	V(TIMEOUT_FIN_WAIT1), 1 },
		{ FW2,		TCPCLOSE_T_FIN_WAIT2,	V(TIMEOUT_FIN_WAIT2), 0 },
		{ TW,		TCPCLOSE_T_TIME_WAIT,	V(NONE),	0 },
		{ CLOSED,	TCPCLOSE_T_NONE,	V(NONE),	0 },
		{ CW,		TCPCLOSE_T_NONE,	V(NONE),	0 },
		{ LA,		TCPCLOSE_T_LAST_ACK,	V(TIMEOUT_LAST_ACK), 1 },
		{ LISTEN,	TCPCLOSE_T_NONE,	V(NONE),	0 },
		{ CLOSING,	TCPCLOSE_T_CLOSING,	V(TIMEOUT_FIN_WAIT1), 1 },
		{ 200,		TCPCLOSE_T_NONE,	V(NONE),	0 },
	};
	unsigned int x = variant->x, y = !x, i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct tcpclose_fsm f = F;
		struct tcpclose_fsm_out out;
		unsigned int timed = t[i].timer != TCPCLOSE_T_NONE;

		f.state[x] = t[i].st;
		f.state[y] = EST;
		EXPECT_EQ(t[i].timer, tcpclose_fsm_timer(&f, x));
		/* Only the low bit of the side counts. */
		EXPECT_EQ(t[i].timer, tcpclose_fsm_timer(&f, x + 4));
		tcpclose_fsm_expire(&f, x, &out);
		EXPECT_EQ(t[i].st, out.old_state[x]);
		EXPECT_EQ(timed ? CLOSED : t[i].st, f.state[x]);
		EXPECT_EQ(t[i].peer_closed ? CLOSED : EST, f.state[y]);
		EXPECT_STREQ(tcpclose_verdict_name(t[i].verdict),
			     tcpclose_verdict_name(f.verdict));
		EXPECT_EQ(t[i].verdict ? EV(ENDED) : 0, out.events);
		EXPECT_EQ(t[i].verdict ? y : NONE, f.stalled);
	}
}

/* ------------------------------------------------------------------ */
/* Refusal and other RSTs at the handshake                             */
/* ------------------------------------------------------------------ */

TEST_F(flow, refused)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, RST | ACK, 0, ISN_A + 1, 0);
	EXPECT_EVENTS(EV(ENDED));
	EXPECT_EQ(SS, OUT.old_state[A]);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(REFUSED));
	EXPECT_EQ(NONE, F.stalled);
	EXPECT_EQ(0, F.anomalies);
	EXPECT_TRUE(tcpclose_fsm_done(&F));
	/* connect() again: a new flow (no closing state left). */
	seg(A, SYN, ISN_A + 5000, 0, 0);
	EXPECT_EVENTS(EV(NEW_FLOW));
	EXPECT_STATES(CLOSED, CLOSED);
}

/* The caller starts the new flow with the very segment. */
TEST_F(flow, new_flow_restarts_with_the_syn)
{
	struct tcpclose_seg s = {
		.seq = 7000, .win = WIN, .flags = SYN, .dir = A, .wscale = 7,
	};

	open_flow(&self->d);
	seg(A, RST | ACK, nxt(A), nxt(B), 0);
	tcpclose_fsm_segment(&F, &s, &OUT);
	EXPECT_EVENTS(EV(NEW_FLOW));
	tcpclose_fsm_init(&F, &s, &OUT);
	EXPECT_EVENTS(0);
	EXPECT_STATES(SS, LISTEN);
	EXPECT_VERDICT(V(NONE));
	EXPECT_EQ(0, F.flags);
	EXPECT_EQ(0, F.anomalies);
	EXPECT_EQ(7001, F.dir[A].snd_nxt);
}

/* An RST+ACK that does not ACK the SYN is no refusal. */
TEST_F(flow, rst_not_acking_the_syn)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, RST | ACK, 12345, ISN_A + 9, 0);
	EXPECT_EQ(0, OUT.events & EV(ENDED));
	EXPECT_STATES(SS, LISTEN);
	EXPECT_VERDICT(V(NONE));
}

/* RFC 9293: in SYN_SENT an RST without ACK is dropped; no refusal. */
TEST_F(flow, rst_without_ack_to_syn_sent)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, RST, 12345, 0, 0);
	EXPECT_EQ(0, OUT.events & EV(ENDED));
	EXPECT_STATES(SS, LISTEN);
	EXPECT_VERDICT(V(NONE));
}

/*
 * An RST without ACK from the side in SYN_SENT (Linux never sends one):
 * not half-open, and with no side ESTABLISHED the verdict is refused.
 */
TEST_F(flow, rst_from_syn_sent)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(A, RST, ISN_A + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(REFUSED));
}

/*
 * R2 at the server (or a router): an old duplicate SYN (or a SYN scan)
 * is answered, and the client's kernel, which has no such SYN, answers
 * the SYN-ACK with an RST without ACK.  Not half-open: the handshake
 * never completed.  The real SYN, with another ISN, is a new flow.
 */
TEST_F(flow, old_dup_syn_at_responder)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_STATES(EST, SR);
	seg(A, RST, ISN_A + 1, 0, 0);
	EXPECT_EVENTS(EV(OLD_DUP_SYN) | EV(ENDED));
	EXPECT_EQ(EST, OUT.old_state[A]);
	EXPECT_EQ(SR, OUT.old_state[B]);
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(REFUSED));
	EXPECT_EQ(NONE, F.stalled);
	EXPECT_EQ(EV(OLD_DUP_SYN), F.anomalies);
	EXPECT_TRUE(tcpclose_fsm_done(&F));
	seg(A, SYN, ISN_A + 70000, 0, 0);
	EXPECT_EVENTS(EV(NEW_FLOW));
}

/*
 * R2 at the client: its SYN is held up, an old duplicate of an earlier
 * SYN (another ISN) reaches the server first; the server's SYN-ACK does
 * not ACK the client's SYN, and the client, in SYN_SENT, answers it with
 * <SEQ=SEG.ACK><CTL=RST>.  The client stays in SYN_SENT, the server
 * returns to LISTEN; the retransmitted SYN then opens the connection.
 */
TEST_F(flow, old_dup_syn_at_initiator)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, 777, 0);
	EXPECT_STATES(SS, SR);
	seg(A, RST, 777, 0, 0);
	EXPECT_EVENTS(EV(OLD_DUP_SYN));
	EXPECT_EQ(SR, OUT.old_state[B]);
	EXPECT_STATES(SS, LISTEN);
	EXPECT_VERDICT(V(NONE));
	EXPECT_EQ(0, (unsigned int)F.dir[B].flags);
	EXPECT_EQ(TCPCLOSE_T_SYN, tcpclose_fsm_timer(&F, A));
	EXPECT_FALSE(tcpclose_fsm_done(&F));
	/* The SYN again (same ISN), then a SYN-ACK with a new ISN. */
	seg(A, SYN, ISN_A, 0, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(SS, LISTEN);
	seg(B, SYN | ACK, ISN_B + 3000, ISN_A + 1, 0);
	EXPECT_STATES(EST, SR);
	EXPECT_EQ(ISN_B + 3000, F.dir[B].isn);
	seg(A, ACK, ISN_A + 1, ISN_B + 3001, 0);
	EXPECT_STATES(EST, EST);
	EXPECT_EQ(EV(OLD_DUP_SYN), F.anomalies);
	EXPECT_EQ(0, self->d.ended);
}

/*
 * R4 at the reconnecting client: its new SYN (same tuple) reached a
 * server still holding the old connection, which answers with a
 * challenge ACK; the client, in SYN_SENT, resets it: the half-open
 * connection is discovered (and ended) by its active side.  The client
 * stays in SYN_SENT; its retransmitted SYN then reaches the listener.
 */
TEST_F(flow, half_open_discovered_from_syn_sent)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, ACK, 90000, 1006, 0);
	EXPECT_STATES(SS, LISTEN);
	seg(A, RST, 1006, 0, 0);
	EXPECT_EVENTS(EV(HALF_OPEN));
	EXPECT_STATES(SS, LISTEN);
	EXPECT_EQ(0, (unsigned int)F.dir[B].flags);
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	EXPECT_STATES(EST, EST);
	EXPECT_EQ(EV(HALF_OPEN), F.anomalies);
}

/*
 * The side a rejected handshake sends back to LISTEN is forgotten with
 * the RSTs it had pending: its next segment is not a forged-RST suspect.
 */
TEST_F(flow, rejected_handshake_forgets_pending_rsts)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, ACK, 90000, 1006, 0);
	seg(B, RST, 90000 + RWND + 100, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	EXPECT_EQ(1, F.rst_pending[B]);
	seg(A, RST, 1006, 0, 0);
	EXPECT_EVENTS(EV(HALF_OPEN));
	EXPECT_EQ(0, F.rst_pending[B]);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(EST, SR);
}

/* R4 at the server that kept the old connection (and at a router). */
TEST_F(flow, half_open_discovered_at_established_side)
{
	open_flow(&self->d);
	seg(A, SYN, 90000, 0, 0);
	EXPECT_EVENTS(0);
	seg(B, ACK, nxt(B), nxt(A), 0);
	EXPECT_EVENTS(0);
	seg(A, RST, nxt(A), 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(HALF_OPEN) | EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
	seg(A, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(NEW_FLOW));
}

/* Not a rejected handshake: an RST that ACKs, or not at the peer's ACK. */
TEST_F(flow, rst_in_handshake_not_rejecting)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, 777, 0);
	seg(A, RST, 778, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	EXPECT_STATES(SS, SR);
	seg(A, RST | ACK, 777, ISN_B + 1, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_VERDICT(V(REFUSED));
}

/* The responder's RST, without ACK, at the initiator's SYN + 1. */
TEST_F(flow, rst_from_responder_in_handshake)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	seg(B, RST, ISN_B + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(HALF_OPEN) | EV(ENDED));
}

/*
 * An ACK (no SYN) of A's SYN while A is in SYN_SENT, then A's RST at
 * it: A's SYN was answered, so not rejected as another connection's;
 * and B, in LISTEN, sent no SYN-ACK: no old duplicate SYN either.
 */
TEST_F(flow, rst_at_an_ack_of_the_syn)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_STATES(SS, LISTEN);
	seg(A, RST, ISN_A + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_VERDICT(V(REFUSED));
}

/* The receiver never sent anything: its window is taken as liberal. */
TEST_F(flow, rst_to_unknown_window)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(A, RST, ISN_A + 1 + 0x1000000, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	EXPECT_STATES(SS, LISTEN);
}

/* F5 follow-up: the client forgot (FIN_WAIT2 expired) and resets. */
TEST_F(flow, rst_from_closed_side_is_not_half_open)
{
	open_flow(&self->d);
	seg(A, FIN | ACK, 1006, 5006, 0);
	seg(B, ACK, 5006, 1007, 0);
	expire(A);
	EXPECT_STATES(CLOSED, CW);
	/* The server writes, then closes; the client has no socket. */
	seg(B, PSH | ACK, 5006, 1007, 5);
	seg(A, RST, 1007, 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(TIMEOUT_FIN_WAIT2));
	EXPECT_TRUE(tcpclose_fsm_done(&F));
}

/* Sequence numbers wrap around 2^32. */
TEST_F(flow, sequence_wrap)
{
	unsigned int a = 0xfffffffcu, b = 0xfffffff0u;

	seg(A, SYN, a, 0, 0);
	seg(B, SYN | ACK, b, a + 1, 0);
	seg(A, ACK, a + 1, b + 1, 0);
	seg(A, PSH | ACK, a + 1, b + 1, 5);
	seg(B, PSH | ACK, b + 1, a + 6, 20);
	EXPECT_EQ(2, F.dir[B].max_ack);
	EXPECT_EQ(5, F.dir[B].snd_nxt);
	seg(A, FIN | ACK, a + 6, b + 21, 0);
	EXPECT_EQ(2, F.dir[A].fin_seq);
	/* An old ACK does not lower max_ack nor snd_nxt. */
	seg(B, ACK, b + 1, a + 1, 0);
	EXPECT_EQ(2, F.dir[B].max_ack);
	EXPECT_EQ(5, F.dir[B].snd_nxt);
	EXPECT_STATES(FW1, CW);
	seg(B, ACK, b + 21, a + 7, 0);
	EXPECT_STATES(FW2, CW);
	seg(B, FIN | ACK, b + 21, a + 7, 0);
	seg(A, ACK, a + 7, b + 22, 0);
	EXPECT_STATES(TW, CLOSED);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	EXPECT_EQ(0, F.anomalies);
}

/* ------------------------------------------------------------------ */
/* States the mirror reaches only by construction (white box)          */
/* ------------------------------------------------------------------ */

/* A side A taken as CLOSED, not ended, receives a SYN: LISTEN. */
TEST_F(flow, listen_side_a)
{
	memset(&F, 0, sizeof(F));
	F.initiator = NONE;
	F.active_closer = NONE;
	F.stalled = NONE;
	F.state[A] = CLOSED;
	self->d.started = 1;
	seg(B, SYN, ISN_B, 0, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(LISTEN, SS);
	seg(A, SYN | ACK, ISN_A, ISN_B + 1, 0);
	EXPECT_STATES(SR, EST);
	seg(B, ACK, ISN_B + 1, ISN_A + 1, 0);
	EXPECT_STATES(EST, EST);
}

/* A LISTEN side that has sent a SYN before: its SYN is a new one. */
TEST_F(flow, syn_from_listen_after_own_syn)
{
	seg(A, SYN, ISN_A, 0, 0);
	F.state[B] = LISTEN;
	F.dir[B].flags |= TCPCLOSE_D_SYN;
	seg(B, SYN, ISN_B, 0, 0);
	EXPECT_EVENTS(0);
	EXPECT_STATES(SS, LISTEN);
}

TEST_F(flow, done)
{
	static const unsigned char closed[] = { CLOSED, LISTEN, UNKNOWN };
	unsigned int i, j, st;

	for (i = 0; i < ARRAY_SIZE(closed); i++)
		for (j = 0; j < ARRAY_SIZE(closed); j++) {
			F.state[A] = closed[i];
			F.state[B] = closed[j];
			EXPECT_TRUE(tcpclose_fsm_done(&F));
		}
	for (st = 0; st < TCPCLOSE_NSTATES; st++) {
		if (st == CLOSED || st == LISTEN || st == UNKNOWN)
			continue;
		F.state[A] = CLOSED;
		F.state[B] = st;
		EXPECT_FALSE(tcpclose_fsm_done(&F));
		F.state[A] = st;
		F.state[B] = CLOSED;
		EXPECT_FALSE(tcpclose_fsm_done(&F));
	}
}

TEST(state_names)
{
	static const char *const names[TCPCLOSE_NSTATES] = {
		"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSED", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING",
	};
	unsigned int i;

	for (i = 0; i < TCPCLOSE_NSTATES; i++)
		EXPECT_STREQ(names[i], tcpclose_state_name(i));
	EXPECT_STREQ("?", tcpclose_state_name(TCPCLOSE_NSTATES));
	EXPECT_STREQ("?", tcpclose_state_name(~0u));
}

TEST(verdict_names)
{
	static const char *const names[TCPCLOSE_NVERDICTS] = {
		"none", "close_normal", "close_simultaneous",
		"reset_established", "reset_closing", "refused",
		"syn_timeout", "timeout_fin_wait1", "timeout_fin_wait2",
		"timeout_last_ack", "evicted",
	};
	unsigned int i;

	for (i = 0; i < TCPCLOSE_NVERDICTS; i++)
		EXPECT_STREQ(names[i], tcpclose_verdict_name(i));
	EXPECT_STREQ("?", tcpclose_verdict_name(TCPCLOSE_NVERDICTS));
	EXPECT_STREQ("?", tcpclose_verdict_name(~0u));
}

TEST(layout)
{
	struct tcpclose_dir d = { 0 };

	/* 56 bytes: the module's flow entry is 128 (Documentation/flows.rst). */
	EXPECT_EQ(20, sizeof(struct tcpclose_dir));
	EXPECT_EQ(56, sizeof(struct tcpclose_fsm));
	/* The flags and the window scale share 16 bits: each keeps its own. */
	d.flags = TCPCLOSE_D_SYNACK * 2 - 1;
	d.wscale = 14;
	EXPECT_EQ(TCPCLOSE_D_SYNACK * 2 - 1, (unsigned int)d.flags);
	EXPECT_EQ(14, (unsigned int)d.wscale);
	EXPECT_EQ(0, TCPCLOSE_ANOMALY_MASK &
		  (EV(SYNACK_RETRANS) | EV(ENDED) | EV(NEW_FLOW) |
		   EV(PICKED_UP)));
	EXPECT_EQ(EV(HIJACK_SUSPECT) * 2 - 1, TCPCLOSE_ANOMALY_MASK);
	/* Anomalies can grow to 24 bits without moving the other events. */
	EXPECT_EQ(EV(SYNACK_RETRANS), 1u << 24);
}

/* ------------------------------------------------------------------ */
/* Scenarios N1-N4, F1-F6 at the client, router and server vantages    */
/* ------------------------------------------------------------------ */

/*
 * One timeline of segments and timer expiries.  The client, the router
 * and the server are 10 time units apart; a segment sent at t is seen by
 * its sender's vantage at t, by the router at t + 10 and by the far end
 * at t + 20.  A "lost" segment is dropped by an nft rule in the router's
 * forward path, before the router's mirror sees it: only its sender's
 * vantage sees it.  Ties keep the order of the table, which follows
 * causality (an answer is listed after what it answers).
 */
enum { CLIENT, ROUTER, SERVER, NVANTAGES };
#define AT_C	(1u << CLIENT)
#define AT_R	(1u << ROUTER)
#define AT_S	(1u << SERVER)
#define AT_ALL	(AT_C | AT_R | AT_S)
#define HOP	10

struct step {
	unsigned int t;		/* sent, or the timer fires */
	unsigned char side;	/* sender, or the side whose timer expires */
	unsigned char flags;
	unsigned int seq, ack, len;
	unsigned char lost;	/* dropped at the router */
	unsigned char expire;	/* vantages whose mirror runs this timer */
};

#define TX(t, side, fl, seq, ack, len)	{ t, side, fl, seq, ack, len, 0, 0 }
#define LOST(t, side, fl, seq, ack, len) { t, side, fl, seq, ack, len, 1, 0 }
#define EXPIRE(t, side, at)		{ t, side, 0, 0, 0, 0, 0, at }

/* What a vantage's mirror ends with. */
struct outcome {
	const char *path[2];	/* the states each side went through */
	unsigned char verdict;
	unsigned char active_closer;
	unsigned char stalled;
	unsigned short anomalies;
	unsigned char done;
};

struct scenario {
	const struct step *steps;
	unsigned int nsteps;
	struct outcome at[NVANTAGES];
};

/* Handshake, request, response: A 1000 -> 1006, B 5000 -> 5006. */
#define OPEN \
	TX(0, A, SYN, 1000, 0, 0), \
	TX(20, B, SYN | ACK, 5000, 1001, 0), \
	TX(40, A, ACK, 1001, 5001, 0), \
	TX(40, A, PSH | ACK, 1001, 5001, 5), \
	TX(60, B, PSH | ACK, 5001, 1006, 5), \
	TX(80, A, ACK, 1006, 5006, 0)

#define PATH_A	"SYN_SENT ESTABLISHED"
#define PATH_B	"LISTEN SYN_RECV ESTABLISHED"
/* The usual closes, after the opening. */
#define ACTIVE	" FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSED"
#define PASSIVE	" CLOSE_WAIT LAST_ACK CLOSED"

#define SCENARIO(name, ...) \
	static const struct step name##_steps[] = { OPEN, __VA_ARGS__ }; \
	static const struct scenario name

#define STEPS(name)	name##_steps, ARRAY_SIZE(name##_steps)

/* Client close()s, server reads EOF and closes after a pause. */
SCENARIO(n1,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	TX(120, B, ACK, 5006, 1007, 0),
	TX(200, B, FIN | ACK, 5006, 1007, 0),
	TX(220, A, ACK, 1007, 5007, 0),
	EXPIRE(1000, A, AT_ALL),
) = { STEPS(n1), {
	[CLIENT] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, 0, 1 },
	[ROUTER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, 0, 1 },
	[SERVER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, 0, 1 },
} };

/* The server closes at once: its FIN ACKs the client's (3 segments). */
SCENARIO(n2,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	TX(120, B, FIN | ACK, 5006, 1007, 0),
	TX(140, A, ACK, 1007, 5007, 0),
	EXPIRE(1000, A, AT_ALL),
) = { STEPS(n2), {
	[CLIENT] = { { PATH_A " FIN_WAIT1 TIME_WAIT CLOSED", PATH_B PASSIVE },
		     V(CLOSE_NORMAL), A, NONE, 0, 1 },
	[ROUTER] = { { PATH_A " FIN_WAIT1 TIME_WAIT CLOSED", PATH_B PASSIVE },
		     V(CLOSE_NORMAL), A, NONE, 0, 1 },
	[SERVER] = { { PATH_A " FIN_WAIT1 TIME_WAIT CLOSED", PATH_B PASSIVE },
		     V(CLOSE_NORMAL), A, NONE, 0, 1 },
} };

/*
 * Both shutdown(SHUT_WR) at once: the FINs cross.  Each vantage first
 * takes the far side's FIN as received, so the far side passes through
 * CLOSE_WAIT until its own FIN shows that it had not received it.
 */
#define N3_NEAR	" FIN_WAIT1 CLOSING TIME_WAIT CLOSED"
#define N3_FAR	" CLOSE_WAIT CLOSING TIME_WAIT CLOSED"
SCENARIO(n3,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	TX(100, B, FIN | ACK, 5006, 1006, 0),
	TX(120, A, ACK, 1007, 5007, 0),
	TX(120, B, ACK, 5007, 1007, 0),
	EXPIRE(1000, A, AT_ALL),
	EXPIRE(1000, B, AT_ALL),
) = { STEPS(n3), {
	[CLIENT] = { { PATH_A N3_NEAR, PATH_B N3_FAR },
		     V(CLOSE_SIMULTANEOUS), BOTH, NONE, 0, 1 },
	[ROUTER] = { { PATH_A N3_NEAR, PATH_B N3_FAR },
		     V(CLOSE_SIMULTANEOUS), BOTH, NONE, 0, 1 },
	[SERVER] = { { PATH_A N3_FAR, PATH_B N3_NEAR },
		     V(CLOSE_SIMULTANEOUS), BOTH, NONE, 0, 1 },
} };

/* The server closes first. */
SCENARIO(n4,
	TX(100, B, FIN | ACK, 5006, 1006, 0),
	TX(120, A, ACK, 1006, 5007, 0),
	TX(200, A, FIN | ACK, 1006, 5007, 0),
	TX(220, B, ACK, 5007, 1007, 0),
	EXPIRE(1000, B, AT_ALL),
) = { STEPS(n4), {
	[CLIENT] = { { PATH_A PASSIVE, PATH_B ACTIVE }, V(CLOSE_NORMAL), B,
		     NONE, 0, 1 },
	[ROUTER] = { { PATH_A PASSIVE, PATH_B ACTIVE }, V(CLOSE_NORMAL), B,
		     NONE, 0, 1 },
	[SERVER] = { { PATH_A PASSIVE, PATH_B ACTIVE }, V(CLOSE_NORMAL), B,
		     NONE, 0, 1 },
} };

/* The client's first FIN is dropped; its retransmission goes through. */
SCENARIO(f1,
	LOST(100, A, FIN | ACK, 1006, 5006, 0),
	TX(300, A, FIN | ACK, 1006, 5006, 0),
	TX(320, B, ACK, 5006, 1007, 0),
	TX(400, B, FIN | ACK, 5006, 1007, 0),
	TX(420, A, ACK, 1007, 5007, 0),
	EXPIRE(2000, A, AT_ALL),
) = { STEPS(f1), {
	[CLIENT] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, EV(FIN_RETRANS_ACTIVE), 1 },
	[ROUTER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, 0, 1 },
	[SERVER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, 0, 1 },
} };

/*
 * Every FIN of the client is dropped.  Only the client's mirror knows of
 * them; its FIN_WAIT1 timer expires.  The router and the server saw no
 * FIN: their mirrors still hold an ESTABLISHED flow.
 */
SCENARIO(f1_all_lost,
	LOST(100, A, FIN | ACK, 1006, 5006, 0),
	LOST(300, A, FIN | ACK, 1006, 5006, 0),
	LOST(700, A, FIN | ACK, 1006, 5006, 0),
	LOST(1500, A, FIN | ACK, 1006, 5006, 0),
	EXPIRE(5000, A, AT_C),
) = { STEPS(f1_all_lost), {
	[CLIENT] = { { PATH_A " FIN_WAIT1 CLOSED", PATH_B " CLOSE_WAIT CLOSED" },
		     V(TIMEOUT_FIN_WAIT1), A, B, EV(FIN_RETRANS_ACTIVE), 1 },
	[ROUTER] = { { PATH_A, PATH_B }, V(NONE), NONE, NONE, 0, 0 },
	[SERVER] = { { PATH_A, PATH_B }, V(NONE), NONE, NONE, 0, 0 },
} };

/*
 * The server's pure ACK of the client's FIN is dropped (the rule matches
 * ack 1007, so the duplicate ACK of the retransmitted FIN too).  The
 * server closes later: its FIN+ACK takes the client from FIN_WAIT1 to
 * TIME_WAIT.  The server's mirror saw its own ACK: FIN after ACK there.
 */
SCENARIO(f2,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	LOST(120, B, ACK, 5006, 1007, 0),
	TX(300, A, FIN | ACK, 1006, 5006, 0),
	LOST(320, B, ACK, 5006, 1007, 0),
	TX(400, B, FIN | ACK, 5006, 1007, 0),
	TX(420, A, ACK, 1007, 5007, 0),
	EXPIRE(2000, A, AT_ALL),
) = { STEPS(f2), {
	[CLIENT] = { { PATH_A " FIN_WAIT1 TIME_WAIT CLOSED", PATH_B PASSIVE },
		     V(CLOSE_NORMAL), A, NONE, EV(FIN_RETRANS_ACTIVE), 1 },
	[ROUTER] = { { PATH_A " FIN_WAIT1 TIME_WAIT CLOSED", PATH_B PASSIVE },
		     V(CLOSE_NORMAL), A, NONE, EV(FIN_RETRANS_ACTIVE), 1 },
	[SERVER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, EV(FIN_RETRANS_ACTIVE) | EV(FIN_AFTER_ACK), 1 },
} };

/* The server's first FIN is dropped; it retransmits it from LAST_ACK. */
SCENARIO(f3,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	TX(120, B, ACK, 5006, 1007, 0),
	LOST(200, B, FIN | ACK, 5006, 1007, 0),
	TX(400, B, FIN | ACK, 5006, 1007, 0),
	TX(420, A, ACK, 1007, 5007, 0),
	EXPIRE(2000, A, AT_ALL),
) = { STEPS(f3), {
	[CLIENT] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, 0, 1 },
	[ROUTER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, 0, 1 },
	[SERVER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, EV(FIN_RETRANS_PASSIVE), 1 },
} };

/*
 * The client's final ACK is dropped once: the server retransmits its
 * FIN, the client re-ACKs from TIME_WAIT.  The client's mirror had seen
 * that ACK, so it also counts the FIN as coming after its ACK.
 */
SCENARIO(f4,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	TX(120, B, ACK, 5006, 1007, 0),
	TX(200, B, FIN | ACK, 5006, 1007, 0),
	LOST(220, A, ACK, 1007, 5007, 0),
	TX(420, B, FIN | ACK, 5006, 1007, 0),
	TX(440, A, ACK, 1007, 5007, 0),
	EXPIRE(2000, A, AT_ALL),
) = { STEPS(f4), {
	[CLIENT] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, EV(FIN_RETRANS_PASSIVE) | EV(FIN_AFTER_ACK) |
		     EV(TIME_WAIT_REACK), 1 },
	[ROUTER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, EV(FIN_RETRANS_PASSIVE), 1 },
	[SERVER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, EV(FIN_RETRANS_PASSIVE), 1 },
} };

/* The server never closes: the client's FIN_WAIT2 expires. */
#define F5_A	PATH_A " FIN_WAIT1 FIN_WAIT2 CLOSED"
#define F5_B	PATH_B " CLOSE_WAIT"
SCENARIO(f5,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	TX(120, B, ACK, 5006, 1007, 0),
	EXPIRE(1000, A, AT_ALL),
) = { STEPS(f5), {
	[CLIENT] = { { F5_A, F5_B }, V(TIMEOUT_FIN_WAIT2), A, B, 0, 0 },
	[ROUTER] = { { F5_A, F5_B }, V(TIMEOUT_FIN_WAIT2), A, B, 0, 0 },
	[SERVER] = { { F5_A, F5_B }, V(TIMEOUT_FIN_WAIT2), A, B, 0, 0 },
} };

/*
 * Once the client is in FIN_WAIT2 the router drops everything from it.
 * The server retransmits its FIN until its LAST_ACK timer expires.  The
 * client's mirror sees its own ACKs: for it the close was normal.
 */
SCENARIO(f6,
	TX(100, A, FIN | ACK, 1006, 5006, 0),
	TX(120, B, ACK, 5006, 1007, 0),
	TX(200, B, FIN | ACK, 5006, 1007, 0),
	LOST(220, A, ACK, 1007, 5007, 0),
	TX(420, B, FIN | ACK, 5006, 1007, 0),
	LOST(440, A, ACK, 1007, 5007, 0),
	TX(820, B, FIN | ACK, 5006, 1007, 0),
	LOST(840, A, ACK, 1007, 5007, 0),
	EXPIRE(1640, B, AT_R | AT_S),
	EXPIRE(3000, A, AT_C),
) = { STEPS(f6), {
	[CLIENT] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(CLOSE_NORMAL), A,
		     NONE, EV(FIN_RETRANS_PASSIVE) | EV(FIN_AFTER_ACK) |
		     EV(TIME_WAIT_REACK), 1 },
	[ROUTER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(TIMEOUT_LAST_ACK),
		     A, A, EV(FIN_RETRANS_PASSIVE), 1 },
	[SERVER] = { { PATH_A ACTIVE, PATH_B PASSIVE }, V(TIMEOUT_LAST_ACK),
		     A, A, EV(FIN_RETRANS_PASSIVE), 1 },
} };

/* When vantage @v sees step @s, or -1 if it never does. */
static long seen_at(const struct step *s, unsigned int v)
{
	if (s->expire)
		return (s->expire & (1u << v)) ? (long)s->t : -1;
	if (v == ROUTER)
		return s->lost ? -1 : (long)s->t + HOP;
	if ((v == CLIENT) == (s->side == A))
		return s->t;			/* its sender's vantage */
	return s->lost ? -1 : (long)s->t + 2 * HOP;
}

static void path_add(char *path, size_t size, unsigned int st)
{
	size_t n = strlen(path);

	snprintf(path + n, size - n, "%s%s", n ? " " : "",
		 tcpclose_state_name(st));
}

FIXTURE(scenario) {
	struct drv d;
	char path[2][256];
};

FIXTURE_VARIANT(scenario) {
	const struct scenario *sc;
	unsigned int v;
};

FIXTURE_SETUP(scenario)
{
	memset(self, 0, sizeof(*self));
}

FIXTURE_TEARDOWN(scenario)
{
}

#define AT(name, vname, vant) \
	FIXTURE_VARIANT_ADD(scenario, name##_##vname) { \
		.sc = &name, .v = vant, \
	}
#define AT_EACH(name) \
	AT(name, client, CLIENT); \
	AT(name, router, ROUTER); \
	AT(name, server, SERVER)

AT_EACH(n1);
AT_EACH(n2);
AT_EACH(n3);
AT_EACH(n4);
AT_EACH(f1);
AT_EACH(f1_all_lost);
AT_EACH(f2);
AT_EACH(f3);
AT_EACH(f4);
AT_EACH(f5);
AT_EACH(f6);

TEST_F(scenario, run)
{
	const struct scenario *sc = variant->sc;
	const struct outcome *o = &sc->at[variant->v];
	unsigned int order[64], n = 0, i, j, side;
	struct drv *d = &self->d;

	ASSERT_GE(ARRAY_SIZE(order), sc->nsteps);
	/* The steps this vantage sees, in the order it sees them. */
	for (i = 0; i < sc->nsteps; i++) {
		long t = seen_at(&sc->steps[i], variant->v);

		if (t < 0)
			continue;
		for (j = n; j > 0 && seen_at(&sc->steps[order[j - 1]],
					     variant->v) > t; j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	for (i = 0; i < n; i++) {
		const struct step *s = &sc->steps[order[i]];

		if (s->expire) {
			/* A mirror only expires a timer it runs. */
			EXPECT_NE(TCPCLOSE_T_NONE,
				  tcpclose_fsm_timer(&d->f, s->side));
			drv_expire(d, s->side);
		} else {
			drv_seg(d, s->side, s->flags, s->seq, s->ack, s->len);
		}
		for (side = 0; side < 2; side++) {
			if (i && d->out.old_state[side] == d->f.state[side])
				continue;
			path_add(self->path[side], sizeof(self->path[side]),
				 d->f.state[side]);
		}
	}
	EXPECT_STREQ(o->path[A], self->path[A]);
	EXPECT_STREQ(o->path[B], self->path[B]);
	EXPECT_STREQ(tcpclose_verdict_name(o->verdict),
		     tcpclose_verdict_name(d->f.verdict));
	EXPECT_EQ(o->active_closer, d->f.active_closer);
	EXPECT_EQ(o->stalled, d->f.stalled);
	EXPECT_EQ(o->anomalies, d->f.anomalies);
	EXPECT_EQ(o->done, tcpclose_fsm_done(&d->f));
	/* Exactly one verdict, given once; no new flow, no pick-up. */
	EXPECT_EQ(o->verdict != V(NONE), d->ended);
	EXPECT_EQ(0, d->all & (EV(NEW_FLOW) | EV(PICKED_UP)));
	EXPECT_EQ(A, d->f.initiator);
}

/*
 * F5 in detail: the server's side stays CLOSE_WAIT at every vantage,
 * with no timer; the flow is not done (the caller's idle eviction ends
 * it).
 */
TEST_F(flow, f5_close_wait_stays)
{
	open_flow(&self->d);
	seg(A, FIN | ACK, 1006, 5006, 0);
	seg(B, ACK, 5006, 1007, 0);
	EXPECT_EQ(TCPCLOSE_T_FIN_WAIT2, tcpclose_fsm_timer(&F, A));
	expire(A);
	EXPECT_EQ(FW2, OUT.old_state[A]);
	EXPECT_STATES(CLOSED, CW);
	EXPECT_EQ(TCPCLOSE_T_NONE, tcpclose_fsm_timer(&F, B));
	EXPECT_FALSE(tcpclose_fsm_done(&F));
	tcpclose_fsm_evict(&F, &OUT);
	EXPECT_EVENTS(0);
	EXPECT_VERDICT(V(TIMEOUT_FIN_WAIT2));
}

/*
 * F6 follow-up at the server vantage: the drop rule is lifted and the
 * client, on the same tuple, connects again while the server is still
 * in LAST_ACK.  The SYN is counted, changes nothing, and is no new flow
 * (this mirror has given no verdict yet).  Linux's server answers with
 * a challenge ACK; the client's new SYN_SENT socket answers that with
 * an RST (seq = the ACK's ack, no ACK flag), which ends the LAST_ACK.
 */
TEST_F(flow, f6_new_syn_at_server)
{
	open_flow(&self->d);
	seg(A, FIN | ACK, 1006, 5006, 0);
	seg(B, ACK, 5006, 1007, 0);
	seg(B, FIN | ACK, 5006, 1007, 0);
	seg(B, FIN | ACK, 5006, 1007, 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_PASSIVE));
	seg(B, FIN | ACK, 5006, 1007, 0);
	EXPECT_STATES(TW, LA);
	seg(A, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING));
	EXPECT_EQ(TW, OUT.old_state[A]);
	EXPECT_EQ(LA, OUT.old_state[B]);
	EXPECT_STATES(TW, LA);
	EXPECT_VERDICT(V(NONE));
	/* Challenge ACK, and the client's RST. */
	seg(B, ACK, 5007, 1007, 0);
	EXPECT_EVENTS(0);
	seg(A, RST, 1007, 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(HALF_OPEN) | EV(ENDED));
	EXPECT_STATES(CLOSED, CLOSED);
	EXPECT_VERDICT(V(RESET_CLOSING));
	/* The client's SYN again, one second later: now a new flow. */
	seg(A, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(NEW_FLOW));
	EXPECT_EQ(EV(FIN_RETRANS_PASSIVE) | EV(SYN_ON_CLOSING) |
		  EV(RST_EXACT) | EV(HALF_OPEN), F.anomalies);
}

/*
 * N3 at the server vantage, the server's ACK of the client's FIN lost at
 * the router: the client (taken as TIME_WAIT) retransmits its FIN.  That
 * is a FIN after its ACK, not a TIME_WAIT re-ACK; the server's answer,
 * from its real TIME_WAIT, is.
 */
TEST_F(flow, n3_lost_ack_at_server)
{
	open_flow(&self->d);
	seg(B, FIN | ACK, 5006, 1006, 0);
	seg(A, FIN | ACK, 1006, 5006, 0);
	EXPECT_STATES(CLOSING, CLOSING);
	seg(B, ACK, 5007, 1007, 0);
	EXPECT_STATES(TW, CLOSING);
	seg(A, ACK, 1007, 5007, 0);
	EXPECT_STATES(TW, TW);
	EXPECT_VERDICT(V(CLOSE_SIMULTANEOUS));
	seg(A, FIN | ACK, 1006, 5007, 0);
	EXPECT_EVENTS(EV(FIN_RETRANS_ACTIVE) | EV(FIN_AFTER_ACK));
	seg(B, ACK, 5007, 1007, 0);
	EXPECT_EVENTS(EV(TIME_WAIT_REACK));
	EXPECT_STATES(TW, TW);
}

/* The same SYN at the client vantage: that mirror had ended the flow. */
TEST_F(flow, f6_new_syn_at_client)
{
	open_flow(&self->d);
	seg(A, FIN | ACK, 1006, 5006, 0);
	seg(B, ACK, 5006, 1007, 0);
	seg(B, FIN | ACK, 5006, 1007, 0);
	seg(A, ACK, 1007, 5007, 0);
	seg(B, FIN | ACK, 5006, 1007, 0);
	seg(A, ACK, 1007, 5007, 0);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	seg(A, SYN, 90000, 0, 0);
	EXPECT_EVENTS(EV(SYN_ON_CLOSING) | EV(NEW_FLOW));
}

/* ICMP errors: the quoted seq must be sent and not yet acknowledged. */
TEST_F(flow, seq_unacked)
{
	seg(A, SYN, ISN_A, 0, 0);
	/* B has ACKed nothing yet: no bounds for A. */
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 12345));
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	seg(A, PSH | ACK, ISN_A + 1, ISN_B + 1, 100);
	/* SND.UNA = ISN_A + 1, SND.NXT = ISN_A + 101, both included. */
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 1));
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 50));
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 101));
	EXPECT_EQ(0, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 102));
	EXPECT_EQ(0, tcpclose_fsm_seq_unacked(&F, A, ISN_A));
	EXPECT_EQ(0, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 0x80000000u));
	/* B ACKs 60 bytes: below is acknowledged now. */
	seg(B, ACK, ISN_B + 1, ISN_A + 61, 0);
	EXPECT_EQ(0, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 50));
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, ISN_A + 61));
	/* B has sent nothing past its SYN: only ISN_B + 1. */
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, B, ISN_B + 1));
	EXPECT_EQ(0, tcpclose_fsm_seq_unacked(&F, B, ISN_B + 2));
}

/* Picked up from A's ACK: B has sent nothing, so nothing bounds it. */
TEST_F(flow, seq_unacked_silent_side)
{
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, B, ISN_B + 1));
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, B, ISN_B + 0x80000000u));
}

/* The same across the wrap of the sequence space. */
TEST_F(flow, seq_unacked_wraps)
{
	seg(A, SYN, 0xfffffff0u, 0, 0);
	seg(B, SYN | ACK, ISN_B, 0xfffffff1u, 0);
	seg(A, PSH | ACK, 0xfffffff1u, ISN_B + 1, 0x20);
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, 0xfffffff1u));
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, 5));
	EXPECT_EQ(1, tcpclose_fsm_seq_unacked(&F, A, 0x11));
	EXPECT_EQ(0, tcpclose_fsm_seq_unacked(&F, A, 0x12));
	EXPECT_EQ(0, tcpclose_fsm_seq_unacked(&F, A, 0xfffffff0u));
}

/* ------------------------------------------------------------------ */
/* Attacks: RFC 5961 challenge ACKs, blind injection, SYN-ACK retrans  */
/* ------------------------------------------------------------------ */

/*
 * A forged in-window RST "from A": B answers with a challenge ACK, A goes
 * on sending, so the RST was not A's.  An out-of-window one is pending
 * too.  The flow ends normally.
 */
TEST_F(flow, forged_rsts_challenged_then_contradicted)
{
	open_flow(&self->d);
	seg(A, RST, nxt(B) + 100, 0, 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	EXPECT_EQ(TCPCLOSE_D_CHALLENGE_DUE,
		  F.dir[B].flags & TCPCLOSE_D_CHALLENGE_DUE);
	/* Not a challenge ACK: not at B's RCV.NXT. */
	seg(B, ACK, nxt(B), nxt(A) - 1, 0);
	EXPECT_EVENTS(0);
	seg(B, ACK, nxt(B), nxt(A), 0);
	EXPECT_EVENTS(EV(CHALLENGE_ACK));
	/* Owed once per in-window RST. */
	seg(B, ACK, nxt(B), nxt(A), 0);
	EXPECT_EVENTS(0);
	seg(A, RST, nxt(B) + RWND + 1, 0, 0);
	EXPECT_EVENTS(EV(RST_OUT_OF_WINDOW));
	seg(A, RST | ACK, nxt(B) + 7, nxt(A), 0);
	EXPECT_EVENTS(EV(RST_IN_WINDOW));
	EXPECT_EQ(3, F.rst_pending[A]);
	seg(A, ACK, nxt(A), nxt(B), 0);
	EXPECT_EVENTS(EV(RST_FORGED_SUSPECT));
	EXPECT_EQ(3, OUT.forged);
	EXPECT_EQ(0, F.rst_pending[A]);
	/* The challenge is answered: a later exact RST is not "after" it. */
	EXPECT_EQ(0, F.dir[B].flags &
		  (TCPCLOSE_D_CHALLENGE_DUE | TCPCLOSE_D_CHALLENGED));
	seg(A, FIN | ACK, nxt(A), nxt(B), 0);
	EXPECT_EQ(0, OUT.forged);
	seg(B, FIN | ACK, nxt(B), nxt(A) + 1, 0);
	seg(A, ACK, nxt(A) + 1, nxt(B) + 1, 0);
	EXPECT_VERDICT(V(CLOSE_NORMAL));
	EXPECT_EQ(EV(RST_IN_WINDOW) | EV(RST_OUT_OF_WINDOW) |
		  EV(CHALLENGE_ACK) | EV(RST_FORGED_SUSPECT), F.anomalies);
}

/*
 * A is gone (its own RST lost): an in-window RST makes B challenge, and A's
 * kernel answers the challenge ACK with an exact RST, which takes effect.
 */
TEST_F(flow, rst_after_challenge)
{
	open_flow(&self->d);
	seg(A, RST, nxt(B) + 1000, 0, 0);
	seg(B, ACK, nxt(B), nxt(A), 0);
	EXPECT_EVENTS(EV(CHALLENGE_ACK));
	/* Without ACK, from a side the mirror had open: half_open too. */
	seg(A, RST, nxt(A), 0, 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(RST_AFTER_CHALLENGE) | EV(HALF_OPEN) |
		      EV(ENDED));
	EXPECT_EQ(0, OUT.forged);
	EXPECT_EQ(0, F.rst_pending[A]);
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
	EXPECT_STATES(CLOSED, CLOSED);
}

/* Without a challenge ACK seen, an exact RST is a plain reset. */
TEST_F(flow, exact_rst_without_challenge)
{
	open_flow(&self->d);
	seg(A, RST, nxt(B) + 1000, 0, 0);
	seg(A, RST | ACK, nxt(A), nxt(B), 0);
	EXPECT_EVENTS(EV(RST_EXACT) | EV(ENDED));
	EXPECT_VERDICT(V(RESET_ESTABLISHED));
}

/* A's data past B's right edge, or far behind, is ignored and counted. */
TEST_F(flow, data_out_of_window)
{
	open_flow(&self->d);
	seg(A, PSH | ACK, nxt(B) + RWND + 1, nxt(B), 100);
	EXPECT_EVENTS(EV(DATA_OUT_OF_WINDOW));
	EXPECT_EQ(nxt(A), F.dir[A].snd_nxt);
	/* The right edge itself is in (a zero-window probe's byte). */
	seg(A, PSH | ACK, nxt(A) + RWND, nxt(B), 1);
	EXPECT_EVENTS(0);
	/* Behind by more than any window of scale 7 could hold. */
	seg(A, PSH | ACK, nxt(A) - (WIN << WSCALE) - 200, nxt(B), 100);
	EXPECT_EVENTS(EV(DATA_OUT_OF_WINDOW));
	/* An ordinary retransmission of old data is not. */
	seg(A, PSH | ACK, nxt(A) - 5, nxt(B), 5);
	EXPECT_EVENTS(0);
	EXPECT_EQ(2, F.injected);
	EXPECT_STATES(EST, EST);
}

/* An ACK of what B never sent is ignored and counted, FIN or not. */
TEST_F(flow, ack_unsent)
{
	open_flow(&self->d);
	seg(A, FIN | ACK, nxt(A), nxt(B) + 1, 0);
	EXPECT_EVENTS(EV(ACK_UNSENT));
	EXPECT_STATES(EST, EST);
	EXPECT_EQ(0, F.fin_count[A]);
	seg(A, ACK, nxt(A), nxt(B), 0);
	EXPECT_EVENTS(0);
}

/* The fourth injection flags the flow, once. */
TEST_F(flow, hijack_suspect)
{
	int i;

	open_flow(&self->d);
	for (i = 1; i < TCPCLOSE_INJECT_BURST; i++) {
		seg(A, PSH | ACK, nxt(A), nxt(B) + 1000 * i, 10);
		EXPECT_EVENTS(EV(ACK_UNSENT));
	}
	seg(A, PSH | ACK, nxt(B) + 3 * RWND, nxt(B), 10);
	EXPECT_EVENTS(EV(DATA_OUT_OF_WINDOW) | EV(HIJACK_SUSPECT));
	seg(A, PSH | ACK, nxt(A), nxt(B) + 1, 10);
	EXPECT_EVENTS(EV(ACK_UNSENT));
	EXPECT_EQ(TCPCLOSE_INJECT_BURST + 1, F.injected);
	EXPECT_VERDICT(V(NONE));
}

/* A flow picked up mid-stream is not checked: its windows are unknown. */
TEST_F(flow, picked_up_not_checked_for_injection)
{
	seg(A, ACK, 1006, 5006, 0);
	seg(B, ACK, 5006, 1006, 0);
	seg(A, PSH | ACK, 1006, 9999999, 10);
	EXPECT_EVENTS(0);
	EXPECT_EQ(0, F.injected);
}

TEST_F(flow, synack_retrans)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_EVENTS(0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_EVENTS(EV(SYNACK_RETRANS));
	EXPECT_EQ(0, F.anomalies);
	seg(A, ACK, ISN_A + 1, ISN_B + 1, 0);
	EXPECT_STATES(EST, EST);
}

/* Simultaneous open: a SYN, then a SYN-ACK with the same ISN. */
TEST_F(flow, synack_after_own_syn_is_not_retrans)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN, ISN_B, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	EXPECT_EQ(0, OUT.events & EV(SYNACK_RETRANS));
}

/* The per-side and per-flow counts saturate instead of wrapping. */
TEST_F(flow, attack_counts_saturate)
{
	int i;

	open_flow(&self->d);
	for (i = 0; i < 300; i++)
		seg(A, RST, nxt(B) + 1 + i, 0, 0);
	EXPECT_EQ(255, F.rst_pending[A]);
	seg(A, ACK, nxt(A), nxt(B), 0);
	EXPECT_EQ(255, OUT.forged);
	for (i = 0; i < 300; i++)
		seg(A, PSH | ACK, nxt(A), nxt(B) + 1, 1);
	EXPECT_EQ(255, F.injected);
	EXPECT_EQ(0, OUT.events & EV(HIJACK_SUSPECT));
}

/* Only a pure ACK repeating both numbers answers the challenge. */
TEST_F(flow, challenge_ack_must_repeat_both_numbers)
{
	open_flow(&self->d);
	seg(A, RST, nxt(B) + 100, 0, 0);
	seg(B, ACK, nxt(B) + 1, nxt(A), 0);	/* not at its SND.NXT */
	EXPECT_EQ(0, OUT.events & EV(CHALLENGE_ACK));
	seg(B, FIN | ACK, nxt(B), nxt(A), 0);	/* a FIN is not one */
	EXPECT_EQ(0, OUT.events & EV(CHALLENGE_ACK));
	EXPECT_EQ(TCPCLOSE_D_CHALLENGE_DUE,
		  F.dir[B].flags & TCPCLOSE_D_CHALLENGE_DUE);
}

/* A SYN-ACK with a new ISN is not a retransmission of the first. */
TEST_F(flow, synack_with_new_isn_is_not_retrans)
{
	seg(A, SYN, ISN_A, 0, 0);
	seg(B, SYN | ACK, ISN_B, ISN_A + 1, 0);
	seg(B, SYN | ACK, ISN_B + 77, ISN_A + 1, 0);
	EXPECT_EQ(0, OUT.events & EV(SYNACK_RETRANS));
}

TEST_HARNESS_MAIN
