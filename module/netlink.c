// SPDX-License-Identifier: GPL-2.0
/*
 * The tcpclose generic netlink family: registration, stats and config.
 *
 * The policies and the ops table come from the YAML spec
 * (Documentation/netlink/specs/tcpclose.yaml) through YNL: genl.c, which
 * is built as part of this file so that its multicast group table is in
 * reach.  The flow dump and the events are in netlink_flows.c.
 */
#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "counters.h"
#include "fsm.h"
#include "genl-compat.h"
#include "genl.c"	/* generated: policies, tcpclose_nl_ops, mcgrps */
#include "netlink.h"
#include "netns.h"
#include "params.h"

struct genl_family tcpclose_genl_family __ro_after_init = {
	.name		= TCPCLOSE_FAMILY_NAME,
	.version	= TCPCLOSE_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	TCPCLOSE_GENL_OPS,
	.mcgrps		= tcpclose_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tcpclose_nl_mcgrps),
};

/* Set once the family is registered: events may be sent (RCU). */
static bool tcpclose_nl_ready;

bool tcpclose_nl_listening(struct net *net)
{
	return READ_ONCE(tcpclose_nl_ready) &&
	       genl_has_listeners(&tcpclose_genl_family, net,
				  TCPCLOSE_NLGRP_EVENTS);
}

static const u8 tcpclose_dwell_state[TCPCLOSE_NDWELL] = {
	[TCPCLOSE_DWELL_FIN_WAIT1]	= TCPCLOSE_STATE_FIN_WAIT1,
	[TCPCLOSE_DWELL_FIN_WAIT2]	= TCPCLOSE_STATE_FIN_WAIT2,
	[TCPCLOSE_DWELL_TIME_WAIT]	= TCPCLOSE_STATE_TIME_WAIT,
	[TCPCLOSE_DWELL_CLOSE_WAIT]	= TCPCLOSE_STATE_CLOSE_WAIT,
	[TCPCLOSE_DWELL_LAST_ACK]	= TCPCLOSE_STATE_LAST_ACK,
};

static int tcpclose_nl_put_counters(struct sk_buff *msg,
				    const struct tcpclose_stats *st)
{
	struct nlattr *nest;
	int i;

	/* Counter i is attribute SEG_TOTAL + i: the spec lists them so. */
	BUILD_BUG_ON(TCPCLOSE_A_COUNTERS_SEG_TOTAL + TCPCLOSE_CNT_MAX - 1 !=
		     TCPCLOSE_A_COUNTERS_MAX);
	nest = nla_nest_start(msg, TCPCLOSE_A_STATS_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < TCPCLOSE_CNT_MAX; i++)
		if (nla_put_u64_64bit(msg, TCPCLOSE_A_COUNTERS_SEG_TOTAL + i,
				      st->cnt[i], TCPCLOSE_A_COUNTERS_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* One histogram: its buckets up to the last non-empty one. */
static int tcpclose_nl_put_dwell(struct sk_buff *msg,
				 const struct tcpclose_stats *st, int d)
{
	const u64 *b = st->dwell[d];
	struct nlattr *nest;
	u64 count = 0;
	int i, last = -1;

	for (i = 0; i < TCPCLOSE_HIST_BUCKETS; i++) {
		count += b[i];
		if (b[i])
			last = i;
	}
	nest = nla_nest_start(msg, TCPCLOSE_A_STATS_DWELL);
	if (!nest ||
	    nla_put_u8(msg, TCPCLOSE_A_DWELL_STATE, tcpclose_dwell_state[d]) ||
	    nla_put_u64_64bit(msg, TCPCLOSE_A_DWELL_COUNT, count,
			      TCPCLOSE_A_DWELL_PAD) ||
	    nla_put_u64_64bit(msg, TCPCLOSE_A_DWELL_SUM_MS,
			      st->dwell_sum_ms[d], TCPCLOSE_A_DWELL_PAD))
		goto cancel;
	for (i = 0; i <= last; i++)
		if (nla_put_u64_64bit(msg, TCPCLOSE_A_DWELL_BUCKET, b[i],
				      TCPCLOSE_A_DWELL_PAD))
			goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	if (nest)
		nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int tcpclose_nl_put_stats(struct sk_buff *msg,
				 const struct tcpclose_stats *st, bool host,
				 unsigned long since)
{
	int d;

	if (host && nla_put_flag(msg, TCPCLOSE_A_STATS_HOST))
		return -EMSGSIZE;
	if (tcpclose_nl_put_counters(msg, st))
		return -EMSGSIZE;
	for (d = 0; d < TCPCLOSE_NDWELL; d++)
		if (tcpclose_nl_put_dwell(msg, st, d))
			return -EMSGSIZE;
	return nla_put_u64_64bit(msg, TCPCLOSE_A_STATS_SINCE_RESET_MS,
				 jiffies_to_msecs(jiffies - since),
				 TCPCLOSE_A_STATS_PAD);
}

/* Start a reply to @info: a message of @size with the genl header. */
static struct sk_buff *tcpclose_nl_reply_new(struct genl_info *info,
					     size_t size, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(size, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &tcpclose_genl_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int tcpclose_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpclose_net *tn = tcpclose_pernet(genl_info_net(info));
	bool host = info->attrs[TCPCLOSE_A_STATS_HOST];
	struct tcpclose_reset *r = host ? &tcpclose_host_reset : &tn->reset;
	struct tcpclose_stats *st;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	tcpclose_stats_read(host ? tcpclose_host_stats : tn->stats, r, st);
	msg = tcpclose_nl_reply_new(info, NLMSG_GOODSIZE, &hdr);
	ret = msg ? tcpclose_nl_put_stats(msg, st, host, READ_ONCE(r->since))
		  : -ENOMEM;
	kfree(st);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int tcpclose_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpclose_net *tn = tcpclose_pernet(genl_info_net(info));
	struct nlattr *host = info->attrs[TCPCLOSE_A_STATS_HOST];

	if (!host)
		return tcpclose_stats_reset(tn->stats, &tn->reset);
	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, host,
				    "host-wide counters: need CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	return tcpclose_stats_reset(tcpclose_host_stats, &tcpclose_host_reset);
}

/* The u32 parameters, by config attribute. */
static struct tcpclose_param *const tcpclose_nl_params[] = {
	[TCPCLOSE_A_CONFIG_FIN_TIMEOUT]		= &tcpclose_fin_timeout,
	[TCPCLOSE_A_CONFIG_TIME_WAIT]		= &tcpclose_time_wait,
	[TCPCLOSE_A_CONFIG_FIN_WAIT1_TIMEOUT]	= &tcpclose_fin_wait1_timeout,
	[TCPCLOSE_A_CONFIG_LAST_ACK_TIMEOUT]	= &tcpclose_last_ack_timeout,
	[TCPCLOSE_A_CONFIG_SYN_TIMEOUT]		= &tcpclose_syn_timeout,
	[TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM]	= &tcpclose_close_wait_alarm,
	[TCPCLOSE_A_CONFIG_MAX_FLOWS]		= &tcpclose_max_flows,
	[TCPCLOSE_A_CONFIG_SYN_FLOOD_THRESHOLD]	= &tcpclose_syn_flood_threshold,
};

static int tcpclose_nl_put_config(struct sk_buff *msg)
{
	int a;

	for (a = 1; a < ARRAY_SIZE(tcpclose_nl_params); a++)
		if (tcpclose_nl_params[a] &&
		    nla_put_u32(msg, a,
				tcpclose_param_get(tcpclose_nl_params[a])))
			return -EMSGSIZE;
	return nla_put_u32(msg, TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION,
			   tcpclose_fin_timeout_action());
}

int tcpclose_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	/* No policy for a request without attributes: refuse any here. */
	if (genlmsg_len(info->genlhdr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, genlmsg_data(info->genlhdr),
				    "config-get takes no attributes");
		return -EINVAL;
	}
	msg = tcpclose_nl_reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!msg)
		return -ENOMEM;
	if (tcpclose_nl_put_config(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Every value given is valid: the policy and the parameter agree. */
static int tcpclose_nl_config_check(struct genl_info *info, bool *any)
{
	struct nlattr **tb = info->attrs;
	struct tcpclose_param *p;
	int a;

	*any = tb[TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION];
	for (a = 1; a < ARRAY_SIZE(tcpclose_nl_params); a++) {
		p = tcpclose_nl_params[a];
		if (!p || !tb[a])
			continue;
		*any = true;
		if (nla_get_u32(tb[a]) < p->min || nla_get_u32(tb[a]) > p->max) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[a],
					    "value out of range");
			return -EINVAL;
		}
	}
	if (!*any) {
		NL_SET_ERR_MSG(info->extack, "config-set: no parameter given");
		return -EINVAL;
	}
	return 0;
}

int tcpclose_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	bool any;
	int a, ret;

	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "parameters are host-wide: need CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	ret = tcpclose_nl_config_check(info, &any);
	if (ret)
		return ret;
	/* The lock sysfs writes take: a set is all or nothing to readers. */
	kernel_param_lock(THIS_MODULE);
	for (a = 1; a < ARRAY_SIZE(tcpclose_nl_params); a++)
		if (tcpclose_nl_params[a] && tb[a])
			WARN_ON_ONCE(tcpclose_param_set(tcpclose_nl_params[a],
							nla_get_u32(tb[a])));
	a = TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION;
	if (tb[a])
		tcpclose_set_fin_timeout_action(nla_get_u32(tb[a]));
	kernel_param_unlock(THIS_MODULE);
	return 0;
}

int tcpclose_netlink_init(void)
{
	int ret;

	/* The mirror's values go out as they are: the uapi's must agree. */
	BUILD_BUG_ON(TCPCLOSE_NSTATES - TCPCLOSE_STATE_CLOSING - 1 ||
		     TCPCLOSE_NVERDICTS - TCPCLOSE_VERDICT_EVICTED - 1 ||
		     TCPCLOSE_FIN_WAIT2 - TCPCLOSE_STATE_FIN_WAIT2 ||
		     TCPCLOSE_V_RESET_CLOSING - TCPCLOSE_VERDICT_RESET_CLOSING ||
		     TCPCLOSE_SIDE_BOTH - TCPCLOSE_ENDPOINT_BOTH ||
		     TCPCLOSE_ANOMALY_MASK -
		     2 * TCPCLOSE_ANOMALY_HIJACK_SUSPECT + 1 ||
		     TCPCLOSE_EV_OLD_DUP_SYN - TCPCLOSE_ANOMALY_OLD_DUP_SYN ||
		     TCPCLOSE_EV_DATA_OUT_OF_WINDOW -
		     TCPCLOSE_ANOMALY_DATA_OUT_OF_WINDOW);
	ret = genl_register_family(&tcpclose_genl_family);
	if (ret)
		return ret;
	WRITE_ONCE(tcpclose_nl_ready, true);
	return 0;
}

void tcpclose_netlink_exit(void)
{
	WRITE_ONCE(tcpclose_nl_ready, false);
	synchronize_rcu();	/* events are sent with BHs off */
	genl_unregister_family(&tcpclose_genl_family);
}
