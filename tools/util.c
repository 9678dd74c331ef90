// SPDX-License-Identifier: GPL-2.0
/*
 * Messages and helpers shared by the commands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "tcpclose.h"

void vpr_err(const char *fmt, va_list ap)
{
	fputs(PROG_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
}

int module_open(const struct ctx *ctx, struct nl *nl)
{
	int ret;

	if (ctx->netns && netns_enter(ctx->netns))
		return EXIT_FAIL;
	ret = nl_open(nl);
	if (!ret)
		return EXIT_OK;
	if (ret == -ENOENT)
		pr_err("module not loaded (try: modprobe tcpclose)");
	else
		pr_err("cannot reach the module over generic netlink: %s",
		       strerror(-ret));
	return EXIT_FAIL;
}

bool parse_uint(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end && *v <= max;
}
