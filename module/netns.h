/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_NETNS_H
#define TCPCLOSE_NETNS_H

#include <linux/ratelimit.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "counters.h"
#include "synflood.h"

/* Per network namespace state, reached with tcpclose_pernet(). */
struct tcpclose_net {
	struct tcpclose_stats __percpu *stats;
	struct tcpclose_reset reset;	/* what stats-reset took away */
	struct ratelimit_state events_rs; /* anomaly events: netlink_flows.c */
	struct rhashtable flows;	/* struct tcpclose_flow, by tuple */
	struct delayed_work gc;		/* timeouts: gc.c */
	/* Only the gc work touches these, and tcpclose_gc_stop() after it. */
	struct rhashtable_iter gc_iter;	/* where the sweep stopped */
	bool gc_sweeping;		/* gc_iter entered */
	struct tcpclose_synflood synflood; /* synflood.c */
	struct net *net;
};

extern unsigned int tcpclose_net_id;

static inline struct tcpclose_net *tcpclose_pernet(const struct net *net)
{
	return net_generic(net, tcpclose_net_id);
}

int tcpclose_netns_init(void);
void tcpclose_netns_exit(void);

#endif /* TCPCLOSE_NETNS_H */
