// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose reset": zero the counters that count events and the dwell
 * histograms, of the namespace or (--host) of the host-wide totals.
 */
#include <linux/tcpclose.h>

#include "nl.h"
#include "tcpclose.h"

int cmd_reset(const struct ctx *ctx, int argc, char *argv[])
{
	struct nlmsghdr *req;
	struct nl nl;
	int ret;

	if (argc)
		return usage_error("unexpected argument '%s'", argv[0]);
	if (module_open(ctx, &nl))
		return EXIT_FAIL;
	req = nl_request(&nl, TCPCLOSE_CMD_STATS_RESET, 0);
	if (ctx->flags & OPT_HOST)
		nl_put_flag(req, TCPCLOSE_A_STATS_HOST);
	ret = nl_do(&nl, req, NULL, NULL);
	if (ret)
		nl_perror(&nl, "reset", ret, NULL);
	nl_close(&nl);
	return ret ? EXIT_FAIL : EXIT_OK;
}
