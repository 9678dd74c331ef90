/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_SYNFLOOD_H
#define TCPCLOSE_SYNFLOOD_H

#include <linux/in6.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct net;
struct tcpclose_flow;
struct tcpclose_key;
struct tcpclose_net;

#define TCPCLOSE_LISTENERS	64	/* listeners watched per netns */

/* Where SYNs go, and how many of them went unanswered lately. */
struct tcpclose_listener {
	struct in6_addr addr;		/* v4-mapped for IPv4 */
	__be16 port;
	u8 family;			/* AF_INET, AF_INET6; 0: a free slot */
	u8 vantage;			/* of its last SYN */
	bool flooding;
	u32 last;			/* jiffies of its last SYN */
	u32 win_start;			/* jiffies the current window began */
	s32 cur, prev;			/* SYNs less handshakes, per window */
	u32 flood_start;		/* jiffies */
	u64 flood_syns;			/* SYNs since the flood started */
};

/* A flood's start or end, as sent to group events: copied under the lock. */
struct tcpclose_flood_event {
	struct tcpclose_listener l;
	u32 rate;			/* unanswered SYNs per second */
	u32 threshold;
	u64 duration_ms;		/* at the end */
};

/* The SYN flood detector of a netns. */
struct tcpclose_synflood {
	spinlock_t lock;		/* protects slot[] and floods */
	unsigned int floods;		/* slots flooding; read lock-free */
	struct tcpclose_listener slot[TCPCLOSE_LISTENERS];
};

void tcpclose_synflood_init(struct tcpclose_synflood *sf);
void tcpclose_synflood_syn(struct net *net, struct tcpclose_net *tn,
			   const struct tcpclose_key *key,
			   unsigned int vantage);
void tcpclose_synflood_done(struct tcpclose_net *tn,
			    const struct tcpclose_flow *flow);
void tcpclose_synflood_tick(struct net *net, struct tcpclose_net *tn);

#endif /* TCPCLOSE_SYNFLOOD_H */
