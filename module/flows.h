/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_FLOWS_H
#define TCPCLOSE_FLOWS_H

#include <linux/in6.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "fsm.h"
#include "uapi/linux/tcpclose.h"

struct net;
struct tcpclose_net;

/* struct tcpclose_flow.flags */
enum {
	TCPCLOSE_FL_STUCK_A	= 1u << 0,	/* counted in close_wait_stuck */
	TCPCLOSE_FL_STUCK_B	= 1u << 1,
	TCPCLOSE_FL_DEAD	= 1u << 2,	/* unlinked: ignore it */
	TCPCLOSE_FL_SYN_COUNTED	= 1u << 3,	/* its SYN is in the SYN flood watch */
};

/*
 * One tracked flow.  Found lock-free under RCU through the netns's
 * rhashtable; everything below @lock is written under it, with BHs off.
 * Side A is the endpoint that sent the first segment seen.  IPv4
 * addresses are stored v4-mapped.  128 bytes, two cache lines, unless
 * lock debugging or PREEMPT_RT make the lock larger (flows.c checks it
 * at build time; Documentation/flows.rst).
 */
struct tcpclose_flow {
	struct rhash_head node;
	struct in6_addr addr[2];	/* side A, side B */
	__be16 port[2];
	u8 family;			/* AF_INET or AF_INET6 */
	u8 vantage;			/* enum tcpclose_vantage (uapi) */
	u8 local;			/* bit per side: a local socket */
	u8 flags;			/* TCPCLOSE_FL_* */
	spinlock_t lock;		/* protects the fields below */
	u32 created;			/* jiffies */
	u32 last_seen[2];		/* jiffies of the last segment from a side */
	u32 state_since[2];		/* jiffies a side entered its state */
	/*
	 * The RCU head of a dead flow reuses the start of the mirror
	 * (fsm.dir[0], sequence numbers): it is written only after the flow
	 * is marked TCPCLOSE_FL_DEAD under its lock, and fsm.dir is read
	 * only under that lock by code that checks the mark first.  The
	 * lock-free readers (eviction sampling) read fsm.state and
	 * fsm.verdict, which lie past it.
	 */
	union {
		struct tcpclose_fsm fsm;
		struct rcu_head rcu;
	};
};

/* A packet's tuple, as sent: from src to dst.  The lookup key. */
struct tcpclose_key {
	struct in6_addr src;
	struct in6_addr dst;
	__be16 sport;
	__be16 dport;
	u32 family;
};

int tcpclose_flows_init(void);
void tcpclose_flows_exit(void);
int tcpclose_flows_net_init(struct tcpclose_net *tn);
void tcpclose_flows_net_exit(struct net *net, struct tcpclose_net *tn);

struct tcpclose_flow *tcpclose_flow_lookup(struct tcpclose_net *tn,
					   const struct tcpclose_key *key);
struct tcpclose_flow *tcpclose_flow_create(struct net *net,
					   struct tcpclose_net *tn,
					   const struct tcpclose_key *key);
struct tcpclose_flow *tcpclose_flow_insert(struct tcpclose_net *tn,
					   const struct tcpclose_key *key,
					   struct tcpclose_flow *flow);
void tcpclose_flow_unlink(struct net *net, struct tcpclose_net *tn,
			  struct tcpclose_flow *flow);

/* The side that sent a packet with this key: A if it came from addr[0]. */
unsigned int tcpclose_flow_side(const struct tcpclose_flow *flow,
				const struct tcpclose_key *key);

#endif /* TCPCLOSE_FLOWS_H */
