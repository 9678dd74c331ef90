// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose stats --prometheus": everything in the Prometheus text
 * exposition format, for node_exporter's textfile collector.
 *
 * Counter NAME is tcpclose_NAME_total (tcpclose_seg_total: it ends in
 * _total already), a gauge is tcpclose_NAME; the dwell histograms are one
 * histogram, tcpclose_dwell_seconds, with a label "state". With -n NETNS
 * (and without --host), every sample has a label netns="NETNS".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "tcpclose.h"

#define PREFIX		"tcpclose_"
#define HIST_NAME	PREFIX "dwell_seconds"
#define LAST_BUCKET	(TCPCLOSE_HIST_BUCKETS - 1)

/* The labels every sample has, as "name="value"", or "". */
static char common[512];

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* netns="NAME", with backslash, double quote and newline escaped. */
static void make_common_labels(const struct ctx *ctx)
{
	size_t n = 0;
	const char *s;

	common[0] = '\0';
	if (!ctx->netns || (ctx->flags & OPT_HOST))
		return;
	n = snprintf(common, sizeof(common), "netns=\"");
	for (s = ctx->netns; *s && n + 4 < sizeof(common); s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			common[n++] = '\\';
		common[n++] = *s == '\n' ? 'n' : *s;
	}
	common[n++] = '"';
	common[n] = '\0';
}

/* Milliseconds as seconds, exactly: "0.001", "1.024", "3". */
static const char *seconds(uint64_t ms, char *buf, size_t size)
{
	int len = snprintf(buf, size, "%" PRIu64 ".%03u", ms / 1000,
			   (unsigned int)(ms % 1000));

	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	return buf;
}

static void print_header(const char *name, const char *help,
			 const char *type)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{common labels} VALUE */
static void print_sample(const char *name, const char *value)
{
	if (*common)
		printf("%s{%s} %s\n", name, common, value);
	else
		printf("%s %s\n", name, value);
}

static void print_counter(unsigned int type, uint64_t value)
{
	const struct counter_info *info = counter_info(type);
	bool total = !info->gauge && !ends_with(info->name, "_total");
	char name[96], v[24];

	snprintf(name, sizeof(name), PREFIX "%s%s", info->name,
		 total ? "_total" : "");
	snprintf(v, sizeof(v), "%" PRIu64, value);
	print_header(name, info->help, info->gauge ? "gauge" : "counter");
	print_sample(name, v);
}

/* NAME_SUFFIX{common,state="S"[,le="LE"]} VALUE */
static void hist_sample(const struct dwell *d, const char *suffix,
			const char *le, const char *value)
{
	printf(HIST_NAME "%s{%s%sstate=\"%s\"", suffix, common,
	       *common ? "," : "", state_name(d->state));
	if (le)
		printf(",le=\"%s\"", le);
	printf("} %s\n", value);
}

/* Cumulative buckets (bucket i holds dwells below 2^i ms), +Inf, sum. */
static void print_dwell(const struct dwell *d)
{
	char le[32], v[24];
	uint64_t total = 0;
	int i;

	for (i = 0; i < LAST_BUCKET; i++) {
		total += d->bucket[i];
		snprintf(v, sizeof(v), "%" PRIu64, total);
		hist_sample(d, "_bucket", seconds((uint64_t)1 << i, le,
						  sizeof(le)), v);
	}
	total += d->bucket[LAST_BUCKET];
	snprintf(v, sizeof(v), "%" PRIu64, total);
	hist_sample(d, "_bucket", "+Inf", v);
	hist_sample(d, "_sum", NULL, seconds(d->sum_ms, le, sizeof(le)));
	/* The +Inf bucket, so that they agree even if read mid-update. */
	hist_sample(d, "_count", NULL, v);
}

void prom_print(const struct ctx *ctx, const struct stats *st)
{
	unsigned int type, i;
	char v[32];

	make_common_labels(ctx);
	for (type = COUNTER_FIRST; type <= COUNTER_LAST; type++)
		if (st->have[type])
			print_counter(type, st->value[type]);
	if (st->ndwell)
		print_header(HIST_NAME,
			     "Time endpoints spent in a closing state.",
			     "histogram");
	for (i = 0; i < st->ndwell; i++)
		print_dwell(&st->dwell[i]);
	if (st->have_since_reset) {
		print_header(PREFIX "since_reset_seconds",
			     "Time since the counters were last reset.",
			     "gauge");
		print_sample(PREFIX "since_reset_seconds",
			     seconds(st->since_reset_ms, v, sizeof(v)));
	}
}
