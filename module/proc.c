// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/tcpclose (host-wide) and /proc/net/tcpclose (the reader's netns):
 * one "name value" line per counter, in the style of /proc/vmstat.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "netns.h"
#include "proc.h"

#define TCPCLOSE_PROC_NAME "tcpclose"

static int tcpclose_proc_show_stats(struct seq_file *m,
				    const struct tcpclose_stats __percpu *st,
				    struct tcpclose_reset *r)
{
	struct tcpclose_stats *val = kmalloc(sizeof(*val), GFP_KERNEL);
	int i;

	if (!val)
		return -ENOMEM;
	tcpclose_stats_read(st, r, val);
	for (i = 0; i < TCPCLOSE_CNT_MAX; i++)
		seq_printf(m, "%s %llu\n", tcpclose_counter_names[i],
			   val->cnt[i]);
	kfree(val);
	return 0;
}

static int tcpclose_proc_host_show(struct seq_file *m, void *v)
{
	return tcpclose_proc_show_stats(m, tcpclose_host_stats,
					&tcpclose_host_reset);
}

static int tcpclose_proc_net_show(struct seq_file *m, void *v)
{
	struct tcpclose_net *tn = tcpclose_pernet(seq_file_single_net(m));

	return tcpclose_proc_show_stats(m, tn->stats, &tn->reset);
}

int tcpclose_proc_init(void)
{
	if (!proc_create_single(TCPCLOSE_PROC_NAME, 0444, NULL,
				tcpclose_proc_host_show))
		return -ENOMEM;
	return 0;
}

void tcpclose_proc_exit(void)
{
	remove_proc_entry(TCPCLOSE_PROC_NAME, NULL);
}

int tcpclose_proc_net_init(struct net *net)
{
	if (!proc_create_net_single(TCPCLOSE_PROC_NAME, 0444, net->proc_net,
				    tcpclose_proc_net_show, NULL))
		return -ENOMEM;
	return 0;
}

void tcpclose_proc_net_exit(struct net *net)
{
	remove_proc_entry(TCPCLOSE_PROC_NAME, net->proc_net);
}
