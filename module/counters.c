// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters.  Writers only ever touch their own CPU's copy
 * (this_cpu_inc), so there is no lock; readers fold all CPUs.  A fold is
 * not a snapshot: counters read in one fold may be a few events apart.
 */
#include <linux/errno.h>
#include <linux/string.h>

#include "counters.h"

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
};

struct tcpclose_stats __percpu *tcpclose_host_stats;

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
			       u64 out[TCPCLOSE_CNT_MAX], int from, int to)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct tcpclose_stats *s = per_cpu_ptr(stats, cpu);

		for (i = from; i < to; i++)
			out[i] += READ_ONCE(s->cnt[i]);
	}
}

/*
 * flows_ended is the sum of the verdicts and flows_active is created -
 * ended, both derived here, so that the invariants hold in every read.
 * The verdicts are read before flows_created: a flow's verdict is counted
 * after its creation, so no read can see more ended than created flows.
 */
void tcpclose_stats_fold(const struct tcpclose_stats __percpu *stats,
			 u64 out[TCPCLOSE_CNT_MAX])
{
	int v;

	memset(out, 0, sizeof(u64) * TCPCLOSE_CNT_MAX);
	tcpclose_stats_sum(stats, out, TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL,
			   TCPCLOSE_CNT_VERDICT_EVICTED + 1);
	smp_rmb();	/* the verdicts before flows_created: see above */
	tcpclose_stats_sum(stats, out, 0, TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL);
	tcpclose_stats_sum(stats, out, TCPCLOSE_CNT_VERDICT_EVICTED + 1,
			   TCPCLOSE_CNT_MAX);
	out[TCPCLOSE_CNT_FLOWS_ENDED] = 0;
	for (v = TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL;
	     v <= TCPCLOSE_CNT_VERDICT_EVICTED; v++)
		out[TCPCLOSE_CNT_FLOWS_ENDED] += out[v];
	out[TCPCLOSE_CNT_FLOWS_ACTIVE] = out[TCPCLOSE_CNT_FLOWS_CREATED] -
					 out[TCPCLOSE_CNT_FLOWS_ENDED];
	/* A gauge read while it moves may sum below zero for an instant. */
	for (v = TCPCLOSE_CNT_STATE_SYN_SENT; v <= TCPCLOSE_CNT_CLOSE_WAIT_STUCK;
	     v++)
		if ((s64)out[v] < 0)
			out[v] = 0;
}

int tcpclose_counters_init(void)
{
	tcpclose_host_stats = tcpclose_stats_alloc();
	return tcpclose_host_stats ? 0 : -ENOMEM;
}

void tcpclose_counters_exit(void)
{
	tcpclose_stats_free(tcpclose_host_stats);
}
