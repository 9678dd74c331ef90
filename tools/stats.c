// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose stats": the counters, the dwell histograms, or both for
 * Prometheus.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "nl.h"
#include "output.h"
#include "stats.h"
#include "tcpclose.h"

/* Decimal digits of UINT64_MAX, plus the NUL. */
#define U64_STR_SIZE 21

static const uint8_t stats_types[TCPCLOSE_A_STATS_MAX + 1] = {
	[TCPCLOSE_A_STATS_HOST]			= MNL_TYPE_FLAG,
	[TCPCLOSE_A_STATS_COUNTERS]		= MNL_TYPE_NESTED,
	[TCPCLOSE_A_STATS_DWELL]		= MNL_TYPE_NESTED,
	[TCPCLOSE_A_STATS_SINCE_RESET_MS]	= MNL_TYPE_U64,
};

static const uint8_t dwell_types[TCPCLOSE_A_DWELL_MAX + 1] = {
	[TCPCLOSE_A_DWELL_STATE]	= MNL_TYPE_U8,
	[TCPCLOSE_A_DWELL_COUNT]	= MNL_TYPE_U64,
	[TCPCLOSE_A_DWELL_SUM_MS]	= MNL_TYPE_U64,
	[TCPCLOSE_A_DWELL_BUCKET]	= MNL_TYPE_U64,
};

static int parse_counters(const struct nlattr *nest, struct stats *st)
{
	const struct nlattr *attr;
	unsigned int type;

	mnl_attr_for_each_nested(attr, nest) {
		type = mnl_attr_get_type(attr);
		if (!counter_info(type))
			continue;	/* pad, or from a newer module */
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return -EBADMSG;
		st->value[type] = mnl_attr_get_u64(attr);
		st->have[type] = true;
	}
	return 0;
}

static int parse_buckets(const struct nlattr *nest, struct dwell *d)
{
	const struct nlattr *attr;
	unsigned int i = 0;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != TCPCLOSE_A_DWELL_BUCKET)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return -EBADMSG;
		if (i < TCPCLOSE_HIST_BUCKETS)
			d->bucket[i++] = mnl_attr_get_u64(attr);
	}
	return 0;
}

static int parse_dwell(const struct nlattr *nest, struct stats *st)
{
	const struct nlattr *tb[TCPCLOSE_A_DWELL_MAX + 1];
	struct dwell *d;

	if (st->ndwell == MAX_DWELL)
		return 0;
	d = &st->dwell[st->ndwell];
	memset(d, 0, sizeof(*d));
	if (nl_parse_nested(nest, dwell_types, TCPCLOSE_A_DWELL_MAX, tb) ||
	    !tb[TCPCLOSE_A_DWELL_STATE])
		return -EBADMSG;
	d->state = mnl_attr_get_u8(tb[TCPCLOSE_A_DWELL_STATE]);
	if (tb[TCPCLOSE_A_DWELL_COUNT])
		d->count = mnl_attr_get_u64(tb[TCPCLOSE_A_DWELL_COUNT]);
	if (tb[TCPCLOSE_A_DWELL_SUM_MS])
		d->sum_ms = mnl_attr_get_u64(tb[TCPCLOSE_A_DWELL_SUM_MS]);
	st->ndwell++;
	return parse_buckets(nest, d);
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TCPCLOSE_A_STATS_MAX + 1];
	const struct nlattr *attr;
	struct stats *st = data;
	int ret;

	ret = nl_parse(nlh, stats_types, TCPCLOSE_A_STATS_MAX, tb);
	if (!ret && tb[TCPCLOSE_A_STATS_COUNTERS])
		ret = parse_counters(tb[TCPCLOSE_A_STATS_COUNTERS], st);
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (!ret && mnl_attr_get_type(attr) == TCPCLOSE_A_STATS_DWELL)
			ret = parse_dwell(attr, st);
	}
	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	if (tb[TCPCLOSE_A_STATS_SINCE_RESET_MS]) {
		st->since_reset_ms =
			mnl_attr_get_u64(tb[TCPCLOSE_A_STATS_SINCE_RESET_MS]);
		st->have_since_reset = true;
	}
	return MNL_CB_OK;
}

int stats_get(struct nl *nl, bool host, struct stats *st)
{
	struct nlmsghdr *req;

	memset(st, 0, sizeof(*st));
	req = nl_request(nl, TCPCLOSE_CMD_STATS_GET, 0);
	if (host)
		nl_put_flag(req, TCPCLOSE_A_STATS_HOST);
	return nl_do(nl, req, stats_cb, st);
}

static void print_counters(const struct ctx *ctx, const struct stats *st)
{
	struct out_field fields[COUNTER_LAST + 1];
	char values[COUNTER_LAST + 1][U64_STR_SIZE];
	unsigned int type;
	size_t n = 0;

	for (type = COUNTER_FIRST; type <= COUNTER_LAST; type++) {
		if (!st->have[type] ||
		    ((ctx->flags & OPT_NONZERO) && !st->value[type]))
			continue;
		snprintf(values[n], U64_STR_SIZE, "%" PRIu64, st->value[type]);
		fields[n].key = counter_info(type)->name;
		fields[n].value = values[n];
		fields[n].literal = true;
		n++;
	}
	out_print(stdout, ctx->json, fields, n);
}

static int check_options(const struct ctx *ctx)
{
	if (!(ctx->flags & OPT_PROMETHEUS))
		return 0;
	if (ctx->json)
		return usage_error("stats: --prometheus and --json do not mix");
	if (ctx->flags & (OPT_HIST | OPT_NONZERO))
		return usage_error("stats: --prometheus prints everything: no --%s",
				   ctx->flags & OPT_HIST ? "hist" : "nonzero");
	return 0;
}

int cmd_stats(const struct ctx *ctx, int argc, char *argv[])
{
	struct stats st;
	struct nl nl;
	int ret;

	if (argc)
		return usage_error("unexpected argument '%s'", argv[0]);
	ret = check_options(ctx);
	if (ret)
		return ret;
	if (module_open(ctx, &nl))
		return EXIT_FAIL;
	ret = stats_get(&nl, ctx->flags & OPT_HOST, &st);
	if (ret)
		nl_perror(&nl, "stats", ret, NULL);
	nl_close(&nl);
	if (ret)
		return EXIT_FAIL;

	if (ctx->flags & OPT_PROMETHEUS)
		prom_print(ctx, &st);
	else if (ctx->flags & OPT_HIST)
		hist_print(ctx, &st);
	else
		print_counters(ctx, &st);
	return EXIT_OK;
}
