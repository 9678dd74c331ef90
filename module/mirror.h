/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_MIRROR_H
#define TCPCLOSE_MIRROR_H

#include "flows.h"

struct net;
struct tcpclose_net;

/* Which ends of a segment are local sockets at this hook. */
enum {
	TCPCLOSE_LOCAL_SENDER	= 1u << 0,	/* seen at LOCAL_OUT */
	TCPCLOSE_LOCAL_RECEIVER	= 1u << 1,	/* seen at LOCAL_IN, or loopback */
};

void tcpclose_mirror_input(struct net *net, struct tcpclose_net *tn,
			   const struct tcpclose_key *key,
			   const struct tcpclose_seg *seg,
			   unsigned int vantage, unsigned int local);
void tcpclose_mirror_expire(struct net *net, struct tcpclose_net *tn,
			    struct tcpclose_flow *flow, unsigned int side);
void tcpclose_mirror_evict(struct net *net, struct tcpclose_net *tn,
			   struct tcpclose_flow *flow);
void tcpclose_mirror_forget(struct net *net, struct tcpclose_net *tn,
			    struct tcpclose_flow *flow);
void tcpclose_mirror_mark_stuck(struct tcpclose_net *tn,
				struct tcpclose_flow *flow, unsigned int side);

#endif /* TCPCLOSE_MIRROR_H */
