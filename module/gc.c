// SPDX-License-Identifier: GPL-2.0
/*
 * Timeouts.  Each netns has a delayed work that sweeps its flow table in
 * slices of at most TCPCLOSE_GC_SLICE flows, one slice every
 * TCPCLOSE_GC_STEP, and starts a new sweep TCPCLOSE_GC_PERIOD after one
 * ends.  So its cost per run is bounded whatever the table's size, and a
 * small table is still swept every half second.  The sweep expires the
 * sides whose timer ran out, marks the endpoints stuck in CLOSE_WAIT,
 * aborts local FIN_WAIT_2 sockets under fin_timeout_action=reset, and ends
 * the SYN floods that are over.  Documentation/flows.rst gives the cost.
 *
 * A timer runs on the silence of the peer: a side's clock starts when it
 * entered its state or when its peer last sent a segment, whichever is
 * later.  The CLOSE_WAIT alarm runs on the time in the state alone.  A
 * flow whose sides are both closed stays TCPCLOSE_LINGER seconds, so that
 * segments still in flight (the ACK sent just before an RST) find it
 * instead of starting a new, picked-up flow; then the sweep frees it.
 */
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "enforce.h"
#include "flows.h"
#include "gc.h"
#include "mirror.h"
#include "netns.h"
#include "params.h"
#include "synflood.h"

#define TCPCLOSE_GC_PERIOD	(HZ / 2)	/* from a sweep to the next */
#define TCPCLOSE_GC_STEP	(HZ / 10)	/* from a slice to the next */
#define TCPCLOSE_GC_SLICE	16384	/* flows per slice */
#define TCPCLOSE_GC_BATCH	256	/* flows between reschedules */
#define TCPCLOSE_LINGER		1	/* s a closed flow absorbs stragglers */

static struct tcpclose_param *const tcpclose_timer_param[] = {
	[TCPCLOSE_T_SYN]	= &tcpclose_syn_timeout,
	[TCPCLOSE_T_FIN_WAIT1]	= &tcpclose_fin_wait1_timeout,
	[TCPCLOSE_T_FIN_WAIT2]	= &tcpclose_fin_timeout,
	[TCPCLOSE_T_CLOSING]	= &tcpclose_fin_wait1_timeout,
	[TCPCLOSE_T_TIME_WAIT]	= &tcpclose_time_wait,
	[TCPCLOSE_T_LAST_ACK]	= &tcpclose_last_ack_timeout,
};

/*
 * Signed: @since may be a little after @now, stamped by a hook on another
 * CPU while this walk runs with the @now it took when it started.
 */
static bool tcpclose_elapsed(u32 now, u32 since, unsigned int secs)
{
	return (s32)(now - since) >= (s32)(secs * HZ);
}

/* Has @side's timer run out?  Returns the timer, or TCPCLOSE_T_NONE. */
static enum tcpclose_timer tcpclose_gc_due(const struct tcpclose_flow *flow,
					   unsigned int side, u32 now)
{
	enum tcpclose_timer t = tcpclose_fsm_timer(&flow->fsm, side);
	u32 since = flow->state_since[side];

	if (t == TCPCLOSE_T_NONE)
		return t;
	if (time_after32(flow->last_seen[!side], since))
		since = flow->last_seen[!side];
	if (!tcpclose_elapsed(now, since,
			      tcpclose_param_get(tcpclose_timer_param[t])))
		return TCPCLOSE_T_NONE;
	return t;
}

/* Whether a local FIN_WAIT_2 timeout asks for its socket to be aborted. */
static bool tcpclose_gc_wants_abort(const struct tcpclose_flow *flow,
				    unsigned int side, enum tcpclose_timer t)
{
	return t == TCPCLOSE_T_FIN_WAIT2 &&
	       flow->vantage == TCPCLOSE_VANTAGE_HOST &&
	       (flow->local & (1u << side)) &&
	       tcpclose_fin_timeout_action() == TCPCLOSE_ACTION_RESET;
}

/* Under RCU.  Fills @abort when a local socket is to be aborted. */
static void tcpclose_gc_flow(struct tcpclose_net *tn,
			     struct tcpclose_flow *flow, u32 now,
			     struct tcpclose_abort *abort)
{
	unsigned int side, alarm;
	enum tcpclose_timer t;

	alarm = tcpclose_param_get(&tcpclose_close_wait_alarm);
	spin_lock_bh(&flow->lock);
	for (side = 0; side < 2 && !(flow->flags & TCPCLOSE_FL_DEAD); side++) {
		if (flow->fsm.state[side] == TCPCLOSE_CLOSE_WAIT &&
		    tcpclose_elapsed(now, flow->state_since[side], alarm))
			tcpclose_mirror_mark_stuck(tn, flow, side);
		t = tcpclose_gc_due(flow, side, now);
		if (t == TCPCLOSE_T_NONE)
			continue;
		if (tcpclose_gc_wants_abort(flow, side, t))
			tcpclose_abort_prepare(abort, flow, side);
		tcpclose_mirror_expire(tn->net, tn, flow, side);
	}
	if (!(flow->flags & TCPCLOSE_FL_DEAD) && tcpclose_fsm_done(&flow->fsm) &&
	    tcpclose_elapsed(now, flow->state_since[0], TCPCLOSE_LINGER) &&
	    tcpclose_elapsed(now, flow->state_since[1], TCPCLOSE_LINGER))
		tcpclose_flow_unlink(tn->net, tn, flow);
	spin_unlock_bh(&flow->lock);
}

/*
 * One slice of the sweep, from where the last one stopped.  Returns true
 * when the sweep reached the end of the table.
 */
static bool tcpclose_gc_slice(struct tcpclose_net *tn)
{
	struct rhashtable_iter *iter = &tn->gc_iter;
	struct tcpclose_abort abort = {};
	struct tcpclose_flow *flow;
	u32 now = (u32)jiffies;
	unsigned int n = 0;

	rhashtable_walk_start(iter);
	while ((flow = rhashtable_walk_next(iter))) {
		if (IS_ERR(flow))	/* -EAGAIN: a resize; go on */
			continue;
		tcpclose_gc_flow(tn, flow, now, &abort);
		if (!abort.family && ++n % TCPCLOSE_GC_BATCH)
			continue;
		/* Out of RCU: aborting a socket sleeps, and so may we. */
		rhashtable_walk_stop(iter);
		if (abort.family)
			tcpclose_abort_run(tn, &abort);
		abort.family = 0;
		if (n >= TCPCLOSE_GC_SLICE)
			return false;
		cond_resched();
		rhashtable_walk_start(iter);
	}
	rhashtable_walk_stop(iter);
	return true;
}

/* The work: one slice, then the next slice or, after a sweep, the next. */
static void tcpclose_gc_work(struct work_struct *work)
{
	struct tcpclose_net *tn = container_of(to_delayed_work(work),
					       struct tcpclose_net, gc);
	bool swept;

	if (!tn->gc_sweeping) {
		rhashtable_walk_enter(&tn->flows, &tn->gc_iter);
		tn->gc_sweeping = true;
	}
	swept = tcpclose_gc_slice(tn);
	if (swept) {
		rhashtable_walk_exit(&tn->gc_iter);
		tn->gc_sweeping = false;
	}
	tcpclose_synflood_tick(tn->net, tn);
	queue_delayed_work(system_power_efficient_wq, &tn->gc,
			   swept ? TCPCLOSE_GC_PERIOD : TCPCLOSE_GC_STEP);
}

void tcpclose_gc_start(struct tcpclose_net *tn)
{
	tn->gc_sweeping = false;
	INIT_DEFERRABLE_WORK(&tn->gc, tcpclose_gc_work);
	queue_delayed_work(system_power_efficient_wq, &tn->gc,
			   TCPCLOSE_GC_PERIOD);
}

/* Before the table is destroyed: a sweep left midway leaves its walker. */
void tcpclose_gc_stop(struct tcpclose_net *tn)
{
	cancel_delayed_work_sync(&tn->gc);
	if (tn->gc_sweeping)
		rhashtable_walk_exit(&tn->gc_iter);
	tn->gc_sweeping = false;
}
