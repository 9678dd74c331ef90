// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters.  Writers only ever touch their own CPU's copy
 * (this_cpu_inc), so there is no lock; readers fold all CPUs.  A fold is
 * not a snapshot: counters read in one fold may be a few events apart.
 */
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "counters.h"
#include "fsm.h"

const char *const tcpclose_counter_names[TCPCLOSE_CNT_MAX] = {
	[TCPCLOSE_CNT_SEG_TOTAL]	= "seg_total",
	[TCPCLOSE_CNT_SEG_IN]		= "seg_in",
	[TCPCLOSE_CNT_SEG_OUT]		= "seg_out",
	[TCPCLOSE_CNT_SEG_FORWARD]	= "seg_forward",
	[TCPCLOSE_CNT_SEG_SYN]		= "seg_syn",
	[TCPCLOSE_CNT_SEG_SYNACK]	= "seg_synack",
	[TCPCLOSE_CNT_SEG_FIN]		= "seg_fin",
	[TCPCLOSE_CNT_SEG_RST]		= "seg_rst",
	[TCPCLOSE_CNT_SEG_PURE_ACK]	= "seg_pure_ack",
	[TCPCLOSE_CNT_SEG_DATA]		= "seg_data",
	[TCPCLOSE_CNT_BAD_HEADER]	= "bad_header",
	[TCPCLOSE_CNT_FRAGMENT]		= "fragment",
	[TCPCLOSE_CNT_FLOWS_ACTIVE]	= "flows_active",
	[TCPCLOSE_CNT_STATE_SYN_SENT]	= "state_syn_sent",
	[TCPCLOSE_CNT_STATE_SYN_RECV]	= "state_syn_recv",
	[TCPCLOSE_CNT_STATE_ESTABLISHED] = "state_established",
	[TCPCLOSE_CNT_STATE_FIN_WAIT1]	= "state_fin_wait1",
	[TCPCLOSE_CNT_STATE_FIN_WAIT2]	= "state_fin_wait2",
	[TCPCLOSE_CNT_STATE_CLOSING]	= "state_closing",
	[TCPCLOSE_CNT_STATE_TIME_WAIT]	= "state_time_wait",
	[TCPCLOSE_CNT_STATE_CLOSE_WAIT]	= "state_close_wait",
	[TCPCLOSE_CNT_STATE_LAST_ACK]	= "state_last_ack",
	[TCPCLOSE_CNT_CLOSE_WAIT_STUCK]	= "close_wait_stuck",
	[TCPCLOSE_CNT_FLOWS_CREATED]	= "flows_created",
	[TCPCLOSE_CNT_FLOWS_ENDED]	= "flows_ended",
	[TCPCLOSE_CNT_FLOWS_PICKED_UP]	= "flows_picked_up",
	[TCPCLOSE_CNT_FLOWS_UNTRACKED]	= "flows_untracked",
	[TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL] = "verdict_close_normal",
	[TCPCLOSE_CNT_VERDICT_CLOSE_SIMULTANEOUS] = "verdict_close_simultaneous",
	[TCPCLOSE_CNT_VERDICT_RESET_ESTABLISHED] = "verdict_reset_established",
	[TCPCLOSE_CNT_VERDICT_RESET_CLOSING] = "verdict_reset_closing",
	[TCPCLOSE_CNT_VERDICT_REFUSED]	= "verdict_refused",
	[TCPCLOSE_CNT_VERDICT_SYN_TIMEOUT] = "verdict_syn_timeout",
	[TCPCLOSE_CNT_VERDICT_TIMEOUT_FIN_WAIT1] = "verdict_timeout_fin_wait1",
	[TCPCLOSE_CNT_VERDICT_TIMEOUT_FIN_WAIT2] = "verdict_timeout_fin_wait2",
	[TCPCLOSE_CNT_VERDICT_TIMEOUT_LAST_ACK] = "verdict_timeout_last_ack",
	[TCPCLOSE_CNT_VERDICT_EVICTED]	= "verdict_evicted",
	[TCPCLOSE_CNT_FIN_RETRANS_ACTIVE] = "fin_retrans_active",
	[TCPCLOSE_CNT_FIN_RETRANS_PASSIVE] = "fin_retrans_passive",
	[TCPCLOSE_CNT_FIN_AFTER_ACK]	= "fin_after_ack",
	[TCPCLOSE_CNT_TIME_WAIT_REACK]	= "time_wait_reack",
	[TCPCLOSE_CNT_SYN_ON_CLOSING_TUPLE] = "syn_on_closing_tuple",
	[TCPCLOSE_CNT_RST_EXACT]	= "rst_exact",
	[TCPCLOSE_CNT_RST_IN_WINDOW]	= "rst_in_window",
	[TCPCLOSE_CNT_RST_OUT_OF_WINDOW] = "rst_out_of_window",
	[TCPCLOSE_CNT_DATA_AFTER_FIN]	= "data_after_fin",
	[TCPCLOSE_CNT_HALF_OPEN]	= "half_open",
	[TCPCLOSE_CNT_FIN_TIMEOUT_RESETS] = "fin_timeout_resets",
	[TCPCLOSE_CNT_EVENTS_RATELIMITED] = "events_ratelimited",
	[TCPCLOSE_CNT_OLD_DUP_SYN]	= "old_dup_syn",
	[TCPCLOSE_CNT_RST_IN_TIME_WAIT]	= "rst_in_time_wait",
	[TCPCLOSE_CNT_ICMP_PTB]		= "icmp_ptb",
	[TCPCLOSE_CNT_ICMP_PTB_SUSPECT]	= "icmp_ptb_suspect",
	[TCPCLOSE_CNT_ICMP_PTB_UNTRACKED] = "icmp_ptb_untracked",
	[TCPCLOSE_CNT_DATA_OUT_OF_WINDOW] = "data_out_of_window",
	[TCPCLOSE_CNT_ACK_UNSENT]	= "ack_unsent",
	[TCPCLOSE_CNT_CHALLENGE_ACK]	= "challenge_ack",
	[TCPCLOSE_CNT_RST_AFTER_CHALLENGE] = "rst_after_challenge",
	[TCPCLOSE_CNT_RST_FORGED_SUSPECT] = "rst_forged_suspect",
	[TCPCLOSE_CNT_HIJACK_SUSPECT]	= "hijack_suspect",
	[TCPCLOSE_CNT_SYNACK_RETRANS]	= "synack_retrans",
	[TCPCLOSE_CNT_FLOWS_HALF_OPEN]	= "flows_half_open",
	[TCPCLOSE_CNT_SYN_FLOOD_DETECTED] = "syn_flood_detected",
	[TCPCLOSE_CNT_EVICTED_ENDED]	= "evicted_ended",
	[TCPCLOSE_CNT_EVICTED_EMBRYONIC] = "evicted_embryonic",
	[TCPCLOSE_CNT_EVICTED_ESTABLISHED] = "evicted_established",
};

struct tcpclose_stats __percpu *tcpclose_host_stats;
struct tcpclose_reset tcpclose_host_reset;

int tcpclose_dwell_index(unsigned int state)
{
	switch (state) {
	case TCPCLOSE_FIN_WAIT1:
		return TCPCLOSE_DWELL_FIN_WAIT1;
	case TCPCLOSE_FIN_WAIT2:
		return TCPCLOSE_DWELL_FIN_WAIT2;
	case TCPCLOSE_TIME_WAIT:
		return TCPCLOSE_DWELL_TIME_WAIT;
	case TCPCLOSE_CLOSE_WAIT:
		return TCPCLOSE_DWELL_CLOSE_WAIT;
	case TCPCLOSE_LAST_ACK:
		return TCPCLOSE_DWELL_LAST_ACK;
	}
	return -1;
}

/* An endpoint left the state of histogram @dwell after @ms. */
void tcpclose_dwell(struct tcpclose_stats __percpu *stats, int dwell, u32 ms)
{
	unsigned int b = min_t(unsigned int, fls(ms), TCPCLOSE_HIST_BUCKETS - 1);

	this_cpu_inc(stats->dwell[dwell][b]);
	this_cpu_add(stats->dwell_sum_ms[dwell], ms);
	this_cpu_inc(tcpclose_host_stats->dwell[dwell][b]);
	this_cpu_add(tcpclose_host_stats->dwell_sum_ms[dwell], ms);
}

struct tcpclose_stats __percpu *tcpclose_stats_alloc(void)
{
	return alloc_percpu(struct tcpclose_stats);
}

void tcpclose_stats_free(struct tcpclose_stats __percpu *stats)
{
	free_percpu(stats);
}

/* Gauges are per-CPU deltas: one CPU may add what another subtracts. */
void tcpclose_count_sub(struct tcpclose_stats __percpu *stats,
			enum tcpclose_counter idx)
{
	this_cpu_dec(stats->cnt[idx]);
	this_cpu_dec(tcpclose_host_stats->cnt[idx]);
}

static void tcpclose_stats_sum(const struct tcpclose_stats __percpu *stats,
			       u64 *out, size_t from, size_t to)
{
	const u64 *v;
	size_t i;
	int cpu;

	for_each_possible_cpu(cpu) {
		v = (const u64 *)per_cpu_ptr(stats, cpu);
		for (i = from; i < to; i++)
			out[i] += READ_ONCE(v[i]);
	}
}

static bool tcpclose_is_gauge(int i)
{
	return i == TCPCLOSE_CNT_FLOWS_ACTIVE ||
	       i == TCPCLOSE_CNT_FLOWS_HALF_OPEN ||
	       (i >= TCPCLOSE_CNT_STATE_SYN_SENT &&
		i <= TCPCLOSE_CNT_CLOSE_WAIT_STUCK);
}

#define TCPCLOSE_NVALUES (sizeof(struct tcpclose_stats) / sizeof(u64))

/*
 * Sum every CPU's counters.  flows_active is created - ended, derived here
 * so that it holds in every read.  The verdicts are read before
 * flows_created: a flow's verdict is counted after its creation, so no
 * read can see more ended than created flows.
 */
static void tcpclose_stats_fold(const struct tcpclose_stats __percpu *stats,
				struct tcpclose_stats *out)
{
	u64 *o = (u64 *)out;
	int v;

	BUILD_BUG_ON(sizeof(struct tcpclose_stats) % sizeof(u64));
	memset(out, 0, sizeof(*out));
	tcpclose_stats_sum(stats, o, TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL,
			   TCPCLOSE_CNT_VERDICT_EVICTED + 1);
	smp_rmb();	/* the verdicts before flows_created: see above */
	tcpclose_stats_sum(stats, o, 0, TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL);
	tcpclose_stats_sum(stats, o, TCPCLOSE_CNT_VERDICT_EVICTED + 1,
			   TCPCLOSE_NVALUES);
	out->cnt[TCPCLOSE_CNT_FLOWS_ACTIVE] = out->cnt[TCPCLOSE_CNT_FLOWS_CREATED];
	for (v = TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL;
	     v <= TCPCLOSE_CNT_VERDICT_EVICTED; v++)
		out->cnt[TCPCLOSE_CNT_FLOWS_ACTIVE] -= out->cnt[v];
	/* A gauge read while it moves may sum below zero for an instant. */
	for (v = 0; v < TCPCLOSE_CNT_MAX; v++)
		if (tcpclose_is_gauge(v) && (s64)out->cnt[v] < 0)
			out->cnt[v] = 0;
}

void tcpclose_reset_init(struct tcpclose_reset *r)
{
	spin_lock_init(&r->lock);
	memset(&r->base, 0, sizeof(r->base));
	r->since = jiffies;
}

/*
 * The counters as a reader sees them: lifetime counters and histograms
 * less the reset's base, gauges as they are, flows_ended the sum of the
 * verdicts.
 */
void tcpclose_stats_read(const struct tcpclose_stats __percpu *stats,
			 struct tcpclose_reset *r, struct tcpclose_stats *out)
{
	u64 *o = (u64 *)out;
	const u64 *b = (const u64 *)&r->base;
	size_t i;

	tcpclose_stats_fold(stats, out);
	spin_lock_bh(&r->lock);
	for (i = 0; i < TCPCLOSE_NVALUES; i++)
		if (i >= TCPCLOSE_CNT_MAX || !tcpclose_is_gauge(i))
			o[i] -= b[i];
	spin_unlock_bh(&r->lock);
	out->cnt[TCPCLOSE_CNT_FLOWS_ENDED] = 0;
	for (i = TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL;
	     i <= TCPCLOSE_CNT_VERDICT_EVICTED; i++)
		out->cnt[TCPCLOSE_CNT_FLOWS_ENDED] += out->cnt[i];
}

/* Zero the lifetime counters and the histograms: the gauges go on. */
int tcpclose_stats_reset(const struct tcpclose_stats __percpu *stats,
			 struct tcpclose_reset *r)
{
	struct tcpclose_stats *now = kmalloc(sizeof(*now), GFP_KERNEL);

	if (!now)
		return -ENOMEM;
	tcpclose_stats_fold(stats, now);
	spin_lock_bh(&r->lock);
	r->base = *now;
	r->since = jiffies;
	spin_unlock_bh(&r->lock);
	kfree(now);
	return 0;
}

int tcpclose_counters_init(void)
{
	tcpclose_reset_init(&tcpclose_host_reset);
	tcpclose_host_stats = tcpclose_stats_alloc();
	return tcpclose_host_stats ? 0 : -ENOMEM;
}

void tcpclose_counters_exit(void)
{
	tcpclose_stats_free(tcpclose_host_stats);
}
