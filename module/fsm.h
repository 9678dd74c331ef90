/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The close-state mirror: a pure, table-driven model of both endpoints of
 * one TCP flow, driven by the segments seen at one vantage point.
 *
 * Pure C: this header and fsm.c include no kernel or libc header, so the
 * same files are compiled into the module and into the host unit tests.
 * Time is not modelled here: the caller decides when a timer has expired
 * and says so with tcpclose_fsm_expire().
 *
 * Vocabulary (Documentation/fsm.rst):
 *   side A    the endpoint that sent the first segment this mirror saw
 *             (the initiator when that segment is a SYN); side B the other.
 *   dir X     a segment sent by side X; it is received by side !X.
 *
 * A segment changes the sender's state as it is sent (a FIN moves its
 * sender to FIN_WAIT_1 or LAST_ACK) and the receiver's state as it is
 * received (the ACK of a FIN, then the FIN itself, in that order, as the
 * kernel processes them).  A mirror applies both at once: a segment lost
 * beyond the vantage point is learned of from its retransmission.
 */
#ifndef TCPCLOSE_FSM_H
#define TCPCLOSE_FSM_H

/* Endpoint states, numbered as the kernel's TCP_* states. */
enum tcpclose_fsm_state {
	TCPCLOSE_UNKNOWN	= 0,	/* not yet seen */
	TCPCLOSE_ESTABLISHED	= 1,
	TCPCLOSE_SYN_SENT	= 2,
	TCPCLOSE_SYN_RECV	= 3,
	TCPCLOSE_FIN_WAIT1	= 4,
	TCPCLOSE_FIN_WAIT2	= 5,
	TCPCLOSE_TIME_WAIT	= 6,
	TCPCLOSE_CLOSED		= 7,
	TCPCLOSE_CLOSE_WAIT	= 8,
	TCPCLOSE_LAST_ACK	= 9,
	TCPCLOSE_LISTEN		= 10,
	TCPCLOSE_CLOSING	= 11,
	TCPCLOSE_NSTATES	= 12,
};

/* Sides, and the values of initiator / active_closer / stalled. */
enum {
	TCPCLOSE_SIDE_A		= 0,
	TCPCLOSE_SIDE_B		= 1,
	TCPCLOSE_SIDE_NONE	= 2,	/* not known, or not applicable */
	TCPCLOSE_SIDE_BOTH	= 3,	/* simultaneous close */
};

/* How a flow ended: exactly one per ended flow. */
enum tcpclose_fsm_verdict {
	TCPCLOSE_V_NONE = 0,		/* still open */
	TCPCLOSE_V_CLOSE_NORMAL,	/* FIN each way, both ACKed */
	TCPCLOSE_V_CLOSE_SIMULTANEOUS,	/* both FINs crossed */
	TCPCLOSE_V_RESET_ESTABLISHED,	/* RST before any FIN */
	TCPCLOSE_V_RESET_CLOSING,	/* RST after a FIN */
	TCPCLOSE_V_REFUSED,		/* SYN answered by RST */
	TCPCLOSE_V_SYN_TIMEOUT,		/* handshake never completed */
	TCPCLOSE_V_TIMEOUT_FIN_WAIT1,	/* FIN never ACKed */
	TCPCLOSE_V_TIMEOUT_FIN_WAIT2,	/* peer's FIN never came */
	TCPCLOSE_V_TIMEOUT_LAST_ACK,	/* last FIN never ACKed */
	TCPCLOSE_V_EVICTED,		/* dropped from a full table */
	TCPCLOSE_NVERDICTS,
};

/*
 * Events a segment or a timer caused, one bit each (struct
 * tcpclose_fsm_out.events).  The module counts each of them.
 */
enum tcpclose_event {
	TCPCLOSE_EV_FIN_RETRANS_ACTIVE	= 1u << 0,  /* active closer's FIN again */
	TCPCLOSE_EV_FIN_RETRANS_PASSIVE	= 1u << 1,  /* passive closer's FIN again */
	TCPCLOSE_EV_FIN_AFTER_ACK	= 1u << 2,  /* FIN again after its ACK was seen */
	TCPCLOSE_EV_TIME_WAIT_REACK	= 1u << 3,  /* TIME_WAIT side ACKs a FIN again */
	TCPCLOSE_EV_SYN_ON_CLOSING	= 1u << 4,  /* SYN while the peer still closes */
	TCPCLOSE_EV_RST_EXACT		= 1u << 5,  /* RFC 5961: seq == RCV.NXT */
	TCPCLOSE_EV_RST_IN_WINDOW	= 1u << 6,  /* in window, not exact */
	TCPCLOSE_EV_RST_OUT_OF_WINDOW	= 1u << 7,  /* outside the window */
	TCPCLOSE_EV_DATA_AFTER_FIN	= 1u << 8,  /* data beyond the sender's FIN */
	TCPCLOSE_EV_HALF_OPEN		= 1u << 9,  /* RST from a side that forgot */
	TCPCLOSE_EV_OLD_DUP_SYN		= 1u << 10, /* SYN-ACK rejected by an RST */
	TCPCLOSE_EV_RST_IN_TIME_WAIT	= 1u << 11, /* RST to a side in TIME_WAIT */
	TCPCLOSE_EV_DATA_OUT_OF_WINDOW	= 1u << 12, /* data outside the window */
	TCPCLOSE_EV_ACK_UNSENT		= 1u << 13, /* ACK of data never sent */
	TCPCLOSE_EV_CHALLENGE_ACK	= 1u << 14, /* RFC 5961 challenge ACK */
	TCPCLOSE_EV_RST_AFTER_CHALLENGE	= 1u << 15, /* exact RST answering one */
	/* Non-exact RSTs from a side that went on sending: out.forged of them. */
	TCPCLOSE_EV_RST_FORGED_SUSPECT	= 1u << 16,
	TCPCLOSE_EV_HIJACK_SUSPECT	= 1u << 17, /* TCPCLOSE_INJECT_BURST injections */
	/*
	 * Not anomalies: above the bits of TCPCLOSE_ANOMALY_MASK, so that
	 * anomalies can be added below without moving these.
	 */
	TCPCLOSE_EV_SYNACK_RETRANS	= 1u << 24, /* counted, not flagged */
	TCPCLOSE_EV_ENDED		= 1u << 28, /* this input gave the verdict */
	/* A new connection reuses the tuple: the flow has ended, start a
	 * new one with this same segment.
	 */
	TCPCLOSE_EV_NEW_FLOW		= 1u << 29,
	TCPCLOSE_EV_PICKED_UP		= 1u << 30, /* first segment was not a SYN */
};

/*
 * The anomaly events, remembered per flow in struct tcpclose_fsm; the same
 * bits as the netlink family's anomaly flags.
 */
#define TCPCLOSE_ANOMALY_MASK	0x3ffffu

/*
 * Segments a flow may show outside the window or acknowledging what was
 * never sent (data_out_of_window, ack_unsent) before it is flagged
 * hijack_suspect.
 */
#define TCPCLOSE_INJECT_BURST	4

/* Per-direction flags (struct tcpclose_dir.flags). */
enum {
	TCPCLOSE_D_SYN		= 1u << 0,	/* sent a SYN (snd_nxt valid) */
	TCPCLOSE_D_FIN		= 1u << 1,	/* sent a FIN (fin_seq valid) */
	TCPCLOSE_D_FIN_ACKED	= 1u << 2,	/* its FIN's ACK was seen */
	TCPCLOSE_D_ACK		= 1u << 3,	/* sent an ACK (max_ack valid) */
	TCPCLOSE_D_WIN		= 1u << 4,	/* window known */
	TCPCLOSE_D_SEQ		= 1u << 5,	/* snd_nxt valid */
	TCPCLOSE_D_CHALLENGE_DUE = 1u << 6,	/* took an in-window RST */
	TCPCLOSE_D_CHALLENGED	= 1u << 7,	/* sent a challenge ACK */
	TCPCLOSE_D_SYNACK	= 1u << 8,	/* sent a SYN-ACK */
};

/* Flow flags (struct tcpclose_fsm.flags). */
enum {
	TCPCLOSE_F_PICKED_UP	= 1u << 0,	/* first seen mid-stream */
	TCPCLOSE_F_ENDED	= 1u << 1,	/* verdict given */
};

/*
 * What one side has sent, as seen at this vantage point (20 bytes).  The
 * window scale shares a 16-bit word with the flags so that struct
 * tcpclose_fsm has no padding: see its size below.
 */
struct tcpclose_dir {
	unsigned int isn;	/* initial sequence number, from its SYN */
	unsigned int snd_nxt;	/* highest seq + len (+1 per SYN/FIN) */
	unsigned int max_ack;	/* highest ACK it sent: its RCV.NXT */
	unsigned int fin_seq;	/* sequence number its FIN occupies */
	unsigned short win;	/* last window field, unscaled */
	unsigned short flags : 12;	/* TCPCLOSE_D_* */
	unsigned short wscale : 4;	/* window scale from its SYN, 0..14 */
};

/*
 * The mirrored state of one flow: 56 bytes, no padding, so that the
 * module's flow entry (struct tcpclose_flow) fits in two cache lines.
 * fin_count and rst_pending are per side, but kept here: in struct
 * tcpclose_dir they would pad it to 24 bytes.
 */
struct tcpclose_fsm {
	struct tcpclose_dir dir[2];
	unsigned int anomalies;		/* TCPCLOSE_ANOMALY_MASK bits seen */
	unsigned char state[2];		/* enum tcpclose_fsm_state, per side */
	unsigned char initiator;	/* TCPCLOSE_SIDE_* */
	unsigned char active_closer;	/* TCPCLOSE_SIDE_* */
	unsigned char verdict;		/* enum tcpclose_fsm_verdict */
	unsigned char stalled;		/* side blamed by a timeout verdict */
	unsigned char flags;		/* TCPCLOSE_F_* */
	unsigned char injected;		/* injection segments, saturating */
	unsigned char fin_count[2];	/* FINs seen per side, saturating */
	/* Per side: its RSTs that took no effect, not yet shown forged. */
	unsigned char rst_pending[2];	/* saturating */
};

/* One segment, as parsed by the caller. */
struct tcpclose_seg {
	unsigned int seq;
	unsigned int ack;
	unsigned int len;	/* payload bytes */
	unsigned short win;	/* window field, unscaled */
	unsigned char flags;	/* TCP flag byte (TCPCLOSE_TH_* in segment.h) */
	unsigned char dir;	/* sender: TCPCLOSE_SIDE_A or _B */
	unsigned char wscale;	/* window scale option of a SYN, or 0xff */
};

/* What an input did. */
struct tcpclose_fsm_out {
	unsigned int events;		/* TCPCLOSE_EV_* */
	unsigned char old_state[2];	/* states before the input */
	unsigned char forged;		/* RSTs TCPCLOSE_EV_RST_FORGED_SUSPECT counts */
};

/* Timers the caller runs for a side, by its state (tcpclose_fsm_timer). */
enum tcpclose_timer {
	TCPCLOSE_T_NONE = 0,
	TCPCLOSE_T_SYN,		/* SYN_SENT, SYN_RECV: syn_timeout */
	TCPCLOSE_T_FIN_WAIT1,	/* fin_wait1_timeout */
	TCPCLOSE_T_FIN_WAIT2,	/* fin_timeout */
	TCPCLOSE_T_CLOSING,	/* CLOSING: fin_wait1_timeout too */
	TCPCLOSE_T_TIME_WAIT,	/* time_wait */
	TCPCLOSE_T_LAST_ACK,	/* last_ack_timeout */
};

/* Start a flow with its first segment (s->dir must be TCPCLOSE_SIDE_A). */
void tcpclose_fsm_init(struct tcpclose_fsm *f, const struct tcpclose_seg *s,
		       struct tcpclose_fsm_out *out);

/* Feed one more segment. */
void tcpclose_fsm_segment(struct tcpclose_fsm *f,
			  const struct tcpclose_seg *s,
			  struct tcpclose_fsm_out *out);

/*
 * The same without the fast path of the common segment: the very same
 * results for every input.  tcpclose_fsm_segment() falls back to it; the
 * unit tests compare the two.
 */
void tcpclose_fsm_segment_full(struct tcpclose_fsm *f,
			       const struct tcpclose_seg *s,
			       struct tcpclose_fsm_out *out);

/* The timer that applies to @side in its current state. */
enum tcpclose_timer tcpclose_fsm_timer(const struct tcpclose_fsm *f,
				       unsigned int side);

/*
 * @side's timer expired (the caller measured the silence of the peer, or
 * the time in TIME_WAIT): move it on and give a verdict if none was given.
 */
void tcpclose_fsm_expire(struct tcpclose_fsm *f, unsigned int side,
			 struct tcpclose_fsm_out *out);

/* Evicted from a full table: verdict evicted if none was given. */
void tcpclose_fsm_evict(struct tcpclose_fsm *f, struct tcpclose_fsm_out *out);

/* True when both sides are CLOSED: the caller may free the flow. */
int tcpclose_fsm_done(const struct tcpclose_fsm *f);

/*
 * Whether @seq lies in what @side has sent and its peer has not yet
 * acknowledged, SND.UNA <= seq <= SND.NXT (an ICMP error quoting a segment
 * of @side must quote one of those).  1 when it cannot tell.
 */
int tcpclose_fsm_seq_unacked(const struct tcpclose_fsm *f, unsigned int side,
			     unsigned int seq);

/* Names, for traces and tests ("FIN_WAIT2", "close_normal"). */
const char *tcpclose_state_name(unsigned int state);
const char *tcpclose_verdict_name(unsigned int verdict);

#endif /* TCPCLOSE_FSM_H */
