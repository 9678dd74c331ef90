// SPDX-License-Identifier: GPL-2.0
/*
 * tcpclose: diagnose how TCP connections end.
 *
 * Module init and exit only: each concern lives in its own file.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "counters.h"
#include "flows.h"
#include "netlink.h"
#include "netns.h"
#include "params.h"
#include "proc.h"
#include "version.h"

static int __init tcpclose_init(void)
{
	int ret;

	tcpclose_params_init();
	ret = tcpclose_counters_init();
	if (ret)
		goto err_counters;
	ret = tcpclose_flows_init();
	if (ret)
		goto err_flows;
	ret = tcpclose_netns_init();
	if (ret)
		goto err_netns;
	ret = tcpclose_netlink_init();
	if (ret)
		goto err_netlink;
	ret = tcpclose_proc_init();
	if (ret)
		goto err_proc;
	pr_info("tcpclose " TCPCLOSE_VERSION " loaded\n");
	return 0;

err_proc:
	tcpclose_netlink_exit();
err_netlink:
	tcpclose_netns_exit();
err_netns:
	tcpclose_flows_exit();
err_flows:
	tcpclose_counters_exit();
err_counters:
	return ret;
}

static void __exit tcpclose_exit(void)
{
	tcpclose_proc_exit();
	tcpclose_netlink_exit();
	tcpclose_netns_exit();
	tcpclose_flows_exit();
	tcpclose_counters_exit();
}

module_init(tcpclose_init);
module_exit(tcpclose_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Diagnose how TCP connections end");
MODULE_AUTHOR("The tcpclose authors");
MODULE_VERSION(TCPCLOSE_VERSION);
