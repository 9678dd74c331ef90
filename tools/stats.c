// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose stats": print the module's counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "source.h"
#include "tcpclose.h"

/* Decimal digits of UINT64_MAX, plus the NUL. */
#define U64_STR_SIZE 21

static void print_counters(const struct ctx *ctx,
			   const struct tcpclose_counters *counters,
			   struct out_field *fields, char (*values)[U64_STR_SIZE])
{
	size_t i, n = 0;

	for (i = 0; i < counters->n; i++) {
		if ((ctx->flags & OPT_NONZERO) && !counters->v[i].value)
			continue;
		snprintf(values[n], U64_STR_SIZE, "%" PRIu64,
			 counters->v[i].value);
		fields[n].key = counters->v[i].name;
		fields[n].value = values[n];
		fields[n].literal = true;
		n++;
	}
	out_print(stdout, ctx->json, fields, n);
}

static int read_error(enum tcpclose_scope scope, int err)
{
	const char *origin = tcpclose_counters_origin(scope);

	if (errno_is_perm(err))
		pr_err("permission denied: reading %s needs root", origin);
	else
		pr_err("cannot read counters from %s: %s", origin,
		       strerror(err));
	return EXIT_FAIL;
}

int cmd_stats(const struct ctx *ctx, int argc, char *argv[])
{
	enum tcpclose_scope scope = TCPCLOSE_SCOPE_NETNS;
	struct tcpclose_counters counters;
	char (*values)[U64_STR_SIZE];
	struct out_field *fields;
	int ret;

	if (argc)
		return usage_error("unexpected argument '%s'", argv[0]);
	if (ctx->flags & OPT_HOST)
		scope = TCPCLOSE_SCOPE_HOST;
	if (!require_module())
		return EXIT_FAIL;

	ret = tcpclose_counters_get(scope, &counters);
	if (ret)
		return read_error(scope, -ret);

	fields = calloc(counters.n + 1, sizeof(*fields));
	values = calloc(counters.n + 1, sizeof(*values));
	if (fields && values) {
		print_counters(ctx, &counters, fields, values);
		ret = EXIT_OK;
	} else {
		pr_err("out of memory");
		ret = EXIT_FAIL;
	}
	free(values);
	free(fields);
	tcpclose_counters_free(&counters);
	return ret;
}
