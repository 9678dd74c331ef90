/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/tcpclose.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_TCPCLOSE_GEN_H
#define _LINUX_TCPCLOSE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/tcpclose.h>

/* Ops table for tcpclose */
extern const struct genl_split_ops tcpclose_nl_ops[5];

int tcpclose_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int tcpclose_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info);
int tcpclose_nl_flow_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int tcpclose_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info);
int tcpclose_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	TCPCLOSE_NLGRP_EVENTS,
};

#endif /* _LINUX_TCPCLOSE_GEN_H */
