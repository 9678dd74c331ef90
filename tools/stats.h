/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters and dwell histograms of STATS_GET.
 */
#ifndef TCPCLOSE_STATS_H
#define TCPCLOSE_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "names.h"

struct ctx;
struct nl;

/* Time spent in one state, as a log2 histogram in ms. */
struct dwell {
	unsigned int state;
	uint64_t count;
	uint64_t sum_ms;
	uint64_t bucket[TCPCLOSE_HIST_BUCKETS];
};

#define MAX_DWELL	12

struct stats {
	bool have[COUNTER_LAST + 1];	/* by attribute type */
	uint64_t value[COUNTER_LAST + 1];
	struct dwell dwell[MAX_DWELL];	/* in the module's order */
	unsigned int ndwell;
	bool have_since_reset;
	uint64_t since_reset_ms;
};

/* 0 or a negative errno value; nl->ext tells more. */
int stats_get(struct nl *nl, bool host, struct stats *st);

/* stats --hist */
void hist_print(const struct ctx *ctx, const struct stats *st);

/* stats --prometheus */
void prom_print(const struct ctx *ctx, const struct stats *st);

#endif
