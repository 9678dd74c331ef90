// SPDX-License-Identifier: GPL-2.0
/*
 * The mirror: feeds each segment to its flow's state machine (fsm.c) and
 * turns what the machine did into counters, gauges and tracepoints.
 *
 * Every function here that takes a flow expects flow->lock held (BHs off),
 * except tcpclose_mirror_input(), which takes it.
 */
#include <linux/jiffies.h>

#include "counters.h"
#include "flows.h"
#include "mirror.h"
#include "netlink.h"
#include "netns.h"
#include "segment.h"
#include "synflood.h"
#include "trace.h"

/* The gauge of each endpoint state; TCPCLOSE_CNT_MAX: none. */
static const u8 tcpclose_state_gauge[TCPCLOSE_NSTATES] = {
	[TCPCLOSE_UNKNOWN]	= TCPCLOSE_CNT_MAX,
	[TCPCLOSE_ESTABLISHED]	= TCPCLOSE_CNT_STATE_ESTABLISHED,
	[TCPCLOSE_SYN_SENT]	= TCPCLOSE_CNT_STATE_SYN_SENT,
	[TCPCLOSE_SYN_RECV]	= TCPCLOSE_CNT_STATE_SYN_RECV,
	[TCPCLOSE_FIN_WAIT1]	= TCPCLOSE_CNT_STATE_FIN_WAIT1,
	[TCPCLOSE_FIN_WAIT2]	= TCPCLOSE_CNT_STATE_FIN_WAIT2,
	[TCPCLOSE_TIME_WAIT]	= TCPCLOSE_CNT_STATE_TIME_WAIT,
	[TCPCLOSE_CLOSED]	= TCPCLOSE_CNT_MAX,
	[TCPCLOSE_CLOSE_WAIT]	= TCPCLOSE_CNT_STATE_CLOSE_WAIT,
	[TCPCLOSE_LAST_ACK]	= TCPCLOSE_CNT_STATE_LAST_ACK,
	[TCPCLOSE_LISTEN]	= TCPCLOSE_CNT_MAX,
	[TCPCLOSE_CLOSING]	= TCPCLOSE_CNT_STATE_CLOSING,
};

static void tcpclose_gauge(struct tcpclose_net *tn, unsigned int state,
			   bool up)
{
	unsigned int idx = tcpclose_state_gauge[state];

	if (idx == TCPCLOSE_CNT_MAX)
		return;
	if (up)
		tcpclose_count(tn->stats, idx);
	else
		tcpclose_count_sub(tn->stats, idx);
}

static void tcpclose_unstick(struct tcpclose_net *tn,
			     struct tcpclose_flow *flow, unsigned int side)
{
	u8 bit = TCPCLOSE_FL_STUCK_A << side;

	if (!(flow->flags & bit))
		return;
	flow->flags &= ~bit;
	tcpclose_count_sub(tn->stats, TCPCLOSE_CNT_CLOSE_WAIT_STUCK);
}

void tcpclose_mirror_mark_stuck(struct tcpclose_net *tn,
				struct tcpclose_flow *flow, unsigned int side)
{
	u8 bit = TCPCLOSE_FL_STUCK_A << side;

	lockdep_assert_held(&flow->lock);
	if (flow->flags & bit)
		return;
	flow->flags |= bit;
	tcpclose_count(tn->stats, TCPCLOSE_CNT_CLOSE_WAIT_STUCK);
}

static void tcpclose_side_moved(struct net *net, struct tcpclose_net *tn,
				struct tcpclose_flow *flow, unsigned int side,
				unsigned int old)
{
	unsigned int new = flow->fsm.state[side];
	int dwell = tcpclose_dwell_index(old);

	if (dwell >= 0)
		tcpclose_dwell(tn->stats, dwell,
			       jiffies_to_msecs((u32)jiffies -
						flow->state_since[side]));
	tcpclose_gauge(tn, old, false);
	tcpclose_gauge(tn, new, true);
	if (old == TCPCLOSE_CLOSE_WAIT)
		tcpclose_unstick(tn, flow, side);
	flow->state_since[side] = (u32)jiffies;
	trace_state_change(net, flow, side, old, new);
}

/*
 * The counter of anomaly event bit @bit.  The first ten are the anomaly
 * block of the counters, in bit order; the later ones were appended at the
 * end of the counters (their names and netlink numbers are ABI) in two
 * blocks, in bit order too.
 */
static unsigned int tcpclose_anomaly_counter(unsigned int bit)
{
	BUILD_BUG_ON(TCPCLOSE_CNT_HALF_OPEN - TCPCLOSE_CNT_FIN_RETRANS_ACTIVE !=
		     9 || TCPCLOSE_EV_HALF_OPEN != 1u << 9);
	BUILD_BUG_ON(TCPCLOSE_EV_OLD_DUP_SYN != 1u << 10 ||
		     TCPCLOSE_EV_RST_IN_TIME_WAIT != 1u << 11 ||
		     TCPCLOSE_CNT_RST_IN_TIME_WAIT - TCPCLOSE_CNT_OLD_DUP_SYN != 1);
	BUILD_BUG_ON(TCPCLOSE_EV_DATA_OUT_OF_WINDOW != 1u << 12 ||
		     TCPCLOSE_CNT_HIJACK_SUSPECT -
		     TCPCLOSE_CNT_DATA_OUT_OF_WINDOW != 5 ||
		     TCPCLOSE_ANOMALY_MASK != (TCPCLOSE_EV_HIJACK_SUSPECT << 1) - 1);

	if (bit <= 9)
		return TCPCLOSE_CNT_FIN_RETRANS_ACTIVE + bit;
	if (bit <= 11)
		return TCPCLOSE_CNT_OLD_DUP_SYN + bit - 10;
	return TCPCLOSE_CNT_DATA_OUT_OF_WINDOW + bit - 12;
}

/* A flow still in its handshake: a side in SYN_SENT or SYN_RECV. */
static bool tcpclose_embryonic(unsigned int a, unsigned int b)
{
	return a == TCPCLOSE_SYN_SENT || a == TCPCLOSE_SYN_RECV ||
	       b == TCPCLOSE_SYN_SENT || b == TCPCLOSE_SYN_RECV;
}

/*
 * The gauge flows_half_open; and a handshake that completed is told to the
 * SYN flood detector, as an answered SYN.
 */
static void tcpclose_half_open(struct tcpclose_net *tn,
			       struct tcpclose_flow *flow,
			       const struct tcpclose_fsm_out *out)
{
	bool was = tcpclose_embryonic(out->old_state[0], out->old_state[1]);
	bool is = tcpclose_embryonic(flow->fsm.state[0], flow->fsm.state[1]);

	if (was == is)
		return;
	if (is) {
		tcpclose_count(tn->stats, TCPCLOSE_CNT_FLOWS_HALF_OPEN);
		return;
	}
	tcpclose_count_sub(tn->stats, TCPCLOSE_CNT_FLOWS_HALF_OPEN);
	if ((flow->flags & TCPCLOSE_FL_SYN_COUNTED) &&
	    !tcpclose_fsm_done(&flow->fsm))
		tcpclose_synflood_done(tn, flow);
}

/* Count and notify the anomalies in @out. */
static void tcpclose_anomalies(struct net *net, struct tcpclose_net *tn,
			       struct tcpclose_flow *flow,
			       const struct tcpclose_fsm_out *out)
{
	unsigned int bit, ev = out->events & TCPCLOSE_ANOMALY_MASK;

	while (ev) {
		bit = __ffs(ev);
		tcpclose_count_add(tn->stats, tcpclose_anomaly_counter(bit),
				   1u << bit == TCPCLOSE_EV_RST_FORGED_SUSPECT ?
				   out->forged : 1);
		trace_anomaly(net, flow, 1u << bit);
		tcpclose_nl_anomaly(net, tn, flow, 1u << bit);
		ev &= ev - 1;
	}
}

/* Count and trace what one input to the state machine did. */
static void tcpclose_apply(struct net *net, struct tcpclose_net *tn,
			   struct tcpclose_flow *flow,
			   const struct tcpclose_fsm_out *out)
{
	unsigned int side;

	BUILD_BUG_ON(TCPCLOSE_CNT_VERDICT_EVICTED -
		     TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL !=
		     TCPCLOSE_V_EVICTED - TCPCLOSE_V_CLOSE_NORMAL);

	for (side = 0; side < 2; side++)
		if (out->old_state[side] != flow->fsm.state[side])
			tcpclose_side_moved(net, tn, flow, side,
					    out->old_state[side]);
	tcpclose_half_open(tn, flow, out);
	tcpclose_anomalies(net, tn, flow, out);
	if (out->events & TCPCLOSE_EV_SYNACK_RETRANS)
		tcpclose_count(tn->stats, TCPCLOSE_CNT_SYNACK_RETRANS);
	if (out->events & TCPCLOSE_EV_ENDED) {
		tcpclose_count(tn->stats, TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL +
			       flow->fsm.verdict - TCPCLOSE_V_CLOSE_NORMAL);
		trace_verdict(net, flow);
		tcpclose_nl_flow_ended(net, flow);
	}
}

/*
 * Both sides closed: the flow must have its verdict (one is given if
 * not).  The GC frees it once it has lingered (gc.c).
 */
static void tcpclose_reap(struct net *net, struct tcpclose_net *tn,
			  struct tcpclose_flow *flow)
{
	if (tcpclose_fsm_done(&flow->fsm))
		tcpclose_mirror_evict(net, tn, flow);
}

void tcpclose_mirror_evict(struct net *net, struct tcpclose_net *tn,
			   struct tcpclose_flow *flow)
{
	struct tcpclose_fsm_out out;

	lockdep_assert_held(&flow->lock);
	if (flow->flags & TCPCLOSE_FL_DEAD)
		return;
	tcpclose_fsm_evict(&flow->fsm, &out);
	tcpclose_apply(net, tn, flow, &out);
}

/* Leaving the table: take its endpoints out of the gauges. */
void tcpclose_mirror_forget(struct net *net, struct tcpclose_net *tn,
			    struct tcpclose_flow *flow)
{
	unsigned int side;

	for (side = 0; side < 2; side++) {
		tcpclose_gauge(tn, flow->fsm.state[side], false);
		tcpclose_unstick(tn, flow, side);
	}
	if (tcpclose_embryonic(flow->fsm.state[0], flow->fsm.state[1]))
		tcpclose_count_sub(tn->stats, TCPCLOSE_CNT_FLOWS_HALF_OPEN);
}

void tcpclose_mirror_expire(struct net *net, struct tcpclose_net *tn,
			    struct tcpclose_flow *flow, unsigned int side)
{
	struct tcpclose_fsm_out out;

	lockdep_assert_held(&flow->lock);
	tcpclose_fsm_expire(&flow->fsm, side, &out);
	tcpclose_apply(net, tn, flow, &out);
	tcpclose_reap(net, tn, flow);
}

/*
 * An input that moved no side and raised no event: nothing to count, and
 * the flow cannot have just ended.  Most segments of a connection.
 */
static bool tcpclose_quiet(const struct tcpclose_flow *flow,
			   const struct tcpclose_fsm_out *out)
{
	return !out->events && out->old_state[0] == flow->fsm.state[0] &&
	       out->old_state[1] == flow->fsm.state[1];
}

/*
 * One more segment of a tracked flow.  Returns its events: with
 * TCPCLOSE_EV_NEW_FLOW, the caller starts a new flow with the segment.
 */
static unsigned int tcpclose_mirror_segment(struct net *net,
					    struct tcpclose_net *tn,
					    struct tcpclose_flow *flow,
					    struct tcpclose_seg *seg,
					    unsigned int local)
{
	struct tcpclose_fsm_out out = {};

	spin_lock_bh(&flow->lock);
	if (flow->flags & TCPCLOSE_FL_DEAD) {
		/* Unlinked since the lookup: track the segment afresh. */
		out.events = TCPCLOSE_EV_NEW_FLOW;
		goto out;
	}
	flow->last_seen[seg->dir] = (u32)jiffies;
	if (local & TCPCLOSE_LOCAL_SENDER)
		flow->local |= 1u << seg->dir;
	if (local & TCPCLOSE_LOCAL_RECEIVER)
		flow->local |= 1u << !seg->dir;
	tcpclose_fsm_segment(&flow->fsm, seg, &out);
	if (tcpclose_quiet(flow, &out))
		goto out;
	tcpclose_apply(net, tn, flow, &out);
	if (out.events & TCPCLOSE_EV_NEW_FLOW)
		tcpclose_flow_unlink(net, tn, flow);
	else
		tcpclose_reap(net, tn, flow);
out:
	spin_unlock_bh(&flow->lock);
	return out.events;
}

/* A segment with no flow: start one, unless it is an RST. */
static void tcpclose_mirror_new(struct net *net, struct tcpclose_net *tn,
				const struct tcpclose_key *key,
				struct tcpclose_seg *seg, unsigned int vantage,
				unsigned int local)
{
	struct tcpclose_fsm_out out = {};
	struct tcpclose_flow *flow, *old;
	bool syn;

	if (seg->flags & TCPCLOSE_TH_RST)
		return;
	/*
	 * A SYN to a listener, not from a local socket: SYN flood watch.
	 * Only such a flow's handshake is told to it again when it completes.
	 */
	syn = (seg->flags & (TCPCLOSE_TH_SYN | TCPCLOSE_TH_ACK)) ==
	      TCPCLOSE_TH_SYN && !(local & TCPCLOSE_LOCAL_SENDER);
	if (syn)
		tcpclose_synflood_syn(net, tn, key, vantage);
	flow = tcpclose_flow_create(net, tn, key);
	if (!flow) {
		tcpclose_count(tn->stats, TCPCLOSE_CNT_FLOWS_UNTRACKED);
		return;
	}
	if (syn)
		flow->flags |= TCPCLOSE_FL_SYN_COUNTED;
	flow->vantage = vantage;
	flow->local = (local & TCPCLOSE_LOCAL_SENDER ? 1 : 0) |
		      (local & TCPCLOSE_LOCAL_RECEIVER ? 2 : 0);
	seg->dir = TCPCLOSE_SIDE_A;
	tcpclose_fsm_init(&flow->fsm, seg, &out);
	old = tcpclose_flow_insert(tn, key, flow);
	if (old) {		/* another CPU was first: use its flow */
		if (!IS_ERR(old)) {
			seg->dir = tcpclose_flow_side(old, key);
			tcpclose_mirror_segment(net, tn, old, seg, local);
		}
		return;
	}
	tcpclose_count(tn->stats, TCPCLOSE_CNT_FLOWS_CREATED);
	if (out.events & TCPCLOSE_EV_PICKED_UP)
		tcpclose_count(tn->stats, TCPCLOSE_CNT_FLOWS_PICKED_UP);
	spin_lock_bh(&flow->lock);
	tcpclose_apply(net, tn, flow, &out);
	tcpclose_reap(net, tn, flow);
	spin_unlock_bh(&flow->lock);
}

/*
 * The hooks' entry point, under rcu_read_lock.  A SYN that starts a new
 * connection on the tuple of an ended flow ends that flow and starts a new
 * one with the same segment.
 */
void tcpclose_mirror_input(struct net *net, struct tcpclose_net *tn,
			   const struct tcpclose_key *key,
			   const struct tcpclose_seg *seg,
			   unsigned int vantage, unsigned int local)
{
	struct tcpclose_seg s = *seg;
	struct tcpclose_flow *flow;

	flow = tcpclose_flow_lookup(tn, key);
	if (flow) {
		s.dir = tcpclose_flow_side(flow, key);
		if (!(tcpclose_mirror_segment(net, tn, flow, &s, local) &
		      TCPCLOSE_EV_NEW_FLOW))
			return;
	}
	tcpclose_mirror_new(net, tn, key, &s, vantage, local);
}
