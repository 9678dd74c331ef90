// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace setup: counters, the flow table and its GC,
 * /proc/net/tcpclose, netfilter hooks.
 *
 * Teardown is split so that no hook can run on freed state: .pre_exit
 * unregisters the hooks, the netns core then waits for an RCU grace period
 * (hooks run under rcu_read_lock), and only then does .exit stop the GC
 * and free.  Flows still open then end as evicted.
 */
#include "flows.h"
#include "gc.h"
#include "hooks.h"
#include "netlink.h"
#include "netns.h"
#include "proc.h"

unsigned int tcpclose_net_id __read_mostly;

static int __net_init tcpclose_net_init(struct net *net)
{
	struct tcpclose_net *tn = tcpclose_pernet(net);
	int ret;

	tn->net = net;
	tcpclose_reset_init(&tn->reset);
	tcpclose_nl_net_init(tn);
	tcpclose_synflood_init(&tn->synflood);
	tn->stats = tcpclose_stats_alloc();
	if (!tn->stats)
		return -ENOMEM;
	ret = tcpclose_flows_net_init(tn);
	if (ret)
		goto err_stats;
	ret = tcpclose_proc_net_init(net);
	if (ret)
		goto err_flows;
	tcpclose_gc_start(tn);
	ret = tcpclose_hooks_register(net);
	if (ret)
		goto err_gc;
	return 0;

err_gc:
	tcpclose_gc_stop(tn);
	tcpclose_proc_net_exit(net);
err_flows:
	tcpclose_flows_net_exit(net, tn);
err_stats:
	tcpclose_stats_free(tn->stats);
	return ret;
}

static void __net_exit tcpclose_net_pre_exit(struct net *net)
{
	tcpclose_hooks_unregister(net);
}

static void __net_exit tcpclose_net_exit(struct net *net)
{
	struct tcpclose_net *tn = tcpclose_pernet(net);

	tcpclose_gc_stop(tn);
	tcpclose_proc_net_exit(net);
	tcpclose_flows_net_exit(net, tn);
	tcpclose_stats_free(tn->stats);
}

static struct pernet_operations tcpclose_net_ops = {
	.init = tcpclose_net_init,
	.pre_exit = tcpclose_net_pre_exit,
	.exit = tcpclose_net_exit,
	.id = &tcpclose_net_id,
	.size = sizeof(struct tcpclose_net),
};

int tcpclose_netns_init(void)
{
	return register_pernet_subsys(&tcpclose_net_ops);
}

void tcpclose_netns_exit(void)
{
	unregister_pernet_subsys(&tcpclose_net_ops);
}
