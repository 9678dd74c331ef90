/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_NETLINK_H
#define TCPCLOSE_NETLINK_H

#include <net/genetlink.h>

struct net;
struct tcpclose_flood_event;
struct tcpclose_flow;
struct tcpclose_net;

extern struct genl_family tcpclose_genl_family;

int tcpclose_netlink_init(void);
void tcpclose_netlink_exit(void);
bool tcpclose_nl_listening(struct net *net);

/* netlink_flows.c: the flow dump and the events group. */
void tcpclose_nl_net_init(struct tcpclose_net *tn);
void tcpclose_nl_flow_ended(struct net *net,
			    const struct tcpclose_flow *flow);
void tcpclose_nl_anomaly(struct net *net, struct tcpclose_net *tn,
			 const struct tcpclose_flow *flow,
			 unsigned int anomaly);
void tcpclose_nl_syn_flood(struct net *net,
			   const struct tcpclose_flood_event *ev);

#endif /* TCPCLOSE_NETLINK_H */
