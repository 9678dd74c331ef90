/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_COUNTERS_H
#define TCPCLOSE_COUNTERS_H

#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "uapi/linux/tcpclose.h"

/*
 * Every counter, in /proc output order.  Their names (tcpclose_counter_names)
 * are ABI: never rename one, only append.  Documentation/counters.rst
 * describes each of them.
 */
enum tcpclose_counter {
	TCPCLOSE_CNT_SEG_TOTAL,
	TCPCLOSE_CNT_SEG_IN,
	TCPCLOSE_CNT_SEG_OUT,
	TCPCLOSE_CNT_SEG_FORWARD,
	TCPCLOSE_CNT_SEG_SYN,		/* SEG_SYN..SEG_DATA: segment.h order */
	TCPCLOSE_CNT_SEG_SYNACK,
	TCPCLOSE_CNT_SEG_FIN,
	TCPCLOSE_CNT_SEG_RST,
	TCPCLOSE_CNT_SEG_PURE_ACK,
	TCPCLOSE_CNT_SEG_DATA,
	TCPCLOSE_CNT_BAD_HEADER,
	TCPCLOSE_CNT_FRAGMENT,
	/* gauges */
	TCPCLOSE_CNT_FLOWS_ACTIVE,	/* derived: created - ended */
	TCPCLOSE_CNT_STATE_SYN_SENT,
	TCPCLOSE_CNT_STATE_SYN_RECV,
	TCPCLOSE_CNT_STATE_ESTABLISHED,
	TCPCLOSE_CNT_STATE_FIN_WAIT1,
	TCPCLOSE_CNT_STATE_FIN_WAIT2,
	TCPCLOSE_CNT_STATE_CLOSING,
	TCPCLOSE_CNT_STATE_TIME_WAIT,
	TCPCLOSE_CNT_STATE_CLOSE_WAIT,
	TCPCLOSE_CNT_STATE_LAST_ACK,
	TCPCLOSE_CNT_CLOSE_WAIT_STUCK,
	/* flow lifetime */
	TCPCLOSE_CNT_FLOWS_CREATED,
	TCPCLOSE_CNT_FLOWS_ENDED,	/* derived: the sum of the verdicts */
	TCPCLOSE_CNT_FLOWS_PICKED_UP,
	TCPCLOSE_CNT_FLOWS_UNTRACKED,
	/* verdicts, in enum tcpclose_fsm_verdict order */
	TCPCLOSE_CNT_VERDICT_CLOSE_NORMAL,
	TCPCLOSE_CNT_VERDICT_CLOSE_SIMULTANEOUS,
	TCPCLOSE_CNT_VERDICT_RESET_ESTABLISHED,
	TCPCLOSE_CNT_VERDICT_RESET_CLOSING,
	TCPCLOSE_CNT_VERDICT_REFUSED,
	TCPCLOSE_CNT_VERDICT_SYN_TIMEOUT,
	TCPCLOSE_CNT_VERDICT_TIMEOUT_FIN_WAIT1,
	TCPCLOSE_CNT_VERDICT_TIMEOUT_FIN_WAIT2,
	TCPCLOSE_CNT_VERDICT_TIMEOUT_LAST_ACK,
	TCPCLOSE_CNT_VERDICT_EVICTED,
	/* anomalies, in enum tcpclose_event bit order (the first ten) */
	TCPCLOSE_CNT_FIN_RETRANS_ACTIVE,
	TCPCLOSE_CNT_FIN_RETRANS_PASSIVE,
	TCPCLOSE_CNT_FIN_AFTER_ACK,
	TCPCLOSE_CNT_TIME_WAIT_REACK,
	TCPCLOSE_CNT_SYN_ON_CLOSING_TUPLE,
	TCPCLOSE_CNT_RST_EXACT,
	TCPCLOSE_CNT_RST_IN_WINDOW,
	TCPCLOSE_CNT_RST_OUT_OF_WINDOW,
	TCPCLOSE_CNT_DATA_AFTER_FIN,
	TCPCLOSE_CNT_HALF_OPEN,
	TCPCLOSE_CNT_FIN_TIMEOUT_RESETS,
	TCPCLOSE_CNT_EVENTS_RATELIMITED,
	/*
	 * Anomalies added later, in enum tcpclose_event bit order from
	 * TCPCLOSE_EV_OLD_DUP_SYN: appended, as names and netlink attribute
	 * numbers are ABI (mirror.c maps each event bit to its counter).
	 */
	TCPCLOSE_CNT_OLD_DUP_SYN,
	TCPCLOSE_CNT_RST_IN_TIME_WAIT,
	/* ICMP packet-too-big errors quoting a TCP segment (icmp.c) */
	TCPCLOSE_CNT_ICMP_PTB,
	TCPCLOSE_CNT_ICMP_PTB_SUSPECT,
	TCPCLOSE_CNT_ICMP_PTB_UNTRACKED,
	/* attacks (Documentation/attacks.rst); anomalies in bit order */
	TCPCLOSE_CNT_DATA_OUT_OF_WINDOW,
	TCPCLOSE_CNT_ACK_UNSENT,
	TCPCLOSE_CNT_CHALLENGE_ACK,
	TCPCLOSE_CNT_RST_AFTER_CHALLENGE,
	TCPCLOSE_CNT_RST_FORGED_SUSPECT,
	TCPCLOSE_CNT_HIJACK_SUSPECT,
	TCPCLOSE_CNT_SYNACK_RETRANS,
	TCPCLOSE_CNT_FLOWS_HALF_OPEN,	/* gauge */
	TCPCLOSE_CNT_SYN_FLOOD_DETECTED,
	TCPCLOSE_CNT_EVICTED_ENDED,	/* by eviction class (flows.c) */
	TCPCLOSE_CNT_EVICTED_EMBRYONIC,
	TCPCLOSE_CNT_EVICTED_ESTABLISHED,
	TCPCLOSE_CNT_MAX
};

/* The states with a dwell-time histogram. */
enum tcpclose_dwell {
	TCPCLOSE_DWELL_FIN_WAIT1,
	TCPCLOSE_DWELL_FIN_WAIT2,
	TCPCLOSE_DWELL_TIME_WAIT,
	TCPCLOSE_DWELL_CLOSE_WAIT,
	TCPCLOSE_DWELL_LAST_ACK,
	TCPCLOSE_NDWELL
};

/*
 * One CPU's share of a set of counters, or a folded set
 * (tcpclose_stats_read()).  dwell[d][b] counts endpoints that left state d
 * after a time in bucket b: b = 0 under 1 ms, else [2^(b-1), 2^b) ms.
 */
struct tcpclose_stats {
	u64 cnt[TCPCLOSE_CNT_MAX];
	u64 dwell[TCPCLOSE_NDWELL][TCPCLOSE_HIST_BUCKETS];
	u64 dwell_sum_ms[TCPCLOSE_NDWELL];
};

/*
 * What stats-reset took away from a set of per-CPU counters: the folded
 * values at the reset, subtracted from every later read.  The per-CPU
 * counters themselves are never written by a reader.
 */
struct tcpclose_reset {
	spinlock_t lock;		/* protects base and since */
	struct tcpclose_stats base;
	unsigned long since;		/* jiffies of the last reset */
};

extern const char *const tcpclose_counter_names[TCPCLOSE_CNT_MAX];

/* Host-wide totals: every netns's counts also land here. */
extern struct tcpclose_stats __percpu *tcpclose_host_stats;
extern struct tcpclose_reset tcpclose_host_reset;

/* The state enum tcpclose_fsm_state to its histogram, or -1. */
int tcpclose_dwell_index(unsigned int state);

struct tcpclose_stats __percpu *tcpclose_stats_alloc(void);
void tcpclose_stats_free(struct tcpclose_stats __percpu *stats);
void tcpclose_reset_init(struct tcpclose_reset *r);
void tcpclose_stats_read(const struct tcpclose_stats __percpu *stats,
			 struct tcpclose_reset *r, struct tcpclose_stats *out);
int tcpclose_stats_reset(const struct tcpclose_stats __percpu *stats,
			 struct tcpclose_reset *r);
void tcpclose_dwell(struct tcpclose_stats __percpu *stats, int dwell,
		    u32 ms);
void tcpclose_count_sub(struct tcpclose_stats __percpu *stats,
			enum tcpclose_counter idx);
int tcpclose_counters_init(void);
void tcpclose_counters_exit(void);

/* Count @n events in @stats and in the host-wide totals.  Any context. */
static inline void tcpclose_count_add(struct tcpclose_stats __percpu *stats,
				      enum tcpclose_counter idx, u64 n)
{
	this_cpu_add(stats->cnt[idx], n);
	this_cpu_add(tcpclose_host_stats->cnt[idx], n);
}

/* Count one event. */
static inline void tcpclose_count(struct tcpclose_stats __percpu *stats,
				  enum tcpclose_counter idx)
{
	tcpclose_count_add(stats, idx, 1);
}

#endif /* TCPCLOSE_COUNTERS_H */
