// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose stats --hist": the dwell histograms, drawn as bpftrace's
 * hist() draws its maps, or as JSON.
 */
#include <inttypes.h>
#include <stdio.h>

#include "output.h"
#include "stats.h"
#include "tcpclose.h"

#define BAR_WIDTH	52	/* as bpftrace */
#define LAST_BUCKET	(TCPCLOSE_HIST_BUCKETS - 1)

/* 2^@power as bpftrace writes it: 1, 2, ... 512, 1K, 2K, ... 1M, ... */
static void power_label(unsigned int power, char *buf, size_t size)
{
	static const char suffix[] = " KMGT";
	unsigned int unit = power / 10 < 4 ? power / 10 : 4;

	if (unit)
		snprintf(buf, size, "%u%c", 1U << (power - unit * 10),
			 suffix[unit]);
	else
		snprintf(buf, size, "%u", 1U << power);
}

/* Bucket 0 is [0, 1) ms, bucket i [2^(i-1), 2^i), the last is open. */
static void bucket_label(unsigned int i, char *buf, size_t size)
{
	char lo[16], hi[16];

	if (!i) {
		snprintf(buf, size, "[0, 1)");
		return;
	}
	power_label(i - 1, lo, sizeof(lo));
	if (i == LAST_BUCKET) {
		snprintf(buf, size, "[%s, ...)", lo);
		return;
	}
	power_label(i, hi, sizeof(hi));
	snprintf(buf, size, "[%s, %s)", lo, hi);
}

static void print_bar(uint64_t value, uint64_t max)
{
	int width = max ? (int)((double)value / (double)max * BAR_WIDTH) : 0;
	int i;

	putchar('|');
	for (i = 0; i < BAR_WIDTH; i++)
		putchar(i < width ? '@' : ' ');
	puts("|");
}

/* From the first non-empty bucket to the last, as bpftrace. */
static void print_hist(const struct dwell *d)
{
	int first = -1, last = -1, i;
	uint64_t max = 0;
	char label[40];

	for (i = 0; i < TCPCLOSE_HIST_BUCKETS; i++) {
		if (!d->bucket[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (d->bucket[i] > max)
			max = d->bucket[i];
	}
	printf("@%s_ms:\n", state_name(d->state));
	for (i = first; first >= 0 && i <= last; i++) {
		bucket_label(i, label, sizeof(label));
		printf("%-16s%8" PRIu64 " ", label, d->bucket[i]);
		print_bar(d->bucket[i], max);
	}
	putchar('\n');
}

static void print_json(const struct stats *st, bool nonzero)
{
	const struct dwell *d;
	struct json j;
	unsigned int i, b;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	for (i = 0; i < st->ndwell; i++) {
		d = &st->dwell[i];
		if (nonzero && !d->count)
			continue;
		json_open(&j, state_name(d->state), '{');
		json_u64(&j, "count", d->count);
		json_u64(&j, "sum_ms", d->sum_ms);
		json_open(&j, "buckets", '[');
		for (b = 0; b < TCPCLOSE_HIST_BUCKETS; b++)
			json_u64(&j, NULL, d->bucket[b]);
		json_close(&j, ']');
		json_close(&j, '}');
	}
	json_close(&j, '}');
}

void hist_print(const struct ctx *ctx, const struct stats *st)
{
	bool nonzero = ctx->flags & OPT_NONZERO;
	unsigned int i;

	if (ctx->json) {
		print_json(st, nonzero);
		return;
	}
	for (i = 0; i < st->ndwell; i++)
		if (!nonzero || st->dwell[i].count)
			print_hist(&st->dwell[i]);
}
