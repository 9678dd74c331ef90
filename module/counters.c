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

void tcpclose_stats_fold(const struct tcpclose_stats __percpu *stats,
			 u64 out[TCPCLOSE_CNT_MAX])
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * TCPCLOSE_CNT_MAX);
	for_each_possible_cpu(cpu) {
		const struct tcpclose_stats *s = per_cpu_ptr(stats, cpu);

		for (i = 0; i < TCPCLOSE_CNT_MAX; i++)
			out[i] += READ_ONCE(s->cnt[i]);
	}
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
